package stats

import (
	"math"
	"math/rand/v2"
	"testing"
)

// pairedDesign is a stratified design with exactly two PSUs per stratum.
func pairedDesign(t *testing.T) (*Design, []float64) {
	t.Helper()
	rng := rand.New(rand.NewPCG(9, 9))
	const n = 420
	strata := make([]int, n)
	psu := make([]int, n)
	w := make([]float64, n)
	y := make([]float64, n)
	for i := range strata {
		strata[i] = i % 7
		psu[i] = rng.IntN(2)
		w[i] = 10 + 5*rng.Float64()
		y[i] = float64(strata[i]) + rng.NormFloat64()
	}
	d, err := NewDesign(DesignSpec{Strata: strata, Stages: []Stage{{IDs: psu}}, Weights: w, Nest: true})
	if err != nil {
		t.Fatal(err)
	}
	return d, y
}

// TestBRREqualsLinearization checks that for a total, balanced half samples
// (and Fay's variant) give exactly the with-replacement linearization
// variance Σ_h (t_h1 − t_h2)², a property of any orthogonal BRR set.
func TestBRREqualsLinearization(t *testing.T) {
	d, y := pairedDesign(t)
	lin, err := d.Total(y, Whole())
	if err != nil {
		t.Fatal(err)
	}
	for _, rho := range []float64{0, 0.5} {
		rd, err := d.BRRReplicates(rho, false)
		if err != nil {
			t.Fatal(err)
		}
		tot, _ := rd.Total(y, Whole())
		if !near(tot[0].Var, lin[0].Var, 1e-9) || tot[0].Value != lin[0].Value {
			t.Errorf("rho %v: BRR variance %v, want the linearization variance %v", rho, tot[0].Var, lin[0].Var)
		}
	}
}

// TestJKnEqualsLinearizationForTotal checks that JKn reproduces the
// linearization variance of a total exactly.
func TestJKnEqualsLinearizationForTotal(t *testing.T) {
	d, codes, y := cityDesign(t, 1)
	_ = codes
	yy := make([]float64, len(y))
	for i, v := range y {
		if !math.IsNaN(v) {
			yy[i] = v
		}
	}
	lin, _ := d.Total(yy, Whole())
	rd, err := d.JackknifeReplicates(JKn, false)
	if err != nil {
		t.Fatal(err)
	}
	tot, _ := rd.Total(yy, Whole())
	if !near(tot[0].Var, lin[0].Var, 1e-9) {
		t.Errorf("JKn variance %v, want %v", tot[0].Var, lin[0].Var)
	}
}

// TestBootstrapRuns checks that bootstrap replicates give a variance of the
// right size (within 30% of linearization with 500 replicates) and that
// calibrated replicates meet the margins.
func TestBootstrapRuns(t *testing.T) {
	d, codes, y := cityDesign(t, 1)
	lin, _ := d.Mean(y, Whole())
	bd, err := d.BootstrapReplicates(500, rand.New(rand.NewPCG(1, 1)), false)
	if err != nil {
		t.Fatal(err)
	}
	m, _ := bd.Mean(y, Whole())
	if r := m[0].Var / lin[0].Var; r < 0.7 || r > 1.3 {
		t.Errorf("bootstrap/linearization variance ratio %v, want about 1", r)
	}
	cd, err := bd.Calibrate(Calibration{Method: Raking, Margins: margins(codes)})
	if err != nil {
		t.Fatal(err)
	}
	w := cd.rep.w[17]
	got := 0.0
	for i, c := range codes[0] {
		if c == 2 {
			got += w[i]
		}
	}
	if !near(got, 25000, 1e-9) {
		t.Errorf("calibrated replicate 18 stratum c total %v, want 25000", got)
	}
}
