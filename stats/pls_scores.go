package stats

import (
	"fmt"
	"math"
)

// IndexScores returns every respondent's construct scores on the 0–100
// index scale (scores[block][row]): the outer weights rescaled to sum 1 on
// the items' own scale and applied to the row's answers, mapped from
// [lo, hi] to [0, 100], exactly the terms whose weighted mean Index
// returns. A row without any answer in a block (possible under
// PLSPairwise) scores NaN there, as Index leaves it out. Grouped indices
// (a district's CSI) are weighted means of these scores, so a design-based
// variance of them is the variance given the outer weights.
func (r *PLSResult) IndexScores(lo, hi float64) ([][]float64, error) {
	if !(hi > lo) {
		return nil, fmt.Errorf("index scale [%g, %g] is empty", lo, hi)
	}
	s, d := r.spec, r.data
	w := flatWeights(r.OuterWeights)
	nb, p := s.nb, s.p
	rw := make([]float64, p)
	for b := 0; b < nb; b++ {
		var t float64
		for j := s.off[b]; j < s.off[b+1]; j++ {
			if !(w[j] > 0) {
				return nil, fmt.Errorf("construct %q has a non-positive outer weight; it has no index", s.m.Blocks[b].Name)
			}
			rw[j] = w[j]
			if s.m.Standardize {
				rw[j] = w[j] / d.sd[j]
			}
			t += rw[j]
		}
		for j := s.off[b]; j < s.off[b+1]; j++ {
			rw[j] /= t
		}
	}
	out := make([][]float64, nb)
	for b := range out {
		out[b] = make([]float64, d.n)
	}
	for i := 0; i < d.n; i++ {
		row := d.v[i*p : i*p+p]
		for b := 0; b < nb; b++ {
			var y, got float64
			for j := s.off[b]; j < s.off[b+1]; j++ {
				if v := row[j]; !math.IsNaN(v) {
					y += rw[j] * (v + d.mean[j])
					got += rw[j]
				}
			}
			if got == 0 {
				out[b][i] = math.NaN()
				continue
			}
			out[b][i] = (y/got - lo) / (hi - lo) * 100
		}
	}
	return out, nil
}
