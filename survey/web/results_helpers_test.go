package web

import (
	"context"
	"regexp"
	"testing"
	"time"

	"manyi/survey"
	"manyi/survey/analysis"
	"manyi/survey/demo"
	"manyi/survey/sqlite"
)

// prevID is last year's measurement in the results tests.
const prevID = "demo-2025"

// simImport turns simulated respondents into responses to import.
func simImport(ds *analysis.Dataset, start time.Time) []survey.ImportedResponse {
	rs := make([]survey.ImportedResponse, len(ds.Respondents))
	for i, r := range ds.Respondents {
		began := start.Add(time.Duration(i) * time.Minute)
		rs[i] = survey.ImportedResponse{Mode: r.Mode, Answers: r.Answers, StartedAt: began, SubmittedAt: began.Add(6 * time.Minute)}
		if r.Mode != survey.ModeWeb {
			rs[i].Interviewer = "ivw"
		}
	}
	return rs
}

// fillResults gives the demo measurement n simulated responses with the
// census, and links last year's (prevN responses, a worse year), so that
// every part of the results page has numbers.
func fillResults(t testing.TB, db *sqlite.DB, n, prevN int) {
	t.Helper()
	ctx := context.Background()
	prev := demo.Measurement()
	prev.ID, prev.Year, prev.Status = prevID, 2025, survey.StatusClosed
	prev.Title = survey.Text{Zh: "示例市 2025 年市民质量满意度测评", En: "Example City 2025 Residents' Quality Satisfaction Measurement"}
	if err := db.CreateMeasurement(ctx, prev, survey.DefaultQuestionnaire()); err != nil {
		t.Fatalf("CreateMeasurement(%s): %v", prevID, err)
	}
	for _, m := range []struct {
		id    string
		n     int
		seed  uint64
		shift float64
		start time.Time
	}{
		{demo.ID, n, 2026, 0, time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)},
		{prevID, prevN, 2025, -0.3, time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC)},
	} {
		ds := analysis.Simulate(analysis.SimOptions{N: m.n, Seed: m.seed, Shift: m.shift})
		if _, err := db.ImportResponses(ctx, m.id, simImport(ds, m.start)); err != nil {
			t.Fatalf("ImportResponses(%s): %v", m.id, err)
		}
		if err := db.SetCensus(ctx, m.id, ds.Census, "test"); err != nil {
			t.Fatalf("SetCensus(%s): %v", m.id, err)
		}
	}
	if err := db.SetPrevMeasurement(ctx, demo.ID, prevID, "test"); err != nil {
		t.Fatalf("SetPrevMeasurement: %v", err)
	}
}

// overallOnPage reads the overall index the results page shows.
var overallOnPage = regexp.MustCompile(`<span class="index" data-figure="overall">([0-9.]+)</span>`)

// expectedOverall computes the demo measurement's overall index straight
// from analysis.Compute on the stored data, current weighting and method,
// with last year's Results for the changes: what the page must show.
func expectedOverall(t testing.TB, db *sqlite.DB) *analysis.Results {
	t.Helper()
	ctx := context.Background()
	load := func(id string) (*analysis.Dataset, analysis.WeightingSpec, analysis.IndexMethod) {
		ds, err := db.LoadDataset(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		w, err := db.Weighting(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		m, err := db.IndexMethod(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return ds, w.Spec, m
	}
	pds, pspec, pm := load(prevID)
	prev, err := analysis.Compute(pds, pspec, analysis.Options{Method: pm})
	if err != nil {
		t.Fatalf("Compute(%s): %v", prevID, err)
	}
	ds, spec, m := load(demo.ID)
	res, err := analysis.Compute(ds, spec, analysis.Options{Method: m, PrevResults: prev})
	if err != nil {
		t.Fatalf("Compute(%s): %v", demo.ID, err)
	}
	return res
}

// workOf returns the results pages' state of a test server.
func workOf(t testing.TB, e *staffEnv) *work {
	t.Helper()
	return findWork(t, e.db)
}
