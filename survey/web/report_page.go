package web

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v5"

	"manyi/survey"
	"manyi/survey/auth"
	"manyi/survey/report"
	"manyi/survey/workspace"
)

// reportPage is the office's report page: the conclusions of section 11
// in both languages (saved, or generated from the numbers), editable, and
// the download button.
type reportPage struct {
	staffLayout
	ID, MeasTitle string
	Sub           []navLink
	Error         string
	Done          string
	N             int
	Overall       string
	Weighting     string
	Langs         []conclusionsForm
}

// conclusionsForm is the conclusions of one language.
type conclusionsForm struct {
	Lang, Label string
	Text        string // paragraphs separated by a blank line
	Saved       string // "第 2 版 · boss · 2026-11-27 17:00" or ""
	Generated   bool
}

// paragraphBreak splits the textarea into paragraphs at blank lines.
var paragraphBreak = regexp.MustCompile(`\r?\n\s*\r?\n`)

// handleReportPage handles GET /app/m/:id/report.
func (st *staff) handleReportPage(c *echo.Context) error {
	id := c.Param("id")
	ctx := c.Request().Context()
	w, m, err := st.workMeasurement(c, id)
	if err != nil {
		return err
	}
	lang := language(c)
	v := reportPage{
		staffLayout: st.newStaffLayout(c, staffSession(c), reportUI["p_title"].Get(lang), c.Request().URL.Path),
		ID:          id, MeasTitle: m.Title.Get(lang), Sub: st.measNav(c, id),
	}
	if s := c.QueryParam("saved"); s == survey.LangZh || s == survey.LangEn {
		v.Done = reportUI["p_saved_"+s].Get(lang)
	}
	comp, err := w.computed(ctx, id)
	if err != nil {
		var se *survey.Error
		if !asSurveyError(err, &se) || se.Code != survey.EINVALID {
			return st.workError(c, err)
		}
		v.Error = se.Message.Get(lang)
		return st.render(c, http.StatusOK, "staff_results_report.html", v)
	}
	v.N = comp.Results.N
	v.Overall = f2(comp.Results.Overall.Value) + "（" + ci2(comp.Results.Overall.CI) + "）"
	v.Weighting = weightingLine(comp.Weighting.Version, comp.Results.Spec, lang)
	for _, l := range []string{survey.LangZh, survey.LangEn} {
		f := conclusionsForm{Lang: l, Label: reportUI["p_lang_"+l].Get(lang)}
		saved, err := w.store.Conclusions(ctx, id, l)
		if err != nil {
			return err
		}
		ps := []string(nil)
		if saved != nil && len(saved.Paragraphs) > 0 {
			ps = saved.Paragraphs
			f.Saved = reportUI["p_version"].Get(lang) + " " + strconv.Itoa(saved.Version) + " · " + saved.CreatedBy + " · " + v.Time(saved.CreatedAt)
		} else {
			// What the report would print: the rules of
			// report.GenerateConclusions on the report's own model.
			in, err := workspace.ReportInput(ctx, w.store, comp, l, time.Time{})
			if err != nil {
				return err
			}
			in.Conclusions = nil
			model, err := report.Build(in)
			if err != nil {
				return err
			}
			ps, f.Generated = report.GenerateConclusions(model), true
		}
		f.Text = strings.Join(ps, "\n\n")
		v.Langs = append(v.Langs, f)
	}
	return st.render(c, http.StatusOK, "staff_results_report.html", v)
}

// handleConclusionsSave handles POST /app/m/:id/report: the office's
// conclusions in one language, saved as the next version (audited by the
// store). An empty text, or "reset", goes back to the generated ones.
func (st *staff) handleConclusionsSave(c *echo.Context) error {
	id := c.Param("id")
	w := st.work()
	lang := c.FormValue("lang")
	var ps []string
	if c.FormValue("action") != "reset" {
		ps = paragraphBreak.Split(strings.TrimSpace(c.FormValue("text")), -1)
	}
	if _, err := w.store.SaveConclusions(c.Request().Context(), id, lang, ps, staffSession(c).User.Name); err != nil {
		return st.workError(c, err)
	}
	return c.Redirect(http.StatusSeeOther, "/app/m/"+url.PathEscape(id)+"/report?saved="+url.QueryEscape(lang))
}

// handleReportPDF handles GET /app/m/:id/report.pdf?lang=zh|en: the report
// built from the same computed results as the results page and rendered
// by the same code as `manyi report` (workspace.Report), audited.
func (st *staff) handleReportPDF(c *echo.Context) error {
	id := c.Param("id")
	ctx := c.Request().Context()
	w := st.work()
	lang := c.QueryParam("for")
	if lang == "" {
		lang = survey.LangZh
	}
	if lang != survey.LangZh && lang != survey.LangEn {
		return st.workError(c, survey.Errorf(survey.EINVALID, "报告语言 %q 无效：应为 zh 或 en", "report language %q is not zh or en", lang))
	}
	if m, err := st.s.store.Measurement(ctx, id); err == nil && m.IsService() {
		return st.serviceReportPDF(c, m, lang)
	}
	comp, err := w.computed(ctx, id)
	if err != nil {
		return st.workError(c, err)
	}
	pdf, err := workspace.Report(ctx, w.store, comp, lang, time.Time{})
	if err != nil {
		return st.workError(c, err)
	}
	sum := sha256.Sum256(pdf)
	if err := st.audit(c, staffSession(c).User.Name, auth.ActionReport, id, map[string]any{
		"lang": lang, "bytes": len(pdf), "sha256": hex.EncodeToString(sum[:]),
		"weighting_version": comp.Weighting.Version, "method": comp.Results.Method.Method, "n": comp.Results.N,
	}); err != nil {
		return err
	}
	noStoreDownload(c, "application/pdf", id+"-report-"+lang+".pdf")
	_, err = c.Response().Write(pdf)
	return err
}

// reportUI holds the report page's texts.
var reportUI = map[string]survey.Text{
	"p_title":      {Zh: "测评报告", En: "Report"},
	"p_intro":      {Zh: "报告的全部数字来自当前加权版本下的结果页面。第十一部分“结论与建议”按规则自动生成，可在此修改后保存；清空并保存即恢复自动生成。", En: "Every number in the report is the results page's, with the current weighting version. Section 11, the conclusions, is generated by rules; edit and save it here (save it empty to go back to the generated text)."},
	"p_download":   {Zh: "下载报告 PDF", En: "Download the report PDF"},
	"p_langsel":    {Zh: "报告语言", En: "Report language"},
	"p_lang_zh":    {Zh: "中文", En: "Chinese"},
	"p_lang_en":    {Zh: "英文", En: "English"},
	"p_concl":      {Zh: "结论与建议", En: "Conclusions"},
	"p_concl_hint": {Zh: "每段之间空一行。", En: "Leave a blank line between paragraphs."},
	"p_generated":  {Zh: "自动生成（尚未修改）", En: "generated (not edited)"},
	"p_version":    {Zh: "已保存版本", En: "saved version"},
	"p_save":       {Zh: "保存结论", En: "Save the conclusions"},
	"p_reset":      {Zh: "恢复自动生成", En: "Go back to the generated text"},
	"p_saved_zh":   {Zh: "中文结论已保存。", En: "The Chinese conclusions were saved."},
	"p_saved_en":   {Zh: "英文结论已保存。", En: "The English conclusions were saved."},
	"p_basis":      {Zh: "报告依据", En: "The report uses"},
	"p_audit":      {Zh: "每次下载都记入审计日志。", En: "Every download is written to the audit log."},
}

func init() {
	for k, v := range reportUI {
		staffUI[k] = v
	}
}
