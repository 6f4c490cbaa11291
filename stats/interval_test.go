package stats

import (
	"math"
	"testing"
)

// TestProportionBoundaryIntervals checks the intervals of a proportion
// of 0 or 1 (everyone answered the same): the logit interval is [p̂, p̂]
// as R's svyciprop(method = "logit") gives to 1e-11 (R 4.1.1: [6.93e-12,
// 8.68e-12] for p̂ = 0, [0.99999999999132, 0.99999999999307] for p̂ = 1,
// stats/testdata/r/ciprop_boundary.R), the Korn–Graubard interval is the
// Clopper–Pearson one on the N rows (R gives NaN), and no bound is NaN,
// with or without replicate weights.
func TestProportionBoundaryIntervals(t *testing.T) {
	const n = 30
	strata := make([]int, n)
	w := make([]float64, n)
	zeros := make([]float64, n)
	ones := make([]float64, n)
	for i := range strata {
		strata[i] = i % 3
		w[i] = 1 + float64(i%7)/3
		ones[i] = 1
	}
	d, err := NewDesign(DesignSpec{Strata: strata, Weights: w})
	if err != nil {
		t.Fatal(err)
	}
	jk, err := d.JackknifeReplicates(JKn, false)
	if err != nil {
		t.Fatal(err)
	}
	cp := 1 - math.Pow(0.025, 1.0/n) // Clopper–Pearson upper bound for 0 of 30
	cases := []struct {
		name        string
		d           *Design
		is          []float64
		logit, beta [2]float64
	}{
		{"zero", d, zeros, [2]float64{0, 0}, [2]float64{0, cp}},
		{"one", d, ones, [2]float64{1, 1}, [2]float64{1 - cp, 1}},
		{"zero-jackknife", jk, zeros, [2]float64{0, 0}, [2]float64{0, cp}},
		{"one-jackknife", jk, ones, [2]float64{1, 1}, [2]float64{1 - cp, 1}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			est, err := c.d.Proportion(c.is, Whole())
			if err != nil {
				t.Fatal(err)
			}
			e := est[0]
			for _, df := range []float64{math.Inf(1), float64(c.d.DegF())} {
				lo, hi := e.LogitCI(0.95, df)
				if lo != c.logit[0] || hi != c.logit[1] {
					t.Errorf("logit (df %v): got [%v, %v], want %v", df, lo, hi, c.logit)
				}
			}
			lo, hi := e.BetaCI(0.95)
			if math.Abs(lo-c.beta[0]) > 1e-12 || math.Abs(hi-c.beta[1]) > 1e-12 {
				t.Errorf("beta: got [%v, %v], want %v", lo, hi, c.beta)
			}
		})
	}
}
