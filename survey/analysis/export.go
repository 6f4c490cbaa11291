package analysis

import (
	"bufio"
	_ "embed"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"manyi/survey"
	"manyi/survey/estimate"
)

//go:embed reproduce.R
var reproduceR string

// WriteAnalysisExport writes the folder `manyi estimate` reads: data.csv
// (one row per respondent: design columns, every item's code, the derived
// columns the queries use; no contact details and no free text),
// design.json (the design with the calibration margins and bounds exactly
// as used), queries.json (every query behind the results page, the
// headline overall index as "overall") and reproduce.R, an R script that
// computes the same estimates with the survey package. The files are
// exactly what r was computed from.
func WriteAnalysisExport(dir string, r *Results) error {
	if r == nil || r.Plan == nil {
		return fmt.Errorf("analysis export: no computed results to export")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	files := []struct {
		name  string
		write func(io.Writer) error
	}{
		{"data.csv", func(w io.Writer) error { return estimate.WriteCSV(w, r.Plan.Table) }},
		{"design.json", func(w io.Writer) error { return estimate.WriteDesign(w, r.Plan.Design) }},
		{"queries.json", func(w io.Writer) error { return estimate.WriteQueries(w, r.Plan.Queries) }},
		{"reproduce.R", func(w io.Writer) error { _, err := io.WriteString(w, reproduceR); return err }},
	}
	for _, f := range files {
		if err := writeFile(filepath.Join(dir, f.name), f.write); err != nil {
			return fmt.Errorf("analysis export: %s: %w", f.name, err)
		}
	}
	return nil
}

func writeFile(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(f)
	if err := write(bw); err != nil {
		f.Close()
		return err
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// responseColumn is one column of the people's exports.
type responseColumn struct {
	id    string
	label survey.Text
	value func(i int) string
}

// responseColumns lists the columns of the responses exports: the
// response id, district (stratum), PSU, the weights, mode, age band, then
// every item in questionnaire order as its code (multi answers joined
// with ";"). There are no contact details: the questionnaire holds none,
// and the invitation's phone number never reaches a Dataset.
func responseColumns(ds *Dataset, r *Results) ([]responseColumn, []Respondent) {
	rs := ds.used()
	var final []float64
	if r != nil && r.Plan != nil && len(r.Plan.Final) == len(rs) {
		final = r.Plan.Final
	}
	num := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	var input, base []float64
	if r != nil && r.Plan != nil {
		if c := r.Plan.Table.Column(colW); c != nil && len(c.Num) == len(rs) {
			input = c.Num
		}
		if c := r.Plan.Table.Column(colW0); c != nil && len(c.Num) == len(rs) {
			base = c.Num
		}
	}
	design := func(i int) string {
		if base != nil {
			return num(base[i])
		}
		return num(rs[i].DesignWeight)
	}
	psu := func(i int) string {
		if rs[i].PSU == "" {
			return "r" + rs[i].ID
		}
		return rs[i].PSU
	}
	cols := []responseColumn{
		{"id", survey.Text{Zh: "答卷编号", En: "Response id"}, func(i int) string { return rs[i].ID }},
		{"stratum", survey.Text{Zh: "区县（层）", En: "District (stratum)"}, func(i int) string { return rs[i].District }},
		{"psu", survey.Text{Zh: "初级抽样单元", En: "PSU"}, psu},
		{"design_weight", survey.Text{Zh: "设计权数", En: "Design weight"}, design},
	}
	if input != nil {
		cols = append(cols, responseColumn{"input_weight", survey.Text{Zh: "校准前权数（含无响应调整、截尾）", En: "Input weight (nonresponse-adjusted, trimmed)"}, func(i int) string { return num(input[i]) }})
	}
	if final != nil {
		cols = append(cols, responseColumn{"weight", survey.Text{Zh: "最终权数", En: "Final weight"}, func(i int) string { return num(final[i]) }})
	}
	cols = append(cols,
		responseColumn{"mode", survey.Text{Zh: "调查方式", En: "Mode"}, func(i int) string { return rs[i].Mode }},
		responseColumn{"age_band", survey.Text{Zh: "年龄段", En: "Age band"}, func(i int) string { return rs[i].AgeBand }},
		responseColumn{"non_probability", survey.Text{Zh: "公开链接（非概率）", En: "Open link (non-probability)"}, func(i int) string {
			if rs[i].NonProbability {
				return "1"
			}
			return "0"
		}},
	)
	for _, it := range ds.Q.Items() {
		id := it.ID
		cols = append(cols, responseColumn{id, it.Text, func(i int) string { return strings.Join(rs[i].Answers[id], ";") }})
	}
	return cols, rs
}

// WriteResponsesCSV writes the responses as CSV for Excel: UTF-8 with a
// byte-order mark, one header row of column ids, one row per response,
// with weight, stratum and PSU columns and without contact details. r
// (may be nil) supplies the calibrated weights.
func WriteResponsesCSV(w io.Writer, ds *Dataset, r *Results) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	cols, rs := responseColumns(ds, r)
	cw := csv.NewWriter(w)
	rec := make([]string, len(cols))
	for j, c := range cols {
		rec[j] = c.id
	}
	if err := cw.Write(rec); err != nil {
		return err
	}
	for i := range rs {
		for j, c := range cols {
			rec[j] = survey.SpreadsheetSafe(c.value(i))
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// Sheet names of the XLSX export.
const (
	SheetData     = "data"
	SheetCodebook = "codebook"
)

// WriteResponsesXLSX writes the responses as an Excel workbook: a "data"
// sheet (row 1 the column ids, row 2 their labels in Chinese and English,
// then one row per response) and a "codebook" sheet (item id, question in
// Chinese and English, type, and every code with its label).
func WriteResponsesXLSX(w io.Writer, ds *Dataset, r *Results) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", SheetData); err != nil {
		return err
	}
	cols, rs := responseColumns(ds, r)
	sw, err := f.NewStreamWriter(SheetData)
	if err != nil {
		return err
	}
	ids := make([]any, len(cols))
	labels := make([]any, len(cols))
	for j, c := range cols {
		ids[j] = c.id
		labels[j] = survey.SpreadsheetSafe(c.label.Zh + " / " + c.label.En)
	}
	if err := sw.SetRow("A1", ids); err != nil {
		return err
	}
	if err := sw.SetRow("A2", labels); err != nil {
		return err
	}
	row := make([]any, len(cols))
	for i := range rs {
		for j, c := range cols {
			v := c.value(i)
			if x, err := strconv.ParseFloat(v, 64); err == nil && v != "" && !strings.ContainsAny(v, "eE") {
				row[j] = x
			} else {
				row[j] = survey.SpreadsheetSafe(v)
			}
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+3)
		if err := sw.SetRow(cell, row); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	if _, err := f.NewSheet(SheetCodebook); err != nil {
		return err
	}
	cb, err := f.NewStreamWriter(SheetCodebook)
	if err != nil {
		return err
	}
	if err := cb.SetRow("A1", []any{"item", "question_zh", "question_en", "type", "code", "label_zh", "label_en"}); err != nil {
		return err
	}
	n := 2
	put := func(vals ...any) error {
		cell, _ := excelize.CoordinatesToCellName(1, n)
		n++
		// Question texts and labels are typed by the office in the
		// questionnaire editor: user-entered text like the answers.
		for k, v := range vals {
			if s, ok := v.(string); ok {
				vals[k] = survey.SpreadsheetSafe(s)
			}
		}
		return cb.SetRow(cell, vals)
	}
	for _, c := range cols[:len(cols)-len(ds.Q.Items())] {
		if err := put(c.id, c.label.Zh, c.label.En, "derived", "", "", ""); err != nil {
			return err
		}
	}
	for _, it := range ds.Q.Items() {
		if err := put(it.ID, it.Text.Zh, it.Text.En, string(it.Type), "", "", ""); err != nil {
			return err
		}
		for _, ch := range it.Choices {
			if err := put(it.ID, "", "", "", ch.Code, ch.Label.Zh, ch.Label.En); err != nil {
				return err
			}
		}
		if s := it.Scale; s != nil {
			if err := put(it.ID, "", "", "", strconv.Itoa(s.Min), s.MinLabel.Zh, s.MinLabel.En); err != nil {
				return err
			}
			if err := put(it.ID, "", "", "", strconv.Itoa(s.Max), s.MaxLabel.Zh, s.MaxLabel.En); err != nil {
				return err
			}
			if s.DontKnow != nil {
				if err := put(it.ID, "", "", "", s.DontKnow.Code, s.DontKnow.Label.Zh, s.DontKnow.Label.En); err != nil {
					return err
				}
			}
		}
	}
	if err := cb.Flush(); err != nil {
		return err
	}
	_, err = f.WriteTo(w)
	return err
}
