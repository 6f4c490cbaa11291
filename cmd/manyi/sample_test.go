package main

import (
	"bytes"
	"encoding/csv"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The flag name is specific to this file: package main's tests share one
// flag set with the other commands' tests.
var updateSample = flag.Bool("update-sample", false, "rewrite testdata/sampling golden files")

const sampleData = "../../testdata/sampling/"

func runSampleCmd(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestSampleHappy(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "sample.csv")
	code, stdout, stderr := runSampleCmd(t, "sample", "--frame", sampleData+"frame.csv", "--plan", sampleData+"plan.json", "--seed", "42", "--out", out)
	if code != 0 {
		t.Fatalf("got exit %d, stderr %q; want 0", code, stderr)
	}
	for _, want := range []string{"上城区", "30", "10.80", "下限 floor", "合计 total", "已抽取主样本 24、预备样本 13（2 批），种子 42"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("got stdout\n%s\nwant it to contain %q", stdout, want)
		}
	}
	if stderr != "" {
		t.Errorf("got stderr %q, want none", stderr)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	golden := sampleData + "sample_seed42.csv"
	if *updateSample {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("got sample\n%s\nwant (golden %s)\n%s", got, golden, want)
	}

	// Rows: header, 24 main + 13 reserve; main weights add up to N_h
	// (30, 20, 10); every row's prob × weight is 1.
	recs, err := csv.NewReader(bytes.NewReader(got)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if h := strings.Join(recs[0], ","); h != "id,stratum,prob,weight,batch" {
		t.Errorf("got header %q", h)
	}
	if len(recs) != 1+24+13 {
		t.Errorf("got %d rows, want 38", len(recs))
	}
	sum := map[string]float64{}
	for _, r := range recs[1:] {
		p, _ := strconv.ParseFloat(r[2], 64)
		w, _ := strconv.ParseFloat(r[3], 64)
		if math.Abs(p*w-1) > 1e-12 {
			t.Errorf("row %v: prob × weight = %v, want 1", r, p*w)
		}
		if r[4] == "0" {
			sum[r[1]] += w
		}
	}
	for h, n := range map[string]float64{"上城区": 30, "西湖区": 20, "淳安县": 10} {
		if math.Abs(sum[h]-n) > 1e-9 {
			t.Errorf("%s: got main weights summing to %v, want %v", h, sum[h], n)
		}
	}

	// Same seed, same bytes; another seed, another sample.
	out2 := filepath.Join(dir, "again.csv")
	if code, _, stderr := runSampleCmd(t, "sample", "--frame", sampleData+"frame.csv", "--plan", sampleData+"plan.json", "--seed", "42", "--out", out2); code != 0 {
		t.Fatalf("got exit %d, %s", code, stderr)
	}
	again, _ := os.ReadFile(out2)
	if !bytes.Equal(got, again) {
		t.Errorf("got different bytes for the same seed")
	}
	out3 := filepath.Join(dir, "other.csv")
	runSampleCmd(t, "sample", "--frame", sampleData+"frame.csv", "--plan", sampleData+"plan.json", "--seed", "43", "--out", out3)
	other, _ := os.ReadFile(out3)
	if bytes.Equal(got, other) || len(other) == 0 {
		t.Errorf("got the same sample for seeds 42 and 43")
	}
}

func TestSampleBadFrame(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "sample.csv")
	code, _, stderr := runSampleCmd(t, "sample", "--frame", sampleData+"bad_frame.csv", "--plan", sampleData+"plan_small.json", "--seed", "1", "--out", out, "--lang", "en")
	if code != 2 {
		t.Fatalf("got exit %d, want 2", code)
	}
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	want := []string{
		`row 3: unknown district "朝阳区"`,
		`row 4: id "SC001" duplicates row 2`,
		"row 5: malformed phone number",
		"row 6: has 2 fields, the header has 5",
		"4 bad rows; nothing drawn",
	}
	if len(lines) != len(want) {
		t.Fatalf("got %d lines\n%s\nwant %d", len(lines), stderr, len(want))
	}
	for i, w := range want {
		if !strings.Contains(lines[i], w) || !strings.HasPrefix(lines[i], sampleData+"bad_frame.csv: ") {
			t.Errorf("line %d: got %q, want it to contain %q", i, lines[i], w)
		}
	}
	if strings.Contains(stderr, "12345") {
		t.Errorf("stderr repeats a phone number: %q", stderr)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("got %v for the output, want no file written", err)
	}

	// With --allow-rejects the clean rows are drawn and the rejects kept.
	rej := filepath.Join(dir, "rejects.csv")
	code, stdout, stderr := runSampleCmd(t, "sample", "--frame", sampleData+"bad_frame.csv", "--plan", sampleData+"plan_small.json", "--seed", "1", "--out", out, "--rejects", rej, "--allow-rejects")
	if code != 0 {
		t.Fatalf("got exit %d, stderr %s", code, stderr)
	}
	if !strings.Contains(stderr, "4 行被剔除") || !strings.Contains(stdout, "已抽取主样本 3") {
		t.Errorf("got stdout %q stderr %q", stdout, stderr)
	}
	rb, err := os.ReadFile(rej)
	if err != nil {
		t.Fatal(err)
	}
	// A row with the wrong number of fields makes the rejects file ragged.
	cr := csv.NewReader(bytes.NewReader(rb))
	cr.FieldsPerRecord = -1
	recs, err := cr.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 5 || recs[1][0] != "3" || recs[1][3] != "朝阳区" || recs[4][0] != "6" {
		t.Errorf("got rejects %q", rb)
	}
	// Clean rows: one per district, so 1 main case each and no room left
	// for a reserve.
	sb, _ := os.ReadFile(out)
	if n := strings.Count(string(sb), "\n"); n != 1+3 || !strings.Contains(string(sb), "CA001,淳安县,1,1,0") {
		t.Errorf("got sample\n%s\nwant a header and 3 cases", sb)
	}
}

func TestSampleErrors(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "s.csv")
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	frame := sampleData + "frame.csv"
	plan := sampleData + "plan.json"
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no seed", []string{"--frame", frame, "--plan", plan, "--out", out}, 2, "missing --seed"},
		{"nothing", nil, 2, "missing --frame, --plan, --seed, --out"},
		{"extra arg", []string{"--frame", frame, "--plan", plan, "--seed", "1", "--out", out, "x"}, 2, `unexpected argument "x"`},
		{"allow without rejects", []string{"--frame", frame, "--plan", plan, "--seed", "1", "--out", out, "--allow-rejects"}, 2, "needs --rejects"},
		{"bad seed", []string{"--frame", frame, "--plan", plan, "--seed", "-1", "--out", out}, 2, "invalid value"},
		{"no plan file", []string{"--frame", frame, "--plan", filepath.Join(dir, "none.json"), "--seed", "1", "--out", out}, 1, "no such file"},
		{"no frame file", []string{"--frame", filepath.Join(dir, "none.csv"), "--plan", plan, "--seed", "1", "--out", out}, 1, "no such file"},
		{"unknown plan field", []string{"--frame", frame, "--plan", write("p1.json", `{"total": 10, "allocation": "equal", "flor": 3}`), "--seed", "1", "--out", out, "--lang", "en"}, 2, `unknown field "flor"`},
		{"total above frame", []string{"--frame", frame, "--plan", write("p2.json", `{"total": 61, "allocation": "equal"}`), "--seed", "1", "--out", out, "--lang", "en"}, 2, "total 61 is above the frame's 60 units"},
		{"floors", []string{"--frame", frame, "--plan", write("p3.json", `{"total": 20, "allocation": "equal", "floor": 8}`), "--seed", "1", "--out", out}, 2, "各层下限之和 24（3 层 × floor 8"},
		{"header", []string{"--frame", write("f.csv", "编号,区县\n1,上城区\n"), "--plan", plan, "--seed", "1", "--out", out, "--lang", "en"}, 2, `row 1 (header) has no column "id"`},
		{"bad columns", []string{"--frame", frame, "--plan", plan, "--seed", "1", "--out", out, "--columns", "id"}, 2, "not column=header"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runSampleCmd(t, append([]string{"sample"}, tt.args...)...)
			if code != tt.code || !strings.Contains(stderr, tt.want) {
				t.Errorf("got exit %d, stderr %q; want %d and %q", code, stderr, tt.code, tt.want)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("got an output file after a failure")
			}
		})
	}
	// Mapped columns work end to end.
	f := write("mapped.csv", "编号,区县\na,上城区\nb,西湖区\nc,淳安县\nd,上城区\n")
	code, _, stderr := runSampleCmd(t, "sample", "--frame", f, "--plan", sampleData+"plan_small.json", "--seed", "9", "--out", out, "--columns", "id=编号, district=区县")
	if code != 0 {
		t.Errorf("got exit %d, stderr %q", code, stderr)
	}
	if code, _, _ := runSampleCmd(t, "sample", "-h"); code != 0 {
		t.Errorf("-h: got exit %d, want 0", code)
	}
}

// TestSampleSectorCells draws a sector × district plan from a frame file
// with a sector column: 2 per cell, a cell of one unit taken whole.
func TestSampleSectorCells(t *testing.T) {
	dir := t.TempDir()
	frame := filepath.Join(dir, "frame.csv")
	var b strings.Builder
	b.WriteString("id,district,sector\n")
	n := 0
	for _, c := range []struct {
		sector, district string
		units            int
	}{{"retail", "d1", 5}, {"retail", "d2", 1}, {"banking", "d1", 4}} {
		for i := 0; i < c.units; i++ {
			n++
			fmt.Fprintf(&b, "U%02d,%s,%s\n", n, c.district, c.sector)
		}
	}
	if err := os.WriteFile(frame, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	plan := filepath.Join(dir, "plan.json")
	if err := os.WriteFile(plan, []byte(`{"stratum":"sector_district","allocation":"per_cell","per_cell":2}`), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "sample.csv")
	code, stdout, stderr := runSampleCmd(t, "sample", "--frame", frame, "--plan", plan, "--seed", "7", "--out", out)
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	for _, want := range []string{"retail|d1", "retail|d2", "banking|d1"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("allocation table lacks cell %q:\n%s", want, stdout)
		}
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(got)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	main := map[string]int{}
	for _, r := range recs[1:] {
		if r[4] == "0" {
			main[r[1]]++
		}
	}
	if main["retail|d1"] != 2 || main["retail|d2"] != 1 || main["banking|d1"] != 2 {
		t.Errorf("main sample per cell %v, want retail|d1 2, retail|d2 1, banking|d1 2", main)
	}
}
