package estimate

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"manyi/stats"
)

// domains holds the by-groups of a query. A domains value may be shared
// by every query with the same by columns (see Table.groupsOf): it is
// never modified after it is built.
type domains struct {
	cols   []string
	keys   [][]string
	groups stats.Groups
}

// groupCache remembers the domains of each set of by columns, so that the
// hundreds of by-queries of a results page code the rows once per set
// instead of once per query. An entry records the columns it was built
// from: a column is never replaced under its name, so the pointers only
// guard against misuse.
type groupCache struct {
	cols []*Column
	dm   *domains
}

// byGroups returns the domains of the by columns: rows coded in key order
// (domains sorted by their values, compared as text column by column),
// −1 where a by value is missing. It is cached per table and column set.
func byGroups(t *Table, by []string, where string) (*domains, error) {
	if len(by) == 0 {
		return &domains{groups: stats.Whole(), keys: [][]string{nil}}, nil
	}
	cols := make([]*Column, len(by))
	for j, b := range by {
		c, err := t.column(b, where+fmt.Sprintf(": field \"by[%d]\"", j))
		if err != nil {
			return nil, err
		}
		cols[j] = c
	}
	key := strings.Join(by, "\x00")
	t.mu.Lock()
	e, ok := t.groups[key]
	t.mu.Unlock()
	if ok && sameColumns(e.cols, cols) {
		return e.dm, nil
	}
	dm, err := buildGroups(t.n, by, cols)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", where, err)
	}
	t.mu.Lock()
	if t.groups == nil {
		t.groups = map[string]groupCache{}
	}
	t.groups[key] = groupCache{cols: cols, dm: dm}
	t.mu.Unlock()
	return dm, nil
}

func sameColumns(a, b []*Column) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// columnCodes codes a column's values densely in order of first
// appearance (−1 where missing) without making a string per row: text
// columns are looked up by their own strings, numeric-only columns by the
// value's bits (Text is injective on float64 bits, NaN being missing).
func columnCodes(c *Column, n int) (code []int32, rep []int) {
	code = make([]int32, n)
	if c.Raw != nil {
		// Few distinct values (in/out, districts, genders): a linear scan
		// of them beats hashing; past 8 values, a map.
		var few []string
		var m map[string]int32
	rows:
		for i, v := range c.Raw {
			if c.Missing[i] {
				code[i] = -1
				continue
			}
			if m == nil {
				for k, f := range few {
					if f == v {
						code[i] = int32(k)
						continue rows
					}
				}
				if len(few) < 8 {
					code[i] = int32(len(rep))
					few = append(few, v)
					rep = append(rep, i)
					continue
				}
				m = make(map[string]int32, 16)
				for k, f := range few {
					m[f] = int32(k)
				}
			}
			k, ok := m[v]
			if !ok {
				k = int32(len(rep))
				m[v] = k
				rep = append(rep, i)
			}
			code[i] = k
		}
		return code, rep
	}
	m := map[uint64]int32{}
	for i, v := range c.Num {
		if c.Missing[i] {
			code[i] = -1
			continue
		}
		b := math.Float64bits(v)
		k, ok := m[b]
		if !ok {
			k = int32(len(rep))
			m[b] = k
			rep = append(rep, i)
		}
		code[i] = k
	}
	return code, rep
}

// buildGroups codes the rows by the joint values of cols: each column is
// coded on its own, then the codes are combined pairwise (a pair of codes
// below n fits an int64), so the domains come out in order of first
// appearance of the whole key, then are sorted by key.
func buildGroups(n int, by []string, cols []*Column) (*domains, error) {
	code, rep := columnCodes(cols[0], n)
	for _, c := range cols[1:] {
		cc, crep := columnCodes(c, n)
		m := map[int64]int32{}
		var nrep []int
		width := int64(len(crep))
		for i, a := range code {
			b := cc[i]
			if a < 0 || b < 0 {
				code[i] = -1
				continue
			}
			k := int64(a)*width + int64(b)
			g, ok := m[k]
			if !ok {
				g = int32(len(nrep))
				m[k] = g
				nrep = append(nrep, i)
			}
			code[i] = g
		}
		rep = nrep
	}
	if len(rep) == 0 {
		return nil, fmt.Errorf("field \"by\": every row has a missing value in %v", by)
	}
	keys := make([][]string, len(rep))
	for g, i := range rep {
		parts := make([]string, len(cols))
		for j, c := range cols {
			parts[j] = c.Text(i)
		}
		keys[g] = parts
	}
	// Sort domains by key for a stable order.
	order := make([]int, len(keys))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool {
		ka, kb := keys[order[a]], keys[order[b]]
		for j := range ka {
			if ka[j] != kb[j] {
				return ka[j] < kb[j]
			}
		}
		return false
	})
	rank := make([]int32, len(keys))
	sorted := make([][]string, len(keys))
	for r, o := range order {
		rank[o] = int32(r)
		sorted[r] = keys[o]
	}
	out := make([]int, n)
	for i, c := range code {
		if c >= 0 {
			out[i] = int(rank[c])
		} else {
			out[i] = -1
		}
	}
	return &domains{cols: by, keys: sorted, groups: stats.Groups{Code: out, Len: len(keys)}}, nil
}
