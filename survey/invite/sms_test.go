package invite

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strings"
	"testing"

	"manyi/survey"
)

func TestParseTemplate(t *testing.T) {
	tests := []struct {
		name    string
		tmpl    string
		wantErr string // part of the English message, "" for none
	}{
		{"all placeholders", "【{city}】{title}邀请您参加：{link}", ""},
		{"link only", "请点击 {link}", ""},
		{"unknown", "您好{name}，请点击 {link}", "{name}"},
		{"unclosed", "请点击 {link", "unclosed"},
		{"stray close", "请点击} {link}", "stray"},
		{"no link", "{city}{title}", "no {link}"},
		{"empty", "  ", "empty"},
		{"formula", "=HYPERLINK({link})", "formula"},
		{"empty placeholder", "{} {link}", "{}"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseTemplate(tc.tmpl)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("ParseTemplate(%q): %v", tc.tmpl, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("ParseTemplate(%q): no error, want one mentioning %q", tc.tmpl, tc.wantErr)
			}
			if got := survey.ErrorCode(err); got != survey.EINVALID {
				t.Errorf("code %q, want %q", got, survey.EINVALID)
			}
			if !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("error %q, want it to mention %q", err, tc.wantErr)
			}
			if zh := survey.ErrorMessage(err, survey.LangZh); zh == "" || zh == err.Error() {
				t.Errorf("Chinese message %q, want a Chinese text", zh)
			}
		})
	}
}

func TestWriteSMS(t *testing.T) {
	rows := []SMSRow{
		{Contact: "13800138000", Link: "https://e.gov.cn/s/AAA", City: "示例市", Title: "2026 年市民质量满意度测评"},
		{Contact: "02088888888", Link: "https://e.gov.cn/s/BBB", City: "示例市", Title: "2026 年市民质量满意度测评"},
	}
	var buf bytes.Buffer
	if err := WriteSMS(&buf, rows, "【{city}】诚邀您参加{title}，点击 {link} 作答，谢谢！"); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	if !bytes.HasPrefix(b, []byte("\xef\xbb\xbf")) {
		t.Fatalf("output starts %q, want the UTF-8 byte-order mark", b[:min(3, len(b))])
	}
	recs, err := csv.NewReader(bytes.NewReader(b[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"contact", "message"},
		{"13800138000", "【示例市】诚邀您参加2026 年市民质量满意度测评，点击 https://e.gov.cn/s/AAA 作答，谢谢！"},
		{"02088888888", "【示例市】诚邀您参加2026 年市民质量满意度测评，点击 https://e.gov.cn/s/BBB 作答，谢谢！"},
	}
	if len(recs) != len(want) {
		t.Fatalf("got %d records, want %d", len(recs), len(want))
	}
	for i := range want {
		if strings.Join(recs[i], "\x00") != strings.Join(want[i], "\x00") {
			t.Errorf("record %d: got %q, want %q", i, recs[i], want[i])
		}
	}
}

func TestWriteSMSErrors(t *testing.T) {
	tests := []struct {
		name    string
		rows    []SMSRow
		tmpl    string
		wantErr string
	}{
		{"bad template", []SMSRow{{Contact: "13800138000", Link: "x"}}, "{foo} {link}", "{foo}"},
		{"no contact", []SMSRow{{Contact: "13800138000", Link: "x"}, {Link: "y"}}, "{link}", "invitation 2 has no contact"},
		{"no link", []SMSRow{{Contact: "13800138000"}}, "{link}", "invitation 1 has no link"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := WriteSMS(&buf, tc.rows, tc.tmpl)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("got error %v, want one mentioning %q", err, tc.wantErr)
			}
			if buf.Len() != 0 {
				t.Errorf("wrote %d bytes before the error, want none", buf.Len())
			}
		})
	}
}

func TestSegments(t *testing.T) {
	tests := []struct {
		msg  string
		want int
	}{
		{strings.Repeat("中", 70), 1},
		{strings.Repeat("中", 71), 2},  // 71 > 70: two segments of up to 67
		{strings.Repeat("中", 134), 2}, // 2 × 67
		{strings.Repeat("中", 135), 3},
		{strings.Repeat("a", 160), 1},
		{strings.Repeat("a", 161), 2},
		{strings.Repeat("a", 159) + "中", 3}, // one Chinese character forces UCS-2: 160/67 → 3
		{"", 1},
	}
	for _, tc := range tests {
		if got := Segments(tc.msg); got != tc.want {
			t.Errorf("Segments(%d runes, ascii=%v) = %d, want %d", len([]rune(tc.msg)), isASCII(tc.msg), got, tc.want)
		}
	}
}

func TestWarnings(t *testing.T) {
	link := "https://manyi.example.gov.cn/s/" + strings.Repeat("A", 26)
	short := []SMSRow{{Contact: "1", Link: link, City: "示例市"}}
	w, err := Warnings(short, "【{city}】请点击{link}参加测评")
	if err != nil || len(w) != 0 {
		t.Fatalf("short message: got %v, %v, want no warning", w, err)
	}
	long := []SMSRow{{Contact: "1", Link: link, City: "示例市", Title: "示例市2026年市民质量满意度测评"}}
	tmpl := "【{city}】尊敬的市民，您被随机抽中参加{title}，您的意见对改进本市质量工作十分重要，请点击{link}作答，约需5至8分钟，谢谢！"
	w, err = Warnings(long, tmpl)
	if err != nil {
		t.Fatal(err)
	}
	if len(w) != 1 || !strings.Contains(w[0].En, "longer than one SMS segment (70") || !strings.Contains(w[0].Zh, "70 字") {
		t.Fatalf("got %v, want one warning naming the 70-character segment", w)
	}
	if _, err := Warnings(long, "{oops}"); err == nil {
		t.Errorf("Warnings with a bad template: no error")
	}
}

func TestLink(t *testing.T) {
	tests := []struct {
		base, token, want string
		ok                bool
	}{
		{"https://e.gov.cn", "TOK", "https://e.gov.cn/s/TOK", true},
		{"https://e.gov.cn/", "TOK", "https://e.gov.cn/s/TOK", true},
		{"http://127.0.0.1:8080/manyi/", "TOK", "http://127.0.0.1:8080/manyi/s/TOK", true},
		{"e.gov.cn", "TOK", "", false},
		{"ftp://e.gov.cn", "TOK", "", false},
		{"https://e.gov.cn/?a=1", "TOK", "", false},
		{"https://e.gov.cn", "", "", false},
		{"https://e.gov.cn", "a/b", "", false},
	}
	for _, tc := range tests {
		got, err := Link(tc.base, tc.token)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("Link(%q, %q) = %q, %v; want %q, ok=%v", tc.base, tc.token, got, err, tc.want, tc.ok)
		}
	}
}

func TestWriteSMSSector(t *testing.T) {
	rows := []SMSRow{
		{Contact: "13800138000", Link: "https://e.gov.cn/s/AAA", Sector: "retail"},
		{Contact: "13900139000", Link: "https://e.gov.cn/s/BBB", Sector: "banking"},
	}
	var buf bytes.Buffer
	if err := WriteSMS(&buf, rows, "请点击 {link}"); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(buf.Bytes()[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := "[[contact sector message] [13800138000 retail 请点击 https://e.gov.cn/s/AAA] [13900139000 banking 请点击 https://e.gov.cn/s/BBB]]"
	if got := fmt.Sprint(recs); got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}
