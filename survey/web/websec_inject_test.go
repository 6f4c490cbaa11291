package web

import (
	"bytes"
	"context"
	"encoding/csv"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"manyi/survey"
	"manyi/survey/analysis"
	"manyi/survey/demo"
)

// Hostile open answers: markup and spreadsheet formulas.
const (
	hostileHTML    = `<script>alert("xss")</script>请加强河道治理，<b>谢谢</b>`
	hostileFormula = `=HYPERLINK("http://evil.example","点击")请加强食品抽检`
	hostileAt      = `@SUM(A1)建议多开展质量宣传活动和培训`
	hostileTab     = "\t=1+1 建议公开投诉处理结果和时限"
)

var hostileTexts = []string{hostileHTML, hostileFormula, hostileAt, hostileTab}

// fillHostile gives the demo measurement simulated responses whose every
// open suggestion is one of hostileTexts, with the census.
func fillHostile(t *testing.T, e *staffEnv, n int) {
	t.Helper()
	ctx := context.Background()
	ds := analysis.Simulate(analysis.SimOptions{N: n, Seed: 13})
	q := survey.DefaultQuestionnaire()
	k := 0
	for _, r := range ds.Respondents {
		for _, it := range q.ItemsByRole(survey.RoleSuggestion) {
			r.Answers[it.ID] = []string{hostileTexts[k%len(hostileTexts)]}
			k++
		}
	}
	if _, err := e.db.ImportResponses(ctx, demo.ID, simImport(ds, time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC))); err != nil {
		t.Fatal(err)
	}
	if err := e.db.SetCensus(ctx, demo.ID, ds.Census, "test"); err != nil {
		t.Fatal(err)
	}
}

// TestAnswersNeutralised (issue 13, formula injection): open answers that
// start like a formula are neutralised with a leading quote in the CSV
// and XLSX exports, and markup in answers is escaped on every staff page
// and shown literally in the report PDF.
func TestAnswersNeutralised(t *testing.T) {
	e := newStaffEnv(t, "")
	fillHostile(t, e, 200)
	office := e.client("10.12.0.1")
	office.login("boss")

	// CSV: every cell that starts with = + - @ tab or CR is quoted.
	rec := office.get("/app/m/demo-2026/export/responses.csv")
	if rec.Code != http.StatusOK {
		t.Fatalf("CSV export: status %d", rec.Code)
	}
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(rec.Body.Bytes(), []byte("\ufeff")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, row := range rows {
		for _, cell := range row {
			checkCell(t, "CSV", cell)
			seen[strings.TrimPrefix(cell, "'")] = true
		}
	}
	for _, h := range hostileTexts {
		if !seen[h] {
			t.Errorf("CSV: the answer %q is missing (it must be kept, only neutralised)", h)
		}
	}

	// XLSX: the data sheet and the codebook.
	rec = office.get("/app/m/demo-2026/export/responses.xlsx")
	if rec.Code != http.StatusOK {
		t.Fatalf("XLSX export: status %d", rec.Code)
	}
	f, err := excelize.OpenReader(bytes.NewReader(rec.Body.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, sheet := range []string{analysis.SheetData, analysis.SheetCodebook} {
		xrows, err := f.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, row := range xrows {
			for _, cell := range row {
				checkCell(t, "XLSX "+sheet, cell)
				if strings.HasPrefix(cell, "'=HYPERLINK") {
					n++
				}
			}
		}
		if sheet == analysis.SheetData && n == 0 {
			t.Errorf("XLSX data: no neutralised formula answer found")
		}
	}

	// Every staff page (GET routes, as the office): the markup is escaped.
	env := &env{t: t, srv: e.srv, db: e.db, log: e.log}
	tok := env.token()
	pages := 0
	for _, r := range e.srv.echo.Router().Routes() {
		if r.Method != http.MethodGet || !isStaffPath(r.Path) {
			continue
		}
		path := routePath(r.Path, tok)
		rec := office.get(path)
		if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
			continue
		}
		pages++
		if b := rec.Body.String(); strings.Contains(b, "<script>alert") || strings.Contains(b, "<b>谢谢</b>") {
			t.Errorf("GET %s: an answer's markup is in the page unescaped", path)
		}
	}
	if pages < 10 {
		t.Errorf("only %d staff HTML pages checked", pages)
	}

	// The report: suggestions are quoted as text, markup and all.
	rec = office.get("/app/m/demo-2026/report.pdf?for=zh")
	if rec.Code != http.StatusOK {
		t.Fatalf("report.pdf: status %d", rec.Code)
	}
	txt := pdfText(t, rec.Body.Bytes())
	if !strings.Contains(txt, "<b>谢谢</b>") || !strings.Contains(txt, "alert(") {
		t.Errorf("the report PDF does not quote the suggestion with its markup literally:\n%s", txt)
	}
}

// checkCell fails when a spreadsheet cell could run as a formula.
func checkCell(t *testing.T, where, cell string) {
	t.Helper()
	if cell == "" || !strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
		return
	}
	if survey.SpreadsheetSafe(cell) != cell { // numbers pass unchanged
		t.Errorf("%s: cell %q can run as a formula", where, cell)
	}
}
