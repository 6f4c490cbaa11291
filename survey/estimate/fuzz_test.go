package estimate

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// seedFiles adds every case's copy of the named file to the corpus, cut to
// its first 4 KB so that mutation and minimization stay fast.
func seedFiles(f *testing.F, name string) {
	ents, err := os.ReadDir(casesDir)
	if err != nil {
		f.Fatal(err)
	}
	for _, e := range ents {
		if b, err := os.ReadFile(filepath.Join(casesDir, e.Name(), name)); err == nil {
			if len(b) > 4096 && name == "data.csv" {
				b = b[:bytes.LastIndexByte(b[:4096], '\n')+1]
			}
			f.Add(b)
		}
	}
}

// fixedTable is a small data set the design and query fuzzers run against.
func fixedTable(f *testing.F) *Table {
	b, err := os.ReadFile(filepath.Join(casesDir, "api_clus1", "data.csv"))
	if err != nil {
		f.Fatal(err)
	}
	t, err := ReadCSV(bytes.NewReader(b))
	if err != nil {
		f.Fatal(err)
	}
	return t
}

// FuzzReadCSV checks that no input makes the CSV reader panic, and that a
// table it accepts survives WriteCSV and ReadCSV unchanged.
func FuzzReadCSV(f *testing.F) {
	seedFiles(f, "data.csv")
	f.Add([]byte("\xef\xbb\xbfa,b\n1,x\nNA,\n"))
	f.Add([]byte("a,a\n1,2\n"))
	f.Add([]byte("a\n\"unterminated\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		tab, err := ReadCSV(bytes.NewReader(data))
		if err != nil {
			return
		}
		var buf bytes.Buffer
		if err := WriteCSV(&buf, tab); err != nil {
			t.Fatalf("WriteCSV: %v", err)
		}
		back, err := ReadCSV(&buf)
		if err != nil {
			t.Fatalf("ReadCSV of WriteCSV output: %v", err)
		}
		if back.Rows() != tab.Rows() || len(back.Columns()) != len(tab.Columns()) {
			t.Fatalf("round trip: %d×%d, want %d×%d", back.Rows(), len(back.Columns()), tab.Rows(), len(tab.Columns()))
		}
		for j, c := range tab.Columns() {
			bc := back.Columns()[j]
			if bc.Numeric != c.Numeric {
				t.Fatalf("column %q: numeric %v after round trip, want %v", c.Name, bc.Numeric, c.Numeric)
			}
		}
	})
}

// FuzzDesignJSON checks that no design file makes ReadDesign or BuildDesign
// panic.
func FuzzDesignJSON(f *testing.F) {
	seedFiles(f, "design.json")
	f.Add([]byte(`{"ids": ["dnum"], "fpc": ["fpc"], "weights": "pw", "replicates": {"type": "bootstrap", "count": 3, "seed": 1}}`))
	f.Add([]byte(`{"strata": "stype", "weights": "pw", "replicates": {"type": "BRR"}}`))
	f.Add([]byte(`{"ids": ["dnum"], "lonely_psu": "adjust", "calibration": {"method": "poststratify", "margins": [{"variables": ["stype", "sch.wide"], "totals": {"E|Yes": 1}}]}}`))
	tab := fixedTable(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := ReadDesign(bytes.NewReader(data))
		if err != nil {
			return
		}
		if d.Replicates != nil && d.Replicates.Count > 50 {
			return // valid but slow; not what the fuzzer is for
		}
		BuildDesign(tab, d)
	})
}

// FuzzQueriesJSON checks that no queries file makes ReadQueries or Run
// panic.
func FuzzQueriesJSON(f *testing.F) {
	seedFiles(f, "queries.json")
	f.Add([]byte(`[{"id": "p", "kind": "proportion", "var": "stype", "value": "E", "ci": "beta", "by": ["sch.wide"]}]`))
	f.Add([]byte(`[{"id": "i", "kind": "index", "items": [{"var": "api00", "weight": 1, "min": 200, "max": 1000}], "by": ["stype"]}, {"id": "c", "kind": "contrast", "of": "i", "a": {"stype": "E"}, "b": {"stype": "H"}}]`))
	tab := fixedTable(f)
	b, err := os.ReadFile(filepath.Join(casesDir, "api_clus1", "design.json"))
	if err != nil {
		f.Fatal(err)
	}
	d, err := ReadDesign(bytes.NewReader(b))
	if err != nil {
		f.Fatal(err)
	}
	des, err := BuildDesign(tab, d)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		qs, err := ReadQueries(bytes.NewReader(data))
		if err != nil {
			return
		}
		res, err := RunOn(des, tab, qs)
		if err != nil {
			return
		}
		if _, err := res.MarshalJSON(); err != nil {
			t.Fatal(err)
		}
	})
}
