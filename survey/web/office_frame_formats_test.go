package web

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// frameXLSX is frameCSV(n) as the first sheet of a workbook, one cell per
// field, as Excel saves a list typed into it.
func frameXLSX(t *testing.T, n int) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sheet := f.GetSheetName(0)
	for r, line := range strings.Split(strings.TrimSpace(frameCSV(n)), "\n") {
		for c, v := range strings.Split(line, ",") {
			cell, err := excelize.CoordinatesToCellName(c+1, r+1)
			if err != nil {
				t.Fatal(err)
			}
			if err := f.SetCellStr(sheet, cell, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestOfficeFrameFormats uploads the same frame as XLSX and as UTF-8 CSV
// with a BOM through the frame page: each preview names its format and
// rejects the same three rows with their spreadsheet row numbers; the
// XLSX's clean rows import.
func TestOfficeFrameFormats(t *testing.T) {
	e := newOfficeEnv(t)
	c := e.client("10.8.0.4")
	c.login("boss")
	csrf := csrfOf(t, c.get("/app/m/m1/frame").Body.String())
	for _, tc := range []struct {
		name, format string
		data         []byte
	}{
		{"名单.csv", "utf-8", append([]byte("\xef\xbb\xbf"), frameCSV(20)...)},
		{"名单.xlsx", "xlsx", frameXLSX(t, 20)},
	} {
		if rec := c.upload("/app/m/m1/frame", csrf, tc.name, tc.data); rec.Code != http.StatusSeeOther {
			t.Fatalf("upload %s: %d\n%s", tc.name, rec.Code, rec.Body)
		}
		body := c.waitFrame(t, "m1")
		for _, want := range []string{"预览：" + tc.name, "有效行 40", "被剔除 3 行", "<td>42</td>", "<td>43</td>", "<td>44</td>", "与第 2 行重复", "电话号码格式不正确"} {
			if !strings.Contains(body, want) {
				t.Errorf("%s: the preview lacks %q", tc.name, want)
			}
		}
		if !strings.Contains(strings.ToLower(body), "（"+tc.format) {
			t.Errorf("%s: the preview does not name the format %s", tc.name, tc.format)
		}
		if tc.format != "xlsx" {
			continue
		}
		m := jobField.FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("%s: no job field in the preview", tc.name)
		}
		if rec := c.post("/app/m/m1/frame/import", url.Values{"csrf": {csrf}, "job": {m[1]}}); rec.Code != http.StatusSeeOther {
			t.Fatalf("import %s: %d\n%s", tc.name, rec.Code, rec.Body)
		}
		c.waitFrame(t, "m1")
		if sum, err := e.db.Frame(context.Background(), "m1"); err != nil || sum.Units != 40 || sum.Contacts != 40 || sum.Source != tc.name {
			t.Fatalf("stored frame after the XLSX: %+v, %v", sum, err)
		}
	}
}
