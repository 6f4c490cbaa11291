package stats

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// plsCase is one reference case of testdata/pls: data.csv, model.json,
// plspm's expected.json and (for the cases made here) reliability.json.
type plsCase struct {
	name   string
	header []string
	cols   [][]float64
	w      []float64
	spec   PLSSpec
	model  PLSModel
	want   plsExpected
	rel    *plsReliability
}

type plsExpected struct {
	PathCoefficients map[string]float64 `json:"path_coefficients"`
	OuterWeights     map[string]float64 `json:"outer_weights"`
	Loadings         map[string]float64 `json:"loadings"`
	R2               map[string]float64 `json:"r2"`
	AVE              map[string]float64 `json:"ave"`
	TotalEffects     map[string]float64 `json:"total_effects"`
	GoF              float64            `json:"gof"`
	Index            map[string]float64 `json:"index"`
}

type plsReliability struct {
	Alpha map[string]float64 `json:"cronbach_alpha"`
	Rho   map[string]float64 `json:"composite_reliability"`
}

// readPLSCSV reads a numeric CSV with a header into columns (empty or NA:
// NaN).
func readPLSCSV(t *testing.T, path string) ([]string, [][]float64) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	cols := make([][]float64, len(recs[0]))
	for i, r := range recs[1:] {
		for j, s := range r {
			v := math.NaN()
			if s != "" && s != "NA" {
				v, err = strconv.ParseFloat(s, 64)
				if err != nil {
					t.Fatalf("%s row %d col %d: %v", path, i+2, j+1, err)
				}
			}
			cols[j] = append(cols[j], v)
		}
	}
	return recs[0], cols
}

func loadPLSCase(t *testing.T, dir string) plsCase {
	t.Helper()
	c := plsCase{name: filepath.Base(dir)}
	c.header, c.cols = readPLSCSV(t, filepath.Join(dir, "data.csv"))
	readJSON := func(name string, v any) bool {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if os.IsNotExist(err) {
			return false
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, v); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return true
	}
	readJSON("model.json", &c.spec)
	readJSON("expected.json", &c.want)
	var rel plsReliability
	if readJSON("reliability.json", &rel) {
		c.rel = &rel
	}
	var err error
	if c.model, err = c.spec.Model(c.header); err != nil {
		t.Fatal(err)
	}
	if c.spec.Weight != "" {
		c.w = c.cols[slices.Index(c.header, c.spec.Weight)]
	}
	return c
}

// plsCases loads every case under testdata/pls.
func plsCases(t *testing.T) []plsCase {
	t.Helper()
	dirs, _ := filepath.Glob("testdata/pls/*/expected.json")
	if len(dirs) < 4 {
		t.Fatalf("%d PLS cases in testdata/pls, want 4", len(dirs))
	}
	var out []plsCase
	for _, e := range dirs {
		out = append(out, loadPLSCase(t, filepath.Dir(e)))
	}
	return out
}

func TestPLSFixtures(t *testing.T) {
	for _, c := range plsCases(t) {
		t.Run(c.name, func(t *testing.T) {
			r, err := FitPLS(c.cols, c.w, c.model)
			if err != nil {
				t.Fatal(err)
			}
			const tol = 1e-6 // README: every figure within 1e-6 (absolute), plspm 0.4.9
			chk := func(what string, got, want float64) {
				t.Helper()
				if math.Abs(got-want) > tol {
					t.Errorf("%s = %.12g, want %.12g (plspm)", what, got, want)
				}
			}
			names := func(b int) string { return c.model.Blocks[b].Name }
			for b, bl := range c.model.Blocks {
				for k, j := range bl.Indicators {
					chk("weight "+c.header[j], r.OuterWeights[b][k], c.want.OuterWeights[c.header[j]])
					chk("loading "+c.header[j], r.Loadings[b][k], c.want.Loadings[c.header[j]])
				}
				chk("R² "+bl.Name, r.R2[b], c.want.R2[bl.Name])
				chk("AVE "+bl.Name, r.AVE[b], c.want.AVE[bl.Name])
				if c.rel != nil {
					chk("alpha "+bl.Name, r.CronbachAlpha[b], c.rel.Alpha[bl.Name])
					chk("rho "+bl.Name, r.CompositeReliability[b], c.rel.Rho[bl.Name])
				}
				if c.want.Index != nil {
					chk("index "+bl.Name, r.Indices[b], c.want.Index[bl.Name])
				}
			}
			for _, p := range c.model.Paths {
				key := names(p[1]) + "<-" + names(p[0])
				chk("path "+key, r.Paths.At(p[1], p[0]), c.want.PathCoefficients[key])
			}
			for key, v := range c.want.TotalEffects {
				var f, to string
				fmt.Sscanf(key, "%s -> %s", &f, &to)
				var fi, ti int = -1, -1
				for b := range c.model.Blocks {
					if names(b) == f {
						fi = b
					}
					if names(b) == to {
						ti = b
					}
				}
				chk("total "+key, r.TotalEffects.At(ti, fi), v)
			}
			chk("GoF", r.GoF, c.want.GoF)
		})
	}
}

// ccsiCase is the shared fixture, the base of the property tests below.
func ccsiCase(t *testing.T) plsCase {
	t.Helper()
	c := loadPLSCase(t, "testdata/pls/ccsi_sim")
	c.model.IndexScale = [2]float64{1, 10}
	return c
}

// plsClose compares every estimate of two fits.
func plsClose(t *testing.T, got, want *PLSResult, tol float64) {
	t.Helper()
	chk := func(what string, g, w float64) {
		t.Helper()
		if math.Abs(g-w) > tol || math.IsNaN(g) != math.IsNaN(w) {
			t.Errorf("%s = %.12g, want %.12g", what, g, w)
		}
	}
	for b := range want.OuterWeights {
		for k := range want.OuterWeights[b] {
			chk(fmt.Sprintf("weight[%d][%d]", b, k), got.OuterWeights[b][k], want.OuterWeights[b][k])
			chk(fmt.Sprintf("loading[%d][%d]", b, k), got.Loadings[b][k], want.Loadings[b][k])
		}
		chk(fmt.Sprintf("R2[%d]", b), got.R2[b], want.R2[b])
		chk(fmt.Sprintf("AVE[%d]", b), got.AVE[b], want.AVE[b])
		chk(fmt.Sprintf("alpha[%d]", b), got.CronbachAlpha[b], want.CronbachAlpha[b])
		chk(fmt.Sprintf("CR[%d]", b), got.CompositeReliability[b], want.CompositeReliability[b])
		if want.Indices != nil {
			chk(fmt.Sprintf("index[%d]", b), got.Indices[b], want.Indices[b])
		}
		for f := range want.OuterWeights {
			chk(fmt.Sprintf("path[%d][%d]", b, f), got.Paths.At(b, f), want.Paths.At(b, f))
			chk(fmt.Sprintf("total[%d][%d]", b, f), got.TotalEffects.At(b, f), want.TotalEffects.At(b, f))
		}
	}
	chk("GoF", got.GoF, want.GoF)
}

// TestPLSWeightIsDuplication: a sampling weight of k gives the same fit as
// the row written k times (0: the row left out).
func TestPLSWeightIsDuplication(t *testing.T) {
	for _, std := range []bool{false, true} {
		for _, missing := range []string{PLSMeanReplace, PLSPairwise} {
			c := ccsiCase(t)
			c.model.Standardize, c.model.Missing = std, missing
			n := len(c.cols[0])
			// some missing answers, to weigh them too
			for i := 0; i < n; i += 7 {
				c.cols[(i/7)%len(c.cols)][i] = math.NaN()
			}
			w := make([]float64, n)
			dup := make([][]float64, len(c.cols))
			for i := range w {
				w[i] = float64(i % 4) // 0, 1, 2, 3
				for k := 0; k < int(w[i]); k++ {
					for j := range dup {
						dup[j] = append(dup[j], c.cols[j][i])
					}
				}
			}
			got, err := FitPLS(c.cols, w, c.model)
			if err != nil {
				t.Fatal(err)
			}
			want, err := FitPLS(dup, nil, c.model)
			if err != nil {
				t.Fatal(err)
			}
			plsClose(t, got, want, 1e-9)
			if got.SumW != float64(len(dup[0])) || got.N != n {
				t.Errorf("SumW %g N %d, want %d and %d", got.SumW, got.N, len(dup[0]), n)
			}
		}
	}
}

// TestPLSMeanReplacement: the fit with missing answers is the fit of the
// data completed by hand (each respondent's mean of the block's answered
// items; the item mean when none is answered), with every row kept.
func TestPLSMeanReplacement(t *testing.T) {
	c := ccsiCase(t)
	n := len(c.cols[0])
	holes := 0
	for i := 0; i < n; i += 5 {
		c.cols[(i/5)%21][i] = math.NaN() // one missing answer
		holes++
	}
	// respondent 3 answers no loyalty item (loy1..loy3 are columns 18..20)
	for j := 18; j < 21; j++ {
		if !math.IsNaN(c.cols[j][3]) {
			holes++
		}
		c.cols[j][3] = math.NaN()
	}
	done := make([][]float64, len(c.cols))
	for j := range done {
		done[j] = slices.Clone(c.cols[j])
	}
	for _, bl := range c.model.Blocks {
		for i := 0; i < n; i++ {
			var s, k float64
			for _, j := range bl.Indicators {
				if !math.IsNaN(c.cols[j][i]) {
					s += c.cols[j][i]
					k++
				}
			}
			for _, j := range bl.Indicators {
				if math.IsNaN(done[j][i]) {
					if k > 0 {
						done[j][i] = s / k
					} else {
						var cs, cn float64
						for _, v := range c.cols[j] {
							if !math.IsNaN(v) {
								cs += v
								cn++
							}
						}
						done[j][i] = cs / cn
					}
				}
			}
		}
	}
	got, err := FitPLS(c.cols, nil, c.model)
	if err != nil {
		t.Fatal(err)
	}
	want, err := FitPLS(done, nil, c.model)
	if err != nil {
		t.Fatal(err)
	}
	plsClose(t, got, want, 1e-12)
	var imp int
	for _, k := range got.Imputed {
		imp += k
	}
	if imp != holes || got.EmptyRows[6] != 1 || got.N != n {
		t.Errorf("imputed %d (want %d), empty LOY rows %d (want 1), N %d (want %d)", imp, holes, got.EmptyRows[6], got.N, n)
	}
	if r, c := got.Scores.Dims(); r != n || c != 7 {
		t.Errorf("scores are %d×%d, want %d×7", r, c, n)
	}
}

// TestPLSPairwise: without missing answers pairwise is the plain fit; with
// them its moments are each pair's own (R: cov(x, use =
// "pairwise.complete.obs") with divisor Σw).
func TestPLSPairwise(t *testing.T) {
	c := ccsiCase(t)
	plain, err := FitPLS(c.cols, nil, c.model)
	if err != nil {
		t.Fatal(err)
	}
	c.model.Missing = PLSPairwise
	pw, err := FitPLS(c.cols, nil, c.model)
	if err != nil {
		t.Fatal(err)
	}
	plsClose(t, pw, plain, 1e-12)

	n := len(c.cols[0])
	w := make([]float64, n)
	for i := range w {
		w[i] = 1 + float64(i%3)
		c.cols[(i*7)%21][i] = math.NaN()
		if i%11 == 0 {
			c.cols[(i*3+1)%21][i] = math.NaN()
		}
	}
	for _, std := range []bool{false, true} {
		c.model.Standardize = std
		spec, err := compilePLS(len(c.cols), c.model)
		if err != nil {
			t.Fatal(err)
		}
		d, err := preparePLS(c.cols, w, spec, n)
		if err != nil {
			t.Fatal(err)
		}
		mo := d.moments(nil)
		for a, ja := range spec.cols {
			for b, jb := range spec.cols {
				// the naive pairwise covariance / correlation
				var sw, sa, sb float64
				for i := 0; i < n; i++ {
					if x, y := c.cols[ja][i], c.cols[jb][i]; !math.IsNaN(x) && !math.IsNaN(y) {
						sw += w[i]
						sa += w[i] * x
						sb += w[i] * y
					}
				}
				ma, mb := sa/sw, sb/sw
				var cab, va, vb float64
				for i := 0; i < n; i++ {
					if x, y := c.cols[ja][i], c.cols[jb][i]; !math.IsNaN(x) && !math.IsNaN(y) {
						cab += w[i] * (x - ma) * (y - mb)
						va += w[i] * (x - ma) * (x - ma)
						vb += w[i] * (y - mb) * (y - mb)
					}
				}
				want := cab / sw
				got := mo.cov[a*spec.p+b]
				if std {
					want = cab / math.Sqrt(va*vb)
					got /= mo.sd[a] * mo.sd[b]
				}
				if math.Abs(got-want) > 1e-12 {
					t.Fatalf("std %v: pairwise moment %d,%d = %.15g, want %.15g", std, ja, jb, got, want)
				}
			}
		}
		r, err := FitPLS(c.cols, w, c.model)
		if err != nil {
			t.Fatal(err)
		}
		if r.N != n || math.Abs(r.Paths.At(4, 2)-plain.Paths.At(4, 2)) > 0.05 {
			t.Errorf("std %v: pairwise SAT<-QUAL %g far from complete-data %g", std, r.Paths.At(4, 2), plain.Paths.At(4, 2))
		}
	}
}

// TestPLSScoresAndIndex: scores have weighted mean 0 and variance 1, their
// correlations are LVCor, their regression gives the paths, and the index
// is the weighted mean of the rescaled scores (plspm::rescale).
func TestPLSScoresAndIndex(t *testing.T) {
	c := ccsiCase(t)
	n := len(c.cols[0])
	w := make([]float64, n)
	for i := range w {
		w[i] = 0.5 + float64(i%5)/2
	}
	r, err := FitPLS(c.cols, w, c.model)
	if err != nil {
		t.Fatal(err)
	}
	var sw float64
	for _, v := range w {
		sw += v
	}
	mean := func(f func(i int) float64) float64 {
		var s float64
		for i := 0; i < n; i++ {
			s += w[i] * f(i)
		}
		return s / sw
	}
	for b := 0; b < 7; b++ {
		m := mean(func(i int) float64 { return r.Scores.At(i, b) })
		v := mean(func(i int) float64 { return r.Scores.At(i, b) * r.Scores.At(i, b) })
		if math.Abs(m) > 1e-12 || math.Abs(v-1) > 1e-12 {
			t.Errorf("block %d scores: mean %g variance %g, want 0 and 1", b, m, v)
		}
		for a := 0; a < 7; a++ {
			cv := mean(func(i int) float64 { return r.Scores.At(i, b) * r.Scores.At(i, a) })
			if math.Abs(cv-r.LVCor.At(a, b)) > 1e-12 {
				t.Errorf("cor(%d,%d) of scores %g, LVCor %g", a, b, cv, r.LVCor.At(a, b))
			}
		}
		bl := c.model.Blocks[b]
		var tw float64
		for _, x := range r.OuterWeights[b] {
			tw += x
		}
		raw := mean(func(i int) float64 {
			var s float64
			for k, j := range bl.Indicators {
				s += r.OuterWeights[b][k] / tw * c.cols[j][i]
			}
			return s
		})
		if want := (raw - 1) / 9 * 100; math.Abs(r.Indices[b]-want) > 1e-9 {
			t.Errorf("index %s = %g, want %g", bl.Name, r.Indices[b], want)
		}
	}
	idx, err := r.Index(0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if want := r.Indices[4]*0.9 + 10; math.Abs(idx[4]-want) > 1e-9 {
		t.Errorf("Index(0, 10) of SAT = %g, want %g", idx[4], want)
	}
	// a path by hand: COMP on SAT, weighted OLS of the scores
	cov := mean(func(i int) float64 { return r.Scores.At(i, 4) * r.Scores.At(i, 5) })
	if math.Abs(r.Paths.At(5, 4)-cov) > 1e-12 || math.Abs(r.R2[5]-cov*cov) > 1e-12 {
		t.Errorf("COMP<-SAT %g R² %g, want %g and %g", r.Paths.At(5, 4), r.R2[5], cov, cov*cov)
	}
}

func TestPLSErrors(t *testing.T) {
	base := func() PLSModel {
		return PLSModel{Blocks: []PLSBlock{
			{Name: "A", Indicators: []int{0, 1}},
			{Name: "B", Indicators: []int{2, 3}},
			{Name: "C", Indicators: []int{4}},
		}, Paths: [][2]int{{0, 1}, {1, 2}}}
	}
	x := make([][]float64, 6)
	for j := range x {
		for i := 0; i < 50; i++ {
			x[j] = append(x[j], float64((i*(j+2))%7+1))
		}
	}
	for i := range x[5] {
		x[5][i] = 4 // a constant column
	}
	cases := []struct {
		name string
		edit func(m *PLSModel)
		want string
	}{
		{"indicator not in data", func(m *PLSModel) { m.Blocks[0].Indicators[1] = 9 }, `construct "A": indicator column 9 is not in the data`},
		{"no indicators", func(m *PLSModel) { m.Blocks[1].Indicators = nil }, `construct "B" has no indicators`},
		{"indicator twice", func(m *PLSModel) { m.Blocks[1].Indicators[0] = 0 }, `indicator column 0 is in both "A" and "B"`},
		{"unknown construct", func(m *PLSModel) { m.Paths[1][1] = 3 }, "path 1 -> 3 names an unknown construct"},
		{"cycle", func(m *PLSModel) { m.Paths = append(m.Paths, [2]int{2, 0}) }, "the paths form a cycle: A -> B -> C -> A"},
		{"two-way", func(m *PLSModel) { m.Paths = append(m.Paths, [2]int{1, 0}) }, "paths B -> A and back form a cycle"},
		{"self", func(m *PLSModel) { m.Paths = append(m.Paths, [2]int{2, 2}) }, "leads from a construct to itself"},
		{"isolated", func(m *PLSModel) { m.Paths = m.Paths[:1] }, `construct "C" has no path`},
		{"zero-variance block", func(m *PLSModel) { m.Blocks[2].Indicators = []int{5} }, `block "C" has zero variance`},
		{"zero-variance standardized", func(m *PLSModel) { m.Blocks[1].Indicators = []int{2, 5}; m.Standardize = true }, `indicator column 5 of "B" has zero variance`},
		{"scheme", func(m *PLSModel) { m.Scheme = "ridge" }, `unknown inner weighting scheme "ridge"`},
		{"mode", func(m *PLSModel) { m.Blocks[0].Mode = "C" }, `unknown mode "C"`},
		{"collinear mode B", func(m *PLSModel) { m.Blocks[1].Indicators = []int{2, 3, 5}; m.Blocks[1].Mode = PLSModeB }, `collinear`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := base()
			tc.edit(&m)
			_, err := FitPLS(x, nil, m)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

func TestPLSNotConverged(t *testing.T) {
	c := ccsiCase(t)
	c.model.MaxIter = 2
	_, err := FitPLS(c.cols, nil, c.model)
	var ce *PLSConvergenceError
	if !errors.As(err, &ce) || ce.Iterations != 2 || !strings.Contains(err.Error(), "did not converge in 2 iterations") {
		t.Fatalf("got %v, want a PLSConvergenceError after 2 iterations", err)
	}
	c.model.MaxIter = 0
	r, err := FitPLS(c.cols, nil, c.model)
	if err != nil || r.Iterations < 3 || r.Iterations > 20 {
		t.Fatalf("default limit: %v, %d iterations", err, r.Iterations)
	}
}

func TestPLSBootstrap(t *testing.T) {
	c := ccsiCase(t)
	n := len(c.cols[0])
	des := PLSDesign{Strata: make([]int, n), PSU: make([]int, n)}
	w := make([]float64, n)
	for i := range w {
		des.Strata[i] = i % 3     // 3 districts
		des.PSU[i] = (i / 3) % 40 // 40 clusters in each
		w[i] = 1 + float64(i%2)
	}
	o := PLSBootOptions{Reps: 60, Seed: 42, Workers: 1}
	one, err := BootstrapPLS(c.cols, w, c.model, des, o)
	if err != nil {
		t.Fatal(err)
	}
	o.Workers = 3
	three, err := BootstrapPLS(c.cols, w, c.model, des, o)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(one, three) {
		t.Fatal("1 and 3 workers gave different bootstraps")
	}
	full, err := FitPLS(c.cols, w, c.model)
	if err != nil {
		t.Fatal(err)
	}
	if one.Failed != 0 || len(one.Paths) != len(c.model.Paths) || len(one.Index) != 7 {
		t.Fatalf("failed %d, %d paths, %d indices", one.Failed, len(one.Paths), len(one.Index))
	}
	for k, p := range c.model.Paths {
		st := one.Paths[k]
		if st.Estimate != full.Paths.At(p[1], p[0]) || len(st.Reps) != 60 {
			t.Errorf("path %d: estimate %g (fit %g), %d replicates", k, st.Estimate, full.Paths.At(p[1], p[0]), len(st.Reps))
		}
		if !(st.SE > 0.005 && st.SE < 0.2) || !(st.Lo < st.Estimate && st.Estimate < st.Hi) {
			t.Errorf("path %d: SE %g, interval [%g, %g] around %g", k, st.SE, st.Lo, st.Hi, st.Estimate)
		}
	}
	for b, st := range one.Index {
		if st.Estimate != full.Indices[b] || !(st.SE > 0.05 && st.SE < 3) {
			t.Errorf("index %d: %g ± %g (fit %g)", b, st.Estimate, st.SE, full.Indices[b])
		}
	}
	if one.TotalEffects[6][0].Estimate != full.TotalEffects.At(6, 0) {
		t.Errorf("total effect IMAG->LOY %g, fit %g", one.TotalEffects[6][0].Estimate, full.TotalEffects.At(6, 0))
	}
	o.Seed = 43
	other, err := BootstrapPLS(c.cols, w, c.model, des, o)
	if err != nil {
		t.Fatal(err)
	}
	if other.Paths[0].SE == one.Paths[0].SE {
		t.Error("seeds 42 and 43 gave the same replicates")
	}
}

// TestPLSDrawPSUs: whole PSUs are drawn within strata, as many as each
// stratum has, and every row of a PSU gets its PSU's count.
func TestPLSDrawPSUs(t *testing.T) {
	n := 200
	des := PLSDesign{Strata: make([]int, n), PSU: make([]int, n)}
	for i := range des.PSU {
		des.Strata[i] = i % 4 * 10 // strata 0, 10, 20, 30
		des.PSU[i] = i / 8 % 5     // PSU codes repeat across strata: taken within strata
	}
	unit, strata := plsUnits(n, des)
	if len(unit) != 20 || len(strata) != 4 {
		t.Fatalf("%d PSUs in %d strata, want 20 in 4", len(unit), len(strata))
	}
	um := make([]float64, len(unit))
	rng := rand.New(rand.NewPCG(1, 2))
	for r := 0; r < 100; r++ {
		drawPSUs(rng, strata, um)
		for h, us := range strata {
			var got float64
			for _, u := range us {
				got += um[u]
				for _, i := range unit[u] {
					if des.Strata[i] != des.Strata[unit[us[0]][0]] {
						t.Fatalf("PSU %d of stratum %d holds row %d of another stratum", u, h, i)
					}
				}
			}
			if got != float64(len(us)) {
				t.Fatalf("stratum %d drew %g PSUs, want %d", h, got, len(us))
			}
		}
	}
	// no design: every row its own PSU
	unit, strata = plsUnits(n, PLSDesign{})
	if len(unit) != n || len(strata) != 1 {
		t.Fatalf("no design: %d PSUs in %d strata", len(unit), len(strata))
	}
}

// TestPLSSumsAddUp: the moments of a replicate from weighed PSU sums are
// those from its rows, with and without missing answers, and the index
// from the means is the index from the rows.
func TestPLSSumsAddUp(t *testing.T) {
	for _, missing := range []string{PLSMeanReplace, PLSPairwise} {
		c := ccsiCase(t)
		c.model.Missing = missing
		c.model.Standardize = missing == PLSPairwise
		n := len(c.cols[0])
		w := make([]float64, n)
		for i := range w {
			w[i] = 1 + float64(i%3)/2
			if i%13 == 0 {
				c.cols[i%21][i] = math.NaN()
			}
		}
		spec, err := compilePLS(len(c.cols), c.model)
		if err != nil {
			t.Fatal(err)
		}
		d, err := preparePLS(c.cols, w, spec, n)
		if err != nil {
			t.Fatal(err)
		}
		psu := make([]int, n)
		for i := range psu {
			psu[i] = i / 10
		}
		unit, strata := plsUnits(n, PLSDesign{PSU: psu})
		um := make([]float64, len(unit))
		drawPSUs(rand.New(rand.NewPCG(5, 6)), strata, um)
		mult := make([]float64, n)
		tot := d.newSums()
		var buf plsBuf
		for u, rows := range unit {
			for _, i := range rows {
				mult[i] = um[u]
			}
			tot.add(um[u], d.sumRows(rows, nil, &buf))
		}
		a, b := d.finish(tot), d.moments(mult)
		for k := range a.cov {
			if math.Abs(a.cov[k]-b.cov[k]) > 1e-12 {
				t.Fatalf("%s: cov[%d] %g from PSU sums, %g from rows", missing, k, a.cov[k], b.cov[k])
			}
		}
		if missing == PLSPairwise {
			core, err := spec.fit(b)
			if err != nil {
				t.Fatal(err)
			}
			x, err1 := d.index(spec, core.w, mult, 1, 10)
			y, err2 := d.indexSums(spec, unit).index(d, spec, core.w, um, 1, 10)
			if err1 != nil || err2 != nil {
				t.Fatal(err1, err2)
			}
			for k := range x {
				if math.Abs(x[k]-y[k]) > 1e-9 {
					t.Errorf("pairwise index %d: %g from rows, %g from PSU sums", k, x[k], y[k])
				}
			}
		}
		if missing == PLSMeanReplace {
			core, err := spec.fit(b)
			if err != nil {
				t.Fatal(err)
			}
			x, err1 := d.index(spec, core.w, mult, 1, 10)
			y, err2 := d.indexFromMeans(spec, core.w, a.shift, 1, 10)
			if err1 != nil || err2 != nil {
				t.Fatal(err1, err2)
			}
			for k := range x {
				if math.Abs(x[k]-y[k]) > 1e-9 {
					t.Errorf("index %d: %g from rows, %g from means", k, x[k], y[k])
				}
			}
		}
	}
}

// TestPLSBlockOrder: the constructs may be listed in any order (plspm
// needs the paths' order); the fit is the same, permuted.
func TestPLSBlockOrder(t *testing.T) {
	c := ccsiCase(t)
	want, err := FitPLS(c.cols, nil, c.model)
	if err != nil {
		t.Fatal(err)
	}
	perm := []int{6, 2, 4, 0, 5, 1, 3} // new position -> old block
	old2new := make([]int, len(perm))
	m := c.model
	m.Blocks = nil
	for nw, o := range perm {
		m.Blocks = append(m.Blocks, c.model.Blocks[o])
		old2new[o] = nw
	}
	m.Paths = nil
	for _, p := range c.model.Paths {
		m.Paths = append(m.Paths, [2]int{old2new[p[0]], old2new[p[1]]})
	}
	got, err := FitPLS(c.cols, nil, m)
	if err != nil {
		t.Fatal(err)
	}
	for nw, o := range perm {
		for k := range want.OuterWeights[o] {
			if d := math.Abs(got.OuterWeights[nw][k] - want.OuterWeights[o][k]); d > 1e-12 {
				t.Errorf("%s weight %d differs by %g", m.Blocks[nw].Name, k, d)
			}
		}
		if math.Abs(got.Indices[nw]-want.Indices[o]) > 1e-9 || math.Abs(got.R2[nw]-want.R2[o]) > 1e-12 {
			t.Errorf("%s: index %g R² %g, want %g and %g", m.Blocks[nw].Name, got.Indices[nw], got.R2[nw], want.Indices[o], want.R2[o])
		}
		for f, of := range perm {
			if d := math.Abs(got.TotalEffects.At(nw, f) - want.TotalEffects.At(o, of)); d > 1e-12 {
				t.Errorf("total effect %s -> %s differs by %g", m.Blocks[f].Name, m.Blocks[nw].Name, d)
			}
		}
	}
}

// TestPLSIndexNegativeWeight: a block with a negative outer weight (here a
// reverse-coded item) has no index (NaN, and Index says why), while the
// fit and the other indices stand; the bootstrap leaves it out the same.
func TestPLSIndexNegativeWeight(t *testing.T) {
	c := ccsiCase(t)
	rev := make([]float64, len(c.cols[0]))
	for i, v := range c.cols[0] {
		rev[i] = 11 - v
	}
	c.cols = append(c.cols, rev)
	c.model.Blocks[0].Indicators = append(c.model.Blocks[0].Indicators, len(c.cols)-1)
	r, err := FitPLS(c.cols, nil, c.model)
	if err != nil {
		t.Fatal(err)
	}
	if w := r.OuterWeights[0][3]; !(w < 0) || !math.IsNaN(r.Indices[0]) || math.IsNaN(r.Indices[4]) {
		t.Fatalf("reverse item weight %g, IMAG index %g, SAT index %g", w, r.Indices[0], r.Indices[4])
	}
	if _, err := r.Index(1, 10); err == nil || !strings.Contains(err.Error(), `construct "IMAG" has a non-positive outer weight`) {
		t.Errorf("Index: %v", err)
	}
	bt, err := BootstrapPLS(c.cols, nil, c.model, PLSDesign{}, PLSBootOptions{Reps: 10, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(bt.Index[0].Reps) != 0 || !math.IsNaN(bt.Index[0].SE) || len(bt.Index[4].Reps) != 10 || bt.Failed != 0 {
		t.Errorf("bootstrap IMAG index %d replicates (SE %g), SAT %d, failed %d", len(bt.Index[0].Reps), bt.Index[0].SE, len(bt.Index[4].Reps), bt.Failed)
	}
}
