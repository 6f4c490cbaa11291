package invite

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func entries(n int) []QREntry {
	es := make([]QREntry, n)
	for i := range es {
		es[i] = QREntry{
			CaseID:   fmt.Sprintf("C%05d", i+1),
			District: "东城区",
			URL:      fmt.Sprintf("https://manyi.example.gov.cn/s/TOKEN%022d", i+1),
		}
	}
	return es
}

// poppler runs a poppler tool on pdf and returns its output.
func poppler(t *testing.T, tool string, pdf []byte, args ...string) string {
	t.Helper()
	if _, err := exec.LookPath(tool); err != nil {
		t.Fatalf("%s not found (install poppler-utils, or run make test): %v", tool, err)
	}
	path := filepath.Join(t.TempDir(), "sheet.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tool, append(args, path, "-")...).Output()
	if err != nil {
		t.Fatalf("%s: %v", tool, err)
	}
	return string(out)
}

func TestQRSheet(t *testing.T) {
	tests := []struct {
		name      string
		n         int
		opt       QROptions
		wantPages int
	}{
		{"one", 1, QROptions{}, 1},
		{"full page", 12, QROptions{}, 1},
		{"page and a bit", 13, QROptions{Title: "示例市 2026 年市民质量满意度测评"}, 2},
		{"2x3", 7, QROptions{Cols: 2, Rows: 3}, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			es := entries(tc.n)
			pdf, err := QRSheet(es, tc.opt)
			if err != nil {
				t.Fatal(err)
			}
			text := poppler(t, "pdftotext", pdf, "-layout")
			pages := strings.Split(strings.TrimRight(text, "\f\n"), "\f")
			if len(pages) != tc.wantPages {
				t.Errorf("got %d pages, want %d", len(pages), tc.wantPages)
			}
			for _, e := range es {
				if !strings.Contains(text, e.CaseID) {
					t.Errorf("case id %s not in the PDF text", e.CaseID)
				}
			}
			if got := strings.Count(text, "请用手机扫描二维码"); got != tc.n {
				t.Errorf("instruction printed %d times, want %d", got, tc.n)
			}
			if tc.opt.Title != "" && !strings.Contains(pages[len(pages)-1], tc.opt.Title) {
				t.Errorf("title %q missing on the last page", tc.opt.Title)
			}
			if want := fmt.Sprintf("第%d/%d页", tc.wantPages, tc.wantPages); !strings.Contains(strings.ReplaceAll(text, " ", ""), want) {
				t.Errorf("page number %q missing", want)
			}

			// Render the last page in grey and measure each cell's code
			// square: a code has a good share of dark modules, an unused cell
			// none. This counts the codes without decoding them.
			cols, rows := tc.opt.Cols, tc.opt.Rows
			if cols == 0 {
				cols, rows = 3, 4
			}
			onLast := tc.n - (tc.wantPages-1)*cols*rows
			img := render(t, pdf, tc.wantPages)
			cellW := (qrPageW - 2*qrMarginX) / float64(cols)
			cellH := (qrPageH - qrTop - qrBottom) / float64(rows)
			size := min(cellW-8, cellH-21)
			for k := 0; k < cols*rows; k++ {
				x := qrMarginX + float64(k%cols)*cellW + (cellW-size)/2
				y := qrTop + float64(k/cols)*cellH + 2
				dark := img.darkShare(x, y, size)
				if k < onLast && (dark < 0.2 || dark > 0.5) {
					t.Errorf("cell %d: dark share %.3f of the code square, want 0.2–0.5 for a QR code", k, dark)
				}
				if k >= onLast && dark > 0.01 {
					t.Errorf("cell %d: dark share %.3f, want an empty cell", k, dark)
				}
			}
		})
	}
}

func TestQRSheetDeterministic(t *testing.T) {
	a, err := QRSheet(entries(15), QROptions{Title: "测评"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := QRSheet(entries(15), QROptions{Title: "测评"})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Errorf("two runs differ (%d and %d bytes), want identical output", len(a), len(b))
	}
	if !bytes.Contains(a, []byte("D:20000101")) {
		t.Errorf("creation date is not the fixed default")
	}
}

func TestQRSheetErrors(t *testing.T) {
	tests := []struct {
		name    string
		es      []QREntry
		opt     QROptions
		wantErr string
	}{
		{"none", nil, QROptions{}, "no invitations"},
		{"no url", []QREntry{{CaseID: "C1"}}, QROptions{}, "(case C1) has no link"},
		{"grid too dense", entries(1), QROptions{Cols: 9}, "at most 6 columns"},
		{"codes too small", entries(1), QROptions{Cols: 6, Rows: 8}, "too small"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := QRSheet(tc.es, tc.opt)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("got %v, want an error mentioning %q", err, tc.wantErr)
			}
		})
	}
}

func BenchmarkQRSheet(b *testing.B) {
	es := entries(120)
	for b.Loop() {
		if _, err := QRSheet(es, QROptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// greyPage is a rendered page: 8-bit grey pixels at dpi.
type greyPage struct {
	w, h int
	dpi  float64
	pix  []byte
}

// render rasterizes one page with pdftoppm into a binary PGM.
func render(t *testing.T, pdf []byte, page int) *greyPage {
	t.Helper()
	const dpi = 60
	if _, err := exec.LookPath("pdftoppm"); err != nil {
		t.Fatalf("pdftoppm not found (install poppler-utils, or run make test): %v", err)
	}
	path := filepath.Join(t.TempDir(), "sheet.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	p := fmt.Sprint(page)
	out, err := exec.Command("pdftoppm", "-gray", "-r", fmt.Sprint(dpi), "-f", p, "-l", p, path).Output()
	if err != nil {
		t.Fatalf("pdftoppm: %v", err)
	}
	var magic string
	var w, h, maxv int
	n, err := fmt.Sscan(string(out), &magic, &w, &h, &maxv)
	if err != nil || n != 4 || magic != "P5" || maxv != 255 {
		t.Fatalf("pdftoppm output is not an 8-bit PGM: %v", err)
	}
	// The header ends with one white-space byte after maxval.
	hdr := len(out) - w*h
	if hdr <= 0 {
		t.Fatalf("PGM has %d bytes, want more than %d×%d", len(out), w, h)
	}
	return &greyPage{w: w, h: h, dpi: dpi, pix: out[hdr:]}
}

// darkShare returns the share of pixels darker than mid-grey in the square
// of side size mm at (x, y) mm.
func (g *greyPage) darkShare(x, y, size float64) float64 {
	px := func(mm float64) int { return int(mm / 25.4 * g.dpi) }
	x0, y0, x1, y1 := px(x), px(y), px(x+size), px(y+size)
	dark, all := 0, 0
	for j := y0; j < y1 && j < g.h; j++ {
		for i := x0; i < x1 && i < g.w; i++ {
			all++
			if g.pix[j*g.w+i] < 128 {
				dark++
			}
		}
	}
	if all == 0 {
		return 0
	}
	return float64(dark) / float64(all)
}
