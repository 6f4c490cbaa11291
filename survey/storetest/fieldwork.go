package storetest

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"manyi/survey"
	"manyi/survey/auth"
	"manyi/survey/fieldwork"
	"manyi/survey/sampling"
	"manyi/survey/secret"
	"manyi/survey/setup"
)

func init() {
	register(test{"ImportFrame", testImportFrame}, test{"PurgeContacts", testPurgeContacts},
		test{"DrawIssueLinksAndRelease", testDrawIssueLinksAndRelease}, test{"DispositionsFollowTheResponse", testDispositionsFollowTheResponse},
		test{"QuotaRace", testQuotaRace}, test{"ClaimQuotaIdempotentAndMoves", testClaimQuotaIdempotentAndMoves},
		test{"QuotaUnknownCell", testQuotaUnknownCell}, test{"InterviewerCases", testInterviewerCases}, test{"Exclusions", testExclusions}, test{"ExclusionEvents", testExclusionEvents},
		test{"AAPORFromCallRecord", testAAPORFromCallRecord})
}

// FieldworkMeasurement creates the open measurement "id" of the fieldwork
// tests (districts d1 东城区 and d2), for an adapter's own tests.
func FieldworkMeasurement(t *testing.T, db Store, id string) *survey.Measurement {
	return fwMeasurement(t, db, id)
}

// ContactKey returns a fresh contact key.
func ContactKey(t *testing.T) *secret.Key { return fwKey(t) }

// Phone is the phone number the fieldwork tests give frame unit i.
func Phone(i int) string { return fwPhone(i) }

// fwOpen opens a fresh store whose clock ticks a second per reading from
// 2026-06-01 08:00 UTC.
func (h *Harness) fwOpen(t *testing.T) (Store, string) {
	t.Helper()
	return h.open(t, &Clock{t: time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC), tick: true})
}

// stored is what the store keeps, to search for text that must not be
// there: the adapter's raw bytes (Harness.Raw) when it has them, and
// always every row of the frame, case and invitation tables.
func (h *Harness) stored(t *testing.T, db Store, ref string) []byte {
	t.Helper()
	var b []byte
	if h.Raw != nil {
		b = h.Raw(t, db, ref)
	}
	return append(b, h.dump(t, db, `SELECT * FROM frame_units`, `SELECT * FROM frame_contacts`, `SELECT * FROM frames`,
		`SELECT * FROM cases`, `SELECT * FROM invitations`, `SELECT * FROM case_history`)...)
}

// fwQuestionnaire is the default questionnaire with gender asked in the
// screener, so that the quota cell is known there.
func fwQuestionnaire() *survey.Questionnaire {
	q := survey.DefaultQuestionnaire()
	for i := range q.Pages {
		if q.Pages[i].Kind != "screener" {
			continue
		}
		for j := range q.Pages {
			for k, it := range q.Pages[j].Items {
				if it.Role == "gender" {
					q.Pages[i].Items = append(q.Pages[i].Items, it)
					q.Pages[j].Items = append(q.Pages[j].Items[:k:k], q.Pages[j].Items[k+1:]...)
					return q
				}
			}
		}
	}
	panic("no screener or gender item in the default questionnaire")
}

// fwMeasurement creates an open measurement whose districts are the
// default questionnaire's district codes.
func fwMeasurement(t *testing.T, db Store, id string) *survey.Measurement {
	t.Helper()
	m := &survey.Measurement{
		ID: id, City: survey.Text{Zh: "示例市"}, Title: survey.Text{Zh: "示例市 2026 年测评"}, Year: 2026, Status: survey.StatusOpen,
		Districts: []survey.District{{Code: "d1", Name: survey.Text{Zh: "东城区"}}, {Code: "d2", Name: survey.Text{Zh: "西城区"}}},
	}
	if err := db.CreateMeasurement(context.Background(), m, fwQuestionnaire()); err != nil {
		t.Fatalf("CreateMeasurement: %v", err)
	}
	return m
}

// fwPhone is the phone number of frame unit i.
func fwPhone(i int) string { return fmt.Sprintf("139%08d", 10000000+i*7919%90000000) }

// fwFrame builds a frame of n units per district, every unit with a phone.
func fwFrame(t *testing.T, n int) *sampling.Frame {
	t.Helper()
	var b strings.Builder
	b.WriteString("id,district,gender,age_band,contact\n")
	k := 0
	for _, d := range []string{"东城区", "d2"} {
		for i := 0; i < n; i++ {
			g := []string{"男", "女"}[i%2]
			fmt.Fprintf(&b, "U%04d,%s,%s,%s,%s\n", k, d, g, sampling.AgeBands[i%4], fwPhone(k))
			k++
		}
	}
	f, rowErrs, err := sampling.ReadFrame(strings.NewReader(b.String()), sampling.FrameOptions{Districts: []string{"东城区", "西城区", "d1", "d2"}})
	if err != nil || len(rowErrs) > 0 {
		t.Fatalf("ReadFrame: %v %v", err, rowErrs)
	}
	return f
}

func fwKey(t *testing.T) *secret.Key {
	t.Helper()
	k, err := secret.ParseKey(secret.GenerateKey())
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// fwDraw imports a frame and draws a sample of main n per district with
// a reserve of one batch.
func fwDraw(t *testing.T, db Store, id string, perDistrict, n int, key *secret.Key) *fieldwork.SampleInfo {
	t.Helper()
	ctx := context.Background()
	if _, err := db.ImportFrame(ctx, id, fwFrame(t, perDistrict), 0, key, "frame.csv", "office1"); err != nil {
		t.Fatalf("ImportFrame: %v", err)
	}
	f, err := db.LoadFrame(ctx, id)
	if err != nil {
		t.Fatalf("LoadFrame: %v", err)
	}
	plan := sampling.Plan{Total: 2 * n, Allocation: sampling.Equal, Reserve: 0.5, ReserveBatches: 1}
	alloc, err := sampling.Allocate(plan, f.Counts(sampling.ColDistrict))
	if err != nil {
		t.Fatalf("Allocate: %v", err)
	}
	s, err := sampling.Draw(f, alloc, 42)
	if err != nil {
		t.Fatalf("Draw: %v", err)
	}
	info, err := db.SaveSample(ctx, id, plan, s, f, "office1")
	if err != nil {
		t.Fatalf("SaveSample: %v", err)
	}
	return info
}

// screener answers a resident of district d1, male, aged 35 (30-44).
func screenerSave(q *survey.Questionnaire, gender string) survey.PageSave {
	p := survey.PageSave{PageID: "screener", Answers: survey.Answers{}}
	for _, pg := range q.Pages {
		if pg.ID != "screener" {
			continue
		}
		for _, it := range pg.Items {
			switch it.Role {
			case "age":
				p.Answers[it.ID] = []string{"35"}
			case "district":
				p.Answers[it.ID] = []string{"d1"}
			case "resident":
				p.Answers[it.ID] = []string{"y"}
			case "gender":
				for _, c := range it.Choices {
					if g, _ := sampling.NormalizeGender(c.Label.Zh); g == gender {
						p.Answers[it.ID] = []string{c.Code}
					}
				}
			}
		}
	}
	return p
}

// quotaSetup creates a measurement with n started responses that answered
// the screener as men aged 30-44 in d1, and a d1 male|30-44 cell with
// target places.
func quotaSetup(t *testing.T, h *Harness, n, target int, allowOver bool) (Store, []string) {
	t.Helper()
	db, _ := h.fwOpen(t)
	ctx := context.Background()
	fwMeasurement(t, db, "m")
	if err := db.SetQuotaTargets(ctx, "m", map[string]map[string]int{"d1": {"male|30-44": target, "female|30-44": 5}}); err != nil {
		t.Fatal(err)
	}
	if err := db.SetQuotaAllowOver(ctx, "m", allowOver); err != nil {
		t.Fatal(err)
	}
	toks, err := db.CreateInvitations(ctx, "m", n)
	if err != nil {
		t.Fatal(err)
	}
	q := fwQuestionnaire()
	for _, tok := range toks {
		if _, err := db.SavePage(ctx, tok, screenerSave(q, sampling.GenderMale)); err != nil {
			t.Fatal(err)
		}
	}
	return db, toks
}

func testImportFrame(t *testing.T, h *Harness) {
	db, path := h.fwOpen(t)
	ctx := context.Background()
	fwMeasurement(t, db, "m")
	key := fwKey(t)
	sum, err := db.ImportFrame(ctx, "m", fwFrame(t, 20), 3, key, "frame.csv", "office1")
	if err != nil {
		t.Fatal(err)
	}
	if sum.Units != 40 || sum.Contacts != 40 || sum.Rejected != 3 || sum.Source != "frame.csv" {
		t.Errorf("summary %+v, want 40 units, 40 contacts, 3 rejected", sum)
	}
	f, err := db.LoadFrame(ctx, "m")
	if err != nil {
		t.Fatal(err)
	}
	counts := f.Counts(sampling.ColDistrict)
	if counts["d1"] != 20 || counts["d2"] != 20 || len(counts) != 2 {
		t.Errorf("district counts %v, want d1 and d2 20 each (names stored as codes)", counts)
	}
	if f.Units[0].Contact != "" {
		t.Errorf("LoadFrame returned a contact; drawing never needs one")
	}
	// The phone numbers never reach the file in clear.
	raw := h.stored(t, db, path)
	for i := 0; i < 40; i++ {
		if bytes.Contains(raw, []byte(fwPhone(i))) {
			t.Fatalf("phone number of unit %d found in the database file", i)
		}
	}

	// Importing again replaces the frame.
	if sum, err = db.ImportFrame(ctx, "m", fwFrame(t, 5), 0, key, "frame2.csv", "office1"); err != nil || sum.Units != 10 {
		t.Fatalf("re-import: %+v, %v; want 10 units", sum, err)
	}

	errs := []struct {
		name string
		run  func() error
		code string
		want string
	}{
		{"no key", func() error { _, err := db.ImportFrame(ctx, "m", fwFrame(t, 2), 0, nil, "", ""); return err }, survey.EINVALID, secret.EnvKey},
		{"unknown measurement", func() error { _, err := db.ImportFrame(ctx, "nope", fwFrame(t, 2), 0, key, "", ""); return err }, survey.ENOTFOUND, "nope"},
		{"unknown district", func() error {
			f := fwFrame(t, 2)
			f.Units[1].District = "北区"
			_, err := db.ImportFrame(ctx, "m", f, 0, key, "", "")
			return err
		}, survey.EINVALID, "row 3"},
		{"duplicate id", func() error {
			f := fwFrame(t, 2)
			f.Units[1].ID = f.Units[0].ID
			_, err := db.ImportFrame(ctx, "m", f, 0, key, "", "")
			return err
		}, survey.EINVALID, "row 3: duplicate"},
	}
	for _, tc := range errs {
		err := tc.run()
		if survey.ErrorCode(err) != tc.code || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v (code %s), want code %s mentioning %q", tc.name, err, survey.ErrorCode(err), tc.code, tc.want)
		}
	}
	// A failed import leaves the earlier frame as it was.
	if s, err := db.Frame(ctx, "m"); err != nil || s.Source != "frame2.csv" || s.Units != 10 {
		t.Errorf("after the failed imports: Frame got %+v, %v; want frame2.csv's 10 units", s, err)
	}

	fwDraw(t, db, "m", 10, 4, key)
	_, err = db.ImportFrame(ctx, "m", fwFrame(t, 3), 0, key, "", "")
	if survey.ErrorCode(err) != survey.ECONFLICT {
		t.Errorf("import after drawing: got %v, want ECONFLICT", err)
	}
}

func testPurgeContacts(t *testing.T, h *Harness) {
	db, path := h.fwOpen(t)
	ctx := context.Background()
	fwMeasurement(t, db, "m")
	key := fwKey(t)
	fwDraw(t, db, "m", 10, 4, key)
	cs, err := db.Cases(ctx, fieldwork.CaseFilter{MeasurementID: "m"})
	if err != nil {
		t.Fatal(err)
	}
	c, err := db.CaseContact(ctx, cs[0].ID, key)
	if err != nil || !strings.HasPrefix(c, "139") {
		t.Fatalf("CaseContact before purge: %q, %v; want a phone number", c, err)
	}
	if _, err := db.CaseContact(ctx, cs[0].ID, fwKey(t)); survey.ErrorCode(err) != survey.EINVALID {
		t.Errorf("CaseContact with another key: got %v, want EINVALID", err)
	}
	sealed := h.Rows(t, db, `SELECT sealed FROM frame_contacts`)
	n, err := db.PurgeContacts(ctx, "m", "office1")
	if err != nil || n != 20 {
		t.Fatalf("PurgeContacts: %d, %v; want 20", n, err)
	}
	// No sealed value is left in what the store keeps (for SQLite: the
	// file, after secure_delete and the checkpoint).
	raw := h.stored(t, db, path)
	for _, v := range sealed {
		if bytes.Contains(raw, []byte(v[3:30])) {
			t.Fatalf("a purged sealed contact is still in the database file")
		}
	}
	if c, err := db.CaseContact(ctx, cs[0].ID, key); err != nil || c != "" {
		t.Errorf("CaseContact after purge: %q, %v; want empty", c, err)
	}
	sum, err := db.Frame(ctx, "m")
	if err != nil || sum.Contacts != 0 || sum.PurgedAt == nil || sum.PurgedBy != "office1" || sum.Units != 20 {
		t.Errorf("frame after purge %+v, %v; want 0 contacts, 20 units, purged by office1", sum, err)
	}
	after, err := db.Cases(ctx, fieldwork.CaseFilter{MeasurementID: "m"})
	if err != nil || len(after) != len(cs) {
		t.Errorf("cases after purge: %d, %v; want %d kept", len(after), err, len(cs))
	}
}

func testDrawIssueLinksAndRelease(t *testing.T, h *Harness) {
	db, _ := h.fwOpen(t)
	ctx := context.Background()
	fwMeasurement(t, db, "m")
	key := fwKey(t)
	info := fwDraw(t, db, "m", 10, 4, key)
	// 4 main + 2 reserve per district.
	if info.Cases != 12 || info.Batches != 1 || info.Seed != 42 || info.Alloc.Total != 8 {
		t.Fatalf("sample %+v, want 12 cases, 1 batch, seed 42, total 8", info)
	}
	if _, err := db.SaveSample(ctx, "m", info.Plan, &sampling.Sample{}, nil, ""); survey.ErrorCode(err) != survey.ECONFLICT {
		t.Errorf("second SaveSample: got %v, want ECONFLICT", err)
	}
	released, err := db.Cases(ctx, fieldwork.CaseFilter{MeasurementID: "m", ReleasedOnly: true})
	if err != nil || len(released) != 8 {
		t.Fatalf("released cases %d, %v; want 8", len(released), err)
	}
	// The overview's figures: the reserve is drawn but not released, and
	// each released case has its invitation.
	want := setup.Counts{Cases: 12, Released: 8, Invited: 8, Invitations: 8}
	if c, err := db.SetupCounts(ctx, "m"); err != nil || *c != want {
		t.Errorf("SetupCounts after the draw: %+v, %v; want %+v", c, err, want)
	}
	for _, c := range released {
		if c.InvitationID == 0 || c.Disposition != sampling.DispNotSent || c.Weight != 2.5 || c.Prob != 0.4 {
			t.Errorf("case %s: %+v; want an invitation, not_sent, weight 10/4", c.UnitID, c)
		}
	}

	links, err := db.IssueLinks(ctx, "m", fieldwork.LinkSelection{WithContact: true, Districts: []string{"d1"}}, key, "office1")
	if err != nil || len(links) != 4 {
		t.Fatalf("IssueLinks d1: %d links, %v; want 4", len(links), err)
	}
	for _, l := range links {
		if !strings.HasPrefix(l.Contact, "139") || l.District != "d1" {
			t.Errorf("link %+v: want a d1 case with its phone", l)
		}
		s, err := db.OpenSession(ctx, l.Token)
		if err != nil || s.Invitation.CaseID != l.UnitID {
			t.Errorf("OpenSession(link of %s): %v", l.UnitID, err)
		}
	}
	again, err := db.IssueLinks(ctx, "m", fieldwork.LinkSelection{Districts: []string{"d1"}}, nil, "office1")
	if err != nil || len(again) != 0 {
		t.Errorf("IssueLinks again without resend: %d, %v; want none", len(again), err)
	}
	resent, err := db.IssueLinks(ctx, "m", fieldwork.LinkSelection{Dispositions: []string{sampling.DispSent}, CaseIDs: []int64{links[0].CaseID}}, nil, "office1")
	if err != nil || len(resent) != 1 {
		t.Fatalf("resend: %d, %v; want 1", len(resent), err)
	}
	if _, err := db.OpenSession(ctx, links[0].Token); survey.ErrorCode(err) != survey.ENOTFOUND {
		t.Errorf("old link after resend: got %v, want ENOTFOUND", err)
	}
	hist, err := db.CaseHistory(ctx, links[0].CaseID)
	if err != nil || len(hist) != 2 || hist[0].From != sampling.DispNotSent || hist[0].To != sampling.DispSent || hist[0].By != "office1" || hist[1].To != sampling.DispSent {
		t.Errorf("history %+v, %v; want not_sent→sent then a resend entry", hist, err)
	}
	if _, err := db.IssueLinks(ctx, "m", fieldwork.LinkSelection{Dispositions: []string{sampling.DispComplete}}, nil, ""); survey.ErrorCode(err) != survey.EINVALID {
		t.Errorf("IssueLinks for complete cases: got %v, want EINVALID", err)
	}

	b, err := db.ReleaseBatch(ctx, "m", "office1")
	if err != nil || b != 1 {
		t.Fatalf("ReleaseBatch: %d, %v; want 1", b, err)
	}
	all, err := db.Cases(ctx, fieldwork.CaseFilter{MeasurementID: "m", ReleasedOnly: true})
	if err != nil || len(all) != 12 {
		t.Fatalf("released after batch 1: %d, %v; want 12", len(all), err)
	}
	sum := map[string]float64{}
	for _, c := range all {
		sum[c.District] += c.Weight
		if c.InvitationID == 0 {
			t.Errorf("case %s released without an invitation", c.UnitID)
		}
	}
	for d, s := range sum {
		// sampling.Weights: 6 released of N_h = 10, weights add up to N_h.
		if math.Abs(s-10) > 1e-9 {
			t.Errorf("district %s: released weights add up to %g, want 10", d, s)
		}
	}
	if _, err := db.ReleaseBatch(ctx, "m", "office1"); survey.ErrorCode(err) != survey.ECONFLICT {
		t.Errorf("ReleaseBatch past the last: got %v, want ECONFLICT", err)
	}
}

func testDispositionsFollowTheResponse(t *testing.T, h *Harness) {
	db, _ := h.fwOpen(t)
	ctx := context.Background()
	fwMeasurement(t, db, "m")
	key := fwKey(t)
	fwDraw(t, db, "m", 10, 4, key)
	links, err := db.IssueLinks(ctx, "m", fieldwork.LinkSelection{Limit: 1}, nil, "office1")
	if err != nil || len(links) != 1 {
		t.Fatalf("IssueLinks: %v", err)
	}
	tok, id := links[0].Token, links[0].CaseID
	disp := func(want string) {
		t.Helper()
		c, err := db.Case(ctx, id)
		if err != nil || c.Disposition != want {
			t.Fatalf("disposition %q, %v; want %q", c.Disposition, err, want)
		}
	}
	if _, err := db.StartResponse(ctx, tok, survey.ModeWeb, "mobile"); err != nil {
		t.Fatal(err)
	}
	disp(sampling.DispOpened)
	q := fwQuestionnaire()
	if _, err := db.SavePage(ctx, tok, survey.PageSave{PageID: "welcome", Answers: survey.Answers{"consent": {"y"}}, Next: "screener"}); err != nil {
		t.Fatal(err)
	}
	disp(sampling.DispOpened)
	if _, err := db.SavePage(ctx, tok, screenerSave(q, sampling.GenderMale)); err != nil {
		t.Fatal(err)
	}
	disp(sampling.DispPartial)
	if _, err := db.Finish(ctx, tok, survey.RespSubmitted); err != nil {
		t.Fatal(err)
	}
	disp(sampling.DispComplete)
	if err := db.SetDisposition(ctx, id, sampling.DispRefused, "office1", ""); survey.ErrorCode(err) != survey.ECONFLICT {
		t.Errorf("SetDisposition on a complete case: got %v, want ECONFLICT", err)
	}
	hist, err := db.CaseHistory(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range hist {
		got = append(got, c.From+">"+c.To+"@"+c.By)
	}
	want := "not_sent>sent@office1 sent>opened@resident opened>partial@resident partial>complete@resident"
	if strings.Join(got, " ") != want {
		t.Errorf("history\n got %s\nwant %s", strings.Join(got, " "), want)
	}
	for i := 1; i < len(hist); i++ {
		if hist[i].At.Before(hist[i-1].At) {
			t.Errorf("history entry %d at %v is before the one before it (%v)", i, hist[i].At, hist[i-1].At)
		}
	}
}

func testQuotaRace(t *testing.T, h *Harness) {
	for _, tc := range []struct {
		name      string
		allowOver bool
		wantOK    int
	}{
		{"at target", false, 3},
		{"over allowed", true, 50},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			// 50 residents race for the last 3 places: the cell already
			// holds 7 of its 10.
			db, toks := quotaSetup(t, h, 57, 10, tc.allowOver)
			for _, tok := range toks[:7] {
				if c, err := db.ClaimQuota(ctx, tok); err != nil || c.Full {
					t.Fatalf("claim before the race: %+v, %v", c, err)
				}
			}
			racers := toks[7:]
			claims := make([]*fieldwork.QuotaClaim, len(racers))
			errs := make([]error, len(racers))
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i, tok := range racers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					claims[i], errs[i] = db.ClaimQuota(ctx, tok)
				}()
			}
			close(start)
			wg.Wait()
			ok, full := 0, 0
			for i := range racers {
				if errs[i] != nil {
					t.Fatalf("racer %d: %v", i, errs[i])
				}
				if !claims[i].Checked || claims[i].District != "d1" || claims[i].Cell != "male|30-44" {
					t.Fatalf("racer %d: claim %+v, want the d1 male|30-44 cell", i, claims[i])
				}
				if claims[i].Full {
					full++
				} else {
					ok++
				}
			}
			if ok != tc.wantOK || full != len(racers)-tc.wantOK {
				t.Errorf("got %d places and %d full, want %d and %d", ok, full, tc.wantOK, len(racers)-tc.wantOK)
			}
			qs, err := db.Quotas(ctx, "m")
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range qs.Cells {
				if c.Cell != "male|30-44" {
					continue
				}
				if want := 7 + tc.wantOK; c.Count != want {
					t.Errorf("cell count %d, want %d", c.Count, want)
				}
				if !tc.allowOver && c.Count > c.Target {
					t.Errorf("cell count %d went over its target %d", c.Count, c.Target)
				}
			}
			if quotaFull := h.count(t, db, `SELECT count(*) FROM responses WHERE status = 'quota_full'`); quotaFull != full {
				t.Errorf("%d responses are quota_full, want %d", quotaFull, full)
			}
		})
	}
}

func testClaimQuotaIdempotentAndMoves(t *testing.T, h *Harness) {
	ctx := context.Background()
	db, toks := quotaSetup(t, h, 2, 1, false)
	for i := 0; i < 3; i++ {
		if c, err := db.ClaimQuota(ctx, toks[0]); err != nil || c.Full || !c.Checked {
			t.Fatalf("claim %d of the same resident: %+v, %v; want the place kept", i, c, err)
		}
	}
	// The resident corrects the screener to female: the male place is
	// given back and the second resident can take it.
	if _, err := db.SavePage(ctx, toks[0], screenerSave(fwQuestionnaire(), sampling.GenderFemale)); err != nil {
		t.Fatal(err)
	}
	if c, err := db.ClaimQuota(ctx, toks[0]); err != nil || c.Full || c.Cell != "female|30-44" {
		t.Fatalf("claim after the change: %+v, %v; want female|30-44", c, err)
	}
	if c, err := db.ClaimQuota(ctx, toks[1]); err != nil || c.Full {
		t.Fatalf("second resident: %+v, %v; want the freed male place", c, err)
	}
	qs, _ := db.Quotas(ctx, "m")
	for _, c := range qs.Cells {
		if c.Count != 1 {
			t.Errorf("cell %s count %d, want 1", c.Cell, c.Count)
		}
	}
	if _, err := db.Finish(ctx, toks[1], survey.RespSubmitted); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ClaimQuota(ctx, toks[1]); survey.ErrorCode(err) != survey.ECONFLICT {
		t.Errorf("claim after submission: got %v, want ECONFLICT", err)
	}
	qs, _ = db.Quotas(ctx, "m")
	for _, c := range qs.Cells {
		if want := map[string]int{"male|30-44": 1}[c.Cell]; c.Completes != want || c.Shortfall() != c.Target-want {
			t.Errorf("cell %s: %d completes, shortfall %d; want %d, %d", c.Cell, c.Completes, c.Shortfall(), want, c.Target-want)
		}
	}
}

func testQuotaUnknownCell(t *testing.T, h *Harness) {
	ctx := context.Background()
	db, _ := h.fwOpen(t)
	fwMeasurement(t, db, "m")
	toks, _ := db.CreateInvitations(ctx, "m", 2)
	// No cells at all: no check.
	if _, err := db.SavePage(ctx, toks[0], screenerSave(fwQuestionnaire(), sampling.GenderMale)); err != nil {
		t.Fatal(err)
	}
	if c, err := db.ClaimQuota(ctx, toks[0]); err != nil || c.Checked {
		t.Errorf("no quota cells: %+v, %v; want unchecked", c, err)
	}
	if err := db.SetQuotaTargets(ctx, "m", map[string]map[string]int{"d1": {"male|30-44": 0}}); err != nil {
		t.Fatal(err)
	}
	// Gender not answered (and no frame): no check.
	p := screenerSave(fwQuestionnaire(), "")
	if _, err := db.SavePage(ctx, toks[1], p); err != nil {
		t.Fatal(err)
	}
	if c, err := db.ClaimQuota(ctx, toks[1]); err != nil || c.Checked || c.Full {
		t.Errorf("unknown gender: %+v, %v; want unchecked", c, err)
	}
	// A target of 0 is full at once, and a session read before (and
	// cached) shows the new status.
	if _, err := db.OpenSession(ctx, toks[0]); err != nil {
		t.Fatal(err)
	}
	if c, err := db.ClaimQuota(ctx, toks[0]); err != nil || !c.Full {
		t.Errorf("target 0: %+v, %v; want full", c, err)
	}
	if s, err := db.OpenSession(ctx, toks[0]); err != nil || s.Response.Status != survey.RespQuotaFull {
		t.Errorf("session after a full cell: %+v, %v; want status quota_full", s.Response, err)
	}
	for _, bad := range []map[string]map[string]int{{"zz": {"male|30-44": 1}}, {"d1": {"male|30-40": 1}}, {"d1": {"male|30-44": -1}}} {
		if err := db.SetQuotaTargets(ctx, "m", bad); survey.ErrorCode(err) != survey.EINVALID {
			t.Errorf("SetQuotaTargets(%v): got %v, want EINVALID", bad, err)
		}
	}
}

func testInterviewerCases(t *testing.T, h *Harness) {
	db, _ := h.fwOpen(t)
	ctx := context.Background()
	fwMeasurement(t, db, "m")
	key := fwKey(t)
	fwDraw(t, db, "m", 10, 4, key)
	for _, u := range []struct {
		name string
		role auth.Role
	}{{"wang", auth.RoleInterviewer}, {"liu", auth.RoleInterviewer}, {"stat", auth.RoleStatistician}} {
		if _, err := db.CreateUser(ctx, u.name, u.role, "$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo"); err != nil {
			t.Fatal(err)
		}
	}
	cs, _ := db.Cases(ctx, fieldwork.CaseFilter{MeasurementID: "m", ReleasedOnly: true})
	if n, err := db.AssignCases(ctx, "m", []int64{cs[0].ID, cs[1].ID}, "wang"); err != nil || n != 2 {
		t.Fatalf("AssignCases: %d, %v", n, err)
	}
	if _, err := db.AssignCases(ctx, "m", []int64{cs[2].ID}, "stat"); survey.ErrorCode(err) != survey.EINVALID {
		t.Errorf("assign to a statistician: got %v, want EINVALID", err)
	}
	mine, err := db.Cases(ctx, fieldwork.CaseFilter{MeasurementID: "m", Interviewer: "wang"})
	if err != nil || len(mine) != 2 {
		t.Fatalf("wang's cases: %d, %v; want 2", len(mine), err)
	}

	cb := time.Date(2026, 6, 2, 19, 0, 0, 0, time.UTC)
	steps := []struct {
		who, outcome string
		cb           *time.Time
		code, disp   string
	}{
		{"liu", fieldwork.OutcomeNoAnswer, nil, survey.EFORBIDDEN, sampling.DispNotSent},
		{"wang", "hung_up", nil, survey.EINVALID, sampling.DispNotSent},
		{"wang", fieldwork.OutcomeCallback, nil, survey.EINVALID, sampling.DispNotSent},
		{"wang", fieldwork.OutcomeNoAnswer, nil, "", sampling.DispSent},
		{"wang", fieldwork.OutcomeBusy, nil, "", sampling.DispSent},
		{"wang", fieldwork.OutcomeCallback, &cb, "", sampling.DispOpened},
		{"wang", fieldwork.OutcomeCompleted, nil, survey.EINVALID, sampling.DispOpened},
	}
	for i, s := range steps {
		_, err := db.RecordAttempt(ctx, fieldwork.CallAttempt{CaseID: cs[0].ID, Interviewer: s.who, Outcome: s.outcome, CallbackAt: s.cb})
		if survey.ErrorCode(err) != s.code {
			t.Fatalf("step %d (%s %s): got %v, want code %q", i, s.who, s.outcome, err, s.code)
		}
		c, _ := db.Case(ctx, cs[0].ID)
		if c.Disposition != s.disp {
			t.Fatalf("step %d: disposition %s, want %s", i, c.Disposition, s.disp)
		}
	}
	c, _ := db.Case(ctx, cs[0].ID)
	if c.Attempts != 3 || c.LastOutcome != fieldwork.OutcomeCallback || c.CallbackAt == nil || !c.CallbackAt.Equal(cb) {
		t.Errorf("case after attempts: %d attempts, last %s at %v; want 3, callback at %v", c.Attempts, c.LastOutcome, c.CallbackAt, cb)
	}

	if _, _, err := db.StartInterview(ctx, cs[0].ID, "liu", survey.ModePhone); survey.ErrorCode(err) != survey.EFORBIDDEN {
		t.Errorf("StartInterview by another interviewer: got %v, want EFORBIDDEN", err)
	}
	tok, r, err := db.StartInterview(ctx, cs[0].ID, "wang", survey.ModePhone)
	if err != nil {
		t.Fatal(err)
	}
	if s, err := db.OpenSession(ctx, tok); err != nil || s.Response.Mode != survey.ModePhone || s.Response.Interviewer != "wang" {
		t.Errorf("session of the interview: %+v, %v; want mode phone, interviewer wang", s.Response, err)
	}
	if r.Mode != survey.ModePhone || r.Interviewer != "wang" {
		t.Errorf("response mode %q interviewer %q, want phone, wang", r.Mode, r.Interviewer)
	}
	if _, err := db.SavePage(ctx, tok, screenerSave(fwQuestionnaire(), sampling.GenderMale)); err != nil {
		t.Fatal(err)
	}
	// Resuming gives a new token; the old one stops working.
	tok2, r2, err := db.StartInterview(ctx, cs[0].ID, "wang", survey.ModePhone)
	if err != nil || r2.ID != r.ID || len(r2.PagesDone) != 1 {
		t.Fatalf("resume: %+v, %v; want the same response with its page", r2, err)
	}
	if _, err := db.OpenSession(ctx, tok); survey.ErrorCode(err) != survey.ENOTFOUND {
		t.Errorf("old interview token: got %v, want ENOTFOUND", err)
	}
	if _, err := db.Finish(ctx, tok2, survey.RespSubmitted); err != nil {
		t.Fatal(err)
	}
	if _, err := db.RecordAttempt(ctx, fieldwork.CallAttempt{CaseID: cs[0].ID, Interviewer: "wang", Outcome: fieldwork.OutcomeCompleted}); err != nil {
		t.Errorf("completed after submission: %v", err)
	}
	hist, _ := db.CaseHistory(ctx, cs[0].ID)
	if last := hist[len(hist)-1]; last.To != sampling.DispComplete || last.By != "wang" {
		t.Errorf("last history entry %+v, want complete by wang", last)
	}
	if _, _, err := db.StartInterview(ctx, cs[0].ID, "wang", survey.ModePhone); survey.ErrorCode(err) != survey.ECONFLICT {
		t.Errorf("StartInterview after submission: got %v, want ECONFLICT", err)
	}
	as, err := db.Attempts(ctx, cs[0].ID)
	if err != nil || len(as) != 4 {
		t.Errorf("attempts %d, %v; want 4", len(as), err)
	}
	// A refusal on the other case.
	if _, err := db.RecordAttempt(ctx, fieldwork.CallAttempt{CaseID: cs[1].ID, Interviewer: "wang", Outcome: fieldwork.OutcomeRefused}); err != nil {
		t.Fatal(err)
	}
	p, err := db.FieldworkProgress(ctx, "m")
	if err != nil {
		t.Fatal(err)
	}
	if p.Overall.Complete != 1 || p.Overall.Refused != 1 || p.Overall.NotSent != 6 || p.Modes[survey.ModePhone] != 1 || len(p.PerDay) != 1 || p.PerDay[0].Count != 1 {
		t.Errorf("progress %+v, want 1 complete, 1 refused, 6 not sent, 1 phone complete on one day", p)
	}
	if p.Districts[0].District != "d1" || p.Districts[0].Released+p.Districts[1].Released != 8 {
		t.Errorf("district progress %+v, want d1 first and 8 released", p.Districts)
	}
}

func testExclusions(t *testing.T, h *Harness) {
	db, _ := h.fwOpen(t)
	ctx := context.Background()
	fwMeasurement(t, db, "m")
	toks, _ := db.CreateInvitations(ctx, "m", 2)
	r, err := db.Finish(ctx, toks[0], survey.RespSubmitted)
	if err != nil {
		t.Fatal(err)
	}
	open, err := db.StartResponse(ctx, toks[1], survey.ModeWeb, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exclude(ctx, open.ID, "speeder", "stat"); survey.ErrorCode(err) != survey.EINVALID {
		t.Errorf("exclude an unfinished response: got %v, want EINVALID", err)
	}
	if _, err := db.Exclude(ctx, r.ID, "  ", "stat"); survey.ErrorCode(err) != survey.EINVALID {
		t.Errorf("exclude without a reason: got %v, want EINVALID", err)
	}
	e, err := db.Exclude(ctx, r.ID, "答题时间过短 speeder", "stat")
	if err != nil || !e.Active() || e.By != "stat" {
		t.Fatalf("Exclude: %+v, %v", e, err)
	}
	if _, err := db.Exclude(ctx, r.ID, "again", "stat"); survey.ErrorCode(err) != survey.ECONFLICT {
		t.Errorf("exclude twice: got %v, want ECONFLICT", err)
	}
	if ex, _ := db.ExcludedResponses(ctx, "m"); !ex[r.ID] || len(ex) != 1 {
		t.Errorf("excluded %v, want only %d", ex, r.ID)
	}
	back, err := db.Restore(ctx, r.ID, "stat2", "checked the paradata")
	if err != nil || back.Active() || back.RevertedBy != "stat2" {
		t.Fatalf("Restore: %+v, %v", back, err)
	}
	if _, err := db.Restore(ctx, r.ID, "stat2", ""); survey.ErrorCode(err) != survey.ENOTFOUND {
		t.Errorf("restore twice: got %v, want ENOTFOUND", err)
	}
	if ex, _ := db.ExcludedResponses(ctx, "m"); len(ex) != 0 {
		t.Errorf("excluded after restore %v, want none", ex)
	}
	if _, err := db.Exclude(ctx, r.ID, "duplicate", "stat"); err != nil {
		t.Errorf("exclude again after restore: %v", err)
	}
	all, err := db.Exclusions(ctx, "m")
	if err != nil || len(all) != 2 || all[0].Active() || !all[1].Active() {
		t.Errorf("exclusions %+v, %v; want the reverted one and the active one", all, err)
	}
	done, err := db.CompletedResponses(ctx, "m")
	if err != nil || len(done) != 1 || done[0].ID != r.ID {
		t.Errorf("completed %+v, %v; want the one submitted response", done, err)
	}
}

// testAAPORFromCallRecord records call outcomes and checks that the
// monitor's counts (FieldworkProgress) and the report's (Fieldwork) put
// open cases in AAPOR's non-contact and other groups from the latest call
// that reached anyone (fieldwork.AAPORDisposition), issue 13 finding 6.
func testAAPORFromCallRecord(t *testing.T, h *Harness) {
	db, _ := h.fwOpen(t)
	ctx := context.Background()
	fwMeasurement(t, db, "m")
	fwDraw(t, db, "m", 10, 4, fwKey(t))
	if _, err := db.CreateUser(ctx, "wang", auth.RoleInterviewer, "$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo"); err != nil {
		t.Fatal(err)
	}
	cs, _ := db.Cases(ctx, fieldwork.CaseFilter{MeasurementID: "m", ReleasedOnly: true})
	if len(cs) != 8 {
		t.Fatalf("%d released cases, want 8", len(cs))
	}
	ids := []int64{}
	for _, c := range cs[:6] {
		ids = append(ids, c.ID)
	}
	if _, err := db.AssignCases(ctx, "m", ids, "wang"); err != nil {
		t.Fatal(err)
	}
	cb := time.Date(2026, 6, 2, 11, 0, 0, 0, time.UTC)
	for i, outcomes := range [][]string{
		{fieldwork.OutcomeNoAnswer, fieldwork.OutcomeNotAvailable, fieldwork.OutcomeBusy}, // NC: busy after it says nothing new
		{fieldwork.OutcomeNotAvailable, fieldwork.OutcomeCallback},                        // UO: the later call-back reached someone
		{fieldwork.OutcomeUnable},                              // O
		{fieldwork.OutcomeNoAnswer, fieldwork.OutcomeLanguage}, // O
		{fieldwork.OutcomeRefused, fieldwork.OutcomeLanguage},  // R: a refusal is not undone
		{fieldwork.OutcomeNoAnswer},                            // UH (sent)
	} {
		for _, o := range outcomes {
			a := fieldwork.CallAttempt{CaseID: cs[i].ID, Interviewer: "wang", Outcome: o}
			if o == fieldwork.OutcomeCallback {
				a.CallbackAt = &cb
			}
			if _, err := db.RecordAttempt(ctx, a); err != nil {
				t.Fatalf("case %d, outcome %s: %v", i, o, err)
			}
		}
	}
	want := sampling.DispositionCounts{NonContact: 1, Opened: 1, Other: 2, Refused: 1, Sent: 1, NotSent: 2}
	p, err := db.FieldworkProgress(ctx, "m")
	if err != nil {
		t.Fatal(err)
	}
	if p.Overall != want {
		t.Errorf("FieldworkProgress: %+v, want %+v", p.Overall, want)
	}
	if a := p.Overall.AAPOR(); a != (sampling.AAPORCounts{R: 1, NC: 1, O: 2, UH: 3, UO: 1}) {
		t.Errorf("AAPOR counts %+v, want R 1, NC 1, O 2, UH 3, UO 1", a)
	}
	fw, err := db.Fieldwork(ctx, "m")
	if err != nil {
		t.Fatal(err)
	}
	var all sampling.DispositionCounts
	for _, c := range fw.Dispositions {
		all.NotSent += c.NotSent
		all.Sent += c.Sent
		all.Opened += c.Opened
		all.Refused += c.Refused
		all.NonContact += c.NonContact
		all.Other += c.Other
	}
	if all != want {
		t.Errorf("Fieldwork dispositions: %+v, want %+v", all, want)
	}
}

// CheckFrameChunks imports a frame of n units into a new fieldwork
// measurement "m" of db, every third unit without a phone, and checks
// that every unit comes back in file order with its district code and
// that every phone (and only those) is stored sealed under its own unit:
// all of them counted through raw, and the units at positions edges (an
// adapter's chunk and INSERT-group edges) opened one by one. An adapter
// picks n and edges from its own chunk sizes.
func CheckFrameChunks(t *testing.T, db Store, raw *sql.DB, n int, edges []int) {
	t.Helper()
	ctx := context.Background()
	FieldworkMeasurement(t, db, "m")
	key := ContactKey(t)
	f := &sampling.Frame{Header: []string{sampling.ColID, sampling.ColDistrict, sampling.ColContact}}
	phones := 0
	for i := range n {
		u := sampling.Unit{ID: fmt.Sprintf("Z%06d", i), District: []string{"东城区", "d2"}[i%2], Gender: sampling.GenderFemale, AgeBand: "45-59", Row: i + 2}
		if i%3 != 0 {
			u.Contact = Phone(i)
			phones++
		}
		f.Units = append(f.Units, u)
	}
	sum, err := db.ImportFrame(ctx, "m", f, 0, key, "big.csv", "office1")
	if err != nil {
		t.Fatal(err)
	}
	if sum.Units != n || sum.Contacts != phones {
		t.Errorf("summary %d units, %d contacts; want %d, %d", sum.Units, sum.Contacts, n, phones)
	}
	got, err := db.LoadFrame(ctx, "m")
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Units) != n {
		t.Fatalf("LoadFrame: %d units, want %d", len(got.Units), n)
	}
	for i, u := range got.Units {
		want := []string{"d1", "d2"}[i%2]
		if u.ID != f.Units[i].ID || u.Row != i+2 || u.District != want || u.Gender != sampling.GenderFemale || u.AgeBand != "45-59" {
			t.Fatalf("unit %d: got %+v, want id %s row %d district %s", i, u, f.Units[i].ID, i+2, want)
		}
	}
	var stored int
	if err := raw.QueryRow(`SELECT count(*) FROM frame_contacts WHERE measurement_id = 'm'`).Scan(&stored); err != nil || stored != phones {
		t.Errorf("frame_contacts holds %d (%v), want %d", stored, err, phones)
	}
	for _, i := range edges {
		var sealed string
		// The unit ids are Z and digits: safe to write into the text.
		err := raw.QueryRow(`SELECT sealed FROM frame_contacts WHERE measurement_id = 'm' AND unit_id = '` + f.Units[i].ID + `'`).Scan(&sealed)
		if i%3 == 0 {
			if err != sql.ErrNoRows {
				t.Errorf("unit %d has no phone but a stored contact (%v)", i, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("unit %d: %v", i, err)
		}
		if p, err := key.Open(sealed); err != nil || p != Phone(i) {
			t.Errorf("unit %d: contact opens to another number (%v)", i, err)
		}
	}
}

// testExclusionEvents: the Fieldwork summary's ExclusionEvents changes with
// every exclusion and restore, also when the counts by reason come out the
// same (moving a "speeder" exclusion from one response to another), so the
// results cache's stamp (workspace.DataStamp) never keeps stale numbers.
func testExclusionEvents(t *testing.T, h *Harness) {
	db, _ := h.fwOpen(t)
	ctx := context.Background()
	fwMeasurement(t, db, "m")
	toks, _ := db.CreateInvitations(ctx, "m", 2)
	var ids []int64
	for _, tok := range toks {
		r, err := db.Finish(ctx, tok, survey.RespSubmitted)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, r.ID)
	}
	events := func() (int64, []fieldwork.ExclusionCount) {
		t.Helper()
		fw, err := db.Fieldwork(ctx, "m")
		if err != nil {
			t.Fatal(err)
		}
		return fw.ExclusionEvents, fw.Exclusions
	}
	if n, _ := events(); n != 0 {
		t.Errorf("events before any exclusion: %d, want 0", n)
	}
	if _, err := db.Exclude(ctx, ids[0], "speeder", "stat"); err != nil {
		t.Fatal(err)
	}
	first, counts1 := events()
	if _, err := db.Restore(ctx, ids[0], "stat", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exclude(ctx, ids[1], "speeder", "stat"); err != nil {
		t.Fatal(err)
	}
	second, counts2 := events()
	if fmt.Sprint(counts1) != fmt.Sprint(counts2) {
		t.Fatalf("counts %v and %v, want the same (one speeder)", counts1, counts2)
	}
	if first != 1 || second != 3 {
		t.Errorf("events %d then %d, want 1 then 3 (exclude; restore and exclude)", first, second)
	}
}
