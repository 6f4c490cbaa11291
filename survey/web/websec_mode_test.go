package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"manyi/survey"
	"manyi/survey/demo"
	"manyi/survey/fieldwork"
)

// TestInterviewTokenNotResidentLink (issue 13, finding 1): the token of an
// interviewer's phone interview is not an anonymous resident link. Opened
// at /s/ without a cookie it shows no questionnaire, and a POST there
// records nothing; in turn a resident's web response cannot be driven from
// the interviewer pages.
func TestInterviewTokenNotResidentLink(t *testing.T) {
	e := newStaffEnv(t, "")
	ctx := context.Background()
	fwtSample(t, e, 2, 2)
	cs, err := e.db.Cases(ctx, fieldwork.CaseFilter{MeasurementID: demo.ID, ReleasedOnly: true})
	if err != nil || len(cs) < 2 {
		t.Fatalf("cases: %d, %v", len(cs), err)
	}
	if _, err := e.db.AssignCases(ctx, demo.ID, []int64{cs[0].ID}, "ivw"); err != nil {
		t.Fatal(err)
	}
	ivw := e.client("10.5.0.1")
	ivw.login("ivw")
	csrf := csrfOf(t, ivw.get("/app/m/"+demo.ID+"/cases").Body.String())
	rec := ivw.post(fmt.Sprintf("/app/m/%s/cases/%d/interview", demo.ID, cs[0].ID), url.Values{"csrf": {csrf}, "mode": {"phone"}})
	m := reInterview.FindStringSubmatch(rec.Header().Get("Location"))
	if rec.Code != http.StatusSeeOther || m == nil {
		t.Fatalf("start interview: status %d, Location %q", rec.Code, rec.Header().Get("Location"))
	}
	tok := m[1]

	// The resident side: no cookie, the interview's token.
	env := &env{t: t, srv: e.srv, db: e.db, q: survey.DefaultQuestionnaire(), log: e.log}
	anon := env.client()
	page := anon.get("/s/" + tok)
	if body := page.Body.String(); page.Code != http.StatusForbidden || strings.Contains(body, `name="_page"`) || !strings.Contains(body, "访员") {
		t.Errorf("GET /s/<interview token>: status %d, want 403 with the interviewer-link message and no form\n%s", page.Code, body)
	}
	first := env.q.NextPage("", nil)
	form := validAnswers(env.q, first, nil)
	form.Set("_page", first)
	form.Set("_nav", "next")
	form.Set("_csrf", e.srv.csrfToken(tok)) // as if the attacker had a form
	if rec := anon.post("/s/"+tok, form); rec.Code != http.StatusForbidden {
		t.Errorf("POST /s/<interview token>: status %d, want 403", rec.Code)
	}
	r := env.response(tok)
	if r == nil || r.Mode != survey.ModePhone || r.Interviewer != "ivw" || len(r.PagesDone) != 0 || len(r.Answers) != 0 || r.Status != survey.RespInProgress {
		t.Errorf("the interview after the resident-side attempts: %+v; want phone, ivw, in progress, nothing saved", r)
	}

	// The interviewer side: a resident's web response (an SMS link the
	// resident has opened) is not the interviewer's to fill in.
	links, err := e.db.IssueLinks(ctx, demo.ID, fieldwork.LinkSelection{Limit: 1}, nil, "boss")
	if err != nil || len(links) != 1 {
		t.Fatalf("IssueLinks: %d, %v", len(links), err)
	}
	web := links[0].Token
	if rec := anon.get("/s/" + web); rec.Code != http.StatusOK {
		t.Fatalf("resident opens the SMS link: status %d", rec.Code)
	}
	if rec := ivw.get(interviewURL(web)); rec.Code != http.StatusForbidden || strings.Contains(rec.Body.String(), `name="_page"`) {
		t.Errorf("GET /app/interview/<web token>: status %d, want 403 without a form", rec.Code)
	}
	f2 := validAnswers(env.q, first, nil)
	f2.Set("csrf", csrf)
	f2.Set("_page", first)
	f2.Set("_nav", "next")
	if rec := ivw.post(interviewURL(web), f2); rec.Code != http.StatusForbidden {
		t.Errorf("POST /app/interview/<web token>: status %d, want 403", rec.Code)
	}
	w := env.response(web)
	if w == nil || w.Mode != survey.ModeWeb || w.Interviewer != "" || len(w.PagesDone) != 0 || len(w.Answers) != 0 {
		t.Errorf("the web response after the interviewer-side attempts: %+v; want web, no interviewer, nothing saved", w)
	}
}
