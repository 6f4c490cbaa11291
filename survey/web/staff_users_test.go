package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"manyi/survey"
	"manyi/survey/auth"
)

// TestStaffUsers drives the account page as the office: add, refuse a weak
// password and a taken name, change a role, reset a password, disable,
// refuse changes to oneself; each change is audited and nothing secret is
// logged.
func TestStaffUsers(t *testing.T) {
	e := newStaffEnv(t, "")
	ctx := context.Background()
	c := e.client("10.7.0.1")
	c.login("boss")
	csrf := c.csrf()
	post := func(path string, kv ...string) (int, string, string) {
		f := url.Values{"csrf": {csrf}}
		for i := 0; i+1 < len(kv); i += 2 {
			f.Set(kv[i], kv[i+1])
		}
		rec := c.post(path, f)
		return rec.Code, rec.Header().Get("Location"), rec.Body.String()
	}
	const pw = "Tongji-Chu-2026"
	steps := []struct {
		name     string
		path     string
		kv       []string
		wantCode int
		want     string // Location on 303, part of the page otherwise
	}{
		{"add", "/app/users", []string{"name", "Li.Na", "role", "statistician", "password", pw, "password2", pw}, 303, "/app/users?done=created&who=li.na"},
		{"taken", "/app/users", []string{"name", "li.na", "role", "office", "password", pw, "password2", pw}, 409, "用户名 li.na 已被使用"},
		{"weak", "/app/users", []string{"name", "zhou", "role", "office", "password", "short", "password2", "short"}, 422, "密码至少需要 10 个字符"},
		{"mismatch", "/app/users", []string{"name", "zhou", "role", "office", "password", pw, "password2", pw + "x"}, 422, "两次输入的密码不一致"},
		{"bad name", "/app/users", []string{"name", "周", "role", "office", "password", pw, "password2", pw}, 422, "必须以字母开头"},
		{"bad role", "/app/users", []string{"name", "zhou", "role", "root", "password", pw, "password2", pw}, 422, "角色 &#34;root&#34; 无效"},
		{"role", "/app/users/li.na/role", []string{"role", "interviewer"}, 303, "/app/users?done=role&who=li.na"},
		{"own role", "/app/users/boss/role", []string{"role", "interviewer"}, 409, "不能停用自己的账户或修改自己的角色"},
		{"unknown user", "/app/users/nobody/role", []string{"role", "office"}, 404, "没有用户 nobody"},
		{"password", "/app/users/li.na/password", []string{"password", "Another-pass-2026", "password2", "Another-pass-2026"}, 303, "/app/users?done=password&who=li.na"},
		{"password with name", "/app/users/li.na/password", []string{"password", "li.na-2026-abc", "password2", "li.na-2026-abc"}, 422, "密码不能包含用户名"},
		{"disable self", "/app/users/boss/disable", nil, 409, "不能停用自己的账户"},
		{"disable", "/app/users/li.na/disable", nil, 303, "/app/users?done=disabled&who=li.na"},
	}
	for _, s := range steps {
		code, loc, body := post(s.path, s.kv...)
		got := body
		if code == http.StatusSeeOther {
			got = loc
		}
		if code != s.wantCode || !strings.Contains(got, s.want) {
			t.Errorf("%s: status %d, %q; want %d with %q", s.name, code, firstLine(got), s.wantCode, s.want)
		}
	}
	u, err := e.db.UserByName(ctx, "li.na")
	if err != nil {
		t.Fatal(err)
	}
	if u.Role != auth.RoleInterviewer || !u.Disabled() {
		t.Errorf("li.na: role %s, disabled %v; want interviewer, true", u.Role, u.Disabled())
	}
	if ok, _ := auth.VerifyPassword(u.PasswordHash, "Another-pass-2026"); !ok {
		t.Errorf("li.na's reset password does not verify")
	}
	if _, err := e.db.UserByName(ctx, "zhou"); survey.ErrorCode(err) != survey.ENOTFOUND {
		t.Errorf("a refused form created zhou: %v", err)
	}
	page := c.get("/app/users?done=disabled&who=li.na")
	body := page.Body.String()
	for _, want := range []string{"已停用 li.na，其登录已失效。", "boss（您）", "<th scope=\"row\">li.na</th>", "已停用</td>"} {
		if !strings.Contains(body, want) {
			t.Errorf("GET /app/users lacks %q", want)
		}
	}
	if strings.Contains(body, "$argon2id") {
		t.Errorf("the account page shows a password hash")
	}
	want := []string{"user.disable:boss:li.na", "user.password:boss:li.na", "user.role:boss:li.na", "user.create:boss:li.na", "login:boss:"}
	if got := e.auditActions(); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("audit log = %v, want %v", got, want)
	}
	es, _ := e.db.AuditLog(ctx, auth.AuditFilter{Action: auth.ActionUserCreate})
	if len(es) != 1 || es[0].Detail["role"] != "statistician" || es[0].IP != "10.7.0.1" {
		t.Errorf("user.create entry = %+v, want role statistician from 10.7.0.1", es)
	}
	for _, secret := range []string{pw, "Another-pass-2026", staffPassword} {
		if strings.Contains(e.log.String(), secret) {
			t.Errorf("the server log contains a password")
		}
	}
}

// TestStaffDisableEndsSession: a disabled account and a demoted one lose
// their rights at the next request.
func TestStaffDisableEndsSession(t *testing.T) {
	e := newStaffEnv(t, "")
	boss := e.client("10.8.0.1")
	boss.login("boss")
	stat := e.client("10.8.0.2")
	stat.login("stat")
	if rec := stat.get("/app"); rec.Code != http.StatusOK {
		t.Fatalf("stat GET /app: %d", rec.Code)
	}
	csrf := boss.csrf()
	if rec := boss.post("/app/users/stat/role", url.Values{"csrf": {csrf}, "role": {"interviewer"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("demote stat: %d", rec.Code)
	}
	if rec := stat.get("/app"); rec.Code != http.StatusFound {
		t.Errorf("demoted user's old session: status %d, want 302 to the login", rec.Code)
	}
	e.clock.Add(15 * time.Second)
	stat.login("stat")
	if rec := boss.post("/app/users/stat/disable", url.Values{"csrf": {csrf}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("disable stat: %d", rec.Code)
	}
	if rec := stat.get("/app"); rec.Code != http.StatusFound {
		t.Errorf("disabled user's session: status %d, want 302 to the login", rec.Code)
	}
	if rec := stat.tryLogin("stat", staffPassword, ""); rec.Code != http.StatusUnauthorized {
		t.Errorf("disabled user logging in: status %d, want 401", rec.Code)
	}
}

// firstLine shortens a page for a failure message.
func firstLine(s string) string {
	if i := strings.Index(s, "summary"); i >= 0 {
		s = s[i:]
	}
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}
