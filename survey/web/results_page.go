package web

import (
	"fmt"
	"html/template"
	"net/http"
	"strings"

	"github.com/labstack/echo/v5"

	"manyi/survey"
	"manyi/survey/analysis"
	"manyi/survey/report"
)

// resultsPage is the statistician's results page of one measurement.
type resultsPage struct {
	staffLayout
	ID        string
	MeasTitle string
	Sub       []navLink
	Error     string // why nothing can be computed yet (no data, a bad spec)
	// Updating says the figures are the previous results while the
	// current ones are computed (new responses, a new weighting).
	Updating bool

	N, NonProbability int
	Level             string // "95%"
	Notes             []string
	Weighting         string // "第 3 版 · raking · district; gender×age_band"
	PrevTitle         string // last year's measurement, "" without one

	Overall     figureRow
	OverallItem *figureRow
	DomainTable figTable
	ItemTable   figTable
	Method      methodView
	Groups      []groupView
	Districts   []changeRow // each district's change on last year
	Drivers     *driversView
	Indicators  []indicatorView
}

// figureRow is one index as shown.
type figureRow struct {
	ID, Label, Domain     string
	Value, SE, CI, N      string
	Band                  string
	Below                 bool
	HasChange             bool
	Change, ChangeCI, Was string
	ChangeSig             bool
}

// figTable is a table of domain or item indices.
type figTable struct {
	staffLayout
	Rows    []figureRow
	Items   bool
	Level   string
	HasPrev bool
}

// methodView is the index method and its domain weights.
type methodView struct {
	Name    string
	Weights []struct{ Name, Weight string }
	Notes   []string
}

// groupView is one breakdown (district, gender, …) of the figures.
type groupView struct {
	Var, Label string
	Columns    []string
	Rows       []groupRowView
}

type groupRowView struct {
	Label string
	Cells []groupCellView
}

// groupCellView is one group's figure: the estimate, its interval and
// its difference from the rest of the city, marked when significant.
type groupCellView struct {
	OK          bool
	Value, CI   string
	N           string
	Small       bool
	HasDiff     bool
	Diff        string
	Significant bool
	Higher      bool
}

// changeRow is one district's change on last year.
type changeRow struct {
	Label, Was, Change, CI string
	Significant            bool
}

// driversView is the drivers section: shares with their SEs and the
// importance–performance matrices.
type driversView struct {
	N           int
	Domains     []driverRow
	Items       []driverRow
	DomainChart template.HTML
	ItemChart   template.HTML
	Notes       []string
}

type driverRow struct {
	Label, Domain, Coef, CoefSE, Share, ShareSE, Overall, Score, Zone string
	Negative                                                          bool
}

// indicatorView is awareness, participation or confidence.
type indicatorView struct {
	Label      string
	Categories []struct{ Label, Share, CI, N string }
}

// handleResults handles GET /app/m/:id/results.
func (st *staff) handleResults(c *echo.Context) error {
	if done, err := st.serviceRedirect(c, "/csi"); done {
		return err
	}
	id := c.Param("id")
	ctx := c.Request().Context()
	w, m, err := st.workMeasurement(c, id)
	if err != nil {
		return err
	}
	lang := language(c)
	v := resultsPage{
		staffLayout: st.newStaffLayout(c, staffSession(c), resultsUI["results_title"].Get(lang), c.Request().URL.Path),
		ID:          id,
		MeasTitle:   m.Title.Get(lang),
		Sub:         st.measNav(c, id),
	}
	comp, updating, err := w.view(ctx, id)
	if err != nil {
		var se *survey.Error
		if !asSurveyError(err, &se) || se.Code != survey.EINVALID {
			return st.workError(c, err)
		}
		v.Error = se.Message.Get(lang)
		return st.render(c, http.StatusOK, "staff_results.html", v)
	}
	v.Updating = updating
	res := comp.Results
	v.N, v.NonProbability = res.N, res.NonProbability
	v.Level = fmt.Sprintf("%g%%", 100*res.Level)
	for _, n := range res.Notes {
		v.Notes = append(v.Notes, n.Get(lang))
	}
	v.Weighting = weightingLine(comp.Weighting.Version, res.Spec, lang)
	if comp.Prev != nil {
		v.PrevTitle = comp.Prev.Measurement.Title.Get(lang)
	}
	labels := map[string]string{}
	domainName := map[string]string{}
	for _, d := range comp.Dataset.Q.Domains {
		domainName[d.ID] = d.Name.Get(lang)
	}
	v.Overall = figureView(res.Overall, lang, domainName)
	labels[res.Overall.ID] = v.Overall.Label
	if res.OverallItem != nil {
		f := figureView(*res.OverallItem, lang, domainName)
		f.Label = resultsUI["r_overall_item"].Get(lang)
		v.OverallItem = &f
		labels[f.ID] = f.Label
	}
	for _, f := range res.Domains {
		r := figureView(f, lang, domainName)
		v.DomainTable.Rows = append(v.DomainTable.Rows, r)
		labels[r.ID] = r.Label
	}
	for _, f := range res.Items {
		f.Label = report.ShortItemName(f.Label)
		r := figureView(f, lang, domainName)
		v.ItemTable.Rows = append(v.ItemTable.Rows, r)
		labels[r.ID] = r.Label
	}
	v.DomainTable.staffLayout, v.DomainTable.Level, v.DomainTable.HasPrev = v.staffLayout, v.Level, comp.Prev != nil
	v.ItemTable.staffLayout, v.ItemTable.Level, v.ItemTable.HasPrev, v.ItemTable.Items = v.staffLayout, v.Level, comp.Prev != nil, true
	v.Method.Name = methodName(res.Method.Method).Get(lang)
	for _, dw := range res.Method.Weights {
		v.Method.Weights = append(v.Method.Weights, struct{ Name, Weight string }{dw.Name.Get(lang), fmt.Sprintf("%.3f", dw.Weight)})
	}
	for _, n := range res.Method.Notes {
		v.Method.Notes = append(v.Method.Notes, n.Get(lang))
	}
	for _, g := range res.Groups {
		gv := groupView{Var: g.Var, Label: g.Label.Get(lang)}
		for _, f := range g.Figures {
			l := labels[f]
			if l == "" {
				l = f
			}
			gv.Columns = append(gv.Columns, l)
		}
		for _, row := range g.Rows {
			rv := groupRowView{Label: row.Label.Get(lang)}
			if rv.Label == "" {
				rv.Label = row.Code
			}
			for _, cell := range row.Cells {
				cv := groupCellView{OK: cell.OK, Small: cell.Small}
				if cell.OK {
					cv.Value, cv.CI, cv.N = f2(cell.Value), ci2(cell.CI), fmt.Sprint(cell.N)
					if cell.VsRest != nil {
						cv.HasDiff, cv.Diff = true, signed2(cell.VsRest.Diff)
						cv.Significant, cv.Higher = cell.VsRest.Significant, cell.VsRest.Diff > 0
					}
				}
				rv.Cells = append(rv.Cells, cv)
			}
			gv.Rows = append(gv.Rows, rv)
		}
		v.Groups = append(v.Groups, gv)
	}
	for _, dc := range res.DistrictChange {
		v.Districts = append(v.Districts, changeRow{Label: dc.Label.Get(lang), Was: f2(dc.Prev), Change: signed2(dc.Diff), CI: ci2(dc.CI), Significant: dc.Significant})
	}
	if d := res.Drivers; d != nil {
		dv := &driversView{N: d.N, DomainChart: template.HTML(d.DomainChart), ItemChart: template.HTML(d.ItemChart)}
		for _, x := range d.Domains {
			dv.Domains = append(dv.Domains, driverView(x, lang, domainName))
		}
		short := make([]analysis.Importance, len(d.Items))
		for i, x := range d.Items {
			x.Label = report.ShortItemName(x.Label)
			short[i] = x
			dv.Items = append(dv.Items, driverView(x, lang, domainName))
		}
		if len(short) > 0 {
			// The same chart as analysis draws, with the items' short
			// names: every question starts with 您对本市, which would be
			// all a point's label shows.
			dv.ItemChart = template.HTML(analysis.IPAChart(short, func(x analysis.Importance) float64 { return x.Overall },
				survey.Text{Zh: "分项重要性—表现矩阵", En: "Items: importance–performance"}))
		}
		for _, n := range d.Notes {
			dv.Notes = append(dv.Notes, n.Get(lang))
		}
		v.Drivers = dv
	}
	for _, ind := range res.Indicators {
		iv := indicatorView{Label: ind.Label.Get(lang)}
		for _, p := range ind.Categories {
			iv.Categories = append(iv.Categories, struct{ Label, Share, CI, N string }{p.Label.Get(lang), pct1(p.Value), pctCI(p.CI), fmt.Sprint(p.N)})
		}
		v.Indicators = append(v.Indicators, iv)
	}
	return st.render(c, http.StatusOK, "staff_results.html", v)
}

// figureView formats one figure.
func figureView(f analysis.Figure, lang string, domainName map[string]string) figureRow {
	r := figureRow{
		ID: f.ID, Label: f.Label.Get(lang), Domain: domainName[f.Domain],
		Value: f2(f.Value), SE: f2(f.SE), CI: ci2(f.CI), N: fmt.Sprint(f.N),
		Band: f.Band.Get(lang), Below: f.Below,
	}
	if f.Change != nil {
		r.HasChange = true
		r.Was, r.Change, r.ChangeCI, r.ChangeSig = f2(f.Change.Prev), signed2(f.Change.Diff), ci2(f.Change.CI), f.Change.Significant
	}
	return r
}

// driverView formats one driver. The share's standard error is the share
// times the relative standard error of its coefficient (first order, the
// normalising sum held fixed), as the report prints it.
func driverView(x analysis.Importance, lang string, domainName map[string]string) driverRow {
	r := driverRow{
		Label: x.Label.Get(lang), Domain: domainName[x.Domain],
		Coef: fmt.Sprintf("%.3f", x.Coef), CoefSE: fmt.Sprintf("%.3f", x.SE),
		Share: pct1(x.Share), Score: f2(x.Score), Zone: x.ZoneL.Get(lang), Negative: x.Negative,
		ShareSE: "—",
	}
	if x.Coef > 0 && x.Share > 0 {
		r.ShareSE = pct1(x.Share * x.SE / x.Coef)
	}
	if x.Overall > 0 {
		r.Overall = pct1(x.Overall)
	}
	return r
}

// methodName names an index method.
func methodName(m string) survey.Text {
	switch m {
	case analysis.MethodExpert:
		return survey.Text{Zh: "专家赋权（expert）", En: "Expert weights (expert)"}
	case analysis.MethodRegression:
		return survey.Text{Zh: "回归赋权（regression）", En: "Regression weights (regression)"}
	}
	return survey.Text{Zh: "等权（equal）", En: "Equal weights (equal)"}
}

// weightingLine summarises the weighting a page's numbers use.
func weightingLine(version int, s analysis.WeightingSpec, lang string) string {
	var parts []string
	if version == 0 {
		parts = append(parts, resultsUI["spec_default"].Get(lang))
	} else {
		parts = append(parts, fmt.Sprintf(resultsUI["spec_version"].Get(lang), version))
	}
	cal := s.Calibration
	if cal == "" {
		cal = analysis.CalNone
	}
	parts = append(parts, calibrationName(cal).Get(lang))
	if len(s.Margins) > 0 {
		parts = append(parts, marginsText(s.Margins))
	}
	if s.DesignWeights {
		parts = append(parts, resultsUI["spec_design"].Get(lang))
	}
	if s.Nonresponse {
		parts = append(parts, resultsUI["spec_nonresponse"].Get(lang))
	}
	if len(s.Bounds) == 2 {
		parts = append(parts, fmt.Sprintf("g ∈ [%g, %g]", s.Bounds[0], s.Bounds[1]))
	}
	if s.TrimK > 0 {
		parts = append(parts, fmt.Sprintf(resultsUI["spec_trim"].Get(lang), s.TrimK))
	}
	return strings.Join(parts, " · ")
}

// marginsText writes margins as "district; gender×age_band".
func marginsText(ms [][]string) string {
	var out []string
	for _, m := range ms {
		out = append(out, strings.Join(m, "×"))
	}
	return strings.Join(out, "; ")
}

// calibrationName names a calibration method.
func calibrationName(c string) survey.Text {
	switch c {
	case analysis.CalPostStratify:
		return survey.Text{Zh: "事后分层（poststratify）", En: "Post-stratification (poststratify)"}
	case analysis.CalRaking:
		return survey.Text{Zh: "迭代比例调整（raking）", En: "Raking (raking)"}
	case analysis.CalLinear:
		return survey.Text{Zh: "线性校准（linear）", En: "Linear calibration (linear)"}
	}
	return survey.Text{Zh: "不校准（none）", En: "No calibration (none)"}
}

// resultsUI holds the results page's texts.
var resultsUI = map[string]survey.Text{
	"results_title":    {Zh: "加权结果", En: "Weighted results"},
	"spec_default":     {Zh: "默认加权（未保存版本）", En: "default weighting (no saved version)"},
	"spec_version":     {Zh: "加权第 %d 版", En: "weighting version %d"},
	"spec_design":      {Zh: "设计权数", En: "design weights"},
	"spec_nonresponse": {Zh: "按区县无回答调整", En: "nonresponse adjustment by district"},
	"spec_trim":        {Zh: "截尾 %g × 中位数", En: "trimmed at %g × median"},
	"r_sections":       {Zh: "本页内容", En: "On this page"},
	"r_overall_item":   {Zh: "总体评价题", En: "Overall question"},
	"r_overall":        {Zh: "总体满意度指数", En: "Overall satisfaction index"},
	"r_n":              {Zh: "有效样本", En: "Valid responses"},
	"r_weighting":      {Zh: "加权", En: "Weighting"},
	"r_prev":           {Zh: "上一年度", En: "Last year"},
	"r_noprev":         {Zh: "未关联上一年度测评，不显示变化。", En: "No previous year is linked: changes are not shown."},
	"r_ci":             {Zh: "置信区间", En: "interval"},
	"r_se":             {Zh: "标准误", En: "SE"},
	"r_band":           {Zh: "等级", En: "Band"},
	"r_change":         {Zh: "较上年", En: "Change"},
	"r_sig":            {Zh: "显著", En: "significant"},
	"r_notsig":         {Zh: "不显著", En: "not significant"},
	"r_domains":        {Zh: "分领域指数", En: "Domain indices"},
	"r_items":          {Zh: "分项指数", En: "Item indices"},
	"r_below":          {Zh: "低于 80", En: "below 80"},
	"r_below_note":     {Zh: "标 <80 的指数低于 80，以红色显示。", En: "Indices marked <80 are below 80 and shown in red."},
	"r_domain":         {Zh: "领域", En: "Domain"},
	"r_item":           {Zh: "分项", En: "Item"},
	"r_index":          {Zh: "指数", En: "Index"},
	"r_method":         {Zh: "指数计算方法与领域权重", En: "Index method and domain weights"},
	"r_weight":         {Zh: "权重", En: "Weight"},
	"r_groups":         {Zh: "分群体比较", En: "By group"},
	"r_groups_note":    {Zh: "每格为指数及其置信区间；括号内为该群体与全市其余部分之差，▲/▼ 表示差异显著（5% 水平），† 表示样本少于 30 人。", En: "Each cell is the index and its interval; in brackets the group minus the rest of the city, ▲/▼ where the difference is significant (5% level), † where fewer than 30 answered."},
	"r_group":          {Zh: "群体", En: "Group"},
	"r_district_chg":   {Zh: "各区县总体指数较上年变化", En: "Change of each district's overall index on last year"},
	"r_district":       {Zh: "区县", En: "District"},
	"r_drivers":        {Zh: "影响因素与重要性—表现矩阵", En: "Drivers and the importance–performance matrix"},
	"r_drivers_note":   {Zh: "重要性为加权回归（总体满意度对各领域得分）中正标准化系数的归一化份额，标准误基于抽样设计。", En: "Importance is the normalised share of the positive standardised coefficients of the weighted regression of the overall score on the domain scores, with design-based standard errors."},
	"r_coef":           {Zh: "系数", En: "Coefficient"},
	"r_share":          {Zh: "重要性份额", En: "Share"},
	"r_share_all":      {Zh: "占总体", En: "Of the whole"},
	"r_score":          {Zh: "得分", En: "Score"},
	"r_zone":           {Zh: "矩阵区域", En: "Zone"},
	"r_item_drivers":   {Zh: "分项影响因素", En: "Item drivers"},
	"r_indicators":     {Zh: "知晓度、参与度与信心", En: "Awareness, participation and confidence"},
	"r_ind_note":       {Zh: "加权比例，区间为 logit 变换置信区间。", En: "Weighted proportions with logit intervals."},
	"r_category":       {Zh: "选项", En: "Category"},
	"r_prop":           {Zh: "比例", En: "Share"},
	"r_nonprob":        {Zh: "注意：结果包含非概率样本", En: "Note: non-probability responses are included"},
	"r_none":           {Zh: "暂时无法计算结果", En: "No results yet"},
	"r_updating":       {Zh: "正在按新的答卷或加权设置更新结果，以下为上一次计算的结果；请稍后刷新。", En: "The results are being updated for new responses or a new weighting; these are the previous ones. Reload in a moment."},
	"r_cached":         {Zh: "结果按数据版本和加权版本缓存；新的答卷或加权修改后会自动重新计算。", En: "Results are cached per data and weighting version and recomputed after new responses or a weighting change."},
}

func init() {
	for k, v := range resultsUI {
		staffUI[k] = v
	}
}
