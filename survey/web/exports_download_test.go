package web

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"manyi/survey/analysis"
)

// contactWords would name a contact column; no export may have one.
// ("phone" alone is also a mode: In_mode_phone is the phone-interview
// group, so a phone number column is matched by its whole name.)
var (
	contactWords = []string{"contact", "email", "address", "电话", "手机", "联系", "token", "phone_number", "mobile"}
	contactNames = []string{"phone", "tel", "number"}
)

// TestExports downloads the three exports as the statistician: CSV with a
// BOM, XLSX with a codebook sheet, the analysis zip; none has a contact
// column, each is audited, and the interviewer gets none of them.
func TestExports(t *testing.T) {
	e := newStaffEnv(t, "")
	fillResults(t, e.db, 300, 200)
	c := e.client("10.3.0.1")
	c.login("stat")

	rec := c.get("/app/m/demo-2026/exports")
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "/app/m/demo-2026/export/responses.xlsx") {
		t.Fatalf("GET exports: status %d\n%s", rec.Code, rec.Body)
	}

	rec = c.get("/app/m/demo-2026/export/responses.csv")
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != ctypeCSV {
		t.Fatalf("CSV: status %d, type %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	if cd := rec.Header().Get("Content-Disposition"); !strings.Contains(cd, "attachment") || !strings.Contains(cd, "demo-2026-w0-responses.csv") {
		t.Errorf("CSV Content-Disposition %q", cd)
	}
	b := rec.Body.Bytes()
	if !bytes.HasPrefix(b, []byte("\xEF\xBB\xBF")) {
		t.Errorf("CSV starts with % x, want the UTF-8 BOM", b[:min(3, len(b))])
	}
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\xEF\xBB\xBF")))).ReadAll()
	if err != nil {
		t.Fatalf("CSV: %v", err)
	}
	if len(rows) < 301 {
		t.Errorf("CSV has %d rows, want the header and 300 responses at least", len(rows))
	}
	checkNoContact(t, "CSV", rows[0])

	rec = c.get("/app/m/demo-2026/export/responses.xlsx")
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != ctypeXLSX {
		t.Fatalf("XLSX: status %d, type %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	x, err := excelize.OpenReader(bytes.NewReader(rec.Body.Bytes()))
	if err != nil {
		t.Fatalf("XLSX: %v", err)
	}
	if sheets := x.GetSheetList(); !slices.Contains(sheets, analysis.SheetCodebook) || !slices.Contains(sheets, analysis.SheetData) {
		t.Errorf("XLSX sheets %v, want %s and %s", sheets, analysis.SheetData, analysis.SheetCodebook)
	}
	cb, err := x.GetRows(analysis.SheetCodebook)
	if err != nil || len(cb) < 30 {
		t.Errorf("codebook: %d rows, %v; want a row per code", len(cb), err)
	}
	data, err := x.GetRows(analysis.SheetData)
	if err != nil || len(data) == 0 {
		t.Fatalf("data sheet: %v", err)
	}
	checkNoContact(t, "XLSX", data[0])

	rec = c.get("/app/m/demo-2026/export/analysis.zip")
	if rec.Code != http.StatusOK {
		t.Fatalf("zip: status %d", rec.Code)
	}
	files := unzip(t, rec.Body.Bytes())
	header, _, _ := strings.Cut(string(files["data.csv"]), "\n")
	checkNoContact(t, "data.csv", strings.Split(header, ","))

	var exports []string
	for _, a := range e.auditActions() {
		if strings.HasPrefix(a, "export:") {
			exports = append(exports, a)
		}
	}
	if len(exports) != 3 || exports[0] != "export:stat:demo-2026" {
		t.Errorf("export audit entries %v, want 3 by stat on demo-2026", exports)
	}

	ivw := e.client("10.3.0.2")
	ivw.login("ivw")
	for _, p := range []string{"/app/m/demo-2026/export/responses.csv", "/app/m/demo-2026/export/analysis.zip", "/app/m/demo-2026/results"} {
		if rec := ivw.get(p); rec.Code != http.StatusForbidden {
			t.Errorf("interviewer GET %s: status %d, want 403", p, rec.Code)
		}
	}
}

func checkNoContact(t *testing.T, what string, header []string) {
	t.Helper()
	for _, h := range header {
		if slices.Contains(contactNames, strings.ToLower(h)) {
			t.Errorf("%s has column %q, which looks like a contact detail", what, h)
		}
		for _, w := range contactWords {
			if strings.Contains(strings.ToLower(h), w) {
				t.Errorf("%s has column %q, which looks like a contact detail", what, h)
			}
		}
	}
}
