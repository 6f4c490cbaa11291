package storetest

import (
	"bytes"
	"context"
	"testing"
	"time"

	"manyi/survey"
	"manyi/survey/fieldwork"
)

func init() {
	register(test{"OfficeJobs", testOfficeJobs})
}

// testOfficeJobs: a job created on one server is read, carried on and
// updated from another (the frame upload's "Import clean rows" may reach
// any server); the newest job of a kind wins; old jobs expire.
func testOfficeJobs(t *testing.T, h *Harness) {
	db, c, ref := h.openAccounts(t)
	ctx := context.Background()
	other, err := h.reopen(t, ref)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.LatestJob(ctx, "m1", fieldwork.JobFrame); survey.ErrorCode(err) != survey.ENOTFOUND {
		t.Fatalf("LatestJob of none: %v, want ENOTFOUND", err)
	}
	j := &fieldwork.Job{ID: "j1", MeasurementID: "m1", Kind: fieldwork.JobFrame, User: "office", Source: "frame.csv",
		Phase: "reading", Total: 200, Input: "sealed-file", Meta: nil}
	if err := db.CreateJob(ctx, j); err != nil {
		t.Fatal(err)
	}
	c.Add(time.Second)
	if err := db.SetJobProgress(ctx, "j1", 50, 200); err != nil {
		t.Fatal(err)
	}
	got, err := other.Job(ctx, "j1")
	if err != nil {
		t.Fatal(err)
	}
	if got.Done != 50 || got.Total != 200 || got.Input != "sealed-file" || got.Source != "frame.csv" || got.User != "office" || got.Phase != "reading" {
		t.Errorf("Job on the other server = %+v", got)
	}
	if !got.Updated.After(got.Created) {
		t.Errorf("Updated %v not after Created %v", got.Updated, got.Created)
	}
	got.Phase, got.Done, got.Meta, got.Result, got.ErrZh, got.ErrEn = "read", 200, []byte(`{"rows":3}`), "sealed-result", "错", "wrong"
	if err := other.UpdateJob(ctx, got); err != nil {
		t.Fatal(err)
	}
	back, err := db.LatestJob(ctx, "m1", fieldwork.JobFrame)
	if err != nil {
		t.Fatal(err)
	}
	if back.ID != "j1" || back.Phase != "read" || !bytes.Equal(back.Meta, []byte(`{"rows":3}`)) || back.Result != "sealed-result" || back.ErrEn != "wrong" || back.ErrZh != "错" {
		t.Errorf("LatestJob after the update = %+v", back)
	}
	if _, err := db.LatestJob(ctx, "m1", fieldwork.JobLinks); survey.ErrorCode(err) != survey.ENOTFOUND {
		t.Errorf("LatestJob of another kind: %v, want ENOTFOUND", err)
	}
	c.Add(time.Minute)
	if err := db.CreateJob(ctx, &fieldwork.Job{ID: "j2", MeasurementID: "m1", Kind: fieldwork.JobFrame, Phase: "reading"}); err != nil {
		t.Fatal(err)
	}
	if l, _ := other.LatestJob(ctx, "m1", fieldwork.JobFrame); l == nil || l.ID != "j2" {
		t.Errorf("LatestJob = %+v, want j2", l)
	}
	// j1 was last updated a minute before j2 was made: expiring what is
	// older than 30 s drops j1 only.
	n, err := db.ExpireJobs(ctx, c.Now().Add(-30*time.Second))
	if err != nil || n != 1 {
		t.Fatalf("ExpireJobs = %d, %v; want 1", n, err)
	}
	if _, err := other.Job(ctx, "j1"); survey.ErrorCode(err) != survey.ENOTFOUND {
		t.Errorf("expired job: %v, want ENOTFOUND", err)
	}
	if err := other.DeleteJob(ctx, "j2"); err != nil {
		t.Fatal(err)
	}
	if err := db.UpdateJob(ctx, &fieldwork.Job{ID: "j2"}); survey.ErrorCode(err) != survey.ENOTFOUND {
		t.Errorf("UpdateJob of a deleted job: %v, want ENOTFOUND", err)
	}
}
