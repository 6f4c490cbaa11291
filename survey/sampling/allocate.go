package sampling

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strings"

	"golang.org/x/text/width"

	"manyi/survey"
)

// Bounds a stratum's allocation can hit, shown in the allocation table.
const (
	BoundFloor = "floor" // raised to the plan's floor
	BoundCap   = "cap"   // lowered to the plan's cap
	BoundFrame = "frame" // takes every unit of the stratum
)

// StratumAllocation is one stratum's line of an Allocation.
type StratumAllocation struct {
	Name    string  // the stratum's value (a district)
	FrameN  int     // N_h, units in the frame
	Share   float64 // N_h / N
	Exact   float64 // the allocation before rounding to whole cases
	SampleN int     // n_h, main sample size
	Bound   string  // BoundFloor, BoundCap, BoundFrame or ""
	Reserve int     // reserve cases, round(reserve·n_h) at most N_h − n_h
	Batches []int   // reserve batch sizes, batch 1 first; they sum to Reserve
}

// Allocation is a plan applied to a frame's stratum counts: how many main
// and reserve cases each stratum gets. Strata are sorted by name.
type Allocation struct {
	Stratum string // the frame column of the strata
	Method  string // Proportional, Equal, Neyman or Fixed
	Total   int    // Σ n_h
	FrameN  int    // Σ N_h
	Floor   int
	Cap     int
	Reserve float64 // reserve share of the plan
	Strata  []StratumAllocation
}

// Get returns the stratum named h, or nil.
func (a *Allocation) Get(h string) *StratumAllocation {
	i, ok := slices.BinarySearchFunc(a.Strata, h, func(s StratumAllocation, h string) int { return strings.Compare(s.Name, h) })
	if !ok {
		return nil
	}
	return &a.Strata[i]
}

// Allocate spreads the plan's total over the strata in counts (stratum →
// N_h, the frame's units; see Frame.Counts).
//
// The methods give each stratum a weight w_h: Proportional N_h, Equal 1,
// Neyman N_h·S_h. Every stratum must also satisfy lo_h ≤ n_h ≤ hi_h with
// lo_h = min(floor, N_h) and hi_h = min(cap, N_h) (no cap: N_h). The exact
// allocation is x_h = clamp(λ·w_h, lo_h, hi_h) with λ chosen so that Σ x_h
// equals the total: this is what "fix the strata that hit their floor or
// cap and reallocate the rest in proportion, until none moves" converges
// to, computed here in one pass over the breakpoints of λ rather than by
// iterating. The parts are then rounded to whole cases by largest
// remainder: each stratum gets ⌊x_h⌋ and the cases left over go one each
// to the largest fractional parts, ties broken by stratum name, so the
// parts add up to the total and the result does not depend on map order.
//
// Fixed takes Sizes as they are, checked against the frame, the floor and
// the cap. Errors name the problem: a total above the frame, floors that
// need more than the total, caps that allow less, a stratum in sd or sizes
// that the frame does not have, a stratum missing from them.
func Allocate(plan Plan, counts map[string]int) (Allocation, error) {
	if err := plan.Validate(); err != nil {
		return Allocation{}, err
	}
	bad := func(zh, en string, args ...any) (Allocation, error) {
		return Allocation{}, survey.Errorf(survey.EINVALID, zh, en, args...)
	}
	names := make([]string, 0, len(counts))
	frameN := 0
	for h, n := range counts {
		if n < 0 {
			panic(fmt.Sprintf("sampling: negative count %d for stratum %q", n, h))
		}
		names = append(names, h)
		frameN += n
	}
	slices.Sort(names)
	if len(names) == 0 || frameN == 0 {
		return bad("抽样框为空，无法分配样本", "the frame is empty; there is nothing to allocate")
	}
	if plan.Stratum == StratumSectorDistrict {
		for _, h := range names {
			if _, _, ok := SplitSectorCell(h); !ok && counts[h] > 0 {
				return bad("抽样框中有 %d 个单位缺少行业或区县（格“%s”），无法按行业 × 区县分层", "%d units of the frame lack a sector or a district (cell %q), so they cannot be stratified by sector × district", counts[h], h)
			}
		}
	}
	if plan.Allocation == PerCell {
		return allocatePerCell(plan, counts, names, frameN)
	}
	for _, m := range []map[string]float64{plan.SD, intsToFloats(plan.Sizes)} {
		for _, h := range sortedKeys(m) {
			if _, ok := counts[h]; !ok {
				return bad("方案中的层“%s”在抽样框中不存在", "stratum %q in the plan is not in the frame", h)
			}
		}
	}
	a := Allocation{Stratum: plan.StratumColumn(), Method: plan.Allocation, FrameN: frameN,
		Floor: plan.Floor, Cap: plan.Cap, Reserve: plan.Reserve}
	a.Strata = make([]StratumAllocation, len(names))
	lo := make([]float64, len(names))
	hi := make([]float64, len(names))
	w := make([]float64, len(names))
	sumLo, sumHi := 0, 0
	for i, h := range names {
		N := counts[h]
		a.Strata[i] = StratumAllocation{Name: h, FrameN: N, Share: float64(N) / float64(frameN)}
		l, u := min(plan.Floor, N), N
		if plan.Cap > 0 {
			u = min(plan.Cap, N)
		}
		lo[i], hi[i] = float64(l), float64(u)
		sumLo += l
		sumHi += u
		switch plan.Allocation {
		case Proportional:
			w[i] = float64(N)
		case Equal:
			w[i] = 1
		case Neyman:
			s, ok := plan.SD[h]
			if !ok && N > 0 {
				return bad("neyman 分配缺少层“%s”的 sd", "neyman allocation has no sd for stratum %q", h)
			}
			w[i] = float64(N) * s
		case Fixed:
			n, ok := plan.Sizes[h]
			if !ok {
				return bad("fixed 分配缺少层“%s”的样本量（不抽样请写 0）", "fixed allocation has no size for stratum %q (write 0 to leave it out)", h)
			}
			switch {
			case n > N:
				return bad("层“%[2]s”的样本量 %[1]d 超过其抽样框数 %[3]d", "size %d of stratum %q is above its frame count %d", n, h, N)
			case n < l:
				return bad("层“%[2]s”的样本量 %[1]d 低于 floor %[3]d", "size %d of stratum %q is below the floor %d", n, h, l)
			case n > u:
				return bad("层“%[2]s”的样本量 %[1]d 高于 cap %[3]d", "size %d of stratum %q is above the cap %d", n, h, u)
			}
			a.Strata[i].Exact, a.Strata[i].SampleN = float64(n), n
			a.Total += n
			if n == N && n > 0 {
				a.Strata[i].Bound = BoundFrame
			}
		}
	}
	if plan.Allocation != Fixed {
		T := plan.Total
		switch {
		case T > frameN:
			return bad("总样本量 %d 超过抽样框总数 %d", "total %d is above the frame's %d units", T, frameN)
		case T < sumLo:
			return bad("总样本量 %d 小于各层下限之和 %d（%d 层 × floor %d，框数不足 floor 的层取全部）", "total %d is below the sum of the floors, %d (%d strata × floor %d, strata smaller than the floor taken whole)", T, sumLo, len(names), plan.Floor)
		case T > sumHi:
			return bad("总样本量 %d 大于各层上限之和 %d（%d 层 × cap %d，框数不足 cap 的层取全部）", "total %d is above the sum of the caps, %d (%d strata × cap %d, strata smaller than the cap taken whole)", T, sumHi, len(names), plan.Cap)
		}
		if plan.Allocation == Neyman {
			// A stratum with S_h = 0 has weight 0 and stays at its floor.
			reach := 0
			for i := range w {
				if w[i] > 0 {
					reach += int(hi[i])
				} else {
					reach += int(lo[i])
				}
			}
			if T > reach {
				return bad("neyman 分配中 sd 为 0 的层只取下限，总样本量 %d 无法达到（最多 %d）", "with neyman allocation strata whose sd is 0 get only their floor, so the total %d cannot be reached (at most %d)", T, reach)
			}
		}
		x, lambda := clampSolve(float64(T), lo, hi, w)
		n := roundLargestRemainder(T, x, lo, hi)
		for i := range a.Strata {
			s := &a.Strata[i]
			s.Exact, s.SampleN = x[i], n[i]
			v := lambda * w[i]
			switch {
			case s.FrameN > 0 && s.SampleN == s.FrameN && v >= float64(s.FrameN):
				s.Bound = BoundFrame
			case plan.Cap > 0 && v > hi[i]:
				s.Bound = BoundCap
			case plan.Floor > 0 && v < lo[i] && lo[i] == float64(s.FrameN):
				s.Bound = BoundFrame
			case plan.Floor > 0 && v < lo[i]:
				s.Bound = BoundFloor
			}
		}
		a.Total = T
	}
	for i := range a.Strata {
		s := &a.Strata[i]
		s.Reserve = min(int(math.Round(plan.Reserve*float64(s.SampleN))), s.FrameN-s.SampleN)
		s.Batches = splitBatches(s.Reserve, plan.batches())
	}
	return a, nil
}

// allocatePerCell is Allocate for PerCell. A cell of a sector without a
// total gets n_h = min(PerCell, N_h) (BoundFrame when N_h ≤ PerCell; floor
// and cap do not apply to it). A sector with a total T_s in SectorTotals
// spreads T_s over its cells as Proportional does over strata: x_h =
// clamp(λ_s·N_h, lo_h, hi_h) with Σ x_h = T_s, rounded by largest
// remainder, lo_h and hi_h from the floor and cap. The plan's Total, when
// not 0, must equal the sum.
func allocatePerCell(plan Plan, counts map[string]int, names []string, frameN int) (Allocation, error) {
	bad := func(zh, en string, args ...any) (Allocation, error) {
		return Allocation{}, survey.Errorf(survey.EINVALID, zh, en, args...)
	}
	a := Allocation{Stratum: plan.StratumColumn(), Method: plan.Allocation, FrameN: frameN,
		Floor: plan.Floor, Cap: plan.Cap, Reserve: plan.Reserve}
	a.Strata = make([]StratumAllocation, len(names))
	bySector := map[string][]int{}
	for i, h := range names {
		N := counts[h]
		a.Strata[i] = StratumAllocation{Name: h, FrameN: N, Share: float64(N) / float64(frameN)}
		sector, _, _ := SplitSectorCell(h)
		bySector[sector] = append(bySector[sector], i)
	}
	for _, sec := range sortedKeys(plan.SectorTotals) {
		if _, ok := bySector[sec]; !ok {
			return bad("sector_totals 中的行业“%s”在抽样框中没有单位", "sector_totals: sector %q has no units in the frame", sec)
		}
	}
	for _, sec := range sortedKeys(bySector) {
		cells := bySector[sec]
		T, ok := plan.SectorTotals[sec]
		if !ok {
			for _, i := range cells {
				s := &a.Strata[i]
				s.SampleN = min(plan.PerCell, s.FrameN)
				s.Exact = float64(s.SampleN)
				if s.FrameN <= plan.PerCell {
					s.Bound = BoundFrame
				}
			}
			continue
		}
		lo := make([]float64, len(cells))
		hi := make([]float64, len(cells))
		w := make([]float64, len(cells))
		sumN, sumLo, sumHi := 0, 0, 0
		for k, i := range cells {
			N := a.Strata[i].FrameN
			l, u := min(plan.Floor, N), N
			if plan.Cap > 0 {
				u = min(plan.Cap, N)
			}
			lo[k], hi[k], w[k] = float64(l), float64(u), float64(N)
			sumN += N
			sumLo += l
			sumHi += u
		}
		switch {
		case T > sumN:
			return bad("sector_totals 中行业“%[2]s”的样本量 %[1]d 超过其抽样框数 %[3]d", "sector_totals: the total %d of sector %q is above its %d units in the frame", T, sec, sumN)
		case T < sumLo:
			return bad("sector_totals 中行业“%[2]s”的样本量 %[1]d 小于其各格下限之和 %[3]d", "sector_totals: the total %d of sector %q is below the sum of its cells' floors, %d", T, sec, sumLo)
		case T > sumHi:
			return bad("sector_totals 中行业“%[2]s”的样本量 %[1]d 大于其各格上限之和 %[3]d", "sector_totals: the total %d of sector %q is above the sum of its cells' caps, %d", T, sec, sumHi)
		}
		x, lambda := clampSolve(float64(T), lo, hi, w)
		n := roundLargestRemainder(T, x, lo, hi)
		for k, i := range cells {
			s := &a.Strata[i]
			s.Exact, s.SampleN = x[k], n[k]
			v := lambda * w[k]
			switch {
			case s.SampleN == s.FrameN && v >= float64(s.FrameN):
				s.Bound = BoundFrame
			case plan.Cap > 0 && v > hi[k]:
				s.Bound = BoundCap
			case plan.Floor > 0 && v < lo[k] && lo[k] == float64(s.FrameN):
				s.Bound = BoundFrame
			case plan.Floor > 0 && v < lo[k]:
				s.Bound = BoundFloor
			}
		}
	}
	for i := range a.Strata {
		s := &a.Strata[i]
		a.Total += s.SampleN
		s.Reserve = min(int(math.Round(plan.Reserve*float64(s.SampleN))), s.FrameN-s.SampleN)
		s.Batches = splitBatches(s.Reserve, plan.batches())
	}
	if plan.Total != 0 && plan.Total != a.Total {
		return bad("total（%d）与按格分配之和（%d）不等（per_cell 分配可不填 total）", "total (%d) differs from the sum over the cells (%d) (per_cell allocation may leave total out)", plan.Total, a.Total)
	}
	return a, nil
}

// clampSolve returns x_h = clamp(λ·w_h, lo_h, hi_h) with Σ x_h = T, and λ.
// f(λ) = Σ clamp(λ·w_h, lo_h, hi_h) is continuous, non-decreasing and
// linear between the breakpoints lo_h/w_h and hi_h/w_h, so λ is found by
// locating T between two breakpoints and interpolating. The caller ensures
// Σ lo ≤ T ≤ Σ hi. Strata at a bound get their bound exactly.
func clampSolve(T float64, lo, hi, w []float64) ([]float64, float64) {
	f := func(l float64) float64 {
		s := 0.0
		for i := range w {
			s += min(max(l*w[i], lo[i]), hi[i])
		}
		return s
	}
	bps := []float64{0}
	for i := range w {
		if w[i] > 0 {
			bps = append(bps, lo[i]/w[i], hi[i]/w[i])
		}
	}
	slices.Sort(bps)
	lambda := bps[len(bps)-1]
	prev, fprev := 0.0, f(0)
	if fprev < T {
		for _, b := range bps[1:] {
			fb := f(b)
			if fb >= T {
				if fb > fprev {
					lambda = prev + (T-fprev)*(b-prev)/(fb-fprev)
				} else {
					lambda = b
				}
				break
			}
			prev, fprev = b, fb
		}
	} else {
		lambda = 0
	}
	x := make([]float64, len(w))
	for i := range w {
		v := lambda * w[i]
		switch {
		case v <= lo[i]:
			x[i] = lo[i]
		case v >= hi[i]:
			x[i] = hi[i]
		default:
			x[i] = v
		}
	}
	return x, lambda
}

// roundLargestRemainder rounds x to integers within [lo, hi] summing to T:
// floors first, then one more case to each of the largest fractional parts
// (ties by index, which is stratum-name order).
func roundLargestRemainder(T int, x, lo, hi []float64) []int {
	n := make([]int, len(x))
	frac := make([]float64, len(x))
	left := T
	for i, v := range x {
		b := math.Floor(v)
		b = min(max(b, lo[i]), hi[i])
		n[i] = int(b)
		frac[i] = v - b
		left -= n[i]
	}
	order := make([]int, len(x))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		switch {
		case frac[a] > frac[b]:
			return -1
		case frac[a] < frac[b]:
			return 1
		}
		return a - b
	})
	for left > 0 {
		moved := false
		for _, i := range order {
			if left == 0 {
				break
			}
			if float64(n[i]) < hi[i] {
				n[i]++
				left--
				moved = true
			}
		}
		if !moved {
			panic("sampling: cannot round allocation to the total")
		}
	}
	for left < 0 { // only after floating error; take from the smallest parts
		moved := false
		for k := len(order) - 1; k >= 0 && left < 0; k-- {
			if i := order[k]; float64(n[i]) > lo[i] {
				n[i]--
				left++
				moved = true
			}
		}
		if !moved {
			panic("sampling: cannot round allocation to the total")
		}
	}
	return n
}

// splitBatches splits r reserve cases into b batches as evenly as possible,
// the earlier batches taking the odd cases.
func splitBatches(r, b int) []int {
	out := make([]int, b)
	for i := range out {
		out[i] = r / b
		if i < r%b {
			out[i]++
		}
	}
	return out
}

func intsToFloats(m map[string]int) map[string]float64 {
	out := make(map[string]float64, len(m))
	for k, v := range m {
		out[k] = float64(v)
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// WriteTable writes the allocation as an aligned text table, one line per
// stratum and a total line: stratum, N_h, share of the frame, exact
// allocation, n_h, reserve (with its batches) and the bound hit, if any.
// Column heads are Chinese and English; Chinese characters count two
// columns wide, as a terminal shows them.
func WriteTable(w io.Writer, a Allocation) error {
	rows := [][]string{{"层 stratum", "N", "占比 share", "精确 exact", "n", "预备 reserve", "约束 bound"}}
	reserve := 0
	for _, s := range a.Strata {
		rows = append(rows, []string{s.Name, fmt.Sprint(s.FrameN), fmt.Sprintf("%.1f%%", 100*s.Share),
			fmt.Sprintf("%.2f", s.Exact), fmt.Sprint(s.SampleN), fmt.Sprintf("%d %s", s.Reserve, batchList(s.Batches)), boundLabel(s.Bound)})
		reserve += s.Reserve
	}
	rows = append(rows, []string{"合计 total", fmt.Sprint(a.FrameN), "100.0%", fmt.Sprintf("%.2f", float64(a.Total)), fmt.Sprint(a.Total), fmt.Sprint(reserve), ""})
	widths := make([]int, len(rows[0]))
	for _, r := range rows {
		for j, c := range r {
			widths[j] = max(widths[j], displayWidth(c))
		}
	}
	var b strings.Builder
	for _, r := range rows {
		var line strings.Builder
		for j, c := range r {
			pad := strings.Repeat(" ", widths[j]-displayWidth(c))
			switch {
			case j == 0:
				line.WriteString(c + pad)
			case j == len(r)-1:
				line.WriteString("  " + c)
			default:
				line.WriteString("  " + pad + c)
			}
		}
		b.WriteString(strings.TrimRight(line.String(), " ") + "\n")
	}
	fmt.Fprintf(&b, "分配 allocation: %s; floor %d; cap %s; reserve %g\n", a.Method, a.Floor, capLabel(a.Cap), a.Reserve)
	_, err := io.WriteString(w, b.String())
	return err
}

// displayWidth counts East Asian wide and full-width runes as two columns.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		switch width.LookupRune(r).Kind() {
		case width.EastAsianWide, width.EastAsianFullwidth:
			n += 2
		default:
			n++
		}
	}
	return n
}

func batchList(b []int) string {
	parts := make([]string, len(b))
	for i, n := range b {
		parts[i] = fmt.Sprint(n)
	}
	return "(" + strings.Join(parts, "+") + ")"
}

func boundLabel(b string) string {
	switch b {
	case BoundFloor:
		return "下限 floor"
	case BoundCap:
		return "上限 cap"
	case BoundFrame:
		return "全取 whole frame"
	}
	return "-"
}

func capLabel(c int) string {
	if c == 0 {
		return "none"
	}
	return fmt.Sprint(c)
}
