package web

import (
	"archive/zip"
	"bytes"
	"context"
	"html"
	"io"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"manyi/survey/analysis"
	"manyi/survey/demo"
	"manyi/survey/estimate"
)

// TestResultsPage checks the results page against analysis.Compute and
// against the analysis folder downloaded from the web and run through the
// estimation engine (what `manyi estimate` does): the page, the export
// and the engine agree on the overall index.
func TestResultsPage(t *testing.T) {
	e := newStaffEnv(t, "")
	fillResults(t, e.db, 800, 600)
	want := expectedOverall(t, e.db)

	c := e.client("10.1.0.1")
	c.login("stat")
	rec := c.get("/app/m/demo-2026/results")
	if rec.Code != http.StatusOK {
		t.Fatalf("GET results: status %d\n%s", rec.Code, rec.Body)
	}
	body := html.UnescapeString(rec.Body.String())
	if os.Getenv("MANYI_DUMP") != "" {
		os.WriteFile(filepath.Join(os.Getenv("MANYI_DUMP"), "results.html"), rec.Body.Bytes(), 0o644)
	}
	m := overallOnPage.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no overall index on the page:\n%s", body)
	}
	if got, w := m[1], f2(want.Overall.Value); got != w {
		t.Errorf("overall on the page = %s, want %s (analysis.Compute)", got, w)
	}
	for _, s := range []string{
		ci2(want.Overall.CI),              // the interval
		signed2(want.Overall.Change.Diff), // the change on last year
		`id="g-district"`, `id="g-gender"`, `id="g-age_band"`, `id="g-education"`, `id="g-mode"`,
		"<svg", "重要性", // the matrix
		"知晓度、参与度与信心",
		"等权（equal）",
	} {
		if !strings.Contains(body, s) {
			t.Errorf("the results page lacks %q", s)
		}
	}
	for _, d := range want.Domains {
		if !strings.Contains(body, `data-figure="`+d.ID+`">`+f2(d.Value)+`<`) {
			t.Errorf("domain %s: the page lacks its index %s", d.ID, f2(d.Value))
		}
	}
	flagged := 0
	for _, it := range append(want.Domains, want.Items...) {
		if it.Below {
			flagged++
		}
	}
	if got := strings.Count(body, `class="flag"`); got != flagged {
		t.Errorf("%d indices flagged below 80, want %d", got, flagged)
	}

	// The export round trip from the web: the analysis folder, run through
	// the estimation engine, gives the page's overall index.
	rec = c.get("/app/m/demo-2026/export/analysis.zip")
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != ctypeZip {
		t.Fatalf("GET analysis.zip: status %d, type %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	files := unzip(t, rec.Body.Bytes())
	for _, f := range analysisFiles {
		if _, ok := files[f]; !ok {
			t.Errorf("analysis.zip lacks %s (has %v)", f, keys(files))
		}
	}
	tab, err := estimate.ReadCSV(bytes.NewReader(files["data.csv"]))
	if err != nil {
		t.Fatalf("data.csv: %v", err)
	}
	des, err := estimate.ReadDesign(bytes.NewReader(files["design.json"]))
	if err != nil {
		t.Fatalf("design.json: %v", err)
	}
	qs, err := estimate.ReadQueries(bytes.NewReader(files["queries.json"]))
	if err != nil {
		t.Fatalf("queries.json: %v", err)
	}
	out, err := estimate.Run(tab, des, qs)
	if err != nil {
		t.Fatalf("estimate.Run: %v", err)
	}
	ov, ok := out.Get("overall")
	if !ok {
		t.Fatal("the exported queries have no overall")
	}
	if got := f2(ov.Estimate); got != m[1] {
		t.Errorf("estimate on the exported folder: overall %s, page %s", got, m[1])
	}
	if ov.Estimate != want.Overall.Value || ov.SE != want.Overall.SE {
		t.Errorf("estimate on the exported folder: overall %v (SE %v), Compute %v (SE %v); want the same bits",
			ov.Estimate, ov.SE, want.Overall.Value, want.Overall.SE)
	}
}

// unzip reads a zip into file name (without its folder) → bytes.
func unzip(t *testing.T, b []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("zip: %v", err)
	}
	out := map[string][]byte{}
	for _, f := range zr.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		out[path.Base(f.Name)] = data
	}
	return out
}

func keys(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestResultsCache checks that the page computes once per data and
// weighting version: a second view reuses the Results, a new weighting
// version computes again from the cached data, new responses make the
// next view read this year's data and compute again.
func TestResultsCache(t *testing.T) {
	e := newStaffEnv(t, "")
	fillResults(t, e.db, 300, 300)
	c := e.client("10.1.0.2")
	c.login("stat")
	for i := 0; i < 2; i++ {
		if rec := c.get("/app/m/demo-2026/results"); rec.Code != http.StatusOK {
			t.Fatalf("GET results: %d", rec.Code)
		}
	}
	w := workOf(t, e)
	computes := func() int { w.mu.Lock(); defer w.mu.Unlock(); return w.computes }
	loads := func() int { w.mu.Lock(); defer w.mu.Unlock(); return w.loads }
	if got := computes(); got != 1 {
		t.Errorf("two views: %d computations, want 1", got)
	}
	if got := loads(); got != 2 {
		t.Errorf("two views: %d dataset reads, want 2 (this year and last)", got)
	}
	// A new weighting version computes again from the cached datasets.
	spec := analysis.DefaultWeightingSpec()
	spec.Calibration, spec.Margins = analysis.CalPostStratify, [][]string{{analysis.VarDistrict}}
	if _, err := e.db.SaveWeighting(context.Background(), demo.ID, spec, "stat"); err != nil {
		t.Fatal(err)
	}
	if rec := c.get("/app/m/demo-2026/results"); rec.Code != http.StatusOK {
		t.Fatalf("GET results: %d", rec.Code)
	}
	if got, gotLoads := computes(), loads(); got != 2 || gotLoads != 2 {
		t.Errorf("after a new weighting version: %d computations and %d dataset reads, want 2 and 2", got, gotLoads)
	}
	// New responses change the stamp.
	more := simImport(analysis.Simulate(analysis.SimOptions{N: 50, Seed: 7}), e.clock.Now())
	if _, err := e.db.ImportResponses(context.Background(), demo.ID, more); err != nil {
		t.Fatal(err)
	}
	if rec := c.get("/app/m/demo-2026/results"); rec.Code != http.StatusOK {
		t.Fatalf("GET results: %d", rec.Code)
	}
	if got, gotLoads := computes(), loads(); got != 3 || gotLoads != 3 {
		t.Errorf("after new responses: %d computations and %d dataset reads, want 3 and 3 (last year's is kept)", got, gotLoads)
	}
	res := expectedOverall(t, e.db)
	if got := overallOnPage.FindStringSubmatch(c.get("/app/m/demo-2026/results").Body.String()); got == nil || got[1] != f2(res.Overall.Value) {
		t.Errorf("after new responses the page shows %v, want %s", got, f2(res.Overall.Value))
	}
}

// TestWorkPagesEnglish opens every page of the family in both languages:
// no interface key is left untranslated, and the measurement nav marks
// the page.
func TestWorkPagesEnglish(t *testing.T) {
	e := newStaffEnv(t, "")
	fillResults(t, e.db, 200, 200)
	c := e.client("10.1.0.3")
	c.login("boss")
	rawKey := regexp.MustCompile(`>\s*(r|w|x|p|work)_[a-z_]+\s*<`)
	for _, lang := range []string{"zh", "en"} {
		for _, tc := range []struct{ path, heading string }{
			{"/app/m/demo-2026/results", map[string]string{"zh": "加权结果", "en": "Weighted results"}[lang]},
			{"/app/m/demo-2026/weighting", map[string]string{"zh": "加权设置", "en": "Weighting"}[lang]},
			{"/app/m/demo-2026/exports", map[string]string{"zh": "数据导出", "en": "Exports"}[lang]},
			{"/app/m/demo-2026/report", map[string]string{"zh": "测评报告", "en": "Report"}[lang]},
		} {
			rec := c.get(tc.path + "?lang=" + lang)
			body := rec.Body.String()
			if rec.Code != http.StatusOK {
				t.Errorf("%s in %s: status %d", tc.path, lang, rec.Code)
				continue
			}
			if !strings.Contains(body, "<h1>"+tc.heading+"</h1>") {
				t.Errorf("%s in %s: no heading %q", tc.path, lang, tc.heading)
			}
			if m := rawKey.FindString(body); m != "" {
				t.Errorf("%s in %s: untranslated key %s", tc.path, lang, m)
			}
			if !strings.Contains(body, `href="`+tc.path+`" aria-current="page"`) {
				t.Errorf("%s in %s: the measurement nav does not mark the page", tc.path, lang)
			}
		}
	}
	if rec := c.get("/app/m/nope/results"); rec.Code != http.StatusNotFound {
		t.Errorf("unknown measurement: status %d, want 404", rec.Code)
	}
}
