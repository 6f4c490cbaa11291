package report

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"manyi/static"
)

func testLayout(t *testing.T) *layout {
	t.Helper()
	l := newLayout("zh", static.CJKFont(), docMeta{date: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
	l.setFont(bodySize)
	return l
}

func TestWrap(t *testing.T) {
	l := testLayout(t)
	texts := []string{
		"总体而言，您对本市的质量状况满意吗？请在 1–10 分之间打分（1 分表示非常不满意，10 分表示非常满意），不清楚的请选择“不清楚/不适用”。",
		"测评依据《城市市民质量满意度测评方案（试行）》（国质检质函〔2012〕841号）和 GB/T 19038《顾客满意测评模型和方法指南》组织实施。",
		"小区物业收费不低，但电梯维修和垃圾清运经常拖延，希望加强对物业公司的考核，把业主满意度和物业费挂钩。",
		"The overall item was regressed on the domain scores and the positive standardized coefficients normalized into shares.",
		"一、二、三、四、五、六、七、八、九、十、十一、十二、十三、十四、十五、十六、十七、十八、十九、二十。",
		"https://example.invalid/a/very/long/address/that/cannot/break/at/a/space/anywhere/in/its/length/at/all/and/more",
	}
	// Every width from very narrow to a full line, so that breaks fall on
	// every kind of character.
	for _, s := range texts {
		for w := 12.0; w <= contentW; w += 3.7 {
			lines := l.wrap(s, w)
			joined := strings.Join(lines, "")
			if squash(joined) != squash(s) {
				t.Fatalf("w=%.1f: lines lose text:\n got %q\nwant %q", w, joined, s)
			}
			for i, ln := range lines {
				if lw := l.pdf.GetStringWidth(ln); lw > w+0.01 && utf8.RuneCountInString(ln) > 1 {
					t.Errorf("w=%.1f line %d %q is %.1f mm wide", w, i, ln, lw)
				}
				first, _ := utf8.DecodeRuneInString(ln)
				if i > 0 && strings.ContainsRune(noLineStart, first) {
					t.Errorf("w=%.1f line %d starts with %q: %q", w, i, first, ln)
				}
				last, _ := utf8.DecodeLastRuneInString(ln)
				if i < len(lines)-1 && strings.ContainsRune(noLineEnd, last) {
					t.Errorf("w=%.1f line %d ends with %q: %q", w, i, last, ln)
				}
			}
		}
	}
}

func TestWrapCases(t *testing.T) {
	l := testLayout(t)
	ch := l.pdf.GetStringWidth("中")
	tests := []struct {
		name  string
		s     string
		chars float64 // line width in Chinese characters
		want  []string
	}{
		{"plain", "一二三四五六", 3, []string{"一二三", "四五六"}},
		{"comma carries a character", "一二三，四五", 3, []string{"一二", "三，", "四五"}},
		{"two closing marks", "一二三）。四五", 3.2, []string{"一二", "三）。", "四五"}},
		{"opening mark moves down", "一二（三四", 3, []string{"一二", "（三四"}},
		{"latin word kept whole", "一 GB/T", 3, []string{"一", "GB/T"}},
		{"no orphan", "一二三四五六七", 3, []string{"一二三", "四五", "六七"}},
		{"newline", "一二\n三", 5, []string{"一二", "三"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := l.wrap(tt.s, tt.chars*ch+0.01)
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("wrap(%q, %v chars) = %q, want %q", tt.s, tt.chars, got, tt.want)
			}
		})
	}
}
