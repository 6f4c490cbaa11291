package sqlite

import (
	"context"
	"testing"

	"manyi/survey"
	"manyi/survey/analysis"
	"manyi/survey/storetest"
	"manyi/survey/workspace"
)

// BenchmarkImportResponses2000 imports 2,000 simulated responses and
// loads them back as a dataset.
func BenchmarkImportResponses2000(b *testing.B) {
	ds := analysis.Simulate(analysis.SimOptions{N: 2000, Seed: 1})
	rs := storetest.SimResponses(ds)
	for b.Loop() {
		b.StopTimer()
		db, err := Open(b.TempDir() + "/bench.db")
		if err != nil {
			b.Fatal(err)
		}
		m := testMeasurement("m1")
		m.Districts = nil
		for _, d := range analysis.SimDistricts {
			m.Districts = append(m.Districts, d.District)
		}
		if err := db.CreateMeasurement(context.Background(), m, survey.DefaultQuestionnaire()); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if _, err := db.ImportResponses(context.Background(), "m1", rs); err != nil {
			b.Fatal(err)
		}
		if _, err := db.LoadDataset(context.Background(), "m1"); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		db.Close()
		b.StartTimer()
	}
}

// The store is the workspace's and the importer's: checked here, since
// survey/workspace imports no adapter (and the conformance suite's Store
// covers the rest).
var (
	_ workspace.EditStore     = (*DB)(nil)
	_ survey.ResponseImporter = (*DB)(nil)
	_ storetest.Store         = (*DB)(nil)
)
