package web

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// formTag and formAction find a page's forms and where each goes.
var (
	formTag    = regexp.MustCompile(`(?i)<form\b[^>]*>`)
	formAction = regexp.MustCompile(`action="([^"]*)"`)
)

// TestOfficeStatisticianReadOnly: the statistician opens every setup page
// of a measurement with a frame and a drawn sample, in both languages,
// and finds no form that changes anything (the read-only view of issue
// 10); the interviewer is refused each of them.
func TestOfficeStatisticianReadOnly(t *testing.T) {
	e := newOfficeEnv(t)
	c := e.client("10.8.0.21")
	c.login("boss")
	importFrame(t, c, 20)
	csrf := csrfOf(t, c.get("/app/m/m1/sample").Body.String())
	plan := url.Values{"csrf": {csrf}, "allocation": {"equal"}, "total": {"10"}, "floor": {"0"}, "reserve": {"0.5"}, "reserve_batches": {"1"}, "seed": {"42"}, "action": {"draw"}}
	if rec := c.post("/app/m/m1/sample", plan); rec.Code != http.StatusSeeOther {
		t.Fatalf("draw: %d\n%s", rec.Code, rec.Body)
	}

	pages := []string{"/app/m/m1", "/app/m/m1/questionnaire", "/app/m/m1/questionnaire/items/prod_food", "/app/m/m1/questionnaire/settings",
		"/app/m/m1/frame", "/app/m/m1/sample", "/app/m/m1/invitations", "/app/m/m1/cases/assign", "/app/m/m1/fieldwork"}
	s := e.client("10.8.0.22")
	s.login("stat")
	for _, p := range pages {
		for _, lang := range []string{"zh", "en"} {
			rec := s.get(p + "?lang=" + lang)
			if rec.Code != http.StatusOK {
				t.Errorf("statistician GET %s (%s): %d", p, lang, rec.Code)
				continue
			}
			for _, f := range formTag.FindAllString(rec.Body.String(), -1) {
				if !strings.Contains(strings.ToLower(f), `method="post"`) {
					continue // a filter or a count (GET) changes nothing
				}
				if a := formAction.FindStringSubmatch(f); a == nil || a[1] != "/logout" {
					t.Errorf("statistician GET %s (%s): a form that posts: %s", p, lang, f)
				}
			}
		}
	}
	iv := e.client("10.8.0.23")
	iv.login("ivw")
	for _, p := range pages {
		if rec := iv.get(p); rec.Code != http.StatusForbidden {
			t.Errorf("interviewer GET %s: %d, want 403", p, rec.Code)
		}
	}
}
