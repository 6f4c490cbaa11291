package sampling

import (
	"fmt"
	"math/bits"
	"math/rand/v2"
	"slices"
	"strings"

	"manyi/survey"
)

// Case is one drawn unit.
type Case struct {
	Unit    int    // index into Frame.Units
	ID      string // the unit's id
	Stratum string
	// Batch is 0 for the main sample and 1, 2, … for the reserve batches.
	Batch int
	// Prob and Weight are the case's inclusion probability m/N_h and design
	// weight N_h/m once its batch is released, where m is the main sample
	// plus every reserve batch up to and including the case's own. For the
	// main sample that is n_h/N_h and N_h/n_h.
	Prob, Weight float64
}

// Sample is a stratified sample drawn by Draw. Cases are in stratum-name
// order, and within a stratum in the order drawn: the main sample, then
// reserve batch 1, batch 2, ….
type Sample struct {
	Seed    uint64
	Alloc   Allocation
	Cases   []Case
	Batches int // number of reserve batches
}

// Draw draws a stratified simple random sample without replacement from
// the frame, with the sizes of alloc, reproducibly from seed:
//
//  1. The units of each stratum are sorted by id (byte order of the UTF-8
//     id), so the result does not depend on the row order of the file or on
//     map iteration.
//  2. Each stratum gets its own generator: math/rand/v2's PCG (128-bit LCG
//     with the DXSM output function) seeded with (seed, FNV-1a-64 of the
//     stratum's name). A stratum's sample therefore depends only on the
//     seed, its name, its units and its sizes, not on the other strata.
//  3. A partial Fisher–Yates shuffle runs over the sorted ids for the first
//     n_h + r_h positions: for i = 0, 1, …, position i is swapped with
//     position i + U(N_h − i), where U(m) is uniform on [0, m) from Lemire's
//     multiply-and-reject method on PCG.Uint64 (implemented here, so the
//     sample does not depend on how a Go release implements Rand.IntN).
//  4. Positions [0, n_h) are the main sample; the following r_h positions
//     are the reserve, cut into batches 1, 2, … in order.
//
// Every subset of size n_h is equally likely, and the main sample plus the
// first b reserve batches is itself a simple random sample of its size:
// that is why Weights can recompute the weights on release. Draw fails when
// alloc does not match the frame (a stratum count differs, or the frame
// has a stratum the allocation lacks).
func Draw(frame *Frame, alloc Allocation, seed uint64) (*Sample, error) {
	pos := make(map[string]int, len(alloc.Strata))
	for i, s := range alloc.Strata {
		pos[s.Name] = i
	}
	units := frame.Units
	count := make([]int, len(alloc.Strata))
	which := make([]int32, len(frame.Units))
	for i := range frame.Units {
		h := StratumValue(&frame.Units[i], alloc.Stratum)
		k, ok := pos[h]
		if !ok {
			return nil, survey.Errorf(survey.EINVALID, "抽样框中的层“%s”不在分配表中", "stratum %q of the frame is not in the allocation", h)
		}
		which[i] = int32(k)
		count[k]++
	}
	// Sorting (id, index) pairs keeps the compared ids next to each other
	// in memory, which is what makes sorting a million of them fast.
	members := make([][]member, len(alloc.Strata))
	for k, s := range alloc.Strata {
		if count[k] != s.FrameN {
			return nil, survey.Errorf(survey.EINVALID, "层“%s”在抽样框中有 %d 个单位，分配表记为 %d", "stratum %q has %d units in the frame but %d in the allocation", s.Name, count[k], s.FrameN)
		}
		if s.SampleN+s.Reserve > s.FrameN {
			return nil, survey.Errorf(survey.EINVALID, "层“%s”的样本与预备样本共 %d 个，超过框数 %d", "stratum %q needs %d main and reserve cases but has %d units", s.Name, s.SampleN+s.Reserve, s.FrameN)
		}
		members[k] = make([]member, 0, count[k])
	}
	for i, k := range which {
		members[k] = append(members[k], member{units[i].ID, int32(i)})
	}
	batches := 0
	total := 0
	for _, s := range alloc.Strata {
		batches = max(batches, len(s.Batches))
		total += s.SampleN + s.Reserve
	}
	smp := &Sample{Seed: seed, Alloc: alloc, Batches: batches, Cases: make([]Case, 0, total)}
	for k, s := range alloc.Strata {
		m := members[k]
		slices.SortFunc(m, func(a, b member) int { return strings.Compare(a.id, b.id) })
		src := rand.NewPCG(seed, fnv1a64(s.Name))
		take := s.SampleN + s.Reserve
		for i := 0; i < take; i++ {
			j := i + int(uniform(src, uint64(len(m)-i)))
			m[i], m[j] = m[j], m[i]
		}
		i := 0
		add := func(n, batch, released int) {
			p := float64(released) / float64(s.FrameN)
			wt := float64(s.FrameN) / float64(released)
			for ; n > 0; n-- {
				u := m[i]
				smp.Cases = append(smp.Cases, Case{Unit: int(u.unit), ID: u.id, Stratum: s.Name, Batch: batch, Prob: p, Weight: wt})
				i++
			}
		}
		released := s.SampleN
		add(s.SampleN, 0, released)
		for b, n := range s.Batches {
			released += n
			add(n, b+1, released)
		}
	}
	return smp, nil
}

// member is a unit of a stratum being drawn.
type member struct {
	id   string
	unit int32
}

// uniform returns a uniform integer in [0, n) from src, by Lemire's
// multiply-and-reject ("Fast random integer generation in an interval",
// 2019): the high word of x·n for a 64-bit x, rejecting the few x whose low
// word falls below 2^64 mod n so every value is exactly equally likely.
func uniform(src *rand.PCG, n uint64) uint64 {
	if n == 0 {
		panic("sampling: uniform over an empty range")
	}
	hi, lo := bits.Mul64(src.Uint64(), n)
	if lo < n {
		thresh := -n % n
		for lo < thresh {
			hi, lo = bits.Mul64(src.Uint64(), n)
		}
	}
	return hi
}

// fnv1a64 is the 64-bit FNV-1a hash of s, the PCG stream of a stratum.
func fnv1a64(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// Design is a case's inclusion probability and design weight given the
// reserve batches released so far.
type Design struct {
	Released     bool
	Prob, Weight float64 // 0 when not released
}

// Weights returns, for each case of s in order, its inclusion probability
// and design weight when the main sample and reserve batches 1…released
// have been released. In a stratum with m_h = n_h + (sizes of the released
// batches) every released case has probability m_h/N_h and weight N_h/m_h,
// because the released cases together are a simple random sample of size
// m_h (see Draw); the weights of a stratum's released cases add up to N_h.
// Cases of batches not yet released get Released false and zeros. released
// is clamped to the number of batches; a negative value panics.
func Weights(s *Sample, released int) []Design {
	if released < 0 {
		panic(fmt.Sprintf("sampling: negative released batches %d", released))
	}
	by := make(map[string]int, len(s.Alloc.Strata))
	for _, st := range s.Alloc.Strata {
		by[st.Name] = released
	}
	return WeightsReleased(s, by)
}

// WeightsReleased is Weights with the number of released reserve batches
// given per stratum (a stratum missing from released has none out), for
// an office that releases a reserve batch in one district only. Each
// stratum's released cases are again a simple random sample of size m_h,
// so they get m_h/N_h and N_h/m_h and add up to N_h.
func WeightsReleased(s *Sample, released map[string]int) []Design {
	m := make(map[string]int, len(s.Alloc.Strata))
	for _, st := range s.Alloc.Strata {
		r := released[st.Name]
		if r < 0 {
			panic(fmt.Sprintf("sampling: negative released batches %d in stratum %q", r, st.Name))
		}
		n := st.SampleN
		for b := 0; b < r && b < len(st.Batches); b++ {
			n += st.Batches[b]
		}
		m[st.Name] = n
	}
	out := make([]Design, len(s.Cases))
	for i, c := range s.Cases {
		if c.Batch > released[c.Stratum] {
			continue
		}
		st := s.Alloc.Get(c.Stratum)
		mh := m[c.Stratum]
		out[i] = Design{Released: true, Prob: float64(mh) / float64(st.FrameN), Weight: float64(st.FrameN) / float64(mh)}
	}
	return out
}
