package stats

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
)

func bootstrapPLS(x [][]float64, w []float64, m PLSModel, des PLSDesign, o PLSBootOptions) (*PLSBoot, error) {
	spec, err := compilePLS(len(x), m)
	if err != nil {
		return nil, err
	}
	n := plsRows(x, spec)
	if w != nil && len(w) != n {
		panic(fmt.Sprintf("stats: BootstrapPLS: %d weights for %d rows", len(w), n))
	}
	if (des.Strata != nil && len(des.Strata) != n) || (des.PSU != nil && len(des.PSU) != n) {
		panic("stats: BootstrapPLS: strata or PSU codes have the wrong number of rows")
	}
	if o.Reps < 2 {
		return nil, fmt.Errorf("the bootstrap needs at least 2 replicates, not %d", o.Reps)
	}
	if o.Level == 0 {
		o.Level = 0.95
	}
	if !(o.Level > 0 && o.Level < 1) {
		return nil, fmt.Errorf("interval level %g is not between 0 and 1", o.Level)
	}
	workers := o.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, o.Reps)
	d, err := preparePLS(x, w, spec, n)
	if err != nil {
		return nil, err
	}
	mo := d.moments(nil)
	core, err := spec.fit(mo)
	if err != nil {
		return nil, err
	}
	full, err := spec.result(d, mo, core)
	if err != nil {
		return nil, err
	}
	unit, strata := plsUnits(n, des)

	withIndex := spec.m.IndexScale != [2]float64{}
	lay := spec.bootLayout(withIndex)
	est := spec.bootValues(core, full.Indices, lay)
	vals := make([][]float64, o.Reps)
	// With few PSUs each is summed once; a replicate then only weighs the
	// PSU sums. With many (single interviews) a replicate sums its rows.
	var unitSums []*plsSums
	if len(unit) <= n/4 {
		unitSums = make([]*plsSums, len(unit))
		var buf plsBuf
		for u, rows := range unit {
			unitSums[u] = d.sumRows(rows, nil, &buf)
		}
	}
	var isums *plsIndexSums
	if unitSums != nil && withIndex && d.missing {
		isums = d.indexSums(spec, unit)
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mult []float64
			if unitSums == nil {
				mult = make([]float64, n)
			}
			um := make([]float64, len(unit))
			var buf plsBuf
			tot := d.newSums()
			for {
				r := int(next.Add(1) - 1)
				if r >= o.Reps {
					return
				}
				drawPSUs(rand.New(rand.NewPCG(o.Seed, uint64(r))), strata, um)
				if mult != nil {
					for u, rows := range unit {
						for _, i := range rows {
							mult[i] = um[u]
						}
					}
				}
				var sm *plsSums
				if unitSums != nil {
					tot.reset()
					for u, f := range um {
						if f != 0 {
							tot.add(f, unitSums[u])
						}
					}
					sm = tot
				} else {
					sm = d.sumRows(nil, mult, &buf)
				}
				mo := d.finish(sm)
				c, err := spec.fit(mo)
				if err != nil {
					continue
				}
				var idx []float64
				if withIndex {
					// NaN for a block with a non-positive weight in this
					// replicate; its index statistic leaves the replicate out.
					switch {
					case isums != nil:
						idx, _ = isums.index(d, spec, c.w, um, spec.m.IndexScale[0], spec.m.IndexScale[1])
					case d.missing:
						idx, _ = d.index(spec, c.w, mult, spec.m.IndexScale[0], spec.m.IndexScale[1])
					default:
						idx, _ = d.indexFromMeans(spec, c.w, mo.shift, spec.m.IndexScale[0], spec.m.IndexScale[1])
					}
				}
				vals[r] = spec.bootValues(c, idx, lay)
			}
		}()
	}
	wg.Wait()
	bt := &PLSBoot{Reps: o.Reps, Level: o.Level}
	for _, v := range vals {
		if v == nil {
			bt.Failed++
		}
	}
	if bt.Failed > o.Reps-2 {
		return nil, errors.New("the bootstrap failed: fewer than 2 replicates could be fitted")
	}
	stat := func(k int) PLSBootStat {
		st := PLSBootStat{Estimate: est[k]}
		for _, v := range vals {
			if v != nil && !math.IsNaN(v[k]) {
				st.Reps = append(st.Reps, v[k])
			}
		}
		if len(st.Reps) < 2 {
			st.SE, st.Lo, st.Hi = math.NaN(), math.NaN(), math.NaN()
			return st
		}
		var mean float64
		for _, v := range st.Reps {
			mean += v
		}
		mean /= float64(len(st.Reps))
		var ss float64
		for _, v := range st.Reps {
			ss += (v - mean) * (v - mean)
		}
		st.SE = math.Sqrt(ss / float64(len(st.Reps)-1))
		sorted := slices.Clone(st.Reps)
		slices.Sort(sorted)
		a := (1 - o.Level) / 2
		st.Lo, st.Hi = quantile7(sorted, a), quantile7(sorted, 1-a)
		return st
	}
	nb := spec.nb
	for k := range spec.m.Paths {
		bt.Paths = append(bt.Paths, stat(lay.paths+k))
	}
	bt.TotalEffects = make([][]PLSBootStat, nb)
	for t := 0; t < nb; t++ {
		bt.TotalEffects[t] = make([]PLSBootStat, nb)
		for f := 0; f < nb; f++ {
			bt.TotalEffects[t][f] = stat(lay.total + t*nb + f)
		}
	}
	bt.OuterWeights = make([][]PLSBootStat, nb)
	bt.Loadings = make([][]PLSBootStat, nb)
	for b := 0; b < nb; b++ {
		bt.R2 = append(bt.R2, stat(lay.r2+b))
		for j := spec.off[b]; j < spec.off[b+1]; j++ {
			bt.OuterWeights[b] = append(bt.OuterWeights[b], stat(lay.weights+j))
			bt.Loadings[b] = append(bt.Loadings[b], stat(lay.loadings+j))
		}
		if withIndex {
			bt.Index = append(bt.Index, stat(lay.index+b))
		}
	}
	return bt, nil
}

// plsUnits groups the rows into PSUs (unit[u] lists the rows of PSU u) and
// the PSUs into strata.
func plsUnits(n int, des PLSDesign) (unit [][]int, strata [][]int) {
	type key struct{ h, c int }
	uid := map[key]int{}
	hid := map[int]int{}
	for i := 0; i < n; i++ {
		k := key{0, i}
		if des.Strata != nil {
			k.h = des.Strata[i]
		}
		if des.PSU != nil {
			k.c = des.PSU[i]
		}
		u, ok := uid[k]
		if !ok {
			u = len(unit)
			uid[k] = u
			unit = append(unit, nil)
			h, ok := hid[k.h]
			if !ok {
				h = len(strata)
				hid[k.h] = h
				strata = append(strata, nil)
			}
			strata[h] = append(strata[h], u)
		}
		unit[u] = append(unit[u], i)
	}
	return unit, strata
}

// plsIndexSums lets a pairwise replicate's index come from PSU sums: a
// row that answered every item of a block scores a linear combination of
// its answers, so per PSU and block the weight and the weighted answer sums
// of such rows suffice; the other rows are kept one by one.
type plsIndexSums struct {
	w    []float64 // [unit*nb + b]: Σw over the unit's rows complete in block b
	x    []float64 // [unit*p + j]: Σw·x_j (items' scale) over the unit's rows complete in j's block
	part []plsPartRow
	vals []float64 // the answers of the partial rows' blocks (items' scale, NaN missing), in part order
}

// plsPartRow is a row with some but not all of block b answered; its
// answers are vals[at : at+len(block)], kept together for the cache.
type plsPartRow struct {
	w       float64 // the row's weight
	unit, b int
	at      int
}

func (d *plsData) indexSums(s *plsSpec, unit [][]int) *plsIndexSums {
	nb, p := s.nb, s.p
	is := &plsIndexSums{w: make([]float64, len(unit)*nb), x: make([]float64, len(unit)*p)}
	for u, rows := range unit {
		for _, i := range rows {
			row := d.v[i*p : i*p+p]
			for b := 0; b < nb; b++ {
				na := 0
				for j := s.off[b]; j < s.off[b+1]; j++ {
					if math.IsNaN(row[j]) {
						na++
					}
				}
				switch na {
				case 0:
					is.w[u*nb+b] += d.w[i]
					for j := s.off[b]; j < s.off[b+1]; j++ {
						is.x[u*p+j] += d.w[i] * (row[j] + d.mean[j])
					}
				case s.off[b+1] - s.off[b]:
					// no answer: scores the mean, left out
				default:
					is.part = append(is.part, plsPartRow{w: d.w[i], unit: u, b: b, at: len(is.vals)})
					for j := s.off[b]; j < s.off[b+1]; j++ {
						is.vals = append(is.vals, row[j]+d.mean[j])
					}
				}
			}
		}
	}
	return is
}

// index is plsData.index for PSU multiplicities um.
func (is *plsIndexSums) index(d *plsData, s *plsSpec, w, um []float64, lo, hi float64) ([]float64, error) {
	nb, p := s.nb, s.p
	rw, err := d.indexWeights(s, w)
	sum := make([]float64, nb)
	den := make([]float64, nb)
	for u, f := range um {
		if f == 0 {
			continue
		}
		for b := 0; b < nb; b++ {
			den[b] += f * is.w[u*nb+b]
			var y float64
			for j := s.off[b]; j < s.off[b+1]; j++ {
				y += rw[j] * is.x[u*p+j]
			}
			sum[b] += f * y
		}
	}
	for _, pr := range is.part {
		f := um[pr.unit] * pr.w
		if f == 0 {
			continue
		}
		lo := s.off[pr.b]
		var y, got float64
		for k, v := range is.vals[pr.at : pr.at+s.off[pr.b+1]-lo] {
			if v == v { // answered
				y += rw[lo+k] * v
				got += rw[lo+k]
			}
		}
		sum[pr.b] += f * y / got
		den[pr.b] += f
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

// drawPSUs sets um[u] to the times PSU u is drawn when each stratum
// draws as many PSUs as it has, with replacement.
func drawPSUs(rng *rand.Rand, strata [][]int, um []float64) {
	clear(um)
	for _, us := range strata {
		for range us {
			um[us[rng.IntN(len(us))]]++
		}
	}
}

// plsBootLayout places the statistics of one replicate in a flat vector.
type plsBootLayout struct {
	paths, total, r2, weights, loadings, index, len int
}

func (s *plsSpec) bootLayout(withIndex bool) plsBootLayout {
	var l plsBootLayout
	l.paths = 0
	l.total = len(s.m.Paths)
	l.r2 = l.total + s.nb*s.nb
	l.weights = l.r2 + s.nb
	l.loadings = l.weights + s.p
	l.index = l.loadings + s.p
	l.len = l.index
	if withIndex {
		l.len += s.nb
	}
	return l
}

func (s *plsSpec) bootValues(c *plsCore, idx []float64, l plsBootLayout) []float64 {
	nb := s.nb
	v := make([]float64, l.len)
	for k, pa := range s.m.Paths {
		v[l.paths+k] = c.path[pa[1]*nb+pa[0]]
	}
	copy(v[l.total:], s.totalEffects(c.path))
	copy(v[l.r2:], c.r2)
	copy(v[l.weights:], c.w)
	for b := 0; b < nb; b++ {
		for j := s.off[b]; j < s.off[b+1]; j++ {
			v[l.loadings+j] = c.sw[j*nb+b] / math.Sqrt(c.s[j*s.p+j])
		}
	}
	copy(v[l.index:], idx)
	return v
}

// quantile7 is R's quantile(type = 7) of sorted values.
func quantile7(sorted []float64, q float64) float64 {
	h := float64(len(sorted)-1) * q
	lo := math.Floor(h)
	i := int(lo)
	if i+1 >= len(sorted) {
		return sorted[len(sorted)-1]
	}
	return sorted[i] + (h-lo)*(sorted[i+1]-sorted[i])
}
