package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"manyi/survey"
	"manyi/survey/auth"
	"manyi/survey/demo"
	"manyi/survey/fieldwork"
	"manyi/survey/sampling"
	"manyi/survey/secret"
)

// fwtSample imports a frame of n men aged 30-44 with phones per district
// d1 and d2 into the demo measurement, sealed with a fresh key that the
// server is given (as cmd passes MANYI_CONTACT_KEY in Config.ContactKey), and draws main samples of
// main per district.
func fwtSample(t *testing.T, e *staffEnv, n, main int) *secret.Key {
	t.Helper()
	key, err := secret.ParseKey(secret.GenerateKey())
	if err != nil {
		t.Fatal(err)
	}
	e.srv.key = key
	var b strings.Builder
	b.WriteString("id,district,gender,age_band,contact\n")
	for i := 0; i < 2*n; i++ {
		fmt.Fprintf(&b, "C%03d,%s,男,30-44,1390000%04d\n", i, []string{"d1", "d2"}[i%2], i)
	}
	ctx := context.Background()
	known, _, err := e.db.FrameDistricts(ctx, demo.ID)
	if err != nil {
		t.Fatal(err)
	}
	f, rowErrs, err := sampling.ReadFrame(strings.NewReader(b.String()), sampling.FrameOptions{Districts: known})
	if err != nil || len(rowErrs) > 0 {
		t.Fatalf("ReadFrame: %v %v", err, rowErrs)
	}
	if _, err := e.db.ImportFrame(ctx, demo.ID, f, 0, key, "frame.csv", "boss"); err != nil {
		t.Fatal(err)
	}
	plan := sampling.Plan{Total: 2 * main, Allocation: sampling.Fixed, Sizes: map[string]int{"d1": main, "d2": main}}
	counts := f.Counts(sampling.ColDistrict)
	for d, c := range counts {
		if c == 0 {
			delete(counts, d)
		}
	}
	alloc, err := sampling.Allocate(plan, counts)
	if err != nil {
		t.Fatal(err)
	}
	s, err := sampling.Draw(f, alloc, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.SaveSample(ctx, demo.ID, plan, s, f, "boss"); err != nil {
		t.Fatal(err)
	}
	return key
}

var reInterview = regexp.MustCompile(`^/app/interview/([A-Za-z0-9_-]{22})$`)

func TestInterviewerFlow(t *testing.T) {
	e := newStaffEnv(t, "")
	ctx := context.Background()
	key := fwtSample(t, e, 6, 3)
	h, _ := auth.HashPassword(staffPassword)
	if _, err := e.db.CreateUser(ctx, "ivw2", auth.RoleInterviewer, h); err != nil {
		t.Fatal(err)
	}
	cs, err := e.db.Cases(ctx, fieldwork.CaseFilter{MeasurementID: demo.ID, ReleasedOnly: true})
	if err != nil || len(cs) != 6 {
		t.Fatalf("cases: %d, %v", len(cs), err)
	}
	mine, theirs := cs[:2], cs[2:3]
	if _, err := e.db.AssignCases(ctx, demo.ID, []int64{mine[0].ID, mine[1].ID}, "ivw"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.AssignCases(ctx, demo.ID, []int64{theirs[0].ID}, "ivw2"); err != nil {
		t.Fatal(err)
	}

	c := e.client("10.1.0.1")
	c.login("ivw")
	list := c.get("/app/m/" + demo.ID + "/cases")
	body := list.Body.String()
	if list.Code != http.StatusOK {
		t.Fatalf("cases page: status %d\n%s", list.Code, body)
	}
	for _, k := range mine {
		phone, _ := e.db.CaseContact(ctx, k.ID, key)
		if !strings.Contains(body, k.UnitID) || phone == "" || !strings.Contains(body, phone) {
			t.Errorf("own case %s or its phone missing from the cases page", k.UnitID)
		}
	}
	if strings.Contains(body, ">"+theirs[0].UnitID+"<") {
		t.Errorf("the cases page shows another interviewer's case %s", theirs[0].UnitID)
	}
	if strings.Contains(e.log.String(), "1390000") {
		t.Errorf("a phone number reached the log")
	}
	csrf := csrfOf(t, body)
	base := "/app/m/" + demo.ID + "/cases/"

	// Call attempts: busy, then a call-back without a time (422), then
	// another interviewer's case (403).
	if rec := c.post(fmt.Sprintf("%s%d/attempts", base, mine[0].ID), url.Values{"csrf": {csrf}, "outcome": {"busy"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("record busy: status %d\n%s", rec.Code, rec.Body)
	}
	if rec := c.post(fmt.Sprintf("%s%d/attempts", base, mine[0].ID), url.Values{"csrf": {csrf}, "outcome": {"callback"}}); rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "回拨") {
		t.Errorf("call-back without a time: status %d, want 422 naming the call-back", rec.Code)
	}
	if rec := c.post(fmt.Sprintf("%s%d/attempts", base, mine[1].ID), url.Values{"csrf": {csrf}, "outcome": {"callback"}, "callback_at": {"2026-11-28T19:30"}}); rec.Code != http.StatusSeeOther {
		t.Errorf("call-back with a time: status %d\n%s", rec.Code, rec.Body)
	}
	if rec := c.post(fmt.Sprintf("%s%d/attempts", base, theirs[0].ID), url.Values{"csrf": {csrf}, "outcome": {"busy"}}); rec.Code != http.StatusForbidden {
		t.Errorf("attempt on another interviewer's case: status %d, want 403", rec.Code)
	}
	if rec := c.post(fmt.Sprintf("%s%d/interview", base, theirs[0].ID), url.Values{"csrf": {csrf}, "mode": {"phone"}}); rec.Code != http.StatusForbidden {
		t.Errorf("interview of another interviewer's case: status %d, want 403", rec.Code)
	}
	k, _ := e.db.Case(ctx, mine[1].ID)
	if k.Disposition != sampling.DispOpened || k.CallbackAt == nil || k.CallbackAt.UTC().Hour() != 11 {
		t.Errorf("case after a call-back at 19:30 China time: %s at %v, want opened at 11:30 UTC", k.Disposition, k.CallbackAt)
	}

	// The interview: the same questionnaire in interviewer mode.
	rec := c.post(fmt.Sprintf("%s%d/interview", base, mine[0].ID), url.Values{"csrf": {csrf}, "mode": {"phone"}})
	m := reInterview.FindStringSubmatch(rec.Header().Get("Location"))
	if rec.Code != http.StatusSeeOther || m == nil {
		t.Fatalf("start interview: status %d, Location %q", rec.Code, rec.Header().Get("Location"))
	}
	iurl := m[0]
	q := survey.DefaultQuestionnaire()
	a := survey.Answers{}
	sawNotRead, sawInstruct := false, false
	for i := 0; i < 40; i++ {
		page := c.get(iurl)
		pb := page.Body.String()
		if page.Code != http.StatusOK {
			t.Fatalf("interview page: status %d\n%s", page.Code, pb)
		}
		if !strings.Contains(pb, "访员模式") {
			t.Fatalf("interview page without the interviewer banner:\n%s", pb)
		}
		sawNotRead = sawNotRead || strings.Contains(pb, "（不读出）")
		sawInstruct = sawInstruct || strings.Contains(pb, `class="instruct"`)
		pm := rePage.FindStringSubmatch(pb)
		if pm == nil {
			t.Fatalf("no form on the interview page:\n%s", pb)
		}
		form := url.Values{"csrf": {csrfOf(t, pb)}, "_page": {pm[1]}, "_nav": {"next"}, "_shown": {"1764235800000"}}
		if pm[1] == reviewID {
			form.Set("_nav", "submit")
			rec := c.post(iurl, form)
			if rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/app/m/"+demo.ID+"/cases?done=submitted") {
				t.Fatalf("submit: status %d Location %q\n%s", rec.Code, rec.Header().Get("Location"), rec.Body)
			}
			break
		}
		for k, v := range validAnswers(q, pm[1], a) {
			form[k] = v
			a[k] = v
		}
		if rec := c.post(iurl, form); rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != iurl {
			t.Fatalf("POST %s: status %d Location %q\n%s", pm[1], rec.Code, rec.Header().Get("Location"), rec.Body)
		}
	}
	if !sawNotRead {
		t.Errorf("no don't-know option was marked not to be read out")
	}
	_ = sawInstruct // the default questionnaire may carry no interviewer notes

	k, _ = e.db.Case(ctx, mine[0].ID)
	if k.Disposition != sampling.DispComplete || k.LastOutcome != fieldwork.OutcomeCompleted || k.Attempts != 2 {
		t.Errorf("case after the interview: %s, last %s, %d attempts; want complete, completed, 2", k.Disposition, k.LastOutcome, k.Attempts)
	}
	done, err := e.db.CompletedResponses(ctx, demo.ID)
	if err != nil || len(done) != 1 {
		t.Fatalf("completed responses: %d, %v", len(done), err)
	}
	if done[0].Mode != survey.ModePhone || done[0].Interviewer != "ivw" {
		t.Errorf("response mode %q interviewer %q, want phone, ivw", done[0].Mode, done[0].Interviewer)
	}
	if got := c.get(iurl); got.Code != http.StatusOK || !strings.Contains(got.Body.String(), "访问已结束") || strings.Contains(got.Body.String(), `name="_page"`) {
		t.Errorf("the ended interview: status %d, want 200 with no form", got.Code)
	}

	// Another interviewer cannot open ivw's interview, nor can the
	// resident's link reach it (the token was replaced).
	c2 := e.client("10.1.0.2")
	c2.login("ivw2")
	if rec := c2.get(iurl); rec.Code != http.StatusForbidden {
		t.Errorf("ivw2 opening ivw's interview: status %d, want 403", rec.Code)
	}
	acts := strings.Join(e.auditActions(), " ")
	for _, want := range []string{"case.attempt:ivw:case:", "case.interview:ivw:case:", "case.interview.submit:ivw:case:"} {
		if !strings.Contains(acts, want) {
			t.Errorf("audit log lacks %q: %s", want, acts)
		}
	}
}

func TestQuotaFullAtScreener(t *testing.T) {
	e := newStaffEnv(t, "")
	ctx := context.Background()
	fwtSample(t, e, 4, 4)
	// validAnswers makes every resident a 35-year-old of d2; the frame
	// makes them men: one place left in d2 male|30-44.
	if err := e.db.SetQuotaTargets(ctx, demo.ID, map[string]map[string]int{"d2": {"male|30-44": 1}}); err != nil {
		t.Fatal(err)
	}
	links, err := e.db.IssueLinks(ctx, demo.ID, fieldwork.LinkSelection{Limit: 2}, nil, "boss")
	if err != nil || len(links) != 2 {
		t.Fatalf("IssueLinks: %d, %v", len(links), err)
	}
	env := &env{t: t, srv: e.srv, db: e.db, q: survey.DefaultQuestionnaire(), log: e.log}
	first, second := env.client(), env.client()
	first.answerUpTo(links[0].Token, "product")
	a := second.answerUpTo(links[1].Token, "screener")
	rec := second.answerPage(links[1].Token, "screener", validAnswers(env.q, "screener", a))
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("screener POST: status %d", rec.Code)
	}
	page := second.get("/s/" + links[1].Token)
	if body := page.Body.String(); page.Code != http.StatusOK || !strings.Contains(body, "样本已经收满") || strings.Contains(body, "<form") {
		t.Errorf("after a full cell: status %d, want the quota-full page without a form\n%s", page.Code, body)
	}
	if r := env.response(links[1].Token); r == nil || r.Status != survey.RespQuotaFull {
		t.Errorf("second response %+v, want status quota_full", r)
	}
	k, _ := e.db.Case(ctx, links[1].CaseID)
	if k.Disposition != sampling.DispQuotaFull {
		t.Errorf("second case disposition %s, want quota_full", k.Disposition)
	}
	// The first resident keeps the place and goes on.
	if page := first.get("/s/" + links[0].Token); !strings.Contains(page.Body.String(), `value="product"`) {
		t.Errorf("the first resident is not on the product page")
	}
	qs, _ := e.db.Quotas(ctx, demo.ID)
	if len(qs.Cells) != 1 || qs.Cells[0].Count != 1 {
		t.Errorf("quota cells %+v, want one cell with 1 place taken", qs.Cells)
	}
}
