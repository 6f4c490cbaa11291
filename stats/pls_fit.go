package stats

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// plsCore is what one run of the algorithm yields from the moments.
type plsCore struct {
	s    []float64 // p × p covariance of the indicators as used (correlations when standardizing)
	w    []float64 // outer weights per position, each block's score of unit variance
	sw   []float64 // p × nb: covariance of each indicator with each construct score
	cy   []float64 // nb × nb: construct correlations
	path []float64 // nb × nb: path coefficients [to][from]
	r2   []float64
	iter int
}

// fit runs Lohmöller's algorithm on the moments.
func (s *plsSpec) fit(mo *plsMoments) (*plsCore, error) {
	p, nb := s.p, s.nb
	c := &plsCore{s: make([]float64, p*p), w: make([]float64, p), sw: make([]float64, p*nb), cy: make([]float64, nb*nb)}
	for j := 0; j < p; j++ {
		if s.m.Standardize && !(mo.sd[j] > 1e-12*(1+math.Abs(mo.shift[j]))) {
			b := s.blockOf(j)
			return nil, fmt.Errorf("%s of %q has zero variance and cannot be standardized", s.colName(s.cols[j]), s.m.Blocks[b].Name)
		}
	}
	for j := 0; j < p; j++ {
		for k := 0; k < p; k++ {
			v := mo.cov[j*p+k]
			if s.m.Standardize {
				v /= mo.sd[j] * mo.sd[k]
			}
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("%s and %s have no respondent answering both (pairwise covariance undefined)", s.colName(s.cols[j]), s.colName(s.cols[k]))
			}
			c.s[j*p+k] = v
		}
	}
	for j := range c.w {
		c.w[j] = 1
	}
	for b := 0; b < nb; b++ {
		if !s.normalize(c.s, c.w, b) {
			return nil, fmt.Errorf("block %q has zero variance (every answer the same)", s.m.Blocks[b].Name)
		}
	}
	old := make([]float64, p)
	e := make([]float64, nb*nb)
	cz := make([]float64, p) // covariance of each indicator with its block's inner proxy
	var change float64
	for it := 1; ; it++ {
		copy(old, c.w)
		s.covScores(c)
		if err := s.innerWeights(c.cy, e); err != nil {
			return nil, err
		}
		for j := 0; j < p; j++ {
			b := s.blockOf(j)
			var z float64
			for a := 0; a < nb; a++ {
				if ea := e[a*nb+b]; ea != 0 {
					z += c.sw[j*nb+a] * ea
				}
			}
			cz[j] = z
		}
		for b := 0; b < nb; b++ {
			lo, hi := s.off[b], s.off[b+1]
			if s.modeB[b] {
				if err := s.solveBlock(c.s, b, cz[lo:hi], c.w[lo:hi]); err != nil {
					return nil, err
				}
			} else {
				copy(c.w[lo:hi], cz[lo:hi])
			}
			if !s.normalize(c.s, c.w, b) {
				return nil, fmt.Errorf("block %q: the outer weights vanished (its construct is uncorrelated with its neighbours)", s.m.Blocks[b].Name)
			}
		}
		change = 0
		for j := range old {
			change = math.Max(change, math.Abs(math.Abs(c.w[j])-math.Abs(old[j])))
		}
		if change < s.m.Tol {
			c.iter = it
			break
		}
		if it >= s.m.MaxIter {
			return nil, &PLSConvergenceError{Iterations: it, Change: change, Tol: s.m.Tol}
		}
	}
	// A block whose indicators mostly correlate negatively with its score
	// is turned round (plspm's get_scores).
	s.covScores(c)
	flipped := false
	for b := 0; b < nb; b++ {
		var sg float64
		for j := s.off[b]; j < s.off[b+1]; j++ {
			sg += sign(c.sw[j*nb+b])
		}
		if sg <= 0 {
			flipped = true
			for j := s.off[b]; j < s.off[b+1]; j++ {
				c.w[j] = -c.w[j]
			}
		}
	}
	if flipped {
		s.covScores(c)
	}
	// Inner model: OLS of each endogenous score on its predecessors.
	c.path = make([]float64, nb*nb)
	c.r2 = make([]float64, nb)
	for t := 0; t < nb; t++ {
		pr := s.pred[t]
		if len(pr) == 0 {
			continue
		}
		beta, err := solveSub(c.cy, nb, pr, t)
		if err != nil {
			return nil, fmt.Errorf("construct %q: its predecessors' scores are collinear", s.m.Blocks[t].Name)
		}
		for i, f := range pr {
			c.path[t*nb+f] = beta[i]
			c.r2[t] += beta[i] * c.cy[f*nb+t]
		}
	}
	return c, nil
}

func sign(x float64) float64 {
	switch {
	case x > 0:
		return 1
	case x < 0:
		return -1
	}
	return 0
}

// normalize scales block b's weights so its score has unit variance; false
// when the score has no variance.
func (s *plsSpec) normalize(cov, w []float64, b int) bool {
	p := s.p
	lo, hi := s.off[b], s.off[b+1]
	var v, scale float64
	for j := lo; j < hi; j++ {
		for k := lo; k < hi; k++ {
			v += w[j] * w[k] * cov[j*p+k]
		}
		scale += w[j] * w[j] * cov[j*p+j]
	}
	if !(v > 1e-20*scale) || !(v > 0) {
		return false
	}
	f := 1 / math.Sqrt(v)
	for j := lo; j < hi; j++ {
		w[j] *= f
	}
	return true
}

// covScores fills c.sw (indicator–score covariances) and c.cy (score
// correlations) from the current weights.
func (s *plsSpec) covScores(c *plsCore) {
	p, nb := s.p, s.nb
	for j := 0; j < p; j++ {
		row := c.s[j*p : j*p+p]
		for b := 0; b < nb; b++ {
			var v float64
			for k := s.off[b]; k < s.off[b+1]; k++ {
				v += row[k] * c.w[k]
			}
			c.sw[j*nb+b] = v
		}
	}
	for b := 0; b < nb; b++ {
		for a := 0; a < nb; a++ {
			var v float64
			for j := s.off[b]; j < s.off[b+1]; j++ {
				v += c.w[j] * c.sw[j*nb+a]
			}
			c.cy[b*nb+a] = v
		}
	}
	// Symmetrize away rounding so that both triangles agree exactly.
	for b := 0; b < nb; b++ {
		for a := b + 1; a < nb; a++ {
			v := (c.cy[b*nb+a] + c.cy[a*nb+b]) / 2
			c.cy[b*nb+a], c.cy[a*nb+b] = v, v
		}
	}
}

// innerWeights fills e (e[a*nb+b]: weight of score a in block b's inner
// proxy) by the model's scheme, as plspm does.
func (s *plsSpec) innerWeights(cy, e []float64) error {
	nb := s.nb
	clear(e)
	switch s.scheme {
	case 1, 2:
		for a := 0; a < nb; a++ {
			for b := 0; b < nb; b++ {
				if s.adj[a][b] {
					if s.scheme == 1 {
						e[a*nb+b] = sign(cy[a*nb+b])
					} else {
						e[a*nb+b] = cy[a*nb+b]
					}
				}
			}
		}
	default:
		for k := 0; k < nb; k++ {
			if pr := s.pred[k]; len(pr) > 0 {
				beta, err := solveSub(cy, nb, pr, k)
				if err != nil {
					return fmt.Errorf("construct %q: its predecessors' scores are collinear", s.m.Blocks[k].Name)
				}
				for i, f := range pr {
					e[f*nb+k] = beta[i]
				}
			}
			for _, f := range s.succ[k] {
				e[f*nb+k] = cy[k*nb+f]
			}
		}
	}
	return nil
}

// solveSub solves cy[P,P] β = cy[P,t] (the regression of score t on the
// scores P).
func solveSub(cy []float64, nb int, pr []int, t int) ([]float64, error) {
	q := len(pr)
	if q == 1 {
		return []float64{cy[pr[0]*nb+t] / cy[pr[0]*nb+pr[0]]}, nil
	}
	a := mat.NewSymDense(q, nil)
	rhs := mat.NewVecDense(q, nil)
	for i, f := range pr {
		for k := i; k < q; k++ {
			a.SetSym(i, k, cy[f*nb+pr[k]])
		}
		rhs.SetVec(i, cy[f*nb+t])
	}
	var ch mat.Cholesky
	if !ch.Factorize(a) {
		return nil, fmt.Errorf("singular")
	}
	var beta mat.VecDense
	if err := ch.SolveVecTo(&beta, rhs); err != nil {
		return nil, err
	}
	return beta.RawVector().Data, nil
}

// solveBlock solves cov(X_b) w = rhs for a mode B block.
func (s *plsSpec) solveBlock(cov []float64, b int, rhs, w []float64) error {
	p := s.p
	lo, hi := s.off[b], s.off[b+1]
	q := hi - lo
	a := mat.NewSymDense(q, nil)
	for i := 0; i < q; i++ {
		for k := i; k < q; k++ {
			a.SetSym(i, k, cov[(lo+i)*p+lo+k])
		}
	}
	var ch mat.Cholesky
	if !ch.Factorize(a) {
		return fmt.Errorf("block %q (mode B): its indicators are collinear", s.m.Blocks[b].Name)
	}
	out := mat.NewVecDense(q, w)
	if err := ch.SolveVecTo(out, mat.NewVecDense(q, rhs)); err != nil {
		return fmt.Errorf("block %q (mode B): its indicators are collinear", s.m.Blocks[b].Name)
	}
	return nil
}

// result assembles the full output of a fit.
func (s *plsSpec) result(d *plsData, mo *plsMoments, c *plsCore) (*PLSResult, error) {
	nb, p := s.nb, s.p
	r := &PLSResult{Model: s.m, N: d.n, SumW: d.sumW, Iterations: c.iter,
		Imputed: d.imputed, EmptyRows: d.empty, spec: s, data: d}
	r.OuterWeights = make([][]float64, nb)
	r.Loadings = make([][]float64, nb)
	r.Communality = make([][]float64, nb)
	r.Redundancy = make([][]float64, nb)
	r.R2 = c.r2
	r.AVE = make([]float64, nb)
	r.BlockCommunality = make([]float64, nb)
	r.CronbachAlpha = make([]float64, nb)
	r.CompositeReliability = make([]float64, nb)
	var comSum float64
	var comN int
	for b := 0; b < nb; b++ {
		lo, hi := s.off[b], s.off[b+1]
		q := hi - lo
		r.OuterWeights[b] = append([]float64(nil), c.w[lo:hi]...)
		r.Loadings[b] = make([]float64, q)
		r.Communality[b] = make([]float64, q)
		r.Redundancy[b] = make([]float64, q)
		var cs float64
		for j := lo; j < hi; j++ {
			l := c.sw[j*nb+b] / math.Sqrt(c.s[j*p+j])
			r.Loadings[b][j-lo] = l
			r.Communality[b][j-lo] = l * l
			r.Redundancy[b][j-lo] = l * l * c.r2[b]
			cs += l * l
		}
		r.BlockCommunality[b] = cs / float64(q)
		if !s.modeB[b] {
			r.AVE[b] = cs / float64(q)
		}
		if q > 1 {
			comSum += cs
			comN += q
		}
		r.CronbachAlpha[b], r.CompositeReliability[b] = s.reliability(mo, b)
	}
	var r2Sum float64
	var nEndo int
	for t := 0; t < nb; t++ {
		if len(s.pred[t]) > 0 {
			r2Sum += c.r2[t]
			nEndo++
		}
	}
	if comN > 0 {
		r.GoF = math.Sqrt(comSum / float64(comN) * r2Sum / float64(nEndo))
	}
	r.Paths = mat.NewDense(nb, nb, append([]float64(nil), c.path...))
	r.TotalEffects = mat.NewDense(nb, nb, s.totalEffects(c.path))
	r.LVCor = mat.NewSymDense(nb, append([]float64(nil), c.cy...))
	r.Scores = d.scores(s, mo, c.w)
	if s.m.IndexScale != [2]float64{} {
		// A block with a non-positive outer weight gets NaN, not a failed fit.
		r.Indices, _ = d.index(s, c.w, nil, s.m.IndexScale[0], s.m.IndexScale[1])
	}
	return r, nil
}

// totalEffects returns Σ_k Pᵏ ([to][from]) by walking the blocks in
// topological order.
func (s *plsSpec) totalEffects(path []float64) []float64 {
	nb := s.nb
	t := make([]float64, nb*nb)
	for _, to := range s.order {
		for _, m := range s.pred[to] {
			pm := path[to*nb+m]
			t[to*nb+m] += pm
			for f := 0; f < nb; f++ {
				t[to*nb+f] += pm * t[m*nb+f]
			}
		}
	}
	return t
}

// reliability returns Cronbach's α and the Dillon–Goldstein ρ of block b
// from its indicators' correlations, as plspm's get_unidim.
func (s *plsSpec) reliability(mo *plsMoments, b int) (alpha, rho float64) {
	lo, hi := s.off[b], s.off[b+1]
	q := hi - lo
	if q == 1 {
		return 1, 1
	}
	if s.modeB[b] {
		return 0, 0
	}
	p := s.p
	r := mat.NewSymDense(q, nil)
	var off float64
	for i := 0; i < q; i++ {
		for k := i; k < q; k++ {
			v := 1.0
			if k != i {
				v = mo.cov[(lo+i)*p+lo+k] / (mo.sd[lo+i] * mo.sd[lo+k])
				off += v
			}
			r.SetSym(i, k, v)
		}
	}
	alpha = (2 * off / (float64(q) + 2*off)) * float64(q) / float64(q-1)
	if alpha < 0 || math.IsNaN(alpha) {
		alpha = 0
	}
	var eig mat.EigenSym
	if !eig.Factorize(r, true) {
		return alpha, math.NaN()
	}
	vals := eig.Values(nil)
	var vec mat.Dense
	eig.VectorsTo(&vec)
	top := len(vals) - 1 // ascending order
	l := math.Sqrt(math.Max(vals[top], 0))
	var sum, sq float64
	for i := 0; i < q; i++ {
		ci := l * vec.At(i, top)
		sum += ci
		sq += ci * ci
	}
	rho = sum * sum / (sum*sum + float64(q) - sq)
	return alpha, rho
}

// scores returns the construct scores of every row.
func (d *plsData) scores(s *plsSpec, mo *plsMoments, w []float64) *mat.Dense {
	nb, p := s.nb, s.p
	eff := make([]float64, p) // weight per centred value
	for j := range eff {
		eff[j] = w[j]
		if s.m.Standardize {
			eff[j] /= mo.sd[j]
		}
	}
	out := mat.NewDense(d.n, nb, nil)
	raw := out.RawMatrix()
	for i := 0; i < d.n; i++ {
		row := d.v[i*p : i*p+p]
		for b := 0; b < nb; b++ {
			var y, got, all float64
			for j := s.off[b]; j < s.off[b+1]; j++ {
				all += w[j]
				if v := row[j]; !math.IsNaN(v) {
					y += eff[j] * v
					got += w[j]
				}
			}
			if got != all && got != 0 {
				y *= all / got
			}
			raw.Data[i*raw.Stride+b] = y
		}
	}
	return out
}

// indexWeights returns the outer weights on the items' scale, summing to 1
// per block. A block with a non-positive weight has NaN weights, and the
// error names the first such block.
func (d *plsData) indexWeights(s *plsSpec, w []float64) ([]float64, error) {
	rw := make([]float64, s.p)
	var err error
	for b := 0; b < s.nb; b++ {
		var t float64
		for j := s.off[b]; j < s.off[b+1]; j++ {
			if !(w[j] > 0) && err == nil {
				err = fmt.Errorf("construct %q has a non-positive outer weight; it has no index", s.m.Blocks[b].Name)
			}
			if !(w[j] > 0) {
				t = math.NaN()
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
	return rw, err
}

// indexFromMeans is index for data without missing values, where the
// mean of the rescaled scores is the rescaled mean: shift is the weighted
// mean of the centred values (plsMoments.shift).
func (d *plsData) indexFromMeans(s *plsSpec, w, shift []float64, lo, hi float64) ([]float64, error) {
	rw, err := d.indexWeights(s, w)
	out := make([]float64, s.nb)
	for b := range out {
		var m float64
		for j := s.off[b]; j < s.off[b+1]; j++ {
			m += rw[j] * (d.mean[j] + shift[j])
		}
		out[b] = (m - lo) / (hi - lo) * 100
	}
	return out, err
}

// index computes the customer-satisfaction index of every block from the
// outer weights w (per position), each row's weight multiplied by mult.
func (d *plsData) index(s *plsSpec, w, mult []float64, lo, hi float64) ([]float64, error) {
	nb, p := s.nb, s.p
	rw, err := d.indexWeights(s, w)
	sum := make([]float64, nb)
	den := make([]float64, nb)
	for i := 0; i < d.n; i++ {
		wi := d.w[i]
		if mult != nil {
			wi *= mult[i]
		}
		if wi == 0 {
			continue
		}
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
				continue // no answer in the block: it scores the mean (NaN weights: NaN)
			}
			sum[b] += wi * y / got
			den[b] += wi
		}
	}
	out := make([]float64, nb)
	for b := range out {
		out[b] = (sum[b]/den[b] - lo) / (hi - lo) * 100
		if math.IsNaN(rw[s.off[b]]) {
			out[b] = math.NaN()
		}
	}
	return out, err
}

func flatWeights(w [][]float64) []float64 {
	var out []float64
	for _, b := range w {
		out = append(out, b...)
	}
	return out
}
