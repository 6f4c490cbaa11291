package stats

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

func near(got, want, tol float64) bool {
	return math.Abs(got-want) <= tol*math.Max(1, math.Abs(want))
}

// srsData returns n values of a seeded variable.
func srsData(n int, seed uint64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 1))
	y := make([]float64, n)
	for i := range y {
		y[i] = 50 + 10*rng.NormFloat64()
	}
	return y
}

// TestSRSTextbook checks a simple random sample without replacement against
// the textbook formulas (Cochran 1977, ch. 2): ȳ, SE = sqrt((1 − n/N) s²/n),
// total N ȳ with SE N·SE(ȳ), deff 1 for the mean.
func TestSRSTextbook(t *testing.T) {
	const n, N = 200, 5000
	y := srsData(n, 7)
	w := make([]float64, n)
	fpc := make([]float64, n)
	for i := range w {
		w[i] = float64(N) / n
		fpc[i] = N
	}
	d, err := NewDesign(DesignSpec{Weights: w, Stages: []Stage{{FPC: fpc}}})
	if err != nil {
		t.Fatal(err)
	}
	mean := 0.0
	for _, v := range y {
		mean += v
	}
	mean /= n
	s2 := 0.0
	for _, v := range y {
		s2 += (v - mean) * (v - mean)
	}
	s2 /= n - 1
	se := math.Sqrt((1 - float64(n)/N) * s2 / n)

	m, err := d.Mean(y, Whole())
	if err != nil {
		t.Fatal(err)
	}
	if got := m[0]; !near(got.Value, mean, 1e-12) || !near(got.SE, se, 1e-10) || !near(got.Deff, 1, 1e-10) {
		t.Errorf("mean: got %v (SE %v, deff %v), want %v (SE %v, deff 1)", got.Value, got.SE, got.Deff, mean, se)
	}
	tot, err := d.Total(y, Whole())
	if err != nil {
		t.Fatal(err)
	}
	if got := tot[0]; !near(got.Value, N*mean, 1e-12) || !near(got.SE, N*se, 1e-10) {
		t.Errorf("total: got %v (SE %v), want %v (SE %v)", got.Value, got.SE, N*mean, N*se)
	}
	if got, want := d.DegF(), n-1; got != want {
		t.Errorf("DegF = %d, want %d", got, want)
	}
	// Proportion p̂ with SE sqrt((1 − f) p̂(1 − p̂)/(n − 1)).
	is := make([]float64, n)
	k := 0.0
	for i, v := range y {
		if v > 55 {
			is[i] = 1
			k++
		}
	}
	p := k / n
	pr, err := d.Proportion(is, Whole())
	if err != nil {
		t.Fatal(err)
	}
	if want := math.Sqrt((1 - float64(n)/N) * p * (1 - p) / (n - 1)); !near(pr[0].Value, p, 1e-12) || !near(pr[0].SE, want, 1e-10) {
		t.Errorf("proportion: got %v (SE %v), want %v (SE %v)", pr[0].Value, pr[0].SE, p, want)
	}
	// A with-replacement design (no fpc) drops the (1 − f) factor, and JK1
	// replicates give exactly the same variance of a mean.
	dw, _ := NewDesign(DesignSpec{Weights: w})
	mw, _ := dw.Mean(y, Whole())
	if want := math.Sqrt(s2 / n); !near(mw[0].SE, want, 1e-10) {
		t.Errorf("with replacement: SE %v, want %v", mw[0].SE, want)
	}
	jk, err := dw.JackknifeReplicates(JK1, false)
	if err != nil {
		t.Fatal(err)
	}
	mj, _ := jk.Mean(y, Whole())
	if !near(mj[0].SE, mw[0].SE, 1e-9) {
		t.Errorf("JK1 SE %v, want the linearization SE %v", mj[0].SE, mw[0].SE)
	}
}

// cityDesign builds a small stratified cluster design with unequal weights.
func cityDesign(t *testing.T, scale float64) (*Design, [][]int, []float64) {
	t.Helper()
	rng := rand.New(rand.NewPCG(42, 2))
	const n = 1500
	strata := make([]int, n)
	psu := make([]int, n)
	fpc := make([]float64, n)
	w := make([]float64, n)
	sex := make([]int, n)
	age := make([]int, n)
	y := make([]float64, n)
	for i := range strata {
		strata[i] = i % 5
		psu[i] = rng.IntN(6)
		fpc[i] = 40
		w[i] = scale * (50 + 100*rng.Float64())
		sex[i] = rng.IntN(2)
		age[i] = rng.IntN(4)
		y[i] = float64(strata[i]) + 2*float64(sex[i]) + rng.NormFloat64()
		if rng.IntN(20) == 0 {
			y[i] = math.NaN()
		}
	}
	d, err := NewDesign(DesignSpec{Strata: strata, Stages: []Stage{{IDs: psu, FPC: fpc}}, Weights: w, Nest: true})
	if err != nil {
		t.Fatal(err)
	}
	return d, [][]int{strata, sex, age}, y
}

// TestScaleInvariance checks that multiplying every weight by a constant
// leaves means, indices and their standard errors unchanged, and totals
// scaled.
func TestScaleInvariance(t *testing.T) {
	d1, _, y := cityDesign(t, 1)
	d2, _, _ := cityDesign(t, 37.5)
	items := []IndexItem{{Values: y, Weight: 1, Min: -2, Max: 8}}
	for _, c := range []struct {
		name string
		f    func(d *Design) ([]Estimate, error)
		mult float64
	}{
		{"mean", func(d *Design) ([]Estimate, error) { return d.Mean(y, Whole()) }, 1},
		{"index", func(d *Design) ([]Estimate, error) { return d.Index(items, Whole()) }, 1},
		{"total", func(d *Design) ([]Estimate, error) { return d.Total(y, Whole()) }, 37.5},
	} {
		a, err := c.f(d1)
		if err != nil {
			t.Fatal(err)
		}
		b, err := c.f(d2)
		if err != nil {
			t.Fatal(err)
		}
		if !near(b[0].Value, c.mult*a[0].Value, 1e-12) || !near(b[0].SE, c.mult*a[0].SE, 1e-10) {
			t.Errorf("%s: scaled weights give %v (SE %v), want %v (SE %v)", c.name, b[0].Value, b[0].SE, c.mult*a[0].Value, c.mult*a[0].SE)
		}
	}
}

// margins returns raking margins on strata and sex×age for the city design.
func margins(codes [][]int) []Margin {
	st := Margin{Name: "stratum", Cells: codes[0], Labels: []string{"a", "b", "c", "d", "e"}, Totals: []float64{20000, 30000, 25000, 15000, 10000}}
	joint := make([]int, len(codes[1]))
	for i := range joint {
		joint[i] = codes[1][i]*4 + codes[2][i]
	}
	sa := Margin{Name: "sex|age", Cells: joint, Labels: []string{"M1", "M2", "M3", "M4", "F1", "F2", "F3", "F4"},
		Totals: []float64{13000, 14000, 12000, 11000, 12500, 13500, 12500, 11500}}
	return []Margin{st, sa}
}

// TestRakingReproducesMargins checks Σ w x = totals for every category of
// every margin after raking and after bounded linear calibration.
func TestRakingReproducesMargins(t *testing.T) {
	d, codes, _ := cityDesign(t, 1)
	for _, cal := range []Calibration{
		{Method: Raking, Margins: margins(codes)},
		{Method: Linear, Margins: margins(codes), Bounded: true, Lower: 0.3, Upper: 3},
		{Method: Linear, Margins: margins(codes)},
	} {
		cd, err := d.Calibrate(cal)
		if err != nil {
			t.Fatalf("%v: %v", cal.Method, err)
		}
		w := cd.Weights()
		for _, m := range cal.Margins {
			got := make([]float64, len(m.Totals))
			for i, c := range m.Cells {
				got[c] += w[i]
			}
			for j, want := range m.Totals {
				if !near(got[j], want, 1e-9) {
					t.Errorf("%v: margin %s category %s: Σw = %v, want %v", cal.Method, m.Name, m.Labels[j], got[j], want)
				}
			}
		}
		if cal.Bounded {
			for i, wi := range w {
				g := wi / d.base[i]
				if g < cal.Lower-1e-12 || g > cal.Upper+1e-12 {
					t.Errorf("bounded: row %d has g = %v outside [%v, %v]", i, g, cal.Lower, cal.Upper)
					break
				}
			}
		}
		// A calibrated total of a margin indicator is known exactly: SE 0.
		ind := make([]float64, d.n)
		for i, c := range cal.Margins[0].Cells {
			if c == 2 {
				ind[i] = 1
			}
		}
		tot, _ := cd.Total(ind, Whole())
		if tot[0].SE > 1e-6*tot[0].Value {
			t.Errorf("%v: SE of a calibrated margin total = %v, want 0", cal.Method, tot[0].SE)
		}
	}
}

// TestDomainTotalsAddUp checks that domain totals add up to the whole-sample
// total, with or without calibration, and that a domain mean equals the
// ratio of domain totals.
func TestDomainTotalsAddUp(t *testing.T) {
	d, codes, y := cityDesign(t, 1)
	cd, err := d.Calibrate(Calibration{Method: Raking, Margins: margins(codes)})
	if err != nil {
		t.Fatal(err)
	}
	for _, des := range []*Design{d, cd} {
		whole, err := des.Total(y, Whole())
		if err != nil {
			t.Fatal(err)
		}
		by, err := des.Total(y, Groups{Code: codes[0], Len: 5})
		if err != nil {
			t.Fatal(err)
		}
		sum := 0.0
		for _, e := range by {
			sum += e.Value
		}
		if !near(sum, whole[0].Value, 1e-12) {
			t.Errorf("domain totals add up to %v, want %v", sum, whole[0].Value)
		}
		// Combining the domain totals gives the whole total's variance too.
		all := Combine([]float64{1, 1, 1, 1, 1}, by)
		if !near(all.SE, whole[0].SE, 1e-9) {
			t.Errorf("combined domain SE %v, want %v", all.SE, whole[0].SE)
		}
	}
}

// TestLonelyPSU checks the five lonely-PSU options on a design where one
// stratum has a single PSU.
func TestLonelyPSU(t *testing.T) {
	strata := []int{1, 1, 1, 1, 2, 2, 2, 2, 3, 3}
	psu := []int{1, 1, 2, 2, 3, 3, 4, 4, 5, 5}
	y := []float64{1, 2, 3, 5, 2, 2, 7, 1, 4, 6}
	w := []float64{10, 10, 10, 10, 20, 20, 20, 20, 5, 5}
	spec := func(l Lonely) DesignSpec {
		return DesignSpec{Strata: strata, Stages: []Stage{{IDs: psu}}, Weights: w, Lonely: l}
	}
	if _, err := NewDesign(spec(LonelyFail)); err == nil || !strings.Contains(err.Error(), "lonely") {
		t.Errorf("fail: err = %v, want a lonely-PSU error", err)
	}
	// Totals per PSU: (30, 80), (80, 160), (50).
	base := 2.0/1*((30.0-55)*(30-55)+(80.0-55)*(80-55)) + 2.0/1*((80.0-120)*(80-120)+(160.0-120)*(160-120))
	for _, c := range []struct {
		l    Lonely
		want float64
	}{
		{LonelyCertainty, base},
		{LonelyRemove, base},
		{LonelyAdjust, base + 50*50},
		{LonelyAverage, base * 3 / 2},
	} {
		d, err := NewDesign(spec(c.l))
		if err != nil {
			t.Fatal(err)
		}
		tot, _ := d.Total(y, Whole())
		if !near(tot[0].Var, c.want, 1e-12) {
			t.Errorf("lonely %v: variance %v, want %v", c.l, tot[0].Var, c.want)
		}
	}
}

// TestCalibrationErrors checks that impossible calibrations name the margin
// and the category.
func TestCalibrationErrors(t *testing.T) {
	d, codes, _ := cityDesign(t, 1)
	m := margins(codes)
	m[1].Totals[0] += m[1].Totals[3] // a category with rows but no population
	m[1].Totals[3] = 0
	_, err := d.Calibrate(Calibration{Method: Raking, Margins: m})
	var ce *CalibrationError
	if !errors.As(err, &ce) || ce.Margin != "sex|age" || ce.Category != "M4" {
		t.Errorf("zero target: err = %v, want a CalibrationError on sex|age M4", err)
	}
	m = margins(codes)
	m[1].Totals[0] += 100 // margins disagree
	if _, err := d.Calibrate(Calibration{Method: Raking, Margins: m}); !errors.As(err, &ce) {
		t.Errorf("inconsistent margins: err = %v, want a CalibrationError", err)
	}
	m = margins(codes)
	_, err = d.Calibrate(Calibration{Method: Linear, Margins: m, Bounded: true, Lower: 0.99, Upper: 1.01, MaxIter: 20})
	if !errors.As(err, &ce) || ce.Category == "" {
		t.Errorf("tight bounds: err = %v, want a CalibrationError naming a category", err)
	}
}

// TestMisusePanics checks that mismatched lengths panic with the stats: prefix.
func TestMisusePanics(t *testing.T) {
	d, _, _ := cityDesign(t, 1)
	for name, f := range map[string]func(){
		"short variable": func() { d.Mean([]float64{1, 2}, Whole()) },
		"short groups":   func() { d.Mean(make([]float64, d.N()), Groups{Code: []int{0}, Len: 1}) },
		"spec lengths":   func() { NewDesign(DesignSpec{Weights: []float64{1, 2}, Strata: []int{1}}) },
		"two designs": func() {
			d2, _, _ := cityDesign(t, 2)
			a, _ := d.Mean(make([]float64, d.N()), Whole())
			b, _ := d2.Mean(make([]float64, d2.N()), Whole())
			Contrast(a[0], b[0])
		},
	} {
		func() {
			defer func() {
				r := recover()
				if s, ok := r.(string); !ok || !strings.HasPrefix(s, "stats: ") {
					t.Errorf("%s: recovered %v, want a panic starting with \"stats: \"", name, r)
				}
			}()
			f()
		}()
	}
}

// TestEmptyDomain checks that a domain without usable rows is an error.
func TestEmptyDomain(t *testing.T) {
	d, codes, y := cityDesign(t, 1)
	yy := append([]float64(nil), y...)
	for i, s := range codes[0] {
		if s == 3 {
			yy[i] = math.NaN()
		}
	}
	_, err := d.Mean(yy, Groups{Code: codes[0], Len: 5})
	var ed *EmptyDomainError
	if !errors.As(err, &ed) || ed.Group != 3 {
		t.Errorf("err = %v, want EmptyDomainError for group 3", err)
	}
}

// TestIntervals checks the interval helpers against R values.
func TestIntervals(t *testing.T) {
	// R: qnorm(0.975) = 1.95996398454005; qt(0.95, 14) = 1.76131013577489.
	if got := Quantile(0.95, math.Inf(1)); !near(got, 1.95996398454005, 1e-12) {
		t.Errorf("normal quantile %v", got)
	}
	if got := Quantile(0.9, 14); !near(got, 1.76131013577489, 1e-10) {
		t.Errorf("t quantile %v", got)
	}
	if got := EffectiveSampleSize([]float64{1, 1, 2, 2}); !near(got, 36.0/10, 1e-12) {
		t.Errorf("EffectiveSampleSize = %v, want 3.6", got)
	}
}
