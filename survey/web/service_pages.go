package web

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v5"

	"manyi/survey"
	"manyi/survey/analysis"
	"manyi/survey/auth"
	"manyi/survey/csi"
	"manyi/survey/fieldwork"
	"manyi/survey/workspace"
)

// ServiceStore serves the pages of a service measurement: the sector
// weights of the city's CSI and the interviewers' intercept interviews.
type ServiceStore interface {
	survey.SectorWeightStore
	fieldwork.InterceptStore
}

// Audit actions of the service pages.
const (
	actionSectorWeights = "csi.weights"
	actionIntercept     = "interview.intercept"
)

func init() {
	staffPageFiles = append(staffPageFiles, "staff_csi.html", "staff_csi_weights.html", "staff_intercept.html")
	measurementLinks = append(measurementLinks,
		measurementLink{Path: "/app/m/%s/intercept", Label: survey.Text{Zh: "拦截访问", En: "Intercept interviews"}, Perm: auth.PermInterview})
}

// serviceRoutes returns the rows of the staff route table for service
// measurements: the CSI results page, the sector weights form and the
// intercept interview.
func (st *staff) serviceRoutes() []staffRoute {
	g, p := http.MethodGet, http.MethodPost
	return []staffRoute{
		{g, "/app/m/:id/csi", false, auth.PermViewResults, st.handleCSI},
		{g, "/app/m/:id/csi/weights", false, auth.PermViewResults, st.handleSectorWeights},
		{p, "/app/m/:id/csi/weights", false, auth.PermEditWeighting, st.handleSectorWeightsSave},
		{g, "/app/m/:id/intercept", false, auth.PermInterview, st.handleIntercept},
		{p, "/app/m/:id/intercept", false, auth.PermInterview, st.handleInterceptStart},
	}
}

// serviceRedirect sends the residents' results and weighting pages of a
// service measurement to their service counterparts; it reports whether
// it did.
func (st *staff) serviceRedirect(c *echo.Context, to string) (bool, error) {
	m, err := st.s.store.Measurement(c.Request().Context(), c.Param("id"))
	if err != nil || !m.IsService() {
		return false, nil
	}
	u := "/app/m/" + url.PathEscape(m.ID) + to
	if q := c.Request().URL.RawQuery; q != "" {
		u += "?" + q
	}
	return true, c.Redirect(http.StatusSeeOther, u)
}

// serviceCache keeps the computed CSIs of this server.
var serviceCache = &workspace.ServiceCache{}

// serviceMeasurement loads the :id measurement and refuses a resident one.
func (st *staff) serviceMeasurement(c *echo.Context) (*survey.Measurement, error) {
	m, err := st.s.store.Measurement(c.Request().Context(), c.Param("id"))
	if err != nil {
		return nil, err
	}
	if !m.IsService() {
		return nil, survey.Errorf(survey.ENOTFOUND, "测评 %s 不是服务业顾客满意度测评", "measurement %s is not a service measurement", m.ID)
	}
	if st.s.service == nil {
		return nil, fmt.Errorf("web: no service store configured")
	}
	return m, nil
}

// csiLayout is the staff layout with the service pages' own texts first.
type csiLayout struct{ staffLayout }

// M returns the text key in the page's language: csiUI, then the staff
// and resident texts.
func (l csiLayout) M(key string) string {
	if t, ok := csiUI[key]; ok {
		return t.Get(l.Lang)
	}
	return l.staffLayout.M(key)
}

// csiPage is the service measurement's results page.
type csiPage struct {
	csiLayout
	ID, MeasTitle string
	Sub           []navLink
	Error         string
	N             int
	Reps          int
	Overall       csiFigure
	Change        *csiChange
	PrevTitle     string
	WeightsLine   string
	Sectors       []csiSectorView
	Districts     []csiDistrictView
	SectorNames   []string
	Notes         []string
}

// csiFigure is an index with its interval, formatted.
type csiFigure struct {
	Value, SE, Lo, Hi string
}

// csiChange is a change on last year, formatted.
type csiChange struct {
	Prev, Diff, P string
	Significant   bool
	Up            bool
}

type csiSectorView struct {
	Code, Name string
	N          int
	Failed     string
	CSI        csiFigure
	Change     *csiChange
	Weight     string
	Weighting  string
	GoF        string
	Diagram    template.HTML
	IPMChart   template.HTML
	Constructs []csiConstructView
	Blocks     []csiBlockView
	Districts  []csiDistrictView
	BootFailed int
	Paths      []csiPathView
	Flags      int
	IPM        []csiIPMView
	Iterations int
}

type csiConstructView struct {
	Name      string
	Index     csiFigure
	R2        string
	Effect    csiFigure
	HasEffect bool
	Change    *csiChange
}

type csiPathView struct {
	From, To    string
	Coef        csiFigure
	Significant bool
}

type csiBlockView struct {
	Name                    string
	Alpha, CR, AVE          string
	LowAlpha, LowCR, LowAVE bool
	Items                   []csiItemView
}

type csiItemView struct {
	ID, Text        string
	Loading, Weight string
	Low             bool
}

type csiIPMView struct {
	Name, Share, Score, Zone string
}

type csiDistrictView struct {
	Name  string
	N     int
	CSI   csiFigure
	Diff  string
	Cells []string // the city table: one CSI per sector
}

func fig(e csi.Estimate) csiFigure {
	return csiFigure{Value: f2(e.Value), SE: f2(e.SE), Lo: f2(e.Lo), Hi: f2(e.Hi)}
}

func chg(c *csi.Change) *csiChange {
	if c == nil {
		return nil
	}
	p := "—"
	if !math.IsNaN(c.P) {
		p = fmt.Sprintf("%.3f", c.P)
		if c.P < 0.001 {
			p = "<0.001"
		}
	}
	return &csiChange{Prev: f2(c.Prev), Diff: fmt.Sprintf("%+.2f", c.Diff), P: p, Significant: c.Significant, Up: c.Diff > 0}
}

// handleCSI handles GET /app/m/:id/csi: the city's CSI and every
// sector's model (csi.Compute through workspace.ComputeService, the
// report's path too).
func (st *staff) handleCSI(c *echo.Context) error {
	m, err := st.serviceMeasurement(c)
	if err != nil {
		return err
	}
	lang := language(c)
	v := csiPage{
		csiLayout: csiLayout{st.newStaffLayout(c, staffSession(c), csiUI["csi_title"].Get(lang), c.Request().URL.Path)},
		ID:        m.ID, MeasTitle: m.Title.Get(lang), Sub: st.measNav(c, m.ID),
	}
	comp, err := workspace.ComputeService(c.Request().Context(), st.s.workStore, st.s.service, m.ID, serviceCache)
	if err != nil {
		var se *survey.Error
		if !asSurveyError(err, &se) || se.Code != survey.EINVALID {
			return st.workError(c, err)
		}
		v.Error = se.Message.Get(lang)
		return st.render(c, http.StatusOK, "staff_csi.html", v)
	}
	res := comp.Results
	v.N, v.Reps = res.N, res.Reps
	v.Overall, v.Change = fig(res.Overall), chg(res.OverallChange)
	if comp.Prev != nil {
		v.PrevTitle = comp.Prev.Title.Get(lang)
	}
	v.WeightsLine = weightsLine(res, lang)
	for _, n := range res.Notes {
		v.Notes = append(v.Notes, n.Get(lang))
	}
	for _, s := range res.Sectors {
		v.Sectors = append(v.Sectors, sectorView(s, res, lang))
		if s.Failed == nil {
			v.SectorNames = append(v.SectorNames, s.Sector.Name.Get(lang))
		}
	}
	for _, d := range res.Districts {
		dv := csiDistrictView{Name: d.District.Name.Get(lang), N: d.N, CSI: fig(d.CSI), Diff: fmt.Sprintf("%+.2f", d.Diff)}
		for _, s := range res.Sectors {
			if s.Failed != nil {
				continue
			}
			cell := "—"
			for _, sd := range s.Districts {
				if sd.District.Code == d.District.Code {
					cell = f2(sd.CSI.Value)
				}
			}
			dv.Cells = append(dv.Cells, cell)
		}
		v.Districts = append(v.Districts, dv)
	}
	return st.render(c, http.StatusOK, "staff_csi.html", v)
}

// weightsLine says which sector weights the city's CSI used.
func weightsLine(res *csi.Results, lang string) string {
	if res.EqualWeights {
		return csiUI["weights_equal"].Get(lang)
	}
	s := csiUI["weights_saved"].Get(lang)
	if res.WeightsBasis != "" {
		s += sep(lang) + res.WeightsBasis
	}
	return s
}

func sectorView(s *csi.SectorResult, res *csi.Results, lang string) csiSectorView {
	sv := csiSectorView{Code: s.Sector.Code, Name: s.Sector.Name.Get(lang), N: s.N}
	if s.Failed != nil {
		sv.Failed = s.Failed.Get(lang)
		return sv
	}
	sv.CSI, sv.Change = fig(s.CSI), chg(s.Change)
	sv.Weight = pct1(res.Weights[s.Sector.Code])
	sv.Weighting, sv.GoF = s.Weighting.Get(lang), fmt.Sprintf("%.3f", s.GoF)
	sv.Diagram = template.HTML(csi.PathDiagramSVG(s, lang)) // built from numbers and escaped names
	sv.IPMChart = template.HTML(s.IPMChart)                 // analysis.IPAChart escapes its text
	sv.BootFailed, sv.Iterations = s.BootFailed, s.Iterations
	name := func(id string) string { return survey.ConstructName(id).Get(lang) }
	for _, c := range s.Constructs {
		cv := csiConstructView{Name: c.Name.Get(lang), Index: fig(c.Index), Change: chg(c.Change)}
		if c.R2 > 0 {
			cv.R2 = fmt.Sprintf("%.3f", c.R2)
		}
		if c.ID != "satisfaction" && c.Effect.Value != 0 {
			cv.HasEffect = true
			cv.Effect = csiFigure{Value: f3(c.Effect.Value), SE: f3(c.Effect.SE), Lo: f3(c.Effect.Lo), Hi: f3(c.Effect.Hi)}
		}
		sv.Constructs = append(sv.Constructs, cv)
	}
	for _, p := range s.Paths {
		sv.Paths = append(sv.Paths, csiPathView{From: name(p.From), To: name(p.To), Significant: p.Significant,
			Coef: csiFigure{Value: f3(p.Coef.Value), SE: f3(p.Coef.SE), Lo: f3(p.Coef.Lo), Hi: f3(p.Coef.Hi)}})
	}
	for _, b := range s.Blocks {
		bv := csiBlockView{Name: b.Name.Get(lang), Alpha: f3(b.Alpha), CR: f3(b.CR), AVE: f3(b.AVE), LowAlpha: b.LowAlpha, LowCR: b.LowCR, LowAVE: b.LowAVE}
		for _, it := range b.Items {
			bv.Items = append(bv.Items, csiItemView{ID: it.ID, Text: it.Text.Get(lang), Loading: f3(it.Loading), Weight: f3(it.Weight), Low: it.LowLoading})
			if it.LowLoading {
				sv.Flags++
			}
		}
		if b.LowAlpha || b.LowCR || b.LowAVE {
			sv.Flags++
		}
		sv.Blocks = append(sv.Blocks, bv)
	}
	for _, x := range s.IPM {
		sv.IPM = append(sv.IPM, csiIPMView{Name: x.Label.Get(lang), Share: pct1(x.Share), Score: f2(x.Score), Zone: x.ZoneL.Get(lang)})
	}
	for _, d := range s.Districts {
		sv.Districts = append(sv.Districts, csiDistrictView{Name: d.District.Name.Get(lang), N: d.N, CSI: fig(d.CSI), Diff: fmt.Sprintf("%+.2f", d.Diff)})
	}
	return sv
}

// sectorWeightsPage is the statistician's sector weights form.
type sectorWeightsPage struct {
	csiLayout
	ID, MeasTitle string
	Sub           []navLink
	CanEdit       bool
	Done          string
	Error         string
	Basis         string
	Rows          []sectorWeightRow
	Saved         string
	Census        string
}

type sectorWeightRow struct {
	Code, Name, Value, Error string
}

func (st *staff) newSectorWeightsPage(c *echo.Context, m *survey.Measurement) sectorWeightsPage {
	lang := language(c)
	sess := staffSession(c)
	return sectorWeightsPage{
		csiLayout: csiLayout{st.newStaffLayout(c, sess, csiUI["w_title"].Get(lang), c.Request().URL.Path)},
		ID:        m.ID, MeasTitle: m.Title.Get(lang), Sub: st.measNav(c, m.ID),
		CanEdit: auth.Can(sess.User.Role, auth.PermEditWeighting),
	}
}

// handleSectorWeights handles GET /app/m/:id/csi/weights: the saved
// sector weights, as a form for the statistician.
func (st *staff) handleSectorWeights(c *echo.Context) error {
	m, err := st.serviceMeasurement(c)
	if err != nil {
		return err
	}
	v := st.newSectorWeightsPage(c, m)
	if err := st.savedSectorWeights(c, m, &v); err != nil {
		return err
	}
	if c.QueryParam("done") == "1" {
		v.Done = csiUI["w_done"].Get(v.Lang)
	}
	if n := c.QueryParam("census"); n != "" {
		if k, err := strconv.Atoi(n); err == nil {
			v.Done = fmt.Sprintf(csiUI["w_census_done"].Get(v.Lang), k)
		}
	}
	return st.render(c, http.StatusOK, "staff_csi_weights.html", v)
}

// handleSectorWeightsSave handles POST /app/m/:id/csi/weights: fields
// basis and w_<sector code> (a number ≥ 0; empty is 0). A bad value
// re-renders the form naming the sector; a saved set is audited.
func (st *staff) handleSectorWeightsSave(c *echo.Context) error {
	m, err := st.serviceMeasurement(c)
	if err != nil {
		return err
	}
	v := st.newSectorWeightsPage(c, m)
	v.Basis = strings.TrimSpace(c.FormValue("basis"))
	w := &survey.SectorWeights{Basis: v.Basis, Weights: map[string]float64{}, UpdatedBy: staffSession(c).User.Name}
	bad := false
	for _, sc := range m.Sectors {
		raw := strings.TrimSpace(c.FormValue("w_" + sc.Code))
		r := sectorWeightRow{Code: sc.Code, Name: sc.Name.Get(v.Lang), Value: raw}
		x, err := strconv.ParseFloat(raw, 64)
		switch {
		case raw == "":
			x = 0
		case err != nil || x < 0 || math.IsNaN(x) || math.IsInf(x, 0):
			r.Error = fmt.Sprintf(csiUI["w_bad"].Get(v.Lang), sc.Name.Get(v.Lang))
			bad = true
		}
		w.Weights[sc.Code] = x
		v.Rows = append(v.Rows, r)
	}
	if bad {
		v.Error = csiUI["w_invalid"].Get(v.Lang)
		return st.render(c, http.StatusUnprocessableEntity, "staff_csi_weights.html", v)
	}
	if err := st.s.service.SetSectorWeights(c.Request().Context(), m.ID, w); err != nil {
		var se *survey.Error
		if asSurveyError(err, &se) && se.Code == survey.EINVALID {
			v.Error = se.Message.Get(v.Lang)
			return st.render(c, http.StatusUnprocessableEntity, "staff_csi_weights.html", v)
		}
		return err
	}
	detail := map[string]any{"basis": w.Basis}
	codes := make([]string, 0, len(w.Weights))
	for k := range w.Weights {
		codes = append(codes, k)
	}
	sort.Strings(codes)
	for _, k := range codes {
		detail["w_"+k] = w.Weights[k]
	}
	if err := st.audit(c, w.UpdatedBy, actionSectorWeights, m.ID, detail); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/app/m/"+url.PathEscape(m.ID)+"/csi/weights?done=1")
}

// interceptPage is the interviewer's start page of intercept interviews.
type interceptPage struct {
	csiLayout
	ID, MeasTitle string
	Sub           []navLink
	Open          bool
	Service       bool
}

// handleIntercept handles GET /app/m/:id/intercept: a button that starts
// a face-to-face interview with a customer (or resident) stopped on site.
func (st *staff) handleIntercept(c *echo.Context) error {
	m, err := st.s.store.Measurement(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	lang := language(c)
	v := interceptPage{
		csiLayout: csiLayout{st.newStaffLayout(c, staffSession(c), csiUI["i_title"].Get(lang), c.Request().URL.Path)},
		ID:        m.ID, MeasTitle: m.Title.Get(lang), Sub: st.measNav(c, m.ID),
		Open: m.Status == survey.StatusOpen, Service: m.IsService(),
	}
	return st.render(c, http.StatusOK, "staff_intercept.html", v)
}

// handleInterceptStart handles POST /app/m/:id/intercept: makes the
// interview (mode face, this interviewer), audits it and opens its first
// page in interviewer mode.
func (st *staff) handleInterceptStart(c *echo.Context) error {
	if st.s.service == nil {
		return fmt.Errorf("web: no service store configured")
	}
	id := c.Param("id")
	user := staffSession(c).User.Name
	tok, err := st.s.service.StartIntercept(c.Request().Context(), id, user)
	if err != nil {
		return err
	}
	if err := st.audit(c, user, actionIntercept, id, map[string]any{"mode": survey.ModeFace}); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, interviewURL(tok))
}

var csiUI = map[string]survey.Text{
	"csi_title":      {Zh: "服务业顾客满意度指数", En: "Service customer satisfaction index"},
	"csi_overall":    {Zh: "全市服务业顾客满意度指数（CSI）", En: "The city's customer satisfaction index (CSI)"},
	"csi_interval":   {Zh: "95% 置信区间", En: "95% interval"},
	"csi_se":         {Zh: "标准误", En: "SE"},
	"csi_change":     {Zh: "比上年", En: "Change on last year"},
	"csi_sig":        {Zh: "显著", En: "significant"},
	"csi_notsig":     {Zh: "不显著", En: "not significant"},
	"csi_sectors":    {Zh: "分行业满意度", En: "Sectors"},
	"csi_sector":     {Zh: "行业", En: "Sector"},
	"csi_weight":     {Zh: "行业权重", En: "Sector weight"},
	"csi_n":          {Zh: "样本量", En: "n"},
	"csi_model":      {Zh: "路径模型", En: "Path model"},
	"csi_model_note": {Zh: "箭头上为路径系数；虚线表示其 95% 区间包含 0（不显著）。方框内为构念指数与 R²。", En: "Arrows carry the path coefficients; a dashed arrow's 95% interval includes 0 (not significant). Boxes show the construct index and R²."},
	"csi_constructs": {Zh: "构念指数与对满意度的总效应", En: "Construct indices and total effects on satisfaction"},
	"csi_construct":  {Zh: "构念", En: "Construct"},
	"csi_index":      {Zh: "指数", En: "Index"},
	"csi_effect":     {Zh: "对满意度的总效应", En: "Total effect on satisfaction"},
	"csi_paths":      {Zh: "路径系数（自助法）", En: "Path coefficients (bootstrap)"},
	"csi_path":       {Zh: "路径", En: "Path"},
	"csi_coef":       {Zh: "系数", En: "Coefficient"},
	"csi_ipm":        {Zh: "重要性—表现矩阵", En: "Importance–performance matrix"},
	"csi_share":      {Zh: "重要性", En: "Importance"},
	"csi_zone":       {Zh: "区域", En: "Zone"},
	"csi_mm":         {Zh: "测量模型", En: "Measurement model"},
	"csi_mm_note":    {Zh: "标记 ⚑：载荷 < 0.7、α < 0.7、组合信度 CR < 0.7 或 AVE < 0.5。", En: "Flag ⚑: loading < 0.7, α < 0.7, composite reliability CR < 0.7 or AVE < 0.5."},
	"csi_item":       {Zh: "题目", En: "Item"},
	"csi_loading":    {Zh: "载荷", En: "Loading"},
	"csi_oweight":    {Zh: "外部权重", En: "Outer weight"},
	"csi_flags":      {Zh: "项低于阈值", En: "below threshold"},
	"csi_districts":  {Zh: "区县比较", En: "Districts"},
	"csi_district":   {Zh: "区县", En: "District"},
	"csi_diff":       {Zh: "与全市之差", En: "Against the city"},
	"csi_diff_s":     {Zh: "与本行业之差", En: "Against the sector"},
	"csi_weighting":  {Zh: "加权", En: "Weighting"},
	"csi_gof":        {Zh: "拟合优度 GoF", En: "Goodness of fit"},
	"csi_method":     {Zh: "偏最小二乘路径模型（CCSI），自助法 %d 次（按区县分层重抽样）。", En: "PLS path model (CCSI); %d bootstrap replicates resampled within districts."},
	"csi_prev":       {Zh: "上年", En: "Last year"},
	"csi_failed":     {Zh: "未建模", En: "No model"},
	"weights_equal":  {Zh: "行业权重：尚未设定，各行业等权", En: "Sector weights: none saved yet, every sector counts the same"},
	"weights_saved":  {Zh: "行业权重：统计人员设定", En: "Sector weights: as saved by the statistician"},
	"w_title":        {Zh: "行业权重", En: "Sector weights"},
	"w_intro":        {Zh: "全市指数为各行业满意度指数按这些权重的加权平均（例如各行业占服务业增加值的比重）。权重不必合计为 1，系统会按已建模的行业归一化；留空为 0。", En: "The city's CSI is the sector indices averaged with these weights (e.g. each sector's share of service value added). They need not sum to 1: they are normalized over the sectors with a model; empty means 0."},
	"w_basis":        {Zh: "权重依据", En: "Basis of the weights"},
	"w_save":         {Zh: "保存权重", En: "Save weights"},
	"w_done":         {Zh: "行业权重已保存。", En: "The sector weights are saved."},
	"w_bad":          {Zh: "“%s”的权重应为不小于 0 的数", En: "the weight of %q must be a number ≥ 0"},
	"w_invalid":      {Zh: "权重有误，未保存：", En: "Some weights are wrong; nothing was saved:"},
	"w_saved":        {Zh: "上次保存：%s，%s", En: "Last saved %s by %s"},
	"w_census":       {Zh: "人口数据（加权目标）", En: "Census figures (weighting targets)"},
	"w_census_hint":  {Zh: "CSV 文件，表头 district,gender,age_band,count。各行业内按区县（及性别×年龄段）人口比例加权。", En: "A CSV file with the header district,gender,age_band,count. Each sector is weighted to the population shares of the districts (and gender × age band)."},
	"w_census_up":    {Zh: "上传人口数据", En: "Upload census"},
	"w_census_done":  {Zh: "已导入 %d 个人口格。", En: "%d census cells imported."},
	"w_readonly":     {Zh: "您的角色只能查看权重。", En: "Your role may only view the weights."},
	"w_results":      {Zh: "查看满意度指数", En: "See the CSI"},
	"i_title":        {Zh: "拦截访问", En: "Intercept interviews"},
	"i_intro":        {Zh: "在服务场所（商场、网点、车站等）拦截刚接受过服务的顾客，当面用平板电脑访问。每按一次开始一份新问卷，记录为面访和您的账号。", En: "Stop customers who have just used a service (at a shop, a branch, a station) and interview them face to face on the tablet. Each press starts a new questionnaire, recorded as face to face under your account."},
	"i_start":        {Zh: "开始新的拦截访问", En: "Start a new intercept interview"},
	"i_closed":       {Zh: "测评未开放，不能开始访问。", En: "The measurement is not open; no interview can start."},
}

// serviceReportPDF is GET /app/m/:id/report.pdf for a service measurement:
// the CSI report (workspace.ReportService over the page's computation),
// audited like the residents' report.
func (st *staff) serviceReportPDF(c *echo.Context, m *survey.Measurement, lang string) error {
	ctx := c.Request().Context()
	if st.s.service == nil {
		return fmt.Errorf("web: no service store configured")
	}
	comp, err := workspace.ComputeService(ctx, st.s.workStore, st.s.service, m.ID, serviceCache)
	if err != nil {
		return st.workError(c, err)
	}
	pdf, err := workspace.ReportService(ctx, st.s.workStore, comp, lang, time.Time{})
	if err != nil {
		return st.workError(c, err)
	}
	sum := sha256.Sum256(pdf)
	if err := st.audit(c, staffSession(c).User.Name, auth.ActionReport, m.ID, map[string]any{
		"lang": lang, "bytes": len(pdf), "sha256": hex.EncodeToString(sum[:]), "kind": survey.KindService, "n": comp.Results.N,
	}); err != nil {
		return err
	}
	noStoreDownload(c, "application/pdf", m.ID+"-report-"+lang+".pdf")
	_, err = c.Response().Write(pdf)
	return err
}

// serviceCensusUploaded answers a census upload (POST
// /app/m/:id/weighting/census) of a service measurement: the sector
// weights page again, with the problem (its row) when the file was
// refused, or redirected to it with the count when it was imported.
func (st *staff) serviceCensusUploaded(c *echo.Context, m *survey.Measurement, census *analysis.Census, ferr error) error {
	if ferr == nil {
		st.work().forget(m.ID)
		return c.Redirect(http.StatusSeeOther, "/app/m/"+url.PathEscape(m.ID)+"/csi/weights?census="+strconv.Itoa(len(census.Cells)))
	}
	lang := language(c)
	msg := weightingUI["w_census_nofile"].Get(lang)
	var se *survey.Error
	if asSurveyError(ferr, &se) {
		if se.Code != survey.EINVALID {
			return ferr
		}
		msg = se.Message.Get(lang)
	}
	v := st.newSectorWeightsPage(c, m)
	if err := st.savedSectorWeights(c, m, &v); err != nil {
		return err
	}
	v.Census = msg
	return st.render(c, http.StatusUnprocessableEntity, "staff_csi_weights.html", v)
}

// savedSectorWeights fills the form of v with the saved sector weights.
func (st *staff) savedSectorWeights(c *echo.Context, m *survey.Measurement, v *sectorWeightsPage) error {
	w, err := st.s.service.SectorWeights(c.Request().Context(), m.ID)
	if err != nil {
		return err
	}
	if w != nil {
		v.Basis = w.Basis
		v.Saved = fmt.Sprintf(csiUI["w_saved"].Get(v.Lang), v.Time(w.UpdatedAt), w.UpdatedBy)
	}
	for _, sc := range m.Sectors {
		r := sectorWeightRow{Code: sc.Code, Name: sc.Name.Get(v.Lang)}
		if w != nil {
			r.Value = strconv.FormatFloat(w.Weights[sc.Code], 'f', -1, 64)
		}
		v.Rows = append(v.Rows, r)
	}
	return nil
}
