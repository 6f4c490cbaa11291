package sampling

import (
	"math"
	"strings"
	"testing"
)

func TestRates(t *testing.T) {
	// Worked by hand. Dispositions: not sent 50, sent 300, opened 40,
	// partial 20, complete 400, screened out 30, refused 60, quota full 20,
	// unreachable 80. So I = 400, P = 20, R = 60, NC = O = 0,
	// UH = 50 + 300 + 80 = 430, UO = 40, NE = 30 + 20 = 50; with e = 0.8:
	//   all  = 420 + 60 + 470 = 950,  allE = 420 + 60 + 0.8·470 = 856
	c := DispositionCounts{NotSent: 50, Sent: 300, Opened: 40, Partial: 20, Complete: 400, ScreenedOut: 30, Refused: 60, QuotaFull: 20, Unreachable: 80}
	r := Rates(c, 0.8)
	if r.Counts != (AAPORCounts{I: 400, P: 20, R: 60, UH: 430, UO: 40, NE: 50}) {
		t.Fatalf("got AAPOR counts %+v", r.Counts)
	}
	checkRates(t, "manyi dispositions", r, map[string]float64{
		"RR1": 400.0 / 950, "RR2": 420.0 / 950, "RR3": 400.0 / 856, "RR4": 420.0 / 856,
		"COOP1": 400.0 / 480, "COOP2": 420.0 / 480, "REF1": 60.0 / 950, "REF2": 60.0 / 856,
		"CON1": 480.0 / 950, "CON2": 480.0 / 856,
	})
	// The same in decimals, as a reader would check them with a calculator.
	if math.Abs(r.RR1-0.421053) > 5e-7 || math.Abs(r.RR3-0.467290) > 5e-7 || math.Abs(r.COOP1-0.833333) > 5e-7 {
		t.Errorf("got RR1 %.6f RR3 %.6f COOP1 %.6f, want 0.421053 0.467290 0.833333", r.RR1, r.RR3, r.COOP1)
	}
	// e estimated from the cases of known eligibility: 480 / (480 + 50).
	if got, want := EstimateE(r.Counts), 480.0/530; math.Abs(got-want) > 1e-15 {
		t.Errorf("EstimateE: got %v, want %v", got, want)
	}

	// All AAPOR groups in use: I 200, P 10, R 40, NC 30, O 20, UH 100,
	// UO 50, NE 50, e = 0.5:
	//   all = 210 + 90 + 150 = 450,  allE = 300 + 75 = 375,
	//   coop base = 210 + 40 + 20 = 270.
	a := AAPORCounts{I: 200, P: 10, R: 40, NC: 30, O: 20, UH: 100, UO: 50, NE: 50}
	checkRates(t, "all groups", RatesAAPOR(a, 0.5), map[string]float64{
		"RR1": 200.0 / 450, "RR2": 210.0 / 450, "RR3": 200.0 / 375, "RR4": 210.0 / 375,
		"COOP1": 200.0 / 270, "COOP2": 210.0 / 270, "REF1": 40.0 / 450, "REF2": 40.0 / 375,
		"CON1": 270.0 / 450, "CON2": 270.0 / 375,
	})
	if got, want := EstimateE(a), 300.0/350; math.Abs(got-want) > 1e-15 {
		t.Errorf("EstimateE: got %v, want %v", got, want)
	}
	// e = 1 makes RR3 equal RR1; no cases at all gives NaN.
	if r := RatesAAPOR(a, 1); r.RR3 != r.RR1 {
		t.Errorf("got RR3 %v with e = 1, want RR1 %v", r.RR3, r.RR1)
	}
	if r := Rates(DispositionCounts{}, 0.5); !math.IsNaN(r.RR1) || !math.IsNaN(r.COOP1) {
		t.Errorf("got RR1 %v COOP1 %v with no cases, want NaN", r.RR1, r.COOP1)
	}
	if got := EstimateE(AAPORCounts{UH: 5}); got != 1 {
		t.Errorf("EstimateE with no known eligibility: got %v, want 1", got)
	}
}

func checkRates(t *testing.T, name string, r RateSet, want map[string]float64) {
	t.Helper()
	got := map[string]float64{"RR1": r.RR1, "RR2": r.RR2, "RR3": r.RR3, "RR4": r.RR4, "COOP1": r.COOP1, "COOP2": r.COOP2,
		"REF1": r.REF1, "REF2": r.REF2, "CON1": r.CON1, "CON2": r.CON2}
	for k, w := range want {
		if math.Abs(got[k]-w) > 1e-12 {
			t.Errorf("%s %s: got %v, want %v", name, k, got[k], w)
		}
	}
}

func TestRatesBadE(t *testing.T) {
	for _, e := range []float64{-0.1, 1.1, math.NaN()} {
		func() {
			defer func() {
				if r := recover(); r == nil || !strings.HasPrefix(r.(string), "sampling:") {
					t.Errorf("e = %v: got panic %v, want one with the package prefix", e, r)
				}
			}()
			Rates(DispositionCounts{Complete: 1}, e)
		}()
	}
}

func TestDispositionCountsAdd(t *testing.T) {
	var c DispositionCounts
	for i, d := range Dispositions {
		if err := c.Add(d, i+1); err != nil {
			t.Fatal(err)
		}
	}
	want := DispositionCounts{NotSent: 1, Sent: 2, Opened: 3, Partial: 4, Complete: 5, ScreenedOut: 6, Refused: 7, QuotaFull: 8, Unreachable: 9}
	if c != want {
		t.Errorf("got %+v, want %+v", c, want)
	}
	if err := c.Add("lost", 1); err == nil || !strings.Contains(err.Error(), `"lost"`) {
		t.Errorf("got %v, want an error naming the disposition", err)
	}
}

// TestRatesWorkedExample checks every AAPOR outcome rate on one worked
// example whose non-contacts and other non-interviews come from manyi's
// dispositions (the derived non_contact and other, from the call record).
// Formulas: AAPOR, Standard Definitions: Final Dispositions of Case Codes
// and Outcome Rates for Surveys, 10th edition (2023), section "Outcome
// rates": RR1–RR6, COOP1–COOP4, REF1–REF3, CON1–CON3 as quoted in the doc
// comment of RatesAAPOR. Worked by hand:
//
//	dispositions: complete 200, partial 10, refused 40, non_contact 30,
//	other 20, not_sent 20, sent 60, unreachable 20, opened 50,
//	screened_out 40, quota_full 10
//	→ I = 200, P = 10, R = 40, NC = 30, O = 20,
//	  UH = 20 + 60 + 20 = 100, UO = 50, NE = 40 + 10 = 50; e = 0.5
//	I+P = 210; R+NC+O = 90; UH+UO = 150; e(UH+UO) = 75
//	RR1 = 200 / (210 + 90 + 150) = 200/450 = 0.444444
//	RR2 = 210 / 450 = 0.466667
//	RR3 = 200 / (210 + 90 + 75) = 200/375 = 0.533333
//	RR4 = 210 / 375 = 0.56
//	RR5 = 200 / (210 + 90) = 200/300 = 0.666667
//	RR6 = 210 / 300 = 0.7
//	COOP1 = 200 / (210 + 40 + 20) = 200/270 = 0.740741
//	COOP2 = 210 / 270 = 0.777778
//	COOP3 = 200 / (210 + 40) = 200/250 = 0.8
//	COOP4 = 210 / 250 = 0.84
//	REF1 = 40 / 450 = 0.088889;  REF2 = 40 / 375 = 0.106667;  REF3 = 40 / 300 = 0.133333
//	CON1 = (210 + 40 + 20) / (270 + 30 + 150) = 270/450 = 0.6
//	CON2 = 270 / (270 + 30 + 75) = 270/375 = 0.72
//	CON3 = 270 / (270 + 30) = 270/300 = 0.9
//	EstimateE = (210 + 90) / (300 + 50) = 0.857143
func TestRatesWorkedExample(t *testing.T) {
	c := DispositionCounts{Complete: 200, Partial: 10, Refused: 40, NotSent: 20, Sent: 60, Unreachable: 20, Opened: 50, ScreenedOut: 40, QuotaFull: 10}
	if err := c.Add(DispNonContact, 30); err != nil {
		t.Fatal(err)
	}
	if err := c.Add(DispOther, 20); err != nil {
		t.Fatal(err)
	}
	r := Rates(c, 0.5)
	if want := (AAPORCounts{I: 200, P: 10, R: 40, NC: 30, O: 20, UH: 100, UO: 50, NE: 50}); r.Counts != want {
		t.Fatalf("AAPOR counts %+v, want %+v", r.Counts, want)
	}
	got := map[string]float64{"RR1": r.RR1, "RR2": r.RR2, "RR3": r.RR3, "RR4": r.RR4, "RR5": r.RR5, "RR6": r.RR6,
		"COOP1": r.COOP1, "COOP2": r.COOP2, "COOP3": r.COOP3, "COOP4": r.COOP4,
		"REF1": r.REF1, "REF2": r.REF2, "REF3": r.REF3, "CON1": r.CON1, "CON2": r.CON2, "CON3": r.CON3}
	for k, w := range map[string]float64{
		"RR1": 0.444444, "RR2": 0.466667, "RR3": 0.533333, "RR4": 0.56, "RR5": 0.666667, "RR6": 0.7,
		"COOP1": 0.740741, "COOP2": 0.777778, "COOP3": 0.8, "COOP4": 0.84,
		"REF1": 0.088889, "REF2": 0.106667, "REF3": 0.133333, "CON1": 0.6, "CON2": 0.72, "CON3": 0.9,
	} {
		if math.Abs(got[k]-w) > 5e-7 {
			t.Errorf("%s: got %.6f, want %.6f", k, got[k], w)
		}
	}
	if e := EstimateE(r.Counts); math.Abs(e-0.857143) > 5e-7 {
		t.Errorf("EstimateE: got %.6f, want 0.857143", e)
	}
}
