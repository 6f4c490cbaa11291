package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"manyi/survey"
	"manyi/survey/demo"
)

var (
	reOpenURL = regexp.MustCompile(`value="(/o/[A-Za-z0-9_-]{22})"`)
	reSurvey  = regexp.MustCompile(`^/s/([A-Za-z0-9_-]{22})$`)
)

// openStart opens the open link in a browser c and presses start; it
// returns the POST's recorder.
func openStart(t *testing.T, c *client, link string) *httptest.ResponseRecorder {
	t.Helper()
	rec := c.get(link)
	if rec.Code != http.StatusOK {
		t.Fatalf("GET %s: status %d, want 200 (the landing page)", link, rec.Code)
	}
	m := reCSRF.FindStringSubmatch(rec.Body.String())
	if m == nil {
		t.Fatalf("no start form on the landing page:\n%s", rec.Body)
	}
	return c.post(link, url.Values{"_csrf": {m[1]}})
}

// startedToken checks a start was a 303 to a survey link and returns
// its token.
func startedToken(t *testing.T, rec *httptest.ResponseRecorder) string {
	t.Helper()
	m := reSurvey.FindStringSubmatch(rec.Header().Get("Location"))
	if rec.Code != http.StatusSeeOther || m == nil {
		t.Fatalf("start: status %d, Location %q; want 303 to /s/TOKEN\n%s", rec.Code, rec.Header().Get("Location"), rec.Body)
	}
	return m[1]
}

// TestOpenLink drives the open link through the router: switching it
// on, a visitor completing the questionnaire, a reload resuming the same
// response, link previewers creating nothing, the quota check from the
// screener's answers without a frame case, the rate limit, switching it
// off, and the response counted as non-probability by analysis.Compute
// and on the results page.
func TestOpenLink(t *testing.T) {
	e := newStaffEnv(t, "")
	ctx := context.Background()
	fillResults(t, e.db, 800, 600)
	env := &env{t: t, srv: e.srv, db: e.db, q: survey.DefaultQuestionnaire(), log: e.log}

	if rec := env.client().get("/o/AAAAAAAAAAAAAAAAAAAAAA"); rec.Code != http.StatusNotFound {
		t.Errorf("unknown open link: status %d, want 404", rec.Code)
	}

	boss := e.client("10.9.0.1")
	boss.login("boss")
	page := boss.get("/app/m/demo-2026/openlink")
	if page.Code != http.StatusOK || !strings.Contains(page.Body.String(), "公开链接已关闭") {
		t.Fatalf("settings page: status %d, want 200 saying the link is off\n%s", page.Code, page.Body)
	}
	rec := boss.post("/app/m/demo-2026/openlink", url.Values{"csrf": {boss.csrf()}, "enabled": {"1"}})
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/app/m/demo-2026/openlink?done=on" {
		t.Fatalf("enable: status %d, Location %q", rec.Code, rec.Header().Get("Location"))
	}
	page = boss.get("/app/m/demo-2026/openlink")
	m := reOpenURL.FindStringSubmatch(page.Body.String())
	if m == nil {
		t.Fatalf("no open link address on the settings page:\n%s", page.Body)
	}
	link := m[1]
	if got := e.auditActions(); len(got) == 0 || got[0] != "openlink.set:boss:measurement:demo-2026" {
		t.Errorf("audit log %v, want openlink.set first", got)
	}

	started := func(want int) {
		t.Helper()
		l, err := e.db.OpenLink(ctx, demo.ID)
		if err != nil || l.Started != want {
			t.Fatalf("open link started %d (%v), want %d", l.Started, err, want)
		}
	}
	// Link previewers and crawlers get the landing page and create nothing,
	// even when they POST.
	for _, ua := range []string{"Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)", "Mozilla/5.0 (compatible; Googlebot/2.1)", ""} {
		bot := env.client()
		bot.ua = ua
		if rec := openStart(t, bot, link); rec.Code != http.StatusForbidden {
			t.Errorf("bot %q start: status %d, want 403", ua, rec.Code)
		}
	}
	// A POST without the landing page's token creates nothing either.
	if rec := env.client().post(link, url.Values{}); rec.Code != http.StatusForbidden {
		t.Errorf("start without CSRF: status %d, want 403", rec.Code)
	}
	started(0)

	// One place left in d2 male|30-44: validAnswers makes every visitor a
	// 35-year-old man of d2, told only by the screener (no frame case).
	if err := e.db.SetQuotaTargets(ctx, demo.ID, map[string]map[string]int{"d2": {"male|30-44": 1}}); err != nil {
		t.Fatal(err)
	}
	v := env.client()
	tok := startedToken(t, openStart(t, v, link))
	started(1)
	// A reload of the open link, or pressing start again, resumes.
	if rec := v.get(link); rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/s/"+tok {
		t.Errorf("reload: status %d, Location %q; want 303 to the same response", rec.Code, rec.Header().Get("Location"))
	}
	if got := startedToken(t, v.post(link, url.Values{})); got != tok {
		t.Errorf("second start made another response")
	}
	started(1)
	v.answerUpTo(tok, "")
	_, csrf := scrape(t, v.get("/s/"+tok).Body.String())
	if rec := v.post("/s/"+tok, url.Values{"_page": {reviewID}, "_csrf": {csrf}, "_nav": {"submit"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("submit: status %d\n%s", rec.Code, rec.Body)
	}
	if r := env.response(tok); r == nil || r.Status != survey.RespSubmitted {
		t.Fatalf("visitor's response %+v, want submitted", r)
	}

	// The second visitor's cell is full after the screener.
	w := env.client()
	tok2 := startedToken(t, openStart(t, w, link))
	a := w.answerUpTo(tok2, "screener")
	if rec := w.answerPage(tok2, "screener", validAnswers(env.q, "screener", a)); rec.Code != http.StatusSeeOther {
		t.Fatalf("screener POST: status %d", rec.Code)
	}
	if r := env.response(tok2); r == nil || r.Status != survey.RespQuotaFull {
		t.Errorf("second visitor's response %+v, want quota_full (the screener's gender and age)", r)
	}
	qs, _ := e.db.Quotas(ctx, demo.ID)
	if len(qs.Cells) != 1 || qs.Cells[0].Count != 1 || qs.Cells[0].Completes != 1 {
		t.Errorf("quota cells %+v, want one cell with 1 place taken and 1 complete", qs.Cells)
	}

	// Every test visitor comes from one address: 2 starts so far, so 8
	// more fit the burst, the next is refused, and time refills it.
	for i := 0; i < openBurst-2; i++ {
		startedToken(t, openStart(t, env.client(), link))
	}
	if rec := openStart(t, env.client(), link); rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") == "" {
		t.Errorf("start over the rate limit: status %d, Retry-After %q; want 429 with Retry-After", rec.Code, rec.Header().Get("Retry-After"))
	}
	e.clock.Add(openEvery)
	startedToken(t, openStart(t, env.client(), link))
	started(openBurst + 1)

	// The open-link response is non-probability in analysis.Compute and
	// on the results page.
	res := expectedOverall(t, e.db)
	if res.NonProbability != 1 {
		t.Errorf("analysis.Compute NonProbability = %d, want 1 (the open-link response)", res.NonProbability)
	}
	stat := e.client("10.9.0.2")
	stat.login("stat")
	if body := stat.get("/app/m/demo-2026/results").Body.String(); !strings.Contains(body, "注意：结果包含非概率样本") {
		t.Errorf("the results page does not note the non-probability responses")
	}

	// Switched off: new visitors get 404; a response already started goes on.
	rec = boss.post("/app/m/demo-2026/openlink", url.Values{"csrf": {boss.csrf()}, "enabled": {"0"}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("disable: status %d", rec.Code)
	}
	if rec := env.client().get(link); rec.Code != http.StatusNotFound {
		t.Errorf("disabled open link: status %d, want 404", rec.Code)
	}
	if rec := v.get("/s/" + tok); rec.Code != http.StatusOK {
		t.Errorf("a started response after disabling: status %d, want 200", rec.Code)
	}
	if !strings.Contains(boss.get("/app/m/demo-2026/openlink").Body.String(), "公开链接已关闭") {
		t.Errorf("the settings page does not say the link is off")
	}
}

// TestIsBot checks the crawler and link-previewer test on a few real
// User-Agents.
func TestIsBot(t *testing.T) {
	tests := []struct {
		ua   string
		want bool
	}{
		{phoneUA, false},
		{"Mozilla/5.0 (Linux; Android 13; V2227A) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/107.0 Mobile Safari/537.36 MicroMessenger/8.0.42", false},
		{"Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)", true},
		{"facebookexternalhit/1.1", true},
		{"TelegramBot (like TwitterBot)", true},
		{"curl/8.5.0", true},
		{"", true},
	}
	for _, tt := range tests {
		if got := isBot(tt.ua); got != tt.want {
			t.Errorf("isBot(%q) = %v, want %v", tt.ua, got, tt.want)
		}
	}
}
