package sampling

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"manyi/survey"
)

// sectorFrame builds a frame with the given units per SectorCell key;
// ids are "<sector>-<district>-<i>".
func sectorFrame(sizes map[string]int) *Frame {
	f := &Frame{}
	for _, h := range sortedKeys(sizes) {
		sec, d, _ := SplitSectorCell(h)
		for i := 0; i < sizes[h]; i++ {
			f.Units = append(f.Units, Unit{ID: fmt.Sprintf("%s-%s-%03d", sec, d, i), District: d, Sector: sec, Row: len(f.Units) + 2})
		}
	}
	return f
}

func TestSectorCell(t *testing.T) {
	if k := SectorCell("retail", "d01"); k != "retail|d01" {
		t.Errorf("SectorCell: got %q, want retail|d01", k)
	}
	tests := []struct {
		key      string
		sec, dis string
		ok       bool
	}{
		{"retail|d01", "retail", "d01", true},
		{"|d01", "", "", false},
		{"retail|", "", "", false},
		{"retail", "", "", false},
		{"a|b|c", "", "", false},
	}
	for _, tt := range tests {
		s, d, ok := SplitSectorCell(tt.key)
		if s != tt.sec || d != tt.dis || ok != tt.ok {
			t.Errorf("SplitSectorCell(%q): got %q, %q, %v, want %q, %q, %v", tt.key, s, d, ok, tt.sec, tt.dis, tt.ok)
		}
	}
	u := Unit{District: "d02", Sector: "banking"}
	if v := StratumValue(&u, StratumSectorDistrict); v != "banking|d02" {
		t.Errorf("StratumValue sector_district: got %q", v)
	}
	if v := StratumValue(&u, ColDistrict); v != "d02" {
		t.Errorf("StratumValue district: got %q", v)
	}
	c := StratumCounts(sectorFrame(map[string]int{"a|d1": 2, "b|d1": 3}), StratumSectorDistrict)
	if !reflect.DeepEqual(c, map[string]int{"a|d1": 2, "b|d1": 3}) {
		t.Errorf("StratumCounts: got %v", c)
	}
}

// TestAllocatePerCellWorked checks a plan worked by hand:
//
//	retail (no total, per_cell 20): d01 N 40 → 20; d02 N 10 → 10, whole frame.
//	catering (total 60, floor 15): N 30, 90, 30 of 150; unconstrained
//	60·N/150 = 12, 36, 12; d01 and d03 rise to the floor 15, d02 keeps
//	60 − 30 = 30 (λ = 30/90, λ·30 = 10 < 15).
//	Total 20 + 10 + 15 + 30 + 15 = 90. Reserve 0.5: round(0.5·n_h) at most
//	N_h − n_h: 10, 0, 8 (7.5 rounds up), 15, 8; batches of 2.
func TestAllocatePerCellWorked(t *testing.T) {
	plan := Plan{Stratum: StratumSectorDistrict, Allocation: PerCell, PerCell: 20, SectorTotals: map[string]int{"catering": 60},
		Floor: 15, Reserve: 0.5}
	counts := map[string]int{"retail|d01": 40, "retail|d02": 10, "catering|d01": 30, "catering|d02": 90, "catering|d03": 30}
	a, err := Allocate(plan, counts)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		name    string
		exact   float64
		n, r    int
		batches []int
		bound   string
	}{
		{"catering|d01", 15, 15, 8, []int{4, 4}, BoundFloor},
		{"catering|d02", 30, 30, 15, []int{8, 7}, ""},
		{"catering|d03", 15, 15, 8, []int{4, 4}, BoundFloor},
		{"retail|d01", 20, 20, 10, []int{5, 5}, ""},
		{"retail|d02", 10, 10, 0, []int{0, 0}, BoundFrame},
	}
	if len(a.Strata) != len(want) {
		t.Fatalf("got %d cells, want %d", len(a.Strata), len(want))
	}
	for i, w := range want {
		s := a.Strata[i]
		if s.Name != w.name || s.SampleN != w.n || s.Reserve != w.r || !reflect.DeepEqual(s.Batches, w.batches) || s.Bound != w.bound ||
			s.Exact < w.exact-1e-9 || s.Exact > w.exact+1e-9 {
			t.Errorf("cell %d: got %+v, want %+v", i, s, w)
		}
	}
	if a.Total != 90 || a.FrameN != 200 || a.Stratum != StratumSectorDistrict || a.Method != PerCell {
		t.Errorf("got total %d, frame %d, stratum %q, method %q; want 90, 200, sector_district, per_cell", a.Total, a.FrameN, a.Stratum, a.Method)
	}
	if s := a.Get("retail|d01"); s == nil || s.Share != 0.2 { // 40/200
		t.Errorf("retail|d01 share: got %+v, want 0.2", s)
	}
	var b bytes.Buffer
	if err := WriteTable(&b, a); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "retail|d02") || !strings.Contains(b.String(), "全取 whole frame") {
		t.Errorf("table:\n%s", b.String())
	}
}

func TestAllocatePerCellBoundAndTotals(t *testing.T) {
	counts := map[string]int{"a|d1": 3, "a|d2": 50, "b|d1": 17, "b|d2": 41, "b|d3": 29, "c|d1": 8}
	// per_cell only: cells below 10 take all and say so.
	a, err := Allocate(Plan{Stratum: StratumSectorDistrict, Allocation: PerCell, PerCell: 10}, counts)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range a.Strata {
		want, bound := min(10, s.FrameN), ""
		if s.FrameN <= 10 {
			bound = BoundFrame
		}
		if s.SampleN != want || s.Bound != bound {
			t.Errorf("%s: got n %d bound %q, want %d %q", s.Name, s.SampleN, s.Bound, want, bound)
		}
	}
	if a.Total != 3+10+10+10+10+8 {
		t.Errorf("total: got %d, want 51", a.Total)
	}
	// Sector totals add up per sector, whatever the remainders.
	for _, tb := range []int{1, 7, 30, 85, 86} { // 86 = 17 + cap 40 + 29
		plan := Plan{Stratum: StratumSectorDistrict, Allocation: PerCell, PerCell: 5, SectorTotals: map[string]int{"b": tb}, Cap: 40}
		a, err := Allocate(plan, counts)
		if err != nil {
			t.Fatalf("b=%d: %v", tb, err)
		}
		sum := 0
		for _, s := range a.Strata {
			if strings.HasPrefix(s.Name, "b|") {
				sum += s.SampleN
				if s.SampleN > 40 || s.SampleN > s.FrameN {
					t.Errorf("b=%d %s: n %d above cap or frame", tb, s.Name, s.SampleN)
				}
			}
		}
		if sum != tb || a.Total != tb+3+5+5 {
			t.Errorf("b=%d: sector sum %d, total %d; want %d and %d", tb, sum, a.Total, tb, tb+13)
		}
	}
}

func TestPerCellErrors(t *testing.T) {
	counts := map[string]int{"a|d1": 30, "b|d1": 20}
	sd := StratumSectorDistrict
	tests := []struct {
		name   string
		plan   Plan
		counts map[string]int
		want   string
	}{
		{"per_cell zero", Plan{Stratum: sd, Allocation: PerCell}, counts, "per_cell must be > 0"},
		{"per_cell other stratum", Plan{Stratum: ColDistrict, Allocation: PerCell, PerCell: 5}, counts, "needs stratum sector_district"},
		{"per_cell other allocation", Plan{Stratum: sd, Allocation: Equal, Total: 10, PerCell: 5}, counts, "per_cell is only used by per_cell"},
		{"sector_totals district", Plan{Allocation: Equal, Total: 10, SectorTotals: map[string]int{"a": 5}}, counts, "sector_totals is only used with stratum sector_district"},
		{"sector_totals zero", Plan{Stratum: sd, Allocation: PerCell, PerCell: 5, SectorTotals: map[string]int{"a": 0}}, counts, `sector "a" must be > 0`},
		{"unknown sector", Plan{Stratum: sd, Allocation: PerCell, PerCell: 5, SectorTotals: map[string]int{"zz": 5}}, counts, `sector "zz" has no units`},
		{"sector total above frame", Plan{Stratum: sd, Allocation: PerCell, PerCell: 5, SectorTotals: map[string]int{"a": 31}}, counts, "above its 30 units"},
		{"below floors", Plan{Stratum: sd, Allocation: PerCell, PerCell: 5, Floor: 10, SectorTotals: map[string]int{"a": 5}}, counts, "below the sum of its cells' floors"},
		{"total differs", Plan{Stratum: sd, Allocation: PerCell, PerCell: 5, Total: 11}, counts, "differs from the sum over the cells (10)"},
		{"unit without sector", Plan{Stratum: sd, Allocation: PerCell, PerCell: 5}, map[string]int{"a|d1": 3, "|d1": 2}, "lack a sector"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Allocate(tt.plan, tt.counts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an error containing %q", err, tt.want)
			}
			if zh, en := survey.ErrorMessage(err, survey.LangZh), survey.ErrorMessage(err, survey.LangEn); zh == "" || zh == en {
				t.Errorf("no Chinese message: %q", zh)
			}
		})
	}
	// Residents' stratum names are untouched by the new check.
	if _, err := Allocate(Plan{Allocation: Equal, Total: 4}, map[string]int{"a|b|c": 5, "d": 5}); err != nil {
		t.Errorf("district plan with odd names: %v", err)
	}
}

func TestPerCellPlanJSON(t *testing.T) {
	in := Plan{Stratum: StratumSectorDistrict, Allocation: PerCell, PerCell: 30, SectorTotals: map[string]int{"retail": 120, "banking": 80},
		Floor: 10, Cap: 60, Reserve: 0.2, ReserveBatches: 2}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	out, err := ParsePlan(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("ParsePlan(%s): %v", b, err)
	}
	if !reflect.DeepEqual(in, out) {
		t.Errorf("round trip: got %+v, want %+v", out, in)
	}
	// The example of docs/FIELDWORK.md.
	doc := `{"stratum": "sector_district", "allocation": "per_cell", "per_cell": 30,
	 "sector_totals": {"banking": 120}, "floor": 10, "reserve": 0.2}`
	if p, err := ParsePlan(strings.NewReader(doc)); err != nil || p.PerCell != 30 || p.SectorTotals["banking"] != 120 {
		t.Errorf("doc example: got %+v, %v", p, err)
	}
	if _, err := ParsePlan(strings.NewReader(`{"stratum": "sector_district", "allocation": "per_cell", "per_cel": 3}`)); err == nil || !strings.Contains(err.Error(), "per_cell, sector_totals") {
		t.Errorf("unknown field: got %v", err)
	}
	if _, err := ParsePlan(strings.NewReader(`{"stratum": "sector_district", "allocation": "per_cell", "per_cell": 3, "sector_totals": {"a": "x"}}`)); err == nil || !strings.Contains(err.Error(), "wrong type") {
		t.Errorf("wrong type: got %v", err)
	}
}

func TestPerCellDrawReproducible(t *testing.T) {
	f := sectorFrame(map[string]int{"retail|d01": 40, "retail|d02": 6, "banking|d01": 25, "banking|d02": 33})
	plan := Plan{Stratum: StratumSectorDistrict, Allocation: PerCell, PerCell: 8, SectorTotals: map[string]int{"banking": 20}, Reserve: 0.5}
	a, err := Allocate(plan, StratumCounts(f, plan.StratumColumn()))
	if err != nil {
		t.Fatal(err)
	}
	s1, err := Draw(f, a, 2026)
	if err != nil {
		t.Fatal(err)
	}
	s2, _ := Draw(f, a, 2026)
	s3, _ := Draw(f, a, 2027)
	if !reflect.DeepEqual(ids(s1), ids(s2)) {
		t.Error("same seed, different samples")
	}
	if reflect.DeepEqual(ids(s1), ids(s3)) {
		t.Error("different seeds, same sample")
	}
	per := map[string]int{}
	for _, c := range s1.Cases {
		u := f.Units[c.Unit]
		if c.Stratum != SectorCell(u.Sector, u.District) {
			t.Fatalf("case %s in stratum %q, unit is %s|%s", c.ID, c.Stratum, u.Sector, u.District)
		}
		per[c.Stratum]++
	}
	for _, s := range a.Strata {
		if per[s.Name] != s.SampleN+s.Reserve {
			t.Errorf("%s: %d cases, want %d", s.Name, per[s.Name], s.SampleN+s.Reserve)
		}
	}
}
