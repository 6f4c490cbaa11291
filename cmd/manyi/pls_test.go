package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const plsCases = "../../stats/testdata/pls"

// jsonLeaf is one value of a JSON document with its path.
type jsonLeaf struct {
	path string
	val  any
}

// jsonLeaves flattens a JSON document into its leaves in document order, so
// that two documents of the same shape have the same paths in the same
// order.
func jsonLeaves(t *testing.T, b []byte) []jsonLeaf {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var out []jsonLeaf
	var walk func(path string) error
	walk = func(path string) error {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		switch v := tok.(type) {
		case json.Delim:
			switch v {
			case '{':
				for dec.More() {
					k, err := dec.Token()
					if err != nil {
						return err
					}
					if err := walk(path + "/" + k.(string)); err != nil {
						return err
					}
				}
			case '[':
				for i := 0; dec.More(); i++ {
					if err := walk(fmt.Sprintf("%s[%d]", path, i)); err != nil {
						return err
					}
				}
			}
			_, err := dec.Token() // closing delimiter
			return err
		default:
			out = append(out, jsonLeaf{path, v})
		}
		return nil
	}
	if err := walk(""); err != nil {
		t.Fatalf("bad JSON: %v\n%s", err, b)
	}
	if _, err := dec.Token(); err != io.EOF {
		t.Fatalf("trailing data after the JSON document")
	}
	return out
}

// TestPLSCommandCases runs `manyi pls` in-process on every reference case
// and compares its JSON with plspm's expected.json: the same keys in the
// same order, every number within 1e-6 (README), the reference section's
// text aside.
func TestPLSCommandCases(t *testing.T) {
	dirs, _ := filepath.Glob(filepath.Join(plsCases, "*", "expected.json"))
	if len(dirs) < 4 {
		t.Fatalf("%d cases, want 4", len(dirs))
	}
	for _, e := range dirs {
		dir := filepath.Dir(e)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run([]string{"pls", "--data", filepath.Join(dir, "data.csv"), "--model", filepath.Join(dir, "model.json")}, &out, &errb)
			if code != 0 || errb.Len() != 0 {
				t.Fatalf("exit %d, stderr %q", code, errb.String())
			}
			if bytes.Contains(out.Bytes(), []byte(`\u00`)) {
				t.Errorf("output escapes characters that expected.json writes plainly:\n%.300s", out.String())
			}
			want, err := os.ReadFile(e)
			if err != nil {
				t.Fatal(err)
			}
			g, w := jsonLeaves(t, out.Bytes()), jsonLeaves(t, want)
			if len(g) != len(w) {
				t.Fatalf("%d values, expected.json has %d\n%s", len(g), len(w), out.String())
			}
			for i := range w {
				if g[i].path != w[i].path {
					t.Fatalf("value %d is %s, expected.json has %s", i, g[i].path, w[i].path)
				}
				if strings.HasPrefix(w[i].path, "/reference/") {
					continue
				}
				wn, ok := w[i].val.(json.Number)
				gn, ok2 := g[i].val.(json.Number)
				if !ok || !ok2 {
					t.Errorf("%s = %v, want %v", w[i].path, g[i].val, w[i].val)
					continue
				}
				wf, _ := wn.Float64()
				gf, _ := gn.Float64()
				if math.Abs(gf-wf) > 1e-6 { // README tolerance, plspm 0.4.9
					t.Errorf("%s = %v, want %v (plspm)", w[i].path, gf, wf)
				}
			}
		})
	}
}

func TestPLSCommandTableAndBootstrap(t *testing.T) {
	dir := filepath.Join(plsCases, "ccsi_sim")
	var out, errb bytes.Buffer
	code := run([]string{"pls", "--data", filepath.Join(dir, "data.csv"), "--model", filepath.Join(dir, "model.json"), "--format", "table"}, &out, &errb)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	for _, want := range []string{"600 rows, scheme path", "SAT -> LOY", "0.3017", "66.55", "loading < 0.7"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, out.String())
		}
	}
	out.Reset()
	code = run([]string{"pls", "--data", filepath.Join(dir, "data.csv"), "--model", filepath.Join(dir, "model.json"), "--bootstrap", "20", "--seed", "7"}, &out, &errb)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var got struct {
		Bootstrap struct {
			Replicates int
			Index      map[string]struct{ Estimate, SE, Lo, Hi float64 }
		}
	}
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if s := got.Bootstrap.Index["SAT"]; got.Bootstrap.Replicates != 20 || math.Abs(s.Estimate-66.5511328958632) > 1e-6 || !(s.SE > 0) || !(s.Lo < s.Hi) {
		t.Errorf("bootstrap: %+v", got.Bootstrap)
	}
}

// TestPLSCommandErrors: bad input exits 2 with one line saying what is
// wrong and where.
func TestPLSCommandErrors(t *testing.T) {
	dir := t.TempDir()
	good, err := os.ReadFile(filepath.Join(plsCases, "ccsi_sim", "data.csv"))
	if err != nil {
		t.Fatal(err)
	}
	const model = `{"constructs":[{"name":"IMAG","indicators":["img1","img2","img3"]},{"name":"EXPE","indicators":["exp1","exp2","exp3"]},{"name":"SAT","indicators":["sat1","sat2","sat3"]}],
	"paths":[["IMAG","EXPE"],["EXPE","SAT"]],"scheme":"path","standardize":false,"index_scale":[1,10]}`
	lines := strings.Split(string(good), "\n")
	lines[5] = strings.Replace(lines[5], "7", "seven", 1) // data row 5, column of the first 7
	badCell := strings.Join(lines, "\n")
	constant := func() string {
		ls := strings.Split(string(good), "\n")
		for i := 1; i < len(ls); i++ {
			if ls[i] == "" {
				continue
			}
			f := strings.Split(ls[i], ",")
			f[12], f[13], f[14] = "5", "5", "5" // sat1..sat3
			ls[i] = strings.Join(f, ",")
		}
		return strings.Join(ls, "\n")
	}()
	cases := []struct {
		name, model, data, want string
		args                    []string
	}{
		{name: "indicator not in data", model: strings.Replace(model, `"img3"`, `"img9"`, 1), want: `indicator "img9" of construct "IMAG" is not in the data`},
		{name: "no indicators", model: strings.Replace(model, `["exp1","exp2","exp3"]`, `[]`, 1), want: `construct "EXPE" has no indicators`},
		{name: "unknown construct", model: strings.Replace(model, `["EXPE","SAT"]`, `["EXPE","SATX"]`, 1), want: `path EXPE -> SATX: unknown construct "SATX"`},
		{name: "cycle", model: strings.Replace(model, `["EXPE","SAT"]]`, `["EXPE","SAT"],["SAT","IMAG"]]`, 1), want: "the paths form a cycle: IMAG -> EXPE -> SAT -> IMAG"},
		{name: "non-numeric", model: model, data: badCell, want: `row 5, column "img1": "seven" is not a number`},
		{name: "zero variance", model: model, data: constant, want: `block "SAT" has zero variance`},
		{name: "bad JSON", model: `{"constructs": [`, want: "model.json: unexpected EOF"},
		{name: "unknown field", model: strings.Replace(model, `"scheme"`, `"schema"`, 1), want: `unknown field "schema"`},
		{name: "no model", args: []string{"pls", "--data", "x.csv"}, want: "--data and --model are required"},
		{name: "format", model: model, args: []string{"--format", "xml"}, want: `--format "xml"`},
		{name: "missing file", args: []string{"pls", "--data", "/nonexistent.csv", "--model", "/nonexistent.json"}, want: "/nonexistent.json: no such file or directory"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			args := tc.args
			if len(args) == 0 || args[0] != "pls" {
				mp, dp := filepath.Join(dir, "model.json"), filepath.Join(dir, "data.csv")
				if tc.data == "" {
					tc.data = string(good)
				}
				if err := os.WriteFile(mp, []byte(tc.model), 0o644); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(dp, []byte(tc.data), 0o644); err != nil {
					t.Fatal(err)
				}
				args = append([]string{"pls", "--data", dp, "--model", mp}, tc.args...)
			}
			var out, errb bytes.Buffer
			code := run(args, &out, &errb)
			msg := errb.String()
			if code != 2 || out.Len() != 0 || strings.Count(msg, "\n") != 1 || !strings.Contains(msg, tc.want) {
				t.Errorf("exit %d, stdout %d bytes, stderr %q; want 2, nothing, one line containing %q", code, out.Len(), msg, tc.want)
			}
		})
	}
}

// TestPLSCommandDontKnow: a dont_know code is a missing answer, the same
// as an empty field, and a weight column weighs the rows.
func TestPLSCommandDontKnow(t *testing.T) {
	src := filepath.Join(plsCases, "ccsi_sim")
	data, err := os.ReadFile(filepath.Join(src, "data.csv"))
	if err != nil {
		t.Fatal(err)
	}
	model, err := os.ReadFile(filepath.Join(src, "model.json"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	blank := slices.Clone(lines)
	dk := slices.Clone(lines)
	for i := 1; i < len(lines); i += 9 {
		f := strings.Split(lines[i], ",")
		f[i%len(f)] = ""
		blank[i] = strings.Join(f, ",")
		f[i%len(f)] = "99"
		dk[i] = strings.Join(f, ",")
	}
	dir := t.TempDir()
	fit := func(name string, ls []string, m string) string {
		t.Helper()
		dp, mp := filepath.Join(dir, name+".csv"), filepath.Join(dir, name+".json")
		if err := os.WriteFile(dp, []byte(strings.Join(ls, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(mp, []byte(m), 0o644); err != nil {
			t.Fatal(err)
		}
		var out, errb bytes.Buffer
		if code := run([]string{"pls", "--data", dp, "--model", mp}, &out, &errb); code != 0 {
			t.Fatalf("%s: exit %d: %s", name, code, errb.String())
		}
		return out.String()
	}
	a := fit("blank", blank, string(model))
	b := fit("dk", dk, strings.Replace(string(model), `"scheme"`, `"dont_know": [99], "scheme"`, 1))
	if a != b {
		t.Error("dont_know 99 and empty fields gave different fits")
	}
	if !strings.Contains(a, "answers missing") || strings.Contains(a, "; 0 answers missing") {
		t.Errorf("the note does not count the missing answers: %s", a[strings.Index(a, `"note"`):])
	}
	if a == fit("full", lines, string(model)) {
		t.Error("the missing answers changed nothing")
	}
	// weight 2 on every row is the same fit as no weights
	wl := slices.Clone(lines)
	wl[0] += ",w"
	for i := 1; i < len(wl); i++ {
		wl[i] += ",2"
	}
	wm := strings.Replace(string(model), `"scheme"`, `"weight": "w", "scheme"`, 1)
	g, full := jsonLeaves(t, []byte(fit("w", wl, wm))), jsonLeaves(t, []byte(fit("full", lines, string(model))))
	for i := range full {
		if x, ok := full[i].val.(json.Number); ok {
			xf, _ := x.Float64()
			yf, _ := g[i].val.(json.Number).Float64()
			if math.Abs(xf-yf) > 1e-12 {
				t.Errorf("%s: %v weighted 2, %v unweighted", full[i].path, yf, xf)
			}
		}
	}
}
