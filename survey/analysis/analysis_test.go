package analysis

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"manyi/survey"
	"manyi/survey/estimate"
)

func compute(t *testing.T, ds *Dataset, spec WeightingSpec, opt Options) *Results {
	t.Helper()
	r, err := Compute(ds, spec, opt)
	if err != nil {
		t.Fatalf("Compute: %v", err)
	}
	return r
}

func near(a, b, rel float64) bool {
	return math.Abs(a-b) <= rel*math.Max(1, math.Abs(b))
}

// TestRakingMeetsCensus checks that raking reproduces every census margin:
// the diagnostics' achieved totals and, independently, the final weights
// summed by district.
func TestRakingMeetsCensus(t *testing.T) {
	ds := Simulate(SimOptions{N: 1500, Seed: 1})
	r := compute(t, ds, DefaultWeightingSpec(), Options{})
	if len(r.Weighting.Margins) != 2 {
		t.Fatalf("got %d margins, want 2", len(r.Weighting.Margins))
	}
	for _, m := range r.Weighting.Margins {
		for _, c := range m.Cells {
			if !near(c.Achieved, c.Target, 1e-8) {
				t.Errorf("margin %s cell %s: got %v, want %v", m.Margin, c.Cell, c.Achieved, c.Target)
			}
		}
	}
	want, _ := ds.Census.Totals([]string{VarDistrict})
	got := map[string]float64{}
	for i, resp := range ds.used() {
		got[resp.District] += r.Plan.Final[i]
	}
	for d, w := range want {
		if !near(got[d], w, 1e-8) {
			t.Errorf("district %s: weights add up to %v, want census %v", d, got[d], w)
		}
	}
	if !r.Weighting.Converged {
		t.Errorf("Converged = false, want true")
	}
	// Weighting matters here: the young answer less, so raking moves them up.
	var before, after float64
	for _, m := range r.Weighting.Margins {
		for _, c := range m.Cells {
			if strings.HasSuffix(c.Cell, "|18-29") {
				before += c.Before
				after += c.Achieved
			}
		}
	}
	if !(after > before*1.2) {
		t.Errorf("18–29 weighted count before %v, after %v: want raking to raise it", before, after)
	}
}

// TestCalibrationMethods checks that post-stratification and bounded
// linear calibration meet their margins too.
func TestCalibrationMethods(t *testing.T) {
	ds := Simulate(SimOptions{N: 1500, Seed: 12})
	tests := []struct {
		name string
		spec WeightingSpec
	}{
		{"poststratify", WeightingSpec{DesignWeights: true, Calibration: CalPostStratify, Margins: [][]string{{VarDistrict, VarGender, VarAgeBand}}}},
		{"linear bounded", WeightingSpec{DesignWeights: true, Calibration: CalLinear, Margins: [][]string{{VarDistrict}, {VarGender}, {VarAgeBand}}, Bounds: []float64{0.2, 5}}},
		{"raking nonresponse", WeightingSpec{DesignWeights: true, Nonresponse: true, Calibration: CalRaking, Margins: [][]string{{VarDistrict}, {VarGender, VarAgeBand}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := compute(t, ds, tc.spec, Options{})
			for _, m := range r.Weighting.Margins {
				for _, c := range m.Cells {
					if !near(c.Achieved, c.Target, 1e-7) {
						t.Errorf("margin %s cell %s: got %v, want %v", m.Margin, c.Cell, c.Achieved, c.Target)
					}
				}
			}
			if d := r.Plan.Design.Calibration; d == nil || d.Method != tc.spec.Calibration {
				t.Errorf("design.json calibration %+v, want method %s", d, tc.spec.Calibration)
			}
		})
	}
}

// tinyDataset is four respondents in two districts who rate every domain
// item 10, 7, 4 and 1; the fourth answers "don't know" (99) to every
// product item. Weights are all 1 (design weights off, no calibration).
func tinyDataset() *Dataset {
	q := survey.DefaultQuestionnaire()
	ds := &Dataset{Q: q, Districts: []survey.District{{Code: "d1"}, {Code: "d2"}}}
	for k, v := range []string{"10", "7", "4", "1"} {
		a := survey.Answers{"gender": {"m"}, "age": {"40"}, "overall": {v}}
		for _, d := range q.Domains {
			for _, it := range q.DomainItems(d.ID) {
				a[it.ID] = []string{v}
				if k == 3 && d.ID == "product" {
					a[it.ID] = []string{"99"}
				}
			}
		}
		ds.Respondents = append(ds.Respondents, Respondent{ID: string(rune('a' + k)), District: []string{"d1", "d1", "d2", "d2"}[k],
			Mode: survey.ModeWeb, Answers: a, AgeBand: "30-44"})
	}
	return ds
}

// TestOverallIndexByHand checks the index against a hand computation on
// tinyDataset. Scores are 100(v−1)/9: 100, 66.67, 33.33, 0. Product items
// (fourth respondent don't know): (100+66.67+33.33)/3 = 66.667; every other
// item (100+66.67+33.33+0)/4 = 50. Equal method: (66.667 + 4×50)/5 = 160/3.
// Expert weights product 2, others 1: (2×200/3 + 4×50)/6 = 500/9.
func TestOverallIndexByHand(t *testing.T) {
	spec := WeightingSpec{Calibration: CalNone}
	tests := []struct {
		name   string
		method IndexMethod
		want   float64
	}{
		{"equal", IndexMethod{Method: MethodEqual}, 160.0 / 3},
		{"expert", IndexMethod{Method: MethodExpert, Weights: map[string]float64{"product": 2, "construction": 1, "service": 1, "environment": 1, "public": 1}}, 500.0 / 9},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := compute(t, tinyDataset(), spec, Options{Method: tc.method})
			if !near(r.Overall.Value, tc.want, 1e-12) {
				t.Errorf("overall: got %v, want %v", r.Overall.Value, tc.want)
			}
			if r.Overall.ID != "overall" {
				t.Errorf("overall id: got %q, want overall", r.Overall.ID)
			}
			for _, d := range r.Domains {
				want := 50.0
				if d.Domain == "product" {
					want = 200.0 / 3
				}
				if !near(d.Value, want, 1e-12) {
					t.Errorf("domain %s: got %v, want %v", d.Domain, d.Value, want)
				}
			}
			if it := r.Items[0]; it.N != 3 {
				t.Errorf("item %s n: got %d, want 3 (one don't know)", it.Item, it.N)
			}
			if r.OverallItem == nil || !near(r.OverallItem.Value, 50, 1e-12) {
				t.Errorf("overall item: got %+v, want 50", r.OverallItem)
			}
			if got := r.Overall.Band.Zh; got != "不满意" {
				t.Errorf("band: got %q, want 不满意", got)
			}
			if !r.Overall.Below {
				t.Errorf("Below = false for %v, want true", r.Overall.Value)
			}
		})
	}
}

// TestExportRoundTrip writes the export, reads it back with the estimate
// package's readers and checks that estimate.Run gives exactly the page's
// numbers.
func TestExportRoundTrip(t *testing.T) {
	ds := Simulate(SimOptions{N: 400, Seed: 3})
	r := compute(t, ds, DefaultWeightingSpec(), Options{Method: IndexMethod{Method: MethodRegression}, GroupItems: true})
	dir := t.TempDir()
	if err := WriteAnalysisExport(dir, r); err != nil {
		t.Fatal(err)
	}
	open := func(name string) *os.File {
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		return f
	}
	tab, err := estimate.ReadCSV(open("data.csv"))
	if err != nil {
		t.Fatal(err)
	}
	des, err := estimate.ReadDesign(open("design.json"))
	if err != nil {
		t.Fatal(err)
	}
	qs, err := estimate.ReadQueries(open("queries.json"))
	if err != nil {
		t.Fatal(err)
	}
	out, err := estimate.Run(tab, des, qs)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "reproduce.R")); err != nil {
		t.Errorf("reproduce.R: %v", err)
	}
	check := func(id string, got Estimate) {
		t.Helper()
		x, ok := out.Get(id)
		if !ok {
			t.Errorf("query %q: not in queries.json", id)
			return
		}
		if x.Estimate != got.Value || x.SE != got.SE || x.CI != got.CI || x.N != got.N {
			t.Errorf("query %q: file gives %v ± %v %v n=%d, page shows %v ± %v %v n=%d", id, x.Estimate, x.SE, x.CI, x.N, got.Value, got.SE, got.CI, got.N)
		}
	}
	check("overall", r.Overall.Estimate)
	check("overall_item", r.OverallItem.Estimate)
	for _, f := range append(r.Domains, r.Items...) {
		check(f.ID, f.Estimate)
	}
	for _, ind := range r.Indicators {
		for _, c := range ind.Categories {
			check("prop_"+ind.Item+"_"+c.Code, c.Estimate)
		}
	}
	cells := 0
	for _, g := range r.Groups {
		for _, row := range g.Rows {
			for _, c := range row.Cells {
				if c.VsRest == nil {
					continue
				}
				cells++
				d, _ := out.Get("diff_" + g.Var + "_" + row.Code + "_" + c.Figure)
				if d.Estimate != c.VsRest.Diff || d.SE != c.VsRest.SE {
					t.Errorf("%s %s %s vs rest: file %v ± %v, page %v ± %v", g.Var, row.Code, c.Figure, d.Estimate, d.SE, c.VsRest.Diff, c.VsRest.SE)
				}
				in, _ := out.Get("in_" + g.Var + "_" + row.Code + "_" + c.Figure)
				for _, b := range in.By {
					if b.Key[0].Value == "in" && (b.Estimate != c.Value || b.SE != c.SE) {
						t.Errorf("%s %s %s: file %v ± %v, page %v ± %v", g.Var, row.Code, c.Figure, b.Estimate, b.SE, c.Value, c.SE)
					}
				}
			}
		}
	}
	if cells < 100 {
		t.Errorf("only %d group cells checked, want every group × figure", cells)
	}
	reg, _ := out.Get("drivers")
	for j, d := range r.Drivers.Domains {
		if reg.Coef[j+1].Estimate != d.Coef || reg.Coef[j+1].SE != d.SE {
			t.Errorf("driver %s: file %v ± %v, page %v ± %v", d.ID, reg.Coef[j+1].Estimate, reg.Coef[j+1].SE, d.Coef, d.SE)
		}
	}
	data, _ := os.ReadFile(filepath.Join(dir, "data.csv"))
	if bytes.Contains(data, []byte("希望")) {
		t.Errorf("data.csv holds free-text suggestions; want none")
	}
}

// TestRegressionWeights checks that the regression method's domain
// weights are non-negative and sum to 1, and equal the driver shares.
func TestRegressionWeights(t *testing.T) {
	ds := Simulate(SimOptions{N: 1500, Seed: 4})
	r := compute(t, ds, DefaultWeightingSpec(), Options{Method: IndexMethod{Method: MethodRegression}})
	sum := 0.0
	for i, w := range r.Method.Weights {
		if w.Weight < 0 {
			t.Errorf("domain %s weight %v < 0", w.Domain, w.Weight)
		}
		sum += w.Weight
		if d := r.Drivers.Domains[i]; d.Share != w.Weight {
			t.Errorf("domain %s: weight %v, driver share %v", w.Domain, w.Weight, d.Share)
		}
	}
	if !near(sum, 1, 1e-12) {
		t.Errorf("weights sum to %v, want 1", sum)
	}
	// The simulation's true influences (0.3, 0.15, 0.25, 0.2, 0.1): product
	// must come out as the largest.
	if top := r.Drivers.Domains[0]; top.ID != "product" || top.Share < 0.2 {
		t.Errorf("product share %v, want the largest (> 0.2)", top.Share)
	}
	ds2 := Simulate(SimOptions{N: 1500, Seed: 4})
	r2 := compute(t, ds2, DefaultWeightingSpec(), Options{})
	if r2.Overall.Value == r.Overall.Value {
		t.Errorf("equal and regression methods give the same overall %v; want different weights", r.Overall.Value)
	}
	if !strings.Contains(r.Drivers.DomainChart, "重点改进区") || !strings.Contains(r.Drivers.DomainChart, "<svg") {
		t.Errorf("domain chart lacks the zones or is not SVG")
	}
	zones := map[string]bool{}
	for _, d := range r.Drivers.Domains {
		zones[d.Zone] = true
	}
	if len(zones) < 2 {
		t.Errorf("all domains in one zone %v; want the cut lines at the means to split them", zones)
	}
}

// TestGroupVsRest makes district d3 clearly less satisfied and checks that
// it, and only clearly different districts, are marked.
func TestGroupVsRest(t *testing.T) {
	ds := Simulate(SimOptions{N: 1500, Seed: 5, DistrictEffects: []float64{0, 0, -1.5, 0, 0, 0}})
	r := compute(t, ds, DefaultWeightingSpec(), Options{})
	var dist *GroupTable
	for i := range r.Groups {
		if r.Groups[i].Var == "district" {
			dist = &r.Groups[i]
		}
	}
	if dist == nil {
		t.Fatal("no district table")
	}
	for _, row := range dist.Rows {
		c := row.Cells[0]
		if c.Figure != "overall" || c.VsRest == nil {
			t.Fatalf("district %s first cell %+v, want the overall with a comparison", row.Code, c)
		}
		if row.Code == "d3" {
			if !c.VsRest.Significant || c.VsRest.Diff > -5 {
				t.Errorf("d3 vs rest: got %+v, want significantly lower", c.VsRest)
			}
			continue
		}
		if c.VsRest.Diff < 0 && c.VsRest.Significant && c.VsRest.Diff < -3 {
			t.Errorf("district %s vs rest %+v: want no large drop", row.Code, c.VsRest)
		}
	}
	for _, g := range r.Groups {
		for _, row := range g.Rows {
			for _, c := range row.Cells {
				if c.OK && c.Small != (c.N < 30) {
					t.Errorf("%s %s: Small = %v with n = %d", g.Var, row.Code, c.Small, c.N)
				}
			}
		}
	}
}

// TestYearOnYear checks the change on last year: a clearly worse last year
// is a significant rise; the same data last year is a change of 0.
func TestYearOnYear(t *testing.T) {
	now := Simulate(SimOptions{N: 1500, Seed: 6})
	tests := []struct {
		name string
		prev *Dataset
		sig  bool
	}{
		{"worse last year", Simulate(SimOptions{N: 1500, Seed: 7, Shift: -0.8}), true},
		{"same data", Simulate(SimOptions{N: 1500, Seed: 6}), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := compute(t, now, DefaultWeightingSpec(), Options{Prev: &Previous{Dataset: tc.prev, Spec: DefaultWeightingSpec()}})
			c := r.Overall.Change
			if c == nil {
				t.Fatal("no change on the overall index")
			}
			if c.Significant != tc.sig {
				t.Errorf("overall change %+v: significant = %v, want %v", c, c.Significant, tc.sig)
			}
			if tc.sig && c.Diff <= 0 {
				t.Errorf("overall change %v, want a rise", c.Diff)
			}
			if !tc.sig && c.Diff != 0 {
				t.Errorf("overall change %v, want 0 on the same data", c.Diff)
			}
			// Independent samples: Var(diff) = Var(now) + Var(prev).
			if want := math.Sqrt(2) * r.Overall.SE; !tc.sig && !near(c.SE, want, 1e-12) {
				t.Errorf("change SE %v, want %v", c.SE, want)
			}
			for _, d := range r.Domains {
				if d.Change == nil {
					t.Errorf("domain %s has no change", d.Domain)
				}
			}
			if len(r.DistrictChange) != 6 {
				t.Errorf("got %d district changes, want 6", len(r.DistrictChange))
			}
		})
	}
}

// TestDiagnostics checks the weight summary and trimming.
func TestDiagnostics(t *testing.T) {
	ds := Simulate(SimOptions{N: 1500, Seed: 8})
	r := compute(t, ds, DefaultWeightingSpec(), Options{})
	d := r.Weighting
	if !(d.Min <= d.Q1 && d.Q1 <= d.Median && d.Median <= d.Q3 && d.Q3 <= d.Max) {
		t.Errorf("quartiles out of order: %v %v %v %v %v", d.Min, d.Q1, d.Median, d.Q3, d.Max)
	}
	if !near(d.Ratio, d.Max/d.Min, 1e-12) {
		t.Errorf("ratio %v, want %v", d.Ratio, d.Max/d.Min)
	}
	sum, sum2 := 0.0, 0.0
	for _, w := range r.Plan.Final {
		sum += w
		sum2 += w * w
	}
	if want := 1500 * sum2 / (sum * sum); !near(d.Deff, want, 1e-12) || d.Deff <= 1 {
		t.Errorf("deff %v, want 1 + CV² = %v (> 1)", d.Deff, want)
	}
	if !near(d.EffectiveN, 1500/d.Deff, 1e-9) {
		t.Errorf("effective n %v, want n/deff = %v", d.EffectiveN, 1500/d.Deff)
	}
	n := 0
	for _, b := range d.Histogram {
		n += b.Count
	}
	if n != 1500 {
		t.Errorf("histogram counts add up to %d, want 1500", n)
	}
	// Raking iterates; post-stratification is a closed form; no
	// calibration has no iterations.
	if d.Iterations < 1 || d.Iterations > 100 {
		t.Errorf("raking iterations %d, want 1 to maxit 100", d.Iterations)
	}
	post := WeightingSpec{DesignWeights: true, Calibration: CalPostStratify, Margins: [][]string{{VarGender, VarAgeBand}}}
	if got := compute(t, ds, post, Options{}).Weighting.Iterations; got != 0 {
		t.Errorf("post-stratification iterations %d, want 0", got)
	}
	if got := compute(t, ds, WeightingSpec{DesignWeights: true}, Options{}).Weighting.Iterations; got != -1 {
		t.Errorf("no calibration: iterations %d, want -1", got)
	}

	spec := WeightingSpec{DesignWeights: true, Nonresponse: true, Calibration: CalNone, TrimK: 1.5}
	r = compute(t, ds, spec, Options{})
	med := quantile(sortedCopy(r.Plan.Final), 0.5)
	if r.Weighting.Max > 1.5*med*(1+1e-9) {
		t.Errorf("trimmed max %v > 1.5 × median %v", r.Weighting.Max, med)
	}
	if r.Weighting.Trimmed == 0 {
		t.Errorf("no weight was trimmed")
	}
	// Design weights N_h/issued_h times issued_h/n_h add up to the population.
	total := 0.0
	for _, p := range ds.StratumPop {
		total += p
	}
	if !near(r.Weighting.Sum, total, 1e-9) {
		t.Errorf("trimming changed the total: %v, want %v", r.Weighting.Sum, total)
	}
}

// TestCalibrationFailure checks that a margin that cannot be met is named
// with its cell, in Chinese and English.
func TestCalibrationFailure(t *testing.T) {
	ds := Simulate(SimOptions{N: 600, Seed: 9})
	var kept []Respondent
	for _, r := range ds.Respondents {
		if !(r.AgeBand == "18-29" && roleValue(ds.Q, r.Answers, survey.RoleGender) == "f") {
			kept = append(kept, r)
		}
	}
	ds.Respondents = kept
	_, err := Compute(ds, DefaultWeightingSpec(), Options{})
	var se *survey.Error
	if !errors.As(err, &se) || se.Code != survey.EINVALID {
		t.Fatalf("got %v, want an EINVALID *survey.Error", err)
	}
	for _, want := range []string{"gender×age_band", "f|18-29"} {
		if !strings.Contains(se.Message.Zh, want) || !strings.Contains(se.Message.En, want) {
			t.Errorf("message %q / %q does not name %q", se.Message.Zh, se.Message.En, want)
		}
	}
	// Bounds too tight for the under-represented young: no convergence,
	// and the error names the margin and the cell.
	tight := WeightingSpec{DesignWeights: true, Calibration: CalLinear, Margins: [][]string{{VarDistrict}, {VarAgeBand}}, Bounds: []float64{0.5, 1.5}}
	_, err = Compute(Simulate(SimOptions{N: 600, Seed: 9}), tight, Options{})
	if !errors.As(err, &se) {
		t.Fatalf("tight bounds: got %v, want a *survey.Error", err)
	}
	for _, want := range []string{"AgeBand", "18-29"} {
		if !strings.Contains(se.Message.Zh, want) || !strings.Contains(se.Message.En, want) {
			t.Errorf("tight bounds: message %q / %q does not name %q", se.Message.Zh, se.Message.En, want)
		}
	}
	if !strings.Contains(se.Message.Zh, "未收敛") || !strings.Contains(se.Message.En, "did not converge") {
		t.Errorf("tight bounds: message %q / %q does not say that calibration did not converge", se.Message.Zh, se.Message.En)
	}
	// Separate margins can be met: the cell is not needed on its own.
	spec := DefaultWeightingSpec()
	spec.Margins = [][]string{{VarDistrict}, {VarGender}, {VarAgeBand}}
	if _, err := Compute(ds, spec, Options{}); err != nil {
		t.Errorf("separate margins: %v", err)
	}
}

func TestWeightingSpecValidate(t *testing.T) {
	tests := []struct {
		name  string
		spec  WeightingSpec
		field string
	}{
		{"default", DefaultWeightingSpec(), ""},
		{"none", WeightingSpec{Calibration: CalNone}, ""},
		{"bad method", WeightingSpec{Calibration: "magic"}, "calibration"},
		{"no margins", WeightingSpec{Calibration: CalRaking}, "margins"},
		{"poststratify two", WeightingSpec{Calibration: CalPostStratify, Margins: [][]string{{"district"}, {"gender"}}}, "margins"},
		{"bad variable", WeightingSpec{Calibration: CalRaking, Margins: [][]string{{"income"}}}, "margins[0]"},
		{"bounds", WeightingSpec{Calibration: CalLinear, Margins: [][]string{{"district"}}, Bounds: []float64{1.2, 3}}, "bounds"},
		{"trim", WeightingSpec{Calibration: CalNone, TrimK: 0.5}, "trim_k"},
		{"maxit", WeightingSpec{Calibration: CalNone, MaxIt: -1}, "maxit"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.spec.Validate()
			if tc.field == "" {
				if err != nil {
					t.Errorf("got %v, want valid", err)
				}
				return
			}
			var se *survey.Error
			if !errors.As(err, &se) || len(se.Fields) == 0 || se.Fields[0].Field != tc.field {
				t.Errorf("got %v, want an error on field %q", err, tc.field)
			}
		})
	}
}

func TestIndexMethodValidate(t *testing.T) {
	q := survey.DefaultQuestionnaire()
	all := map[string]float64{"product": 3, "construction": 2, "service": 2, "environment": 2, "public": 1}
	with := func(k string, v float64) map[string]float64 {
		m := map[string]float64{}
		for d, w := range all {
			m[d] = w
		}
		m[k] = v
		return m
	}
	without := func(k string) map[string]float64 {
		m := with(k, 0)
		delete(m, k)
		return m
	}
	tests := []struct {
		name  string
		m     IndexMethod
		field string
	}{
		{"equal", IndexMethod{Method: MethodEqual}, ""},
		{"regression", IndexMethod{Method: MethodRegression}, ""},
		{"expert", IndexMethod{Method: MethodExpert, Weights: all}, ""},
		{"unknown method", IndexMethod{Method: "pls"}, "method"},
		{"equal with weights", IndexMethod{Method: MethodEqual, Weights: all}, "weights"},
		{"missing domain", IndexMethod{Method: MethodExpert, Weights: without("service")}, "weights.service"},
		{"negative", IndexMethod{Method: MethodExpert, Weights: with("public", -1)}, "weights.public"},
		{"unknown domain", IndexMethod{Method: MethodExpert, Weights: with("economy", 1)}, "weights.economy"},
		{"zero sum", IndexMethod{Method: MethodExpert, Weights: map[string]float64{"product": 0, "construction": 0, "service": 0, "environment": 0, "public": 0}}, "weights"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.m.Validate(q)
			if tc.field == "" {
				if err != nil {
					t.Errorf("got %v, want valid", err)
				}
				return
			}
			var se *survey.Error
			if !errors.As(err, &se) || se.Fields[0].Field != tc.field {
				t.Errorf("got %v, want an error on field %q", err, tc.field)
			}
		})
	}
	// Expert weights are normalised.
	r := compute(t, tinyDataset(), WeightingSpec{Calibration: CalNone}, Options{Method: IndexMethod{Method: MethodExpert, Weights: all}})
	if w := r.Method.Weights[0]; w.Domain != "product" || !near(w.Weight, 0.3, 1e-12) {
		t.Errorf("product weight %+v, want 0.3", w)
	}
}

func TestReadCensusCSV(t *testing.T) {
	tests := []struct {
		name, in, err string
		total         float64
	}{
		{"plain", "district,gender,age_band,count\nd1,m,18-29,100\nd1,f,18-29,120\n", "", 220},
		{"bom and order", "\ufeffcount,age_band,gender,district\n5,18-29,m,d1\n", "", 5},
		{"bad count", "district,gender,age_band,count\nd1,m,18-29,100\nd1,f,18-29,many\n", "row 2", 0},
		{"missing column", "district,gender,count\nd1,m,3\n", "age_band", 0},
		{"empty cell", "district,gender,age_band,count\nd1,,18-29,1\n", "row 1: column gender", 0},
		{"duplicate", "district,gender,age_band,count\nd1,m,18-29,1\nd1,m,18-29,2\n", "repeats row 1", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := ReadCensusCSV(strings.NewReader(tc.in))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Errorf("got %v, want an error with %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.Total() != tc.total {
				t.Errorf("total %v, want %v", c.Total(), tc.total)
			}
		})
	}
}

// TestResponsesExports checks the CSV's byte-order mark and the XLSX's two
// sheets and design columns.
func TestResponsesExports(t *testing.T) {
	ds := Simulate(SimOptions{N: 200, Seed: 10})
	r := compute(t, ds, DefaultWeightingSpec(), Options{})
	var csvBuf bytes.Buffer
	if err := WriteResponsesCSV(&csvBuf, ds, r); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(csvBuf.Bytes(), []byte("\xef\xbb\xbfid,stratum,psu,design_weight,input_weight,weight,")) {
		t.Errorf("CSV starts %q, want a BOM and the design columns", csvBuf.Bytes()[:40])
	}
	if n := bytes.Count(csvBuf.Bytes(), []byte("\n")); n != 201 {
		t.Errorf("CSV has %d lines, want 201", n)
	}
	var x bytes.Buffer
	if err := WriteResponsesXLSX(&x, ds, r); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&x)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); len(got) != 2 || got[0] != SheetData || got[1] != SheetCodebook {
		t.Fatalf("sheets %v, want [data codebook]", got)
	}
	rows, err := f.GetRows(SheetData)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 202 || rows[0][1] != "stratum" || rows[0][2] != "psu" || rows[0][5] != "weight" {
		t.Errorf("data sheet: %d rows, header %v", len(rows), rows[0][:6])
	}
	if !strings.Contains(rows[1][1], "区县") {
		t.Errorf("label row %v, want Chinese labels", rows[1][:3])
	}
	cb, _ := f.GetRows(SheetCodebook)
	found := false
	for _, row := range cb {
		if len(row) >= 7 && row[0] == "prod_food" && row[4] == "99" {
			found = true
		}
	}
	if !found {
		t.Errorf("codebook has no don't-know code 99 for prod_food")
	}
	for _, h := range rows[0] {
		if strings.Contains(h, "phone") || strings.Contains(h, "contact") {
			t.Errorf("column %q looks like contact details", h)
		}
	}
}

// TestResultsJSON checks that Results and WeightingSpec survive JSON (the
// store saves spec versions; pages may serve results as JSON).
func TestResultsJSON(t *testing.T) {
	ds := Simulate(SimOptions{N: 300, Seed: 13})
	r := compute(t, ds, DefaultWeightingSpec(), Options{Method: IndexMethod{Method: MethodRegression}})
	if _, err := json.Marshal(r); err != nil {
		t.Errorf("json.Marshal(Results): %v", err)
	}
	spec := DefaultWeightingSpec()
	spec.Bounds = []float64{0.5, 2}
	b, err := json.Marshal(spec)
	if err != nil {
		t.Fatal(err)
	}
	var back WeightingSpec
	if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(back, spec) {
		t.Errorf("spec round trip: got %+v (%v), want %+v", back, err, spec)
	}
}

func TestNonProbabilityFlagged(t *testing.T) {
	ds := Simulate(SimOptions{N: 600, Seed: 11, OpenLink: 0.1})
	r := compute(t, ds, DefaultWeightingSpec(), Options{})
	want := 0
	for _, x := range ds.Respondents {
		if x.NonProbability {
			want++
		}
	}
	if want == 0 || r.NonProbability != want {
		t.Errorf("NonProbability %d, want %d (> 0)", r.NonProbability, want)
	}
	if len(r.Notes) == 0 || !strings.Contains(r.Notes[0].Zh, "非概率") {
		t.Errorf("notes %v, want a non-probability note", r.Notes)
	}
}

func TestIPAChartEscapes(t *testing.T) {
	xs := []Importance{
		{ID: "a", Label: survey.Text{Zh: "<script>x</script>", En: "a&b"}, Share: 0.7, Score: 70},
		{ID: "b", Label: survey.Text{Zh: "乙", En: "b"}, Share: 0.3, Score: 85},
	}
	svg := IPAChart(xs, func(x Importance) float64 { return x.Share }, survey.Text{Zh: "图", En: "chart"})
	if strings.Contains(svg, "<script>") || !strings.Contains(svg, "&lt;script&gt;") {
		t.Errorf("label not escaped: %s", svg)
	}
	for _, z := range []string{"重点改进区", "优势区", "机会区", "维持区"} {
		if !strings.Contains(svg, z) {
			t.Errorf("chart lacks zone %s", z)
		}
	}
	if n := strings.Count(svg, "<line"); n != 2 {
		t.Errorf("%d lines, want the two cut lines", n)
	}
	if n := strings.Count(svg, "<circle"); n != 2 {
		t.Errorf("%d points, want 2", n)
	}
}

func TestFromResponse(t *testing.T) {
	q := survey.DefaultQuestionnaire()
	got := FromResponse(q, &survey.Response{ID: 42, Mode: survey.ModePhone, Answers: survey.Answers{"district": {"d3"}, "age": {"61"}}})
	if got.ID != "42" || got.District != "d3" || got.AgeBand != "60-70" || got.Mode != survey.ModePhone {
		t.Errorf("got %+v, want id 42, district d3, age band 60-70, phone", got)
	}
	for _, tc := range []struct{ age, want string }{{"18", "18-29"}, {"29", "18-29"}, {"30", "30-44"}, {"70", "60-70"}, {"71", ""}, {"", ""}} {
		if got := AgeBandOf(q, survey.Answers{"age": {tc.age}}, nil); got != tc.want {
			t.Errorf("age %q: got band %q, want %q", tc.age, got, tc.want)
		}
	}
}
