package stats

import (
	"bufio"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
)

// cityCSV, when set, makes TestCitySurveyData write the benchmark's data set
// as CSV for the R comparison (testdata/r/bench_city.R).
var cityCSV = flag.String("citycsv", "", "write the synthetic 200k city survey to this CSV file")

// city is a synthetic city survey: 12 district strata of 50 community PSUs
// (drawn from N_psu = 400 each), 200,000 respondents with unequal weights,
// gender × age band and district census totals, 30 items on 1–10 in 5
// domains of 6 with 5% item nonresponse (half blank, half the don't-know
// code 99), and the overall item.
type city struct {
	n        int
	district []int
	psu      []int
	npsu     []float64
	w        []float64
	gender   []int // 0 M, 1 F
	age      []int // 0..3
	items    [][]float64
	overall  []float64
	distPop  []float64
	cellPop  []float64 // gender*4 + age
}

const (
	cityN         = 200000
	cityDistricts = 12
	cityPSUs      = 50 // per district
	cityItems     = 30
)

// newCity generates the data set from a seeded source.
func newCity(seed uint64) *city {
	rng := rand.New(rand.NewPCG(seed, 20261127))
	c := &city{n: cityN}
	c.distPop = make([]float64, cityDistricts)
	for h := range c.distPop {
		c.distPop[h] = math.Round(150000 + 900000*rng.Float64())
	}
	shares := []float64{0.12, 0.15, 0.12, 0.11, 0.12, 0.15, 0.12, 0.11}
	c.cellPop = make([]float64, 8)
	popTotal := sum(c.distPop)
	for k, s := range shares {
		c.cellPop[k] = s * popTotal
	}
	perDistrict := cityN / cityDistricts
	c.district = make([]int, cityN)
	c.psu = make([]int, cityN)
	c.npsu = make([]float64, cityN)
	c.w = make([]float64, cityN)
	c.gender = make([]int, cityN)
	c.age = make([]int, cityN)
	c.overall = make([]float64, cityN)
	c.items = make([][]float64, cityItems)
	for k := range c.items {
		c.items[k] = make([]float64, cityN)
	}
	psuEffect := make([]float64, cityDistricts*cityPSUs)
	for j := range psuEffect {
		psuEffect[j] = 0.15 * rng.NormFloat64()
	}
	for i := 0; i < cityN; i++ {
		h := min(i/perDistrict, cityDistricts-1)
		c.district[i] = h
		p := rng.IntN(cityPSUs)
		c.psu[i] = h*cityPSUs + p
		c.npsu[i] = 400
		c.w[i] = c.distPop[h] / float64(perDistrict) * (0.5 + rng.Float64())
		c.gender[i] = rng.IntN(2)
		c.age[i] = rng.IntN(4)
		base := 6.5 + 0.15*float64(h%5) - 0.2*float64(c.age[i]) + psuEffect[c.psu[i]]
		tot := 0.0
		for k := range c.items {
			v := math.Round(base + float64(k/6)*0.2 + 1.6*rng.NormFloat64())
			v = math.Max(1, math.Min(10, v))
			tot += v
			switch u := rng.Float64(); {
			case u < 0.025:
				v = math.NaN()
			case u < 0.05:
				v = 99
			}
			c.items[k][i] = v
		}
		c.overall[i] = math.Max(1, math.Min(10, math.Round(tot/cityItems+rng.NormFloat64())))
	}
	return c
}

// indexItems returns the index items k in [from, to), equal weights.
func (c *city) indexItems(from, to int) []IndexItem {
	it := make([]IndexItem, 0, to-from)
	for k := from; k < to; k++ {
		it = append(it, IndexItem{Values: c.items[k], Weight: 1, Min: 1, Max: 10})
	}
	return it
}

// analyse does the benchmark's work: design, raking on gender × age and
// district, the overall index, 5 domain indices, the index by district and
// the mean of the overall item with its design effect.
func (c *city) analyse() (overall Estimate, domains []Estimate, byDistrict []Estimate, mean Estimate, err error) {
	d, err := NewDesign(DesignSpec{
		Strata:  c.district,
		Stages:  []Stage{{IDs: c.psu, FPC: c.npsu}},
		Weights: c.w,
		Nest:    true,
	})
	if err != nil {
		return
	}
	cells := make([]int, c.n)
	for i := range cells {
		cells[i] = c.gender[i]*4 + c.age[i]
	}
	dl := make([]string, cityDistricts)
	for h := range dl {
		dl[h] = fmt.Sprintf("D%02d", h+1)
	}
	cd, err := d.Calibrate(Calibration{Method: Raking, Margins: []Margin{
		{Name: "gender|agegroup", Cells: cells, Labels: []string{"M|18-29", "M|30-44", "M|45-59", "M|60-70", "F|18-29", "F|30-44", "F|45-59", "F|60-70"}, Totals: c.cellPop},
		{Name: "district", Cells: c.district, Labels: dl, Totals: c.distPop},
	}})
	if err != nil {
		return
	}
	all := c.indexItems(0, cityItems)
	est, err := cd.Index(all, Whole())
	if err != nil {
		return
	}
	overall = est[0]
	for dom := 0; dom < 5; dom++ {
		e, err2 := cd.Index(c.indexItems(dom*6, dom*6+6), Whole())
		if err2 != nil {
			err = err2
			return
		}
		domains = append(domains, e[0])
	}
	byDistrict, err = cd.Index(all, Groups{Code: c.district, Len: cityDistricts})
	if err != nil {
		return
	}
	m, err := cd.Mean(c.overall, Whole())
	if err != nil {
		return
	}
	mean = m[0]
	return
}

// BenchmarkCitySurvey200k times the whole analysis of a 200,000-respondent
// city survey (see analyse); the data are generated once, outside the timer.
// Compare with testdata/r/bench_city.R (docs/PERFORMANCE.md).
func BenchmarkCitySurvey200k(b *testing.B) {
	c := newCity(1)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, _, _, _, err := c.analyse(); err != nil {
			b.Fatal(err)
		}
	}
}

// TestCitySurveyData checks the benchmark's data set has the stated shape and
// that the analysis runs; with -citycsv it also writes the data as CSV (and
// logs the Go answers) for the R comparison.
func TestCitySurveyData(t *testing.T) {
	c := newCity(1)
	psus := map[int]bool{}
	missing, dk, cells := 0, 0, 0
	for i := 0; i < c.n; i++ {
		psus[c.psu[i]] = true
		for k := range c.items {
			cells++
			switch v := c.items[k][i]; {
			case math.IsNaN(v):
				missing++
			case v == 99:
				dk++
			}
		}
	}
	if c.n != 200000 || len(psus) != 600 || len(c.items) != 30 {
		t.Errorf("got %d rows, %d PSUs, %d items, want 200000, 600, 30", c.n, len(psus), len(c.items))
	}
	if r := float64(missing+dk) / float64(cells); math.Abs(r-0.05) > 0.002 {
		t.Errorf("item nonresponse %.4f, want 0.05", r)
	}
	overall, domains, byDistrict, mean, err := c.analyse()
	if err != nil {
		t.Fatal(err)
	}
	if len(domains) != 5 || len(byDistrict) != cityDistricts || !(overall.Value > 0 && overall.Value < 100) || !(mean.Deff > 0) {
		t.Errorf("analysis: overall %v, %d domains, %d districts, deff %v", overall.Value, len(domains), len(byDistrict), mean.Deff)
	}
	if *cityCSV == "" {
		return
	}
	t.Logf("index_all %.15g se %.15g", overall.Value, overall.SE)
	for k, e := range domains {
		t.Logf("index_domain%d %.15g se %.15g", k+1, e.Value, e.SE)
	}
	for h, e := range byDistrict {
		t.Logf("index_D%02d %.15g se %.15g", h+1, e.Value, e.SE)
	}
	t.Logf("mean_overall %.15g se %.15g deff %.15g", mean.Value, mean.SE, mean.Deff)
	if err := c.writeCSV(*cityCSV); err != nil {
		t.Fatal(err)
	}
	pop, err := os.Create(*cityCSV + ".totals.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer pop.Close()
	fmt.Fprintln(pop, "margin,category,total")
	for k, lab := range []string{"M|18-29", "M|30-44", "M|45-59", "M|60-70", "F|18-29", "F|30-44", "F|45-59", "F|60-70"} {
		fmt.Fprintf(pop, "gender_agegroup,%s,%s\n", lab, strconv.FormatFloat(c.cellPop[k], 'g', -1, 64))
	}
	for h, v := range c.distPop {
		fmt.Fprintf(pop, "district,D%02d,%s\n", h+1, strconv.FormatFloat(v, 'g', -1, 64))
	}
}

func (c *city) writeCSV(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	w := bufio.NewWriter(f)
	fmt.Fprint(w, "district,psu,N_psu,w,gender,agegroup")
	for k := range c.items {
		fmt.Fprintf(w, ",q%02d", k+1)
	}
	fmt.Fprintln(w, ",overall")
	ages := []string{"18-29", "30-44", "45-59", "60-70"}
	num := func(v float64) string {
		if math.IsNaN(v) {
			return ""
		}
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	for i := 0; i < c.n; i++ {
		fmt.Fprintf(w, "D%02d,%d,%s,%s,%s,%s", c.district[i]+1, c.psu[i], num(c.npsu[i]), num(c.w[i]), []string{"M", "F"}[c.gender[i]], ages[c.age[i]])
		for k := range c.items {
			fmt.Fprintf(w, ",%s", num(c.items[k][i]))
		}
		fmt.Fprintf(w, ",%s\n", num(c.overall[i]))
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Close()
}
