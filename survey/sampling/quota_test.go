package sampling

import "testing"

func TestQuotaTargets(t *testing.T) {
	a, err := Allocate(Plan{Allocation: Fixed, Sizes: map[string]int{"A": 150, "B": 7, "C": 10, "D": 5}},
		map[string]int{"A": 1000, "B": 1000, "C": 1000, "D": 1000})
	if err != nil {
		t.Fatal(err)
	}
	census := map[string]map[string]float64{
		// 30:30:20:20 of 100: 150 splits exactly 45, 45, 30, 30.
		"A": {CellKey(GenderMale, "18-29"): 30, CellKey(GenderFemale, "18-29"): 30, CellKey(GenderMale, "30-44"): 20, CellKey(GenderFemale, "30-44"): 20},
		// 7 × the same shares = 2.1, 2.1, 1.4, 1.4: floors 6, the last case
		// goes to a 0.4 remainder, the tie to "female|30-44" before "male|…".
		"B": {"male|18-29": 30, "female|18-29": 30, "male|30-44": 20, "female|30-44": 20},
		// All zero: no census, no targets.
		"C": {"male|18-29": 0},
		// One cell of three has a zero count and gets nothing (and no key).
		"D": {"male|18-29": 1, "female|18-29": 3, "male|60-70": 0},
	}
	got := QuotaTargets(a, census)
	want := map[string]map[string]int{
		"A": {"male|18-29": 45, "female|18-29": 45, "male|30-44": 30, "female|30-44": 30},
		"B": {"male|18-29": 2, "female|18-29": 2, "male|30-44": 1, "female|30-44": 2},
		"D": {"male|18-29": 1, "female|18-29": 4}, // 1.25, 3.75
	}
	if len(got) != len(want) {
		t.Fatalf("got %d districts %v, want %d", len(got), got, len(want))
	}
	for d, cells := range want {
		sum := 0
		for k, n := range cells {
			if got[d][k] != n {
				t.Errorf("%s %s: got %d, want %d", d, k, got[d][k], n)
			}
		}
		for _, n := range got[d] {
			sum += n
		}
		if sum != a.Get(d).SampleN || len(got[d]) != len(cells) {
			t.Errorf("%s: got targets %v summing to %d, want n_h = %d", d, got[d], sum, a.Get(d).SampleN)
		}
	}
}
