package demo

import (
	"context"
	"path/filepath"
	"testing"

	"manyi/survey"
	"manyi/survey/analysis"
	"manyi/survey/quality"
	"manyi/survey/sqlite"
)

func TestSimulate(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(filepath.Join(t.TempDir(), "demo.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// An existing demo with links (what `serve --demo` makes first) gets
	// its responses added beside them.
	if _, err := Ensure(ctx, db); err != nil {
		t.Fatal(err)
	}
	res, err := Simulate(ctx, db, SimOptions{Responses: 400, PrevResponses: 300, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	if res.Added[ID] != 400 || res.Added[PrevID] != 300 || len(res.Existing) != 0 {
		t.Errorf("first run: got added %v existing %v, want 400 and 300 added", res.Added, res.Existing)
	}
	m, err := db.Measurement(ctx, ID)
	if err != nil || m.PrevID != PrevID {
		t.Fatalf("demo: got %+v, %v, want it linked to %s", m, err, PrevID)
	}
	// Idempotent: a second run adds nothing.
	res, err = Simulate(ctx, db, SimOptions{Responses: 400, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Added) != 0 || res.Existing[ID] != 400 || res.Existing[PrevID] != 300 {
		t.Errorf("second run: got added %v existing %v, want nothing added", res.Added, res.Existing)
	}

	ds, err := db.LoadDataset(ctx, ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds.Respondents) != 400 || ds.Census == nil {
		t.Fatalf("dataset: got %d respondents, census %v", len(ds.Respondents), ds.Census != nil)
	}
	modes := map[string]int{}
	for _, r := range ds.Respondents {
		modes[r.Mode]++
	}
	for _, md := range []string{survey.ModeWeb, survey.ModePhone, survey.ModeFace} {
		if modes[md] < 40 {
			t.Errorf("mode %s: %d responses, want a real share", md, modes[md])
		}
	}
	w, err := db.Weighting(ctx, ID)
	if err != nil || w.Version != 1 {
		t.Errorf("weighting: got %+v, %v, want version 1 saved", w, err)
	}
	fw, err := db.Fieldwork(ctx, ID)
	if err != nil {
		t.Fatal(err)
	}
	if c := fw.Dispositions[""]; c.Complete != 400 || c.Sent <= 0 || c.Partial <= 0 || c.ScreenedOut <= 0 {
		t.Errorf("dispositions: got %+v, want 400 complete, break-offs, screen-outs and unanswered invitations", c)
	}
	excluded := 0
	for _, r := range ds.Respondents {
		if r.Excluded {
			excluded++
		}
	}
	if len(fw.Exclusions) != 1 || fw.Exclusions[0].Reason != speederReason || fw.Exclusions[0].N != excluded || excluded == 0 {
		t.Errorf("exclusions: got %+v (%d respondents excluded), want the speeders set aside", fw.Exclusions, excluded)
	}

	// The quality review finds a few speeders and straight-liners.
	var in []quality.Input
	q := ds.Q
	doms := map[string][]string{}
	for _, d := range q.Domains {
		for _, it := range q.DomainItems(d.ID) {
			doms[d.ID] = append(doms[d.ID], it.ID)
		}
	}
	secs := responseSeconds(t, db, ds)
	for i, r := range ds.Respondents {
		a := map[string]string{}
		for k, v := range r.Answers {
			a[k] = v[0]
		}
		in = append(in, quality.Input{ID: r.ID, Seconds: secs[i], Answers: a})
	}
	flags := map[string]int{}
	for _, r := range quality.Check(in, quality.Options{Domains: doms, DontKnow: "99"}) {
		for _, f := range r.Flags {
			flags[f.Kind]++
		}
	}
	// About 2% speeders and 1.5% straight-liners are made; simulated
	// residents who rate everything 10 straight-line too, as real ones do.
	if flags[quality.Speeder] < 2 || flags[quality.Speeder] > 30 || flags[quality.StraightLiner] < 3 || flags[quality.StraightLiner] > 60 {
		t.Errorf("quality flags: got %v, want a few speeders and straight-liners (under 15%%)", flags)
	}

	// Last year is lower, as the demo's story goes.
	now, err := analysis.Compute(ds, w.Spec, analysis.Options{})
	if err != nil {
		t.Fatal(err)
	}
	pds, err := db.LoadDataset(ctx, PrevID)
	if err != nil {
		t.Fatal(err)
	}
	prev, err := analysis.Compute(pds, analysis.DefaultWeightingSpec(), analysis.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !(prev.Overall.Value < now.Overall.Value) {
		t.Errorf("overall: 2025 %v, 2026 %v, want last year lower", prev.Overall.Value, now.Overall.Value)
	}
}

// responseSeconds reads each respondent's total page time.
func responseSeconds(t *testing.T, db *sqlite.DB, ds *analysis.Dataset) []float64 {
	t.Helper()
	out := make([]float64, len(ds.Respondents))
	for i, r := range ds.Respondents {
		resp, err := db.Response(context.Background(), mustInt(t, r.ID))
		if err != nil {
			t.Fatal(err)
		}
		if resp.SubmittedAt == nil {
			t.Fatalf("response %s not submitted", r.ID)
		}
		out[i] = resp.SubmittedAt.Sub(resp.StartedAt).Seconds()
	}
	return out
}

func mustInt(t *testing.T, s string) int64 {
	t.Helper()
	var n int64
	for _, c := range s {
		if c < '0' || c > '9' {
			t.Fatalf("response id %q is not a number", s)
		}
		n = 10*n + int64(c-'0')
	}
	return n
}
