package stats

import (
	"math/bits"
	"sync"
)

// Scratch buffers. A results page asks hundreds of domain estimates of one
// 20,000-row design; each needs a row-length linearized variable that it
// drops at once and keeps a unit-length vector of linearized totals (for
// contrasts) that its caller often drops soon after. Reusing them spares
// the allocator, the page-zeroing and the garbage collector most of that
// traffic. Float buffers are pooled by capacity class (powers of two) so
// that a buffer taken from the pool is always large enough.
var (
	floatPools [64]sync.Pool // *[]float64, cap 1<<class
	boolPool   sync.Pool     // *[]bool
	int32Pool  sync.Pool     // *[]int32
)

// getInt32s returns a zeroed []int32 of length n from the pool.
func getInt32s(n int) *[]int32 {
	if p, ok := int32Pool.Get().(*[]int32); ok && cap(*p) >= n {
		*p = (*p)[:n]
		clear(*p)
		return p
	}
	s := make([]int32, n)
	return &s
}

// putInt32s returns a buffer from getInt32s to the pool.
func putInt32s(p *[]int32) { int32Pool.Put(p) }

// getFloats returns a zeroed []float64 of length n, pooled or new.
func getFloats(n int) *[]float64 {
	c := bits.Len(uint(max(n, 1) - 1))
	if p, ok := floatPools[c].Get().(*[]float64); ok {
		*p = (*p)[:n]
		clear(*p)
		return p
	}
	s := make([]float64, n, 1<<c)
	return &s
}

// putFloats hands a buffer from getFloats back for reuse; nothing may use
// it afterwards.
func putFloats(p *[]float64) {
	c := bits.Len(uint(max(cap(*p), 1) - 1))
	if cap(*p) != 1<<c {
		return // not from getFloats
	}
	floatPools[c].Put(p)
}

// getBools returns a zeroed []bool of length n from the pool.
func getBools(n int) *[]bool {
	if p, ok := boolPool.Get().(*[]bool); ok && cap(*p) >= n {
		*p = (*p)[:n]
		clear(*p)
		return p
	}
	s := make([]bool, n)
	return &s
}

// putBools returns a buffer from getBools to the pool.
func putBools(p *[]bool) { boolPool.Put(p) }

// Recycle hands the memory of estimates back for reuse by later
// estimates. Call it only when neither these Estimates nor any copy of
// them will be used again, not even through Combine or Contrast: their
// linearized totals may then be overwritten. Estimates that share memory
// (the domains of one call) must be recycled together, in one call, once.
// Recycling is optional; it saves a results page most of its garbage.
func Recycle(es ...Estimate) {
	for k := range es {
		p := es[k].slab
		if p == nil {
			continue
		}
		dup := false
		for j := 0; j < k; j++ {
			if es[j].slab == p {
				dup = true
				break
			}
		}
		if !dup {
			putFloats(p)
		}
	}
}
