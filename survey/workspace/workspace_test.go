package workspace

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"
	"time"

	"manyi/survey"
	"manyi/survey/analysis"
	"manyi/survey/sqlite"
)

// newStore opens a store with one simulated measurement "m" of n
// responses and its census.
func newStore(t *testing.T, n int) *sqlite.DB {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(filepath.Join(t.TempDir(), "manyi.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	m := &survey.Measurement{ID: "m", Title: survey.Text{Zh: "测评", En: "Measurement"}, City: survey.Text{Zh: "示例市", En: "Example City"},
		Office: survey.Text{Zh: "办公室", En: "Office"}, Year: 2026, Status: survey.StatusOpen}
	for _, d := range analysis.SimDistricts {
		m.Districts = append(m.Districts, d.District)
	}
	if err := db.CreateMeasurement(ctx, m, survey.DefaultQuestionnaire()); err != nil {
		t.Fatal(err)
	}
	addResponses(t, db, n, 1)
	ds := analysis.Simulate(analysis.SimOptions{N: 10, Seed: 1})
	if err := db.SetCensus(ctx, "m", ds.Census, "test"); err != nil {
		t.Fatal(err)
	}
	return db
}

// addResponses imports n simulated responses into "m".
func addResponses(t *testing.T, db *sqlite.DB, n int, seed uint64) {
	t.Helper()
	ds := analysis.Simulate(analysis.SimOptions{N: n, Seed: seed})
	start := time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(seed) * 24 * time.Hour)
	rs := make([]sqlite.ImportedResponse, len(ds.Respondents))
	for i, r := range ds.Respondents {
		at := start.Add(time.Duration(i) * time.Minute)
		rs[i] = sqlite.ImportedResponse{Mode: r.Mode, Answers: r.Answers, StartedAt: at, SubmittedAt: at.Add(5 * time.Minute)}
		if r.Mode != survey.ModeWeb {
			rs[i].Interviewer = "ivw"
		}
	}
	if _, err := db.ImportResponses(context.Background(), "m", rs); err != nil {
		t.Fatal(err)
	}
}

// TestComputeAndStamp checks that Compute gives analysis.Compute's
// numbers and that the stamp moves with the data and the weighting and
// with nothing else.
func TestComputeAndStamp(t *testing.T) {
	ctx := context.Background()
	db := newStore(t, 300)
	s1, err := Stamp(ctx, db, "m")
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := Stamp(ctx, db, "m"); s != s1 {
		t.Errorf("stamp changed without a change: %s, then %s", s1, s)
	}
	c, err := Compute(ctx, db, "m")
	if err != nil {
		t.Fatal(err)
	}
	if c.Stamp != s1 || c.Prev != nil || c.Weighting.Version != 0 {
		t.Errorf("Computed: stamp %s, prev %v, weighting v%d; want %s, nil, v0", c.Stamp, c.Prev, c.Weighting.Version, s1)
	}
	ds, _ := db.LoadDataset(ctx, "m")
	want, err := analysis.Compute(ds, analysis.DefaultWeightingSpec(), analysis.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if c.Results.Overall.Value != want.Overall.Value || c.Results.Overall.SE != want.Overall.SE {
		t.Errorf("overall %v (SE %v), analysis.Compute %v (SE %v)", c.Results.Overall.Value, c.Results.Overall.SE, want.Overall.Value, want.Overall.SE)
	}

	spec := analysis.DefaultWeightingSpec()
	spec.Calibration, spec.Margins = analysis.CalPostStratify, [][]string{{analysis.VarGender, analysis.VarAgeBand}}
	tr, err := Trial(c, spec, analysis.IndexMethod{Method: analysis.MethodEqual})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.SaveWeighting(ctx, "m", spec, "test"); err != nil {
		t.Fatal(err)
	}
	s2, _ := Stamp(ctx, db, "m")
	if s2 == s1 {
		t.Error("stamp unchanged after a new weighting version")
	}
	c2, err := Compute(ctx, db, "m")
	if err != nil {
		t.Fatal(err)
	}
	if c2.Results.Overall.Value != tr.Overall.Value {
		t.Errorf("after saving, overall %v; Trial of the same spec gave %v", c2.Results.Overall.Value, tr.Overall.Value)
	}
	addResponses(t, db, 20, 2)
	if s3, _ := Stamp(ctx, db, "m"); s3 == s2 {
		t.Error("stamp unchanged after new responses")
	}
}

// TestReportDeterministic renders the report twice: the same bytes, a PDF.
func TestReportDeterministic(t *testing.T) {
	ctx := context.Background()
	db := newStore(t, 200)
	c, err := Compute(ctx, db, "m")
	if err != nil {
		t.Fatal(err)
	}
	a, err := Report(ctx, db, c, survey.LangZh, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Report(ctx, db, c, survey.LangZh, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(a, []byte("%PDF-")) || !bytes.Equal(a, b) {
		t.Errorf("two renders: %d and %d bytes, equal %v; want the same PDF", len(a), len(b), bytes.Equal(a, b))
	}
	in, err := ReportInput(ctx, db, c, survey.LangEn, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	// The date is the last submission's day (no weighting or conclusions
	// saved later): 200 responses a minute apart from 2 September
	// (addResponses starts seed 1 a day after 1 September).
	if want := time.Date(2026, 9, 2, 0, 0, 0, 0, time.UTC); !in.ReportDate.Equal(want) {
		t.Errorf("report date %v, want %v", in.ReportDate, want)
	}
}
