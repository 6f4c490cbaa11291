package report

import (
	"bytes"
	"fmt"
	"math"
	"strings"
	"time"

	"manyi/static"
	"manyi/survey"
)

// Options choose how a Model is printed.
type Options struct {
	// Lang is "zh" (default) or "en"; empty means Model.Meta.Lang.
	Lang string
}

// Render lays the model out as the report PDF. The same model and options
// always give the same bytes.
func Render(m *Model, opt Options) ([]byte, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	lang := opt.Lang
	if lang == "" {
		lang = m.Meta.Lang
	}
	lang = survey.NormLang(lang)
	ch, err := makeCharts(m, lang)
	if err != nil {
		return nil, err
	}
	font := static.CJKFont()
	return settle(func(known []tocEntry, total int) *report { return build(m, lang, font, ch, known, total) })
}

// settle lays a report out by pass until its page numbers settle. Each
// pass prints the page numbers the previous pass found. The first pass has
// an empty table of contents; once the contents are in place the numbers
// stop moving (normally on the second pass), and a pass whose printed
// numbers equal the ones it found is the report.
func settle(pass func(known []tocEntry, total int) *report) ([]byte, error) {
	var known []tocEntry
	total := 0
	for range 4 {
		r := pass(known, total)
		if err := r.pdf.Error(); err != nil {
			return nil, fmt.Errorf("report: layout: %w", err)
		}
		if known != nil && samePages(known, r.toc) && total == r.pdf.PageCount() {
			var buf bytes.Buffer
			if err := r.pdf.Output(&buf); err != nil {
				return nil, fmt.Errorf("report: write pdf: %w", err)
			}
			return buf.Bytes(), nil
		}
		known, total = r.toc, r.pdf.PageCount()
	}
	return nil, fmt.Errorf("report: page numbers did not settle after 4 layout passes")
}

// samePages reports whether two passes put the same headings on the same
// pages.
func samePages(a, b []tocEntry) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Title != b[i].Title || a[i].Page != b[i].Page {
			return false
		}
	}
	return true
}

// Validate checks that the model can be printed: it has what the cover
// needs and its tables agree in shape.
func (m *Model) Validate() error {
	if m == nil {
		return survey.Errorf(survey.EINVALID, "报告内容为空", "the report model is empty")
	}
	if m.Meta.City.Zh == "" {
		return survey.Errorf(survey.EINVALID, "报告缺少城市名称（Meta.City）", "the report has no city name (Meta.City)")
	}
	if m.Meta.Year <= 0 {
		return survey.Errorf(survey.EINVALID, "报告缺少测评年度（Meta.Year）", "the report has no measurement year (Meta.Year)")
	}
	if m.Meta.ReportDate.IsZero() {
		return survey.Errorf(survey.EINVALID, "报告缺少报告日期（Meta.ReportDate）", "the report has no report date (Meta.ReportDate)")
	}
	for i, d := range m.Districts {
		if len(d.Domains) != 0 && len(d.Domains) != len(m.Domains) {
			return survey.Errorf(survey.EINVALID, "第 %d 个区县的领域指数有 %d 个，应为 %d 个", "district %d has %d domain indices, want %d",
				i+1, len(d.Domains), len(m.Domains))
		}
	}
	return nil
}

// charts are the PNG figures, drawn once and placed by both passes.
type charts struct {
	domains, districts, matrix, trend *chart
}

func makeCharts(m *Model, lang string) (*charts, error) {
	c := &charts{}
	var err error
	if len(m.Domains) > 0 {
		if c.domains, err = chartDomains(m, lang); err != nil {
			return nil, err
		}
	}
	if len(m.Districts) > 0 {
		if c.districts, err = chartDistricts(m, lang); err != nil {
			return nil, err
		}
	}
	if len(m.Drivers) > 1 {
		if c.matrix, err = chartMatrix(m, lang); err != nil {
			return nil, err
		}
	}
	if len(m.Trend) > 1 {
		if c.trend, err = chartTrend(m, lang); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// fmtDate formats a date as 2026年11月27日 or 27 November 2026.
func fmtDate(lang string, t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	if lang == "en" {
		return t.Format("2 January 2006")
	}
	return fmt.Sprintf("%d年%d月%d日", t.Year(), int(t.Month()), t.Day())
}

// reportTitle is the report's name as on the cover.
func reportTitle(m *Model, lang string) string {
	return tr(lang, fmt.Sprintf("%s%d年市民质量满意度测评情况报告", m.Meta.City.Get(lang), m.Meta.Year),
		fmt.Sprintf("%s %d Residents' Quality Satisfaction Report", m.Meta.City.Get(lang), m.Meta.Year))
}

var zhNumerals = []string{"零", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二", "十三", "十四", "十五"}

// report is one pass over the model.
type report struct {
	*layout
	// coverTitle, when set, replaces the residents' report name on the
	// cover (the service report).
	coverTitle string
	m          *Model
	ch         *charts
	section    int
	sub        int
}

// section starts a numbered level-1 section: "一、…" or "1 …".
func (r *report) sectionHead(zh, en string) {
	r.section++
	r.sub = 0
	if r.lang == "en" {
		r.heading(1, fmt.Sprintf("%d  %s", r.section, en))
		return
	}
	r.heading(1, zhNumerals[r.section]+"、"+zh)
}

// subHead starts a numbered level-2 section: "（一）…" or "4.1 …".
func (r *report) subHead(zh, en string) {
	r.sub++
	if r.lang == "en" {
		r.heading(2, fmt.Sprintf("%d.%d  %s", r.section, r.sub, en))
		return
	}
	r.heading(2, "（"+zhNumerals[r.sub]+"）"+zh)
}

// name picks the language of a model text.
func (r *report) name(t survey.Text) string { return t.Get(r.lang) }

func build(m *Model, lang string, font []byte, ch *charts, known []tocEntry, total int) *report {
	title := reportTitle(m, lang)
	l := newLayout(lang, font, docMeta{
		title:   title,
		author:  m.Meta.Office.Get(lang),
		subject: m.Meta.Title.Get(lang),
		header:  title,
		date:    m.Meta.ReportDate.UTC(),
	})
	l.known, l.total = known, total
	r := &report{layout: l, m: m, ch: ch}
	r.cover()
	r.contents()
	r.background()
	r.method()
	r.sample()
	r.overall()
	r.domains()
	r.districts()
	r.groups()
	r.drivers()
	r.indicators()
	r.suggestions()
	r.conclusions()
	r.appendix()
	return r
}

func (r *report) cover() {
	p := r.pdf
	p.AddPage()
	p.SetFillColor(0x1f, 0x4e, 0x79)
	p.Rect(0, 0, pageW, 12, "F")
	p.Rect(marginL, 62, 2.2, 56, "F")
	m := r.m
	x := marginL + 9
	w := contentW - 9
	r.setFont(16)
	p.SetTextColor(0x1f, 0x4e, 0x79)
	p.SetXY(x, 62)
	p.CellFormat(w, 10, m.Meta.City.Get(r.lang), "", 1, "L", false, 0, "")
	p.SetTextColor(0x22, 0x22, 0x22)
	r.setFont(24)
	y := 76.0
	big := r.t("市民质量满意度测评情况报告", "Residents' Quality Satisfaction Measurement Report")
	if r.coverTitle != "" {
		big = r.coverTitle
	}
	for _, ln := range r.wrap(big, w) {
		r.textLine(x, y, w, 12, ln, "L", false)
		y += 12
	}
	r.setFont(14)
	p.SetTextColor(0x55, 0x55, 0x55)
	sub := m.Meta.Title.Get(r.lang)
	if sub == "" {
		sub = r.t(fmt.Sprintf("%d年度", m.Meta.Year), fmt.Sprintf("Measurement %d", m.Meta.Year))
	}
	for _, ln := range r.wrap(sub, w) {
		r.textLine(x, y+4, w, 8, ln, "L", false)
		y += 8
	}
	// Facts block at the foot of the cover.
	rows := [][2]string{
		{r.t("委托单位", "Commissioned by"), m.Meta.Office.Get(r.lang)},
	}
	if m.Meta.Contractor.Zh != "" {
		rows = append(rows, [2]string{r.t("实施单位", "Conducted by"), m.Meta.Contractor.Get(r.lang)})
	}
	rows = append(rows,
		[2]string{r.t("调查时间", "Fieldwork"), fmtDate(r.lang, m.Meta.FieldStart) + " – " + fmtDate(r.lang, m.Meta.FieldEnd)},
		[2]string{r.t("报告日期", "Report date"), fmtDate(r.lang, m.Meta.ReportDate)},
	)
	y = 215
	p.SetDrawColor(0xbb, 0xbb, 0xbb)
	p.SetLineWidth(0.2)
	p.Line(x, y-4, pageW-marginR, y-4)
	r.setFont(11)
	lw := 0.0
	for _, kv := range rows {
		lw = math.Max(lw, p.GetStringWidth(kv[0]))
	}
	lw += 6
	for _, kv := range rows {
		p.SetTextColor(0x77, 0x77, 0x77)
		r.textLine(x, y, lw, 8, kv[0], "L", false)
		p.SetTextColor(0x22, 0x22, 0x22)
		for _, ln := range r.wrap(kv[1], w-lw) {
			r.textLine(x+lw, y, w-lw, 8, ln, "L", false)
			y += 8
		}
	}
	p.SetTextColor(0, 0, 0)
}

// contents writes the table of contents: every heading with dot leaders,
// its page number (from the first pass) and a link to it.
func (r *report) contents() {
	p := r.pdf
	r.newPage()
	r.setFont(18)
	p.SetTextColor(0x1f, 0x4e, 0x79)
	p.CellFormat(contentW, 14, r.t("目    录", "Contents"), "", 1, "C", false, 0, "")
	p.SetTextColor(0, 0, 0)
	p.SetY(p.GetY() + 4)
	for _, e := range r.known {
		size, h, indent := 11.0, 8.2, 0.0
		if e.Level == 2 {
			size, h, indent = 10.0, 6.6, 8.0
		}
		if r.space() < h {
			r.newPage()
		}
		r.setFont(size)
		y := p.GetY()
		num := fmt.Sprint(e.Page)
		nw := p.GetStringWidth(num)
		tw := p.GetStringWidth(e.Title)
		x := marginL + indent
		p.SetXY(x, y)
		p.CellFormat(tw, h, e.Title, "", 0, "L", false, 0, "")
		// Dot leaders between the title and the page number.
		p.SetTextColor(0x99, 0x99, 0x99)
		lead := contentW - indent - tw - nw - 4
		dot := p.GetStringWidth(".")
		if n := int(lead / dot); n > 0 {
			p.SetXY(x+tw+2, y)
			p.CellFormat(lead, h, strings.Repeat(".", n), "", 0, "R", false, 0, "")
		}
		p.SetTextColor(0, 0, 0)
		p.SetXY(marginL+contentW-nw, y)
		p.CellFormat(nw, h, num, "", 0, "R", false, 0, "")
		link := p.AddLink()
		r.tocLinks = append(r.tocLinks, link)
		p.Link(marginL, y, contentW, h, link)
		p.SetXY(marginL, y+h)
	}
}
