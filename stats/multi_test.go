package stats

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// closeTo reports whether got is within tol of want, relative to
// max(1, |want|).
func closeTo(got, want, tol float64) bool {
	return math.Abs(got-want) <= tol*math.Max(1, math.Abs(want))
}

// TestIndexMultiMatchesIndex checks that IndexMulti gives Index's answers
// (the same value, N and Σw; the SE and the linearized totals a contrast
// uses to 1e-14) for every
// grouping, on designs with and without clusters and calibration, with
// rows in no group, and that it falls back to Index for replicate designs
// and for groupings with too many joint cells.
func TestIndexMultiMatchesIndex(t *testing.T) {
	const n = 3000
	rng := rand.New(rand.NewPCG(3, 1))
	strata := make([]int, n)
	psu := make([]int, n)
	w := make([]float64, n)
	cell := make([]int, n)
	district := make([]int, n)
	for i := range strata {
		strata[i] = i % 4
		psu[i] = rng.IntN(12)
		w[i] = 1 + 3*rng.Float64()
		cell[i] = rng.IntN(3)
		district[i] = rng.IntN(5)
	}
	items := make([]IndexItem, 5)
	for k := range items {
		y := make([]float64, n)
		for i := range y {
			switch r := rng.Float64(); {
			case r < 0.05:
				y[i] = math.NaN()
			case r < 0.08:
				y[i] = 99
			default:
				y[i] = float64(1 + rng.IntN(10))
			}
		}
		items[k] = IndexItem{Values: y, Weight: float64(1 + k%2), Min: 1, Max: 10}
	}
	var gs []Groups
	for h := 0; h < 5; h++ { // each district against the rest
		c := make([]int, n)
		for i := range c {
			if district[i] != h {
				c[i] = 1
			}
		}
		gs = append(gs, Groups{Code: c, Len: 2})
	}
	byCell := make([]int, n)
	for i := range byCell {
		byCell[i] = cell[i]
		if i%17 == 0 {
			byCell[i] = -1 // missing group value
		}
	}
	gs = append(gs, Groups{Code: byCell, Len: 3}, Whole())
	many := make([]int, n)
	for i := range many {
		many[i] = i % 70
	}

	base, err := NewDesign(DesignSpec{Strata: strata, Stages: []Stage{{IDs: psu}}, Weights: w, Nest: true})
	if err != nil {
		t.Fatal(err)
	}
	tot := make([]float64, 3)
	for i := range w {
		tot[cell[i]] += 2 * w[i]
	}
	raked, err := base.Calibrate(Calibration{Method: Raking, Margins: []Margin{{Name: "cell", Cells: cell, Labels: []string{"a", "b", "c"}, Totals: tot}}})
	if err != nil {
		t.Fatal(err)
	}
	elements, err := NewDesign(DesignSpec{Strata: strata, Weights: w})
	if err != nil {
		t.Fatal(err)
	}
	jk, err := base.JackknifeReplicates(JKn, false)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		d    *Design
		gs   []Groups
	}{
		{"clusters", base, gs},
		{"raked", raked, gs},
		{"elements", elements, gs},
		{"replicates", jk, gs[:3]},
		{"many-cells", raked, []Groups{{Code: many, Len: 70}, gs[0]}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, errs := c.d.IndexMulti(items, c.gs)
			for j, g := range c.gs {
				want, err := c.d.Index(items, g)
				if err != nil || errs[j] != nil {
					t.Fatalf("grouping %d: got error %v, want %v", j, errs[j], err)
				}
				if len(got[j]) != len(want) {
					t.Fatalf("grouping %d: got %d groups, want %d", j, len(got[j]), len(want))
				}
				for gi, e := range want {
					o := got[j][gi]
					// The sums are Index's bit for bit; only z (and so the
					// SE) may differ in the last place.
					if o.Value != e.Value || !closeTo(o.SE, e.SE, 1e-14) || o.N != e.N || o.WSum != e.WSum {
						t.Errorf("grouping %d group %d: got %v ± %v (n %d, Σw %v), want %v ± %v (n %d, Σw %v)",
							j, gi, o.Value, o.SE, o.N, o.WSum, e.Value, e.SE, e.N, e.WSum)
					}
				}
				if len(want) == 2 {
					cg, cw := Contrast(got[j][0], got[j][1]), Contrast(want[0], want[1])
					if !closeTo(cg.SE, cw.SE, 1e-14) {
						t.Errorf("grouping %d: contrast SE got %v, want %v", j, cg.SE, cw.SE)
					}
				}
			}
		})
	}

	t.Run("empty-domain", func(t *testing.T) {
		c := make([]int, n)
		for i := range c {
			c[i] = 0
		}
		_, errs := raked.IndexMulti(items, []Groups{{Code: c, Len: 2}, gs[0]})
		var ed *EmptyDomainError
		if !errors.As(errs[0], &ed) || ed.Group != 1 {
			t.Errorf("got %v, want an empty domain 1", errs[0])
		}
		if errs[1] != nil {
			t.Errorf("second grouping: got %v, want no error", errs[1])
		}
	})
}

// BenchmarkIndexMultiInOut20k is BenchmarkIndexInOut20k through
// IndexMulti.
func BenchmarkIndexMultiInOut20k(b *testing.B) {
	d, items, gs := pageDesign(b)
	start, n := cpuTime(), 0
	for b.Loop() {
		out, errs := d.IndexMulti(items, gs)
		for j := range gs {
			if errs[j] != nil {
				b.Fatal(errs[j])
			}
			Contrast(out[j][0], out[j][1])
		}
		n++
	}
	b.ReportMetric(float64(cpuTime()-start)/float64(time.Millisecond)/float64(n), "cpu-ms/op")
}
