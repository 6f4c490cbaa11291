package web

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestOfficeLinksJob: a request for more links than inviteInlineMax runs
// as a job: the browser is sent to the job's page, which refreshes itself
// while the job runs; other requests are answered meanwhile; then the page
// names how many links were issued and offers the file.
func TestOfficeLinksJob(t *testing.T) {
	e := newOfficeEnv(t)
	c := e.client("10.8.0.5")
	c.login("boss")
	importFrame(t, c, 20)
	csrf := csrfOf(t, c.get("/app/m/m1/sample").Body.String())
	plan := url.Values{"csrf": {csrf}, "allocation": {"equal"}, "total": {"10"}, "floor": {"0"}, "reserve": {"0"}, "seed": {"42"}, "action": {"draw"}}
	if rec := c.post("/app/m/m1/sample", plan); rec.Code != http.StatusSeeOther {
		t.Fatalf("draw: %d\n%s", rec.Code, rec.Body)
	}
	old := inviteInlineMax
	inviteInlineMax = 3
	release := make(chan struct{})
	linksJobStarted = func() { <-release }
	t.Cleanup(func() { inviteInlineMax, linksJobStarted = old, nil })

	rec := c.post("/app/m/m1/invitations/sms", url.Values{"csrf": {csrf}, "template": {"请参加：{link}"}})
	loc := rec.Header().Get("Location")
	if rec.Code != http.StatusSeeOther || !regexp.MustCompile(`^/app/m/m1/invitations/jobs/[0-9a-f]+$`).MatchString(loc) {
		t.Fatalf("a large SMS request: %d %q, want a redirect to its job", rec.Code, loc)
	}
	// The job is held at its start: its page says it is working and
	// refreshes itself, and other pages answer.
	page := c.get(loc).Body.String()
	if !strings.Contains(page, `http-equiv="refresh"`) || !strings.Contains(page, "正在签发约 10 个链接") || !strings.Contains(page, "<progress") {
		t.Errorf("the running job's page:\n%s", page)
	}
	if r := c.get("/app/m/m1"); r.Code != http.StatusOK {
		t.Errorf("the overview during the job: %d", r.Code)
	}
	if r := c.get(loc + "/file"); r.Code != http.StatusConflict {
		t.Errorf("the file before the job is done: %d, want 409", r.Code)
	}
	// Another role may not see the job.
	s := e.client("10.8.0.6")
	s.login("stat")
	if r := s.get(loc); r.Code != http.StatusForbidden {
		t.Errorf("the statistician on the job page: %d, want 403", r.Code)
	}
	close(release)
	deadline := time.Now().Add(20 * time.Second)
	for strings.Contains(page, `http-equiv="refresh"`) {
		if time.Now().After(deadline) {
			t.Fatalf("the job did not finish:\n%s", page)
		}
		time.Sleep(20 * time.Millisecond)
		page = c.get(loc).Body.String()
	}
	if !strings.Contains(page, "已签发 10 个链接") || !strings.Contains(page, "10links.csv") {
		t.Fatalf("the finished job's page:\n%s", page)
	}
	f := c.get(loc + "/file")
	if f.Code != http.StatusOK || f.Header().Get("X-Manyi-Links") != "10" || !strings.Contains(f.Header().Get("Content-Disposition"), "10links.csv") {
		t.Fatalf("the job's file: %d %v", f.Code, f.Header())
	}
	if n := len(regexp.MustCompile(`https://survey\.example\.cn/s/[A-Za-z0-9_-]{22}`).FindAllString(f.Body.String(), -1)); n != 10 {
		t.Errorf("%d links in the file, want 10", n)
	}
	acts := e.auditActions()
	if !slicesContain(acts, "invitations.issue:boss:m1") || !slicesContain(acts, "links.download:boss:m1") {
		t.Errorf("audit lacks the issue or the download: %v", acts)
	}
}
