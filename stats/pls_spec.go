package stats

import (
	"fmt"
	"slices"
)

// PLSSpec is a PLS path model written with names rather than column
// numbers: the model.json format of `manyi pls` and of testdata/pls
// (docs/PLS.md). Model turns it into a PLSModel for given data columns.
type PLSSpec struct {
	Constructs []PLSConstructSpec `json:"constructs"`
	Paths      [][2]string        `json:"paths"` // [from, to] construct names
	Scheme     string             `json:"scheme,omitempty"`
	// Standardize scales indicators to unit variance (plspm scaled = TRUE).
	Standardize bool `json:"standardize"`
	// IndexScale is the items' [min, max] for the 0–100 index; empty: no index.
	IndexScale []float64 `json:"index_scale,omitempty"`
	// Missing is "mean" (default) or "pairwise"; see PLSMeanReplace.
	Missing string `json:"missing,omitempty"`
	// DontKnow lists answer codes that mean "don't know" (e.g. 99); they are
	// treated as missing.
	DontKnow []float64 `json:"dont_know,omitempty"`
	// Weight names the data column of sampling weights; empty: every row 1.
	Weight  string  `json:"weight,omitempty"`
	Tol     float64 `json:"tol,omitempty"`
	MaxIter int     `json:"max_iter,omitempty"`
	Note    string  `json:"note,omitempty"`
}

// PLSConstructSpec is one construct of a PLSSpec.
type PLSConstructSpec struct {
	Name       string   `json:"name"`
	Indicators []string `json:"indicators"`
	Mode       string   `json:"mode,omitempty"` // "A" (default) or "B"
}

// Model returns the PLSModel of s for data whose columns are named columns
// (x[j] is the column named columns[j]). An indicator or weight column not
// in the data, a construct without indicators and a path naming an unknown
// construct are errors; the rest is checked by FitPLS.
func (s PLSSpec) Model(columns []string) (PLSModel, error) {
	m := PLSModel{Scheme: s.Scheme, Standardize: s.Standardize, Missing: s.Missing, Tol: s.Tol, MaxIter: s.MaxIter, ColumnNames: columns}
	col := make(map[string]int, len(columns))
	for j, c := range columns {
		if _, dup := col[c]; !dup {
			col[c] = j
		}
	}
	blk := map[string]int{}
	for b, c := range s.Constructs {
		if c.Name == "" {
			return PLSModel{}, fmt.Errorf("construct %d has no name", b+1)
		}
		if _, dup := blk[c.Name]; dup {
			return PLSModel{}, fmt.Errorf("construct %q is defined twice", c.Name)
		}
		blk[c.Name] = b
		if len(c.Indicators) == 0 {
			return PLSModel{}, fmt.Errorf("construct %q has no indicators", c.Name)
		}
		bl := PLSBlock{Name: c.Name, Mode: c.Mode}
		for _, ind := range c.Indicators {
			j, ok := col[ind]
			if !ok {
				return PLSModel{}, fmt.Errorf("indicator %q of construct %q is not in the data", ind, c.Name)
			}
			if ind == s.Weight {
				return PLSModel{}, fmt.Errorf("indicator %q of construct %q is the weight column", ind, c.Name)
			}
			bl.Indicators = append(bl.Indicators, j)
		}
		m.Blocks = append(m.Blocks, bl)
	}
	for _, p := range s.Paths {
		var ft [2]int
		for k, name := range p {
			b, ok := blk[name]
			if !ok {
				return PLSModel{}, fmt.Errorf("path %s -> %s: unknown construct %q", p[0], p[1], name)
			}
			ft[k] = b
		}
		m.Paths = append(m.Paths, ft)
	}
	switch len(s.IndexScale) {
	case 0:
	case 2:
		m.IndexScale = [2]float64{s.IndexScale[0], s.IndexScale[1]}
	default:
		return PLSModel{}, fmt.Errorf("index_scale has %d numbers, want [min, max]", len(s.IndexScale))
	}
	if s.Weight != "" {
		if _, ok := col[s.Weight]; !ok {
			return PLSModel{}, fmt.Errorf("weight column %q is not in the data", s.Weight)
		}
	}
	return m, nil
}

// IsDontKnow reports whether v is one of s's don't-know codes.
func (s PLSSpec) IsDontKnow(v float64) bool { return slices.Contains(s.DontKnow, v) }
