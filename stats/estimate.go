package stats

import (
	"fmt"
	"math"
)

// Groups assigns rows to domains (R's svyby): Code[i] is the domain of row
// i in [0, Len), or −1 for a row in no domain. A nil Code puts every row in
// domain 0 (Len must then be 1).
type Groups struct {
	Code []int
	Len  int
}

// Whole returns the groups of the whole sample: one domain with every row.
func Whole() Groups { return Groups{Len: 1} }

// Subset returns one domain holding the rows where in is true.
func Subset(in []bool) Groups {
	c := make([]int, len(in))
	for i, b := range in {
		if !b {
			c[i] = -1
		}
	}
	return Groups{Code: c, Len: 1}
}

func (g Groups) check(n int) {
	if g.Len < 1 {
		panic("stats: Groups.Len must be at least 1")
	}
	if g.Code == nil {
		if g.Len != 1 {
			panic("stats: Groups with nil Code must have Len 1")
		}
		return
	}
	if len(g.Code) != n {
		panic(fmt.Sprintf("stats: Groups.Code has %d rows, want %d", len(g.Code), n))
	}
	for i, c := range g.Code {
		if c < -1 || c >= g.Len {
			panic(fmt.Sprintf("stats: Groups.Code[%d] = %d out of range", i, c))
		}
	}
}

func (g Groups) of(i int) int {
	if g.Code == nil {
		return 0
	}
	return g.Code[i]
}

// EmptyDomainError reports a domain with no usable row (every row missing
// or of zero weight, or a zero denominator).
type EmptyDomainError struct {
	Group int
}

// Error implements error.
func (e *EmptyDomainError) Error() string {
	return fmt.Sprintf("domain %d has no usable rows", e.Group)
}

// Estimate is one design-based estimate with its variance. It keeps what a
// contrast needs (the linearized unit totals or the replicate estimates), so
// that estimates of the same design can be combined with their covariance.
type Estimate struct {
	// Value is the point estimate.
	Value float64
	// SE is the standard error, sqrt(Var).
	SE float64
	// Var is the design variance.
	Var float64
	// N is the number of rows used (in the domain, not missing, weight ≠ 0).
	N int
	// WSum is Σ w over the rows used.
	WSum float64
	// Deff is the Kish design effect v / v_srs (NaN when not defined for
	// the estimator).
	Deff float64

	d    *Design
	lin  []float64 // finest-stage unit totals of the residualized w·z
	reps []float64 // replicate estimates
	// slab is the pooled buffer lin lives in (shared by the domains of one
	// call), nil when lin was allocated on its own; see Recycle.
	slab *[]float64
}

// Design returns the design the estimate was computed on.
func (e Estimate) Design() *Design { return e.d }

// EffectiveN returns the effective sample size N / Deff.
func (e Estimate) EffectiveN() float64 { return float64(e.N) / e.Deff }

// finish computes the variance of an estimate from its linearized variable
// z (one value per row, 0 outside the domain) or from its replicates.
func (d *Design) finish(e *Estimate, z []float64, reps []float64) {
	e.d = d
	if d.rep != nil {
		e.reps = reps
		e.Var = d.rep.repVar(e.Value, reps)
	} else {
		si := &d.stages[d.used]
		e.slab = getFloats(si.nUnits)
		e.lin = *e.slab
		if d.cal != nil {
			d.cal.residualTotalsInto(e.lin, z, d.base, d.w, si.unitOfRow)
		} else {
			for i, zi := range z {
				e.lin[si.unitOfRow[i]] += d.w[i] * zi
			}
		}
		e.Var = d.varUnits(e.lin)
	}
	e.SE = math.Sqrt(e.Var)
}

// finishGroups is finish for every group at once on a design without
// replicates: zAll holds each row's linearized value for its own group (0
// for rows in no group). One pass over the rows gives every group's unit
// totals (and, when calibrated, its Σ d x z), instead of one pass per
// group; each row adds to its group's sums in row order, exactly as the
// per-group pass did, so the figures are bit for bit the same.
func (d *Design) finishGroups(out []Estimate, zAll []float64, g Groups) {
	si := &d.stages[d.used]
	nu := si.nUnits
	G := len(out)
	slab := getFloats(G * nu)
	lins := *slab
	n := d.n
	unit, w, base := si.unitOfRow[:n], d.w[:n], d.base[:n]
	zAll = zAll[:n]
	code := g.Code
	if code != nil {
		code = code[:n]
	}
	if m := d.cal; m != nil {
		p := m.p
		xz := make([]float64, G*p)
		for i, zi := range zAll {
			if zi == 0 {
				continue
			}
			gi := 0
			if code != nil {
				if gi = code[i]; gi < 0 {
					continue
				}
			}
			xg := xz[gi*p : gi*p+p]
			bz := base[i] * zi
			for k, cells := range m.cells {
				xg[m.off[k]+int(cells[i])] += bz
			}
			lins[gi*nu+int(unit[i])] += w[i] * zi
		}
		for gi := range out {
			t := lins[gi*nu : gi*nu+nu : gi*nu+nu]
			b := matVec(m.pinv, xz[gi*p:gi*p+p], p)
			for _, e := range m.wx {
				t[e.unit] -= b[e.col] * e.w
			}
		}
	} else {
		for i, zi := range zAll {
			gi := 0
			if code != nil {
				if gi = code[i]; gi < 0 {
					continue
				}
			}
			lins[gi*nu+int(unit[i])] += w[i] * zi
		}
	}
	for gi := range out {
		e := &out[gi]
		e.d = d
		e.slab = slab
		e.lin = lins[gi*nu : gi*nu+nu : gi*nu+nu]
		e.Var = d.varUnits(e.lin)
		e.SE = math.Sqrt(e.Var)
	}
}

// weightSets returns the replicate analysis weights, or nil.
func (d *Design) weightSets() [][]float64 {
	if d.rep == nil {
		return nil
	}
	return d.rep.w
}

// ratioSums returns Σ w a and Σ w b per group over rows where both are not
// missing (b nil means 1).
func ratioSums(w, a, b []float64, g Groups) (num, den []float64) {
	num = make([]float64, g.Len)
	den = make([]float64, g.Len)
	for i, ai := range a {
		k := g.of(i)
		if k < 0 || math.IsNaN(ai) {
			continue
		}
		bi := 1.0
		if b != nil {
			bi = b[i]
			if math.IsNaN(bi) {
				continue
			}
		}
		num[k] += w[i] * ai
		den[k] += w[i] * bi
	}
	return num, den
}

// replicateEstimates recomputes a per-group estimate with every replicate
// weight set: reps[k][r] is est(w_r)[k]. It returns nil for a design
// without replicate weights (linearization is used then).
func (d *Design) replicateEstimates(g Groups, est func(w []float64) []float64) [][]float64 {
	ws := d.weightSets()
	if ws == nil {
		return nil
	}
	reps := make([][]float64, g.Len)
	for k := range reps {
		reps[k] = make([]float64, len(ws))
	}
	for r, w := range ws {
		v := est(w)
		for k := range reps {
			reps[k][r] = v[k]
		}
	}
	return reps
}

// Mean returns the weighted mean of y (NaN = missing, dropped as a domain)
// in every group, with Kish design effects:
//
//	ȳ = Σ w y / Σ w,   z_i = (y_i − ȳ) / Σ w
//	deff = v / ((1 − n/Ŵ) s²/n),   s² = n/(n − 1) Σ w (y − ȳ)² / Σ w
//
// Matches R survey::svymean(~y, design, na.rm = TRUE, deff = TRUE) and
// svyby(~y, ~g, design, svymean).
func (d *Design) Mean(y []float64, g Groups) ([]Estimate, error) {
	return d.ratio(y, nil, g, "mean")
}

// Ratio returns the ratio of totals Σ w a / Σ w b in every group, rows
// where a or b is missing dropped: z_i = (a_i − R b_i) / Σ w b.
// Matches R survey::svyratio(~a, ~b, design, na.rm = TRUE).
func (d *Design) Ratio(a, b []float64, g Groups) ([]Estimate, error) {
	if len(b) != d.n {
		panic(fmt.Sprintf("stats: Ratio denominator has %d rows, want %d", len(b), d.n))
	}
	return d.ratio(a, b, g, "ratio")
}

// Proportion returns the weighted share of rows where is is 1 among rows
// where it is not missing (is holds 1, 0 or NaN), as the mean of the
// indicator. Matches R survey::svymean(~I(x == v), na.rm = TRUE); the
// intervals of svyciprop are Estimate.LogitCI and Estimate.BetaCI.
func (d *Design) Proportion(is []float64, g Groups) ([]Estimate, error) {
	return d.ratio(is, nil, g, "mean")
}

func (d *Design) ratio(a, b []float64, g Groups, kind string) ([]Estimate, error) {
	if len(a) != d.n {
		panic(fmt.Sprintf("stats: variable has %d rows, want %d", len(a), d.n))
	}
	g.check(d.n)
	num, den := ratioSums(d.w, a, b, g)
	out := make([]Estimate, g.Len)
	for k := range out {
		if den[k] == 0 {
			return nil, &EmptyDomainError{Group: k}
		}
		out[k].Value = num[k] / den[k]
		out[k].Deff = math.NaN()
	}
	// Counts, and s² for the design effect of a mean.
	ss := make([]float64, g.Len)
	for i, ai := range a {
		k := g.of(i)
		if k < 0 || math.IsNaN(ai) || (b != nil && math.IsNaN(b[i])) || d.w[i] == 0 {
			continue
		}
		out[k].N++
		out[k].WSum += d.w[i]
		r := ai - out[k].Value
		ss[k] += d.w[i] * r * r
	}
	reps := d.replicateEstimates(g, func(w []float64) []float64 {
		nr, dr := ratioSums(w, a, b, g)
		for k := range nr {
			nr[k] /= dr[k]
		}
		return nr
	})
	if reps == nil {
		// Each row is in one group: one pass gives every group's z.
		zb := getFloats(d.n)
		defer putFloats(zb)
		z := *zb
		for i, ai := range a {
			k := g.of(i)
			if k < 0 || math.IsNaN(ai) {
				continue
			}
			bi := 1.0
			if b != nil {
				bi = b[i]
				if math.IsNaN(bi) {
					continue
				}
			}
			z[i] = (ai - out[k].Value*bi) / den[k]
		}
		d.finishGroups(out, z, g)
	}
	for k := range out {
		if reps != nil {
			d.finish(&out[k], nil, reps[k])
		}
		if kind == "mean" {
			n := float64(out[k].N)
			s2 := n / (n - 1) * ss[k] / out[k].WSum
			vsrs := (1 - n/out[k].WSum) * s2 / n
			out[k].Deff = out[k].Var / vsrs
		}
	}
	return out, nil
}

// Total returns the estimated population total Σ w y in every group, rows
// where y is missing dropped: z_i = y_i, with the Kish design effect
// v / (Ŵ² (1 − n/Ŵ) s²/n). Matches R survey::svytotal(~y, design,
// na.rm = TRUE, deff = TRUE).
func (d *Design) Total(y []float64, g Groups) ([]Estimate, error) {
	if len(y) != d.n {
		panic(fmt.Sprintf("stats: variable has %d rows, want %d", len(y), d.n))
	}
	g.check(d.n)
	num, _ := ratioSums(d.w, y, nil, g)
	out := make([]Estimate, g.Len)
	ybar := make([]float64, g.Len)
	for i, yi := range y {
		k := g.of(i)
		if k < 0 || math.IsNaN(yi) || d.w[i] == 0 {
			continue
		}
		out[k].N++
		out[k].WSum += d.w[i]
	}
	for k := range out {
		if out[k].N == 0 {
			return nil, &EmptyDomainError{Group: k}
		}
		out[k].Value = num[k]
		ybar[k] = num[k] / out[k].WSum
	}
	ss := make([]float64, g.Len)
	for i, yi := range y {
		k := g.of(i)
		if k < 0 || math.IsNaN(yi) || d.w[i] == 0 {
			continue
		}
		r := yi - ybar[k]
		ss[k] += d.w[i] * r * r
	}
	reps := d.replicateEstimates(g, func(w []float64) []float64 {
		nr, _ := ratioSums(w, y, nil, g)
		return nr
	})
	if reps == nil {
		zb := getFloats(d.n)
		defer putFloats(zb)
		z := *zb
		for i, yi := range y {
			if g.of(i) >= 0 && !math.IsNaN(yi) {
				z[i] = yi
			}
		}
		d.finishGroups(out, z, g)
	}
	for k := range out {
		if reps != nil {
			d.finish(&out[k], nil, reps[k])
		}
		n := float64(out[k].N)
		W := out[k].WSum
		s2 := n / (n - 1) * ss[k] / W
		vsrs := W * W * (1 - n/W) * s2 / n
		out[k].Deff = out[k].Var / vsrs
	}
	return out, nil
}

// Combine returns Σ_k c_k e_k for estimates of the same design, with the
// covariances between them: the linearized totals (or the replicate
// estimates) are combined and the variance recomputed. R:
// svycontrast(svytotal(...)) / svycontrast of svyby with covmat = TRUE.
func Combine(c []float64, es []Estimate) Estimate {
	if len(c) != len(es) || len(es) == 0 {
		panic("stats: Combine needs one coefficient per estimate")
	}
	d := es[0].d
	for _, e := range es {
		if e.d != d || d == nil {
			panic("stats: Combine needs estimates of the same design")
		}
	}
	var out Estimate
	out.d = d
	out.Deff = math.NaN()
	if d.rep != nil {
		out.reps = make([]float64, len(es[0].reps))
	} else {
		out.slab = getFloats(len(es[0].lin))
		out.lin = *out.slab
	}
	for k, e := range es {
		out.Value += c[k] * e.Value
		for i, v := range e.lin {
			out.lin[i] += c[k] * v
		}
		for i, v := range e.reps {
			out.reps[i] += c[k] * v
		}
		out.N += e.N
	}
	if d.rep != nil {
		out.Var = d.rep.repVar(out.Value, out.reps)
	} else {
		out.Var = d.varUnits(out.lin)
	}
	out.SE = math.Sqrt(out.Var)
	return out
}

// Contrast returns a − b for two estimates of the same design (e.g. two
// domains of one svyby), the covariance between them counted.
func Contrast(a, b Estimate) Estimate {
	return Combine([]float64{1, -1}, []Estimate{a, b})
}

// IndependentDifference returns a − b for estimates from independent
// samples (e.g. two years' surveys): Var = Var(a) + Var(b).
func IndependentDifference(a, b Estimate) Estimate {
	v := a.Var + b.Var
	return Estimate{Value: a.Value - b.Value, Var: v, SE: math.Sqrt(v), N: a.N + b.N, Deff: math.NaN()}
}

// IndexItem is one item of a satisfaction index: answers on the scale
// [Min, Max] (NaN or out-of-scale values such as a don't-know code are item
// nonresponse) and the item's weight in the index.
type IndexItem struct {
	Values   []float64
	Weight   float64
	Min, Max float64
}

// Index returns the composite 0–100 satisfaction index in every group:
//
//	s_ik = 100 (y_ik − min_k)/(max_k − min_k),  r_ik = 1 if y_ik is in [min_k, max_k]
//	R_k  = Σ w r_k s_k / Σ w r_k,  I = Σ_k c_k R_k,  c_k = weight_k / Σ_j weight_j
//	z_i  = Σ_k c_k r_ik (s_ik − R_k) / Σ_j w_j r_jk
//
// An item with no valid answer in a group is left out there and the c_k of
// the others renormalized. With replicate weights the index is recomputed
// per replicate with the group's items and c_k fixed. Matches R
// svycontrast(svytotal(~num_1 + … + den_1 + …), quote(Σ c_k num_k/den_k)).
func (d *Design) Index(items []IndexItem, g Groups) ([]Estimate, error) {
	if len(items) == 0 {
		panic("stats: Index needs items")
	}
	g.check(d.n)
	K := len(items)
	for k, it := range items {
		if len(it.Values) != d.n {
			panic(fmt.Sprintf("stats: index item %d has %d rows, want %d", k, len(it.Values), d.n))
		}
		if !(it.Max > it.Min) || !(it.Weight > 0) {
			panic(fmt.Sprintf("stats: index item %d needs Max > Min and Weight > 0", k))
		}
	}
	// The loops test min ≤ y ≤ max directly (false for NaN), so no score
	// matrix is materialized: memory stays O(n), time O(n·K). Sums are laid
	// out item-major (j = k·G + group) so that each item's loop touches
	// one short slice; every (item, group) cell still adds its rows in row
	// order.
	G := g.Len
	code := g.Code
	ab := getBools(d.n)
	defer putBools(ab)
	answered := *ab // a valid answer to some item and w ≠ 0
	sums := func(w []float64, mark bool) (num, den []float64) {
		num = make([]float64, G*K)
		den = make([]float64, G*K)
		w = w[:d.n]
		for k, it := range items {
			lo, hi, sc := it.Min, it.Max, 100/(it.Max-it.Min)
			y := it.Values[:d.n]
			if code == nil {
				var nm, dn float64
				for i, v := range y {
					if v >= lo && v <= hi {
						nm += w[i] * (v - lo) * sc
						dn += w[i]
						if mark && w[i] != 0 {
							answered[i] = true
						}
					}
				}
				num[k], den[k] = nm, dn
				continue
			}
			numk, denk := num[k*G:k*G+G], den[k*G:k*G+G]
			code := code[:d.n]
			if G == 2 {
				var mk []bool
				if mark {
					mk = answered
				}
				numk[0], numk[1], denk[0], denk[1] = sums2(y, w, code, lo, hi, sc, mk)
				continue
			}
			for i, v := range y {
				if v >= lo && v <= hi {
					c := code[i]
					if c < 0 {
						continue
					}
					wi := w[i]
					numk[c] += wi * (v - lo) * sc
					denk[c] += wi
					if mark && wi != 0 {
						answered[i] = true
					}
				}
			}
		}
		return num, den
	}
	num, den := sums(d.w, true)
	out := make([]Estimate, G)
	coef := make([]float64, G*K)
	rk := make([]float64, G*K)
	for gi := range out {
		tw := 0.0
		for k, it := range items {
			if den[k*G+gi] > 0 {
				tw += it.Weight
			}
		}
		if tw == 0 {
			return nil, &EmptyDomainError{Group: gi}
		}
		v := 0.0
		for k, it := range items {
			j := k*G + gi
			if den[j] > 0 {
				coef[j] = it.Weight / tw
				rk[j] = num[j] / den[j]
				v += coef[j] * rk[j]
			}
		}
		out[gi].Value = v
		out[gi].Deff = math.NaN()
	}
	for i, a := range answered {
		if a {
			gi := g.of(i)
			out[gi].N++
			out[gi].WSum += d.w[i]
		}
	}
	reps := d.replicateEstimates(g, func(w []float64) []float64 {
		nr, dr := sums(w, false)
		v := make([]float64, G)
		for gi := range v {
			for k := range items {
				j := k*G + gi
				if coef[j] > 0 {
					v[gi] += coef[j] * nr[j] / dr[j]
				}
			}
		}
		return v
	})
	var zAll []float64
	if reps == nil {
		// Each row belongs to one group, so one pass gives every group's z:
		// z_i = Σ_k c_k r_ik (s_ik − R_k) / Σ w r_k.
		zb := getFloats(d.n)
		defer putFloats(zb)
		zAll = *zb
		for k, it := range items {
			lo, hi, sc := it.Min, it.Max, 100/(it.Max-it.Min)
			y := it.Values[:d.n]
			coefk, rkk, denk := coef[k*G:k*G+G], rk[k*G:k*G+G], den[k*G:k*G+G]
			if code == nil {
				c, r, dn := coefk[0], rkk[0], denk[0]
				if c == 0 {
					continue
				}
				a := c / dn
				for i, v := range y {
					if v >= lo && v <= hi {
						zAll[i] += a * ((v-lo)*sc - r)
					}
				}
				continue
			}
			if G == 2 {
				// c_k / Σ w r_k once per group, not a division per row.
				var a [2]float64
				for gi := range a {
					if coefk[gi] != 0 {
						a[gi] = coefk[gi] / denk[gi]
					}
				}
				r := [2]float64{rkk[0], rkk[1]}
				code := code[:d.n]
				for i, v := range y {
					if !(v >= lo && v <= hi) {
						continue
					}
					gi := code[i]
					if gi < 0 {
						continue
					}
					gi &= 1
					zAll[i] += a[gi] * ((v-lo)*sc - r[gi])
				}
				continue
			}
			code := code[:d.n]
			for i, v := range y {
				if !(v >= lo && v <= hi) {
					continue
				}
				gi := code[i]
				if gi < 0 {
					continue
				}
				c := coefk[gi]
				if c == 0 {
					continue
				}
				zAll[i] += c * ((v-lo)*sc - rkk[gi]) / denk[gi]
			}
		}
	}
	if reps != nil {
		for gi := range out {
			d.finish(&out[gi], nil, reps[gi])
		}
	} else {
		d.finishGroups(out, zAll, g)
	}
	return out, nil
}

// sums2 is Index's per-item pass for two groups (a group against the rest,
// the most frequent query of a results page): Σ w s and Σ w over the
// valid answers of each group, held in registers rather than in memory so
// that consecutive rows do not wait on each other's store. Each sum still
// adds its own rows in row order (the other group's rows add an exact
// +0), so the figures are those of the general loop, bit for bit. Rows
// with a valid answer and w ≠ 0 are marked in answered unless it is nil.
func sums2(y, w []float64, code []int, lo, hi, sc float64, answered []bool) (n0, n1, d0, d1 float64) {
	w = w[:len(y)]
	code = code[:len(y)]
	for i, v := range y {
		if !(v >= lo && v <= hi) {
			continue
		}
		c := code[i]
		if c < 0 {
			continue
		}
		wi := w[i]
		x := wi * (v - lo) * sc
		f1 := float64(c)
		f0 := 1 - f1
		n0 += x * f0
		n1 += x * f1
		d0 += wi * f0
		d1 += wi * f1
		if answered != nil && wi != 0 {
			answered[i] = true
		}
	}
	return n0, n1, d0, d1
}
