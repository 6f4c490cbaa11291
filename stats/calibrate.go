package stats

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// CalMethod is a calibration method.
type CalMethod int

const (
	// PostStratify: one (possibly joint) margin, g_i = N_c / Σ_{j in c} d_j
	// (R: postStratify()).
	PostStratify CalMethod = iota
	// Raking: g_i = exp(x_i'λ), solved by Newton steps
	// (R: calibrate(calfun = "raking"), not rake()).
	Raking
	// Linear: g_i = 1 + x_i'λ, with bounds min(max(1 + x_i'λ, L), U)
	// (R: calibrate(calfun = "linear", bounds = c(L, U))).
	Linear
)

// String returns the method's name as the design file spells it.
func (m CalMethod) String() string {
	switch m {
	case PostStratify:
		return "poststratify"
	case Raking:
		return "raking"
	case Linear:
		return "linear"
	}
	return fmt.Sprintf("CalMethod(%d)", int(m))
}

// Margin is one calibration margin: a categorical variable (or the joint
// cells of several) with a population total per category.
type Margin struct {
	// Name names the margin in errors, e.g. "gender|agegroup".
	Name string
	// Cells holds the category index (into Labels and Totals) of every row.
	Cells []int
	// Labels names the categories in errors.
	Labels []string
	// Totals holds the population total of every category.
	Totals []float64
}

// Calibration specifies how to calibrate design weights to known margins.
type Calibration struct {
	Method  CalMethod
	Margins []Margin
	// Lower and Upper bound the ratio g = new weight / old weight when
	// Bounded is set (R's bounds = c(L, U)).
	Bounded      bool
	Lower, Upper float64
	// Tol is the convergence tolerance on |misfit| / (1 + |total|) for every
	// category (R's epsilon); 0 means 1e-10.
	Tol float64
	// MaxIter caps the Newton iterations (R's maxit); 0 means 100.
	MaxIter int
}

// CalibrationError says which margin and category made calibration fail.
type CalibrationError struct {
	Margin   string
	Category string
	Reason   string
	// NotConverged is set when the iterations reached MaxIter without
	// meeting every total within Tol (Category is then the cell furthest
	// from its total, Total the weighted total it reached, Target its
	// population total, Iterations the limit); otherwise a total cannot be
	// met at all.
	NotConverged  bool
	Iterations    int
	Total, Target float64
}

// Error implements error.
func (e *CalibrationError) Error() string {
	if e.Category == "" {
		return fmt.Sprintf("calibration margin %q: %s", e.Margin, e.Reason)
	}
	return fmt.Sprintf("calibration margin %q, category %q: %s", e.Margin, e.Category, e.Reason)
}

// calModel is what the variance needs from a calibration: the margin
// indicators and the pseudo-inverse of Σ d_i x_i x_i'.
type calModel struct {
	spec  Calibration
	cells [][]int32
	off   []int
	p     int
	pinv  []float64 // p×p
	pop   []float64
	wx    []wxEntry // Σ w x per finest-stage unit, for residual totals
	// iters is the number of Newton iterations the full-sample weights
	// took (step halvings count, as they do against MaxIter); 0 for the
	// closed forms.
	iters int
}

// Calibrate returns the design with weights calibrated to the margins. The
// variance of every later estimate accounts for calibration as R's
// calibrate()/postStratify() do: each linearized variable z is replaced by
// its residual e = z − x'B, B the d-weighted least-squares coefficient of z
// on the margin indicators, entering the variance as w_i e_i. On a design
// with replicate weights every replicate is calibrated to the same totals
// by the same method and bounds. Calibrating a calibrated design panics.
func (d *Design) Calibrate(c Calibration) (*Design, error) {
	if d.cal != nil {
		panic("stats: design is already calibrated")
	}
	if len(c.Margins) == 0 {
		panic("stats: Calibration has no margins")
	}
	if c.Method == PostStratify && len(c.Margins) != 1 {
		return nil, fmt.Errorf("post-stratification takes one margin (use joint cells), got %d", len(c.Margins))
	}
	if c.Bounded && !(c.Lower < 1 && c.Upper > 1 && c.Lower >= 0) {
		return nil, fmt.Errorf("calibration bounds [%v, %v] must contain 1", c.Lower, c.Upper)
	}
	if c.Tol == 0 {
		c.Tol = 1e-10
	}
	if c.MaxIter == 0 {
		c.MaxIter = 100
	}
	m := &calModel{spec: c}
	m.off = make([]int, len(c.Margins))
	for k, mg := range c.Margins {
		if len(mg.Cells) != d.n {
			panic(fmt.Sprintf("stats: margin %q has %d rows, want %d", mg.Name, len(mg.Cells), d.n))
		}
		if len(mg.Totals) != len(mg.Labels) {
			panic(fmt.Sprintf("stats: margin %q has %d totals and %d labels", mg.Name, len(mg.Totals), len(mg.Labels)))
		}
		m.off[k] = m.p
		m.p += len(mg.Totals)
		cells := make([]int32, d.n)
		for i, v := range mg.Cells {
			if v < 0 || v >= len(mg.Totals) {
				panic(fmt.Sprintf("stats: margin %q row %d: cell %d out of range", mg.Name, i, v))
			}
			cells[i] = int32(v)
		}
		m.cells = append(m.cells, cells)
		m.pop = append(m.pop, mg.Totals...)
	}
	// Every margin must describe the same population.
	tot0 := sum(c.Margins[0].Totals)
	for _, mg := range c.Margins[1:] {
		if t := sum(mg.Totals); math.Abs(t-tot0) > 1e-9*math.Max(1, math.Abs(tot0)) {
			return nil, &CalibrationError{Margin: mg.Name, Reason: fmt.Sprintf("totals add up to %v but margin %q adds up to %v", t, c.Margins[0].Name, tot0)}
		}
	}
	// A category with a population total needs sample rows, and the reverse.
	for k, mg := range c.Margins {
		cnt := make([]float64, len(mg.Totals))
		for i, cell := range m.cells[k] {
			cnt[cell] += d.base[i]
		}
		for j, t := range mg.Totals {
			if math.IsNaN(t) || t < 0 {
				return nil, &CalibrationError{Margin: mg.Name, Category: mg.Labels[j], Reason: fmt.Sprintf("population total %v is not a non-negative number", t)}
			}
			if cnt[j] == 0 && t > 0 {
				return nil, &CalibrationError{Margin: mg.Name, Category: mg.Labels[j], Reason: "has a population total but no sampled rows with positive weight"}
			}
			if cnt[j] > 0 && t == 0 && c.Method != Linear {
				return nil, &CalibrationError{Margin: mg.Name, Category: mg.Labels[j], Reason: "has sampled rows but a population total of 0, which cannot be met"}
			}
		}
	}
	g, iters, err := m.solve(d.base)
	if err != nil {
		return nil, err
	}
	m.iters = iters
	// Σ d x x' and its pseudo-inverse, for the calibration residuals.
	xtx := m.crossprod(d.base, nil)
	m.pinv = pinvSym(xtx, m.p)

	nd := *d
	nd.cal = m
	nd.w = make([]float64, d.n)
	for i := range g {
		nd.w[i] = g[i] * d.base[i]
	}
	m.buildWX(d.stages[d.used].unitOfRow, d.stages[d.used].nUnits, nd.w)
	if d.rep != nil {
		r := *d.rep
		r.w = make([][]float64, len(d.rep.base))
		for k, b := range d.rep.base {
			gr, _, err := m.solve(b)
			if err != nil {
				return nil, fmt.Errorf("replicate %d: %w", k+1, err)
			}
			wr := make([]float64, d.n)
			for i := range wr {
				wr[i] = gr[i] * b[i]
			}
			r.w[k] = wr
		}
		nd.rep = &r
	}
	return &nd, nil
}

// crossprod returns Σ_i a_i s_i x_i x_i' (p×p, row-major) for the margin
// indicators; s nil means 1.
func (m *calModel) crossprod(a, s []float64) []float64 {
	p := m.p
	h := make([]float64, p*p)
	nm := len(m.cells)
	idx := make([]int, nm)
	for i, ai := range a {
		v := ai
		if s != nil {
			v *= s[i]
		}
		if v == 0 {
			continue
		}
		for k := 0; k < nm; k++ {
			idx[k] = m.off[k] + int(m.cells[k][i])
		}
		for k := 0; k < nm; k++ {
			r := idx[k] * p
			for l := 0; l < nm; l++ {
				h[r+idx[l]] += v
			}
		}
	}
	return h
}

// xeta returns x_i'η for every row.
func (m *calModel) xeta(eta []float64, n int) []float64 {
	out := make([]float64, n)
	for k, cells := range m.cells {
		off := m.off[k]
		for i, c := range cells {
			out[i] += eta[off+int(c)]
		}
	}
	return out
}

// totals returns Σ_i a_i s_i x_i.
func (m *calModel) totals(a, s []float64) []float64 {
	t := make([]float64, m.p)
	for k, cells := range m.cells {
		off := m.off[k]
		for i, c := range cells {
			v := a[i]
			if s != nil {
				v *= s[i]
			}
			t[off+int(c)] += v
		}
	}
	return t
}

// solve returns g for design weights dw (R's grake and the closed forms of
// postStratify and unbounded linear calibration) and the iterations it
// took (0 for a closed form).
func (m *calModel) solve(dw []float64) ([]float64, int, error) {
	c := m.spec
	n := len(dw)
	switch {
	case c.Method == PostStratify:
		cells := m.cells[0]
		sw := make([]float64, m.p)
		for i, cl := range cells {
			sw[cl] += dw[i]
		}
		g := make([]float64, n)
		for i, cl := range cells {
			if sw[cl] > 0 {
				g[i] = m.pop[cl] / sw[cl]
			}
		}
		for j, s := range sw {
			if s == 0 && m.pop[j] > 0 {
				mg := c.Margins[0]
				return nil, 0, &CalibrationError{Margin: mg.Name, Category: mg.Labels[j], Reason: "has a population total but no sampled weight"}
			}
		}
		return g, 0, nil
	case c.Method == Linear && !c.Bounded:
		t := m.totals(dw, nil)
		mis := make([]float64, m.p)
		for j := range mis {
			mis[j] = m.pop[j] - t[j]
		}
		pinv := pinvSym(m.crossprod(dw, nil), m.p)
		lam := matVec(pinv, mis, m.p)
		g := m.xeta(lam, n)
		for i := range g {
			g[i]++
		}
		// Check that the totals are met: a target outside the span of the
		// sample cannot be.
		if err := m.check(dw, g); err != nil {
			return nil, 0, err
		}
		return g, 0, nil
	}
	lo, hi := math.Inf(-1), math.Inf(1)
	if c.Bounded {
		lo, hi = c.Lower, c.Upper
	}
	F := func(u float64) (g, dg float64) {
		switch c.Method {
		case Raking:
			g = math.Exp(u)
			dg = g
		default:
			g = 1 + u
			dg = 1
		}
		if g < lo {
			return lo, 0
		}
		if g > hi {
			return hi, 0
		}
		return g, dg
	}
	eta := make([]float64, m.p)
	g := make([]float64, n)
	dg := make([]float64, n)
	eval := func() bool {
		xe := m.xeta(eta, n)
		ok := true
		for i, u := range xe {
			g[i], dg[i] = F(u)
			if math.IsInf(g[i], 0) || math.IsNaN(g[i]) || math.IsInf(dg[i], 0) || math.IsNaN(dg[i]) {
				ok = false
			}
		}
		return ok
	}
	eval()
	for iter := 1; ; {
		h := m.crossprod(dw, dg)
		t := m.totals(dw, g)
		mis := make([]float64, m.p)
		for j := range mis {
			mis[j] = m.pop[j] - t[j]
		}
		deta := matVec(pinvSym(h, m.p), mis, m.p)
		for j := range eta {
			eta[j] += deta[j]
		}
		for !eval() && iter < c.MaxIter {
			iter++
			for j := range eta {
				deta[j] /= 2
				eta[j] -= deta[j]
			}
		}
		if m.converged(dw, g) {
			return g, iter, nil
		}
		iter++
		if iter > c.MaxIter {
			j := m.worst(dw, g)
			k, cat := m.locate(j)
			tot := m.totals(dw, g)[j]
			return nil, iter, &CalibrationError{Margin: c.Margins[k].Name, Category: c.Margins[k].Labels[cat],
				NotConverged: true, Iterations: c.MaxIter, Total: tot, Target: m.pop[j],
				Reason: fmt.Sprintf("%s calibration did not converge in %d iterations (total %v, target %v)", c.Method, c.MaxIter, tot, m.pop[j])}
		}
	}
}

func (m *calModel) converged(dw, g []float64) bool {
	t := m.totals(dw, g)
	for j, p := range m.pop {
		if !(math.Abs(p-t[j])/(1+math.Abs(p)) < m.spec.Tol) {
			return false
		}
	}
	return true
}

func (m *calModel) worst(dw, g []float64) int {
	t := m.totals(dw, g)
	best, bj := -1.0, 0
	for j, p := range m.pop {
		r := math.Abs(p-t[j]) / (1 + math.Abs(p))
		if math.IsNaN(r) {
			return j
		}
		if r > best {
			best, bj = r, j
		}
	}
	return bj
}

func (m *calModel) check(dw, g []float64) error {
	// Closed-form solutions meet the totals unless a target is unreachable;
	// allow rounding.
	t := m.totals(dw, g)
	for j, p := range m.pop {
		if math.Abs(p-t[j])/(1+math.Abs(p)) > 1e-7 {
			k, cat := m.locate(j)
			return &CalibrationError{Margin: m.spec.Margins[k].Name, Category: m.spec.Margins[k].Labels[cat],
				Reason: fmt.Sprintf("target %v cannot be met (reached %v)", p, t[j])}
		}
	}
	return nil
}

// locate maps a column of the indicator matrix to its margin and category.
func (m *calModel) locate(j int) (margin, cat int) {
	for k := len(m.off) - 1; k >= 0; k-- {
		if j >= m.off[k] {
			return k, j - m.off[k]
		}
	}
	return 0, j
}

// wxEntry is Σ w_i x_ic over the rows of one finest-stage unit.
type wxEntry struct {
	unit, col int32
	w         float64
}

// buildWX aggregates the calibrated weights by unit and indicator column, so
// that the residual totals of any z cost O(n) plus O(units × columns).
func (m *calModel) buildWX(unitOfRow []int32, nUnits int, w []float64) {
	type key struct{ unit, col int32 }
	var idx map[key]int
	m.wx = make([]wxEntry, 0, len(m.cells)*nUnits)
	for k, cells := range m.cells {
		off := int32(m.off[k])
		ncat := int32(len(m.spec.Margins[k].Totals))
		// A unit × category table of entry positions when it is small
		// (it always is when units are rows and categories few), a map
		// otherwise; the entries come out in the same order either way.
		var dense []int32
		if int64(nUnits)*int64(ncat) <= 1<<22 {
			dense = make([]int32, nUnits*int(ncat))
			for j := range dense {
				dense[j] = -1
			}
		} else if idx == nil {
			idx = map[key]int{}
		}
		for i, c := range cells {
			if w[i] == 0 {
				continue
			}
			u := unitOfRow[i]
			var j int
			if dense != nil {
				p := &dense[int(u)*int(ncat)+int(c)]
				if *p < 0 {
					*p = int32(len(m.wx))
					m.wx = append(m.wx, wxEntry{unit: u, col: off + c})
				}
				j = int(*p)
			} else {
				kk := key{u, off + c}
				var ok bool
				j, ok = idx[kk]
				if !ok {
					j = len(m.wx)
					idx[kk] = j
					m.wx = append(m.wx, wxEntry{unit: u, col: off + c})
				}
			}
			m.wx[j].w += w[i]
		}
	}
}

// residualTotals returns the finest-stage unit totals of w_i (z_i − x_i'B),
// B = (Σ d x x')⁺ Σ d x z: the linearized variable's residual on the
// calibration model (R's svyrecvar with greg_calibration / postStrata).
func (m *calModel) residualTotals(z, base, w []float64, unitOfRow []int32, nUnits int) []float64 {
	return m.residualTotalsInto(make([]float64, nUnits), z, base, w, unitOfRow)
}

// residualTotalsInto is residualTotals into t (zeroed, one per unit).
func (m *calModel) residualTotalsInto(t, z, base, w []float64, unitOfRow []int32) []float64 {
	xz := make([]float64, m.p)
	for i, zi := range z {
		if zi == 0 {
			continue
		}
		for k, cells := range m.cells {
			xz[m.off[k]+int(cells[i])] += base[i] * zi
		}
		t[unitOfRow[i]] += w[i] * zi
	}
	b := matVec(m.pinv, xz, m.p)
	for _, e := range m.wx {
		t[e.unit] -= b[e.col] * e.w
	}
	return t
}

// pinvSym returns the Moore–Penrose pseudo-inverse of a symmetric p×p
// matrix (row-major) by its eigen-decomposition, dropping eigenvalues below
// 1e-10 of the largest, as MASS::ginv drops small singular values.
func pinvSym(a []float64, p int) []float64 {
	sym := mat.NewSymDense(p, nil)
	for i := 0; i < p; i++ {
		for j := i; j < p; j++ {
			sym.SetSym(i, j, (a[i*p+j]+a[j*p+i])/2)
		}
	}
	var es mat.EigenSym
	if !es.Factorize(sym, true) {
		panic("stats: eigen-decomposition failed")
	}
	vals := es.Values(nil)
	var vec mat.Dense
	es.VectorsTo(&vec)
	maxv := 0.0
	for _, v := range vals {
		maxv = math.Max(maxv, math.Abs(v))
	}
	out := make([]float64, p*p)
	for k, v := range vals {
		if math.Abs(v) <= 1e-10*maxv || v == 0 {
			continue
		}
		inv := 1 / v
		for i := 0; i < p; i++ {
			vi := vec.At(i, k) * inv
			if vi == 0 {
				continue
			}
			for j := 0; j < p; j++ {
				out[i*p+j] += vi * vec.At(j, k)
			}
		}
	}
	return out
}

func matVec(a, x []float64, p int) []float64 {
	y := make([]float64, p)
	for i := 0; i < p; i++ {
		s := 0.0
		for j := 0; j < p; j++ {
			s += a[i*p+j] * x[j]
		}
		y[i] = s
	}
	return y
}

func sum(x []float64) float64 {
	s := 0.0
	for _, v := range x {
		s += v
	}
	return s
}
