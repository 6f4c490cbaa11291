package storetest

import (
	"context"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"manyi/survey"
	"manyi/survey/analysis"
	"manyi/survey/auth"
	"manyi/survey/fieldwork"
	"manyi/survey/sampling"
)

func init() {
	register(test{"WeightingVersions", testWeightingVersions}, test{"Census", testCensus},
		test{"IndexMethodAndPrevAndConclusions", testIndexMethodAndPrevAndConclusions},
		test{"ImportAndLoadDataset", testImportAndLoadDataset}, test{"LoadDatasetFieldwork", testLoadDatasetFieldwork})
}

// simMeasurement creates a measurement whose districts are the simulated
// ones (d1…d6, the default questionnaire's district codes).
func simMeasurement(t *testing.T, db Store, id string) {
	t.Helper()
	m := testMeasurement(id)
	m.Districts = nil
	for _, d := range analysis.SimDistricts {
		m.Districts = append(m.Districts, d.District)
	}
	if err := db.CreateMeasurement(context.Background(), m, survey.DefaultQuestionnaire()); err != nil {
		t.Fatalf("CreateMeasurement(%s): %v", id, err)
	}
}

// SimResponses turns simulated respondents into responses to import, as
// the suite's import tests do (for an adapter's benchmarks).
func SimResponses(ds *analysis.Dataset) []survey.ImportedResponse { return imported(ds) }

// imported turns simulated respondents into responses to import.
func imported(ds *analysis.Dataset) []survey.ImportedResponse {
	start := time.Date(2026, 9, 1, 9, 0, 0, 0, time.UTC)
	rs := make([]survey.ImportedResponse, len(ds.Respondents))
	for i, r := range ds.Respondents {
		began := start.Add(time.Duration(i) * time.Hour)
		rs[i] = survey.ImportedResponse{Mode: r.Mode, Answers: r.Answers, StartedAt: began, SubmittedAt: began.Add(6 * time.Minute),
			Elapsed: map[string]time.Duration{"product": 40 * time.Second, "general": 5 * time.Second}}
		if r.Mode != survey.ModeWeb {
			rs[i].Interviewer = "li.na"
		}
	}
	return rs
}

func auditActions(t *testing.T, db Store, target string) []string {
	t.Helper()
	es, err := db.AuditLog(context.Background(), auth.AuditFilter{Target: target})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i := len(es) - 1; i >= 0; i-- {
		out = append(out, es[i].Action+":"+es[i].User)
	}
	return out
}

func mustID(t *testing.T, s string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func testWeightingVersions(t *testing.T, h *Harness) {
	db, _ := h.openTest(t)
	ctx := context.Background()
	simMeasurement(t, db, "m1")

	w, err := db.Weighting(ctx, "m1")
	if err != nil {
		t.Fatal(err)
	}
	if w.Version != 0 || !reflect.DeepEqual(w.Spec, analysis.DefaultWeightingSpec()) {
		t.Errorf("nothing saved: got v%d %+v, want v0 and the default spec", w.Version, w.Spec)
	}
	_, err = db.Weighting(ctx, "nope")
	wantCode(t, "Weighting of an unknown measurement", err, survey.ENOTFOUND)

	specs := []analysis.WeightingSpec{
		analysis.DefaultWeightingSpec(),
		{DesignWeights: true, Calibration: analysis.CalPostStratify, Margins: [][]string{{analysis.VarDistrict}}, TrimK: 5},
	}
	for i, s := range specs {
		v, err := db.SaveWeighting(ctx, "m1", s, "wang.stat")
		if err != nil {
			t.Fatalf("SaveWeighting %d: %v", i, err)
		}
		if v != i+1 {
			t.Errorf("SaveWeighting %d: got version %d, want %d", i, v, i+1)
		}
	}
	w, err = db.Weighting(ctx, "m1")
	if err != nil {
		t.Fatal(err)
	}
	if w.Version != 2 || !reflect.DeepEqual(w.Spec, specs[1]) || w.CreatedBy != "wang.stat" || w.CreatedAt.IsZero() {
		t.Errorf("current: got %+v, want version 2 by wang.stat with the second spec", w)
	}
	vs, err := db.WeightingVersions(ctx, "m1")
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 2 || vs[0].Version != 2 || vs[1].Version != 1 || !reflect.DeepEqual(vs[1].Spec, specs[0]) {
		t.Errorf("versions: got %+v, want 2 then 1", vs)
	}
	v1, err := db.WeightingVersion(ctx, "m1", 1)
	if err != nil || !reflect.DeepEqual(v1.Spec, specs[0]) {
		t.Errorf("version 1: got %+v, %v", v1, err)
	}
	_, err = db.WeightingVersion(ctx, "m1", 3)
	wantCode(t, "missing version", err, survey.ENOTFOUND)

	_, err = db.SaveWeighting(ctx, "m1", analysis.WeightingSpec{Calibration: "magic"}, "wang.stat")
	wantCode(t, "invalid spec", err, survey.EINVALID)
	if !strings.Contains(survey.ErrorMessage(err, "en"), "calibration") {
		t.Errorf("invalid spec: got %q, want it to name the calibration field", survey.ErrorMessage(err, "en"))
	}
	_, err = db.SaveWeighting(ctx, "nope", analysis.DefaultWeightingSpec(), "wang.stat")
	wantCode(t, "unknown measurement", err, survey.ENOTFOUND)

	if got, want := auditActions(t, db, "m1"), []string{"weighting.save:wang.stat", "weighting.save:wang.stat"}; !reflect.DeepEqual(got, want) {
		t.Errorf("audit: got %v, want %v", got, want)
	}
}

func testCensus(t *testing.T, h *Harness) {
	db, _ := h.openTest(t)
	ctx := context.Background()
	simMeasurement(t, db, "m1")
	c, err := db.Census(ctx, "m1")
	if err != nil || c != nil {
		t.Fatalf("no census: got %v, %v, want nil", c, err)
	}
	tests := []struct {
		name, csv string
		code      string
		msg       string
	}{
		{"unknown district", "district,gender,age_band,count\nd1,m,18-29,100\nd9,f,18-29,90\n", survey.EINVALID, "row 2: district \"d9\""},
		{"bad count", "district,gender,age_band,count\nd1,m,18-29,lots\n", survey.EINVALID, "row 1"},
		{"missing column", "district,gender,count\nd1,m,100\n", survey.EINVALID, "age_band"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := db.ImportCensusCSV(ctx, "m1", strings.NewReader(tt.csv), "wang.stat")
			wantCode(t, tt.name, err, tt.code)
			if !strings.Contains(survey.ErrorMessage(err, "en"), tt.msg) {
				t.Errorf("got %q, want it to contain %q", survey.ErrorMessage(err, "en"), tt.msg)
			}
		})
	}
	good := "\ufeffdistrict,gender,age_band,count\nd2,f,30-44,200\nd1,m,18-29,100\nd1,f,18-29,90.5\n"
	if _, err := db.ImportCensusCSV(ctx, "m1", strings.NewReader(good), "wang.stat"); err != nil {
		t.Fatal(err)
	}
	// A second import replaces the first.
	if _, err := db.ImportCensusCSV(ctx, "m1", strings.NewReader(good), "wang.stat"); err != nil {
		t.Fatal(err)
	}
	c, err = db.Census(ctx, "m1")
	if err != nil {
		t.Fatal(err)
	}
	cell := func(d, g, a string, n float64) analysis.CensusCell {
		return analysis.CensusCell{District: d, Gender: g, AgeBand: a, Count: n}
	}
	want := []analysis.CensusCell{cell("d1", "m", "18-29", 100), cell("d1", "f", "18-29", 90.5), cell("d2", "f", "30-44", 200)}
	if c == nil || !reflect.DeepEqual(c.Cells, want) {
		t.Errorf("census: got %+v, want %+v (district order, then m before f)", c, want)
	}
}

func testIndexMethodAndPrevAndConclusions(t *testing.T, h *Harness) {
	db, _ := h.openTest(t)
	ctx := context.Background()
	simMeasurement(t, db, "y2025")
	simMeasurement(t, db, "y2026")

	m, err := db.IndexMethod(ctx, "y2026")
	if err != nil || m.Method != analysis.MethodEqual {
		t.Errorf("default method: got %+v, %v, want equal", m, err)
	}
	err = db.SetIndexMethod(ctx, "y2026", analysis.IndexMethod{Method: analysis.MethodExpert, Weights: map[string]float64{"product": 1}}, "wang.stat")
	wantCode(t, "expert without every domain", err, survey.EINVALID)
	expert := analysis.IndexMethod{Method: analysis.MethodExpert, Weights: map[string]float64{"product": 3, "construction": 2, "service": 2, "environment": 2, "public": 1}}
	if err := db.SetIndexMethod(ctx, "y2026", expert, "wang.stat"); err != nil {
		t.Fatal(err)
	}
	if m, err := db.IndexMethod(ctx, "y2026"); err != nil || !reflect.DeepEqual(m, expert) {
		t.Errorf("method: got %+v, %v, want %+v", m, err, expert)
	}

	tests := []struct {
		name, id, prev, code string
	}{
		{"self", "y2026", "y2026", survey.EINVALID},
		{"unknown previous", "y2026", "y1999", survey.EINVALID},
		{"unknown measurement", "nope", "y2025", survey.ENOTFOUND},
		{"link", "y2026", "y2025", ""},
		{"cycle", "y2025", "y2026", survey.EINVALID},
	}
	for _, tt := range tests {
		wantCode(t, tt.name, db.SetPrevMeasurement(ctx, tt.id, tt.prev, "office"), tt.code)
	}
	if got, err := db.Measurement(ctx, "y2026"); err != nil || got.PrevID != "y2025" {
		t.Errorf("prev: got %+v, %v, want y2025", got, err)
	}

	if c, err := db.Conclusions(ctx, "y2026", "zh"); err != nil || c != nil {
		t.Errorf("no conclusions: got %+v, %v", c, err)
	}
	_, err = db.SaveConclusions(ctx, "y2026", "fr", []string{"x"}, "office")
	wantCode(t, "bad language", err, survey.EINVALID)
	for i, ps := range [][]string{{"第一段。", "  ", "第二段。"}, {"修改后的结论。"}} {
		v, err := db.SaveConclusions(ctx, "y2026", "zh", ps, "office")
		if err != nil || v != i+1 {
			t.Fatalf("SaveConclusions %d: got v%d, %v", i, v, err)
		}
	}
	c, err := db.Conclusions(ctx, "y2026", "zh")
	if err != nil || c == nil || c.Version != 2 || !reflect.DeepEqual(c.Paragraphs, []string{"修改后的结论。"}) {
		t.Errorf("conclusions: got %+v, %v, want version 2 with one paragraph", c, err)
	}
	if c, _ := db.Conclusions(ctx, "y2026", "en"); c != nil {
		t.Errorf("English conclusions: got %+v, want none (languages are separate)", c)
	}
	want := []string{"weighting.save:wang.stat", "measurement.update:office", "measurement.update:office", "measurement.update:office"}
	if got := auditActions(t, db, "y2026"); !reflect.DeepEqual(got, want) {
		t.Errorf("audit: got %v, want %v", got, want)
	}
}

func testImportAndLoadDataset(t *testing.T, h *Harness) {
	db, _ := h.openTest(t)
	ctx := context.Background()
	simMeasurement(t, db, "m1")
	ds := analysis.Simulate(analysis.SimOptions{N: 300, Seed: 7})
	rs := imported(ds)

	bad := append([]survey.ImportedResponse(nil), rs[:3]...)
	bad[2].Answers = survey.Answers{"no_such_item": {"1"}}
	_, err := db.ImportResponses(ctx, "m1", bad)
	wantCode(t, "unknown item", err, survey.EINVALID)
	if !strings.Contains(survey.ErrorMessage(err, "en"), "response 3") {
		t.Errorf("unknown item: got %q, want it to name response 3", survey.ErrorMessage(err, "en"))
	}
	if ids, err := db.ImportResponses(ctx, "m1", rs); err != nil || len(ids) != len(rs) {
		t.Fatalf("ImportResponses: got %d ids, %v, want %d", len(ids), err, len(rs))
	}
	if err := db.SetCensus(ctx, "m1", ds.Census, "demo"); err != nil {
		t.Fatal(err)
	}
	got, err := db.LoadDataset(ctx, "m1")
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Respondents) != len(ds.Respondents) {
		t.Fatalf("respondents: got %d, want %d", len(got.Respondents), len(ds.Respondents))
	}
	for i, r := range got.Respondents {
		w := ds.Respondents[i]
		if r.District != w.District || r.Mode != w.Mode || r.AgeBand != w.AgeBand || !reflect.DeepEqual(r.Answers, w.Answers) {
			t.Fatalf("respondent %d: got %+v, want %+v", i, r, w)
		}
		if r.ID == "" || r.Excluded || r.NonProbability || r.DesignWeight != 0 {
			t.Errorf("respondent %d: got id %q excluded %v open-link %v weight %v, want a stored id, included, drawn, weight 0 (N_h/n_h)", i, r.ID, r.Excluded, r.NonProbability, r.DesignWeight)
		}
	}
	for code, pop := range ds.StratumPop {
		if got.StratumPop[code] != pop {
			t.Errorf("population of %s: got %v, want %v", code, got.StratumPop[code], pop)
		}
	}
	// The same data give the same overall index as the simulation with
	// the weights the store implies (N_h/n_h, raked to the census).
	spec := analysis.DefaultWeightingSpec()
	a, err := analysis.Compute(got, spec, analysis.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if a.N != len(rs) || !(a.Overall.Value > 50 && a.Overall.Value < 100) {
		t.Errorf("overall: got %v on n=%d", a.Overall.Value, a.N)
	}

	fw, err := db.Fieldwork(ctx, "m1")
	if err != nil {
		t.Fatal(err)
	}
	if fw.Submitted != len(rs) || !fw.Start.Equal(rs[0].StartedAt) || !fw.End.Equal(rs[len(rs)-1].SubmittedAt) {
		t.Errorf("fieldwork: got %d from %v to %v, want %d from %v to %v", fw.Submitted, fw.Start, fw.End, len(rs), rs[0].StartedAt, rs[len(rs)-1].SubmittedAt)
	}
	if _, err := db.CreateInvitations(ctx, "m1", 50); err != nil {
		t.Fatal(err)
	}
	fw, err = db.Fieldwork(ctx, "m1")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fw.Dispositions[""], (sampling.DispositionCounts{Complete: len(rs), Sent: 50}); got != want {
		t.Errorf("dispositions: got %+v, want %+v", got, want)
	}
	// Paradata: a page with an elapsed time and the pages the answers
	// reach.
	row := h.Rows(t, db, `SELECT count(*), sum(elapsed_ms) FROM page_paradata WHERE response_id = `+got.Respondents[0].ID)
	var pages, ms int
	if len(row) != 1 {
		t.Fatalf("paradata of the first response: %q", row)
	}
	fmt.Sscanf(strings.ReplaceAll(row[0], "|", " "), "%d %d", &pages, &ms)
	if pages < 10 || ms != 45000 {
		t.Errorf("paradata of the first response: got %d pages, %d ms, want every visible page and 45000 ms", pages, ms)
	}
}

// testLoadDatasetFieldwork reads design weights, open-link answers,
// exclusions and case dispositions from the fieldwork tables (migration
// 0060), filled here directly as a draw and a review would.
func testLoadDatasetFieldwork(t *testing.T, h *Harness) {
	db, _ := h.openTest(t)
	ctx := context.Background()
	simMeasurement(t, db, "m1")
	ds := analysis.Simulate(analysis.SimOptions{N: 60, Seed: 9})
	if _, err := db.ImportResponses(ctx, "m1", imported(ds)); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateInvitations(ctx, "m1", 2); err != nil {
		t.Fatal(err)
	}
	const at = "2026-09-01T00:00:00.000000Z"
	for _, q := range []string{
		`INSERT INTO samples (measurement_id, seed, plan, allocation, batches, drawn_at) VALUES ('m1', '1', '{}', '{}', 0, '` + at + `')`,
		// Every response but the last has a drawn case of weight 1000 + id
		// (π computed by the database, so compared within 1e-15); two
		// released cases of d1 (the new invitations) were refused.
		`INSERT INTO cases (measurement_id, unit_id, stratum, district, batch, position, prob, weight, released, invitation_id, disposition, updated_at)
			SELECT 'm1', 'u' || r.id, a.value, a.value, 0, r.id, 1.0 / (1000 + r.id), 1000 + r.id, true, i.id, 'complete', '` + at + `'
			FROM invitations i JOIN responses r ON r.invitation_id = i.id JOIN answers a ON a.response_id = r.id AND a.item_id = 'district'
			WHERE r.id < (SELECT max(id) FROM responses)`,
		`INSERT INTO cases (measurement_id, unit_id, stratum, district, batch, position, prob, weight, released, invitation_id, disposition, updated_at)
			SELECT 'm1', 'x' || id, 'd1', 'd1', 0, 1000 + id, 0.002, 500, true, id, 'refused', '` + at + `' FROM invitations WHERE disposition = 'issued'`,
		// A case drawn but not released counts nowhere.
		`INSERT INTO cases (measurement_id, unit_id, stratum, district, batch, position, updated_at) VALUES ('m1', 'reserve', 'd1', 'd1', 1, 9999, '` + at + `')`,
		`INSERT INTO exclusions (response_id, reason, by, at, reverted_at) VALUES (1, '答题过快', 'wang', '` + at + `', NULL), (2, '答题过快', 'wang', '` + at + `', NULL),
			(3, '直线作答', 'wang', '` + at + `', NULL), (4, '直线作答', 'wang', '` + at + `', '` + at + `')`,
	} {
		if err := h.Exec(db, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	got, err := db.LoadDataset(ctx, "m1")
	if err != nil {
		t.Fatal(err)
	}
	last := len(got.Respondents) - 1
	for i, r := range got.Respondents {
		id := mustID(t, r.ID)
		wantExcl := id <= 3
		if r.Excluded != wantExcl {
			t.Errorf("response %d: excluded %v, want %v (4 was restored)", id, r.Excluded, wantExcl)
		}
		if i == last {
			if !r.NonProbability || r.DesignWeight != 0 {
				t.Errorf("response %d without a case: got open-link %v weight %v, want an open-link answer", id, r.NonProbability, r.DesignWeight)
			}
			continue
		}
		if r.NonProbability || r.DesignWeight != float64(1000+id) || math.Abs(r.InclProb-1/float64(1000+id)) > 1e-15 {
			t.Errorf("response %d: got weight %v π %v open-link %v, want %v from its case", id, r.DesignWeight, r.InclProb, r.NonProbability, 1000+id)
		}
	}
	if got.Issued["d1"] != 10+2 {
		t.Errorf("issued in d1: got %d, want 12 (10 responses and 2 refusals)", got.Issued["d1"])
	}
	fw, err := db.Fieldwork(ctx, "m1")
	if err != nil {
		t.Fatal(err)
	}
	want := []fieldwork.ExclusionCount{{Reason: "答题过快", N: 2}, {Reason: "直线作答", N: 1}}
	if !reflect.DeepEqual(fw.Exclusions, want) {
		t.Errorf("exclusions: got %+v, want %+v", fw.Exclusions, want)
	}
	if c := fw.Dispositions["d1"]; c.Complete != 10 || c.Refused != 2 {
		t.Errorf("d1 dispositions: got %+v, want 10 complete and 2 refused", c)
	}
}
