package analysis

import (
	"math"
	"strings"
	"testing"

	"manyi/survey"
)

// FuzzReadCensusCSV checks that no census file makes ReadCensusCSV panic,
// that every refusal is EINVALID with a message in both languages, and
// that an accepted file has only complete cells with finite non-negative
// counts that Totals can add up. Seeds: testdata/fuzz/FuzzReadCensusCSV and
// the cases of TestReadCensusCSV.
func FuzzReadCensusCSV(f *testing.F) {
	f.Add([]byte("district,gender,age_band,count\nd1,m,18-29,100\nd1,f,18-29,120\n"))
	f.Add([]byte("\ufeffcount,age_band,gender,district\n5,18-29,m,d1\n"))
	f.Add([]byte("district,gender,age_band,count\nd1,m,18-29,1e308\nd1,f,18-29,NaN\n"))
	f.Add([]byte("district,gender,age_band,count\n\"d1,m\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ReadCensusCSV(strings.NewReader(string(data)))
		if err != nil {
			if survey.ErrorCode(err) != survey.EINVALID {
				t.Fatalf("got %v (code %q), want EINVALID", err, survey.ErrorCode(err))
			}
			if survey.ErrorMessage(err, survey.LangZh) == "" || survey.ErrorMessage(err, survey.LangEn) == "" {
				t.Fatalf("error %v lacks a zh or en message", err)
			}
			return
		}
		if len(c.Cells) == 0 {
			t.Fatal("accepted a census with no cells")
		}
		for i, cell := range c.Cells {
			if cell.District == "" || cell.Gender == "" || cell.AgeBand == "" || cell.Count < 0 || math.IsNaN(cell.Count) || math.IsInf(cell.Count, 0) {
				t.Fatalf("cell %d accepted: %+v", i, cell)
			}
		}
		if _, err := c.Totals([]string{"district", "gender", "age_band"}); err != nil {
			t.Fatalf("Totals of an accepted census: %v", err)
		}
	})
}
