package analysis

import (
	"bytes"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// TestCodebookNeutralised: question texts and choice labels are typed by
// the office; one that starts like a formula is quoted in the codebook
// sheet and the data sheet's label row (issue 13, formula injection).
func TestCodebookNeutralised(t *testing.T) {
	ds := Simulate(SimOptions{N: 20, Seed: 1})
	items := ds.Q.Items()
	items[0].Text.Zh = "=1+2 问题"
	for _, it := range items {
		if len(it.Choices) > 0 {
			it.Choices[0].Label.En = "@SUM(A1)"
			break
		}
	}
	var b bytes.Buffer
	if err := WriteResponsesXLSX(&b, ds, nil); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&b)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var got []string
	for _, sheet := range []string{SheetCodebook, SheetData} {
		rows, _ := f.GetRows(sheet)
		for _, row := range rows {
			for _, c := range row {
				if strings.Contains(c, "=1+2 问题") || strings.Contains(c, "@SUM(A1)") {
					got = append(got, sheet+":"+c)
				}
			}
		}
	}
	if len(got) < 3 {
		t.Fatalf("the edited texts are missing from the workbook: %q", got)
	}
	for _, c := range got {
		if _, v, _ := strings.Cut(c, ":"); !strings.HasPrefix(v, "'") {
			t.Errorf("%q is not neutralised", c)
		}
	}
}
