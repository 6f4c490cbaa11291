package storetest

import (
	"context"
	"testing"

	"manyi/survey"
	"manyi/survey/auth"
	"manyi/survey/fieldwork"
	"manyi/survey/sampling"
)

// The office's setup steps (issue 10): redraw before any link, reminder
// links that resume, per-district reserve release, the archive and no
// call attempts once fieldwork has closed.
func init() {
	register(
		test{"OfficeDiscardSampleOnlyBeforeLinks", testOfficeDiscardSampleOnlyBeforeLinks},
		test{"OfficeReminderLinksResume", testOfficeReminderLinksResume},
		test{"OfficeReleaseStratumBatch", testOfficeReleaseStratumBatch},
		test{"OfficeArchiveAndClosedFieldwork", testOfficeArchiveAndClosedFieldwork},
	)
}

// officeDB is a store with the office's setup methods (every adapter has
// them: fieldwork.OfficeStore is part of Store).
type officeDB = Store

// officeStore opens a fresh store.
func officeStore(t *testing.T, h *Harness) officeDB {
	t.Helper()
	s, _ := h.fwOpen(t)
	return s
}

func testOfficeDiscardSampleOnlyBeforeLinks(t *testing.T, h *Harness) {
	db := officeStore(t, h)
	ctx := context.Background()
	fwMeasurement(t, db, "m")
	key := fwKey(t)
	fwDraw(t, db, "m", 10, 4, key)
	if err := db.DiscardSample(ctx, "m", "office1"); err != nil {
		t.Fatalf("DiscardSample before any link: %v", err)
	}
	if _, err := db.Sample(ctx, "m"); survey.ErrorCode(err) != survey.ENOTFOUND {
		t.Fatalf("Sample after discard: %v, want ENOTFOUND", err)
	}
	if rows := h.Rows(t, db, `SELECT count(*) FROM invitations WHERE measurement_id = 'm'`); len(rows) != 1 || rows[0] != "0" {
		t.Errorf("invitations left after discard: %v, want 0", rows)
	}
	// Drawn again (the frame stays), then a link is issued: no more redraws.
	f, _ := db.LoadFrame(ctx, "m")
	plan := sampling.Plan{Total: 8, Allocation: sampling.Equal}
	alloc, _ := sampling.Allocate(plan, f.Counts(sampling.ColDistrict))
	s, _ := sampling.Draw(f, alloc, 7)
	if _, err := db.SaveSample(ctx, "m", plan, s, f, "office1"); err != nil {
		t.Fatalf("SaveSample after discard: %v", err)
	}
	if _, err := db.IssueLinks(ctx, "m", fieldwork.LinkSelection{Limit: 1}, nil, "office1"); err != nil {
		t.Fatal(err)
	}
	if err := db.DiscardSample(ctx, "m", "office1"); survey.ErrorCode(err) != survey.ECONFLICT {
		t.Errorf("DiscardSample after a link: %v, want ECONFLICT", err)
	}
}

func testOfficeReminderLinksResume(t *testing.T, h *Harness) {
	db := officeStore(t, h)
	ctx := context.Background()
	fwMeasurement(t, db, "m")
	key := fwKey(t)
	fwDraw(t, db, "m", 10, 4, key)
	links, err := db.IssueLinks(ctx, "m", fieldwork.LinkSelection{WithContact: true, Limit: 3}, key, "office1")
	if err != nil || len(links) != 3 {
		t.Fatalf("IssueLinks: %d, %v", len(links), err)
	}
	// Case 0 opens its link, case 1 completes, case 2 stays sent.
	r0, err := db.StartResponse(ctx, links[0].Token, survey.ModeWeb, "mobile")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.StartResponse(ctx, links[1].Token, survey.ModeWeb, "mobile"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Finish(ctx, links[1].Token, survey.RespSubmitted); err != nil {
		t.Fatal(err)
	}
	rem, err := db.IssueLinks(ctx, "m", fieldwork.LinkSelection{WithContact: true, Dispositions: fieldwork.ReminderDispositions}, key, "office1")
	if err != nil {
		t.Fatal(err)
	}
	got := map[int64]string{}
	for _, l := range rem {
		got[l.CaseID] = l.Token
		if l.Contact == "" {
			t.Errorf("reminder for case %d has no contact", l.CaseID)
		}
	}
	if len(rem) != 2 || got[links[0].CaseID] == "" || got[links[2].CaseID] == "" || got[links[1].CaseID] != "" {
		t.Fatalf("reminders went to %v; want cases %d and %d, not the completed %d", got, links[0].CaseID, links[2].CaseID, links[1].CaseID)
	}
	if _, err := db.OpenSession(ctx, links[0].Token); survey.ErrorCode(err) != survey.ENOTFOUND {
		t.Errorf("the old link after a reminder: %v, want ENOTFOUND", err)
	}
	s, err := db.OpenSession(ctx, got[links[0].CaseID])
	if err != nil || s.Response == nil || s.Response.ID != r0.ID {
		t.Errorf("the reminder link does not resume response %d: %+v, %v", r0.ID, s, err)
	}
	c, _ := db.Case(ctx, links[0].CaseID)
	if c.Disposition != sampling.DispOpened {
		t.Errorf("disposition after a reminder: %s, want opened", c.Disposition)
	}
}

func testOfficeReleaseStratumBatch(t *testing.T, h *Harness) {
	db := officeStore(t, h)
	ctx := context.Background()
	fwMeasurement(t, db, "m")
	fwDraw(t, db, "m", 10, 4, fwKey(t)) // 4 main + 2 reserve (1 batch) per district, N_h 10
	b, err := db.ReleaseStratumBatch(ctx, "m", "d1", "office1")
	if err != nil || b != 1 {
		t.Fatalf("ReleaseStratumBatch: %d, %v", b, err)
	}
	if _, err := db.ReleaseStratumBatch(ctx, "m", "d1", "office1"); survey.ErrorCode(err) != survey.ECONFLICT {
		t.Errorf("second release in d1: %v, want ECONFLICT", err)
	}
	lv, _ := db.ReleasedBatches(ctx, "m")
	if lv["d1"] != 1 || lv["d2"] != 0 {
		t.Errorf("released batches %v, want d1 1, d2 0", lv)
	}
	cs, _ := db.Cases(ctx, fieldwork.CaseFilter{MeasurementID: "m", ReleasedOnly: true})
	sum := map[string]float64{}
	n := map[string]int{}
	for _, c := range cs {
		sum[c.Stratum] += c.Weight
		n[c.Stratum]++
	}
	if n["d1"] != 6 || n["d2"] != 4 || sum["d1"] < 9.999 || sum["d1"] > 10.001 || sum["d2"] < 9.999 || sum["d2"] > 10.001 {
		t.Errorf("released %v with weights %v; want 6 and 4 cases, weights adding to N_h = 10", n, sum)
	}
	// The whole-measurement release now only has d2 left to release.
	if b, err := db.ReleaseBatch(ctx, "m", "office1"); err != nil || b != 1 {
		t.Fatalf("ReleaseBatch: %d, %v", b, err)
	}
	cs, _ = db.Cases(ctx, fieldwork.CaseFilter{MeasurementID: "m", ReleasedOnly: true})
	if len(cs) != 12 {
		t.Errorf("%d released after the global release, want 12", len(cs))
	}
}

func testOfficeArchiveAndClosedFieldwork(t *testing.T, h *Harness) {
	db := officeStore(t, h)
	ctx := context.Background()
	fwMeasurement(t, db, "m")
	if err := db.SetArchived(ctx, "m", true, "office1"); err != nil {
		t.Fatal(err)
	}
	a, err := db.Archive(ctx, "m")
	if err != nil || !a.Archived || a.By != "office1" {
		t.Errorf("Archive: %+v, %v", a, err)
	}
	ids, _ := db.ArchivedMeasurements(ctx)
	if !ids["m"] {
		t.Errorf("ArchivedMeasurements %v lacks m", ids)
	}
	if err := db.SetArchived(ctx, "m", false, "office1"); err != nil {
		t.Fatal(err)
	}
	if a, _ := db.Archive(ctx, "m"); a.Archived {
		t.Error("still archived after restore")
	}
	if err := db.SetArchived(ctx, "nope", true, ""); survey.ErrorCode(err) != survey.ENOTFOUND {
		t.Errorf("archive of an unknown measurement: %v", err)
	}

	// After close an interviewer can record nothing.
	fwDraw(t, db, "m", 10, 4, fwKey(t))
	mustUser(t, db, "iv1")
	cs, _ := db.Cases(ctx, fieldwork.CaseFilter{MeasurementID: "m", ReleasedOnly: true, Limit: 1})
	if _, err := db.AssignCases(ctx, "m", []int64{cs[0].ID}, "iv1"); err != nil {
		t.Fatal(err)
	}
	if err := db.SetMeasurementStatus(ctx, "m", survey.StatusClosed); err != nil {
		t.Fatal(err)
	}
	if _, err := db.RecordAttempt(ctx, fieldwork.CallAttempt{CaseID: cs[0].ID, Interviewer: "iv1", Outcome: fieldwork.OutcomeBusy}); survey.ErrorCode(err) != survey.ECONFLICT {
		t.Errorf("attempt after close: %v, want ECONFLICT", err)
	}
}

func mustUser(t *testing.T, db Store, name string) {
	t.Helper()
	if _, err := db.CreateUser(context.Background(), name, auth.RoleInterviewer, "$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo"); err != nil {
		t.Fatal(err)
	}
}
