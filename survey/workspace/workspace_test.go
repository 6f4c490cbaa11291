package workspace_test

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"manyi/survey"
	"manyi/survey/analysis"
	"manyi/survey/report"
	"manyi/survey/sampling"
	"manyi/survey/secret"
	"manyi/survey/sqlite"
	"manyi/survey/workspace"
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
	rs := make([]survey.ImportedResponse, len(ds.Respondents))
	for i, r := range ds.Respondents {
		at := start.Add(time.Duration(i) * time.Minute)
		rs[i] = survey.ImportedResponse{Mode: r.Mode, Answers: r.Answers, StartedAt: at, SubmittedAt: at.Add(5 * time.Minute)}
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
	s1, err := workspace.Stamp(ctx, db, "m")
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := workspace.Stamp(ctx, db, "m"); s != s1 {
		t.Errorf("stamp changed without a change: %s, then %s", s1, s)
	}
	c, err := workspace.Compute(ctx, db, "m")
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
	tr, err := workspace.Trial(c, spec, analysis.IndexMethod{Method: analysis.MethodEqual})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.SaveWeighting(ctx, "m", spec, "test"); err != nil {
		t.Fatal(err)
	}
	s2, _ := workspace.Stamp(ctx, db, "m")
	if s2 == s1 {
		t.Error("stamp unchanged after a new weighting version")
	}
	c2, err := workspace.Compute(ctx, db, "m")
	if err != nil {
		t.Fatal(err)
	}
	if c2.Results.Overall.Value != tr.Overall.Value {
		t.Errorf("after saving, overall %v; Trial of the same spec gave %v", c2.Results.Overall.Value, tr.Overall.Value)
	}
	addResponses(t, db, 20, 2)
	if s3, _ := workspace.Stamp(ctx, db, "m"); s3 == s2 {
		t.Error("stamp unchanged after new responses")
	}
}

// TestReportDeterministic renders the report twice: the same bytes, a PDF.
func TestReportDeterministic(t *testing.T) {
	ctx := context.Background()
	db := newStore(t, 200)
	c, err := workspace.Compute(ctx, db, "m")
	if err != nil {
		t.Fatal(err)
	}
	a, err := workspace.Report(ctx, db, c, survey.LangZh, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := workspace.Report(ctx, db, c, survey.LangZh, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(a, []byte("%PDF-")) || !bytes.Equal(a, b) {
		t.Errorf("two renders: %d and %d bytes, equal %v; want the same PDF", len(a), len(b), bytes.Equal(a, b))
	}
	in, err := workspace.ReportInput(ctx, db, c, survey.LangEn, time.Time{})
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

// drawSample imports a frame of perDistrict units in every district of "m"
// and stores a sample drawn with plan.
func drawSample(t *testing.T, db *sqlite.DB, perDistrict int, plan sampling.Plan) {
	t.Helper()
	ctx := context.Background()
	var b strings.Builder
	b.WriteString("id,district,gender,age_band,contact\n")
	var codes []string
	k := 0
	for _, d := range analysis.SimDistricts {
		codes = append(codes, d.District.Code)
		for i := 0; i < perDistrict; i++ {
			fmt.Fprintf(&b, "U%05d,%s,%s,%s,138%08d\n", k, d.District.Code, []string{"男", "女"}[i%2], sampling.AgeBands[i%len(sampling.AgeBands)], k)
			k++
		}
	}
	f, rowErrs, err := sampling.ReadFrame(strings.NewReader(b.String()), sampling.FrameOptions{Districts: codes})
	if err != nil || len(rowErrs) > 0 {
		t.Fatalf("ReadFrame: %v %v", err, rowErrs)
	}
	key, err := secret.ParseKey(secret.GenerateKey())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ImportFrame(ctx, "m", f, 0, key, "frame.csv", "test"); err != nil {
		t.Fatalf("ImportFrame: %v", err)
	}
	if f, err = db.LoadFrame(ctx, "m"); err != nil {
		t.Fatalf("LoadFrame: %v", err)
	}
	alloc, err := sampling.Allocate(plan, f.Counts(plan.StratumColumn()))
	if err != nil {
		t.Fatalf("Allocate: %v", err)
	}
	s, err := sampling.Draw(f, alloc, 7)
	if err != nil {
		t.Fatalf("Draw: %v", err)
	}
	if _, err := db.SaveSample(ctx, "m", plan, s, f, "test"); err != nil {
		t.Fatalf("SaveSample: %v", err)
	}
}

// TestReportAllocation checks that the report's district table has the
// drawn sample's targets when the sample is stratified by district, and
// none without a sample or with strata of another variable.
func TestReportAllocation(t *testing.T) {
	const perDistrict, target = 40, 10
	nd := len(analysis.SimDistricts)
	tests := []struct {
		name    string
		plan    *sampling.Plan
		targets bool
	}{
		{"no sample", nil, false},
		{"by district", &sampling.Plan{Total: target * nd, Allocation: sampling.Equal}, true},
		{"by gender", &sampling.Plan{Stratum: sampling.ColGender, Total: 2 * target, Allocation: sampling.Equal}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			db := newStore(t, 200)
			// Computed before the draw: responses without a case would
			// otherwise be open-link answers; the report input reads
			// the sample itself.
			c, err := workspace.Compute(ctx, db, "m")
			if err != nil {
				t.Fatal(err)
			}
			if tt.plan != nil {
				drawSample(t, db, perDistrict, *tt.plan)
			}
			in, err := workspace.ReportInput(ctx, db, c, survey.LangZh, time.Time{})
			if err != nil {
				t.Fatal(err)
			}
			if got := in.Allocation != nil; got != tt.targets {
				t.Fatalf("allocation set %v, want %v", got, tt.targets)
			}
			m, err := report.Build(in)
			if err != nil {
				t.Fatal(err)
			}
			if len(m.Method.Districts) != nd {
				t.Fatalf("district table has %d rows, want %d", len(m.Method.Districts), nd)
			}
			for _, row := range m.Method.Districts {
				want := 0
				if tt.targets {
					want = target
				}
				if row.Target != want {
					t.Errorf("district %s: target %d, want %d", row.District.Zh, row.Target, want)
				}
			}
			if tt.targets && m.Method.SampleSize != target*nd {
				t.Errorf("sample size %d, want %d", m.Method.SampleSize, target*nd)
			}
		})
	}
}

// mapPrevs is a workspace.PrevCache that counts its hits.
type mapPrevs struct {
	m    map[string]*report.PrevYear
	hits int
}

func (p *mapPrevs) Get(key string) (*report.PrevYear, bool) {
	py, ok := p.m[key]
	if ok {
		p.hits++
	}
	return py, ok
}

func (p *mapPrevs) Put(key string, py *report.PrevYear) { p.m[key] = py }

// TestComputeCachedPrev checks that last year's computation is reused
// while last year's stamp stays, gives Compute's numbers, and is computed
// again after last year's weighting changes.
func TestComputeCachedPrev(t *testing.T) {
	ctx := context.Background()
	db := newStore(t, 150)
	prev := &survey.Measurement{ID: "m0", Title: survey.Text{Zh: "去年", En: "Last year"}, City: survey.Text{Zh: "示例市", En: "Example City"},
		Office: survey.Text{Zh: "办公室", En: "Office"}, Year: 2025, Status: survey.StatusClosed}
	for _, d := range analysis.SimDistricts {
		prev.Districts = append(prev.Districts, d.District)
	}
	if err := db.CreateMeasurement(ctx, prev, survey.DefaultQuestionnaire()); err != nil {
		t.Fatal(err)
	}
	ds := analysis.Simulate(analysis.SimOptions{N: 150, Seed: 9, Shift: -0.3})
	rs := make([]survey.ImportedResponse, len(ds.Respondents))
	for i, r := range ds.Respondents {
		at := time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Minute)
		rs[i] = survey.ImportedResponse{Mode: survey.ModeWeb, Answers: r.Answers, StartedAt: at, SubmittedAt: at.Add(5 * time.Minute)}
	}
	if _, err := db.ImportResponses(ctx, "m0", rs); err != nil {
		t.Fatal(err)
	}
	if err := db.SetCensus(ctx, "m0", ds.Census, "test"); err != nil {
		t.Fatal(err)
	}
	if err := db.SetPrevMeasurement(ctx, "m", "m0", "test"); err != nil {
		t.Fatal(err)
	}
	cache := &mapPrevs{m: map[string]*report.PrevYear{}}
	want, err := workspace.Compute(ctx, db, "m")
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name     string
		change   func()
		hits     int
		prevSame bool // the same last year as the step before
	}{
		{"first", func() {}, 0, false},
		{"again", func() {}, 1, true},
		{"this year reweighted", func() {
			spec := analysis.DefaultWeightingSpec()
			spec.Calibration, spec.Margins = analysis.CalPostStratify, [][]string{{analysis.VarGender}}
			if _, err := db.SaveWeighting(ctx, "m", spec, "test"); err != nil {
				t.Fatal(err)
			}
		}, 2, true},
		{"last year reweighted", func() {
			spec := analysis.DefaultWeightingSpec()
			spec.Calibration, spec.Margins = analysis.CalPostStratify, [][]string{{analysis.VarGender}}
			if _, err := db.SaveWeighting(ctx, "m0", spec, "test"); err != nil {
				t.Fatal(err)
			}
		}, 2, false},
	}
	var last *report.PrevYear
	for i, s := range steps {
		s.change()
		c, err := workspace.ComputeCached(ctx, db, "m", db.LoadDataset, cache)
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if cache.hits != s.hits {
			t.Errorf("%s: %d cache hits, want %d", s.name, cache.hits, s.hits)
		}
		if i > 0 && (c.Prev == last) != s.prevSame {
			t.Errorf("%s: last year reused %v, want %v", s.name, c.Prev == last, s.prevSame)
		}
		if i == 0 && (c.Results.Overall.Value != want.Results.Overall.Value || c.Prev.Results.Overall.Value != want.Prev.Results.Overall.Value) {
			t.Errorf("overall %v (last year %v), Compute gave %v (%v)", c.Results.Overall.Value, c.Prev.Results.Overall.Value, want.Results.Overall.Value, want.Prev.Results.Overall.Value)
		}
		last = c.Prev
	}
}

// TestStampSeesReleasedBatches checks that releasing a reserve batch, which
// changes the design weights and the issued counts without any new
// response, changes the stamp: cached results must not survive it, even
// when another server released the batch.
func TestStampSeesReleasedBatches(t *testing.T) {
	db := newStore(t, 0)
	ctx := context.Background()
	drawSample(t, db, 40, sampling.Plan{Total: 60, Allocation: sampling.Equal, Reserve: 0.5, ReserveBatches: 2})
	before, err := workspace.DataStamp(ctx, db, "m")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ReleaseBatch(ctx, "m", "test"); err != nil {
		t.Fatalf("ReleaseBatch: %v", err)
	}
	after, err := workspace.DataStamp(ctx, db, "m")
	if err != nil {
		t.Fatal(err)
	}
	if after == before {
		t.Errorf("DataStamp unchanged (%s) after a reserve batch was released", after)
	}
}
