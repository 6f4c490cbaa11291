package stats

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// PLS inner weighting schemes (PLSModel.Scheme).
const (
	PLSPath      = "path"      // Lohmöller's path weighting (plspm scheme = "path")
	PLSCentroid  = "centroid"  // sign of the construct correlation
	PLSFactorial = "factorial" // the construct correlation itself
)

// PLS measurement modes (PLSBlock.Mode).
const (
	PLSModeA = "A" // reflective: each weight is the indicator's covariance with the inner proxy
	PLSModeB = "B" // formative: the weights are the multiple regression of the inner proxy on the block
)

// PLS treatments of missing indicator values (PLSModel.Missing).
const (
	// PLSMeanReplace replaces a missing answer by the mean of the same
	// respondent's answered items of the same block, on the items' own
	// scale, before anything is estimated. A respondent who answered no item
	// of a block gets each item's weighted mean over the respondents who
	// answered it (counted in PLSResult.EmptyRows). This is the default.
	PLSMeanReplace = "mean"
	// PLSPairwise estimates every indicator covariance from the
	// respondents who answered both items (each pair's own weighted means
	// and, when standardizing, variances: R's cov/cor with use =
	// "pairwise.complete.obs", divisor Σw), then runs the algorithm on that
	// matrix. A respondent's construct score uses the answered items of the
	// block only, their weights scaled up to the block's total weight; a
	// respondent with no answered item of a block scores the block mean
	// (counted in PLSResult.EmptyRows).
	PLSPairwise = "pairwise"
)

// PLSBlock is one construct (latent variable) of a PLS path model and its
// block of indicators (manifest variables).
type PLSBlock struct {
	Name       string // construct name, unique in the model
	Indicators []int  // columns of the data (x[j]) measuring it, at least one, each in one block only
	Mode       string // PLSModeA (default when empty) or PLSModeB
}

// PLSModel is a PLS path model: the blocks, the inner model (paths between
// constructs) and the estimation settings. The zero values of the settings
// are the defaults: scheme path, only centred indicators, tolerance 1e-10,
// 1000 iterations, mean replacement of missing answers, no index.
type PLSModel struct {
	Blocks []PLSBlock
	// Paths are the inner model's arrows [from, to], block indices. The
	// paths must form no cycle and every construct must have one.
	Paths [][2]int
	// Scheme is PLSPath (default), PLSCentroid or PLSFactorial.
	Scheme string
	// Standardize scales every indicator to unit variance before
	// estimation (plspm scaled = TRUE); otherwise indicators are only
	// centred (scaled = FALSE) and the outer weights are on the items' scale.
	Standardize bool
	// Tol stops the iteration once the largest change of a (normalized)
	// outer weight is below it; 0 means 1e-10.
	Tol float64
	// MaxIter is the iteration limit; 0 means 1000. Not converging within
	// it is an error (*PLSConvergenceError).
	MaxIter int
	// Missing is PLSMeanReplace (default when empty) or PLSPairwise.
	Missing string
	// IndexScale is the items' scale [min, max] (e.g. 1, 10) for the
	// customer-satisfaction index in PLSResult.Index and PLSBoot.Index;
	// the zero value asks for no index.
	IndexScale [2]float64
	// ColumnNames optionally names the data columns (x[j] is
	// ColumnNames[j]) so that error messages say "indicator \"sat2\""
	// rather than "indicator column 14".
	ColumnNames []string
}

// PLSResult is a fitted PLS path model. Per-indicator slices are indexed
// [block][position of the indicator in PLSBlock.Indicators]; matrices over
// constructs are indexed At(to, from) as plspm's $path_coefs.
type PLSResult struct {
	Model PLSModel // the model as fitted (defaults filled in)
	N     int      // rows of the data (none is dropped)
	SumW  float64  // sum of the sampling weights

	OuterWeights [][]float64 // outer weights: a construct score is Σ w·(centred or standardized indicator), unit variance
	Loadings     [][]float64 // correlation of each indicator with its construct score
	Communality  [][]float64 // squared loadings
	Redundancy   [][]float64 // communality × R² of the construct

	Scores *mat.Dense    // N × blocks construct scores (weighted mean 0, variance 1; under PLSPairwise with missing answers only about)
	LVCor  *mat.SymDense // weighted correlations of the construct scores

	Paths        *mat.Dense // path coefficients At(to, from): OLS of each endogenous construct on its predecessors, 0 where no path
	TotalEffects *mat.Dense // total effects At(to, from): direct plus every indirect path, 0 where none leads
	R2           []float64  // R² per construct, 0 for exogenous ones

	AVE                  []float64 // average variance extracted (mode A; 0 for mode B blocks, as plspm)
	BlockCommunality     []float64 // mean communality of the block
	CronbachAlpha        []float64 // standardized Cronbach's α (mode A; 1 for one indicator, 0 for mode B, as plspm)
	CompositeReliability []float64 // Dillon–Goldstein ρ from the block's first principal component (plspm's DG.rho)
	GoF                  float64   // goodness of fit: √(mean communality of multi-indicator blocks × mean R² of endogenous constructs)

	// Indices is the customer-satisfaction index per construct (0–100) when
	// Model.IndexScale is set, else nil; see PLSResult.Index. A construct
	// with a non-positive outer weight has NaN (no index), the fit stands.
	Indices []float64

	Iterations int   // outer iterations until convergence
	Imputed    []int // per block: answers replaced (PLSMeanReplace) or left out (PLSPairwise)
	EmptyRows  []int // per block: respondents without any answered item in it

	spec *plsSpec
	data *plsData
}

// PLSBootStat is the bootstrap summary of one statistic.
type PLSBootStat struct {
	Estimate float64   // the full-sample estimate
	SE       float64   // standard deviation of the replicates (divisor R − 1)
	Lo, Hi   float64   // percentile interval (R's quantile type 7)
	Reps     []float64 // the replicate values, in replicate order (failed replicates and NaN left out; fewer than 2: SE, Lo, Hi are NaN)
}

// PLSBoot holds bootstrap standard errors and percentile intervals.
type PLSBoot struct {
	Reps   int     // replicates asked for
	Failed int     // replicates whose fit failed (e.g. did not converge), left out
	Level  float64 // interval level

	Paths        []PLSBootStat   // one per PLSModel.Paths entry, in its order
	TotalEffects [][]PLSBootStat // [to][from]
	R2           []PLSBootStat   // per construct
	OuterWeights [][]PLSBootStat // [block][indicator]
	Loadings     [][]PLSBootStat // [block][indicator]
	Index        []PLSBootStat   // per construct when PLSModel.IndexScale is set, else nil
}

// PLSDesign is the sampling design the bootstrap resamples: whole PSUs with
// replacement within each stratum (as many as the stratum has), each row's
// weight multiplied by the times its PSU was drawn. Nil slices mean one
// stratum and every row its own PSU. PSU codes are taken within strata.
type PLSDesign struct {
	Strata []int
	PSU    []int
}

// PLSBootOptions controls BootstrapPLS.
type PLSBootOptions struct {
	Reps    int     // number of replicates (> 1)
	Seed    uint64  // replicate r draws from PCG(Seed, r): the same for any worker count
	Workers int     // goroutines; 0 means GOMAXPROCS
	Level   float64 // percentile interval level; 0 means 0.95
}

// PLSConvergenceError reports that the outer weights did not settle.
type PLSConvergenceError struct {
	Iterations int
	Change     float64 // largest outer-weight change of the last iteration
	Tol        float64
}

func (e *PLSConvergenceError) Error() string {
	return fmt.Sprintf("PLS did not converge in %d iterations (largest outer-weight change %.3g, tolerance %.3g)", e.Iterations, e.Change, e.Tol)
}

// FitPLS estimates the PLS path model m on the data x (x[j] is column j,
// one value per respondent) with sampling weights w (nil: every row 1), by
// Lohmöller's iterative algorithm as R's plspm 0.4.9 does:
//
//  1. start from equal weights, each construct score Y_b = X_b w_b scaled to
//     unit variance;
//  2. inner proxies Z_b = Σ_c e_cb Y_c over the constructs c adjacent to b,
//     e_cb = sign(cor) (centroid), cor (factorial), or (path) the
//     regression coefficient of Y_b on its predecessors for a predecessor c
//     and cor(Y_b, Y_c) for a follower c;
//  3. mode A: w_b = cov(X_b, Z_b); mode B: w_b = cov(X_b)⁻¹ cov(X_b, Z_b);
//     rescale so var(X_b w_b) = 1;
//  4. repeat 2–3 until the largest change of a weight is below m.Tol.
//
// A block whose indicators correlate mostly negatively with its score has
// its weights (and score) turned round, as plspm turns the score (plspm
// leaves the weights as they were). Path coefficients are the OLS fits of
// each endogenous construct's score on its predecessors'. Every mean,
// variance and regression is weighted with w and divisor Σw, so a weight
// of 2 is the same as the row given twice.
//
// Missing values are NaN in x (a don't-know answer must be passed as NaN);
// they are handled as m.Missing says (PLSMeanReplace or PLSPairwise) and
// no row is ever dropped. Only the columns named by the blocks are read.
//
// Bad models and data return an error: an indicator out of range or in two
// blocks, a construct with no indicators, a path to an unknown construct,
// a cycle, a construct with no path, a block or a standardized indicator
// without variance, a singular mode B block, non-convergence.
func FitPLS(x [][]float64, w []float64, m PLSModel) (*PLSResult, error) {
	spec, err := compilePLS(len(x), m)
	if err != nil {
		return nil, err
	}
	n := plsRows(x, spec)
	if w != nil && len(w) != n {
		panic(fmt.Sprintf("stats: FitPLS: %d weights for %d rows", len(w), n))
	}
	d, err := preparePLS(x, w, spec, n)
	if err != nil {
		return nil, err
	}
	mom := d.moments(nil)
	core, err := spec.fit(mom)
	if err != nil {
		return nil, err
	}
	return spec.result(d, mom, core)
}

// Index returns the customer-satisfaction index of every construct, 0–100,
// on items scaled from lo to hi: each respondent's construct score on the
// items' own scale (outer weights rescaled to sum 1 over the block, as
// plspm::rescale does, applied to the uncentred answers), its weighted mean
// over respondents mapped linearly from [lo, hi] to [0, 100] (the
// ACSI/CCSI convention). Missing answers are treated as in the fit. With
// Standardize the weights are first put back on the items' scale (divided
// by the items' standard deviations). A block with a negative or zero
// outer weight has no index: its entry is NaN and the error names the
// first such block (plspm::rescale refuses the whole model).
func (r *PLSResult) Index(lo, hi float64) ([]float64, error) {
	if !(hi > lo) {
		return nil, fmt.Errorf("index scale [%g, %g] is empty", lo, hi)
	}
	return r.data.index(r.spec, flatWeights(r.OuterWeights), nil, lo, hi)
}

// BootstrapPLS refits the model on o.Reps bootstrap resamples of the data
// (whole PSUs drawn with replacement within strata as d says) and returns
// standard errors and percentile intervals of the path coefficients, total
// effects, R², outer weights, loadings and (with m.IndexScale) the indices.
// The resampling is seeded and does not depend on o.Workers. Missing
// answers are replaced once, on the full sample, before resampling; under
// PLSPairwise each replicate computes its own pairwise moments.
func BootstrapPLS(x [][]float64, w []float64, m PLSModel, d PLSDesign, o PLSBootOptions) (*PLSBoot, error) {
	return bootstrapPLS(x, w, m, d, o)
}

// plsSpec is a checked model, indicators laid out block after block.
type plsSpec struct {
	m      PLSModel
	nb, p  int
	cols   []int // data column of each position
	off    []int // block b holds positions off[b] .. off[b+1]-1
	modeB  []bool
	pred   [][]int // predecessors of each block
	succ   [][]int // followers of each block
	adj    [][]bool
	order  []int // a topological order of the blocks
	scheme int   // 0 path, 1 centroid, 2 factorial
}

func compilePLS(ncol int, m PLSModel) (*plsSpec, error) {
	if m.Scheme == "" {
		m.Scheme = PLSPath
	}
	if m.Missing == "" {
		m.Missing = PLSMeanReplace
	}
	if m.Tol == 0 {
		m.Tol = 1e-10
	}
	if m.MaxIter == 0 {
		m.MaxIter = 1000
	}
	s := &plsSpec{m: m, nb: len(m.Blocks)}
	switch m.Scheme {
	case PLSPath:
	case PLSCentroid:
		s.scheme = 1
	case PLSFactorial:
		s.scheme = 2
	default:
		return nil, fmt.Errorf("unknown inner weighting scheme %q (want path, centroid or factorial)", m.Scheme)
	}
	if m.Missing != PLSMeanReplace && m.Missing != PLSPairwise {
		return nil, fmt.Errorf("unknown missing-value treatment %q (want mean or pairwise)", m.Missing)
	}
	if !(m.Tol > 0) || m.MaxIter < 1 {
		return nil, fmt.Errorf("tolerance %g and iteration limit %d must be positive", m.Tol, m.MaxIter)
	}
	if m.IndexScale != [2]float64{} && !(m.IndexScale[1] > m.IndexScale[0]) {
		return nil, fmt.Errorf("index scale [%g, %g] is empty", m.IndexScale[0], m.IndexScale[1])
	}
	if s.nb < 2 {
		return nil, errors.New("a PLS path model needs at least two constructs")
	}
	seen := map[string]bool{}
	used := map[int]string{}
	s.off = make([]int, s.nb+1)
	s.modeB = make([]bool, s.nb)
	for b, bl := range m.Blocks {
		if bl.Name == "" {
			return nil, fmt.Errorf("construct %d has no name", b+1)
		}
		if seen[bl.Name] {
			return nil, fmt.Errorf("construct %q is defined twice", bl.Name)
		}
		seen[bl.Name] = true
		switch bl.Mode {
		case "", PLSModeA:
		case PLSModeB:
			s.modeB[b] = true
		default:
			return nil, fmt.Errorf("construct %q: unknown mode %q (want A or B)", bl.Name, bl.Mode)
		}
		if len(bl.Indicators) == 0 {
			return nil, fmt.Errorf("construct %q has no indicators", bl.Name)
		}
		for _, j := range bl.Indicators {
			if j < 0 || j >= ncol {
				return nil, fmt.Errorf("construct %q: indicator column %d is not in the data (%d columns)", bl.Name, j, ncol)
			}
			if o, ok := used[j]; ok {
				return nil, fmt.Errorf("%s is in both %q and %q", s.colName(j), o, bl.Name)
			}
			used[j] = bl.Name
			s.cols = append(s.cols, j)
		}
		s.off[b+1] = len(s.cols)
	}
	s.p = len(s.cols)
	s.adj = make([][]bool, s.nb)
	for b := range s.adj {
		s.adj[b] = make([]bool, s.nb)
	}
	s.pred = make([][]int, s.nb)
	s.succ = make([][]int, s.nb)
	isPath := map[[2]int]bool{}
	for _, pa := range m.Paths {
		f, t := pa[0], pa[1]
		if f < 0 || f >= s.nb || t < 0 || t >= s.nb {
			return nil, fmt.Errorf("path %d -> %d names an unknown construct (%d constructs)", f, t, s.nb)
		}
		if f == t {
			return nil, fmt.Errorf("path %s -> %s leads from a construct to itself", m.Blocks[f].Name, m.Blocks[t].Name)
		}
		if isPath[pa] {
			return nil, fmt.Errorf("path %s -> %s is given twice", m.Blocks[f].Name, m.Blocks[t].Name)
		}
		if isPath[[2]int{t, f}] {
			return nil, fmt.Errorf("paths %s -> %s and back form a cycle", m.Blocks[f].Name, m.Blocks[t].Name)
		}
		isPath[pa] = true
		s.adj[f][t], s.adj[t][f] = true, true
		s.pred[t] = append(s.pred[t], f)
		s.succ[f] = append(s.succ[f], t)
	}
	for b := range s.pred {
		slices.Sort(s.pred[b])
		slices.Sort(s.succ[b])
		if len(s.pred[b])+len(s.succ[b]) == 0 {
			return nil, fmt.Errorf("construct %q has no path to or from another construct", m.Blocks[b].Name)
		}
	}
	order, cyc := topoOrder(s.nb, s.pred, s.succ)
	if cyc != nil {
		names := make([]string, len(cyc))
		for i, b := range cyc {
			names[i] = m.Blocks[b].Name
		}
		return nil, fmt.Errorf("the paths form a cycle: %s", strings.Join(names, " -> "))
	}
	s.order = order
	return s, nil
}

// topoOrder returns the blocks in an order where every path points forward
// (Kahn's algorithm, lowest index first), or one cycle.
func topoOrder(nb int, pred, succ [][]int) (order, cycle []int) {
	indeg := make([]int, nb)
	for b := range pred {
		indeg[b] = len(pred[b])
	}
	done := make([]bool, nb)
	for len(order) < nb {
		next := -1
		for b := 0; b < nb; b++ {
			if !done[b] && indeg[b] == 0 {
				next = b
				break
			}
		}
		if next < 0 {
			break
		}
		done[next] = true
		order = append(order, next)
		for _, t := range succ[next] {
			indeg[t]--
		}
	}
	if len(order) == nb {
		return order, nil
	}
	// Walk predecessors among the remaining blocks until one repeats.
	start := -1
	for b := 0; b < nb; b++ {
		if !done[b] {
			start = b
			break
		}
	}
	pos := map[int]int{}
	var walk []int
	for b := start; ; {
		if i, ok := pos[b]; ok {
			cycle = slices.Clone(walk[i:])
			slices.Reverse(cycle)
			// start at the first construct of the model, for a stable message
			lo := slices.Index(cycle, slices.Min(cycle))
			cycle = append(cycle[lo:], cycle[:lo]...)
			cycle = append(cycle, cycle[0])
			return nil, cycle
		}
		pos[b] = len(walk)
		walk = append(walk, b)
		for _, p := range pred[b] {
			if !done[p] {
				b = p
				break
			}
		}
	}
}

func plsRows(x [][]float64, s *plsSpec) int {
	n := len(x[s.cols[0]])
	for _, j := range s.cols {
		if len(x[j]) != n {
			panic(fmt.Sprintf("stats: FitPLS: column %d has %d rows, want %d", j, len(x[j]), n))
		}
	}
	return n
}

// plsData is the data ready for estimation: row-major values at the
// model's positions, centred at the full-sample weighted means (NaN kept
// for missing answers under pairwise), the weights, and the means.
type plsData struct {
	n, p     int
	v        []float64 // n × p, centred at mean
	mean     []float64 // weighted mean per position (available cases)
	w        []float64
	sumW     float64
	pairwise bool
	missing  bool      // some value is NaN (pairwise only)
	std      bool      // the model standardizes: pairwise moments keep each pair's correlation
	sd       []float64 // full-sample weighted standard deviation per position (available cases)
	imputed  []int
	empty    []int
	emptyRow [][]bool // [block][row], rows without answers in the block (pairwise)
}

func preparePLS(x [][]float64, w []float64, s *plsSpec, n int) (*plsData, error) {
	d := &plsData{n: n, p: s.p, pairwise: s.m.Missing == PLSPairwise, std: s.m.Standardize,
		imputed: make([]int, s.nb), empty: make([]int, s.nb)}
	d.w = make([]float64, n)
	for i := range d.w {
		wi := 1.0
		if w != nil {
			wi = w[i]
		}
		if !(wi >= 0) || math.IsInf(wi, 1) {
			return nil, fmt.Errorf("row %d has sampling weight %g (want a finite weight ≥ 0)", i+1, wi)
		}
		d.w[i] = wi
		d.sumW += wi
	}
	if !(d.sumW > 0) {
		return nil, errors.New("the sampling weights sum to 0")
	}
	p := s.p
	// One pass per column: copy, check, and the available-case weighted
	// means (needed for the empty-block fallback).
	d.v = make([]float64, n*p)
	d.mean = make([]float64, p)
	holes := false
	for k, j := range s.cols {
		col := x[j]
		var sum, cnt float64
		for i, v := range col {
			if math.IsNaN(v) {
				holes = true
			} else if math.IsInf(v, 0) {
				return nil, fmt.Errorf("row %d, %s is infinite", i+1, s.colName(j))
			} else {
				sum += d.w[i] * v
				cnt += d.w[i]
			}
			d.v[i*p+k] = v
		}
		if !(cnt > 0) {
			return nil, fmt.Errorf("%s of %q has no answer", s.colName(j), s.m.Blocks[s.blockOf(k)].Name)
		}
		d.mean[k] = sum / cnt
	}
	if holes {
		d.fillHoles(s)
	}
	// Centre, and the weighted standard deviations (available cases).
	d.sd = make([]float64, p)
	cnt := make([]float64, p)
	for i := 0; i < n; i++ {
		row := d.v[i*p : i*p+p]
		wi := d.w[i]
		for k := range row {
			v := row[k] - d.mean[k] // NaN stays NaN
			row[k] = v
			if v == v {
				d.sd[k] += wi * v * v
				cnt[k] += wi
			}
		}
	}
	for k := range d.sd {
		d.sd[k] = math.Sqrt(d.sd[k] / cnt[k])
	}
	return d, nil
}

// fillHoles replaces missing answers by the respondent's block mean (or
// counts them, under pairwise) and, having replaced any, recomputes the
// means of the completed data.
func (d *plsData) fillHoles(s *plsSpec) {
	n, p := d.n, d.p
	if d.pairwise {
		d.emptyRow = make([][]bool, s.nb)
	}
	for b := 0; b < s.nb; b++ {
		lo, hi := s.off[b], s.off[b+1]
		for i := 0; i < n; i++ {
			row := d.v[i*p : i*p+p]
			sum, na := 0.0, 0
			for k := lo; k < hi; k++ {
				if math.IsNaN(row[k]) {
					na++
				} else {
					sum += row[k]
				}
			}
			if na == 0 {
				continue
			}
			d.imputed[b] += na
			if na == hi-lo {
				d.empty[b]++
				if d.pairwise {
					if d.emptyRow[b] == nil {
						d.emptyRow[b] = make([]bool, n)
					}
					d.emptyRow[b][i] = true
				}
			}
			if d.pairwise {
				d.missing = true
				continue
			}
			for k := lo; k < hi; k++ {
				if math.IsNaN(row[k]) {
					if na == hi-lo {
						row[k] = d.mean[k]
					} else {
						row[k] = sum / float64(hi-lo-na)
					}
				}
			}
		}
	}
	if !d.pairwise {
		// Means of the completed data.
		clear(d.mean)
		for i := 0; i < n; i++ {
			row := d.v[i*p : i*p+p]
			for k, v := range row {
				d.mean[k] += d.w[i] * v
			}
		}
		for k := range d.mean {
			d.mean[k] /= d.sumW
		}
	}
}

// colName names data column j in messages.
func (s *plsSpec) colName(j int) string {
	if j < len(s.m.ColumnNames) {
		return fmt.Sprintf("indicator %q", s.m.ColumnNames[j])
	}
	return fmt.Sprintf("indicator column %d", j)
}

func (s *plsSpec) blockOf(k int) int {
	for b := 0; b < s.nb; b++ {
		if k < s.off[b+1] {
			return b
		}
	}
	panic("stats: PLS position out of range")
}

// plsMoments are the weighted moments of the centred data: the indicator
// covariance matrix (divisor Σw) and the mean shift from d.mean.
type plsMoments struct {
	cov   []float64 // p × p, symmetric
	shift []float64 // weighted mean of the centred values (0 on the full sample)
	sumW  float64
	sd    []float64 // standard deviation of each indicator (its own available cases)
}

// moments computes the weighted moments, each row's weight multiplied by
// mult[i] when mult is not nil.
func (d *plsData) moments(mult []float64) *plsMoments {
	var buf plsBuf
	return d.finish(d.sumRows(nil, mult, &buf))
}

// plsSums are weighted sums of the centred values over some rows, from
// which the moments follow (plsData.finish). Without missing values: Σw,
// s = Σw·v and c = Σw·v vᵀ (p × p, upper triangle). With them (pairwise):
// c = [w·M | w·V | w·V²]ᵀ [M | V] (3p × 2p), where M marks the answered
// values and V holds them (0 where missing), which gives for every pair
// the weight, the sums and squares of both values, and the cross-products
// over the rows answering both. Sums over PSUs add up, so the bootstrap
// sums each PSU once and then only weighs the PSU sums.
type plsSums struct {
	w float64
	s []float64
	c []float64
}

func (d *plsData) newSums() *plsSums {
	p := d.p
	if d.missing {
		return &plsSums{s: make([]float64, p), c: make([]float64, 6*p*p)}
	}
	return &plsSums{s: make([]float64, p), c: make([]float64, p*p)}
}

// add adds f times o to sm.
func (sm *plsSums) add(f float64, o *plsSums) {
	sm.w += f * o.w
	floats.AddScaled(sm.s, f, o.s)
	floats.AddScaled(sm.c, f, o.c)
}

func (sm *plsSums) reset() {
	sm.w = 0
	clear(sm.s)
	clear(sm.c)
}

// plsBuf is reusable scratch for sumRows.
type plsBuf struct{ l, r []float64 }

// sumRows returns the sums over rows (nil: every row), each row's weight
// multiplied by mult[i] when mult is not nil. The cross-products are one
// BLAS call over the rows packed into buf, transposed (one indicator per
// row) so that the kernel runs dot products along the respondents.
func (d *plsData) sumRows(rows []int, mult []float64, buf *plsBuf) *plsSums {
	p := d.p
	out := d.newSums()
	nr := d.n
	if rows != nil {
		nr = len(rows)
	}
	hl, hr := p, 0 // rows of the packed left and right matrices
	if d.missing {
		hl, hr = 3*p, 2*p
	}
	if cap(buf.l) < hl*nr {
		buf.l = make([]float64, hl*nr)
	}
	if cap(buf.r) < hr*nr {
		buf.r = make([]float64, hr*nr)
	}
	l, r := buf.l[:hl*nr], buf.r[:hr*nr]
	k := 0
	for q := 0; q < nr; q++ {
		i := q
		if rows != nil {
			i = rows[q]
		}
		wi := d.w[i]
		if mult != nil {
			wi *= mult[i]
		}
		if wi == 0 {
			continue
		}
		out.w += wi
		row := d.v[i*p : i*p+p]
		if !d.missing {
			sw := math.Sqrt(wi)
			for j, v := range row {
				out.s[j] += wi * v
				l[j*nr+k] = sw * v
			}
			k++
			continue
		}
		for j, v := range row {
			if math.IsNaN(v) {
				l[j*nr+k], l[(p+j)*nr+k], l[(2*p+j)*nr+k] = 0, 0, 0
				r[j*nr+k], r[(p+j)*nr+k] = 0, 0
				continue
			}
			l[j*nr+k], l[(p+j)*nr+k], l[(2*p+j)*nr+k] = wi, wi*v, wi*v*v
			r[j*nr+k], r[(p+j)*nr+k] = 1, v
		}
		k++
	}
	if k == 0 {
		return out
	}
	lt := blas64.General{Rows: hl, Cols: k, Stride: nr, Data: l}
	if !d.missing {
		blas64.Syrk(blas.NoTrans, 1, lt, 0, blas64.Symmetric{Uplo: blas.Upper, N: p, Stride: p, Data: out.c})
		return out
	}
	rt := blas64.General{Rows: hr, Cols: k, Stride: nr, Data: r}
	blas64.Gemm(blas.NoTrans, blas.Trans, 1, lt, rt, 0, blas64.General{Rows: 3 * p, Cols: 2 * p, Stride: 2 * p, Data: out.c})
	return out
}

// finish turns sums into moments.
func (d *plsData) finish(sm *plsSums) *plsMoments {
	p := d.p
	mo := &plsMoments{cov: make([]float64, p*p), shift: make([]float64, p), sd: make([]float64, p), sumW: sm.w}
	cp := mo.cov
	if !d.missing {
		for j := 0; j < p; j++ {
			mo.shift[j] = sm.s[j] / sm.w
		}
		for j := 0; j < p; j++ {
			for k := j; k < p; k++ {
				c := sm.c[j*p+k]/sm.w - mo.shift[j]*mo.shift[k]
				cp[j*p+k], cp[k*p+j] = c, c
			}
			mo.sd[j] = math.Sqrt(math.Max(cp[j*p+j], 0))
		}
		return mo
	}
	st := 2 * p
	pw := func(j, k int) float64 { return sm.c[j*st+k] }        // Σw over rows with j and k
	sx := func(j, k int) float64 { return sm.c[(p+j)*st+k] }    // Σw x_j over rows with j and k
	sxx := func(j, k int) float64 { return sm.c[(2*p+j)*st+k] } // Σw x_j² over rows with j and k
	sxy := func(j, k int) float64 { return sm.c[(p+j)*st+p+k] } // Σw x_j x_k
	for j := 0; j < p; j++ {
		if n := pw(j, j); n > 0 {
			mo.shift[j] = sx(j, j) / n
			mo.sd[j] = math.Sqrt(math.Max(sxx(j, j)/n-mo.shift[j]*mo.shift[j], 0))
		}
	}
	for j := 0; j < p; j++ {
		for k := j; k < p; k++ {
			n := pw(j, k)
			c := math.NaN()
			if n > 0 {
				mj, mk := sx(j, k)/n, sx(k, j)/n
				c = sxy(j, k)/n - mj*mk
				if d.std && j != k {
					vj := sxx(j, k)/n - mj*mj
					vk := sxx(k, j)/n - mk*mk
					// Keep the pair's own correlation when the matrix is
					// turned into correlations later: scale back to the
					// items' own variances.
					c = c / math.Sqrt(vj*vk) * mo.sd[j] * mo.sd[k]
				}
			}
			cp[j*p+k], cp[k*p+j] = c, c
		}
	}
	return mo
}
