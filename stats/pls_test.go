package stats

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// plsCase is one reference case of testdata/pls: data.csv, model.json and
// plspm's expected.json.
type plsCase struct {
	name   string
	header []string
	cols   [][]float64
	model  PLSModel
	want   plsExpected
	// weight column, if the model names one
}

type plsModelFile struct {
	Constructs []struct {
		Name       string   `json:"name"`
		Indicators []string `json:"indicators"`
		Mode       string   `json:"mode"`
	} `json:"constructs"`
	Paths       [][2]string `json:"paths"`
	Scheme      string      `json:"scheme"`
	Standardize bool        `json:"standardize"`
	IndexScale  []float64   `json:"index_scale"`
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

func loadPLSCase(t *testing.T, dir string) plsCase {
	t.Helper()
	c := plsCase{name: filepath.Base(dir)}
	f, err := os.Open(filepath.Join(dir, "data.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	c.header = recs[0]
	col := map[string]int{}
	c.cols = make([][]float64, len(c.header))
	for j, h := range c.header {
		col[h] = j
	}
	for i, r := range recs[1:] {
		for j, s := range r {
			v := math.NaN()
			if s != "" && s != "NA" {
				v, err = strconv.ParseFloat(s, 64)
				if err != nil {
					t.Fatalf("row %d col %d: %v", i+2, j+1, err)
				}
			}
			c.cols[j] = append(c.cols[j], v)
		}
	}
	var mf plsModelFile
	b, err := os.ReadFile(filepath.Join(dir, "model.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &mf); err != nil {
		t.Fatal(err)
	}
	bi := map[string]int{}
	for k, con := range mf.Constructs {
		bl := PLSBlock{Name: con.Name, Mode: con.Mode}
		for _, ind := range con.Indicators {
			bl.Indicators = append(bl.Indicators, col[ind])
		}
		bi[con.Name] = k
		c.model.Blocks = append(c.model.Blocks, bl)
	}
	for _, p := range mf.Paths {
		c.model.Paths = append(c.model.Paths, [2]int{bi[p[0]], bi[p[1]]})
	}
	c.model.Scheme = mf.Scheme
	c.model.Standardize = mf.Standardize
	if len(mf.IndexScale) == 2 {
		c.model.IndexScale = [2]float64{mf.IndexScale[0], mf.IndexScale[1]}
	}
	b, err = os.ReadFile(filepath.Join(dir, "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &c.want); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestPLSFixtures(t *testing.T) {
	dirs, _ := filepath.Glob("testdata/pls/*/expected.json")
	if len(dirs) == 0 {
		t.Fatal("no PLS fixtures in testdata/pls")
	}
	for _, e := range dirs {
		dir := filepath.Dir(e)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			c := loadPLSCase(t, dir)
			r, err := FitPLS(c.cols, nil, c.model)
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
