package sampling

import (
	"bytes"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"manyi/survey"
)

func TestAllocate(t *testing.T) {
	tests := []struct {
		name   string
		plan   Plan
		counts map[string]int
		want   map[string]int
		bounds map[string]string
	}{
		{
			// 100 × (500, 300, 200)/1000 exactly.
			name:   "proportional exact",
			plan:   Plan{Total: 100, Allocation: Proportional},
			counts: map[string]int{"A": 500, "B": 300, "C": 200},
			want:   map[string]int{"A": 50, "B": 30, "C": 20},
		},
		{
			// 10 × (333, 333, 334)/1000 = 3.33, 3.33, 3.34: floors 9, the
			// one left goes to the largest remainder, C.
			name:   "proportional largest remainder",
			plan:   Plan{Total: 10, Allocation: Proportional},
			counts: map[string]int{"A": 333, "B": 333, "C": 334},
			want:   map[string]int{"A": 3, "B": 3, "C": 4},
		},
		{
			// 100/3 = 33.33 each: equal remainders, the tie goes to the
			// first name.
			name:   "tie broken by name",
			plan:   Plan{Total: 100, Allocation: Proportional},
			counts: map[string]int{"C": 100, "A": 100, "B": 100},
			want:   map[string]int{"A": 34, "B": 33, "C": 33},
		},
		{
			// Unconstrained 800, 100, 100; B and C rise to 150, A keeps
			// the rest: 1000 − 300 = 700.
			name:   "floor",
			plan:   Plan{Total: 1000, Allocation: Proportional, Floor: 150},
			counts: map[string]int{"A": 8000, "B": 1000, "C": 1000},
			want:   map[string]int{"A": 700, "B": 150, "C": 150},
			bounds: map[string]string{"B": BoundFloor, "C": BoundFloor},
		},
		{
			// A capped at 600, the 400 left split 1000:1000.
			name:   "cap",
			plan:   Plan{Total: 1000, Allocation: Proportional, Cap: 600},
			counts: map[string]int{"A": 8000, "B": 1000, "C": 1000},
			want:   map[string]int{"A": 600, "B": 200, "C": 200},
			bounds: map[string]string{"A": BoundCap},
		},
		{
			// Unconstrained 900, 50, 30, 20. Capping A first (600) and then
			// flooring B, C, D (150 each) would give 1050; the fixed point
			// has B, C, D at the floor and A = 1000 − 450 = 550, under its
			// cap (λ = 550/9000, B: 500λ = 30.6 < 150).
			name:   "floor and cap interact",
			plan:   Plan{Total: 1000, Allocation: Proportional, Floor: 150, Cap: 600},
			counts: map[string]int{"A": 9000, "B": 500, "C": 300, "D": 200},
			want:   map[string]int{"A": 550, "B": 150, "C": 150, "D": 150},
			bounds: map[string]string{"B": BoundFloor, "C": BoundFloor, "D": BoundFloor},
		},
		{
			// Unconstrained 80, 40; B has only 50 units < floor 60, so it
			// is taken whole and A gets 70.
			name:   "stratum smaller than floor",
			plan:   Plan{Total: 120, Allocation: Proportional, Floor: 60},
			counts: map[string]int{"A": 100, "B": 50},
			want:   map[string]int{"A": 70, "B": 50},
			bounds: map[string]string{"B": BoundFrame},
		},
		{
			// 600/3 = 200, but C has 50: taken whole, A and B share 550.
			name:   "equal limited by frame",
			plan:   Plan{Total: 600, Allocation: Equal},
			counts: map[string]int{"A": 1000, "B": 1000, "C": 50},
			want:   map[string]int{"A": 275, "B": 275, "C": 50},
			bounds: map[string]string{"C": BoundFrame},
		},
		{
			// N·S = 10000, 10000, 20000 of 40000; 400 × ¼, ¼, ½.
			name:   "neyman",
			plan:   Plan{Total: 400, Allocation: Neyman, SD: map[string]float64{"A": 10, "B": 5, "C": 20}},
			counts: map[string]int{"A": 1000, "B": 2000, "C": 1000},
			want:   map[string]int{"A": 100, "B": 100, "C": 200},
		},
		{
			// B has S = 0: it stays at its floor, A and C share 360 in
			// proportion 10000:20000.
			name:   "neyman with zero sd and floor",
			plan:   Plan{Total: 400, Allocation: Neyman, Floor: 40, SD: map[string]float64{"A": 10, "B": 0, "C": 20}},
			counts: map[string]int{"A": 1000, "B": 2000, "C": 1000},
			want:   map[string]int{"A": 120, "B": 40, "C": 240},
			bounds: map[string]string{"B": BoundFloor},
		},
		{
			name:   "fixed",
			plan:   Plan{Allocation: Fixed, Sizes: map[string]int{"A": 10, "B": 20, "C": 0}},
			counts: map[string]int{"A": 100, "B": 20, "C": 5},
			want:   map[string]int{"A": 10, "B": 20, "C": 0},
			bounds: map[string]string{"B": BoundFrame},
		},
		{
			// The empty district gets nothing and does not count for floors.
			name:   "empty stratum",
			plan:   Plan{Total: 300, Allocation: Equal, Floor: 100},
			counts: map[string]int{"A": 1000, "B": 1000, "C": 0},
			want:   map[string]int{"A": 150, "B": 150, "C": 0},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := Allocate(tt.plan, tt.counts)
			if err != nil {
				t.Fatal(err)
			}
			sum := 0
			for _, s := range a.Strata {
				if s.SampleN != tt.want[s.Name] {
					t.Errorf("%s: got n %d, want %d", s.Name, s.SampleN, tt.want[s.Name])
				}
				if s.Bound != tt.bounds[s.Name] {
					t.Errorf("%s: got bound %q, want %q", s.Name, s.Bound, tt.bounds[s.Name])
				}
				sum += s.SampleN
			}
			if sum != a.Total {
				t.Errorf("got parts summing to %d, want total %d", sum, a.Total)
			}
			if len(a.Strata) != len(tt.counts) {
				t.Errorf("got %d strata, want %d", len(a.Strata), len(tt.counts))
			}
		})
	}
}

func TestAllocateErrors(t *testing.T) {
	counts := map[string]int{"A": 1000, "B": 200, "C": 100}
	tests := []struct {
		name string
		plan Plan
		want string
	}{
		{"total above frame", Plan{Total: 1301, Allocation: Proportional}, "above the frame's 1300 units"},
		// C has 100 units, under the floor: it counts 100, so floors need 150 + 150 + 100.
		{"floors above total", Plan{Total: 399, Allocation: Equal, Floor: 150}, "below the sum of the floors, 400 (3 strata × floor 150"},
		{"caps below total", Plan{Total: 700, Allocation: Equal, Cap: 200}, "above the sum of the caps, 500"},
		{"unknown stratum in sd", Plan{Total: 100, Allocation: Neyman, SD: map[string]float64{"A": 1, "B": 1, "C": 1, "Z": 1}}, `stratum "Z" in the plan is not in the frame`},
		{"unknown stratum in sizes", Plan{Allocation: Fixed, Sizes: map[string]int{"A": 1, "B": 1, "C": 1, "X": 1}}, `stratum "X" in the plan is not in the frame`},
		{"missing sd", Plan{Total: 100, Allocation: Neyman, SD: map[string]float64{"A": 1, "B": 1}}, `no sd for stratum "C"`},
		{"missing size", Plan{Allocation: Fixed, Sizes: map[string]int{"A": 1, "B": 1}}, `no size for stratum "C"`},
		{"size above frame", Plan{Allocation: Fixed, Sizes: map[string]int{"A": 1, "B": 1, "C": 101}}, `size 101 of stratum "C" is above its frame count 100`},
		{"size below floor", Plan{Allocation: Fixed, Floor: 5, Sizes: map[string]int{"A": 10, "B": 10, "C": 4}}, "below the floor 5"},
		{"size above cap", Plan{Allocation: Fixed, Cap: 50, Sizes: map[string]int{"A": 51, "B": 10, "C": 10}}, "above the cap 50"},
		{"fixed total mismatch", Plan{Total: 5, Allocation: Fixed, Sizes: map[string]int{"A": 1, "B": 1, "C": 1}}, "differs from the sum of sizes (3)"},
		{"neyman zero sd", Plan{Total: 100, Allocation: Neyman, SD: map[string]float64{"A": 0, "B": 0, "C": 0}}, "cannot be reached"},
		{"floor above cap", Plan{Total: 100, Allocation: Equal, Floor: 50, Cap: 40}, "floor (50) is above cap (40)"},
		{"unknown method", Plan{Total: 100, Allocation: "cluster"}, `unknown allocation "cluster"`},
		{"no total", Plan{Allocation: Equal}, "total must be a positive integer"},
		{"sd without neyman", Plan{Total: 100, Allocation: Equal, SD: map[string]float64{"A": 1}}, "only used by neyman"},
		{"bad stratum", Plan{Stratum: "contact", Total: 100, Allocation: Equal}, `stratum "contact" is not usable`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Allocate(tt.plan, counts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an error containing %q", err, tt.want)
			}
			// The Chinese text takes its arguments in its own order.
			if zh := survey.ErrorMessage(err, survey.LangZh); strings.Contains(zh, "%!") {
				t.Errorf("the Chinese message is garbled: %s", zh)
			}
		})
	}
	_, err := Allocate(Plan{Allocation: Fixed, Sizes: map[string]int{"A": 1, "B": 1, "C": 101}}, counts)
	if zh := survey.ErrorMessage(err, survey.LangZh); zh != "层“C”的样本量 101 超过其抽样框数 100" {
		t.Errorf("the Chinese message of a size above the frame: %q", zh)
	}
	if _, err := Allocate(Plan{Total: 1, Allocation: Equal}, map[string]int{}); err == nil {
		t.Errorf("got no error for an empty frame, want one")
	}
}

// TestAllocateInvariants checks, over many random plans, that the parts
// add up to the total, stay within floor, cap and frame, and lie within
// one case of the exact allocation.
func TestAllocateInvariants(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 4))
	methods := []string{Proportional, Equal, Neyman}
	checked := 0
	for k := 0; k < 2000; k++ {
		H := 1 + r.IntN(12)
		counts := map[string]int{}
		sd := map[string]float64{}
		for h := 0; h < H; h++ {
			name := string(rune('A' + h))
			counts[name] = r.IntN(5000)
			sd[name] = 0.1 + 10*r.Float64()
		}
		p := Plan{Allocation: methods[r.IntN(3)], Floor: r.IntN(200), Reserve: r.Float64() / 2, ReserveBatches: 1 + r.IntN(3)}
		if r.IntN(2) == 0 {
			p.Cap = p.Floor + r.IntN(1000)
		}
		if p.Allocation == Neyman {
			p.SD = sd
		}
		N := 0
		for _, n := range counts {
			N += n
		}
		if N == 0 {
			continue
		}
		p.Total = 1 + r.IntN(N)
		a, err := Allocate(p, counts)
		if err != nil {
			continue // floors or caps cannot meet this total; the error cases are tested above
		}
		checked++
		bisect := bisectAllocation(p, a)
		sum := 0
		for i, s := range a.Strata {
			if math.Abs(s.Exact-bisect[i]) > 1e-6*max(1, s.Exact) {
				t.Fatalf("plan %+v counts %v: %s got exact %v, bisection %v", p, counts, s.Name, s.Exact, bisect[i])
			}
			lo, hi := min(p.Floor, s.FrameN), s.FrameN
			if p.Cap > 0 {
				hi = min(hi, p.Cap)
			}
			if s.SampleN < lo || s.SampleN > hi {
				t.Fatalf("plan %+v counts %v: %s got n %d outside [%d, %d]", p, counts, s.Name, s.SampleN, lo, hi)
			}
			if math.Abs(float64(s.SampleN)-s.Exact) >= 1 {
				t.Fatalf("plan %+v counts %v: %s got n %d, exact %v", p, counts, s.Name, s.SampleN, s.Exact)
			}
			if s.SampleN+s.Reserve > s.FrameN {
				t.Fatalf("%s: got n %d + reserve %d above N %d", s.Name, s.SampleN, s.Reserve, s.FrameN)
			}
			bs := 0
			for _, b := range s.Batches {
				bs += b
			}
			if bs != s.Reserve || len(s.Batches) != p.ReserveBatches {
				t.Fatalf("%s: got batches %v for reserve %d, want %d batches summing to it", s.Name, s.Batches, s.Reserve, p.ReserveBatches)
			}
			sum += s.SampleN
		}
		if sum != p.Total {
			t.Fatalf("plan %+v counts %v: got sum %d, want %d", p, counts, sum, p.Total)
		}
	}
	if checked < 1000 {
		t.Errorf("got %d feasible random plans of 2000, want at least 1000 checked", checked)
	}
}

// bisectAllocation solves Σ clamp(λ·w_h, lo_h, hi_h) = total for λ by
// bisection, independently of clampSolve's breakpoint search.
func bisectAllocation(p Plan, a Allocation) []float64 {
	x := func(l float64) ([]float64, float64) {
		out := make([]float64, len(a.Strata))
		sum := 0.0
		for i, s := range a.Strata {
			w := float64(s.FrameN)
			switch p.Allocation {
			case Equal:
				w = 1
			case Neyman:
				w *= p.SD[s.Name]
			}
			lo, hi := float64(min(p.Floor, s.FrameN)), float64(s.FrameN)
			if p.Cap > 0 {
				hi = min(hi, float64(p.Cap))
			}
			out[i] = min(max(l*w, lo), hi)
			sum += out[i]
		}
		return out, sum
	}
	lo, hi := 0.0, 1.0
	for _, s := x(hi); s < float64(p.Total); _, s = x(hi) {
		hi *= 2
	}
	for k := 0; k < 200; k++ {
		mid := (lo + hi) / 2
		if _, s := x(mid); s < float64(p.Total) {
			lo = mid
		} else {
			hi = mid
		}
	}
	out, _ := x(hi)
	return out
}

func TestAllocateReserve(t *testing.T) {
	// n = 150, 153, 100; reserve 0.2 → round(30) = 30, round(30.6) = 31,
	// round(20) = 20 but B has only 160 − 153 = 7 spare units.
	p := Plan{Allocation: Fixed, Reserve: 0.2, Sizes: map[string]int{"A": 150, "B": 153, "C": 100}}
	a, err := Allocate(p, map[string]int{"A": 1000, "B": 160, "C": 1000})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]int{"A": {15, 15}, "B": {4, 3}, "C": {10, 10}}
	wantR := map[string]int{"A": 30, "B": 7, "C": 20}
	for _, s := range a.Strata {
		if s.Reserve != wantR[s.Name] || !equalInts(s.Batches, want[s.Name]) {
			t.Errorf("%s: got reserve %d batches %v, want %d %v", s.Name, s.Reserve, s.Batches, wantR[s.Name], want[s.Name])
		}
	}
	p.Sizes = map[string]int{"A": 153, "B": 100, "C": 100}
	p.ReserveBatches = 3
	a, _ = Allocate(p, map[string]int{"A": 1000, "B": 160, "C": 1000})
	if got := a.Get("A"); got.Reserve != 31 || !equalInts(got.Batches, []int{11, 10, 10}) {
		t.Errorf("got reserve %d batches %v, want 31 [11 10 10]", got.Reserve, got.Batches)
	}
	if a.Get("Z") != nil {
		t.Errorf("got a stratum for Z, want nil")
	}
}

func equalInts(a, b []int) bool {
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

func TestWriteTable(t *testing.T) {
	a, err := Allocate(Plan{Total: 1000, Allocation: Proportional, Floor: 150, Cap: 600, Reserve: 0.2}, map[string]int{"A": 9000, "B": 500, "C": 300, "D": 200})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteTable(&buf, a); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{"stratum", "A", "9000", "90.0%", "550", "110 (55+55)", "下限 floor", "合计 total", "10000", "1000", "200", "floor 150; cap 600; reserve 0.2"} {
		if !strings.Contains(out, want) {
			t.Errorf("got table\n%s\nwant it to contain %q", out, want)
		}
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 7 {
		t.Errorf("got %d lines, want 7 (head, 4 strata, total, method)", len(lines))
	}
	// Columns line up on screen, Chinese characters counting two: without
	// the last column (the bound) every line has the same display width.
	want := -1
	for _, l := range lines[:6] {
		if strings.HasSuffix(l, " ") {
			t.Errorf("line %q has trailing spaces", l)
		}
		for _, b := range []string{"约束 bound", "下限 floor", "-"} {
			l = strings.TrimSuffix(l, b)
		}
		w := displayWidth(strings.TrimRight(l, " "))
		if want >= 0 && w != want {
			t.Errorf("got line %q %d columns wide before the bound, want %d", l, w, want)
		}
		want = w
	}
}

func TestParsePlan(t *testing.T) {
	p, err := ParsePlan(strings.NewReader(`{"stratum": "district", "total": 2000, "allocation": "proportional", "floor": 150, "cap": 600, "reserve": 0.2}`))
	if err != nil {
		t.Fatal(err)
	}
	if p.Total != 2000 || p.Floor != 150 || p.Cap != 600 || p.Reserve != 0.2 || p.batches() != DefaultReserveBatches || p.StratumColumn() != ColDistrict {
		t.Errorf("got %+v", p)
	}
	p, err = ParsePlan(strings.NewReader(`{"total": 30, "allocation": "neyman", "sd": {"A": 1.5, "B": 2}, "reserve_batches": 3, "districts": ["A", "B"]}`))
	if err != nil || p.SD["B"] != 2 || p.ReserveBatches != 3 || len(p.Districts) != 2 {
		t.Errorf("got %+v, %v", p, err)
	}
	bad := []struct{ in, want string }{
		{`{"total": 10, "allocation": "equal", "flor": 1}`, `unknown field "flor"`},
		{`{"total": "10", "allocation": "equal"}`, `field "total" has the wrong type`},
		{`{"total": 10, "allocation": "equal"} {}`, "extra data"},
		{`{"total": 10, "allocation": "equal"} x`, "extra data"},
		{`{"total": 10,`, "cannot be read"},
		{`{"total": 10 "allocation"}`, "not valid JSON"},
		{``, "empty"},
		{`{"total": 10, "allocation": "fixed", "sizes": {"A": 5}}`, "differs from the sum of sizes"},
		{`{"total": 10, "allocation": "equal", "reserve": -1}`, "reserve must be"},
		{`{"total": 10, "allocation": "neyman", "sd": {"A": -1}}`, `sd of stratum "A"`},
	}
	for _, tt := range bad {
		_, err := ParsePlan(strings.NewReader(tt.in))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParsePlan(%s): got %v, want an error containing %q", tt.in, err, tt.want)
		}
	}
}

func TestDisplayWidth(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want int
	}{{"", 0}, {"abc", 3}, {"上城区", 6}, {"合计 total", 10}, {"（2 批）", 8}} {
		if got := displayWidth(tt.in); got != tt.want {
			t.Errorf("displayWidth(%q): got %d, want %d", tt.in, got, tt.want)
		}
	}
}
