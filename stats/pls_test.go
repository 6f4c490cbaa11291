package stats

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
)

// plsCase is one reference case of testdata/pls: data.csv, model.json,
// plspm's expected.json and (for the cases made here) reliability.json.
type plsCase struct {
	name   string
	header []string
	cols   [][]float64
	w      []float64
	spec   PLSSpec
	model  PLSModel
	want   plsExpected
	rel    *plsReliability
}

type plsExpected struct {
	PathCoefficients map[string]float64 `json:"path_coefficients"`
	OuterWeights     map[string]float64 `json:"outer_weights"`
	Loadings         map[string]float64 `json:"loadings"`
	R2               map[string]float64 `json:"r2"`
	AVE              map[string]float64 `json:"ave"`
	TotalEffects     map[string]float64 `json:"total_effects"`
	GoF              float64            `json:"gof"`
	Index            map[string]float64 `json:"index"`
}

type plsReliability struct {
	Alpha map[string]float64 `json:"cronbach_alpha"`
	Rho   map[string]float64 `json:"composite_reliability"`
}

// readPLSCSV reads a numeric CSV with a header into columns (empty or NA:
// NaN).
func readPLSCSV(t *testing.T, path string) ([]string, [][]float64) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	cols := make([][]float64, len(recs[0]))
	for i, r := range recs[1:] {
		for j, s := range r {
			v := math.NaN()
			if s != "" && s != "NA" {
				v, err = strconv.ParseFloat(s, 64)
				if err != nil {
					t.Fatalf("%s row %d col %d: %v", path, i+2, j+1, err)
				}
			}
			cols[j] = append(cols[j], v)
		}
	}
	return recs[0], cols
}

func loadPLSCase(t *testing.T, dir string) plsCase {
	t.Helper()
	c := plsCase{name: filepath.Base(dir)}
	c.header, c.cols = readPLSCSV(t, filepath.Join(dir, "data.csv"))
	readJSON := func(name string, v any) bool {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if os.IsNotExist(err) {
			return false
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, v); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return true
	}
	readJSON("model.json", &c.spec)
	readJSON("expected.json", &c.want)
	var rel plsReliability
	if readJSON("reliability.json", &rel) {
		c.rel = &rel
	}
	var err error
	if c.model, err = c.spec.Model(c.header); err != nil {
		t.Fatal(err)
	}
	if c.spec.Weight != "" {
		c.w = c.cols[slices.Index(c.header, c.spec.Weight)]
	}
	return c
}

// plsCases loads every case under testdata/pls.
func plsCases(t *testing.T) []plsCase {
	t.Helper()
	dirs, _ := filepath.Glob("testdata/pls/*/expected.json")
	if len(dirs) < 4 {
		t.Fatalf("%d PLS cases in testdata/pls, want 4", len(dirs))
	}
	var out []plsCase
	for _, e := range dirs {
		out = append(out, loadPLSCase(t, filepath.Dir(e)))
	}
	return out
}

func TestPLSFixtures(t *testing.T) {
	for _, c := range plsCases(t) {
		t.Run(c.name, func(t *testing.T) {
			r, err := FitPLS(c.cols, c.w, c.model)
			if err != nil {
				t.Fatal(err)
			}
			const tol = 1e-6 // README: every figure within 1e-6 (absolute), plspm 0.4.9
			chk := func(what string, got, want float64) {
				t.Helper()
				if math.Abs(got-want) > tol {
					t.Errorf("%s = %.12g, want %.12g (plspm)", what, got, want)
				}
			}
			names := func(b int) string { return c.model.Blocks[b].Name }
			for b, bl := range c.model.Blocks {
				for k, j := range bl.Indicators {
					chk("weight "+c.header[j], r.OuterWeights[b][k], c.want.OuterWeights[c.header[j]])
					chk("loading "+c.header[j], r.Loadings[b][k], c.want.Loadings[c.header[j]])
				}
				chk("R² "+bl.Name, r.R2[b], c.want.R2[bl.Name])
				chk("AVE "+bl.Name, r.AVE[b], c.want.AVE[bl.Name])
				if c.rel != nil {
					chk("alpha "+bl.Name, r.CronbachAlpha[b], c.rel.Alpha[bl.Name])
					chk("rho "+bl.Name, r.CompositeReliability[b], c.rel.Rho[bl.Name])
				}
				if c.want.Index != nil {
					chk("index "+bl.Name, r.Indices[b], c.want.Index[bl.Name])
				}
			}
			for _, p := range c.model.Paths {
				key := names(p[1]) + "<-" + names(p[0])
				chk("path "+key, r.Paths.At(p[1], p[0]), c.want.PathCoefficients[key])
			}
			for key, v := range c.want.TotalEffects {
				var f, to string
				fmt.Sscanf(key, "%s -> %s", &f, &to)
				var fi, ti int = -1, -1
				for b := range c.model.Blocks {
					if names(b) == f {
						fi = b
					}
					if names(b) == to {
						ti = b
					}
				}
				chk("total "+key, r.TotalEffects.At(ti, fi), v)
			}
			chk("GoF", r.GoF, c.want.GoF)
		})
	}
}
