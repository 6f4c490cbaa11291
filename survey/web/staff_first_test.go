package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"manyi/survey/auth"
)

// TestFirstAccount: on a database without staff accounts the login page
// offers /setup; the setup form refuses a forged post, a wrong code and a
// weak password, each changing nothing; the right code creates an office
// account, logs it in and lands on the users page; afterwards /setup is
// 404 and the login page no longer offers it. The code is never logged.
func TestFirstAccount(t *testing.T) {
	e := newEnv(t) // the demo measurement, no staff accounts
	ctx := context.Background()
	c := e.client()
	if body := c.get("/login").Body.String(); !strings.Contains(body, `href="/setup"`) || !strings.Contains(body, "还没有任何工作人员账户") {
		t.Fatalf("the login page does not offer /setup:\n%s", body)
	}
	page := c.get("/setup")
	body := page.Body.String()
	for _, want := range []string{`name="code"`, `name="name"`, `name="password"`, `name="password2"`, "创建账户并登录"} {
		if page.Code != http.StatusOK || !strings.Contains(body, want) {
			t.Fatalf("GET /setup: %d, lacks %q\n%s", page.Code, want, body)
		}
	}
	if en := c.get("/setup?lang=en").Body.String(); !strings.Contains(en, "Create the account and log in") || !strings.Contains(en, "Setup code") {
		t.Error("the English setup form lacks its labels")
	}
	c.get("/setup?lang=zh")
	if os.Getenv("MANYI_SHOTS") != "" {
		ts := httptest.NewServer(e.srv)
		bctx := newBrowser(t, 1280, 900)
		if err := chromedp.Do(bctx, chromedp.Navigate(ts.URL+"/login"), chromedp.WaitVisible(chromedp.CSS(`a[href="/setup"]`))); err != nil {
			t.Fatalf("browser: %v", err)
		}
		shot(t, bctx, "first-login")
		if err := chromedp.Do(bctx, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(ts.URL+"/setup"), chromedp.WaitVisible(chromedp.CSS(`#code`))); err != nil {
			t.Fatalf("browser: %v", err)
		}
		fitsPhone(t, bctx, "the setup form")
		shot(t, bctx, "first-setup")
		ts.Close()
	}
	code := FirstAccountCode(testSecret)
	form := url.Values{"csrf": {csrfOf(t, body)}, "code": {code}, "name": {"Zhang.Wei"}, "password": {"Kaishi-2027-ok"}, "password2": {"Kaishi-2027-ok"}}
	users := func() int {
		us, err := e.db.Users(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return len(us)
	}

	// A post from another site (no setup cookie) is refused.
	forged := e.client()
	if rec := forged.post("/setup", form); rec.Code != http.StatusForbidden {
		t.Errorf("POST /setup without the form's cookie: %d, want 403", rec.Code)
	}
	bad := func(field, value string, status int, want string) {
		t.Helper()
		f := url.Values{}
		for k, v := range form {
			f[k] = v
		}
		f.Set(field, value)
		rec := c.post("/setup", f)
		if rec.Code != status || !strings.Contains(rec.Body.String(), want) {
			t.Errorf("%s=%q: %d, want %d with %q\n%s", field, value, rec.Code, status, want, rec.Body)
		}
		if n := users(); n != 0 {
			t.Fatalf("a refused setup created %d accounts", n)
		}
	}
	bad("code", "ABCD-EFGH-JKLM-NPQR", http.StatusUnprocessableEntity, "设置码不正确")
	bad("code", "", http.StatusUnprocessableEntity, `id="code-err"`)
	bad("password2", "Kaishi-2027-no", http.StatusUnprocessableEntity, "两次输入的密码不一致")
	bad("password", "short", http.StatusUnprocessableEntity, `id="pw-err"`)
	bad("name", "9lives", http.StatusUnprocessableEntity, "必须以字母开头")

	// Case and dashes do not matter in the code.
	form.Set("code", strings.ToLower(strings.ReplaceAll(code, "-", " ")))
	rec := c.post("/setup", form)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/app/users?done=first" {
		t.Fatalf("POST /setup: %d → %q\n%s", rec.Code, rec.Header().Get("Location"), rec.Body)
	}
	u, err := e.db.UserByName(ctx, "zhang.wei")
	if err != nil || u.Role != auth.RoleOffice {
		t.Fatalf("the first account: %+v, %v; want zhang.wei, office", u, err)
	}
	if ok, _ := auth.VerifyPassword(u.PasswordHash, "Kaishi-2027-ok"); !ok {
		t.Error("the first account's password does not verify")
	}
	// Logged in: the users page greets the new account.
	if p := c.get("/app/users?done=first&who=zhang.wei"); p.Code != http.StatusOK || !strings.Contains(p.Body.String(), "已创建管理员账户 zhang.wei，并已登录") {
		t.Errorf("the users page after setup: %d\n%s", p.Code, p.Body)
	}
	entries, err := e.db.AuditLog(ctx, auth.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, en := range entries {
		actions = append(actions, en.Action+":"+en.User+":"+en.Target)
	}
	if got := strings.Join(actions, " "); !strings.Contains(got, "user.create:zhang.wei:zhang.wei") || !strings.Contains(got, "login:zhang.wei") {
		t.Errorf("audit log %v, want the account's creation and login", actions)
	}

	// Done: /setup is gone, also for a second try with the code.
	other := e.client()
	if rec := other.get("/setup"); rec.Code != http.StatusNotFound {
		t.Errorf("GET /setup after setup: %d, want 404", rec.Code)
	}
	form.Set("name", "intruder")
	if rec := c.post("/setup", form); rec.Code != http.StatusNotFound || users() != 1 {
		t.Errorf("a second setup: %d, %d accounts; want 404 and 1", rec.Code, users())
	}
	if body := other.get("/login").Body.String(); strings.Contains(body, `href="/setup"`) {
		t.Error("the login page still offers /setup")
	}
	if strings.Contains(e.log.String(), code) || strings.Contains(e.log.String(), "Kaishi-2027-ok") {
		t.Error("the log holds the setup code or the password")
	}
}

// TestFirstAccountRateLimit: setup codes are guessed no faster than
// passwords: after the address's login burst the form answers 429 and
// creates nothing, even with the right code.
func TestFirstAccountRateLimit(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	form := url.Values{"csrf": {csrfOf(t, c.get("/setup").Body.String())}, "code": {"AAAA-AAAA-AAAA-AAAA"}, "name": {"office1"}, "password": {"Kaishi-2027-ok"}, "password2": {"Kaishi-2027-ok"}}
	for i := 0; i < auth.DefaultLimits.AddressBurst; i++ {
		if rec := c.post("/setup", form); rec.Code != http.StatusUnprocessableEntity {
			t.Fatalf("guess %d: %d, want 422", i+1, rec.Code)
		}
	}
	form.Set("code", FirstAccountCode(testSecret))
	rec := c.post("/setup", form)
	if rec.Code != http.StatusTooManyRequests || !strings.Contains(rec.Body.String(), "登录尝试过于频繁") {
		t.Errorf("after %d guesses: %d, want 429 with the message", auth.DefaultLimits.AddressBurst, rec.Code)
	}
	if us, _ := e.db.Users(context.Background()); len(us) != 0 {
		t.Errorf("a refused setup created %d accounts", len(us))
	}
}
