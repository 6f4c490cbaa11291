package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"testing"

	"manyi/survey/auth"
)

// outcome is what a role gets from a staff route.
type outcome int

const (
	allowed   outcome = iota // the handler ran (any status below 500 that is not the two below)
	toLogin                  // 302/303 to /login
	forbidden                // 403
)

func (o outcome) String() string { return [...]string{"allowed", "login", "403"}[o] }

// staffRoleTable is the route × role table of issue 5: for every staff
// route, what anonymous visitors, interviewers, statisticians and the
// office get. TestStaffRouteRoles fails when a registered staff route has
// no row here, so a new page cannot skip its access rule. Later issues add
// their rows.
var staffRoleTable = []struct {
	route string // "METHOD /path" as registered
	path  string // the path requested ("" = the route's path)
	form  url.Values
	// anonymous, interviewer, statistician, office
	want [4]outcome
}{
	{"GET /login", "", nil, [4]outcome{allowed, allowed, allowed, allowed}},
	{"POST /login", "", url.Values{"name": {"nobody"}, "password": {"wrong-password"}}, [4]outcome{allowed, allowed, allowed, allowed}},
	// With accounts in the database /setup is 404 for everyone.
	{"GET /setup", "", nil, [4]outcome{allowed, allowed, allowed, allowed}},
	{"POST /setup", "", url.Values{"code": {"x"}}, [4]outcome{allowed, allowed, allowed, allowed}},
	{"POST /logout", "", nil, [4]outcome{toLogin, allowed, allowed, allowed}},
	{"GET /app", "", nil, [4]outcome{toLogin, allowed, allowed, allowed}},
	{"GET /app/users", "", nil, [4]outcome{toLogin, forbidden, forbidden, allowed}},
	{"POST /app/users", "", url.Values{"name": {"x"}}, [4]outcome{toLogin, forbidden, forbidden, allowed}},
	{"POST /app/users/:name/role", "/app/users/target/role", url.Values{"role": {"statistician"}}, [4]outcome{toLogin, forbidden, forbidden, allowed}},
	{"POST /app/users/:name/password", "/app/users/target/password", url.Values{"password": {"short"}}, [4]outcome{toLogin, forbidden, forbidden, allowed}},
	{"POST /app/users/:name/disable", "/app/users/target/disable", nil, [4]outcome{toLogin, forbidden, forbidden, allowed}},
	{"GET /app/audit", "", nil, [4]outcome{toLogin, forbidden, forbidden, allowed}},
	{"GET /app/m/:id/results", "/app/m/demo-2026/results", nil, [4]outcome{toLogin, forbidden, allowed, allowed}},
	{"GET /app/m/:id/weighting", "/app/m/demo-2026/weighting", nil, [4]outcome{toLogin, forbidden, allowed, allowed}},
	{"POST /app/m/:id/weighting", "/app/m/demo-2026/weighting", url.Values{"calibration": {"none"}, "action": {"check"}}, [4]outcome{toLogin, forbidden, allowed, allowed}},
	{"POST /app/m/:id/weighting/census", "/app/m/demo-2026/weighting/census", nil, [4]outcome{toLogin, forbidden, allowed, allowed}},
	{"GET /app/m/:id/exports", "/app/m/demo-2026/exports", nil, [4]outcome{toLogin, forbidden, allowed, allowed}},
	{"GET /app/m/:id/export/responses.csv", "/app/m/demo-2026/export/responses.csv", nil, [4]outcome{toLogin, forbidden, allowed, allowed}},
	{"GET /app/m/:id/export/responses.xlsx", "/app/m/demo-2026/export/responses.xlsx", nil, [4]outcome{toLogin, forbidden, allowed, allowed}},
	{"GET /app/m/:id/export/analysis.zip", "/app/m/demo-2026/export/analysis.zip", nil, [4]outcome{toLogin, forbidden, allowed, allowed}},
	{"GET /app/m/:id/report", "/app/m/demo-2026/report", nil, [4]outcome{toLogin, forbidden, allowed, allowed}},
	{"POST /app/m/:id/report", "/app/m/demo-2026/report", url.Values{"lang": {"zh"}, "text": {"结论。"}}, [4]outcome{toLogin, forbidden, allowed, allowed}},
	{"GET /app/m/:id/report.pdf", "/app/m/demo-2026/report.pdf", nil, [4]outcome{toLogin, forbidden, allowed, allowed}},
	// Fieldwork (issue 4): an unknown case, token or response is a 404,
	// which counts as allowed: only the role decides 403.
	{"GET /app/m/:id/cases", "/app/m/demo-2026/cases", nil, [4]outcome{toLogin, allowed, forbidden, allowed}},
	{"POST /app/m/:id/cases/:case/attempts", "/app/m/demo-2026/cases/999/attempts", url.Values{"outcome": {"busy"}}, [4]outcome{toLogin, allowed, forbidden, allowed}},
	{"POST /app/m/:id/cases/:case/interview", "/app/m/demo-2026/cases/999/interview", url.Values{"mode": {"phone"}}, [4]outcome{toLogin, allowed, forbidden, allowed}},
	{"GET /app/interview/:token", "/app/interview/AAAAAAAAAAAAAAAAAAAAAA", nil, [4]outcome{toLogin, allowed, forbidden, allowed}},
	{"POST /app/interview/:token", "/app/interview/AAAAAAAAAAAAAAAAAAAAAA", url.Values{"_page": {"welcome"}}, [4]outcome{toLogin, allowed, forbidden, allowed}},
	{"GET /app/m/:id/monitor", "/app/m/demo-2026/monitor", nil, [4]outcome{toLogin, forbidden, allowed, allowed}},
	{"GET /app/m/:id/monitor.json", "/app/m/demo-2026/monitor.json", nil, [4]outcome{toLogin, forbidden, allowed, allowed}},
	{"GET /app/m/:id/quality", "/app/m/demo-2026/quality", nil, [4]outcome{toLogin, forbidden, allowed, allowed}},
	{"POST /app/m/:id/quality/:resp/exclude", "/app/m/demo-2026/quality/999/exclude", url.Values{"reason": {"speeder"}}, [4]outcome{toLogin, forbidden, allowed, allowed}},
	{"POST /app/m/:id/quality/:resp/restore", "/app/m/demo-2026/quality/999/restore", nil, [4]outcome{toLogin, forbidden, allowed, allowed}},
	{"GET /app/m/:id/openlink", "/app/m/demo-2026/openlink", nil, [4]outcome{toLogin, forbidden, allowed, allowed}},
	{"POST /app/m/:id/openlink", "/app/m/demo-2026/openlink", url.Values{"enabled": {"0"}}, [4]outcome{toLogin, forbidden, allowed, allowed}},
	{"POST /app/m/:id/openlink/sector", "/app/m/demo-2026/openlink/sector", url.Values{"sector": {"retail"}, "enabled": {"0"}}, [4]outcome{toLogin, forbidden, allowed, allowed}},
}

// isStaffPath reports whether a registered path belongs to the staff side.
func isStaffPath(p string) bool {
	return p == "/login" || p == "/logout" || p == "/setup" || p == "/app" || strings.HasPrefix(p, "/app/")
}

func TestStaffRouteRoles(t *testing.T) {
	e := newStaffEnv(t, "")
	ctx := context.Background()
	h, _ := auth.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}.Hash("Target-pass-2026")
	if _, err := e.db.CreateUser(ctx, "target", auth.RoleInterviewer, h); err != nil {
		t.Fatal(err)
	}

	// Every registered staff route has a row, and every row a route.
	rows := map[string]bool{}
	for _, r := range staffRoleTable {
		if rows[r.route] {
			t.Errorf("route %s has two rows", r.route)
		}
		rows[r.route] = true
	}
	registered := map[string]bool{}
	for _, ri := range e.srv.echo.Router().Routes() {
		if !isStaffPath(ri.Path) {
			continue
		}
		key := ri.Method + " " + ri.Path
		registered[key] = true
		if !rows[key] {
			t.Errorf("route %s is registered but has no row in staffRoleTable", key)
		}
	}
	var missing []string
	for r := range rows {
		if !registered[r] {
			missing = append(missing, r)
		}
	}
	sort.Strings(missing)
	for _, r := range missing {
		t.Errorf("staffRoleTable lists %s, which is not registered", r)
	}

	roles := []auth.Role{"", auth.RoleInterviewer, auth.RoleStatistician, auth.RoleOffice}
	for _, row := range staffRoleTable {
		method, path, _ := strings.Cut(row.route, " ")
		if row.path != "" {
			path = row.path
		}
		for i, role := range roles {
			name := "anonymous"
			if role != "" {
				name = string(role)
			}
			got := e.probe(t, role, method, path, row.form)
			if got != row.want[i] {
				t.Errorf("%s as %s: %s, want %s", row.route, name, got, row.want[i])
			}
		}
	}
}

// probe sends one request as role (a fresh session, with its CSRF token on
// a POST, so that only the role decides) and classifies the answer.
func (e *staffEnv) probe(t *testing.T, role auth.Role, method, path string, form url.Values) outcome {
	t.Helper()
	c := e.client("10.9.0.1")
	f := url.Values{}
	for k, v := range form {
		f[k] = v
	}
	var tok string
	if path == "/login" && method == http.MethodPost {
		// The login form's token is bound to the pre-login cookie, which
		// only an anonymous visit to the form sets.
		anon := e.client("10.9.0.2")
		f.Set("csrf", csrfOf(t, anon.get("/login").Body.String()))
		c.cookies[loginCookie] = anon.cookies[loginCookie]
	}
	if role != "" {
		var sess *auth.Session
		var err error
		tok, sess, err = e.db.CreateSession(context.Background(), e.users[role].ID, auth.DefaultSessionPolicy)
		if err != nil {
			t.Fatal(err)
		}
		c.cookies[sessionCookie] = &http.Cookie{Name: sessionCookie, Value: tok}
		if f.Get("csrf") == "" {
			f.Set("csrf", auth.CSRFToken(sess.CSRFSecret, sess.ID))
		}
	}
	var rec *httptest.ResponseRecorder
	if method == http.MethodGet {
		rec = c.get(path)
	} else {
		rec = c.post(path, f)
	}
	loc := rec.Header().Get("Location")
	switch {
	case rec.Code >= 500:
		t.Errorf("%s %s as %q: status %d\n%s", method, path, role, rec.Code, rec.Body)
		return -1
	case rec.Code == http.StatusForbidden:
		return forbidden
	case (rec.Code == http.StatusFound || rec.Code == http.StatusSeeOther) && strings.HasPrefix(loc, "/login"):
		// A logout that ran also lands on /login, but its session is gone.
		if role == "" {
			return toLogin
		}
		if _, err := e.db.SessionByToken(context.Background(), tok, auth.DefaultSessionPolicy); err == nil {
			return toLogin
		}
	}
	return allowed
}
