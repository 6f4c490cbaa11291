package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"manyi/survey/estimate"
)

const estimateCases = "../../stats/testdata/estimation"

// TestEstimateCases runs `manyi estimate` in-process on every reference case
// and compares its JSON with R's expected.json within the README's
// tolerances.
func TestEstimateCases(t *testing.T) {
	ents, err := os.ReadDir(estimateCases)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range ents {
		if !e.IsDir() {
			continue
		}
		n++
		dir := filepath.Join(estimateCases, e.Name())
		t.Run(e.Name(), func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run([]string{"estimate",
				"--data", filepath.Join(dir, "data.csv"),
				"--design", filepath.Join(dir, "design.json"),
				"--queries", filepath.Join(dir, "queries.json")}, &out, &errb)
			if code != 0 {
				t.Fatalf("exit %d, stderr %q", code, errb.String())
			}
			if errb.Len() != 0 {
				t.Errorf("stderr = %q, want empty", errb.String())
			}
			want, err := os.ReadFile(filepath.Join(dir, "expected.json"))
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range estimate.CompareAnswers(out.Bytes(), want, estimate.Iterative(dir)) {
				t.Error(p)
			}
		})
	}
	if n == 0 {
		t.Fatal("no case folders")
	}
}

// TestEstimateTable checks the readable table lists every answer.
func TestEstimateTable(t *testing.T) {
	dir := filepath.Join(estimateCases, "api_strat")
	var out, errb bytes.Buffer
	code := run([]string{"estimate", "--format", "table",
		"--data", filepath.Join(dir, "data.csv"),
		"--design", filepath.Join(dir, "design.json"),
		"--queries", filepath.Join(dir, "queries.json")}, &out, &errb)
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errb.String())
	}
	for _, want := range []string{"mean_api00", "662.28736", "stype=H", "(Intercept)", "90% [646.73791, 677.83682]"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, out.String())
		}
	}
}

// TestEstimateErrors checks that bad input exits 2 with one line on stderr
// naming the problem, and nothing on stdout.
func TestEstimateErrors(t *testing.T) {
	src := filepath.Join(estimateCases, "api_clus1")
	data, _ := os.ReadFile(filepath.Join(src, "data.csv"))
	design, _ := os.ReadFile(filepath.Join(src, "design.json"))
	queries, _ := os.ReadFile(filepath.Join(src, "queries.json"))
	rakedDesign, _ := os.ReadFile(filepath.Join(estimateCases, "api_clus1_raked", "design.json"))
	lines := strings.SplitAfter(string(data), "\n")
	// Row 3 of the data (line 4) gets a non-numeric api00 (column 6).
	f := strings.Split(lines[3], ",")
	f[5] = "abc"
	badNumber := strings.Join(append(append([]string{}, lines[:3]...), strings.Join(f, ",")), "") + strings.Join(lines[4:], "")

	tests := []struct {
		name                  string
		data, design, queries string
		want                  []string
	}{
		{"wrong column", string(data), string(design),
			`[{"id": "m", "kind": "mean", "var": "api_00"}]`,
			[]string{`query "m"`, `unknown column "api_00"`}},
		{"non-numeric value", badNumber, string(design),
			`[{"id": "m", "kind": "mean", "var": "api00"}]`,
			[]string{`column "api00"`, "row 3", `"abc"`}},
		{"empty domain", strings.ReplaceAll(string(data), ",M,", ",X,"), string(design),
			`[{"id": "m", "kind": "mean", "var": "meals", "by": ["stype"]}]`,
			nil},
		{"malformed JSON", string(data), string(design),
			`[{"id": "m", "kind": "mean", "var": "api00", "level": "high"}]`,
			[]string{"queries.json", `"level"`}},
		{"JSON syntax", string(data), `{"ids": ["dnum"],, }`, string(queries),
			[]string{"design.json", "line 1"}},
		{"unknown field", string(data), string(design),
			`[{"id": "m", "kind": "mean", "var": "api00", "vra": "x"}]`,
			[]string{`query 1 ("m")`, `unknown field "vra"`}},
		{"missing field", string(data), string(design),
			`[{"id": "r", "kind": "ratio", "num": "api00"}]`,
			[]string{`query 1 ("r")`, `field "den"`}},
		{"calibration category without total", string(data),
			strings.Replace(string(rakedDesign), `"M": 1018`, `"Z": 1018`, 1), string(queries),
			[]string{`margin "stype"`, `category "M"`}},
		{"calibration target without rows", string(data),
			strings.Replace(string(rakedDesign), `"M": 1018`, `"M": 1013, "X": 5`, 1), string(queries),
			[]string{`margin`, `"X"`}},
	}
	// The empty-domain case: a domain whose variable is missing everywhere.
	{
		ls := strings.SplitAfter(string(data), "\n")
		var b strings.Builder
		b.WriteString(ls[0])
		for _, l := range ls[1:] {
			if l == "" {
				continue
			}
			fs := strings.Split(l, ",")
			if fs[2] == "H" {
				fs[11] = "" // meals missing for every high school
			}
			b.WriteString(strings.Join(fs, ","))
		}
		tests[2].data = b.String()
		tests[2].want = []string{`query "m"`, "stype=H", "empty domain"}
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			write := func(name, s string) string {
				p := filepath.Join(dir, name)
				if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
					t.Fatal(err)
				}
				return p
			}
			var out, errb bytes.Buffer
			code := run([]string{"estimate",
				"--data", write("data.csv", tc.data),
				"--design", write("design.json", tc.design),
				"--queries", write("queries.json", tc.queries)}, &out, &errb)
			if code != 2 {
				t.Errorf("exit %d, want 2", code)
			}
			if out.Len() != 0 {
				t.Errorf("stdout = %q, want empty", out.String())
			}
			msg := errb.String()
			if strings.Count(msg, "\n") != 1 || !strings.HasSuffix(msg, "\n") {
				t.Errorf("stderr = %q, want exactly one line", msg)
			}
			t.Logf("stderr: %s", msg)
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("stderr = %q, want it to contain %s", msg, w)
				}
			}
		})
	}
}

// TestEstimateBOM checks that a CSV with a UTF-8 byte-order mark (as Excel
// writes it) gives the same answers.
func TestEstimateBOM(t *testing.T) {
	src := filepath.Join(estimateCases, "api_strat")
	data, err := os.ReadFile(filepath.Join(src, "data.csv"))
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "data.csv")
	if err := os.WriteFile(p, append([]byte("\xef\xbb\xbf"), data...), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	code := run([]string{"estimate", "--data", p,
		"--design", filepath.Join(src, "design.json"),
		"--queries", filepath.Join(src, "queries.json")}, &out, &errb)
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errb.String())
	}
	want, _ := os.ReadFile(filepath.Join(src, "expected.json"))
	for _, p := range estimate.CompareAnswers(out.Bytes(), want, false) {
		t.Error(p)
	}
}

// TestEstimateUsage checks missing flags and a bad format are one-line errors.
func TestEstimateUsage(t *testing.T) {
	for _, args := range [][]string{
		{"estimate"},
		{"estimate", "--data", "a", "--design", "b", "--queries", "c", "--format", "xml"},
		{"estimate", "--bogus"},
		{"estimate", "--data", "/nonexistent/data.csv", "--design", "/nonexistent/d.json", "--queries", "/nonexistent/q.json"},
	} {
		var out, errb bytes.Buffer
		if code := run(args, &out, &errb); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
		if out.Len() != 0 || strings.Count(errb.String(), "\n") != 1 {
			t.Errorf("%v: stdout %q stderr %q, want no stdout and one line", args, out.String(), errb.String())
		}
	}
}
