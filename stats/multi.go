package stats

import (
	"fmt"
	"math"
)

// maxAtoms bounds the joint cells IndexMulti shares its sums over; past
// it (groupings that cut the sample into many pieces) the groupings are
// computed one by one.
const maxAtoms = 64

// IndexMulti returns Index(items, gs[j]) for every grouping j, computed
// together: a results page asks the same index for many groupings (each
// district, gender, age band … against the rest of the city), and they
// all share one pass over the answers: one pass per item sums Σ w r_k s_k
// and Σ w r_k for every group of every grouping (the rows are cut into
// atoms, the joint cells of the groupings, to find a row's groups at
// once), and one more builds every grouping's z_i (see Index). The
// estimates are Index's bit for bit; the standard errors may differ in
// the last place (z is multiplied by c_k / Σ w r_k rather than divided
// by Σ w r_k). errs[j] is what
// Index(items, gs[j]) would return as error (out[j] is then nil). Designs
// with replicate weights, and groupings with more than 64 joint cells, are
// computed grouping by grouping with Index.
func (d *Design) IndexMulti(items []IndexItem, gs []Groups) (out [][]Estimate, errs []error) {
	if len(items) == 0 {
		panic("stats: Index needs items")
	}
	K := len(items)
	for k, it := range items {
		if len(it.Values) != d.n {
			panic(fmt.Sprintf("stats: index item %d has %d rows, want %d", k, len(it.Values), d.n))
		}
		if !(it.Max > it.Min) || !(it.Weight > 0) {
			panic(fmt.Sprintf("stats: index item %d needs Max > Min and Weight > 0", k))
		}
	}
	for _, g := range gs {
		g.check(d.n)
	}
	J := len(gs)
	out = make([][]Estimate, J)
	errs = make([]error, J)
	ap := getInt32s(d.n)
	defer putInt32s(ap)
	atom, groupOf, A := d.atoms(gs, *ap)
	if d.rep != nil || A == 0 || J < 2 {
		for j, g := range gs {
			out[j], errs[j] = d.Index(items, g)
		}
		return out, errs
	}
	n := d.n
	w := d.w[:n]
	// cellOf[a·J + j] is atom a's group in grouping j as a cell of the
	// concatenated groups of all groupings (−1: in none).
	off := make([]int, J+1)
	for j, g := range gs {
		off[j+1] = off[j] + g.Len
	}
	C := off[J]
	cellOf := make([]int32, A*J)
	for a := 0; a < A; a++ {
		for j := range gs {
			cellOf[a*J+j] = -1
			if gi := groupOf[j*A+a]; gi >= 0 {
				cellOf[a*J+j] = int32(off[j] + gi)
			}
		}
	}
	// Σ w r_k s_k and Σ w r_k of every cell: one pass per item for all
	// groupings. Each cell adds its rows in row order with the very terms
	// Index adds, so the sums (and the estimates) are Index's bit for bit.
	num := make([]float64, K*C)
	den := make([]float64, K*C)
	ab := getBools(n)
	defer putBools(ab)
	answered := *ab
	for k, it := range items {
		lo, hi, sc := it.Min, it.Max, 100/(it.Max-it.Min)
		y := it.Values[:n]
		numk, denk := num[k*C:k*C+C], den[k*C:k*C+C]
		for i, v := range y {
			if !(v >= lo && v <= hi) {
				continue
			}
			wi := w[i]
			x := wi * (v - lo) * sc
			cells := cellOf[int(atom[i])*J : int(atom[i])*J+J]
			for _, c := range cells {
				if c >= 0 {
					numk[c] += x
					denk[c] += wi
				}
			}
			if wi != 0 {
				answered[i] = true
			}
		}
	}
	nC := make([]int, C)
	wC := make([]float64, C)
	for i, ok := range answered {
		if !ok {
			continue
		}
		for _, c := range cellOf[int(atom[i])*J : int(atom[i])*J+J] {
			if c >= 0 {
				nC[c]++
				wC[c] += w[i]
			}
		}
	}
	// Each grouping's estimates, and its per-atom z coefficients:
	// z_i = Σ_k tA_k (s_ik − tR_k), tA = c_k / Σ w r_k of the row's group
	// (Index divides each term by Σ w r_k instead: a unit in the last
	// place of z at most).
	tA := make([]float64, K*A*J)
	tR := make([]float64, K*A*J)
	coef := make([]float64, K*C)
	for j, g := range gs {
		est := make([]Estimate, g.Len)
		for gi := range est {
			cell := off[j] + gi
			tw := 0.0
			for k, it := range items {
				if den[k*C+cell] > 0 {
					tw += it.Weight
				}
			}
			if tw == 0 {
				errs[j] = &EmptyDomainError{Group: gi}
				break
			}
			v := 0.0
			for k, it := range items {
				c := k*C + cell
				if den[c] > 0 {
					coef[c] = it.Weight / tw
					v += coef[c] * (num[c] / den[c])
				}
			}
			est[gi].Value = v
			est[gi].Deff = math.NaN()
			est[gi].N = nC[cell]
			est[gi].WSum = wC[cell]
		}
		if errs[j] != nil {
			continue
		}
		out[j] = est
		for a := 0; a < A; a++ {
			cell := cellOf[a*J+j]
			if cell < 0 {
				continue
			}
			for k := 0; k < K; k++ {
				c := k*C + int(cell)
				if coef[c] == 0 {
					continue
				}
				tA[(k*A+a)*J+j] = coef[c] / den[c]
				tR[(k*A+a)*J+j] = num[c] / den[c]
			}
		}
	}
	// Every grouping's z in one pass per item, row-major (J values a row).
	zb := getFloats(n * J)
	defer putFloats(zb)
	zz := *zb
	for k, it := range items {
		lo, hi, sc := it.Min, it.Max, 100/(it.Max-it.Min)
		y := it.Values[:n]
		for i, v := range y {
			if !(v >= lo && v <= hi) {
				continue
			}
			s := (v - lo) * sc
			c := (k*A + int(atom[i])) * J
			ta, tr := tA[c:c+J], tR[c:c+J]
			row := zz[i*J : i*J+J]
			for j := range row {
				row[j] += ta[j] * (s - tr[j])
			}
		}
	}
	zj := getFloats(n)
	defer putFloats(zj)
	z := *zj
	for j := range gs {
		if out[j] == nil {
			continue
		}
		for i := range z {
			z[i] = zz[i*J+j]
		}
		d.finishGroups(out[j], z, gs[j])
	}
	return out, errs
}

// atoms cuts the rows into the joint cells of the groupings (a row's
// "no group" counting as a cell of its own) in order of first appearance,
// and returns each row's atom, the group of every atom in every grouping
// (groupOf[j·A + a], −1 for none) and the number of atoms A; A is 0 when
// it would exceed maxAtoms.
func (d *Design) atoms(gs []Groups, atom []int32) ([]int32, []int, int) {
	n := d.n
	atom = atom[:n]
	A := 1
	remap := make([]int32, 0, (maxAtoms+1)*8)
	for _, g := range gs {
		if g.Code == nil {
			continue // every row in group 0: cuts nothing
		}
		if g.Len > maxAtoms {
			return nil, nil, 0 // every group is non-empty, or Index fails
		}
		L := g.Len + 1
		remap = remap[:0]
		for c := 0; c < A*L; c++ {
			remap = append(remap, -1)
		}
		next := int32(0)
		for i, c := range g.Code[:n] {
			key := int(atom[i])*L + c + 1
			a := remap[key]
			if a < 0 {
				if int(next) == maxAtoms {
					return nil, nil, 0
				}
				a = next
				remap[key] = a
				next++
			}
			atom[i] = a
		}
		A = int(next)
	}
	// One representative row per atom gives its group in each grouping.
	rep := make([]int, A)
	for a := range rep {
		rep[a] = -1
	}
	for i, a := range atom {
		if rep[a] < 0 {
			rep[a] = i
		}
	}
	groupOf := make([]int, len(gs)*A)
	for j, g := range gs {
		for a, i := range rep {
			groupOf[j*A+a] = g.of(i)
		}
	}
	return atom, groupOf, A
}
