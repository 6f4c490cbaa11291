package report

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"
	"time"

	"manyi/survey"
	"manyi/survey/csi"
)

// TestRenderService renders the CSI report of a simulated measurement in
// both languages: a PDF with the outline's sections, the same bytes twice,
// and (with pdftotext) the city's CSI as csi.Compute gave it.
func TestRenderService(t *testing.T) {
	ds := csi.Simulate(csi.SimOptions{Seed: 4, PerCell: 15})
	m := &survey.Measurement{ID: "svc", Kind: survey.KindService, Sectors: survey.DefaultSectors()[:7], Districts: ds.Districts}
	prev, err := csi.Compute(csi.Input{Measurement: m, Dataset: csi.Simulate(csi.SimOptions{Seed: 5, PerCell: 15, Shift: -0.3}), Reps: 30})
	if err != nil {
		t.Fatal(err)
	}
	res, err := csi.Compute(csi.Input{Measurement: m, Dataset: ds, Reps: 30, Prev: prev})
	if err != nil {
		t.Fatal(err)
	}
	in := ServiceInput{Meta: Meta{City: survey.Text{Zh: "示例市", En: "Example City"}, Year: 2026, Office: survey.Text{Zh: "办公室", En: "Office"},
		ReportDate: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}, Results: res, Questionnaire: ds.Q}
	for _, lang := range []string{"zh", "en"} {
		a, err := RenderService(in, Options{Lang: lang})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := RenderService(in, Options{Lang: lang})
		if !bytes.HasPrefix(a, []byte("%PDF")) || !bytes.Equal(a, b) {
			i := 0
			for i < len(a) && i < len(b) && a[i] == b[i] {
				i++
			}
			t.Fatalf("%s: not a reproducible PDF (%d vs %d bytes, first difference at %d: %q vs %q)", lang, len(a), len(b), i, a[max(0, i-80):min(len(a), i+40)], b[max(0, i-80):min(len(b), i+40)])
		}
		if _, err := exec.LookPath("pdftotext"); err != nil {
			continue
		}
		cmd := exec.Command("pdftotext", "-layout", "-", "-")
		cmd.Stdin = bytes.NewReader(a)
		out, err := cmd.Output()
		if err != nil {
			t.Fatal(err)
		}
		text := string(out)
		if miss := missingGlyphs(text); miss != "" {
			t.Errorf("%s: characters the font cannot draw: %q", lang, miss)
		}
		want := []string{"测评背景与依据", "测评方法", "样本结构", "模型及其质量", "总体及分行业满意度", "各构念指数", "影响因素", "区县比较", "结论与建议", "附录"}
		if lang == "en" {
			want = []string{"Background and basis", "Method", "The sample", "The model and its quality", "Overall and sector CSIs", "The constructs", "Drivers", "Districts", "Conclusions", "Appendices"}
		}
		for _, w := range want {
			if !strings.Contains(text, w) {
				t.Errorf("%s: no section %q", lang, w)
			}
		}
		if v := fmtIndex(res.Overall.Value); !strings.Contains(text, v) {
			t.Errorf("%s: the city's CSI %s is not printed", lang, v)
		}
	}
}
