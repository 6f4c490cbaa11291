package stats

import (
	"math"
	"math/rand/v2"
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

// pageDesign is a results-page-shaped problem: 20,000 respondents who are
// each their own PSU in 6 district strata, raked to district and gender ×
// age band, 22 items on 1–10 with 5% nonresponse, and the in/out groupings
// of the 6 districts (each district against the rest of the city).
func pageDesign(tb testing.TB) (*Design, []IndexItem, []Groups) {
	tb.Helper()
	const n, H, K = 20000, 6, 22
	rng := rand.New(rand.NewPCG(5, 20000))
	strata := make([]int, n)
	w := make([]float64, n)
	cell := make([]int, n)
	for i := range strata {
		strata[i] = i % H
		w[i] = 50 + 100*rng.Float64()
		cell[i] = rng.IntN(8)
	}
	d, err := NewDesign(DesignSpec{Strata: strata, Weights: w})
	if err != nil {
		tb.Fatal(err)
	}
	distTot := make([]float64, H)
	cellTot := make([]float64, 8)
	for i := range w {
		distTot[strata[i]] += w[i] * 1.1
		cellTot[cell[i]] += w[i] * 1.1
	}
	d, err = d.Calibrate(Calibration{Method: Raking, Margins: []Margin{
		{Name: "district", Cells: strata, Labels: []string{"1", "2", "3", "4", "5", "6"}, Totals: distTot},
		{Name: "cell", Cells: cell, Labels: []string{"1", "2", "3", "4", "5", "6", "7", "8"}, Totals: cellTot},
	}})
	if err != nil {
		tb.Fatal(err)
	}
	items := make([]IndexItem, K)
	for k := range items {
		y := make([]float64, n)
		for i := range y {
			switch r := rng.Float64(); {
			case r < 0.025:
				y[i] = math.NaN()
			case r < 0.05:
				y[i] = 99
			default:
				y[i] = float64(1 + rng.IntN(10))
			}
		}
		items[k] = IndexItem{Values: y, Weight: 1, Min: 1, Max: 10}
	}
	gs := make([]Groups, H)
	for h := range gs {
		code := make([]int, n)
		for i := range code {
			if strata[i] != h {
				code[i] = 1
			}
		}
		gs[h] = Groups{Code: code, Len: 2}
	}
	return d, items, gs
}

// BenchmarkIndexInOut20k times what a results page asks most often: the
// index of 22 items for each of 6 districts against the rest of the city,
// with the in − out contrast.
func BenchmarkIndexInOut20k(b *testing.B) {
	d, items, gs := pageDesign(b)
	start, n := cpuTime(), 0
	for b.Loop() {
		for _, g := range gs {
			est, err := d.Index(items, g)
			if err != nil {
				b.Fatal(err)
			}
			Contrast(est[0], est[1])
		}
		n++
	}
	b.ReportMetric(float64(cpuTime()-start)/float64(time.Millisecond)/float64(n), "cpu-ms/op")
}
