package estimate

import (
	"errors"
	"testing"

	"manyi/stats"
)

// TestBuildDesignCalibrationError checks that a calibration failure comes
// back from BuildDesign as a *stats.CalibrationError (errors.As) naming the
// margin and the category, that non-convergence is told apart from a total
// that cannot be met, and that a converged design reports its iterations.
func TestBuildDesignCalibrationError(t *testing.T) {
	tb := NewTable(8)
	if err := tb.AddText("sex", []string{"m", "f", "m", "f", "m", "m", "f", "m"}); err != nil {
		t.Fatal(err)
	}
	if err := tb.AddText("age", []string{"y", "y", "o", "o", "y", "o", "y", "y"}); err != nil {
		t.Fatal(err)
	}
	if err := tb.AddNumeric("w", []float64{1, 2, 1, 2, 1, 2, 1, 2}); err != nil {
		t.Fatal(err)
	}
	margins := []Margin{
		{Variables: []string{"sex"}, Totals: map[string]float64{"m": 60, "f": 40}},
		{Variables: []string{"age"}, Totals: map[string]float64{"y": 70, "o": 30}},
	}
	cases := []struct {
		name          string
		cal           Calibration
		margin        string
		notConverged  bool
		wantIter      int // −1: want an error
		wantIterAbove int
	}{
		{"converges", Calibration{Method: "raking", Margins: margins}, "", false, 0, 1},
		{"poststratify", Calibration{Method: "poststratify", Margins: margins[:1]}, "", false, 0, -1},
		{"maxit", Calibration{Method: "raking", Margins: margins, MaxIter: 1, Epsilon: 1e-14}, "", true, -1, 0},
		{"no-rows", Calibration{Method: "raking", Margins: []Margin{{Variables: []string{"sex"}, Totals: map[string]float64{"m": 60, "f": 40, "x": 5}}}}, "sex", false, -1, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			des, err := BuildDesign(tb, &Design{Weights: "w", Calibration: &c.cal})
			if c.wantIter == -1 {
				var ce *stats.CalibrationError
				if !errors.As(err, &ce) {
					t.Fatalf("got error %v, want a *stats.CalibrationError", err)
				}
				if ce.NotConverged != c.notConverged {
					t.Errorf("NotConverged: got %v, want %v (%v)", ce.NotConverged, c.notConverged, err)
				}
				if c.margin != "" && ce.Margin != c.margin {
					t.Errorf("margin: got %q, want %q", ce.Margin, c.margin)
				}
				if ce.Category == "" {
					t.Errorf("got no category in %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := des.CalibrationIterations()
			if c.wantIterAbove >= 0 && got < c.wantIterAbove {
				t.Errorf("iterations: got %d, want at least %d", got, c.wantIterAbove)
			}
			if c.wantIterAbove < 0 && got != c.wantIter {
				t.Errorf("iterations: got %d, want %d", got, c.wantIter)
			}
		})
	}
}
