package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"

	"manyi/survey/auth"
	"manyi/survey/demo"
	"manyi/survey/sqlite"
	"manyi/survey/workspace"
)

// demoDB returns a database in t.TempDir seeded with demo.Simulate at
// 600 responses a year (about half a second).
func demoDB(t testing.TB) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "manyi.db")
	if err := seedDemo(path, 600); err != nil {
		t.Fatal(err)
	}
	return path
}

func seedDemo(path string, n int) error {
	st, err := sqlite.Open(path)
	if err != nil {
		return err
	}
	if _, err := demo.Simulate(context.Background(), st, demo.SimOptions{Responses: n, Seed: 1}); err != nil {
		st.Close()
		return err
	}
	return st.Close()
}

// runOK runs a manyi command in-process and fails the test on a non-zero
// exit.
func runOK(t testing.TB, args ...string) string {
	t.Helper()
	var out, errb bytes.Buffer
	if code := run(args, &out, &errb); code != 0 {
		t.Fatalf("manyi %s: exit %d, stderr %q", strings.Join(args, " "), code, errb.String())
	}
	return out.String()
}

// estimateAnswer is one answer of `manyi estimate`'s JSON.
type estimateAnswer struct {
	Estimate float64 `json:"estimate"`
	SE       float64 `json:"se"`
	CI       []float64
	By       []struct {
		Key      map[string]string `json:"key"`
		Estimate float64           `json:"estimate"`
	} `json:"by"`
}

// exportAndEstimate exports the measurement and runs `manyi estimate` on
// the folder, returning its answers by query id.
func exportAndEstimate(t *testing.T, db, id string) map[string]estimateAnswer {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "export")
	runOK(t, "export", "--db", db, "--measurement", id, "--dir", dir)
	for _, f := range []string{"data.csv", "design.json", "queries.json", "reproduce.R"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("export lacks %s: %v", f, err)
		}
	}
	out := runOK(t, "estimate", "--data", filepath.Join(dir, "data.csv"), "--design", filepath.Join(dir, "design.json"), "--queries", filepath.Join(dir, "queries.json"))
	var got map[string]estimateAnswer
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("estimate output: %v", err)
	}
	return got
}

// TestExportRoundTrip checks that `manyi estimate` on the export prints
// the results' numbers, and that the export is audited.
func TestExportRoundTrip(t *testing.T) {
	db := demoDB(t)
	got := exportAndEstimate(t, db, demo.ID)
	st, err := sqlite.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	r, err := workspace.Compute(context.Background(), st, demo.ID)
	if err != nil {
		t.Fatal(err)
	}
	res := r.Results
	near := func(a, b float64) bool { d := a - b; return d < 1e-9 && d > -1e-9 }
	ov, ok := got["overall"]
	if !ok || !near(ov.Estimate, res.Overall.Value) || !near(ov.SE, res.Overall.SE) {
		t.Errorf("overall: estimate printed %+v, want the results' %v (SE %v)", ov, res.Overall.Value, res.Overall.SE)
	}
	for _, d := range res.Domains {
		if e, ok := got[d.ID]; !ok || !near(e.Estimate, d.Value) {
			t.Errorf("%s: estimate printed %+v, want %v", d.ID, e, d.Value)
		}
	}
	es, err := st.AuditLog(context.Background(), auth.AuditFilter{Action: auth.ActionExport, Target: demo.ID})
	if err != nil || len(es) != 1 || es[0].User != "cli" {
		t.Errorf("audit: got %+v, %v, want one export entry by cli", es, err)
	}
}

// pdfText extracts a PDF's text with pdftotext, white space removed.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "r.pdf")
	if err := os.WriteFile(path, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext (install poppler-utils, or run make test): %v", err)
	}
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, string(out))
}

// TestReport checks the report's key figures against the results and
// `manyi estimate` on the export, and that two runs give the same bytes.
func TestReport(t *testing.T) {
	db := demoDB(t)
	got := exportAndEstimate(t, db, demo.ID)
	for _, lang := range []string{"zh", "en"} {
		t.Run(lang, func(t *testing.T) {
			dir := t.TempDir()
			a, b := filepath.Join(dir, "a.pdf"), filepath.Join(dir, "b.pdf")
			runOK(t, "report", "--db", db, "--measurement", demo.ID, "--out", a, "--lang", lang)
			runOK(t, "report", "--db", db, "--measurement", demo.ID, "--out", b, "--lang", lang)
			pa, err := os.ReadFile(a)
			if err != nil {
				t.Fatal(err)
			}
			pb, err := os.ReadFile(b)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(pa, pb) {
				t.Errorf("two runs: %d and %d bytes, not identical", len(pa), len(pb))
			}
			text := pdfText(t, pa)
			want := map[string]float64{"overall": got["overall"].Estimate}
			for id, e := range got {
				if strings.HasPrefix(id, "domain_") {
					want[id] = e.Estimate
				}
				if strings.HasPrefix(id, "in_district_") && strings.HasSuffix(id, "_overall") {
					for _, row := range e.By {
						for _, v := range row.Key {
							if v == "in" {
								want[id] = row.Estimate
							}
						}
					}
				}
			}
			if len(want) < 1+5+6 {
				t.Fatalf("estimate gave %d of the overall, domain and district figures, want 12: %v", len(want), want)
			}
			for id, v := range want {
				if s := fmt.Sprintf("%.2f", v); !strings.Contains(text, s) {
					t.Errorf("%s: the report lacks %s", id, s)
				}
			}
		})
	}
	st, err := sqlite.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	es, err := st.AuditLog(context.Background(), auth.AuditFilter{Action: auth.ActionReport, Target: demo.ID})
	if err != nil || len(es) != 4 {
		t.Errorf("audit: got %d report entries (%v), want 4", len(es), err)
	}
}

func TestReportErrors(t *testing.T) {
	db := demoDB(t)
	tests := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"no measurement", []string{"report", "--db", db, "--out", "x.pdf"}, 2, "--measurement and --out are required"},
		{"bad lang", []string{"report", "--db", db, "--measurement", demo.ID, "--out", "x.pdf", "--lang", "fr"}, 2, "want zh or en"},
		{"bad date", []string{"report", "--db", db, "--measurement", demo.ID, "--out", "x.pdf", "--date", "27/11/2026"}, 2, "YYYY-MM-DD"},
		{"unknown measurement", []string{"report", "--db", db, "--measurement", "nope", "--out", filepath.Join(t.TempDir(), "x.pdf")}, 1, "no measurement with id nope"},
		{"export unknown", []string{"export", "--db", db, "--measurement", "nope", "--dir", t.TempDir()}, 1, "no measurement with id nope"},
		{"export no dir", []string{"export", "--db", db, "--measurement", demo.ID}, 2, "--measurement and --dir are required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var errb bytes.Buffer
			code := run(tt.args, io.Discard, &errb)
			if code != tt.code || !strings.Contains(errb.String(), tt.msg) {
				t.Errorf("got exit %d, stderr %q, want exit %d mentioning %q", code, errb.String(), tt.code, tt.msg)
			}
		})
	}
}

// reportOut, when set, makes BenchmarkReport2000 keep its PDF there, to
// look at (pdftoppm -r 60 -png -f 1 -l 6).
var reportOut = flag.String("report.out", "", "write BenchmarkReport2000's PDF to this file")

// BenchmarkReport2000 times `manyi report` on a 2,000-response demo
// measurement with its 2,000-response previous year: loading both years,
// weighting and estimating them, building the model and rendering the
// PDF. It reports the PDF's size.
func BenchmarkReport2000(b *testing.B) {
	path := filepath.Join(b.TempDir(), "manyi.db")
	if err := seedDemo(path, 2000); err != nil {
		b.Fatal(err)
	}
	st, err := sqlite.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	var pdf []byte
	for b.Loop() {
		if pdf, _, err = buildReport(ctx, st, demo.ID, "zh", time.Time{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(pdf))/1e6, "MB")
	if *reportOut != "" {
		if err := os.WriteFile(*reportOut, pdf, 0o644); err != nil {
			b.Fatal(err)
		}
	}
}

// TestDemoResponses checks `manyi demo --responses`: it stores the
// simulated years once, prints links only when --invitations is given too.
func TestDemoResponses(t *testing.T) {
	db := filepath.Join(t.TempDir(), "manyi.db")
	var out, errb bytes.Buffer
	if code := run([]string{"demo", "--db", db, "--responses", "60"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errb.String())
	}
	if out.Len() != 0 || !strings.Contains(errb.String(), "demo-2026: 60 simulated responses stored") || !strings.Contains(errb.String(), "demo-2025: 60 simulated responses stored") {
		t.Errorf("first run: stdout %q, stderr %q; want no links and both years stored", out.String(), errb.String())
	}
	out.Reset()
	errb.Reset()
	if code := run([]string{"demo", "--db", db, "--responses", "60", "--invitations", "2"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errb.String())
	}
	if strings.Count(out.String(), "/s/") != 2 || !strings.Contains(errb.String(), "demo-2026 already has 60 submitted responses: none added") {
		t.Errorf("second run: stdout %q, stderr %q; want two links and nothing added", out.String(), errb.String())
	}
	if code := run([]string{"demo", "--db", db, "--responses", "-1"}, io.Discard, io.Discard); code != 2 {
		t.Errorf("--responses -1: exit %d, want 2", code)
	}
}
