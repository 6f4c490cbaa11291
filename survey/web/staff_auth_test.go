package web

import (
	"context"
	"crypto/tls"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"manyi/survey"
	"manyi/survey/auth"
	"manyi/survey/demo"
	"manyi/survey/sqlite"
)

// staffPassword is every test account's password.
const staffPassword = "Zhiliang-2026!"

// staffClock is the settable clock of a staff test server and its store.
type staffClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *staffClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *staffClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// staffEnv is a server on a real SQLite file with the demo measurement
// and one account per role: boss (office), stat (statistician), ivw
// (interviewer), all with staffPassword.
type staffEnv struct {
	t     *testing.T
	srv   *Server
	db    *sqlite.DB
	clock *staffClock
	log   *syncBuffer
	users map[auth.Role]*auth.User
}

func newStaffEnv(t *testing.T, baseURL string) *staffEnv {
	t.Helper()
	db, err := sqlite.Open(filepath.Join(t.TempDir(), "manyi.db"))
	if err != nil {
		t.Fatalf("sqlite.Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	clk := &staffClock{t: time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)}
	db.Now = clk.Now
	ctx := context.Background()
	if _, err := demo.Ensure(ctx, db); err != nil {
		t.Fatalf("demo.Ensure: %v", err)
	}
	logs := &syncBuffer{}
	cfg := storeConfig(db)
	cfg.Log = slog.New(slog.NewTextHandler(logs, nil))
	cfg.Secret = []byte("staff-test-secret-0123456789abcdef")
	cfg.BaseURL = baseURL
	cfg.Now = clk.Now
	srv, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	e := &staffEnv{t: t, srv: srv, db: db, clock: clk, log: logs, users: map[auth.Role]*auth.User{}}
	// DefaultParams hashes: a login with a weaker hash would upgrade it,
	// which is tested on its own.
	h, err := auth.HashPassword(staffPassword)
	if err != nil {
		t.Fatal(err)
	}
	for name, role := range map[string]auth.Role{"boss": auth.RoleOffice, "stat": auth.RoleStatistician, "ivw": auth.RoleInterviewer} {
		u, err := db.CreateUser(ctx, name, role, h)
		if err != nil {
			t.Fatalf("CreateUser(%s): %v", name, err)
		}
		e.users[role] = u
	}
	return e
}

// staffClient is one browser: it keeps cookies and has an address.
type staffClient struct {
	e       *staffEnv
	ip      string
	tls     bool
	cookies map[string]*http.Cookie
}

func (e *staffEnv) client(ip string) *staffClient {
	return &staffClient{e: e, ip: ip, cookies: map[string]*http.Cookie{}}
}

func (c *staffClient) do(req *http.Request) *httptest.ResponseRecorder {
	req.RemoteAddr = c.ip + ":40000"
	if c.tls {
		req.TLS = &tls.ConnectionState{}
	}
	for _, ck := range c.cookies {
		req.AddCookie(&http.Cookie{Name: ck.Name, Value: ck.Value})
	}
	rec := httptest.NewRecorder()
	c.e.srv.ServeHTTP(rec, req)
	for _, ck := range rec.Result().Cookies() {
		if ck.MaxAge < 0 {
			delete(c.cookies, ck.Name)
		} else {
			c.cookies[ck.Name] = ck
		}
	}
	return rec
}

func (c *staffClient) get(path string) *httptest.ResponseRecorder {
	return c.do(httptest.NewRequest(http.MethodGet, path, nil))
}

func (c *staffClient) post(path string, form url.Values) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrfOf returns the first CSRF token of a page.
func csrfOf(t *testing.T, body string) string {
	t.Helper()
	m := csrfField.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no csrf field in the page:\n%s", body)
	}
	return m[1]
}

// tryLogin opens the login form and posts name and password.
func (c *staffClient) tryLogin(name, password, next string) *httptest.ResponseRecorder {
	c.e.t.Helper()
	form := c.get("/login")
	if form.Code != http.StatusOK {
		c.e.t.Fatalf("GET /login: status %d", form.Code)
	}
	return c.post("/login", url.Values{"csrf": {csrfOf(c.e.t, form.Body.String())}, "name": {name}, "password": {password}, "next": {next}})
}

// login logs in and fails the test unless it worked.
func (c *staffClient) login(name string) {
	c.e.t.Helper()
	rec := c.tryLogin(name, staffPassword, "")
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/app" {
		c.e.t.Fatalf("login %s: status %d, Location %q; want 303 to /app\n%s", name, rec.Code, rec.Header().Get("Location"), rec.Body)
	}
}

// csrf returns the session's CSRF token from the staff home.
func (c *staffClient) csrf() string {
	c.e.t.Helper()
	return csrfOf(c.e.t, c.get("/app").Body.String())
}

// auditActions lists the audit log's "action:user:target" newest first.
func (e *staffEnv) auditActions() []string {
	e.t.Helper()
	es, err := e.db.AuditLog(context.Background(), auth.AuditFilter{})
	if err != nil {
		e.t.Fatal(err)
	}
	var out []string
	for _, x := range es {
		out = append(out, x.Action+":"+x.User+":"+x.Target)
	}
	return out
}

func TestStaffLoginLogout(t *testing.T) {
	e := newStaffEnv(t, "")
	c := e.client("10.0.0.1")
	c.login("Stat")
	ck := c.cookies[sessionCookie]
	if ck == nil {
		t.Fatalf("no %s cookie after login", sessionCookie)
	}
	if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" || ck.Secure {
		t.Errorf("session cookie: HttpOnly %v, SameSite %v, Path %q, Secure %v; want true, Lax, /, false over plain HTTP",
			ck.HttpOnly, ck.SameSite, ck.Path, ck.Secure)
	}
	if _, ok := c.cookies[loginCookie]; ok {
		t.Errorf("the pre-login cookie survived the login")
	}
	home := c.get("/app")
	if home.Code != http.StatusOK || !strings.Contains(home.Body.String(), "stat · 统计人员") {
		t.Fatalf("GET /app: status %d, want 200 naming the user\n%s", home.Code, home.Body)
	}
	if !strings.Contains(home.Body.String(), demo.ID) {
		t.Errorf("the staff home does not list %s", demo.ID)
	}
	// Statisticians see no accounts or audit entries in the bar.
	if strings.Contains(home.Body.String(), `href="/app/users"`) || strings.Contains(home.Body.String(), `href="/app/audit"`) {
		t.Errorf("a statistician's bar links to accounts or the audit log")
	}
	token := ck.Value
	out := c.post("/logout", url.Values{"csrf": {csrfOf(t, home.Body.String())}})
	if out.Code != http.StatusSeeOther || out.Header().Get("Location") != "/login" {
		t.Errorf("POST /logout: status %d, Location %q; want 303 to /login", out.Code, out.Header().Get("Location"))
	}
	if _, ok := c.cookies[sessionCookie]; ok {
		t.Errorf("session cookie kept after logout")
	}
	if _, err := e.db.SessionByToken(context.Background(), token, auth.DefaultSessionPolicy); err == nil {
		t.Errorf("the session still exists after logout")
	}
	// The old cookie replayed is worthless.
	c.cookies[sessionCookie] = ck
	if rec := c.get("/app"); rec.Code != http.StatusFound {
		t.Errorf("GET /app with the logged-out cookie: status %d, want 302", rec.Code)
	}
	if got, want := strings.Join(e.auditActions(), " "), "logout:stat: login:stat:"; got != want {
		t.Errorf("audit log = %s, want %s", got, want)
	}
	// Tokens and passwords never reach the log.
	for _, secret := range []string{token, staffPassword} {
		if strings.Contains(e.log.String(), secret) {
			t.Errorf("the server log contains a token or password")
		}
	}
}

func TestStaffLoginNext(t *testing.T) {
	e := newStaffEnv(t, "")
	tests := []struct {
		next, want string
	}{
		{"/app/audit?action=login", "/app/audit?action=login"},
		{"/app/users", "/app/users"},
		{"//evil.example/app", "/app"},
		{"https://evil.example/", "/app"},
		{"/apple", "/app"},
		{"/app/\\evil", "/app"},
		{"", "/app"},
	}
	for _, tt := range tests {
		// One name logging in again and again meets the per-name rate
		// limit (5, then one per 15 s): let the time pass.
		e.clock.Add(15 * time.Second)
		c := e.client("10.0.1.1")
		rec := c.tryLogin("boss", staffPassword, tt.next)
		if got := rec.Header().Get("Location"); rec.Code != http.StatusSeeOther || got != tt.want {
			t.Errorf("login with next=%q: status %d, Location %q; want 303, %q", tt.next, rec.Code, got, tt.want)
		}
	}
	// An anonymous GET remembers where it was going.
	c := e.client("10.0.1.2")
	rec := c.get("/app/audit?user=stat")
	if got, want := rec.Header().Get("Location"), "/login?next=%2Fapp%2Faudit%3Fuser%3Dstat"; rec.Code != http.StatusFound || got != want {
		t.Errorf("anonymous GET /app/audit: status %d, Location %q; want 302, %q", rec.Code, got, want)
	}
	form := c.get(rec.Header().Get("Location"))
	if !strings.Contains(form.Body.String(), `name="next" value="/app/audit?user=stat"`) {
		t.Errorf("the login form does not carry next:\n%s", form.Body)
	}
	// A logged-in user opening /login goes on at once.
	e.clock.Add(15 * time.Second)
	c.login("boss")
	if rec := c.get("/login?next=/app/users"); rec.Code != http.StatusFound || rec.Header().Get("Location") != "/app/users" {
		t.Errorf("GET /login when logged in: status %d, Location %q; want 302 to /app/users", rec.Code, rec.Header().Get("Location"))
	}
}

func TestStaffLoginCSRF(t *testing.T) {
	e := newStaffEnv(t, "")
	c := e.client("10.2.0.1")
	form := c.get("/login")
	tok := csrfOf(t, form.Body.String())
	other := e.client("10.2.0.2")
	other.get("/login")
	tests := []struct {
		name string
		c    *staffClient
		csrf string
	}{
		{"no token", c, ""},
		{"wrong token", c, tok[:len(tok)-2] + "AA"},
		{"token of another browser", other, tok},
		{"no pre-login cookie", e.client("10.2.0.3"), tok},
	}
	for _, tt := range tests {
		rec := tt.c.post("/login", url.Values{"csrf": {tt.csrf}, "name": {"boss"}, "password": {staffPassword}})
		if rec.Code != http.StatusForbidden {
			t.Errorf("%s: status %d, want 403", tt.name, rec.Code)
		}
		if _, ok := tt.c.cookies[sessionCookie]; ok {
			t.Errorf("%s: got a session", tt.name)
		}
	}
	rec := c.post("/login", url.Values{"csrf": {tok}, "name": {"boss"}, "password": {staffPassword}})
	if rec.Code != http.StatusSeeOther {
		t.Errorf("with the right token: status %d, want 303", rec.Code)
	}
}

// TestStaffCSRF: every state-changing staff request needs the session's
// token; a missing, wrong or foreign token is 403 and changes nothing.
func TestStaffCSRF(t *testing.T) {
	e := newStaffEnv(t, "")
	c := e.client("10.3.0.1")
	c.login("boss")
	mine := c.csrf()
	c2 := e.client("10.3.0.2")
	c2.login("boss")
	theirs := c2.csrf()
	if mine == theirs {
		t.Fatalf("two sessions share a CSRF token")
	}
	add := url.Values{"name": {"new.user"}, "role": {"statistician"}, "password": {"Tongji-2026-abc"}, "password2": {"Tongji-2026-abc"}}
	for _, tt := range []struct{ name, csrf string }{{"missing", ""}, {"wrong", flipFirst(mine)}, {"another session's", theirs}} {
		f := url.Values{}
		for k, v := range add {
			f[k] = v
		}
		if tt.csrf != "" {
			f.Set("csrf", tt.csrf)
		}
		rec := c.post("/app/users", f)
		if rec.Code != http.StatusForbidden || !strings.Contains(rec.Body.String(), "表单已过期") {
			t.Errorf("%s token: status %d, want 403 with the expired-form page", tt.name, rec.Code)
		}
		if rec := c.post("/logout", url.Values{"csrf": {tt.csrf}}); rec.Code != http.StatusForbidden {
			t.Errorf("%s token on /logout: status %d, want 403", tt.name, rec.Code)
		}
	}
	if _, err := e.db.UserByName(context.Background(), "new.user"); survey.ErrorCode(err) != survey.ENOTFOUND {
		t.Errorf("a forged form created the user: %v", err)
	}
	add.Set("csrf", mine)
	if rec := c.post("/app/users", add); rec.Code != http.StatusSeeOther {
		t.Errorf("with the session's token: status %d, want 303\n%s", rec.Code, rec.Body)
	}
	// The header works too, for later scripts.
	req := httptest.NewRequest(http.MethodPost, "/logout", nil)
	req.Header.Set("X-CSRF-Token", mine)
	if rec := c.do(req); rec.Code != http.StatusSeeOther {
		t.Errorf("logout with X-CSRF-Token: status %d, want 303", rec.Code)
	}
}

func TestStaffRateLimit(t *testing.T) {
	e := newStaffEnv(t, "")
	c := e.client("10.4.0.1")
	var codes []int
	// Different names, one address: the address's bucket (10) runs dry.
	for i := 0; i < 12; i++ {
		codes = append(codes, c.tryLogin("nobody"+strconv.Itoa(i), "wrong-password", "").Code)
	}
	for i, code := range codes {
		want := http.StatusUnauthorized
		if i >= auth.DefaultLimits.AddressBurst {
			want = http.StatusTooManyRequests
		}
		if code != want {
			t.Errorf("attempt %d: status %d, want %d", i+1, code, want)
		}
	}
	// Another address may still log in; time refills the first.
	e.client("10.4.0.2").login("boss")
	e.clock.Add(time.Minute)
	if code := c.tryLogin("boss", staffPassword, "").Code; code != http.StatusSeeOther {
		t.Errorf("after a minute: status %d, want 303", code)
	}
}

func TestStaffSecureCookie(t *testing.T) {
	tests := []struct {
		name    string
		baseURL string
		tls     bool
		want    bool
	}{
		{"plain", "http://127.0.0.1:8080", false, false},
		{"TLS here", "", true, true},
		{"https behind a proxy", "https://survey.example.gov.cn", false, true},
	}
	for _, tt := range tests {
		e := newStaffEnv(t, tt.baseURL)
		c := e.client("10.5.0.1")
		c.tls = tt.tls
		c.login("boss")
		if got := c.cookies[sessionCookie].Secure; got != tt.want {
			t.Errorf("%s: Secure = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestStaffRehash: a login with a hash made with weaker parameters stores
// a DefaultParams hash while the password is at hand.
func TestStaffRehash(t *testing.T) {
	e := newStaffEnv(t, "")
	weak, _ := auth.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}.Hash(staffPassword)
	if err := e.db.SetPassword(context.Background(), "stat", weak); err != nil {
		t.Fatal(err)
	}
	e.client("10.6.0.1").login("stat")
	u, _ := e.db.UserByName(context.Background(), "stat")
	if auth.NeedsRehash(u.PasswordHash, auth.DefaultParams) {
		t.Errorf("after login the hash is still weak: %.30s…", u.PasswordHash)
	}
}

// flipFirst returns tok with its first character changed, so that it is
// never equal to tok (a fixed replacement letter would equal it whenever
// tok starts with that letter).
func flipFirst(tok string) string {
	if tok == "" {
		return "x"
	}
	c := byte('x')
	if tok[0] == 'x' {
		c = 'y'
	}
	return string(c) + tok[1:]
}
