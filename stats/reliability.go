package stats

import "math"

// CronbachAlpha returns Cronbach's α, the internal-consistency reliability
// of a scale of k items, over the complete cases (respondents who answered
// every item; NaN marks a missing answer or a don't-know):
//
//	α = k / (k − 1) · (1 − Σ_j s_j² / s_T²)
//
// where s_j² is the sample variance (divisor n − 1) of item j and s_T² that
// of the respondents' totals Σ_j x_ij. items[j][i] is respondent i's score
// on item j; the result does not depend on a linear rescaling of all items
// (0–100 scores give the α of the raw 1–10 ratings). It is unweighted, as
// reliability is reported in survey appendices and by R psych::alpha
// (raw_alpha) on the complete cases.
//
// It returns NaN when α is not defined: fewer than two items, fewer than
// two complete cases, or totals without variance. Items of different
// lengths panic.
func CronbachAlpha(items [][]float64) float64 {
	k := len(items)
	if k < 2 {
		return math.NaN()
	}
	n := len(items[0])
	for _, it := range items[1:] {
		if len(it) != n {
			panic("stats: CronbachAlpha items of different lengths")
		}
	}
	// Welford's running means and sums of squares, per item and for the
	// total, over complete cases only.
	mean := make([]float64, k)
	m2 := make([]float64, k)
	var tMean, tM2 float64
	cases := 0
	for i := 0; i < n; i++ {
		complete := true
		for j := range items {
			if math.IsNaN(items[j][i]) {
				complete = false
				break
			}
		}
		if !complete {
			continue
		}
		cases++
		c := float64(cases)
		total := 0.0
		for j := range items {
			x := items[j][i]
			total += x
			d := x - mean[j]
			mean[j] += d / c
			m2[j] += d * (x - mean[j])
		}
		d := total - tMean
		tMean += d / c
		tM2 += d * (total - tMean)
	}
	if cases < 2 || !(tM2 > 0) {
		return math.NaN()
	}
	sum := 0.0
	for _, v := range m2 {
		sum += v
	}
	// The n − 1 divisors cancel in the ratio.
	return float64(k) / float64(k-1) * (1 - sum/tM2)
}
