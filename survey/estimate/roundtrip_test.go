package estimate

import (
	"bytes"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

// TestInMemoryRoundTrip builds a table, design and queries in memory (as the
// results page does), runs them, writes the three files (as the export
// does), reads them back and runs again: the answers must be identical to
// the byte, so `manyi estimate` on an export prints the page's numbers.
func TestInMemoryRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const n = 600
	district := make([]string, n)
	psu := make([]float64, n)
	w := make([]float64, n)
	gender := make([]string, n)
	q1 := make([]float64, n)
	q2 := make([]float64, n)
	for i := 0; i < n; i++ {
		district[i] = "区" + strconv.Itoa(i%3+1)
		psu[i] = float64(i%3*10 + rng.IntN(4))
		w[i] = 100 + 50*rng.Float64()
		gender[i] = []string{"男", "女"}[rng.IntN(2)]
		q1[i] = float64(1 + rng.IntN(10))
		q2[i] = float64(1 + rng.IntN(10))
		if rng.IntN(15) == 0 {
			q1[i] = math.NaN()
		}
		if rng.IntN(15) == 0 {
			q2[i] = 99
		}
	}
	tab := NewTable(n)
	for _, err := range []error{
		tab.AddText("district", district),
		tab.AddNumeric("psu", psu),
		tab.AddNumeric("w", w),
		tab.AddText("gender", gender),
		tab.AddNumeric("q1", q1),
		tab.AddNumeric("q2", q2),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	design := &Design{IDs: []string{"psu"}, Strata: "district", Weights: "w", Nest: true,
		Calibration: &Calibration{Method: "raking", Margins: []Margin{
			{Variables: []string{"gender"}, Totals: map[string]float64{"男": 40000, "女": 41000}},
			{Variables: []string{"district"}, Totals: map[string]float64{"区1": 30000, "区2": 26000, "区3": 25000}},
		}}}
	items := []Item{{Var: "q1", Weight: 1, Min: 1, Max: 10}, {Var: "q2", Weight: 2, Min: 1, Max: 10}}
	queries := []Query{
		{ID: "index", Kind: "index", Items: items, DF: "design"},
		{ID: "index_by", Kind: "index", Items: items, By: []string{"district"}},
		{ID: "diff", Kind: "contrast", Of: "index_by", A: map[string]string{"district": "区1"}, B: map[string]string{"district": "区3"}},
		{ID: "mean_q1", Kind: "mean", Var: "q1", Deff: true},
		{ID: "women", Kind: "proportion", Var: "gender", Value: "女", CI: "logit"},
		{ID: "reg", Kind: "regression", Y: "q1", X: []string{"q2"}},
	}
	first, err := Run(tab, design, queries)
	if err != nil {
		t.Fatal(err)
	}
	var csvb, db, qb bytes.Buffer
	if err := WriteCSV(&csvb, tab); err != nil {
		t.Fatal(err)
	}
	if err := WriteDesign(&db, design); err != nil {
		t.Fatal(err)
	}
	if err := WriteQueries(&qb, queries); err != nil {
		t.Fatal(err)
	}
	tab2, err := ReadCSV(&csvb)
	if err != nil {
		t.Fatal(err)
	}
	design2, err := ReadDesign(&db)
	if err != nil {
		t.Fatal(err)
	}
	queries2, err := ReadQueries(&qb)
	if err != nil {
		t.Fatal(err)
	}
	second, err := Run(tab2, design2, queries2)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := first.MarshalJSON()
	b, _ := second.MarshalJSON()
	if !bytes.Equal(a, b) {
		t.Errorf("answers differ after writing and reading the files:\n%s\nwant\n%s", b, a)
	}
	if r, ok := first.Get("index_by"); !ok || len(r.By) != 3 {
		t.Errorf("index_by: got %+v, want 3 domains", r)
	}
}

// TestReadCSV checks missing values, the byte-order mark and numeric
// detection.
func TestReadCSV(t *testing.T) {
	tab, err := ReadCSV(bytes.NewReader([]byte("\xef\xbb\xbfa,b,c\n1,x,\nNA,y,2.5\n3,,1e3\n")))
	if err != nil {
		t.Fatal(err)
	}
	a, b, c := tab.Column("a"), tab.Column("b"), tab.Column("c")
	if a == nil || b == nil || c == nil {
		t.Fatalf("columns %v, want a, b, c (BOM stripped)", tab.Columns())
	}
	if !a.Numeric || !math.IsNaN(a.Num[1]) || a.Num[2] != 3 {
		t.Errorf("a: numeric %v values %v, want numeric [1 NaN 3]", a.Numeric, a.Num)
	}
	if b.Numeric || !b.Missing[2] || b.Raw[0] != "x" {
		t.Errorf("b: numeric %v missing %v, want categorical with row 3 missing", b.Numeric, b.Missing)
	}
	if !c.Numeric || c.Num[2] != 1000 || !c.Missing[0] {
		t.Errorf("c: %v, want [NaN 2.5 1000]", c.Num)
	}
	for _, bad := range []string{"", "a,a\n1,2\n", "a,b\n1\n", "a,\n1,2\n"} {
		if _, err := ReadCSV(bytes.NewReader([]byte(bad))); err == nil {
			t.Errorf("ReadCSV(%q): no error", bad)
		}
	}
}
