package stats

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// RepType is a kind of replicate weights.
type RepType int

const (
	// JK1 is the delete-one-PSU jackknife for unstratified designs.
	JK1 RepType = iota
	// JKn is the stratified delete-one-PSU jackknife.
	JKn
	// Bootstrap is the Rao–Wu rescaled bootstrap.
	Bootstrap
	// BRR is balanced repeated replication (half samples).
	BRR
	// Fay is Fay's modified BRR with factor Rho.
	Fay
)

// ParseRepType maps the design file's names (JK1, JKn, bootstrap, BRR, Fay)
// to a RepType.
func ParseRepType(s string) (RepType, error) {
	switch s {
	case "JK1":
		return JK1, nil
	case "JKn":
		return JKn, nil
	case "bootstrap":
		return Bootstrap, nil
	case "BRR":
		return BRR, nil
	case "Fay":
		return Fay, nil
	}
	return 0, fmt.Errorf("unknown replicate type %q (want JK1, JKn, bootstrap, BRR or Fay)", s)
}

// String returns the type's name as the design file spells it.
func (t RepType) String() string {
	return [...]string{"JK1", "JKn", "bootstrap", "BRR", "Fay"}[t]
}

// replicates holds replicate weights and how to combine them:
// v = scale Σ_r rscales_r (θ_r − c)², c = θ̂ if mse, else mean θ_r.
type replicates struct {
	kind     RepType
	base     [][]float64 // replicate weights before calibration
	w        [][]float64 // analysis replicate weights
	scale    float64
	rscales  []float64
	mse      bool
	supplied bool
	degf     int
}

// ReplicateSpec gives replicate weights as columns (R's svrepdesign with
// combined.weights = TRUE).
type ReplicateSpec struct {
	Type RepType
	// Weights holds one full replicate-weight column per replicate, each
	// with one value per row (sampling weight included).
	Weights [][]float64
	// Scale and RScales combine the replicates; Scale 0 takes R's default
	// for the type (JK1 (R−1)/R, bootstrap 1/(R−1), BRR 1/R, Fay
	// 1/(R(1−Rho)²), JKn 1) and nil RScales means all 1.
	Scale   float64
	RScales []float64
	// MSE centres the squares on the full-sample estimate instead of the
	// replicates' mean.
	MSE bool
	// Rho is Fay's factor (Fay only).
	Rho float64
}

// WithReplicates returns the design with variances from the given replicate
// weights (R: svrepdesign(repweights, weights, type, scale, rscales, mse,
// combined.weights = TRUE)). The design's own weights are the full-sample
// weights. Its degrees of freedom become the rank of the replicate-weight
// matrix minus 1, as R's degf().
func (d *Design) WithReplicates(s ReplicateSpec) (*Design, error) {
	if d.rep != nil {
		panic("stats: design already has replicate weights")
	}
	r := len(s.Weights)
	if r < 2 {
		return nil, fmt.Errorf("need at least 2 replicate-weight columns, got %d", r)
	}
	for k, col := range s.Weights {
		if len(col) != d.n {
			panic(fmt.Sprintf("stats: replicate %d has %d rows, want %d", k, len(col), d.n))
		}
		for i, v := range col {
			if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
				return nil, fmt.Errorf("replicate %d, row %d: weight %v is not a finite non-negative number", k+1, i+1, v)
			}
		}
	}
	rep := &replicates{kind: s.Type, base: s.Weights, scale: s.Scale, mse: s.MSE, supplied: true}
	if rep.scale == 0 {
		switch s.Type {
		case JK1:
			rep.scale = float64(r-1) / float64(r)
		case Bootstrap:
			rep.scale = 1 / float64(r-1)
		case BRR:
			rep.scale = 1 / float64(r)
		case Fay:
			rep.scale = 1 / (float64(r) * (1 - s.Rho) * (1 - s.Rho))
		default:
			rep.scale = 1
		}
	}
	rep.rscales = s.RScales
	if rep.rscales == nil {
		rep.rscales = ones(r)
	} else if len(rep.rscales) != r {
		return nil, fmt.Errorf("rscales has %d values for %d replicates", len(rep.rscales), r)
	}
	rep.degf = rankOf(s.Weights, d.n) - 1
	nd := *d
	if d.cal != nil {
		rep.w = make([][]float64, r)
		for k, b := range rep.base {
			g, _, err := d.cal.solve(b)
			if err != nil {
				return nil, fmt.Errorf("replicate %d: %w", k+1, err)
			}
			wr := make([]float64, d.n)
			for i := range wr {
				wr[i] = g[i] * b[i]
			}
			rep.w[k] = wr
		}
	} else {
		rep.w = rep.base
	}
	nd.rep = rep
	return &nd, nil
}

// rankOf returns the numerical rank of the n×R matrix of columns (R's
// qr()$rank with tolerance 1e-7), from its singular values.
func rankOf(cols [][]float64, n int) int {
	r := len(cols)
	// The R×R Gram matrix keeps this linear in n; its eigenvalues are the
	// squared singular values.
	g := mat.NewSymDense(r, nil)
	for a := 0; a < r; a++ {
		for b := a; b < r; b++ {
			s := 0.0
			ca, cb := cols[a], cols[b]
			for i := 0; i < n; i++ {
				s += ca[i] * cb[i]
			}
			g.SetSym(a, b, s)
		}
	}
	var es mat.EigenSym
	if !es.Factorize(g, false) {
		return r
	}
	vals := es.Values(nil)
	maxv := 0.0
	for _, v := range vals {
		maxv = math.Max(maxv, v)
	}
	rank := 0
	for _, v := range vals {
		if v > 0 && math.Sqrt(v) > 1e-7*math.Sqrt(maxv) {
			rank++
		}
	}
	return rank
}

// JackknifeReplicates returns the design with jackknife replicate weights
// built from its first-stage PSUs and fpc (R: as.svrepdesign(type = "JK1" or
// "JKn")). JK1 (unstratified designs): replicate r gives PSU r weight 0 and
// multiplies the others by n/(n − 1); scale = (n − 1)/n × (1 − f). JKn: one
// replicate per PSU j of stratum h, weight 0 for j and × n_h/(n_h − 1) for
// the other PSUs of h; rscales_j = (n_h − 1)/n_h × (1 − f_h). With mse the
// squares are centred on the full-sample estimate. A calibrated design has
// every replicate calibrated the same way.
func (d *Design) JackknifeReplicates(t RepType, mse bool) (*Design, error) {
	if d.rep != nil {
		panic("stats: design already has replicate weights")
	}
	s0 := &d.stages[0]
	rep := &replicates{kind: t, mse: mse}
	switch t {
	case JK1:
		if d.nStrata != 1 {
			return nil, fmt.Errorf("JK1 replicates need an unstratified design; use JKn")
		}
		np := s0.nUnits
		if np < 2 {
			return nil, fmt.Errorf("JK1 replicates need at least 2 PSUs")
		}
		f := s0.groupF[0]
		rep.scale = float64(np-1) / float64(np) * (1 - f)
		rep.rscales = ones(np)
		for r := 0; r < np; r++ {
			w := make([]float64, d.n)
			k := float64(np) / float64(np-1)
			for i, u := range s0.unitOfRow {
				if int(u) != r {
					w[i] = d.base[i] * k
				}
			}
			rep.base = append(rep.base, w)
		}
	case JKn:
		rep.scale = 1
		for u := 0; u < s0.nUnits; u++ {
			h := s0.groupOfUnit[u]
			nh := s0.groupN[h]
			if nh < 2 {
				return nil, fmt.Errorf("JKn replicates need at least 2 PSUs in every stratum")
			}
			k := float64(nh) / float64(nh-1)
			w := make([]float64, d.n)
			for i, ui := range s0.unitOfRow {
				switch {
				case int(ui) == u:
				case d.strata[i] == h:
					w[i] = d.base[i] * k
				default:
					w[i] = d.base[i]
				}
			}
			rep.base = append(rep.base, w)
			rep.rscales = append(rep.rscales, float64(nh-1)/float64(nh)*(1-s0.groupF[h]))
		}
	default:
		panic("stats: JackknifeReplicates takes JK1 or JKn")
	}
	return d.attach(rep)
}

// BootstrapReplicates returns the design with r Rao–Wu rescaled bootstrap
// replicates built from its first-stage PSUs: in each stratum n_h − 1 PSUs
// are drawn with replacement and the weights multiplied by
// n_h/(n_h − 1) × times drawn; scale = 1/(r − 1) (R: as.svrepdesign(type =
// "bootstrap"), which uses its own random numbers, so figures agree with R
// only in distribution). The fpc is ignored, as in R's default.
func (d *Design) BootstrapReplicates(r int, rng *rand.Rand, mse bool) (*Design, error) {
	if d.rep != nil {
		panic("stats: design already has replicate weights")
	}
	if r < 2 {
		panic("stats: BootstrapReplicates needs r ≥ 2")
	}
	s0 := &d.stages[0]
	units := make([][]int, d.nStrata)
	for u, h := range s0.groupOfUnit {
		units[h] = append(units[h], u)
	}
	for _, us := range units {
		if len(us) < 2 {
			return nil, fmt.Errorf("bootstrap replicates need at least 2 PSUs in every stratum")
		}
	}
	rep := &replicates{kind: Bootstrap, scale: 1 / float64(r-1), rscales: ones(r), mse: mse}
	mult := make([]float64, s0.nUnits)
	for k := 0; k < r; k++ {
		for i := range mult {
			mult[i] = 0
		}
		for _, us := range units {
			nh := len(us)
			for j := 0; j < nh-1; j++ {
				mult[us[rng.IntN(nh)]] += float64(nh) / float64(nh-1)
			}
		}
		w := make([]float64, d.n)
		for i, u := range s0.unitOfRow {
			w[i] = d.base[i] * mult[u]
		}
		rep.base = append(rep.base, w)
	}
	return d.attach(rep)
}

// BRRReplicates returns the design with balanced half-sample replicates for a
// design with exactly two PSUs per stratum, built from a Sylvester Hadamard
// matrix of order ≥ H+1 (R: as.svrepdesign(type = "BRR" or "Fay"), which may
// choose another Hadamard matrix; every balanced set gives the same variance
// for linear statistics). With rho > 0 it is Fay's method: the PSUs in the
// half sample get weight × (2 − rho), the others × rho; scale = 1/(R(1−rho)²).
func (d *Design) BRRReplicates(rho float64, mse bool) (*Design, error) {
	if d.rep != nil {
		panic("stats: design already has replicate weights")
	}
	if rho < 0 || rho >= 1 {
		panic("stats: BRR rho must be in [0, 1)")
	}
	s0 := &d.stages[0]
	for _, nh := range s0.groupN {
		if nh != 2 {
			return nil, fmt.Errorf("BRR replicates need exactly 2 PSUs in every stratum")
		}
	}
	order := 1
	for order < d.nStrata+1 {
		order *= 2
	}
	// Sylvester: H[i][j] = (−1)^popcount(i&j); use columns 1..H.
	first := make([]int, d.nStrata) // first PSU seen per stratum
	for h := range first {
		first[h] = -1
	}
	for u, h := range s0.groupOfUnit {
		if first[h] < 0 {
			first[h] = u
		}
	}
	kind := BRR
	if rho > 0 {
		kind = Fay
	}
	rep := &replicates{kind: kind, scale: 1 / (float64(order) * (1 - rho) * (1 - rho)), rscales: ones(order), mse: mse}
	for r := 0; r < order; r++ {
		w := make([]float64, d.n)
		for i, u := range s0.unitOfRow {
			h := int(d.strata[i])
			in := popcount(r&(h+1))%2 == 0
			if int(u) != first[h] {
				in = !in
			}
			if in {
				w[i] = d.base[i] * (2 - rho)
			} else {
				w[i] = d.base[i] * rho
			}
		}
		rep.base = append(rep.base, w)
	}
	return d.attach(rep)
}

func popcount(x int) int {
	c := 0
	for x > 0 {
		c += x & 1
		x >>= 1
	}
	return c
}

// attach returns a copy of d with the replicates, calibrating each one if d
// is calibrated.
func (d *Design) attach(rep *replicates) (*Design, error) {
	rep.w = rep.base
	if d.cal != nil {
		rep.w = make([][]float64, len(rep.base))
		for k, b := range rep.base {
			g, _, err := d.cal.solve(b)
			if err != nil {
				return nil, fmt.Errorf("replicate %d: %w", k+1, err)
			}
			wr := make([]float64, d.n)
			for i := range wr {
				wr[i] = g[i] * b[i]
			}
			rep.w[k] = wr
		}
	}
	nd := *d
	nd.rep = rep
	return &nd, nil
}

// repVar is v = scale Σ_r rscales_r (θ_r − c)², c = θ̂ if mse else mean θ_r
// (R's svrVar).
func (r *replicates) repVar(theta float64, reps []float64) float64 {
	c := theta
	if !r.mse {
		c = 0
		for _, t := range reps {
			c += t
		}
		c /= float64(len(reps))
	}
	v := 0.0
	for k, t := range reps {
		v += r.rscales[k] * (t - c) * (t - c)
	}
	return r.scale * v
}

func ones(n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = 1
	}
	return x
}
