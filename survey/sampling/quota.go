package sampling

import (
	"math"
	"slices"
)

// AgeBands are the default quota and weighting age bands, in order.
var AgeBands = []string{"18-29", "30-44", "45-59", "60-70"}

// AgeBand returns the age band of an age in years, "" outside 18–70 (the
// measurement's population).
func AgeBand(age int) string {
	switch {
	case age < 18 || age > 70:
		return ""
	case age <= 29:
		return AgeBands[0]
	case age <= 44:
		return AgeBands[1]
	case age <= 59:
		return AgeBands[2]
	}
	return AgeBands[3]
}

// CellKey is the quota cell key of a gender and an age band:
// "male|18-29".
func CellKey(gender, ageBand string) string { return gender + "|" + ageBand }

// QuotaTargets splits each district's allocated main sample n_h over its
// gender × age-band cells in proportion to the census counts (census:
// district → CellKey → count), by largest remainder with ties broken by
// cell key, so a district's targets add up to n_h exactly. Districts of the
// allocation without census counts (none, or all zero) are left out, and so
// are cells with a zero count; negative counts are treated as zero. The
// targets are a starting point: the office may edit them.
func QuotaTargets(alloc Allocation, census map[string]map[string]float64) map[string]map[string]int {
	out := make(map[string]map[string]int)
	for _, s := range alloc.Strata {
		cells := census[s.Name]
		keys := make([]string, 0, len(cells))
		sum := 0.0
		for k, c := range cells {
			if c > 0 && !math.IsInf(c, 0) {
				keys = append(keys, k)
				sum += c
			}
		}
		if sum == 0 {
			continue
		}
		slices.Sort(keys)
		x := make([]float64, len(keys))
		lo := make([]float64, len(keys))
		hi := make([]float64, len(keys))
		for i, k := range keys {
			x[i] = float64(s.SampleN) * cells[k] / sum
			hi[i] = float64(s.SampleN)
		}
		n := roundLargestRemainder(s.SampleN, x, lo, hi)
		t := make(map[string]int, len(keys))
		for i, k := range keys {
			t[k] = n[i]
		}
		out[s.Name] = t
	}
	return out
}
