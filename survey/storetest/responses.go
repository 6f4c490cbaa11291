package storetest

import (
	"bytes"
	"context"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"manyi/survey"
)

func init() {
	register(test{"MeasurementCRUD", testMeasurementCRUD}, test{"QuestionnaireVersioning", testQuestionnaireVersioning},
		test{"InvitationTokensAreOnlyStoredHashed", testInvitationTokensAreOnlyStoredHashed},
		test{"OpenSessionErrors", testOpenSessionErrors}, test{"StartResponseConcurrent", testStartResponseConcurrent},
		test{"SavePage", testSavePage}, test{"Finish", testFinish}, test{"SecretStable", testSecretStable},
		test{"AnswersRoundTripAnyText", testAnswersRoundTripAnyText}, test{"SessionsAreCopies", testSessionsAreCopies},
		test{"ReadsOwnWrites", testReadsOwnWrites}, test{"SeesOtherProcesses", testSeesOtherProcesses})
}

// responseTables are queries over every row of the response tables, to
// compare before and after a refused write.
var responseTables = []string{
	`SELECT id, status, current_page, updated_at, submitted_at FROM responses ORDER BY id`,
	`SELECT response_id, item_id, position, page_id, value FROM answers ORDER BY 1, 2, 3`,
	`SELECT response_id, page_id, elapsed_ms, saves, saved_at FROM page_paradata ORDER BY id`,
	`SELECT id, disposition, updated_at FROM invitations ORDER BY id`,
}

// testInvitationTokensAreOnlyStoredHashed checks that tokens are unique,
// open their session, and that no row of the invitation and response
// tables holds a token's text (SQLite's own test also reads the raw file).
func testInvitationTokensAreOnlyStoredHashed(t *testing.T, h *Harness) {
	db, _ := h.openTest(t)
	ctx := context.Background()
	toks := seed(t, db, "m", 50)
	seen := map[string]bool{}
	for _, tok := range toks {
		if len(tok) != 22 || seen[tok] {
			t.Fatalf("token %d chars, repeated=%v: want 22 chars, unique", len(tok), seen[tok])
		}
		seen[tok] = true
		s, err := db.OpenSession(ctx, tok)
		if err != nil {
			t.Fatalf("OpenSession: %v", err)
		}
		if s.Measurement.ID != "m" || s.Response != nil || s.Invitation.Disposition != "issued" {
			t.Errorf("session: got measurement %s response %v disposition %s", s.Measurement.ID, s.Response, s.Invitation.Disposition)
		}
	}
	for _, tok := range toks[:5] {
		if _, err := db.StartResponse(ctx, tok, survey.ModeWeb, "mobile"); err != nil {
			t.Fatal(err)
		}
	}
	rows := h.dump(t, db, `SELECT * FROM invitations`, `SELECT * FROM responses`)
	if !strings.Contains(rows, "issued") {
		t.Fatalf("sanity: the invitation rows do not show their disposition; the search would prove nothing")
	}
	for _, tok := range toks {
		if strings.Contains(rows, tok) {
			t.Fatalf("token text found in the stored rows, want only its hash")
		}
	}
}

func testMeasurementCRUD(t *testing.T, h *Harness) {
	db, _ := h.openTest(t)
	ctx := context.Background()
	q := survey.DefaultQuestionnaire()

	m1 := testMeasurement("city-2025")
	m1.Year = 2025
	if err := db.CreateMeasurement(ctx, m1, q); err != nil {
		t.Fatalf("create: %v", err)
	}
	m2 := testMeasurement("city-2026")
	m2.PrevID = "city-2025"
	m2.Status = ""
	if err := db.CreateMeasurement(ctx, m2, q); err != nil {
		t.Fatalf("create: %v", err)
	}
	if m2.Status != survey.StatusDraft {
		t.Errorf("empty status: got %q, want draft", m2.Status)
	}
	got, err := db.Measurement(ctx, "city-2026")
	if err != nil {
		t.Fatalf("Measurement: %v", err)
	}
	if !reflect.DeepEqual(got, m2) {
		t.Errorf("Measurement: got %+v, want %+v", got, m2)
	}
	list, err := db.Measurements(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].ID != "city-2026" || list[1].ID != "city-2025" || len(list[1].Districts) != 2 {
		t.Errorf("Measurements: got %d, first %v, want city-2026 then city-2025 with districts", len(list), list)
	}
	if err := db.SetMeasurementStatus(ctx, "city-2026", survey.StatusClosed); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.Measurement(ctx, "city-2026"); got.Status != survey.StatusClosed {
		t.Errorf("status after SetMeasurementStatus: got %q, want closed", got.Status)
	}

	bad := func(f func(m *survey.Measurement)) *survey.Measurement {
		m := testMeasurement("bad-1")
		f(m)
		return m
	}
	for _, c := range []struct {
		name string
		m    *survey.Measurement
		q    *survey.Questionnaire
		code string
	}{
		{"duplicate id", testMeasurement("city-2025"), q, survey.ECONFLICT},
		{"bad id", bad(func(m *survey.Measurement) { m.ID = "Bad Id" }), q, survey.EINVALID},
		{"bad status", bad(func(m *survey.Measurement) { m.Status = "running" }), q, survey.EINVALID},
		{"no title", bad(func(m *survey.Measurement) { m.Title.Zh = "" }), q, survey.EINVALID},
		{"duplicate district", bad(func(m *survey.Measurement) { m.Districts[1].Code = "a" }), q, survey.EINVALID},
		{"missing previous", bad(func(m *survey.Measurement) { m.PrevID = "nope" }), q, survey.EINVALID},
		{"no questionnaire", testMeasurement("bad-2"), nil, survey.EINVALID},
		{"invalid questionnaire", testMeasurement("bad-3"), &survey.Questionnaire{ID: "x"}, survey.EINVALID},
	} {
		t.Run(c.name, func(t *testing.T) {
			wantCode(t, "CreateMeasurement", db.CreateMeasurement(ctx, c.m, c.q), c.code)
		})
	}
	_, err = db.Measurement(ctx, "bad-1")
	wantCode(t, "Measurement(bad-1)", err, survey.ENOTFOUND)
	wantCode(t, "SetMeasurementStatus(missing)", db.SetMeasurementStatus(ctx, "nope", survey.StatusOpen), survey.ENOTFOUND)
	wantCode(t, "SetMeasurementStatus(bad)", db.SetMeasurementStatus(ctx, "city-2025", "paused"), survey.EINVALID)
}

func testQuestionnaireVersioning(t *testing.T, h *Harness) {
	db, _ := h.openTest(t)
	ctx := context.Background()
	toks := seed(t, db, "m", 2)

	v, err := db.Questionnaire(ctx, "m", 1)
	if err != nil {
		t.Fatal(err)
	}
	if v.Frozen || v.Version != 1 {
		t.Fatalf("new version: got v%d frozen=%v, want v1 not frozen", v.Version, v.Frozen)
	}
	// Before any answer a change replaces version 1.
	q := survey.DefaultQuestionnaire()
	q.Title.Zh += "（修订）"
	if n, err := db.SetQuestionnaire(ctx, "m", q); err != nil || n != 1 {
		t.Fatalf("SetQuestionnaire before answers: got v%d, %v, want v1", n, err)
	}
	if v, _ := db.Questionnaire(ctx, "m", 1); v.Q.Title.Zh != q.Title.Zh {
		t.Errorf("replaced title: got %q, want %q", v.Q.Title.Zh, q.Title.Zh)
	}
	// Starting a response does not freeze; the first answer does.
	if _, err := db.StartResponse(ctx, toks[0], "", "mobile"); err != nil {
		t.Fatal(err)
	}
	if v, _ := db.Questionnaire(ctx, "m", 1); v.Frozen {
		t.Errorf("after StartResponse: frozen, want not frozen until an answer is stored")
	}
	p := &q.Pages[0]
	if _, err := db.SavePage(ctx, toks[0], survey.PageSave{PageID: p.ID, Answers: pageAnswers(p), Next: q.Pages[1].ID}); err != nil {
		t.Fatal(err)
	}
	if v, _ := db.Questionnaire(ctx, "m", 1); !v.Frozen {
		t.Errorf("after the first answer: not frozen, want frozen")
	}
	// A change now makes version 2; the same questionnaire again does not
	// make a third.
	q2 := survey.DefaultQuestionnaire()
	q2.Title.Zh += "（第二版）"
	for i := 0; i < 2; i++ {
		if n, err := db.SetQuestionnaire(ctx, "m", q2); err != nil || n != 2 {
			t.Fatalf("SetQuestionnaire after freezing (%d): got v%d, %v, want v2", i, n, err)
		}
	}
	if v, _ := db.Questionnaire(ctx, "m", 1); v.Q.Title.Zh != q.Title.Zh {
		t.Errorf("frozen version changed: got %q, want %q", v.Q.Title.Zh, q.Title.Zh)
	}
	if v, err := db.Questionnaire(ctx, "m", 0); err != nil || v.Version != 2 || v.Frozen {
		t.Errorf("newest: got %+v, %v, want v2 not frozen", v, err)
	}
	old, err := db.OpenSession(ctx, toks[0])
	if err != nil {
		t.Fatal(err)
	}
	if old.Response.Version != 1 || old.Q.Title.Zh != q.Title.Zh {
		t.Errorf("old response: got version %d title %q, want 1 %q", old.Response.Version, old.Q.Title.Zh, q.Title.Zh)
	}
	fresh, err := db.OpenSession(ctx, toks[1])
	if err != nil {
		t.Fatal(err)
	}
	if fresh.Response != nil || fresh.Q.Title.Zh != q2.Title.Zh {
		t.Errorf("unstarted link: got response %v title %q, want none and %q", fresh.Response, fresh.Q.Title.Zh, q2.Title.Zh)
	}
	r, err := db.StartResponse(ctx, toks[1], survey.ModeWeb, "desktop")
	if err != nil || r.Version != 2 {
		t.Errorf("new response: got %+v, %v, want version 2", r, err)
	}
	_, err = db.SetQuestionnaire(ctx, "m", &survey.Questionnaire{})
	wantCode(t, "SetQuestionnaire(invalid)", err, survey.EINVALID)
	_, err = db.SetQuestionnaire(ctx, "nope", q2)
	wantCode(t, "SetQuestionnaire(missing)", err, survey.ENOTFOUND)
	_, err = db.Questionnaire(ctx, "m", 9)
	wantCode(t, "Questionnaire(v9)", err, survey.ENOTFOUND)
}

func testOpenSessionErrors(t *testing.T, h *Harness) {
	db, _ := h.openTest(t)
	ctx := context.Background()
	toks := seed(t, db, "m", 1)
	for _, c := range []struct {
		name, token, code string
	}{
		{"empty", "", survey.ENOTFOUND},
		{"short", "abc", survey.ENOTFOUND},
		{"bad characters", "!!!!!!!!!!!!!!!!!!!!!!", survey.ENOTFOUND},
		{"unknown", "AAAAAAAAAAAAAAAAAAAAAA", survey.ENOTFOUND},
		{"sql", "' OR 1=1 --AAAAAAAAAAA", survey.ENOTFOUND},
		{"good", toks[0], ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := db.OpenSession(ctx, c.token)
			wantCode(t, "OpenSession", err, c.code)
			_, err = db.SavePage(ctx, c.token, survey.PageSave{PageID: "nope"})
			if c.code != "" {
				wantCode(t, "SavePage", err, c.code)
			}
		})
	}
	if err := db.SetMeasurementStatus(ctx, "m", survey.StatusClosed); err != nil {
		t.Fatal(err)
	}
	_, err := db.OpenSession(ctx, toks[0])
	wantCode(t, "OpenSession(closed)", err, survey.EGONE)
	_, err = db.StartResponse(ctx, toks[0], "", "")
	wantCode(t, "StartResponse(closed)", err, survey.EGONE)
	_, err = db.SavePage(ctx, toks[0], survey.PageSave{PageID: "consent"})
	wantCode(t, "SavePage(closed)", err, survey.EGONE)
	_, err = db.CreateInvitations(ctx, "m", 0)
	wantCode(t, "CreateInvitations(0)", err, survey.EINVALID)
	_, err = db.CreateInvitations(ctx, "nope", 1)
	wantCode(t, "CreateInvitations(missing)", err, survey.ENOTFOUND)
}

func testStartResponseConcurrent(t *testing.T, h *Harness) {
	db, path := h.openTest(t)
	ctx := context.Background()
	toks := seed(t, db, "m", 3)
	// A second handle on the same file plays a second process.
	db2, err := h.reopen(t, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	for _, tok := range toks {
		var wg sync.WaitGroup
		ids := make([]int64, 40)
		errs := make([]error, 40)
		for i := range ids {
			wg.Go(func() {
				st := db
				if i%2 == 1 {
					st = db2
				}
				r, err := st.StartResponse(ctx, tok, survey.ModeWeb, "mobile")
				errs[i] = err
				if err == nil {
					ids[i] = r.ID
				}
			})
		}
		wg.Wait()
		for i := range ids {
			if errs[i] != nil {
				t.Fatalf("StartResponse %d: %v", i, errs[i])
			}
			if ids[i] != ids[0] {
				t.Fatalf("StartResponse %d: got response %d, want %d like the first", i, ids[i], ids[0])
			}
		}
	}
	if n := h.count(t, db, `SELECT count(*) FROM responses`); n != len(toks) {
		t.Errorf("responses: got %d, want %d (one per invitation)", n, len(toks))
	}
	_, err = db.StartResponse(ctx, toks[0], "carrier-pigeon", "")
	wantCode(t, "StartResponse(bad mode)", err, survey.EINVALID)
}

func testSavePage(t *testing.T, h *Harness) {
	db, _ := h.openTest(t)
	ctx := context.Background()
	tok := seed(t, db, "m", 1)[0]
	q := survey.DefaultQuestionnaire()
	p0, p1, p2 := &q.Pages[0], &q.Pages[1], &q.Pages[2]
	a0, a1 := pageAnswers(p0), pageAnswers(p1)

	// The first save starts the response.
	r, err := db.SavePage(ctx, tok, survey.PageSave{PageID: p0.ID, Answers: a0, Next: p1.ID, Elapsed: 1500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != survey.RespInProgress || r.Mode != survey.ModeWeb || r.CurrentPage != p1.ID {
		t.Errorf("after first save: got status %s mode %s current %s", r.Status, r.Mode, r.CurrentPage)
	}
	// Saving the same page twice (a double click) gives the same state.
	for i := 0; i < 2; i++ {
		r, err = db.SavePage(ctx, tok, survey.PageSave{PageID: p1.ID, Answers: a1, Next: p2.ID, Elapsed: time.Second})
		if err != nil {
			t.Fatal(err)
		}
	}
	want := a0.Merge(a1)
	if !reflect.DeepEqual(r.Answers, want) {
		t.Errorf("answers after replay: got %v, want %v", r.Answers, want)
	}
	if !reflect.DeepEqual(r.PagesDone, []string{p0.ID, p1.ID}) || r.CurrentPage != p2.ID {
		t.Errorf("pages: got %v current %s, want [%s %s] current %s", r.PagesDone, r.CurrentPage, p0.ID, p1.ID, p2.ID)
	}
	if got := h.Rows(t, db, fmt.Sprintf(`SELECT elapsed_ms, saves FROM page_paradata WHERE response_id = %d AND page_id = '%s'`, r.ID, p1.ID)); len(got) != 1 || got[0] != "2000|2" {
		t.Errorf("paradata of %s: got %q, want 2000 ms, 2 saves", p1.ID, got)
	}
	// Saving a page again with fewer answers replaces them; other pages
	// keep theirs. Next "" keeps the resume point (Back without moving it).
	var dropped string
	fewer := survey.Answers{}
	for id, v := range a1 {
		if dropped == "" {
			dropped = id
			continue
		}
		fewer[id] = v
	}
	r, err = db.SavePage(ctx, tok, survey.PageSave{PageID: p1.ID, Answers: fewer})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := r.Answers[dropped]; ok {
		t.Errorf("item %s removed from the page is still stored", dropped)
	}
	if !reflect.DeepEqual(r.Answers, a0.Merge(fewer)) || r.CurrentPage != p2.ID {
		t.Errorf("after replacing: got %v current %s, want %v current %s", r.Answers, r.CurrentPage, a0.Merge(fewer), p2.ID)
	}
	// Refused saves change nothing.
	before, _ := db.OpenSession(ctx, tok)
	for _, c := range []struct {
		name string
		p    survey.PageSave
	}{
		{"no page id", survey.PageSave{Answers: a1}},
		{"unknown page", survey.PageSave{PageID: "nope", Answers: a1}},
		{"item of another page", survey.PageSave{PageID: p2.ID, Answers: a0, Next: "x"}},
	} {
		_, err := db.SavePage(ctx, tok, c.p)
		wantCode(t, c.name, err, survey.EINVALID)
	}
	after, _ := db.OpenSession(ctx, tok)
	if !reflect.DeepEqual(before.Response, after.Response) {
		t.Errorf("refused saves changed the response: got %+v, want %+v", after.Response, before.Response)
	}
}

func testFinish(t *testing.T, h *Harness) {
	db, _ := h.openTest(t)
	ctx := context.Background()
	toks := seed(t, db, "m", 3)
	q := survey.DefaultQuestionnaire()
	p0 := &q.Pages[0]
	if _, err := db.SavePage(ctx, toks[0], survey.PageSave{PageID: p0.ID, Answers: pageAnswers(p0), Next: "review"}); err != nil {
		t.Fatal(err)
	}
	r, err := db.Finish(ctx, toks[0], survey.RespSubmitted)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != survey.RespSubmitted || r.SubmittedAt == nil {
		t.Fatalf("after Finish: got status %s submitted %v", r.Status, r.SubmittedAt)
	}
	before := h.dump(t, db, responseTables...)
	// Finishing again the same way is a no-op.
	r2, err := db.Finish(ctx, toks[0], survey.RespSubmitted)
	if err != nil || !r2.SubmittedAt.Equal(*r.SubmittedAt) {
		t.Errorf("second Finish: got %v, %v, want the same submission time %v", r2.SubmittedAt, err, r.SubmittedAt)
	}
	// Everything else on a submitted response is a conflict and changes
	// nothing.
	_, err = db.SavePage(ctx, toks[0], survey.PageSave{PageID: p0.ID, Answers: survey.Answers{}, Next: p0.ID})
	wantCode(t, "SavePage after submit", err, survey.ECONFLICT)
	_, err = db.Finish(ctx, toks[0], survey.RespScreenedOut)
	wantCode(t, "Finish(screened out) after submit", err, survey.ECONFLICT)
	if after := h.dump(t, db, responseTables...); after != before {
		t.Errorf("refused writes changed the database:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	_, err = db.Finish(ctx, toks[1], "done")
	wantCode(t, "Finish(bad status)", err, survey.EINVALID)
	// Screening out a response, and quota full before any page.
	if r, err := db.Finish(ctx, toks[1], survey.RespScreenedOut); err != nil || r.Status != survey.RespScreenedOut {
		t.Errorf("screen out: got %v, %v", r, err)
	}
	if r, err := db.Finish(ctx, toks[2], survey.RespQuotaFull); err != nil || r.Status != survey.RespQuotaFull {
		t.Errorf("quota full: got %v, %v", r, err)
	}
	s, err := db.OpenSession(ctx, toks[1])
	if err != nil || s.Invitation.Disposition != survey.RespScreenedOut {
		t.Errorf("disposition: got %v, %v, want screened_out", s, err)
	}
}

func testSecretStable(t *testing.T, h *Harness) {
	db, path := h.openTest(t)
	ctx := context.Background()
	s1, err := db.Secret(ctx)
	if err != nil || len(s1) != 32 {
		t.Fatalf("Secret: got %d bytes, %v, want 32", len(s1), err)
	}
	db.Close()
	db, err = h.reopen(t, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s2, err := db.Secret(ctx)
	if err != nil || !bytes.Equal(s1, s2) {
		t.Errorf("Secret after reopen: got %x, %v, want %x", s2, err, s1)
	}
}

// testAnswersRoundTripAnyText stores free text with every character that
// JSON escapes and reads it back through the aggregated answer columns.
func testAnswersRoundTripAnyText(t *testing.T, h *Harness) {
	db, _ := h.openTest(t)
	ctx := context.Background()
	tok := seed(t, db, "m", 1)[0]
	q := survey.DefaultQuestionnaire()
	var page *survey.Page
	var item string
	for i := range q.Pages {
		for _, it := range q.Pages[i].Items {
			if it.Type == survey.TypeText && page == nil {
				page, item = &q.Pages[i], it.ID
			}
		}
	}
	if page == nil {
		t.Fatal("the default questionnaire has no text item")
	}
	odd := "引号\"反斜杠\\换行\n制表\t控制\x01\x1f 方括号[],逗号 emoji 😀 </script> \u2028"
	r, err := db.SavePage(ctx, tok, survey.PageSave{PageID: page.ID, Answers: survey.Answers{item: {odd}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Answers[item]; len(got) != 1 || got[0] != odd {
		t.Errorf("SavePage returned %q, want %q", got, odd)
	}
	s, err := db.OpenSession(ctx, tok)
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Response.Answers[item]; len(got) != 1 || got[0] != odd {
		t.Errorf("OpenSession returned %q, want %q", got, odd)
	}
}

// testSessionsAreCopies checks that callers own the sessions they get:
// changing one does not change what the next caller sees.
func testSessionsAreCopies(t *testing.T, h *Harness) {
	db, _ := h.openTest(t)
	ctx := context.Background()
	tok := seed(t, db, "m", 1)[0]
	q := survey.DefaultQuestionnaire()
	p := &q.Pages[0]
	if _, err := db.SavePage(ctx, tok, survey.PageSave{PageID: p.ID, Answers: pageAnswers(p)}); err != nil {
		t.Fatal(err)
	}
	want, err := db.OpenSession(ctx, tok)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		s, err := db.OpenSession(ctx, tok)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(s, want) {
			t.Fatalf("second session: got %+v, want %+v", s, want)
		}
		for k := range s.Response.Answers {
			s.Response.Answers[k][0] = "changed"
		}
		s.Response.PagesDone[0] = "changed"
		s.Measurement.Districts[0].Code = "changed"
		s.Measurement.Status = "changed"
	}
}

// testReadsOwnWrites hammers one link with reads while pages are saved:
// every read after a save returns must show that save.
func testReadsOwnWrites(t *testing.T, h *Harness) {
	db, _ := h.openTest(t)
	ctx := context.Background()
	tok := seed(t, db, "m", 1)[0]
	q := survey.DefaultQuestionnaire()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				db.OpenSession(ctx, tok)
			}
		})
	}
	p := &q.Pages[2] // a domain page of scale items
	for i := range 60 {
		a := survey.Answers{p.Items[0].ID: {strconv.Itoa(1 + i%10)}}
		if _, err := db.SavePage(ctx, tok, survey.PageSave{PageID: p.ID, Answers: a}); err != nil {
			t.Fatal(err)
		}
		s, err := db.OpenSession(ctx, tok)
		if err != nil {
			t.Fatal(err)
		}
		if got := s.Response.Answers[p.Items[0].ID]; !reflect.DeepEqual(got, a[p.Items[0].ID]) {
			t.Fatalf("save %d: read back %v, want %v", i, got, a[p.Items[0].ID])
		}
	}
	close(stop)
	wg.Wait()
}

// testSeesOtherProcesses changes the file through a second handle (a
// second process) and expects the first to see it at once.
func testSeesOtherProcesses(t *testing.T, h *Harness) {
	db, path := h.openTest(t)
	ctx := context.Background()
	tok := seed(t, db, "m", 1)[0]
	q := survey.DefaultQuestionnaire()
	if _, err := db.OpenSession(ctx, tok); err != nil {
		t.Fatal(err)
	}
	other, err := h.reopen(t, path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	p := &q.Pages[0]
	if _, err := other.SavePage(ctx, tok, survey.PageSave{PageID: p.ID, Answers: pageAnswers(p)}); err != nil {
		t.Fatal(err)
	}
	waitFor := func(what string, ok func() bool) {
		t.Helper()
		if !ok() {
			t.Fatalf("%s not seen at once", what)
		}
	}
	waitFor("another process's answers", func() bool {
		s, err := db.OpenSession(ctx, tok)
		return err == nil && s.Response != nil && len(s.Response.Answers) > 0
	})
	if err := other.SetMeasurementStatus(ctx, "m", survey.StatusClosed); err != nil {
		t.Fatal(err)
	}
	waitFor("another process closing the measurement", func() bool {
		_, err := db.OpenSession(ctx, tok)
		return survey.ErrorCode(err) == survey.EGONE
	})
}
