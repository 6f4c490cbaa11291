package storetest

import (
	"context"
	"testing"
	"time"

	"manyi/survey"
	"manyi/survey/setup"
)

func init() {
	register(test{"QuestionnaireRevisions", testQuestionnaireRevisions},
		test{"QuestionnaireRevisionLocked", testQuestionnaireRevisionLocked})
}

// testQuestionnaireRevisions: every save is a revision with author and
// time; a save with problems is kept but residents keep the last valid
// version; a stale base is ECONFLICT and changes nothing.
func testQuestionnaireRevisions(t *testing.T, h *Harness) {
	db, _ := h.openTest(t)
	ctx := context.Background()
	m := testMeasurement("rev-2026")
	m.Status = survey.StatusDraft
	if err := db.CreateMeasurement(ctx, m, survey.DefaultQuestionnaire()); err != nil {
		t.Fatal(err)
	}
	// No save yet: revision 0 is the stored version.
	r0, err := db.Revision(ctx, m.ID, 0)
	if err != nil || r0.Rev != 0 || r0.Version != 1 || r0.Q == nil || len(r0.Q.Pages) == 0 {
		t.Fatalf("Revision before any save: %+v, %v", r0, err)
	}
	if rs, err := db.Revisions(ctx, m.ID); err != nil || len(rs) != 0 {
		t.Errorf("Revisions before any save: %v, %v", rs, err)
	}
	// A valid change: save 1, which residents now answer (version 1
	// replaced in place: it has no answers).
	q := survey.DefaultQuestionnaire()
	q.Title.Zh = "改过的标题"
	r1, err := db.SaveRevision(ctx, m.ID, q, "boss", "settings edited", 0)
	if err != nil || r1.Rev != 1 || r1.Version != 1 || r1.Problems != 0 || r1.Author != "boss" {
		t.Fatalf("SaveRevision valid: %+v, %v", r1, err)
	}
	if v, _ := db.Questionnaire(ctx, m.ID, 0); v.Q.Title.Zh != "改过的标题" {
		t.Errorf("the valid save did not reach the stored questionnaire: %q", v.Q.Title.Zh)
	}
	// A change with a problem (English missing): save 2, version 0; the
	// stored questionnaire keeps save 1.
	bad := survey.DefaultQuestionnaire()
	bad.Title = survey.Text{Zh: "半成品"}
	r2, err := db.SaveRevision(ctx, m.ID, bad, "boss", "half done", 1)
	if err != nil || r2.Rev != 2 || r2.Version != 0 || r2.Problems != 1 {
		t.Fatalf("SaveRevision with a problem: %+v, %v", r2, err)
	}
	if v, _ := db.Questionnaire(ctx, m.ID, 0); v.Q.Title.Zh != "改过的标题" {
		t.Errorf("a save with problems reached the stored questionnaire")
	}
	if n, err := db.QuestionnaireDraftProblems(ctx, m.ID); n != 1 || err != nil {
		t.Errorf("QuestionnaireDraftProblems: %d, %v; want 1", n, err)
	}
	if n, err := db.QuestionnaireDraftProblems(ctx, "nope"); n != 0 || err != nil {
		t.Errorf("QuestionnaireDraftProblems without saves: %d, %v; want 0", n, err)
	}
	got, err := db.Revision(ctx, m.ID, 0)
	if err != nil || got.Rev != 2 || got.Q.Title.Zh != "半成品" || got.Q.Title.En != "" || got.Note != "half done" {
		t.Errorf("Revision(0): %+v, %v", got, err)
	}
	if got.CreatedAt.Location() != time.UTC || got.CreatedAt.IsZero() {
		t.Errorf("CreatedAt %v, want a UTC time", got.CreatedAt)
	}
	if old, err := db.Revision(ctx, m.ID, 1); err != nil || old.Q.Title.Zh != "改过的标题" {
		t.Errorf("Revision(1): %+v, %v", old, err)
	}
	if _, err := db.Revision(ctx, m.ID, 9); survey.ErrorCode(err) != survey.ENOTFOUND {
		t.Errorf("Revision(9): %v, want ENOTFOUND", err)
	}
	// Stale base: ECONFLICT, nothing stored.
	if _, err := db.SaveRevision(ctx, m.ID, q, "stat", "late", 1); survey.ErrorCode(err) != survey.ECONFLICT {
		t.Errorf("stale base: %v, want ECONFLICT", err)
	}
	rs, err := db.Revisions(ctx, m.ID)
	if err != nil || len(rs) != 2 || rs[0].Rev != 2 || rs[1].Rev != 1 || rs[0].Q != nil || rs[1].Author != "boss" || !rs[0].CreatedAt.After(rs[1].CreatedAt) {
		t.Errorf("Revisions: %+v, %v", rs, err)
	}
	if _, err := db.SaveRevision(ctx, "nope", q, "boss", "", -1); survey.ErrorCode(err) != survey.ENOTFOUND {
		t.Errorf("unknown measurement: %v, want ENOTFOUND", err)
	}
	// Reading back gives exactly what was saved (the JSON round trip).
	if string(setup.EncodeJSON(got.Q)) != string(setup.EncodeJSON(bad)) {
		t.Errorf("the stored revision differs from what was saved")
	}
}

// testQuestionnaireRevisionLocked: once fieldwork has opened every save is
// ECONFLICT.
func testQuestionnaireRevisionLocked(t *testing.T, h *Harness) {
	db, _ := h.openTest(t)
	ctx := context.Background()
	m := testMeasurement("lock-2026") // open
	if err := db.CreateMeasurement(ctx, m, survey.DefaultQuestionnaire()); err != nil {
		t.Fatal(err)
	}
	q := survey.DefaultQuestionnaire()
	q.Title.Zh = "不许改"
	if _, err := db.SaveRevision(ctx, m.ID, q, "boss", "", -1); survey.ErrorCode(err) != survey.ECONFLICT {
		t.Errorf("save on an open measurement: %v, want ECONFLICT", err)
	}
	if err := db.SetMeasurementStatus(ctx, m.ID, survey.StatusClosed); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SaveRevision(ctx, m.ID, q, "boss", "", -1); survey.ErrorCode(err) != survey.ECONFLICT {
		t.Errorf("save on a closed measurement: %v, want ECONFLICT", err)
	}
	if v, _ := db.Questionnaire(ctx, m.ID, 0); v.Q.Title.Zh == "不许改" {
		t.Errorf("a locked save changed the questionnaire")
	}
}
