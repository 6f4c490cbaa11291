package web

import (
	"bytes"
	"context"
	"html"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"manyi/survey/demo"
)

// TestReportPage shows the generated conclusions, saves edited ones and
// downloads the PDF in both languages: a PDF carrying the saved
// conclusions and the page's overall index, audited.
func TestReportPage(t *testing.T) {
	e := newStaffEnv(t, "")
	fillResults(t, e.db, 400, 300)
	ctx := context.Background()
	c := e.client("10.4.0.1")
	c.login("boss")

	rec := c.get("/app/m/demo-2026/report")
	body := html.UnescapeString(rec.Body.String())
	if rec.Code != http.StatusOK || !strings.Contains(body, "自动生成（尚未修改）") || !strings.Contains(body, "总体满意度") {
		t.Fatalf("GET report: status %d, want the generated conclusions\n%s", rec.Code, body)
	}
	text := "第一段结论：总体满意。\n\n第二段：加强环境治理。"
	rec = c.post("/app/m/demo-2026/report", url.Values{"csrf": {csrfOf(t, body)}, "lang": {"zh"}, "text": {text}, "action": {"save"}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("POST conclusions: status %d\n%s", rec.Code, rec.Body)
	}
	saved, err := e.db.Conclusions(ctx, demo.ID, "zh")
	if err != nil || saved == nil || !slices.Equal(saved.Paragraphs, []string{"第一段结论：总体满意。", "第二段：加强环境治理。"}) {
		t.Fatalf("saved conclusions %+v, %v; want the two paragraphs", saved, err)
	}
	if body := c.get("/app/m/demo-2026/report?saved=zh").Body.String(); !strings.Contains(body, "中文结论已保存") || !strings.Contains(body, "第二段：加强环境治理。") {
		t.Errorf("the page after saving does not show the saved text")
	}

	want := f2(expectedOverall(t, e.db).Overall.Value)
	for _, lang := range []string{"zh", "en"} {
		rec = c.get("/app/m/demo-2026/report.pdf?for=" + lang)
		if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(rec.Body.Bytes(), []byte("%PDF-")) {
			t.Fatalf("report.pdf?for=%s: status %d, type %q", lang, rec.Code, rec.Header().Get("Content-Type"))
		}
		txt := pdfText(t, rec.Body.Bytes())
		if !strings.Contains(txt, want) {
			t.Errorf("%s PDF text lacks the page's overall index %s", lang, want)
		}
		if lang == "zh" && !strings.Contains(txt, "加强环境治理") {
			t.Errorf("zh PDF text lacks the saved conclusions")
		}
	}
	var reports []string
	for _, a := range e.auditActions() {
		if strings.HasPrefix(a, "report:") {
			reports = append(reports, a)
		}
	}
	if len(reports) != 2 || reports[0] != "report:boss:demo-2026" {
		t.Errorf("report audit entries %v, want 2 by boss on demo-2026", reports)
	}
	if rec := c.get("/app/m/demo-2026/report.pdf?for=fr"); rec.Code != http.StatusUnprocessableEntity {
		t.Errorf("report.pdf?for=fr: status %d, want 422", rec.Code)
	}
}

// pdfText extracts a PDF's text with pdftotext (poppler, installed by make
// test).
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "r.pdf")
	if err := os.WriteFile(p, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-layout", p, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext (poppler-utils; make test installs it): %v", err)
	}
	return string(out)
}
