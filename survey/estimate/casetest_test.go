package estimate

import (
	"os"
	"path/filepath"
	"testing"
)

// casesDir is the repo's copy of the reference cases (R survey 4.1-1).
const casesDir = "../../stats/testdata/estimation"

// caseNames lists the case folders.
func caseNames(t *testing.T) []string {
	t.Helper()
	ents, err := os.ReadDir(casesDir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		if e.IsDir() {
			names = append(names, e.Name())
		}
	}
	if len(names) == 0 {
		t.Fatal("no case folders")
	}
	return names
}

// runCase reads a case folder and runs it.
func runCase(t *testing.T, dir string) []byte {
	t.Helper()
	open := func(name string) *os.File {
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		return f
	}
	tab, err := ReadCSV(open("data.csv"))
	if err != nil {
		t.Fatalf("data.csv: %v", err)
	}
	d, err := ReadDesign(open("design.json"))
	if err != nil {
		t.Fatalf("design.json: %v", err)
	}
	qs, err := ReadQueries(open("queries.json"))
	if err != nil {
		t.Fatalf("queries.json: %v", err)
	}
	res, err := Run(tab, d, qs)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	b, err := res.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestCases runs every reference case through Run and compares every
// figure with R's answers in expected.json within the README's tolerances.
func TestCases(t *testing.T) {
	for _, name := range caseNames(t) {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(casesDir, name)
			got := runCase(t, dir)
			want, err := os.ReadFile(filepath.Join(dir, "expected.json"))
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range CompareAnswers(got, want, Iterative(dir)) {
				t.Error(p)
			}
		})
	}
}
