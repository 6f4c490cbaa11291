package report

import (
	"bytes"
	"flag"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"golang.org/x/image/font/sfnt"

	"manyi/static"
)

var (
	update = flag.Bool("update", false, "rewrite testdata/*.golden.txt from the current output")
	outDir = flag.String("out", "", "also write the rendered PDFs into this directory")
)

// pdfText runs pdftotext on a PDF and returns its pages (split at form
// feeds), failing the test when the PDF prints a character the embedded
// font has no glyph for. poppler-utils is a test dependency; `make test`
// installs it.
func pdfText(t *testing.T, pdf []byte, layout bool) []string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Fatalf("pdftotext not found (install poppler-utils, or run make test): %v", err)
	}
	path := filepath.Join(t.TempDir(), "r.pdf")
	if err := os.WriteFile(path, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"-enc", "UTF-8"}
	if layout {
		args = append(args, "-layout")
	}
	out, err := exec.Command("pdftotext", append(args, path, "-")...).Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	if miss := missingGlyphs(string(out)); miss != "" {
		t.Errorf("the PDF prints characters the embedded font has no glyph for (shown as empty boxes): %q", miss)
	}
	pages := strings.Split(string(out), "\f")
	if len(pages) > 0 && strings.TrimSpace(pages[len(pages)-1]) == "" {
		pages = pages[:len(pages)-1]
	}
	return pages
}

// squash removes all white space, so that text broken across lines (and
// spread by justification) compares with the text that was laid out.
func squash(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

func render(t testing.TB, m *Model, lang string) []byte {
	t.Helper()
	b, err := Render(m, Options{Lang: lang})
	if err != nil {
		t.Fatalf("Render(%s): %v", lang, err)
	}
	return b
}

var (
	renderedMu sync.Mutex
	renderedBy = map[string][]byte{}
)

// rendered returns the fixture's report in lang, rendered once per test
// binary: most tests only read it, and rendering is the slow part.
func rendered(t testing.TB, lang string) []byte {
	t.Helper()
	renderedMu.Lock()
	defer renderedMu.Unlock()
	if b, ok := renderedBy[lang]; ok {
		return b
	}
	b := render(t, testModel(), lang)
	renderedBy[lang] = b
	return b
}

var sectionTitles = map[string][]string{
	"zh": {"一、测评背景与依据", "二、测评方案", "三、样本结构", "四、总体满意度", "五、分领域与分项满意度", "六、区县比较",
		"七、人群差异", "八、影响因素", "九、知晓度、参与度与信心", "十、意见建议", "十一、结论与建议", "十二、附录"},
	"en": {"1 Background and basis", "2 Method", "3 Sample profile", "4 Overall satisfaction", "5 Domains and items", "6 Districts",
		"7 Differences between groups", "8 Drivers of satisfaction", "9 Awareness, participation and confidence", "10 Suggestions",
		"11 Conclusions and recommendations", "12 Appendices"},
}

func TestRenderText(t *testing.T) {
	m := testModel()
	for _, lang := range []string{"zh", "en"} {
		t.Run(lang, func(t *testing.T) {
			b := rendered(t, lang)
			if *outDir != "" {
				if err := os.WriteFile(filepath.Join(*outDir, "report-"+lang+".pdf"), b, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if len(b) >= 5<<20 {
				t.Errorf("size %d bytes, want under 5 MB", len(b))
			}
			pages := pdfText(t, b, false)
			all := squash(strings.Join(pages, ""))
			for _, title := range sectionTitles[lang] {
				if !strings.Contains(all, squash(title)) {
					t.Errorf("section title %q missing from the text", title)
				}
			}
			want := []string{
				"83.42",       // the overall index, two decimals
				"82.62–84.22", // its interval
				tr(lang, "表1", "Table1"), tr(lang, "图1", "Figure1"), tr(lang, "续表", "(continued)"),
				tr(lang, "†样本量少于30的估计值仅供参考，不参与排名。", "†Estimatesfromfewerthan30respondentsareforreferenceonlyandarenotranked."),
				squash(m.Suggestions.Quotes[0].Text),         // a long Chinese paragraph, whole
				squash(m.Method.QualityControl[0].Get(lang)), // another one
				squash(m.Appendix.Weighting[0].Get(lang)),
			}
			for _, w := range want {
				if !strings.Contains(all, w) {
					t.Errorf("text lacks %q", w)
				}
			}
			// The footer counts pages from the table of contents: the cover
			// is unnumbered.
			footer := regexp.MustCompile(tr(lang, `第 (\d+) 页 共 (\d+) 页`, `Page (\d+) of (\d+)`))
			for i, p := range pages {
				f := footer.FindStringSubmatch(p)
				if i == 0 {
					if f != nil {
						t.Errorf("cover has a footer %q", f[0])
					}
					continue
				}
				if f == nil {
					t.Errorf("page %d has no footer", i+1)
					continue
				}
				if f[1] != strconv.Itoa(i) || f[2] != strconv.Itoa(len(pages)-1) {
					t.Errorf("page %d footer %q, want %d of %d", i+1, f[0], i, len(pages)-1)
				}
			}
		})
	}
}

// TestTOCPageNumbers checks that every heading the contents list points to
// the page the heading is printed on.
func TestTOCPageNumbers(t *testing.T) {
	for _, lang := range []string{"zh", "en"} {
		t.Run(lang, func(t *testing.T) {
			pages := pdfText(t, rendered(t, lang), true)
			toc := pages[1]
			for _, title := range sectionTitles[lang] {
				// In the contents: the title, dot leaders, the number.
				re := regexp.MustCompile(regexp.QuoteMeta(title) + `\s*\.{3,}\s*(\d+)`)
				f := re.FindStringSubmatch(toc)
				if f == nil {
					t.Errorf("contents lack %q with a page number", title)
					continue
				}
				found := -1
				for i := 2; i < len(pages); i++ {
					if regexp.MustCompile(`(?m)^\s*` + regexp.QuoteMeta(title) + `\s*$`).MatchString(pages[i]) {
						found = i
						break
					}
				}
				if got := strconv.Itoa(found); got != f[1] {
					t.Errorf("%q: contents say page %s, heading is on page %s", title, f[1], got)
				}
			}
		})
	}
}

func TestRenderDeterministic(t *testing.T) {
	for _, lang := range []string{"zh", "en"} {
		a := rendered(t, lang)
		// Several renders, since an order taken from a map matches by
		// chance now and then.
		for i := 0; i < 3; i++ {
			if b := render(t, testModel(), lang); !bytes.Equal(a, b) {
				t.Fatalf("%s: render %d differs from the first (%d and %d bytes)", lang, i+2, len(b), len(a))
			}
		}
		if !bytes.Contains(a, []byte("/CreationDate (D:20261120")) {
			t.Errorf("%s: creation date is not the report date", lang)
		}
	}
}

// TestRenderGolden compares the extracted text with testdata; run with
// -update after an intended change and read the diff.
func TestRenderGolden(t *testing.T) {
	for _, lang := range []string{"zh", "en"} {
		got := strings.Join(pdfText(t, rendered(t, lang), true), "\f")
		path := filepath.Join("testdata", "report-"+lang+".golden.txt")
		if *update {
			if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test -update to create it)", err)
		}
		if got != string(want) {
			gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
			for i := 0; i < len(gl) && i < len(wl); i++ {
				if gl[i] != wl[i] {
					t.Fatalf("%s: line %d\n got %q\nwant %q", path, i+1, gl[i], wl[i])
				}
			}
			t.Fatalf("%s: got %d lines, want %d", path, len(gl), len(wl))
		}
	}
}

func TestRenderMinimal(t *testing.T) {
	// A first measurement: no previous year, no trend, no drivers, no
	// districts. Every section must still print.
	m := testModel()
	m.Overall.Change = nil
	for i := range m.Domains {
		m.Domains[i].Change = nil
		for j := range m.Domains[i].Items {
			m.Domains[i].Items[j].Change = nil
		}
	}
	m.Trend, m.Drivers, m.Districts, m.Groups, m.Indicators = nil, nil, nil, nil, nil
	m.Suggestions = Suggestions{Total: 12, PrevTotal: -1}
	m.Sample.Rates = nil
	text := squash(strings.Join(pdfText(t, render(t, m, "zh"), false), ""))
	for _, title := range sectionTitles["zh"] {
		if !strings.Contains(text, title) {
			t.Errorf("section %q missing", title)
		}
	}
	if strings.Contains(text, "较上年") && strings.Contains(text, "变化具有统计显著性") {
		t.Errorf("a report without last year speaks of a significant change")
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(m *Model)
		want   string
	}{
		{"ok", func(*Model) {}, ""},
		{"no city", func(m *Model) { m.Meta.City.Zh = "" }, "Meta.City"},
		{"no year", func(m *Model) { m.Meta.Year = 0 }, "Meta.Year"},
		{"no date", func(m *Model) { m.Meta.ReportDate = time.Time{} }, "Meta.ReportDate"},
		{"district domains", func(m *Model) { m.Districts[2].Domains = m.Districts[2].Domains[:3] }, "district 3 has 3 domain indices, want 5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := testModel()
			tt.change(m)
			err := m.Validate()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("got %v, want nil", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an error mentioning %q", err, tt.want)
			}
		})
	}
	if _, err := Render(nil, Options{}); err == nil {
		t.Errorf("Render(nil): got nil error")
	}
}

func BenchmarkRender(b *testing.B) {
	m := testModel()
	for _, lang := range []string{"zh", "en"} {
		b.Run(lang, func(b *testing.B) {
			var size int
			for b.Loop() {
				size = len(render(b, m, lang))
			}
			b.ReportMetric(float64(size), "bytes/pdf")
		})
	}
}

// TestChartWidthsDistinct guards the workaround for fpdf's image order:
// images of equal pixel width are written in map order.
func TestChartWidthsDistinct(t *testing.T) {
	ch, err := makeCharts(testModel(), "zh")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int]string{}
	for name, c := range map[string]*chart{"domains": ch.domains, "districts": ch.districts, "matrix": ch.matrix, "trend": ch.trend} {
		cfg, err := png.DecodeConfig(bytes.NewReader(c.png))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if other, ok := seen[cfg.Width]; ok {
			t.Errorf("charts %s and %s are both %d px wide", name, other, cfg.Width)
		}
		seen[cfg.Width] = name
	}
}

// TestRenderConcurrent renders from two goroutines at once, as two office
// users exporting together would; the chart font is shared process state.
func TestRenderConcurrent(t *testing.T) {
	want := rendered(t, "zh")
	var wg sync.WaitGroup
	got := make([][]byte, 2)
	errs := make([]error, 2)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i], errs[i] = Render(testModel(), Options{Lang: "zh"})
		}()
	}
	wg.Wait()
	for i := range got {
		if errs[i] != nil {
			t.Fatalf("goroutine %d: %v", i, errs[i])
		}
		if !bytes.Equal(got[i], want) {
			t.Errorf("goroutine %d: output differs from a lone render", i)
		}
	}
}

var (
	fontOnce sync.Once
	cjkFont  *sfnt.Font
)

// missingGlyphs returns the distinct characters of text that the embedded
// CJK font cannot draw (a ⚑, say), so a report never prints a box.
func missingGlyphs(text string) string {
	fontOnce.Do(func() {
		f, err := sfnt.Parse(static.CJKFont())
		if err != nil {
			panic(err)
		}
		cjkFont = f
	})
	var buf sfnt.Buffer
	seen := map[rune]bool{}
	var miss []rune
	for _, r := range text {
		if unicode.IsSpace(r) || unicode.IsControl(r) || seen[r] {
			continue
		}
		seen[r] = true
		if g, err := cjkFont.GlyphIndex(&buf, r); err != nil || g == 0 {
			miss = append(miss, r)
		}
	}
	return string(miss)
}
