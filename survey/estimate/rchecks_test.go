package estimate

import (
	"math"
	"os"
	"path/filepath"
	"testing"
)

// TestAgainstR checks designs the reference cases do not cover against
// figures computed with R survey 4.1-1 on the city_satisfaction_small data
// (the R calls are in each case's comment).
func TestAgainstR(t *testing.T) {
	f, err := os.Open(filepath.Join(casesDir, "city_satisfaction_small", "data.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	full, err := ReadCSV(f)
	if err != nil {
		t.Fatal(err)
	}
	// lonely: district D6 cut to its first PSU, so it has a single PSU.
	dist, psu := full.Column("district"), full.Column("psu")
	first := ""
	var keep []int
	for i := 0; i < full.Rows(); i++ {
		if dist.Raw[i] == "D6" {
			if first == "" {
				first = psu.Raw[i]
			}
			if psu.Raw[i] != first {
				continue
			}
		}
		keep = append(keep, i)
	}
	lonely := NewTable(len(keep))
	for _, c := range full.Columns() {
		vals := make([]string, len(keep))
		for j, i := range keep {
			vals[j] = c.Raw[i]
		}
		if err := lonely.AddText(c.Name, vals); err != nil {
			t.Fatal(err)
		}
	}
	queries := []Query{{ID: "m", Kind: "mean", Var: "overall"}, {ID: "t", Kind: "total", Var: "overall"}}
	tests := []struct {
		name         string
		tab          *Table
		design       Design
		mean, meanSE float64
		total, totSE float64
	}{
		// des <- svydesign(ids = ~psu, strata = ~district, weights = ~w, fpc = ~N_psu, nest = TRUE, data = d)
		// ps <- postStratify(des, ~agegroup, data.frame(agegroup = c('18-29','30-44','45-59','60-70'), Freq = c(98318, 120405, 91719, 92861)))
		// svymean(~overall, ps, na.rm = TRUE); svytotal(~overall, ps, na.rm = TRUE)
		{"poststratify, unequal weights", full, Design{IDs: []string{"psu"}, Strata: "district", Weights: "w", FPC: []string{"N_psu"}, Nest: true,
			Calibration: &Calibration{Method: "poststratify", Margins: []Margin{{Variables: []string{"agegroup"},
				Totals: map[string]float64{"18-29": 98318, "30-44": 120405, "45-59": 91719, "60-70": 92861}}}}},
			6.01126296350756, 0.0906707158141656, 2374374.38853168, 34566.7781251492},
		// options(survey.lonely.psu = 'adjust'); svydesign(ids = ~psu, strata = ~district, weights = ~w, nest = TRUE, data = d2)
		{"lonely adjust", lonely, Design{IDs: []string{"psu"}, Strata: "district", Weights: "w", Nest: true, LonelyPSU: "adjust"},
			6.04101849309624, 0.0990377316361026, 2590280.90638283, 208836.162293937},
		// options(survey.lonely.psu = 'average'); same design
		{"lonely average", lonely, Design{IDs: []string{"psu"}, Strata: "district", Weights: "w", Nest: true, LonelyPSU: "average"},
			6.04101849309624, math.NaN(), 2590280.90638283, 228271.702444924},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Run(tc.tab, &tc.design, queries)
			if err != nil {
				t.Fatal(err)
			}
			m, _ := res.Get("m")
			tot, _ := res.Get("t")
			check := func(what string, got, want, tol float64) {
				if math.IsNaN(want) {
					return
				}
				if math.Abs(got-want) > tol*math.Abs(want) {
					t.Errorf("%s: got %.15g, want %.15g", what, got, want)
				}
			}
			check("mean", m.Estimate, tc.mean, 1e-9)
			check("mean SE", m.SE, tc.meanSE, 1e-6)
			check("total", tot.Estimate, tc.total, 1e-9)
			check("total SE", tot.SE, tc.totSE, 1e-6)
		})
	}
}

// TestDomainDeffAgainstR checks domain totals with design effects and domain
// ratios on apiclus1 against R survey 4.1-1:
//
//	des <- svydesign(ids = ~dnum, weights = ~pw, fpc = ~fpc, data = d)
//	svyby(~enroll, ~stype, des, svytotal, na.rm = TRUE, deff = TRUE)
//	svyby(~meals, ~stype, des, svyratio, denominator = ~ell, na.rm = TRUE)
func TestDomainDeffAgainstR(t *testing.T) {
	dir := filepath.Join(casesDir, "api_clus1")
	f, err := os.Open(filepath.Join(dir, "data.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tab, err := ReadCSV(f)
	if err != nil {
		t.Fatal(err)
	}
	design := &Design{IDs: []string{"dnum"}, Weights: "pw", FPC: []string{"fpc"}}
	res, err := Run(tab, design, []Query{
		{ID: "t", Kind: "total", Var: "enroll", By: []string{"stype"}, Deff: true},
		{ID: "r", Kind: "ratio", Num: "meals", Den: "ell", By: []string{"stype"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][3]float64{ // estimate, SE, deff
		"t/E": {2109717.126834866, 631349.386275109, 125.03907530965466},
		"t/H": {535594.869567870, 226716.594706410, 4.64581574185746},
		"t/M": {759628.138126372, 213635.484268131, 13.01493170550286},
		"r/E": {1.78788587464921, 0.237708226214097, math.NaN()},
		"r/H": {2.50476190476190, 0.606215870541867, math.NaN()},
		"r/M": {1.89947089947090, 0.224776414820082, math.NaN()},
	}
	for _, id := range []string{"t", "r"} {
		r, _ := res.Get(id)
		for _, row := range r.By {
			w := want[id+"/"+row.Key[0].Value]
			if math.Abs(row.Estimate-w[0]) > 1e-9*math.Abs(w[0]) || math.Abs(row.SE-w[1]) > 1e-6*w[1] {
				t.Errorf("%s %s: got %.15g (SE %.15g), want %.15g (SE %.15g)", id, row.Key[0].Value, row.Estimate, row.SE, w[0], w[1])
			}
			if !math.IsNaN(w[2]) && (row.Deff == nil || math.Abs(*row.Deff-w[2]) > 1e-6*w[2]) {
				t.Errorf("%s %s: deff %v, want %.15g", id, row.Key[0].Value, row.Deff, w[2])
			}
		}
	}
}
