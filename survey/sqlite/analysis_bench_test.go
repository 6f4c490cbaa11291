package sqlite

import (
	"context"
	"path/filepath"
	"testing"

	"manyi/survey"
	"manyi/survey/analysis"
	"manyi/survey/storetest"
)

// BenchmarkLoadDataset20k reads a measurement of 20,000 submitted
// responses for the analysis: the cold part of the results page's first
// view (docs/PERFORMANCE.md, "Results page").
func BenchmarkLoadDataset20k(b *testing.B) {
	ctx := context.Background()
	db, err := Open(filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	m := testMeasurement("m1")
	m.Districts = nil
	for _, d := range analysis.SimDistricts {
		m.Districts = append(m.Districts, d.District)
	}
	if err := db.CreateMeasurement(ctx, m, survey.DefaultQuestionnaire()); err != nil {
		b.Fatal(err)
	}
	ds := analysis.Simulate(analysis.SimOptions{N: 20000, Seed: 1})
	if _, err := db.ImportResponses(ctx, "m1", storetest.SimResponses(ds)); err != nil {
		b.Fatal(err)
	}
	if err := db.SetCensus(ctx, "m1", ds.Census, "bench"); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		got, err := db.LoadDataset(ctx, "m1")
		if err != nil {
			b.Fatal(err)
		}
		if len(got.Respondents) != 20000 {
			b.Fatalf("got %d respondents, want 20000", len(got.Respondents))
		}
	}
}
