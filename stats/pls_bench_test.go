package stats

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// reportCPU adds the CPU milliseconds per operation to a benchmark's
// figures: on this shared 2-core machine the wall time mostly measures the
// other helpers' load, the CPU time the work done.
func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64(cpuTime()-start)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
}

// plsCSV, when set, makes TestPLSBenchData write the benchmark's data set
// (data.csv, model.json) into that directory for the R timing
// (docs/PERFORMANCE.md: Rscript testdata/pls/compare.R DIR --write).
var plsCSV = flag.String("plscsv", "", "write the synthetic 20,000-interview CCSI survey to this directory")

// plsBench is a synthetic service-industry survey shaped like the CCSI
// model: 20,000 interviews in 13 district strata of 20 interview sites
// (PSUs), unequal weights, 7 constructs with 3–4 items on 1–10.
type plsBench struct {
	header []string
	cols   [][]float64
	w      []float64
	des    PLSDesign
	spec   PLSSpec
	model  PLSModel
}

const plsBenchN = 20000

func newPLSBench() *plsBench {
	rng := rand.New(rand.NewPCG(20261204, 11))
	type con struct {
		name  string
		items int
	}
	cons := []con{{"IMAG", 4}, {"EXPE", 3}, {"QUAL", 4}, {"VAL", 3}, {"SAT", 4}, {"COMP", 3}, {"LOY", 3}}
	paths := [][2]string{{"IMAG", "EXPE"}, {"EXPE", "QUAL"}, {"EXPE", "VAL"}, {"QUAL", "VAL"},
		{"IMAG", "SAT"}, {"EXPE", "SAT"}, {"QUAL", "SAT"}, {"VAL", "SAT"}, {"SAT", "COMP"},
		{"IMAG", "LOY"}, {"SAT", "LOY"}, {"COMP", "LOY"}}
	coef := map[[2]string]float64{}
	for k, p := range paths {
		coef[p] = []float64{0.45, 0.5, 0.3, 0.35, 0.15, 0.1, 0.3, 0.25, -0.4, 0.25, 0.35, -0.2}[k]
	}
	b := &plsBench{w: make([]float64, plsBenchN), des: PLSDesign{Strata: make([]int, plsBenchN), PSU: make([]int, plsBenchN)}}
	b.spec = PLSSpec{Scheme: PLSPath, IndexScale: []float64{1, 10}}
	lv := make([][]float64, len(cons))
	site := make([]float64, 13*20) // a site effect, so PSUs matter
	for i := range site {
		site[i] = 0.3 * rng.NormFloat64()
	}
	for i := 0; i < plsBenchN; i++ {
		b.des.Strata[i] = i % 13
		b.des.PSU[i] = (i / 13) % 20
		b.w[i] = 0.5 + 1.5*rng.Float64()
	}
	for k, c := range cons {
		lv[k] = make([]float64, plsBenchN)
		var pred []int
		for _, p := range paths {
			if p[1] == c.name {
				for m := range cons {
					if cons[m].name == p[0] {
						pred = append(pred, m)
					}
				}
			}
		}
		for i := range lv[k] {
			v := 0.0
			var ex float64
			for _, m := range pred {
				cf := coef[[2]string{cons[m].name, c.name}]
				v += cf * lv[m][i]
				ex += cf * cf
			}
			v += math.Sqrt(math.Max(1-ex, 0.2)) * rng.NormFloat64()
			if k == 0 {
				v += site[b.des.Strata[i]*20+b.des.PSU[i]]
			}
			lv[k][i] = v
		}
		cs := PLSConstructSpec{Name: c.name}
		for j := 0; j < c.items; j++ {
			name := fmt.Sprintf("%s%d", c.name, j+1)
			load := 0.7 + 0.05*float64(j)
			col := make([]float64, plsBenchN)
			for i := range col {
				x := math.Round(7 + 1.6*(load*lv[k][i]+math.Sqrt(1-load*load)*rng.NormFloat64()))
				col[i] = math.Min(10, math.Max(1, x))
			}
			b.header = append(b.header, name)
			b.cols = append(b.cols, col)
			cs.Indicators = append(cs.Indicators, name)
		}
		b.spec.Constructs = append(b.spec.Constructs, cs)
	}
	b.spec.Paths = paths
	var err error
	if b.model, err = b.spec.Model(b.header); err != nil {
		panic(err)
	}
	return b
}

// TestPLSBenchData checks the benchmark's data set (rows, items on 1–10,
// the model fits with the simulated signs); with -plscsv it writes it for R.
func TestPLSBenchData(t *testing.T) {
	b := newPLSBench()
	if len(b.cols) != 24 || len(b.cols[0]) != plsBenchN {
		t.Fatalf("%d items × %d rows, want 24 × %d", len(b.cols), len(b.cols[0]), plsBenchN)
	}
	for j, c := range b.cols {
		for _, v := range c {
			if v < 1 || v > 10 || v != math.Trunc(v) {
				t.Fatalf("item %s has value %g", b.header[j], v)
			}
		}
	}
	r, err := FitPLS(b.cols, nil, b.model)
	if err != nil {
		t.Fatal(err)
	}
	if r.Paths.At(5, 4) >= 0 || r.Paths.At(1, 0) < 0.3 || r.GoF < 0.3 {
		t.Errorf("COMP<-SAT %g, EXPE<-IMAG %g, GoF %g: not the simulated model", r.Paths.At(5, 4), r.Paths.At(1, 0), r.GoF)
	}
	if *plsCSV == "" {
		return
	}
	if err := os.MkdirAll(*plsCSV, 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(filepath.Join(*plsCSV, "data.csv"))
	if err != nil {
		t.Fatal(err)
	}
	bw := bufio.NewWriter(f)
	for j, h := range b.header {
		if j > 0 {
			bw.WriteByte(',')
		}
		bw.WriteString(h)
	}
	bw.WriteByte('\n')
	for i := 0; i < plsBenchN; i++ {
		for j := range b.cols {
			if j > 0 {
				bw.WriteByte(',')
			}
			bw.WriteString(strconv.FormatFloat(b.cols[j][i], 'g', -1, 64))
		}
		bw.WriteByte('\n')
	}
	if err := bw.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	mj, _ := json.MarshalIndent(b.spec, "", "  ")
	if err := os.WriteFile(filepath.Join(*plsCSV, "model.json"), mj, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s: Go path SAT<-QUAL %.15g, GoF %.15g", *plsCSV, r.Paths.At(4, 2), r.GoF)
}

// BenchmarkPLSFit is one model fit on 20,000 interviews, 7 constructs,
// 24 items (target < 100 ms); unweighted, as R plspm is timed.
func BenchmarkPLSFit(b *testing.B) {
	d := newPLSBench()
	b.ResetTimer()
	cpu0 := cpuTime()
	defer func() { reportCPU(b, cpu0) }()
	for b.Loop() {
		if _, err := FitPLS(d.cols, nil, d.model); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPLSFitWeighted is the same fit with sampling weights and 3% of
// the answers missing (don't know), replaced by the respondent's block mean.
func BenchmarkPLSFitWeighted(b *testing.B) {
	d := newPLSBench()
	plsBenchHoles(d)
	b.ResetTimer()
	cpu0 := cpuTime()
	defer func() { reportCPU(b, cpu0) }()
	for b.Loop() {
		if _, err := FitPLS(d.cols, d.w, d.model); err != nil {
			b.Fatal(err)
		}
	}
}

func plsBenchHoles(d *plsBench) {
	rng := rand.New(rand.NewPCG(3, 3))
	for _, c := range d.cols {
		for i := range c {
			if rng.Float64() < 0.03 {
				c[i] = math.NaN()
			}
		}
	}
}

// BenchmarkPLSBootstrap1000 is 1,000 bootstrap replicates of the weighted
// fit, resampling the 20 sites within each of 13 districts, on every core
// (target < 10 s).
func BenchmarkPLSBootstrap1000(b *testing.B) {
	benchPLSBoot(b, PLSMeanReplace)
}

// BenchmarkPLSBootstrap1000Rows resamples single interviews (no PSUs) of
// the unweighted, complete data: what plspm(boot.val = TRUE, br = 1000)
// does on the same data.
func BenchmarkPLSBootstrap1000Rows(b *testing.B) {
	d := newPLSBench()
	b.ResetTimer()
	cpu0 := cpuTime()
	defer func() { reportCPU(b, cpu0) }()
	for b.Loop() {
		bt, err := BootstrapPLS(d.cols, nil, d.model, PLSDesign{}, PLSBootOptions{Reps: 1000, Seed: 1})
		if err != nil || bt.Failed > 0 {
			b.Fatal(err, bt)
		}
	}
}

// BenchmarkPLSBootstrap1000Pairwise is the design bootstrap with pairwise
// moments recomputed on each replicate.
func BenchmarkPLSBootstrap1000Pairwise(b *testing.B) {
	benchPLSBoot(b, PLSPairwise)
}

func benchPLSBoot(b *testing.B, missing string) {
	d := newPLSBench()
	plsBenchHoles(d)
	d.model.Missing = missing
	b.ResetTimer()
	cpu0 := cpuTime()
	defer func() { reportCPU(b, cpu0) }()
	for b.Loop() {
		bt, err := BootstrapPLS(d.cols, d.w, d.model, d.des, PLSBootOptions{Reps: 1000, Seed: 1})
		if err != nil {
			b.Fatal(err)
		}
		if bt.Failed > 0 {
			b.Fatalf("%d replicates failed", bt.Failed)
		}
	}
}
