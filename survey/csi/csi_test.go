package csi

import (
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"

	"manyi/survey"
	"manyi/survey/analysis"
)

func serviceMeasurement() *survey.Measurement {
	m := &survey.Measurement{ID: "svc", Kind: survey.KindService, Sectors: survey.DefaultSectors()[:7]}
	for _, d := range Simulate(SimOptions{PerCell: 1}).Districts {
		m.Districts = append(m.Districts, d)
	}
	return m
}

func TestComputeSimulated(t *testing.T) {
	ds := Simulate(SimOptions{Seed: 1})
	m := serviceMeasurement()
	res, err := Compute(Input{Measurement: m, Dataset: ds, Reps: 50})
	if err != nil {
		t.Fatal(err)
	}
	if res.N != 2940 || len(res.Sectors) != 7 {
		t.Fatalf("n %d, sectors %d", res.N, len(res.Sectors))
	}
	for _, s := range res.Sectors {
		if s.Failed != nil {
			t.Fatalf("%s failed: %s", s.Sector.Code, s.Failed.En)
		}
		t.Logf("%s CSI %.2f [%.2f, %.2f] se %.2f; gof %.3f; %s", s.Sector.Code, s.CSI.Value, s.CSI.Lo, s.CSI.Hi, s.CSI.SE, s.GoF, s.Weighting.En)
	}
	t.Logf("overall %.2f ± %.2f", res.Overall.Value, res.Overall.SE)
}

// copiesDataset builds a sector's answers in which every item of a block
// repeats the same rating, so each construct score is that rating
// standardized and every number of the model can be derived by hand:
// indices are mapped means, paths are OLS fits of the standardized
// ratings.
func copiesDataset(t *testing.T, n int, seed uint64, gender bool) (*analysis.Dataset, [][7]float64) {
	t.Helper()
	ds := Simulate(SimOptions{PerCell: 1, Seed: seed})
	q := ds.Q
	items := q.ItemsForSector("retail")
	ds.Respondents = nil
	rng := rand.New(rand.NewPCG(seed, 9))
	var lat [][7]float64
	for i := 0; i < n; i++ {
		eta := simLatent(rng)
		var r [7]float64
		a := survey.Answers{"sector": {"retail"}, "district": {ds.Districts[i%3].Code}}
		if gender {
			a["gender"] = []string{"m"}
		}
		for ci, c := range survey.Constructs {
			x := min(max(math.Round(7+1.5*eta[ci]), 1), 10)
			r[ci] = x
			for _, it := range items[c.ID] {
				a[it.ID] = []string{strconv.Itoa(int(x))}
			}
		}
		lat = append(lat, r)
		ds.Respondents = append(ds.Respondents, analysis.Respondent{ID: strconv.Itoa(i), District: ds.Districts[i%3].Code, Answers: a})
	}
	return ds, lat
}

func TestComputeExact(t *testing.T) {
	ds, lat := copiesDataset(t, 300, 3, false)
	census := ds.Census
	ds.Census = nil
	m := serviceMeasurement()
	res, err := Compute(Input{Measurement: m, Dataset: ds, Reps: 20})
	if err != nil {
		t.Fatal(err)
	}
	s := res.Sector("retail")
	if s.Failed != nil {
		t.Fatal(s.Failed.En)
	}
	n := float64(len(lat))
	col := func(c int) []float64 {
		out := make([]float64, len(lat))
		for i := range lat {
			out[i] = lat[i][c]
		}
		return out
	}
	const tol = 1e-9
	// Index: the mean rating mapped from 1–10 to 0–100 (CCSI convention).
	for ci, c := range survey.Constructs {
		want := (floats.Sum(col(ci))/n - 1) / 9 * 100
		if got := s.Construct(c.ID).Index.Value; math.Abs(got-want) > tol {
			t.Errorf("%s index: got %.12f, want %.12f", c.ID, got, want)
		}
	}
	// Paths: OLS of each endogenous construct on its predecessors, all
	// standardized (gonum, independent of stats' PLS code).
	std := func(x []float64) []float64 {
		mu, sd := stat.PopMeanStdDev(x, nil)
		out := make([]float64, len(x))
		for i := range x {
			out[i] = (x[i] - mu) / sd
		}
		return out
	}
	for _, to := range survey.Constructs {
		var preds []string
		for _, p := range ModelPaths {
			if p.To == to.ID {
				preds = append(preds, p.From)
			}
		}
		if len(preds) == 0 {
			continue
		}
		X := mat.NewDense(len(lat), len(preds), nil)
		for j, p := range preds {
			for i, v := range std(col(constructIndex(p))) {
				X.Set(i, j, v)
			}
		}
		y := mat.NewVecDense(len(lat), std(col(constructIndex(to.ID))))
		var beta mat.VecDense
		if err := beta.SolveVec(X, y); err != nil {
			t.Fatal(err)
		}
		for j, p := range preds {
			for _, pr := range s.Paths {
				if pr.From == p && pr.To == to.ID && math.Abs(pr.Coef.Value-beta.AtVec(j)) > 1e-8 {
					t.Errorf("path %s→%s: got %.10f, want %.10f", p, to.ID, pr.Coef.Value, beta.AtVec(j))
				}
			}
		}
	}
	// Identical items: loadings, α, CR and AVE are 1; nothing is flagged.
	for _, b := range s.Blocks {
		if math.Abs(b.AVE-1) > 1e-9 || math.Abs(b.Alpha-1) > 1e-9 || math.Abs(b.CR-1) > 1e-9 || b.LowAVE || b.LowCR || b.LowAlpha {
			t.Errorf("%s: α %g CR %g AVE %g", b.Construct, b.Alpha, b.CR, b.AVE)
		}
	}
	// District CSI: the district's mean satisfaction rating mapped.
	sat := constructIndex("satisfaction")
	for _, d := range s.Districts {
		sum, k := 0.0, 0.0
		for i, r := range ds.Respondents {
			if r.District == d.District.Code {
				sum += lat[i][sat]
				k++
			}
		}
		if want := (sum/k - 1) / 9 * 100; math.Abs(d.CSI.Value-want) > tol || d.N != int(k) {
			t.Errorf("district %s: got %.10f (n %d), want %.10f (n %g)", d.District.Code, d.CSI.Value, d.N, want, k)
		}
	}

	// With the census but no gender answers, raking to the district
	// margin alone is post-stratification: the index is Σ_d share_d ×
	// mean_d over the three districts present.
	ds.Census = census
	res2, err := Compute(Input{Measurement: m, Dataset: ds, Reps: 20})
	if err != nil {
		t.Fatal(err)
	}
	pop := map[string]float64{}
	tot := 0.0
	for _, c := range census.Cells {
		if c.District == "d1" || c.District == "d2" || c.District == "d3" {
			pop[c.District] += c.Count
			tot += c.Count
		}
	}
	want := 0.0
	for code, p := range pop {
		sum, k := 0.0, 0.0
		for i, r := range ds.Respondents {
			if r.District == code {
				sum += lat[i][sat]
				k++
			}
		}
		want += p / tot * (sum/k - 1) / 9 * 100
	}
	s2 := res2.Sector("retail")
	if math.Abs(s2.CSI.Value-want) > 1e-8 {
		t.Errorf("post-stratified CSI: got %.10f, want %.10f (%s)", s2.CSI.Value, want, s2.Weighting.En)
	}
}

func TestOverallAndChange(t *testing.T) {
	ds := Simulate(SimOptions{Seed: 5, PerCell: 20})
	m := serviceMeasurement()
	w := &survey.SectorWeights{Basis: "增加值", Weights: map[string]float64{"retail": 3, "catering": 1, "hotels": 1, "tourism": 1, "banking": 2, "telecoms": 1, "transport": 1}}
	prev, err := Compute(Input{Measurement: m, Dataset: Simulate(SimOptions{Seed: 6, PerCell: 20, Shift: -0.4}), Weights: w, Reps: 30})
	if err != nil {
		t.Fatal(err)
	}
	res, err := Compute(Input{Measurement: m, Dataset: ds, Weights: w, Prev: prev, Reps: 30})
	if err != nil {
		t.Fatal(err)
	}
	v, vv := 0.0, 0.0
	for _, s := range res.Sectors {
		a := w.Weights[s.Sector.Code] / 10
		if math.Abs(res.Weights[s.Sector.Code]-a) > 1e-12 {
			t.Errorf("%s weight %g, want %g", s.Sector.Code, res.Weights[s.Sector.Code], a)
		}
		v += a * s.CSI.Value
		vv += a * a * s.CSI.SE * s.CSI.SE
	}
	if math.Abs(res.Overall.Value-v) > 1e-12 || math.Abs(res.Overall.SE-math.Sqrt(vv)) > 1e-12 {
		t.Errorf("overall %+v, want %g ± %g", res.Overall, v, math.Sqrt(vv))
	}
	if math.Abs(res.Overall.Hi-res.Overall.Value-1.959963984540054*res.Overall.SE) > 1e-9 {
		t.Errorf("interval %+v", res.Overall)
	}
	c := res.OverallChange
	d := res.Overall.Value - prev.Overall.Value
	se := math.Sqrt(res.Overall.SE*res.Overall.SE + prev.Overall.SE*prev.Overall.SE)
	// R: 2 * pnorm(-abs(d / se))
	p := math.Erfc(math.Abs(d/se) / math.Sqrt2)
	if c == nil || math.Abs(c.Diff-d) > 1e-12 || math.Abs(c.SE-se) > 1e-12 || math.Abs(c.P-p) > 1e-12 || c.Significant != (p < 0.05) {
		t.Errorf("change %+v, want diff %g se %g p %g", c, d, se, p)
	}
	if !c.Significant || c.Diff <= 0 {
		t.Errorf("a shift of 0.4 points on 1–10 should be a significant rise: %+v", c)
	}
	for _, s := range res.Sectors {
		if s.Change == nil || s.Construct("quality").Change == nil {
			t.Errorf("%s has no change on last year", s.Sector.Code)
		}
	}
}

func TestSectorFailures(t *testing.T) {
	ds := Simulate(SimOptions{Seed: 2, PerCell: 20})
	m := serviceMeasurement()
	// Keep 10 banking answers only.
	var rs []analysis.Respondent
	k := 0
	for _, r := range ds.Respondents {
		if r.Answers["sector"][0] == "banking" {
			if k++; k > 10 {
				continue
			}
		}
		rs = append(rs, r)
	}
	ds.Respondents = rs
	res, err := Compute(Input{Measurement: m, Dataset: ds, Reps: 10})
	if err != nil {
		t.Fatal(err)
	}
	b := res.Sector("banking")
	if b.Failed == nil || !strings.Contains(b.Failed.En, "only 10 responses") {
		t.Fatalf("banking: %+v", b.Failed)
	}
	if _, ok := res.Weights["banking"]; ok {
		t.Error("a failed sector carries a weight")
	}
	if _, err := Compute(Input{Measurement: &survey.Measurement{ID: "r", Kind: survey.KindResident}, Dataset: ds}); survey.ErrorCode(err) != survey.EINVALID {
		t.Errorf("resident measurement: %v", err)
	}
}

func TestMeasurementModelFlags(t *testing.T) {
	ds := Simulate(SimOptions{Seed: 1})
	res, err := Compute(Input{Measurement: serviceMeasurement(), Dataset: ds, Reps: 10})
	if err != nil {
		t.Fatal(err)
	}
	s := res.Sector("retail")
	var q *BlockQuality
	for i := range s.Blocks {
		if s.Blocks[i].Construct == "quality" {
			q = &s.Blocks[i]
		}
	}
	flagged := 0
	for _, it := range q.Items {
		if it.LowLoading != (it.Loading < 0.7) {
			t.Errorf("%s: loading %g flag %v", it.ID, it.Loading, it.LowLoading)
		}
		if it.LowLoading {
			flagged++
		}
	}
	if flagged != 1 {
		t.Errorf("the simulated weak item qual_premises should be the one flag, got %d: %+v", flagged, q.Items)
	}
	// The drivers' importances are shares of the total effects.
	sum := 0.0
	for _, x := range s.IPM {
		sum += x.Share
		if x.Zone == "" {
			t.Errorf("%s has no zone", x.ID)
		}
	}
	if math.Abs(sum-1) > 1e-12 || !strings.Contains(s.IPMChart, "<svg") {
		t.Errorf("IPM shares sum to %g", sum)
	}
}
