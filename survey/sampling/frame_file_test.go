package sampling

import (
	"bytes"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

const frameFileCSV = "id,district,gender,age_band,contact\n" +
	"1,上城区,男,18-29,13900000001\n" +
	"2,下城区,女,30-44,13900000002\n" +
	"3,西湖区,女,45-59,13900000003\n" + // unknown district
	"4,上城区,男,60-70,12345\n" // bad phone

func checkFrameFile(t *testing.T, data []byte, wantFormat, wantEnc string) {
	t.Helper()
	f, errs, info, err := ReadFrameFile(bytes.NewReader(data), FrameOptions{Districts: []string{"上城区", "下城区"}})
	if err != nil {
		t.Fatal(err)
	}
	if info.Format != wantFormat || info.Encoding != wantEnc {
		t.Errorf("info = %+v, want %s %s", info, wantFormat, wantEnc)
	}
	if len(f.Units) != 2 || f.Units[1].District != "下城区" || f.Units[1].Gender != GenderFemale || f.Units[0].Contact != "13900000001" {
		t.Errorf("units = %+v", f.Units)
	}
	if len(errs) != 2 || errs[0].Row != 4 || errs[0].Column != ColDistrict || errs[1].Row != 5 || errs[1].Column != ColContact {
		t.Errorf("errors = %+v", errs)
	}
	if !strings.Contains(errs[0].Reason.Zh, "西湖区") {
		t.Errorf("reason %q does not name the district", errs[0].Reason.Zh)
	}
}

func TestReadFrameFileEncodings(t *testing.T) {
	gbk, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(frameFileCSV))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(gbk, []byte(frameFileCSV)) {
		t.Fatal("GBK encoding changed nothing")
	}
	t.Run("utf8", func(t *testing.T) { checkFrameFile(t, []byte(frameFileCSV), FormatCSV, EncodingUTF8) })
	t.Run("bom", func(t *testing.T) { checkFrameFile(t, []byte("\ufeff"+frameFileCSV), FormatCSV, EncodingUTF8BOM) })
	t.Run("gbk", func(t *testing.T) { checkFrameFile(t, gbk, FormatCSV, EncodingGB18030) })
	t.Run("gbk-crlf", func(t *testing.T) {
		checkFrameFile(t, bytes.ReplaceAll(gbk, []byte("\n"), []byte("\r\n")), FormatCSV, EncodingGB18030)
	})
}

// TestValidUTF8Pieces puts a three-byte rune across the 1 MB piece
// boundary and a bad byte after it.
func TestValidUTF8Pieces(t *testing.T) {
	big := bytes.Repeat([]byte("a"), 1<<20-1)
	ok := append(append([]byte{}, big...), "区县"...)
	if v, _ := validUTF8(bytes.NewReader(ok)); !v {
		t.Error("a rune across the piece boundary is not valid")
	}
	bad := append(append([]byte{}, ok...), 0xff)
	if v, _ := validUTF8(bytes.NewReader(bad)); v {
		t.Error("a bad byte after the first piece is valid")
	}
}

func TestReadFrameFileXLSX(t *testing.T) {
	x := excelize.NewFile()
	sh := x.GetSheetName(0)
	rows := [][]any{
		{"id", "district", "gender", "age_band", "contact"},
		{"1", "上城区", "男", "18-29", 13900000001},
		{"2", "下城区", "女", 35, "139 0000 0002"},
		{"3", "西湖区", "女", "45-59", "13900000003"},
		{"4", "上城区", "男", "60-70", "12345"},
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := x.SetSheetRow(sh, cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := x.Write(&buf); err != nil {
		t.Fatal(err)
	}
	checkFrameFile(t, buf.Bytes(), FormatXLSX, "")

	// A damaged workbook is one clear error.
	b := buf.Bytes()[:200]
	if _, _, _, err := ReadFrameFile(bytes.NewReader(b), FrameOptions{}); err == nil || !strings.Contains(err.Error(), "Excel") {
		t.Errorf("damaged workbook: err = %v", err)
	}
}
