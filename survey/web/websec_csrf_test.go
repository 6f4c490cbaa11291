package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"manyi/survey"
)

// TestCSRFNotFromQuery (issue 13, finding 4): a CSRF token is taken only
// from the form body or the X-CSRF-Token header, never from the URL's query
// string, where it would end up in access logs and the browser history. A
// request with the right token in the query and none in the body is
// refused and changes nothing, on the staff pages, the login form, the
// resident's page and the open link's start form.
func TestCSRFNotFromQuery(t *testing.T) {
	e := newStaffEnv(t, "")
	ctx := context.Background()
	boss := e.client("10.6.0.1")
	boss.login("boss")
	tok := boss.csrf()

	add := url.Values{"name": {"q.user"}, "role": {"statistician"}, "password": {"Tongji-2026-abc"}, "password2": {"Tongji-2026-abc"}}
	if rec := boss.post("/app/users?csrf="+url.QueryEscape(tok), add); rec.Code != http.StatusForbidden {
		t.Errorf("staff POST with the token in the query: status %d, want 403", rec.Code)
	}
	if _, err := e.db.UserByName(ctx, "q.user"); survey.ErrorCode(err) != survey.ENOTFOUND {
		t.Errorf("the query-string token created the user: %v", err)
	}
	if rec := boss.post("/logout?csrf="+url.QueryEscape(tok), nil); rec.Code != http.StatusForbidden {
		t.Errorf("logout with the token in the query: status %d, want 403", rec.Code)
	}

	// The login form.
	anon := e.client("10.6.0.2")
	ltok := csrfOf(t, anon.get("/login").Body.String())
	rec := anon.post("/login?csrf="+url.QueryEscape(ltok), url.Values{"name": {"boss"}, "password": {staffPassword}})
	if rec.Code != http.StatusForbidden {
		t.Errorf("login with the token in the query: status %d, want 403", rec.Code)
	}
	if _, ok := anon.cookies[sessionCookie]; ok {
		t.Errorf("login with the token in the query made a session")
	}
	// The same form with the token in the body works (the test is sound).
	if rec := anon.post("/login", url.Values{"csrf": {ltok}, "name": {"boss"}, "password": {staffPassword}}); rec.Code != http.StatusSeeOther {
		t.Errorf("login with the token in the body: status %d, want 303", rec.Code)
	}

	// The resident's page.
	env := &env{t: t, srv: e.srv, db: e.db, q: survey.DefaultQuestionnaire(), log: e.log}
	rtok := env.token()
	res := env.client()
	page, csrf := scrape(t, res.get("/s/"+rtok).Body.String())
	form := validAnswers(env.q, page, nil)
	form.Set("_page", page)
	form.Set("_nav", "next")
	if rec := res.post("/s/"+rtok+"?_csrf="+url.QueryEscape(csrf), form); rec.Code != http.StatusForbidden {
		t.Errorf("resident POST with the token in the query: status %d, want 403", rec.Code)
	}
	if r := env.response(rtok); r != nil && len(r.Answers) != 0 {
		t.Errorf("the query-string token saved answers: %v", r.Answers)
	}

	// The open link's start form.
	if rec := boss.post("/app/m/demo-2026/openlink", url.Values{"csrf": {tok}, "enabled": {"1"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("enable the open link: status %d", rec.Code)
	}
	m := reOpenURL.FindStringSubmatch(boss.get("/app/m/demo-2026/openlink").Body.String())
	if m == nil {
		t.Fatal("no open link address on the settings page")
	}
	visitor := env.client()
	lm := reCSRF.FindStringSubmatch(visitor.get(m[1]).Body.String())
	if lm == nil {
		t.Fatal("no start form on the open link's page")
	}
	if rec := visitor.post(m[1]+"?_csrf="+url.QueryEscape(lm[1]), url.Values{}); rec.Code != http.StatusForbidden || strings.HasPrefix(rec.Header().Get("Location"), "/s/") {
		t.Errorf("open link start with the token in the query: status %d, Location %q; want 403", rec.Code, rec.Header().Get("Location"))
	}
}
