package stats

import (
	"fmt"
	"math"
)

// Lonely says what to do with a stratum that has a single sampled PSU (at
// any stage the variance reaches, unless its fpc makes it exhaustive). The
// values mirror R's options(survey.lonely.psu).
type Lonely int

const (
	// LonelyFail makes NewDesign return an error (R: "fail").
	LonelyFail Lonely = iota
	// LonelyAdjust adds (1 − f_h) t_h1², the PSU total not centred (R: "adjust").
	LonelyAdjust
	// LonelyAverage leaves lonely strata out and multiplies the first-stage
	// sum over the others by H / (H − number of lonely strata) (R: "average").
	// A lonely group at a later stage adds 0.
	LonelyAverage
	// LonelyCertainty treats the PSU as sampled with certainty: it adds 0 (R: "certainty").
	LonelyCertainty
	// LonelyRemove adds 0 (R: "remove").
	LonelyRemove
)

// ParseLonely maps R's option names (fail, adjust, average, certainty,
// remove) to a Lonely value; "" is LonelyFail, R's default.
func ParseLonely(s string) (Lonely, error) {
	switch s {
	case "", "fail":
		return LonelyFail, nil
	case "adjust":
		return LonelyAdjust, nil
	case "average":
		return LonelyAverage, nil
	case "certainty":
		return LonelyCertainty, nil
	case "remove":
		return LonelyRemove, nil
	}
	return 0, fmt.Errorf("unknown lonely_psu %q (want fail, adjust, average, certainty or remove)", s)
}

// Stage is one stage of cluster sampling.
type Stage struct {
	// IDs holds the cluster code of every row. A nil IDs makes every row its
	// own unit at this stage.
	IDs []int
	// FPC holds, per row, the population count of units in the row's
	// stratum (first stage) or parent unit (later stages) when the value is
	// greater than 1, or the sampling fraction when every value is at most
	// 1. It must be constant within each stratum or parent unit. A nil FPC
	// means sampling with replacement at this stage.
	FPC []float64
}

// DesignSpec describes a sampling design, as R's svydesign(ids, strata,
// weights, fpc, nest) does.
type DesignSpec struct {
	// Strata holds the stratum code of every row; nil means one stratum.
	Strata []int
	// Stages lists the stages of clustering; empty means every row is its
	// own PSU (R: ids = ~1).
	Stages []Stage
	// Weights holds the sampling weight of every row; nil means 1 for all.
	Weights []float64
	// Nest says that first-stage IDs are only unique within strata. Without
	// it, an ID that occurs in two strata is an error, as in R.
	Nest bool
	// Lonely says how to treat strata with a single PSU.
	Lonely Lonely
}

// stageInfo is the structure of one stage: units, the group (stratum or
// parent unit) each belongs to, and the group's size and sampling fraction.
type stageInfo struct {
	unitOfRow   []int32   // unit index per row
	nUnits      int       // units at this stage
	groupOfUnit []int32   // stratum (stage 0) or parent unit (later)
	nGroups     int       // strata (stage 0) or units of the previous stage
	groupN      []int     // sampled units per group
	groupF      []float64 // sampling fraction per group, 0 without fpc
	hasFPC      bool
	unitMult    []float64 // product of the sampling fractions above and at this unit's group
}

// Design is a sampling design, possibly calibrated and possibly carrying
// replicate weights. A Design is immutable: Calibrate and the replicate
// constructors return new Designs sharing the structure.
type Design struct {
	n       int
	base    []float64 // design weights before calibration
	w       []float64 // analysis weights (calibrated when cal != nil)
	strata  []int32
	nStrata int
	stages  []stageInfo
	used    int // index of the finest stage the variance reaches
	lonely  Lonely
	degf    int
	cal     *calModel
	rep     *replicates
}

// NewDesign builds a design from its specification. It returns an error for
// bad data: negative or non-finite weights, an fpc that varies within a
// stratum or is smaller than the number of sampled units, ids not nested in
// strata without Nest, or a lonely PSU under LonelyFail.
func NewDesign(spec DesignSpec) (*Design, error) {
	n := -1
	setN := func(l int, what string) {
		if n < 0 {
			n = l
		} else if l != n {
			panic(fmt.Sprintf("stats: %s has %d rows, want %d", what, l, n))
		}
	}
	if spec.Weights != nil {
		setN(len(spec.Weights), "Weights")
	}
	if spec.Strata != nil {
		setN(len(spec.Strata), "Strata")
	}
	for k, s := range spec.Stages {
		if s.IDs != nil {
			setN(len(s.IDs), fmt.Sprintf("Stages[%d].IDs", k))
		}
		if s.FPC != nil {
			setN(len(s.FPC), fmt.Sprintf("Stages[%d].FPC", k))
		}
	}
	if n < 0 {
		panic("stats: DesignSpec has no per-row data; give at least Weights")
	}
	if n == 0 {
		return nil, fmt.Errorf("the design has no rows")
	}
	d := &Design{n: n, lonely: spec.Lonely}
	d.base = make([]float64, n)
	for i := range d.base {
		d.base[i] = 1
	}
	if spec.Weights != nil {
		for i, w := range spec.Weights {
			if math.IsNaN(w) || math.IsInf(w, 0) || w < 0 {
				return nil, fmt.Errorf("row %d: weight %v is not a finite non-negative number", i+1, w)
			}
			d.base[i] = w
		}
	}
	d.w = d.base

	// Strata: dense codes in order of first appearance.
	d.strata = make([]int32, n)
	if spec.Strata != nil {
		m := map[int]int32{}
		for i, s := range spec.Strata {
			c, ok := m[s]
			if !ok {
				c = int32(len(m))
				m[s] = c
			}
			d.strata[i] = c
		}
		d.nStrata = len(m)
	} else {
		d.nStrata = 1
	}

	stages := spec.Stages
	if len(stages) == 0 {
		stages = []Stage{{}}
	}
	parentOfRow := d.strata
	nParents := d.nStrata
	for k, s := range stages {
		si := stageInfo{unitOfRow: make([]int32, n), nGroups: nParents}
		type key struct {
			parent int32
			id     int
		}
		m := map[key]int32{}
		var seenID map[int]int32 // first-stage id → stratum, to check nesting
		if k == 0 && !spec.Nest && s.IDs != nil {
			seenID = map[int]int32{}
		}
		for i := 0; i < n; i++ {
			var kk key
			if s.IDs == nil {
				kk = key{parent: parentOfRow[i], id: i}
			} else {
				kk = key{parent: parentOfRow[i], id: s.IDs[i]}
				if seenID != nil {
					if h, ok := seenID[s.IDs[i]]; ok && h != parentOfRow[i] {
						return nil, fmt.Errorf("row %d: cluster id %d occurs in more than one stratum; ids are not nested in strata (set nest)", i+1, s.IDs[i])
					}
					seenID[s.IDs[i]] = parentOfRow[i]
				}
			}
			u, ok := m[kk]
			if !ok {
				u = int32(len(m))
				m[kk] = u
				si.groupOfUnit = append(si.groupOfUnit, kk.parent)
			}
			si.unitOfRow[i] = u
		}
		si.nUnits = len(m)
		si.groupN = make([]int, nParents)
		for _, g := range si.groupOfUnit {
			si.groupN[g]++
		}
		si.groupF = make([]float64, nParents)
		if s.FPC != nil {
			si.hasFPC = true
			fraction := true
			for _, v := range s.FPC {
				if v > 1 {
					fraction = false
					break
				}
			}
			val := make([]float64, nParents)
			set := make([]bool, nParents)
			for i, v := range s.FPC {
				if math.IsNaN(v) || math.IsInf(v, 0) || v <= 0 {
					return nil, fmt.Errorf("row %d: fpc %v of stage %d is not a positive number", i+1, v, k+1)
				}
				g := parentOfRow[i]
				if !set[g] {
					val[g], set[g] = v, true
				} else if val[g] != v {
					return nil, fmt.Errorf("row %d: fpc of stage %d is %v but %v elsewhere in the same stratum or cluster; it must be constant there", i+1, k+1, v, val[g])
				}
			}
			for g := range val {
				if !set[g] {
					continue
				}
				if fraction {
					si.groupF[g] = val[g]
				} else {
					if val[g] < float64(si.groupN[g]) {
						return nil, fmt.Errorf("stage %d: population count %v is smaller than the %d units sampled", k+1, val[g], si.groupN[g])
					}
					si.groupF[g] = float64(si.groupN[g]) / val[g]
				}
			}
		}
		si.unitMult = make([]float64, si.nUnits)
		for u, g := range si.groupOfUnit {
			f := si.groupF[g]
			if k > 0 {
				f *= d.stages[k-1].unitMult[g]
			}
			si.unitMult[u] = f
		}
		d.stages = append(d.stages, si)
		parentOfRow = si.unitOfRow
		nParents = si.nUnits
	}
	// The variance reaches stage k+1 only when stage k has an fpc (R's
	// multistage(): without fpc, the ultimate-cluster approximation).
	d.used = 0
	for d.used+1 < len(d.stages) && d.stages[d.used].hasFPC {
		d.used++
	}
	if d.lonely == LonelyFail {
		for k := 0; k <= d.used; k++ {
			si := &d.stages[k]
			for g, c := range si.groupN {
				if c == 1 && 1-si.groupF[g] > 1e-7 {
					where := "a stratum"
					if k > 0 {
						where = fmt.Sprintf("a stage-%d cluster", k)
					}
					return nil, fmt.Errorf("%s has a single sampled unit at stage %d (lonely PSU); choose lonely_psu adjust, average, certainty or remove", where, k+1)
				}
			}
		}
	}
	d.degf = d.designDF()
	return d, nil
}

// designDF is R's degf() for a survey.design2: PSUs minus strata, counting
// those with a row of non-zero weight.
func (d *Design) designDF() int {
	s0 := &d.stages[0]
	psu := make([]bool, s0.nUnits)
	str := make([]bool, d.nStrata)
	np, nh := 0, 0
	for i, w := range d.base {
		if w == 0 {
			continue
		}
		if u := s0.unitOfRow[i]; !psu[u] {
			psu[u] = true
			np++
		}
		if h := d.strata[i]; !str[h] {
			str[h] = true
			nh++
		}
	}
	return np - nh
}

// N returns the number of rows.
func (d *Design) N() int { return d.n }

// Weights returns the analysis weights (calibrated if the design is). The
// slice is shared: do not modify it.
func (d *Design) Weights() []float64 { return d.w }

// DesignWeights returns the sampling weights before calibration (shared).
func (d *Design) DesignWeights() []float64 { return d.base }

// DegF returns the design degrees of freedom used for t intervals, R's
// degf(): PSUs minus strata, or for supplied replicate weights the rank of
// the replicate-weight matrix minus 1.
func (d *Design) DegF() int {
	if d.rep != nil && d.rep.supplied {
		return d.rep.degf
	}
	return d.degf
}

// Replicated reports whether variances come from replicate weights.
func (d *Design) Replicated() bool { return d.rep != nil }

// Calibrated reports whether the design's weights are calibrated.
func (d *Design) Calibrated() bool { return d.cal != nil }

// CalibrationIterations returns the Newton iterations calibration took to
// meet every total within its tolerance (raking and bounded linear
// calibration, R's grake; step halvings count, as against MaxIter): 0 for
// the closed forms (post-stratification, unbounded linear calibration),
// −1 for a design that is not calibrated.
func (d *Design) CalibrationIterations() int {
	if d.cal == nil {
		return -1
	}
	return d.cal.iters
}

// varUnits is the linearization variance of an estimated total whose
// finest-stage unit totals are t (R's svyrecvar/multistage/onestage):
//
//	v = Σ_h (1 − f_h) n_h/(n_h − 1) Σ_i (t_hi − t̄_h)²
//	  + Σ_hi f_h (1 − f_hi) m_hi/(m_hi − 1) Σ_j (t_hij − t̄_hi)² + …
//
// each later stage weighted by the product of the sampling fractions above it.
func (d *Design) varUnits(t []float64) float64 {
	tots := make([][]float64, d.used+1)
	tots[d.used] = t
	for k := d.used; k > 0; k-- {
		up := make([]float64, d.stages[k-1].nUnits)
		for u, g := range d.stages[k].groupOfUnit {
			up[g] += tots[k][u]
		}
		tots[k-1] = up
	}
	v := 0.0
	for k := 0; k <= d.used; k++ {
		si := &d.stages[k]
		tk := tots[k]
		// Units mostly come in runs of one group (rows sorted by stratum
		// or cluster), so each run is summed in a register; the additions
		// are the same, in the same order, as one unit at a time.
		sum := make([]float64, si.nGroups)
		gu := si.groupOfUnit
		for u := 0; u < len(gu); {
			g := gu[u]
			s := sum[g]
			for ; u < len(gu) && gu[u] == g; u++ {
				s += tk[u]
			}
			sum[g] = s
		}
		mean := make([]float64, si.nGroups)
		for g := range mean {
			if si.groupN[g] > 0 {
				mean[g] = sum[g] / float64(si.groupN[g])
			}
		}
		ss := make([]float64, si.nGroups)
		for u := 0; u < len(gu); {
			g := gu[u]
			s, m := ss[g], mean[g]
			for ; u < len(gu) && gu[u] == g; u++ {
				c := tk[u] - m
				s += c * c
			}
			ss[g] = s
		}
		stageV := 0.0
		lonely := 0
		for g := 0; g < si.nGroups; g++ {
			ng := si.groupN[g]
			if ng == 0 {
				continue
			}
			f := si.groupF[g]
			if 1-f < 1e-7 {
				continue // exhaustive: no sampling variance
			}
			mult := 1.0
			if k > 0 {
				mult = d.stages[k-1].unitMult[g]
			}
			if ng > 1 {
				stageV += mult * (1 - f) * float64(ng) / float64(ng-1) * ss[g]
				continue
			}
			switch d.lonely {
			case LonelyAdjust:
				stageV += mult * (1 - f) * sum[g] * sum[g]
			case LonelyAverage:
				lonely++
			}
		}
		if k == 0 && d.lonely == LonelyAverage && lonely > 0 {
			h := 0
			for _, ng := range si.groupN {
				if ng > 0 {
					h++
				}
			}
			if h > lonely {
				stageV *= float64(h) / float64(h-lonely)
			}
		}
		v += stageV
	}
	return v
}

// Strata returns the number of strata.
func (d *Design) Strata() int { return d.nStrata }

// PSUs returns the number of first-stage sampling units.
func (d *Design) PSUs() int { return d.stages[0].nUnits }
