package estimate

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"

	"manyi/stats"
)

// Results holds the answers in query order.
type Results struct {
	Items []Result
}

// Get returns the result of the query with the given id.
func (r Results) Get(id string) (Result, bool) {
	for _, x := range r.Items {
		if x.ID == id {
			return x, true
		}
	}
	return Result{}, false
}

// Result is the answer to one query. Exactly one of the three shapes is
// filled: a single estimate (Estimate, SE, CI, Deff), domain rows (By), or
// regression coefficients (Coef).
type Result struct {
	ID   string
	Kind string

	Estimate float64
	SE       float64
	CI       [2]float64
	// N is the number of rows used.
	N int
	// Deff is the design effect, nil unless the query asked for it.
	Deff *float64

	By   []Row
	Coef []Coef

	// DF is the t degrees of freedom of the intervals, nil for the normal
	// quantile.
	DF *int
	// Level is the confidence level of the intervals.
	Level float64
}

// Row is one domain of a by query.
type Row struct {
	// Key holds the domain's value of each by column, in the query's order.
	Key      []KeyValue
	Estimate float64
	SE       float64
	CI       [2]float64
	N        int
	Deff     *float64
}

// KeyValue is one by column's value.
type KeyValue struct {
	Column, Value string
}

// Coef is one regression coefficient.
type Coef struct {
	Term     string
	Estimate float64
	SE       float64
}

// Run computes every query on the table under the design. Errors name the
// query, the field, the column and the row at fault; nothing partial is
// returned.
func Run(t *Table, d *Design, qs []Query) (*Results, error) {
	if err := d.Validate(); err != nil {
		return nil, fmt.Errorf("design: %w", err)
	}
	if err := ValidateQueries(qs); err != nil {
		return nil, err
	}
	des, err := BuildDesign(t, d)
	if err != nil {
		return nil, err
	}
	return RunOn(des, t, qs)
}

// BuildDesign builds the stats design (calibrated and replicated as the
// file says) from the table. Callers that ask many questions of one data
// set build it once and call RunOn.
func BuildDesign(t *Table, d *Design) (*stats.Design, error) {
	n := t.Rows()
	if n == 0 {
		return nil, errors.New("data: no rows")
	}
	lonely, err := stats.ParseLonely(d.LonelyPSU)
	if err != nil {
		return nil, fmt.Errorf("design: field \"lonely_psu\": %v", err)
	}
	spec := stats.DesignSpec{Nest: d.Nest, Lonely: lonely}
	if d.Weights != "" {
		w, err := t.numeric(d.Weights, "design: field \"weights\"")
		if err != nil {
			return nil, err
		}
		for i, v := range w {
			if math.IsNaN(v) {
				return nil, fmt.Errorf("design: field \"weights\": column %q row %d is missing", d.Weights, i+1)
			}
			if v < 0 {
				return nil, fmt.Errorf("design: field \"weights\": column %q row %d is negative (%v)", d.Weights, i+1, v)
			}
		}
		spec.Weights = w
	} else {
		spec.Weights = make([]float64, n)
		for i := range spec.Weights {
			spec.Weights[i] = 1
		}
	}
	if d.Strata != "" {
		spec.Strata, err = codes(t, d.Strata, "design: field \"strata\"")
		if err != nil {
			return nil, err
		}
	}
	stages := max(len(d.IDs), 1)
	for k := 0; k < stages; k++ {
		var st stats.Stage
		if k < len(d.IDs) {
			st.IDs, err = codes(t, d.IDs[k], fmt.Sprintf("design: field \"ids[%d]\"", k))
			if err != nil {
				return nil, err
			}
		}
		if k < len(d.FPC) {
			where := fmt.Sprintf("design: field \"fpc[%d]\"", k)
			f, err := t.numeric(d.FPC[k], where)
			if err != nil {
				return nil, err
			}
			for i, v := range f {
				if math.IsNaN(v) {
					return nil, fmt.Errorf("%s: column %q row %d is missing", where, d.FPC[k], i+1)
				}
			}
			st.FPC = f
		}
		spec.Stages = append(spec.Stages, st)
	}
	if len(d.IDs) == 0 && len(d.FPC) == 0 {
		spec.Stages = nil
	}
	des, err := stats.NewDesign(spec)
	if err != nil {
		return nil, fmt.Errorf("design: %w", err)
	}
	if r := d.Replicates; r != nil {
		typ, err := stats.ParseRepType(r.Type)
		if err != nil {
			return nil, fmt.Errorf("design: field \"replicates.type\": %v", err)
		}
		if len(r.Columns) > 0 {
			rs := stats.ReplicateSpec{Type: typ, RScales: r.RScales, MSE: r.MSE, Rho: r.Rho}
			if r.Scale != nil {
				rs.Scale = *r.Scale
			}
			for k, c := range r.Columns {
				w, err := t.numeric(c, fmt.Sprintf("design: field \"replicates.columns[%d]\"", k))
				if err != nil {
					return nil, err
				}
				for i, v := range w {
					if math.IsNaN(v) {
						return nil, fmt.Errorf("design: replicate column %q row %d is missing", c, i+1)
					}
				}
				rs.Weights = append(rs.Weights, w)
			}
			des, err = des.WithReplicates(rs)
		} else {
			if r.Scale != nil || r.RScales != nil {
				return nil, errors.New("design: fields \"replicates.scale\" and \"rscales\" apply to supplied columns only")
			}
			switch typ {
			case stats.JK1, stats.JKn:
				des, err = des.JackknifeReplicates(typ, r.MSE)
			case stats.BRR, stats.Fay:
				des, err = des.BRRReplicates(r.Rho, r.MSE)
			case stats.Bootstrap:
				des, err = des.BootstrapReplicates(r.Count, rand.New(rand.NewPCG(r.Seed, 0x6d616e7969)), r.MSE)
			}
		}
		if err != nil {
			return nil, fmt.Errorf("design: replicates: %w", err)
		}
	}
	if c := d.Calibration; c != nil {
		cal := stats.Calibration{Tol: c.Epsilon, MaxIter: c.MaxIter}
		switch c.Method {
		case "raking":
			cal.Method = stats.Raking
		case "poststratify":
			cal.Method = stats.PostStratify
		case "linear":
			cal.Method = stats.Linear
		}
		if len(c.Bounds) == 2 {
			cal.Bounded, cal.Lower, cal.Upper = true, c.Bounds[0], c.Bounds[1]
		}
		for k, m := range c.Margins {
			mg, err := margin(t, m, k)
			if err != nil {
				return nil, err
			}
			cal.Margins = append(cal.Margins, mg)
		}
		des, err = des.Calibrate(cal)
		if err != nil {
			// %w: callers find the *stats.CalibrationError (margin,
			// category, whether it failed to converge) with errors.As.
			return nil, fmt.Errorf("design: %w", err)
		}
	}
	return des, nil
}

// codes maps a column's values to integer codes (missing values are an error).
func codes(t *Table, name, where string) ([]int, error) {
	c, err := t.column(name, where)
	if err != nil {
		return nil, err
	}
	m := map[string]int{}
	out := make([]int, t.Rows())
	for i := range c.Missing {
		v := c.Text(i)
		if c.Missing[i] {
			return nil, fmt.Errorf("%s: column %q row %d is missing", where, name, i+1)
		}
		k, ok := m[v]
		if !ok {
			k = len(m)
			m[v] = k
		}
		out[i] = k
	}
	return out, nil
}

// margin builds a stats margin; a category in the data without a total is
// an error naming the margin and the category.
func margin(t *Table, m Margin, k int) (stats.Margin, error) {
	name := strings.Join(m.Variables, "|")
	cols := make([]*Column, len(m.Variables))
	for j, v := range m.Variables {
		c, err := t.column(v, fmt.Sprintf("design: field \"calibration.margins[%d].variables[%d]\"", k, j))
		if err != nil {
			return stats.Margin{}, err
		}
		cols[j] = c
	}
	labels := make([]string, 0, len(m.Totals))
	for l := range m.Totals {
		labels = append(labels, l)
	}
	sort.Strings(labels)
	index := make(map[string]int, len(labels))
	totals := make([]float64, len(labels))
	for j, l := range labels {
		index[l] = j
		totals[j] = m.Totals[l]
	}
	cells := make([]int, t.Rows())
	parts := make([]string, len(cols))
	for i := range cells {
		for j, c := range cols {
			if c.Missing[i] {
				return stats.Margin{}, fmt.Errorf("design: calibration margin %q: column %q row %d is missing", name, c.Name, i+1)
			}
			parts[j] = c.Text(i)
		}
		key := strings.Join(parts, "|")
		j, ok := index[key]
		if !ok {
			return stats.Margin{}, fmt.Errorf("design: calibration margin %q, category %q (row %d): occurs in the data but has no population total", name, key, i+1)
		}
		cells[i] = j
	}
	return stats.Margin{Name: name, Cells: cells, Labels: labels, Totals: totals}, nil
}

func (dm *domains) describe(g int) string {
	parts := make([]string, len(dm.cols))
	for j, c := range dm.cols {
		parts[j] = fmt.Sprintf("%s=%s", c, dm.keys[g][j])
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// RunOn computes the queries on an already built design.
func RunOn(des *stats.Design, t *Table, qs []Query) (*Results, error) {
	if err := ValidateQueries(qs); err != nil {
		return nil, err
	}
	type domainEst struct {
		dm  *domains
		est []stats.Estimate
	}
	saved := map[string]domainEst{}
	res := &Results{Items: make([]Result, len(qs))}
	batch := indexBatches(des, qs)
	pre := map[int][]stats.Estimate{}
	run := func(i int, q Query) error {
		where := fmt.Sprintf("query %q", q.ID)
		level := q.Level
		if level == 0 {
			level = 0.95
		}
		r := Result{ID: q.ID, Kind: q.Kind, Level: level}
		df := math.Inf(1)
		if q.DF == "design" {
			k := des.DegF()
			r.DF = &k
			df = float64(k)
		}
		if q.Kind == "regression" {
			y, err := t.numeric(q.Y, where+": field \"y\"")
			if err != nil {
				return err
			}
			xs := make([][]float64, len(q.X))
			for j, x := range q.X {
				xs[j], err = t.numeric(x, fmt.Sprintf("%s: field \"x[%d]\"", where, j))
				if err != nil {
					return err
				}
			}
			est, err := des.Regress(y, xs, nil)
			if err != nil {
				return fmt.Errorf("%s: %v", where, err)
			}
			terms := append([]string{"(Intercept)"}, q.X...)
			for j, e := range est {
				r.Coef = append(r.Coef, Coef{Term: terms[j], Estimate: e.Value, SE: e.SE})
			}
			stats.Recycle(est...)
			r.DF = nil
			res.Items[i] = r
			return nil
		}
		var est []stats.Estimate
		var dm *domains
		if q.Kind == "contrast" {
			src, ok := saved[q.Of]
			if !ok {
				return fmt.Errorf("%s: field \"of\": query %q must come first and have \"by\"", where, q.Of)
			}
			find := func(key map[string]string, field string) (int, error) {
				for g, k := range src.dm.keys {
					match := true
					for j, c := range src.dm.cols {
						if key[c] != k[j] {
							match = false
							break
						}
					}
					if match {
						return g, nil
					}
				}
				return 0, fmt.Errorf("%s: field %q: no domain %v in query %q", where, field, key, q.Of)
			}
			ga, err := find(q.A, "a")
			if err != nil {
				return err
			}
			gb, err := find(q.B, "b")
			if err != nil {
				return err
			}
			est = []stats.Estimate{stats.Contrast(src.est[ga], src.est[gb])}
			dm = &domains{keys: [][]string{nil}}
		} else {
			var err error
			dm, err = byGroups(t, q.By, where)
			if err != nil {
				return err
			}
			if b := batch[i]; b != nil && !b.done {
				b.run(des, t, pre)
			}
			if e, ok := pre[i]; ok {
				est = e
				delete(pre, i)
			} else {
				est, err = estimateKind(des, t, q, dm.groups, where)
			}
			if err != nil {
				var ed *stats.EmptyDomainError
				if errors.As(err, &ed) {
					if len(q.By) > 0 {
						return fmt.Errorf("%s: domain %s has no usable rows (empty domain)", where, dm.describe(ed.Group))
					}
					return fmt.Errorf("%s: no usable rows (every value missing)", where)
				}
				return err
			}
			if len(q.By) > 0 {
				saved[q.ID] = domainEst{dm: dm, est: est}
			}
		}
		interval := func(e stats.Estimate) [2]float64 {
			var lo, hi float64
			switch q.CI {
			case "logit":
				lo, hi = e.LogitCI(level, df)
			case "beta":
				lo, hi = e.BetaCI(level)
				k := des.DegF()
				r.DF = &k
			default:
				lo, hi = e.Wald(level, df)
			}
			return [2]float64{lo, hi}
		}
		deff := func(e stats.Estimate) *float64 {
			if !q.Deff {
				return nil
			}
			v := e.Deff
			return &v
		}
		if len(q.By) == 0 {
			e := est[0]
			r.Estimate, r.SE, r.N, r.Deff = e.Value, e.SE, e.N, deff(e)
			r.CI = interval(e)
		} else {
			for g, e := range est {
				row := Row{Estimate: e.Value, SE: e.SE, N: e.N, Deff: deff(e), CI: interval(e)}
				for j, c := range dm.cols {
					row.Key = append(row.Key, KeyValue{Column: c, Value: dm.keys[g][j]})
				}
				r.By = append(r.By, row)
			}
		}
		res.Items[i] = r
		if q.Kind == "contrast" || len(q.By) == 0 {
			// Nothing refers to these estimates again.
			stats.Recycle(est...)
		}
		return nil
	}
	// Contrasts refer to by-queries. Each by-query's contrasts run as soon
	// as it is done, so that its estimates (a unit-length vector per
	// domain) can be recycled at once rather than kept to the end; an error
	// of a contrast is still reported only after every other query ran,
	// in query order, as when contrasts ran in a second pass.
	users := map[string][]int{}
	for i, q := range qs {
		if q.Kind == "contrast" {
			users[q.Of] = append(users[q.Of], i)
		}
	}
	done := make([]bool, len(qs))
	contrastErr := make([]error, len(qs))
	for i, q := range qs {
		if q.Kind == "contrast" {
			continue
		}
		if err := run(i, q); err != nil {
			return nil, err
		}
		src, ok := saved[q.ID]
		if !ok {
			continue
		}
		for _, j := range users[q.ID] {
			contrastErr[j], done[j] = run(j, qs[j]), true
		}
		delete(saved, q.ID)
		stats.Recycle(src.est...)
	}
	for i, q := range qs {
		if q.Kind != "contrast" {
			continue
		}
		err := contrastErr[i]
		if !done[i] {
			err = run(i, q)
		}
		if err != nil {
			return nil, err
		}
	}
	return res, nil
}

func estimateKind(des *stats.Design, t *Table, q Query, g stats.Groups, where string) ([]stats.Estimate, error) {
	switch q.Kind {
	case "mean", "total":
		y, err := t.numeric(q.Var, where+": field \"var\"")
		if err != nil {
			return nil, err
		}
		if q.Kind == "mean" {
			return des.Mean(y, g)
		}
		return des.Total(y, g)
	case "ratio":
		a, err := t.numeric(q.Num, where+": field \"num\"")
		if err != nil {
			return nil, err
		}
		b, err := t.numeric(q.Den, where+": field \"den\"")
		if err != nil {
			return nil, err
		}
		return des.Ratio(a, b, g)
	case "proportion":
		c, err := t.column(q.Var, where+": field \"var\"")
		if err != nil {
			return nil, err
		}
		want := string(q.Value)
		wantNum, numErr := strconv.ParseFloat(want, 64)
		is := make([]float64, t.Rows())
		found := false
		for i := range is {
			switch {
			case c.Missing[i]:
				is[i] = math.NaN()
			case c.Numeric && numErr == nil:
				// When want is a number, a value of a numeric column that
				// equals it as text also equals it as a number (its text
				// parses to it), so the text need not be made for every row.
				if c.Num[i] == wantNum {
					is[i] = 1
					found = true
				}
			case c.Text(i) == want:
				is[i] = 1
				found = true
			}
		}
		if !found {
			return nil, fmt.Errorf("%s: field \"value\": no row has %q = %q", where, q.Var, want)
		}
		return des.Proportion(is, g)
	case "index":
		items := make([]stats.IndexItem, len(q.Items))
		for k, it := range q.Items {
			y, err := t.numeric(it.Var, fmt.Sprintf("%s: field \"items[%d].var\"", where, k))
			if err != nil {
				return nil, err
			}
			items[k] = stats.IndexItem{Values: y, Weight: it.Weight, Min: it.Min, Max: it.Max}
		}
		return des.Index(items, g)
	}
	return nil, fmt.Errorf("%s: field \"kind\": unknown kind %q", where, q.Kind)
}

// indexBatch is a set of by-queries of one index (the same items) that
// IndexMulti computes together.
type indexBatch struct {
	queries []int
	items   []Item
	by      [][]string
	done    bool
}

// maxBatch caps a batch: IndexMulti keeps a row-length vector per
// grouping in one buffer.
const maxBatch = 16

// indexBatches finds the index queries with "by" that ask the same items
// (a results page asks each index for every group against the rest of
// the city) and returns, for each query of a batch of two or more, its
// batch. Designs with replicate weights gain nothing and get none.
func indexBatches(des *stats.Design, qs []Query) map[int]*indexBatch {
	if des.Replicated() {
		return nil
	}
	bySig := map[string]*indexBatch{}
	out := map[int]*indexBatch{}
	var sig strings.Builder
	for i, q := range qs {
		if q.Kind != "index" || len(q.By) == 0 || len(q.Items) == 0 {
			continue
		}
		sig.Reset()
		for _, it := range q.Items {
			fmt.Fprintf(&sig, "%q %v %v %v;", it.Var, it.Weight, it.Min, it.Max)
		}
		k := sig.String()
		b := bySig[k]
		if b == nil || len(b.queries) == maxBatch {
			b = &indexBatch{items: q.Items}
			bySig[k] = b
		}
		b.queries = append(b.queries, i)
		b.by = append(b.by, q.By)
		out[i] = b
	}
	for i, b := range out {
		if len(b.queries) < 2 {
			delete(out, i)
		}
	}
	return out
}

// run computes the batch's estimates into pre (by query index). A query
// whose column or domains are at fault, or whose grouping has an empty
// domain, is left out: the query then runs on its own and reports its
// error as usual.
func (b *indexBatch) run(des *stats.Design, t *Table, pre map[int][]stats.Estimate) {
	b.done = true
	items := make([]stats.IndexItem, len(b.items))
	for k, it := range b.items {
		y, err := t.numeric(it.Var, "")
		if err != nil {
			return
		}
		items[k] = stats.IndexItem{Values: y, Weight: it.Weight, Min: it.Min, Max: it.Max}
	}
	var gs []stats.Groups
	var idx []int
	for j, by := range b.by {
		dm, err := byGroups(t, by, "")
		if err != nil {
			continue
		}
		gs = append(gs, dm.groups)
		idx = append(idx, b.queries[j])
	}
	if len(gs) == 0 {
		return
	}
	out, errs := des.IndexMulti(items, gs)
	for j, i := range idx {
		if errs[j] == nil {
			pre[i] = out[j]
		}
	}
}
