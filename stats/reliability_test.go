package stats

import (
	"math"
	"testing"
)

func TestCronbachAlpha(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name  string
		items [][]float64
		want  float64 // NaN: undefined
		tol   float64
	}{
		// Hand: s1² = s2² = 1, totals 3,5,7 have s_T² = 4; α = 2·(1 − 2/4) = 1.
		{"parallel items", [][]float64{{1, 2, 3}, {2, 3, 4}}, 1, 1e-12},
		// Hand: s1² = s2² = 5/3, totals 3,3,7,7 have s_T² = 16/3;
		// α = 2·(1 − (10/3)/(16/3)) = 0.75.
		{"two items", [][]float64{{1, 2, 3, 4}, {2, 1, 4, 3}}, 0.75, 1e-12},
		// Hand: the two incomplete cases drop out, leaving the case above.
		{"incomplete cases dropped", [][]float64{{1, 2, nan, 3, 4, 9}, {2, 1, 5, 4, 3, nan}}, 0.75, 1e-12},
		// Hand: k = 3, s_j² = 1, 1, 1 for (1,2,3), (1,2,3), (3,2,1); totals
		// 5,6,7 have s_T² = 1; α = 1.5·(1 − 3/1) = −3 (negative α: an item
		// runs the wrong way).
		{"reversed item", [][]float64{{1, 2, 3}, {1, 2, 3}, {3, 2, 1}}, -3, 1e-12},
		// Rescaling every item by 100(x − 1)/9 leaves α unchanged.
		{"rescaled", [][]float64{{0, 100.0 / 9, 200.0 / 9, 300.0 / 9}, {100.0 / 9, 0, 300.0 / 9, 200.0 / 9}}, 0.75, 1e-12},
		{"one item", [][]float64{{1, 2, 3}}, nan, 0},
		{"one complete case", [][]float64{{1, nan, 3}, {2, 3, nan}}, nan, 0},
		{"no variance", [][]float64{{5, 5, 5}, {5, 5, 5}}, nan, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := CronbachAlpha(tt.items)
			if math.IsNaN(tt.want) {
				if !math.IsNaN(got) {
					t.Errorf("got %v, want NaN", got)
				}
				return
			}
			if math.Abs(got-tt.want) > tt.tol {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestCronbachAlphaPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("items of different lengths did not panic")
		}
	}()
	CronbachAlpha([][]float64{{1, 2}, {1, 2, 3}})
}
