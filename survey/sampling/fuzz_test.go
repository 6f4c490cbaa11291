package sampling

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"manyi/survey"
)

// FuzzReadFrame checks that no frame file makes ReadFrame panic; that a
// fatal refusal is EINVALID with a zh and an en message; that every row
// error names a data row (2 or later) with a reason in both languages and,
// for the contact column, never repeats the phone number; and that the
// clean units have unique ids, known districts and normalized contacts,
// and WriteRejects can write the rejects. Seeds: the frames in
// ../../testdata/sampling (cut to 4 KB) and testdata/fuzz/FuzzReadFrame.
func FuzzReadFrame(f *testing.F) {
	for _, name := range []string{"frame.csv", "bad_frame.csv"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "sampling", name))
		if err != nil {
			f.Fatal(err)
		}
		if len(b) > 4096 {
			b = b[:bytes.LastIndexByte(b[:4096], '\n')+1]
		}
		f.Add(b, true)
	}
	for _, s := range []string{
		"id,district,gender,age_band,contact\nr1,上城区,男,18-29,13800138000\n",
		"\ufeffid,district\n\"a\nb\",x\n,\n",
		"id,district,contact\n1,上城区,+86\n2,西湖区,\"0086 10 1\"\"2\"\n",
		"district,id\n\"\n",
		"\xef\xbb\xbfid,district,contact\nA1,上城区,+86 138-0000-0001\nA1,淳安县,0086571 8888 8888\n",
		"id,district,gender,age_band\nA1,上城区,女,18至29\nA2,西湖区,x,71\n\"A3,d1\n",
		"id,id,district\n",
	} {
		f.Add([]byte(s), true)
	}
	f.Fuzz(func(t *testing.T, data []byte, restrict bool) {
		opts := FrameOptions{}
		if restrict {
			opts.Districts = testDistricts
		}
		fr, rowErrs, err := ReadFrame(bytes.NewReader(data), opts)
		checkFrame(t, fr, rowErrs, err, opts.Districts)
	})
}

// checkFrame checks what a frame reader returned: a fatal refusal is
// EINVALID with a zh and an en message; every row error names a data row
// with a reason in both languages and, for the contact column, never
// repeats the phone number; the clean units have unique ids, known
// districts (when known is set) and normalized contacts; WriteRejects
// writes the rejects.
func checkFrame(t *testing.T, fr *Frame, rowErrs []RowError, err error, known []string) {
	t.Helper()
	if err != nil {
		if survey.ErrorCode(err) != survey.EINVALID || survey.ErrorMessage(err, survey.LangZh) == "" || survey.ErrorMessage(err, survey.LangEn) == "" {
			t.Fatalf("fatal error %v (code %q), want EINVALID in zh and en", err, survey.ErrorCode(err))
		}
		return
	}
	contactCol := -1
	for j, h := range fr.Header {
		if strings.EqualFold(strings.TrimSpace(h), ColContact) {
			contactCol = j
		}
	}
	for _, e := range rowErrs {
		if e.Row < 2 || e.Reason.Zh == "" || e.Reason.En == "" {
			t.Fatalf("row error %+v: want a data row and a reason in zh and en", e)
		}
		if e.Column == ColContact && contactCol >= 0 && contactCol < len(e.Record) {
			if v := strings.TrimSpace(e.Record[contactCol]); len(v) >= 5 && (strings.Contains(e.Line(survey.LangZh), v) || strings.Contains(e.Line(survey.LangEn), v)) {
				t.Fatalf("row error repeats the phone number %q: %s", v, e.Line(survey.LangEn))
			}
		}
	}
	ids := map[string]bool{}
	for _, u := range fr.Units {
		if u.ID == "" || ids[u.ID] {
			t.Fatalf("unit %+v: empty or repeated id", u.Row)
		}
		ids[u.ID] = true
		if u.District == "" || (known != nil && !slices.Contains(known, u.District)) {
			t.Fatalf("unit at row %d has district %q", u.Row, u.District)
		}
		if u.Contact != "" {
			if n, ok := NormalizePhone(u.Contact); !ok || n != u.Contact {
				t.Fatalf("unit at row %d: contact not normalized", u.Row)
			}
		}
	}
	if err := WriteRejects(&bytes.Buffer{}, fr.Header, rowErrs); err != nil {
		t.Fatalf("WriteRejects: %v", err)
	}
}

// FuzzReadFrameFile feeds ReadFrameFile, the reader behind the office's
// upload page: CSV in UTF-8 (with or without BOM) or GB18030, and XLSX
// workbooks, detected from the bytes. Same properties as FuzzReadFrame.
// Seeds: a small workbook made here with excelize, a GB18030 CSV, and
// testdata/fuzz/FuzzReadFrameFile.
func FuzzReadFrameFile(f *testing.F) {
	x := excelize.NewFile()
	for i, row := range [][]any{{"id", "district", "gender", "age_band", "contact"}, {"A1", "上城区", "男", 35, "13800138000"}, {"A2", "西湖区", "x", "18-29", 12345}, {"A1", "淳安县", "女", "60-70", ""}} {
		if err := x.SetSheetRow("Sheet1", "A"+strconv.Itoa(i+1), &row); err != nil {
			f.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := x.Write(&buf); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	gbk, err := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte("编号,区县\nA1,上城区\nA2,朝阳区\n"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(gbk)
	f.Add([]byte("PK\x03\x04 not really a zip"))
	f.Add([]byte("\ufeffid,district\nA1,上城区\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		opts := FrameOptions{Districts: testDistricts, Columns: map[string]string{"id": "编号", "district": "区县"}}
		if !bytes.Contains(data, []byte("编号")) && !bytes.Contains(data, gbk[:4]) {
			opts.Columns = nil
		}
		fr, rowErrs, _, err := ReadFrameFile(bytes.NewReader(data), opts)
		checkFrame(t, fr, rowErrs, err, opts.Districts)
	})
}
