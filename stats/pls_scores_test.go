package stats

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestIndexScores checks that the weighted mean of the respondents' index
// scores is Index, with and without missing answers and weights.
func TestIndexScores(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	n := 200
	x := make([][]float64, 6)
	for j := range x {
		x[j] = make([]float64, n)
	}
	w := make([]float64, n)
	for i := 0; i < n; i++ {
		a := rng.NormFloat64()
		b := 0.6*a + 0.8*rng.NormFloat64()
		for j := 0; j < 3; j++ {
			x[j][i] = math.Round(math.Min(math.Max(7+1.5*(0.85*a+0.5*rng.NormFloat64()), 1), 10))
			x[j+3][i] = math.Round(math.Min(math.Max(7+1.5*(0.85*b+0.5*rng.NormFloat64()), 1), 10))
		}
		if i%17 == 0 {
			x[1][i] = math.NaN()
		}
		w[i] = 0.5 + rng.Float64()
	}
	for _, missing := range []string{PLSMeanReplace, PLSPairwise} {
		m := PLSModel{Blocks: []PLSBlock{{Name: "a", Indicators: []int{0, 1, 2}}, {Name: "b", Indicators: []int{3, 4, 5}}},
			Paths: [][2]int{{0, 1}}, Standardize: true, Missing: missing, IndexScale: [2]float64{1, 10}}
		r, err := FitPLS(x, w, m)
		if err != nil {
			t.Fatal(err)
		}
		sc, err := r.IndexScores(1, 10)
		if err != nil {
			t.Fatal(err)
		}
		for b := range sc {
			s, d := 0.0, 0.0
			for i, v := range sc[b] {
				if !math.IsNaN(v) {
					s += w[i] * v
					d += w[i]
				}
			}
			if got := s / d; math.Abs(got-r.Indices[b]) > 1e-10 {
				t.Errorf("%s block %d: mean score %.12f, Index %.12f", missing, b, got, r.Indices[b])
			}
		}
	}
}
