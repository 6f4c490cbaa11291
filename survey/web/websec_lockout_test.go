package web

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"manyi/survey/auth"
)

func init() {
	staffRoleTable = append(staffRoleTable, struct {
		route string
		path  string
		form  url.Values
		want  [4]outcome
	}{"POST /app/users/:name/unlock", "/app/users/target/unlock", nil, [4]outcome{toLogin, forbidden, forbidden, allowed}})
}

// TestLockoutNotDenialOfService (issue 13, finding 2): wrong passwords
// still lock an attacker out, but an anonymous client cannot lock the
// office out of its own account: the lock-out is per name and source
// (address, or a browser that logged in before), a flood from many
// addresses only slows down new browsers, the office can unlock an account
// on the users page, and every lock-out is audited. The counters are in
// the database: a second server on the same store sees them.
func TestLockoutNotDenialOfService(t *testing.T) {
	e := newStaffEnv(t, "")
	ctx := context.Background()
	// The office's own browser has logged in before.
	office := e.client("10.7.0.1")
	office.login("boss")
	if rec := office.post("/logout", url.Values{"csrf": {office.csrf()}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("logout: status %d", rec.Code)
	}

	// An anonymous attacker at one address: five wrong passwords lock
	// that address out of boss, even with the right password then.
	// (Slowly: the name's bucket is not what is tested here.)
	attacker := e.client("198.51.100.9")
	for i := 1; i <= 5; i++ {
		e.clock.Add(20 * time.Second)
		if rec := attacker.tryLogin("boss", "wrong-password-"+strconv.Itoa(i), ""); rec.Code != http.StatusUnauthorized {
			t.Fatalf("wrong password %d: status %d, want 401", i, rec.Code)
		}
	}
	e.clock.Add(20 * time.Second)
	locked := attacker.tryLogin("boss", staffPassword, "")
	if locked.Code != http.StatusUnauthorized {
		t.Fatalf("right password from the locked-out address: status %d, want 401", locked.Code)
	}
	unknown := e.client("198.51.100.10").tryLogin("ghost", staffPassword, "")
	norm := func(s, name string) string {
		s = csrfField.ReplaceAllString(s, "")
		return strings.ReplaceAll(s, `value="`+name+`"`, `value=""`)
	}
	if norm(locked.Body.String(), "boss") != norm(unknown.Body.String(), "ghost") {
		t.Errorf("the locked page differs from the unknown-user page:\n%s\n----\n%s", locked.Body, unknown.Body)
	}
	acts := strings.Join(e.auditActions(), " ")
	if !strings.Contains(acts, "login.locked:boss:") {
		t.Errorf("the lock-out is not in the audit log: %s", acts)
	}

	// The office is not locked out: not from its own browser, nor from a
	// new browser at another address.
	office.login("boss")
	e.client("10.7.0.2").login("boss")

	// Another server on the same database (several stateless servers):
	// the attacker's address is locked out there too.
	srv2, err := New(e.config())
	if err != nil {
		t.Fatal(err)
	}
	first := e.srv
	e.srv = srv2
	if rec := e.client("198.51.100.9").tryLogin("boss", staffPassword, ""); rec.Code != http.StatusUnauthorized {
		t.Errorf("the locked-out address on a second server: status %d, want 401", rec.Code)
	}
	e.srv = first

	// A flood from many addresses at one name slows down browsers that
	// never logged in as boss (429) but not the office's own browser.
	var codes []int
	for i := 0; i < 8; i++ {
		codes = append(codes, e.client("203.0.113."+strconv.Itoa(i)).tryLogin("boss", "wrong-password-x", "").Code)
	}
	if codes[len(codes)-1] != http.StatusTooManyRequests {
		t.Errorf("a flood from 8 addresses at one name: %v; want the last ones 429", codes)
	}
	if rec := e.client("203.0.113.99").tryLogin("boss", staffPassword, ""); rec.Code != http.StatusTooManyRequests {
		t.Errorf("a new browser during the flood: status %d, want 429", rec.Code)
	}
	if rec := office.post("/logout", url.Values{"csrf": {office.csrf()}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("logout: status %d", rec.Code)
	}
	office.login("boss") // its device cookie exempts it from the name's slow-down

	// The office unlocks boss on the users page: the state and the button
	// in both languages, CSRF, audit.
	page := office.get("/app/users").Body.String()
	if !strings.Contains(page, "登录已锁定（1 个来源") || !strings.Contains(page, `action="/app/users/boss/unlock"`) || !strings.Contains(page, "解除锁定") {
		t.Fatalf("the users page does not show boss's lock-out with the unlock button:\n%s", page)
	}
	if en := office.get("/app/users?lang=en").Body.String(); !strings.Contains(en, "Login locked (1 sources") || !strings.Contains(en, ">Unlock<") {
		t.Errorf("the English users page lacks the lock state or the Unlock button")
	}
	office.get("/app/users?lang=zh")
	if rec := office.post("/app/users/boss/unlock", url.Values{}); rec.Code != http.StatusForbidden {
		t.Errorf("unlock without the CSRF token: status %d, want 403", rec.Code)
	}
	rec := office.post("/app/users/boss/unlock", url.Values{"csrf": {office.csrf()}})
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/app/users?done=unlocked&who=boss" {
		t.Fatalf("unlock: status %d, Location %q", rec.Code, rec.Header().Get("Location"))
	}
	if page := office.get(rec.Header().Get("Location")).Body.String(); !strings.Contains(page, "已解除 boss 的登录锁定") || strings.Contains(page, "登录已锁定") {
		t.Errorf("after the unlock the page does not say so, or still shows the lock")
	}
	if got := e.auditActions(); len(got) == 0 || got[0] != "user.unlock:boss:boss" {
		t.Errorf("audit log %v, want user.unlock first", got)
	}
	// Unlocked: the address that was locked out gets in with the right
	// password, and a new browser is no longer slowed down.
	e.client("198.51.100.9").login("boss")
	e.client("203.0.113.100").login("boss")

	// A lock-out also ends by itself after 15 minutes.
	for i := 0; i < 5; i++ {
		e.clock.Add(20 * time.Second)
		attacker.tryLogin("stat", "wrong-password-x", "")
	}
	e.clock.Add(14 * time.Minute)
	if rec := attacker.tryLogin("stat", staffPassword, ""); rec.Code != http.StatusUnauthorized {
		t.Errorf("14 minutes on: status %d, want 401 (still locked)", rec.Code)
	}
	e.clock.Add(time.Minute)
	attacker.login("stat")
	es, _ := e.db.AuditLog(ctx, auth.AuditFilter{Action: auth.ActionLockedOut})
	if len(es) != 2 || es[0].User != "stat" || es[0].IP != "198.51.100.9" || es[0].Detail["locked_until"] == nil {
		t.Errorf("lock-out audit entries %+v, want two, the newest for stat from 198.51.100.9 with locked_until", es)
	}
}

// TestLoginLimitShared: the login rate limit lives in the database, so
// one address cannot multiply its attempts by spreading them over several
// servers.
func TestLoginLimitShared(t *testing.T) {
	e := newStaffEnv(t, "")
	servers := []*Server{e.srv}
	for i := 0; i < 2; i++ {
		s, err := New(e.config())
		if err != nil {
			t.Fatal(err)
		}
		servers = append(servers, s)
	}
	var codes []int
	for i := 0; i < 12; i++ {
		e.srv = servers[i%3]
		c := e.client("198.51.100.50")
		form := c.get("/login")
		req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(url.Values{"csrf": {csrfOf(t, form.Body.String())}, "name": {"nobody" + strconv.Itoa(i)}, "password": {"wrong"}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		codes = append(codes, c.do(req).Code)
	}
	for i, code := range codes {
		want := http.StatusUnauthorized
		if i >= auth.DefaultLimits.AddressBurst {
			want = http.StatusTooManyRequests
		}
		if code != want {
			t.Errorf("attempt %d (server %d): status %d, want %d", i+1, i%3, code, want)
		}
	}
}

// config is the Config of the staff test server: another server built from
// it shares the store (another process on the same database).
func (e *staffEnv) config() Config {
	cfg := storeConfig(e.db)
	cfg.Log = slog.New(slog.NewTextHandler(e.log, nil))
	cfg.Secret = []byte("staff-test-secret-0123456789abcdef")
	cfg.Now = e.clock.Now
	return cfg
}
