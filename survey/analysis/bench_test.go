package analysis

import (
	"syscall"
	"testing"
	"time"
)

// cpuTime returns the process's user + system CPU time: on a shared
// machine it says more than the wall clock does.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// loop runs f b.N times and reports its CPU milliseconds per run.
func loop[T any](b *testing.B, f func() (T, error)) {
	b.Helper()
	start := cpuTime()
	n := 0
	for b.Loop() {
		if _, err := f(); err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.ReportMetric(float64(cpuTime()-start)/float64(time.Millisecond)/float64(n), "cpu-ms/op")
}

// BenchmarkResults20k times the whole results page for 20,000 responses:
// weighting (raking to district and gender × age band), every index, the
// five group breakdowns of the overall index, the domains and the overall
// item with each group's contrast against the rest of the city, the
// awareness indicators, the drivers and the change on last year (20,000
// responses too). "prev-cached" reuses last year's Results, as a page
// would; "prev-computed" weights and estimates last year every time.
func BenchmarkResults20k(b *testing.B) {
	ds := Simulate(SimOptions{N: 20000, Seed: 1})
	prev := &Previous{Dataset: Simulate(SimOptions{N: 20000, Seed: 2, Shift: -0.2}), Spec: DefaultWeightingSpec()}
	last, err := Compute(prev.Dataset, prev.Spec, Options{})
	if err != nil {
		b.Fatal(err)
	}
	run := func(opt Options) func() (*Results, error) {
		return func() (*Results, error) { return Compute(ds, DefaultWeightingSpec(), opt) }
	}
	b.Run("prev-cached", func(b *testing.B) { loop(b, run(Options{PrevResults: last})) })
	b.Run("prev-computed", func(b *testing.B) { loop(b, run(Options{Prev: prev})) })
	b.Run("group-items", func(b *testing.B) { loop(b, run(Options{PrevResults: last, GroupItems: true})) })
	cache := NewCache(4)
	if _, err := cache.Get("demo-2026/v1/raking/equal", run(Options{PrevResults: last})); err != nil {
		b.Fatal(err)
	}
	b.Run("cached", func(b *testing.B) {
		loop(b, func() (*Results, error) {
			return cache.Get("demo-2026/v1/raking/equal", run(Options{PrevResults: last}))
		})
	})
}
