package web

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/labstack/echo/v5"

	"manyi/survey"
	"manyi/survey/analysis"
	"manyi/survey/auth"
	"manyi/survey/workspace"
)

// Content types of the downloads.
const (
	ctypeCSV  = "text/csv; charset=utf-8"
	ctypeXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	ctypeZip  = "application/zip"
)

// analysisFiles are the files of the analysis folder, in the zip's order.
var analysisFiles = []string{"data.csv", "design.json", "queries.json", "reproduce.R"}

// exportsPage lists a measurement's downloads.
type exportsPage struct {
	staffLayout
	ID, MeasTitle string
	Sub           []navLink
	Error         string
	N             int
	Weighting     string
	Method        string
	Overall       string
}

// handleExports handles GET /app/m/:id/exports.
func (st *staff) handleExports(c *echo.Context) error {
	id := c.Param("id")
	ctx := c.Request().Context()
	w, m, err := st.workMeasurement(c, id)
	if err != nil {
		return err
	}
	lang := language(c)
	v := exportsPage{
		staffLayout: st.newStaffLayout(c, staffSession(c), exportsUI["x_title"].Get(lang), c.Request().URL.Path),
		ID:          id, MeasTitle: m.Title.Get(lang), Sub: st.measNav(c, id),
	}
	comp, err := w.computed(ctx, id)
	if err != nil {
		var se *survey.Error
		if !asSurveyError(err, &se) || se.Code != survey.EINVALID {
			return st.workError(c, err)
		}
		v.Error = se.Message.Get(lang)
	} else {
		v.N = comp.Results.N
		v.Weighting = weightingLine(comp.Weighting.Version, comp.Results.Spec, lang)
		v.Method = methodName(comp.Results.Method.Method).Get(lang)
		v.Overall = f2(comp.Results.Overall.Value) + "（" + ci2(comp.Results.Overall.CI) + "）"
	}
	return st.render(c, http.StatusOK, "staff_exports.html", v)
}

// exportComputed returns the measurement's computed results for an export,
// or an error page when there are none.
func (st *staff) exportComputed(c *echo.Context) (*workspace.Computed, error) {
	w := st.work()
	return w.computed(c.Request().Context(), c.Param("id"))
}

// auditExport writes the export's audit entry: who downloaded what,
// computed with which weighting.
func (st *staff) auditExport(c *echo.Context, comp *workspace.Computed, kind string, size int) error {
	return st.audit(c, staffSession(c).User.Name, auth.ActionExport, comp.Measurement.ID, map[string]any{
		"kind": kind, "bytes": size, "weighting_version": comp.Weighting.Version, "method": comp.Results.Method.Method, "n": comp.Results.N,
	})
}

// sendExport writes a built file: the audit entry first, so that no file
// leaves without its record.
func (st *staff) sendExport(c *echo.Context, comp *workspace.Computed, kind, ctype, name string, body []byte) error {
	if err := st.auditExport(c, comp, kind, len(body)); err != nil {
		return err
	}
	noStoreDownload(c, ctype, name)
	_, err := c.Response().Write(body)
	return err
}

// handleExportCSV handles GET /app/m/:id/export/responses.csv: every
// analysed response with its weights, strata and PSU (UTF-8 with a BOM so
// that Excel reads the Chinese), never a contact detail.
func (st *staff) handleExportCSV(c *echo.Context) error {
	comp, err := st.exportComputed(c)
	if err != nil {
		return st.workError(c, err)
	}
	var buf bytes.Buffer
	if err := analysis.WriteResponsesCSV(&buf, comp.Dataset, comp.Results); err != nil {
		return err
	}
	return st.sendExport(c, comp, "responses.csv", ctypeCSV, exportName(comp, "responses.csv"), buf.Bytes())
}

// handleExportXLSX handles GET /app/m/:id/export/responses.xlsx: the same
// data with a codebook sheet of questions, codes and labels.
func (st *staff) handleExportXLSX(c *echo.Context) error {
	comp, err := st.exportComputed(c)
	if err != nil {
		return st.workError(c, err)
	}
	var buf bytes.Buffer
	if err := analysis.WriteResponsesXLSX(&buf, comp.Dataset, comp.Results); err != nil {
		return err
	}
	return st.sendExport(c, comp, "responses.xlsx", ctypeXLSX, exportName(comp, "responses.xlsx"), buf.Bytes())
}

// handleExportAnalysis handles GET /app/m/:id/export/analysis.zip: the
// folder `manyi export` writes (data.csv, design.json, queries.json,
// reproduce.R), written by the same analysis.WriteAnalysisExport and
// zipped, so that `manyi estimate` on it prints the page's numbers.
func (st *staff) handleExportAnalysis(c *echo.Context) error {
	comp, err := st.exportComputed(c)
	if err != nil {
		return st.workError(c, err)
	}
	body, err := analysisZip(comp)
	if err != nil {
		return err
	}
	return st.sendExport(c, comp, "analysis", ctypeZip, exportName(comp, "analysis.zip"), body)
}

// analysisZip writes the analysis folder into a temporary directory and
// zips it under one folder named after the measurement.
func analysisZip(comp *workspace.Computed) ([]byte, error) {
	dir, err := os.MkdirTemp("", "manyi-export-*")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	if err := analysis.WriteAnalysisExport(dir, comp.Results); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	folder := comp.Measurement.ID + "-analysis/"
	for _, name := range analysisFiles {
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("web: analysis export: %w", err)
		}
		// A fixed time: the same numbers give the same zip.
		hdr := &zip.FileHeader{Name: folder + name, Method: zip.Deflate, Modified: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)}
		zf, err := zw.CreateHeader(hdr)
		if err == nil {
			_, err = io.Copy(zf, f)
		}
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("web: analysis export: %w", err)
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// exportName names a download after the measurement and the weighting
// version it was computed with.
func exportName(comp *workspace.Computed, file string) string {
	return fmt.Sprintf("%s-w%d-%s", comp.Measurement.ID, comp.Weighting.Version, file)
}

// exportsUI holds the exports page's texts.
var exportsUI = map[string]survey.Text{
	"x_title":     {Zh: "数据导出", En: "Exports"},
	"x_intro":     {Zh: "导出文件按当前加权版本计算，不含任何联系方式；每次下载都记入审计日志。", En: "Exports use the current weighting version and contain no contact details; every download is written to the audit log."},
	"x_basis":     {Zh: "计算依据", En: "Computed with"},
	"x_csv":       {Zh: "答卷数据 CSV", En: "Responses as CSV"},
	"x_csv_note":  {Zh: "UTF-8（带 BOM，Excel 可直接打开）；含权数、分层和初级抽样单元列。", En: "UTF-8 with a BOM (opens in Excel); with weight, stratum and PSU columns."},
	"x_xlsx":      {Zh: "答卷数据 Excel（含编码表）", En: "Responses as Excel (with a codebook)"},
	"x_xlsx_note": {Zh: "data 工作表为数据，codebook 工作表为题目、编码和标签。", En: "Sheet data holds the responses, sheet codebook the questions, codes and labels."},
	"x_zip":       {Zh: "分析文件夹（ZIP）", En: "Analysis folder (ZIP)"},
	"x_zip_note":  {Zh: "data.csv、design.json、queries.json 与 reproduce.R：用 manyi estimate 或 R survey 包可复现本页面的全部估计（总体指数的查询编号为 overall）。", En: "data.csv, design.json, queries.json and reproduce.R: manyi estimate or R's survey package reproduce every estimate of the results page (the overall index is query overall)."},
}

func init() {
	for k, v := range exportsUI {
		staffUI[k] = v
	}
}
