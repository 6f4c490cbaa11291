package web

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"net/http"
	"net/url"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/labstack/echo/v5"

	"manyi/survey"
	"manyi/survey/analysis"
	"manyi/survey/auth"
	"manyi/survey/workspace"
)

// marginChoices are the calibration margins the form offers, each a list
// of census variables; the census has district × gender × age band.
var marginChoices = [][]string{
	{analysis.VarDistrict},
	{analysis.VarGender},
	{analysis.VarAgeBand},
	{analysis.VarGender, analysis.VarAgeBand},
	{analysis.VarDistrict, analysis.VarGender},
	{analysis.VarDistrict, analysis.VarAgeBand},
	{analysis.VarDistrict, analysis.VarGender, analysis.VarAgeBand},
}

// weightingForm is the weighting specification and index method as typed.
type weightingForm struct {
	DesignWeights, Nonresponse bool
	Calibration                string
	Margins                    map[string]bool // "gender,age_band" → chosen
	Lower, Upper, TrimK        string
	Epsilon, MaxIt             string
	Method                     string
	Expert                     map[string]string // domain → weight as typed
}

// weightingPage is the weighting page: the form, the diagnostics of the
// current (or the checked) specification, the versions and the census.
type weightingPage struct {
	staffLayout
	ID, MeasTitle string
	Sub           []navLink
	CanEdit       bool
	CSRF2         string
	Form          weightingForm
	Margins       []marginOption
	Calibrations  []option
	Methods       []option
	Domains       []domainField
	Error         string   // the specification cannot be used (not saved)
	FieldErrors   []string // one line per wrong field
	Done          string
	Checked       bool   // Diag shows the checked, unsaved specification
	Current       string // the current version line
	Diag          *diagView
	Versions      []versionRow
	Census        *censusView
	CensusError   string
}

type marginOption struct {
	Value, Label string
	Checked      bool
}

type domainField struct {
	ID, Name, Value string
}

// diagView is the diagnostics panel.
type diagView struct {
	N                        int
	Sum, Min, Q1, Median, Q3 string
	Max, Ratio, Deff, EffN   string
	Trimmed, TrimRounds      int
	Iterations               string
	Converged                bool
	Histogram                template.HTML
	Margins                  []marginDiag
	Overall, OverallCI       string
}

type marginDiag struct {
	Margin string
	Cells  []struct{ Cell, Target, Before, Achieved, Gap string }
}

type versionRow struct {
	Version      int
	By, At, Spec string
	Current      bool
}

type censusView struct {
	Cells int
	Total string
	Rows  []struct{ District, Gender, AgeBand, Count string }
}

// formOf fills the form from a saved specification and method.
func formOf(s analysis.WeightingSpec, m analysis.IndexMethod) weightingForm {
	f := weightingForm{
		DesignWeights: s.DesignWeights, Nonresponse: s.Nonresponse, Calibration: s.Calibration,
		Margins: map[string]bool{}, Method: m.Method, Expert: map[string]string{},
	}
	if f.Calibration == "" {
		f.Calibration = analysis.CalNone
	}
	for _, mg := range s.Margins {
		f.Margins[strings.Join(mg, ",")] = true
	}
	if len(s.Bounds) == 2 {
		f.Lower, f.Upper = fmtNum(s.Bounds[0]), fmtNum(s.Bounds[1])
	}
	if s.TrimK > 0 {
		f.TrimK = fmtNum(s.TrimK)
	}
	if s.Epsilon > 0 {
		f.Epsilon = fmtNum(s.Epsilon)
	}
	if s.MaxIt > 0 {
		f.MaxIt = strconv.Itoa(s.MaxIt)
	}
	if f.Method == "" {
		f.Method = analysis.MethodEqual
	}
	for d, w := range m.Weights {
		f.Expert[d] = fmtNum(w)
	}
	return f
}

func fmtNum(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// readWeightingForm reads the posted form. Numbers that do not parse are
// errors naming the field; the rest is WeightingSpec.Validate's and
// IndexMethod.Validate's.
func readWeightingForm(vals url.Values, q *survey.Questionnaire, lang string) (weightingForm, analysis.WeightingSpec, analysis.IndexMethod, []string) {
	f := weightingForm{
		DesignWeights: vals.Get("design_weights") == "1",
		Nonresponse:   vals.Get("nonresponse") == "1",
		Calibration:   strings.TrimSpace(vals.Get("calibration")),
		Margins:       map[string]bool{},
		Lower:         strings.TrimSpace(vals.Get("lower")),
		Upper:         strings.TrimSpace(vals.Get("upper")),
		TrimK:         strings.TrimSpace(vals.Get("trim_k")),
		Epsilon:       strings.TrimSpace(vals.Get("epsilon")),
		MaxIt:         strings.TrimSpace(vals.Get("maxit")),
		Method:        strings.TrimSpace(vals.Get("method")),
		Expert:        map[string]string{},
	}
	var errs []string
	num := func(field, label, s string) float64 {
		if s == "" {
			return 0
		}
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			errs = append(errs, fmt.Sprintf(weightingUI["w_badnum"].Get(lang), weightingUI[label].Get(lang), field, s))
			return 0
		}
		return v
	}
	spec := analysis.WeightingSpec{DesignWeights: f.DesignWeights, Nonresponse: f.Nonresponse, Calibration: f.Calibration}
	chosen := map[string]bool{}
	for _, m := range vals["margin"] {
		chosen[m] = true
	}
	// Margins in the form's fixed order, whatever order the browser sent.
	for _, mc := range marginChoices {
		key := strings.Join(mc, ",")
		if chosen[key] {
			f.Margins[key] = true
			if spec.Calibration != analysis.CalNone {
				spec.Margins = append(spec.Margins, mc)
			}
			delete(chosen, key)
		}
	}
	for m := range chosen {
		errs = append(errs, fmt.Sprintf(weightingUI["w_badmargin"].Get(lang), m))
	}
	lo, hi := num("lower", "w_lower", f.Lower), num("upper", "w_upper", f.Upper)
	if f.Lower != "" || f.Upper != "" {
		if f.Upper == "" {
			hi = math.Inf(1)
		}
		spec.Bounds = []float64{lo, hi}
	}
	spec.TrimK = num("trim_k", "w_trim", f.TrimK)
	spec.Epsilon = num("epsilon", "w_epsilon", f.Epsilon)
	if f.MaxIt != "" {
		n, err := strconv.Atoi(f.MaxIt)
		if err != nil {
			errs = append(errs, fmt.Sprintf(weightingUI["w_badnum"].Get(lang), weightingUI["w_maxit"].Get(lang), "maxit", f.MaxIt))
		}
		spec.MaxIt = n
	}
	method := analysis.IndexMethod{Method: f.Method}
	if f.Method == analysis.MethodExpert {
		method.Weights = map[string]float64{}
		for _, d := range q.Domains {
			s := strings.TrimSpace(vals.Get("w_" + d.ID))
			f.Expert[d.ID] = s
			if s == "" {
				continue // Validate names the missing domain
			}
			v, err := strconv.ParseFloat(s, 64)
			if err != nil {
				errs = append(errs, fmt.Sprintf(weightingUI["w_badnum"].Get(lang), d.Name.Get(lang), "weights."+d.ID, s))
				continue
			}
			method.Weights[d.ID] = v
		}
	}
	if len(errs) == 0 {
		for _, err := range []error{spec.Validate(), method.Validate(q)} {
			var se *survey.Error
			if err == nil {
				continue
			}
			if !asSurveyError(err, &se) {
				errs = append(errs, err.Error())
				continue
			}
			if len(se.Fields) == 0 {
				errs = append(errs, se.Message.Get(lang))
			}
			for _, fe := range se.Fields {
				errs = append(errs, fe.Field+"："+fe.Message.Get(lang))
			}
		}
	}
	return f, spec, method, errs
}

// newWeightingPage fills what every view of the page shows.
func (st *staff) newWeightingPage(c *echo.Context, comp *workspace.Computed, m *survey.Measurement) weightingPage {
	lang := language(c)
	sess := staffSession(c)
	v := weightingPage{
		staffLayout: st.newStaffLayout(c, sess, weightingUI["w_title"].Get(lang), c.Request().URL.Path),
		ID:          m.ID, MeasTitle: m.Title.Get(lang), Sub: st.measNav(c, m.ID),
		CanEdit: canEditWeighting(sess),
	}
	for _, cal := range []string{analysis.CalNone, analysis.CalPostStratify, analysis.CalRaking, analysis.CalLinear} {
		v.Calibrations = append(v.Calibrations, option{Value: cal, Label: calibrationName(cal).Get(lang)})
	}
	for _, me := range []string{analysis.MethodEqual, analysis.MethodExpert, analysis.MethodRegression} {
		v.Methods = append(v.Methods, option{Value: me, Label: methodName(me).Get(lang)})
	}
	if comp != nil {
		for _, d := range comp.Dataset.Q.Domains {
			v.Domains = append(v.Domains, domainField{ID: d.ID, Name: d.Name.Get(lang)})
		}
	}
	return v
}

// finish sets the form-dependent parts: checked options and values.
func (v *weightingPage) finish(f weightingForm) {
	v.Form = f
	v.Margins = nil
	for _, mc := range marginChoices {
		key := strings.Join(mc, ",")
		v.Margins = append(v.Margins, marginOption{Value: key, Label: strings.Join(mc, " × "), Checked: f.Margins[key]})
	}
	for i := range v.Calibrations {
		v.Calibrations[i].Checked = v.Calibrations[i].Value == f.Calibration
	}
	for i := range v.Methods {
		v.Methods[i].Checked = v.Methods[i].Value == f.Method
	}
	for i := range v.Domains {
		v.Domains[i].Value = f.Expert[v.Domains[i].ID]
	}
}

// loadWeightingExtras fills the versions and the census.
func (st *staff) loadWeightingExtras(c *echo.Context, v *weightingPage, current int) error {
	ctx := c.Request().Context()
	w := st.work()
	vs, err := w.store.WeightingVersions(ctx, v.ID)
	if err != nil {
		return err
	}
	for _, wv := range vs {
		v.Versions = append(v.Versions, versionRow{
			Version: wv.Version, By: wv.CreatedBy, At: v.Time(wv.CreatedAt),
			Spec: weightingLine(wv.Version, wv.Spec, v.Lang), Current: wv.Version == current,
		})
	}
	census, err := w.store.Census(ctx, v.ID)
	if err != nil {
		return err
	}
	if census != nil {
		cv := &censusView{Cells: len(census.Cells), Total: thousands(census.Total())}
		for _, cell := range census.Cells {
			cv.Rows = append(cv.Rows, struct{ District, Gender, AgeBand, Count string }{cell.District, cell.Gender, cell.AgeBand, thousands(cell.Count)})
		}
		v.Census = cv
	}
	return nil
}

// handleWeighting handles GET /app/m/:id/weighting.
func (st *staff) handleWeighting(c *echo.Context) error {
	if done, err := st.serviceRedirect(c, "/csi/weights"); done {
		return err
	}
	id := c.Param("id")
	ctx := c.Request().Context()
	w, m, err := st.workMeasurement(c, id)
	if err != nil {
		return err
	}
	comp, cerr := w.computed(ctx, id)
	var se *survey.Error
	if cerr != nil && (!asSurveyError(cerr, &se) || se.Code != survey.EINVALID) {
		return st.workError(c, cerr)
	}
	v := st.newWeightingPage(c, comp, m)
	cur, err := w.store.Weighting(ctx, id)
	if err != nil {
		return err
	}
	method, err := w.store.IndexMethod(ctx, id)
	if err != nil {
		return err
	}
	if len(v.Domains) == 0 {
		if ds, err := w.store.LoadDataset(ctx, id); err == nil {
			for _, d := range ds.Q.Domains {
				v.Domains = append(v.Domains, domainField{ID: d.ID, Name: d.Name.Get(v.Lang)})
			}
		}
	}
	v.finish(formOf(cur.Spec, method))
	v.Current = weightingLine(cur.Version, cur.Spec, v.Lang)
	if cerr != nil {
		v.Error = se.Message.Get(v.Lang)
	} else {
		v.Diag = diagnosticsView(comp.Results, v.Lang)
	}
	switch {
	case c.QueryParam("saved") != "":
		v.Done = fmt.Sprintf(weightingUI["w_saved"].Get(v.Lang), c.QueryParam("saved"))
	case c.QueryParam("census") != "":
		v.Done = fmt.Sprintf(weightingUI["w_census_saved"].Get(v.Lang), c.QueryParam("census"))
	}
	if err := st.loadWeightingExtras(c, &v, cur.Version); err != nil {
		return err
	}
	return st.render(c, http.StatusOK, "staff_weighting.html", v)
}

// handleWeightingSave handles POST /app/m/:id/weighting: "check" computes
// the diagnostics of the typed specification without saving; "save" also
// stores it as the next version (audited by the store) when it can be
// computed. A specification that fails (a bad field, a margin that cannot
// be met) is shown with its error and never becomes the current version.
func (st *staff) handleWeightingSave(c *echo.Context) error {
	id := c.Param("id")
	ctx := c.Request().Context()
	w, m, err := st.workMeasurement(c, id)
	if err != nil {
		return err
	}
	comp, cerr := w.computed(ctx, id)
	if cerr != nil {
		var se *survey.Error
		if !asSurveyError(cerr, &se) || se.Code != survey.EINVALID {
			// Without a computable current state there is nothing to
			// check a specification against (no data yet): say why.
			return st.workError(c, cerr)
		}
		// The current specification cannot be computed (a new city's
		// default calibration before its census is imported): the new
		// one is checked on the dataset alone, so that it can be fixed
		// here rather than being stuck.
		ds, err := w.store.LoadDataset(ctx, id)
		if err != nil {
			return st.workError(c, err)
		}
		comp = &workspace.Computed{Measurement: m, Dataset: ds}
	}
	vals, err := c.FormValues()
	if err != nil {
		return err
	}
	v := st.newWeightingPage(c, comp, m)
	f, spec, method, errs := readWeightingForm(vals, comp.Dataset.Q, v.Lang)
	v.finish(f)
	cur, err := w.store.Weighting(ctx, id)
	if err != nil {
		return err
	}
	v.Current = weightingLine(cur.Version, cur.Spec, v.Lang)
	fail := func(msg string) error {
		v.Error = msg
		if err := st.loadWeightingExtras(c, &v, cur.Version); err != nil {
			return err
		}
		return st.render(c, http.StatusUnprocessableEntity, "staff_weighting.html", v)
	}
	if len(errs) > 0 {
		v.FieldErrors = errs
		return fail(weightingUI["w_invalid"].Get(v.Lang))
	}
	res, err := workspace.Trial(comp, spec, method)
	if err != nil {
		var se *survey.Error
		if !asSurveyError(err, &se) || se.Code != survey.EINVALID {
			return err
		}
		v.FieldErrors = []string{se.Message.Get(v.Lang)}
		return fail(weightingUI["w_failed"].Get(v.Lang))
	}
	if c.FormValue("action") != "save" {
		v.Checked = true
		v.Diag = diagnosticsView(res, v.Lang)
		if err := st.loadWeightingExtras(c, &v, cur.Version); err != nil {
			return err
		}
		return st.render(c, http.StatusOK, "staff_weighting.html", v)
	}
	user := staffSession(c).User.Name
	version, err := w.store.SaveWeighting(ctx, id, spec, user)
	if err != nil {
		var se *survey.Error
		if asSurveyError(err, &se) && se.Code == survey.EINVALID {
			v.FieldErrors = []string{se.Message.Get(v.Lang)}
			return fail(weightingUI["w_invalid"].Get(v.Lang))
		}
		return err
	}
	if !sameMethod(method, comp.Method) {
		if err := w.store.SetIndexMethod(ctx, id, method, user); err != nil {
			return err
		}
	}
	w.forget(id)
	w.watch(id)
	return c.Redirect(http.StatusSeeOther, "/app/m/"+url.PathEscape(id)+"/weighting?saved="+strconv.Itoa(version))
}

// sameMethod compares two index methods (equal and unset are one).
func sameMethod(a, b analysis.IndexMethod) bool {
	if a.Method == "" {
		a.Method = analysis.MethodEqual
	}
	if b.Method == "" {
		b.Method = analysis.MethodEqual
	}
	if len(a.Weights) == 0 && len(b.Weights) == 0 {
		return a.Method == b.Method
	}
	return reflect.DeepEqual(a, b)
}

// handleCensusUpload handles POST /app/m/:id/weighting/census: a census
// CSV (district,gender,age_band,count) replaces the measurement's; errors
// name the row. Audited by the store.
func (st *staff) handleCensusUpload(c *echo.Context) error {
	id := c.Param("id")
	ctx := c.Request().Context()
	w, m, err := st.workMeasurement(c, id)
	if err != nil {
		return err
	}
	lang := language(c)
	var census *analysis.Census
	fh, ferr := c.FormFile("census")
	if ferr == nil {
		f, err := fh.Open()
		if err != nil {
			return err
		}
		defer f.Close()
		census, err = w.store.ImportCensusCSV(ctx, id, f, staffSession(c).User.Name)
		if err != nil {
			ferr = err
		}
	}
	if m.IsService() {
		return st.serviceCensusUploaded(c, m, census, ferr)
	}
	if ferr != nil {
		var se *survey.Error
		msg := weightingUI["w_census_nofile"].Get(lang)
		if asSurveyError(ferr, &se) {
			if se.Code != survey.EINVALID {
				return ferr
			}
			msg = se.Message.Get(lang)
		}
		comp, _ := w.computed(ctx, id)
		v := st.newWeightingPage(c, comp, m)
		cur, err := w.store.Weighting(ctx, id)
		if err != nil {
			return err
		}
		method, err := w.store.IndexMethod(ctx, id)
		if err != nil {
			return err
		}
		v.finish(formOf(cur.Spec, method))
		v.Current = weightingLine(cur.Version, cur.Spec, lang)
		if comp != nil {
			v.Diag = diagnosticsView(comp.Results, lang)
		}
		v.CensusError = msg
		if err := st.loadWeightingExtras(c, &v, cur.Version); err != nil {
			return err
		}
		return st.render(c, http.StatusUnprocessableEntity, "staff_weighting.html", v)
	}
	w.forget(id)
	w.watch(id)
	return c.Redirect(http.StatusSeeOther, "/app/m/"+url.PathEscape(id)+"/weighting?census="+strconv.Itoa(len(census.Cells)))
}

// diagnosticsView formats the weighting diagnostics.
func diagnosticsView(res *analysis.Results, lang string) *diagView {
	d := res.Weighting
	v := &diagView{
		N: d.N, Sum: thousands(d.Sum), Min: f3(d.Min), Q1: f3(d.Q1), Median: f3(d.Median), Q3: f3(d.Q3), Max: f3(d.Max),
		Ratio: f2(d.Ratio), Deff: fmt.Sprintf("%.3f", d.Deff), EffN: fmt.Sprintf("%.0f", d.EffectiveN),
		Trimmed: d.Trimmed, TrimRounds: d.TrimRounds, Converged: d.Converged,
		Histogram: histogramSVG(d.Histogram, lang),
		Overall:   f2(res.Overall.Value), OverallCI: ci2(res.Overall.CI),
	}
	if d.Iterations >= 0 {
		v.Iterations = strconv.Itoa(d.Iterations)
	} else {
		v.Iterations = weightingUI["w_iter_na"].Get(lang)
	}
	for _, mc := range d.Margins {
		md := marginDiag{Margin: mc.Margin}
		cells := append([]analysis.CellCheck(nil), mc.Cells...)
		sort.SliceStable(cells, func(i, j int) bool { return cells[i].Cell < cells[j].Cell })
		for _, cell := range cells {
			gap := "—"
			if cell.Target > 0 {
				gap = fmt.Sprintf("%+.2f%%", 100*(cell.Achieved-cell.Target)/cell.Target)
			}
			md.Cells = append(md.Cells, struct{ Cell, Target, Before, Achieved, Gap string }{
				cell.Cell, thousands(cell.Target), thousands(cell.Before), thousands(cell.Achieved), gap})
		}
		v.Margins = append(v.Margins, md)
	}
	return v
}

// f3 formats a weight: whole numbers from 100 up, else 3 significant
// digits.
func f3(v float64) string {
	if math.Abs(v) >= 100 {
		return thousands(v)
	}
	return strconv.FormatFloat(v, 'g', 3, 64)
}

// thousands formats a count rounded to a whole number with thousands
// separators ("2,350,000").
func thousands(v float64) string {
	s := strconv.FormatFloat(math.Round(math.Abs(v)), 'f', 0, 64)
	var b strings.Builder
	if v < 0 && s != "0" {
		b.WriteByte('-')
	}
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// histogramSVG draws the weight distribution as bars: an inline SVG with
// presentation attributes only (the pages' CSP allows no inline style).
func histogramSVG(bins []analysis.Bin, lang string) template.HTML {
	if len(bins) == 0 {
		return ""
	}
	const W, H, L, B, T = 600.0, 220.0, 40.0, 36.0, 10.0
	maxc := 1
	for _, b := range bins {
		maxc = max(maxc, b.Count)
	}
	title := weightingUI["w_hist"].Get(lang)
	var sb strings.Builder
	fmt.Fprintf(&sb, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %g %g" role="img" aria-label="%s">`, W, H, html.EscapeString(title))
	bw := (W - L - 10) / float64(len(bins))
	for i, b := range bins {
		h := float64(b.Count) / float64(maxc) * (H - B - T)
		x := L + float64(i)*bw
		fmt.Fprintf(&sb, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="#0a58a8"><title>%s–%s: %d</title></rect>`,
			x+1, H-B-h, bw-2, h, f3(b.Lo), f3(b.Hi), b.Count)
	}
	fmt.Fprintf(&sb, `<line x1="%g" y1="%g" x2="%g" y2="%g" stroke="#6b7785"/>`, L, H-B, W-10, H-B)
	fmt.Fprintf(&sb, `<text x="%g" y="%g" font-size="12" text-anchor="start">%s</text>`, L, H-B+16, f3(bins[0].Lo))
	fmt.Fprintf(&sb, `<text x="%g" y="%g" font-size="12" text-anchor="end">%s</text>`, W-10, H-B+16, f3(bins[len(bins)-1].Hi))
	fmt.Fprintf(&sb, `<text x="%g" y="%g" font-size="12" text-anchor="middle">%s</text>`, (L+W-10)/2, H-4, html.EscapeString(weightingUI["w_hist_x"].Get(lang)))
	fmt.Fprintf(&sb, `<text x="%g" y="%g" font-size="12" text-anchor="end">%d</text>`, L-4, T+10, maxc)
	fmt.Fprintf(&sb, `<text x="%g" y="%g" font-size="12" text-anchor="end">0</text>`, L-4, H-B)
	sb.WriteString(`</svg>`)
	return template.HTML(sb.String())
}

// canEditWeighting reports whether the session may save a weighting.
func canEditWeighting(sess *auth.Session) bool {
	return sess != nil && auth.Can(sess.User.Role, auth.PermEditWeighting)
}

// weightingUI holds the weighting page's texts.
var weightingUI = map[string]survey.Text{
	"w_title":         {Zh: "加权设置", En: "Weighting"},
	"w_current":       {Zh: "当前使用", En: "In use"},
	"w_design":        {Zh: "使用抽样设计权数（1/π）", En: "Use the draw's design weights (1/π)"},
	"w_nonresponse":   {Zh: "按区县做无回答调整（发放数 ÷ 完成数）", En: "Adjust for nonresponse by district (issued ÷ completed)"},
	"w_calibration":   {Zh: "校准方法", En: "Calibration"},
	"w_margins":       {Zh: "校准边际（人口普查）", En: "Calibration margins (census)"},
	"w_margins_hint":  {Zh: "事后分层只选一个边际（可为交叉边际）；迭代比例调整和线性校准可选多个。", En: "Post-stratification takes one margin (a joint one is fine); raking and linear calibration take several."},
	"w_bounds":        {Zh: "权数比界限 g = 校准后权数 ÷ 输入权数（可留空）", En: "Bounds on g = calibrated ÷ input weight (optional)"},
	"w_lower":         {Zh: "下限 L", En: "Lower L"},
	"w_upper":         {Zh: "上限 U", En: "Upper U"},
	"w_trim":          {Zh: "截尾倍数（权数上限 = 倍数 × 中位数，留空不截尾）", En: "Trimming factor (cap = factor × median; empty: none)"},
	"w_advanced":      {Zh: "收敛设置", En: "Convergence"},
	"w_epsilon":       {Zh: "收敛精度", En: "Tolerance"},
	"w_maxit":         {Zh: "最大迭代次数", En: "Maximum iterations"},
	"w_method":        {Zh: "指数计算方法", En: "Index method"},
	"w_expert":        {Zh: "专家权重（仅专家赋权法；任意正数，自动归一化）", En: "Expert weights (expert method only; any positive numbers, normalised)"},
	"w_check":         {Zh: "试算（不保存）", En: "Check (do not save)"},
	"w_save":          {Zh: "保存为新版本", En: "Save as a new version"},
	"w_readonly":      {Zh: "您的角色只能查看加权设置。", En: "Your role may only look at the weighting."},
	"w_invalid":       {Zh: "加权设置有误，未保存：", En: "The weighting is not valid and was not saved:"},
	"w_failed":        {Zh: "此加权设置无法计算，未保存，当前版本不变：", En: "This weighting cannot be computed; it was not saved and the current version stays:"},
	"w_saved":         {Zh: "已保存为第 %s 版，结果已按新版本重新计算。", En: "Saved as version %s; the results use it now."},
	"w_census_saved":  {Zh: "已导入人口普查数据（%s 个单元）。", En: "The census was imported (%s cells)."},
	"w_census_nofile": {Zh: "请选择一个 CSV 文件（列：district,gender,age_band,count）。", En: "Choose a CSV file (columns district,gender,age_band,count)."},
	"w_badnum":        {Zh: "%s（%s）应为数字，当前为 %q", En: "%s (%s) must be a number, got %q"},
	"w_badmargin":     {Zh: "校准边际 %q 无效", En: "calibration margin %q is not valid"},
	"w_diag":          {Zh: "加权诊断", En: "Weighting diagnostics"},
	"w_diag_checked":  {Zh: "加权诊断（试算，未保存）", En: "Weighting diagnostics (checked, not saved)"},
	"w_hist":          {Zh: "最终权数分布", En: "Distribution of the final weights"},
	"w_hist_x":        {Zh: "权数 weight", En: "weight"},
	"w_n":             {Zh: "样本量", En: "Respondents"},
	"w_sum":           {Zh: "权数总和", En: "Sum of weights"},
	"w_quart":         {Zh: "最小 / 下四分位 / 中位数 / 上四分位 / 最大", En: "Min / Q1 / median / Q3 / max"},
	"w_ratio":         {Zh: "最大权数 ÷ 最小权数", En: "Largest ÷ smallest weight"},
	"w_deff":          {Zh: "加权设计效应（Kish，1 + CV²）", En: "Design effect of weighting (Kish, 1 + CV²)"},
	"w_effn":          {Zh: "有效样本量", En: "Effective sample size"},
	"w_trimmed":       {Zh: "被截尾的权数（轮数）", En: "Weights trimmed (rounds)"},
	"w_iter":          {Zh: "收敛迭代次数", En: "Iterations to convergence"},
	"w_iter_na":       {Zh: "未报告", En: "not reported"},
	"w_iter_note":     {Zh: "统计引擎不报告校准的迭代次数；未在最大迭代次数内收敛时会报错并指出最差的单元。", En: "The engine does not report the calibration's iterations; when it does not converge within the maximum it fails and names the worst cell."},
	"w_converged":     {Zh: "已收敛", En: "Converged"},
	"w_overall":       {Zh: "此加权下的总体指数", En: "Overall index with this weighting"},
	"w_margin_tab":    {Zh: "边际达成情况", En: "Margins achieved vs targets"},
	"w_cell":          {Zh: "单元", En: "Cell"},
	"w_target":        {Zh: "目标", En: "Target"},
	"w_before":        {Zh: "校准前", En: "Before"},
	"w_achieved":      {Zh: "校准后", En: "Achieved"},
	"w_gap":           {Zh: "偏差", En: "Gap"},
	"w_versions":      {Zh: "版本记录", En: "Versions"},
	"w_version":       {Zh: "版本", En: "Version"},
	"w_by":            {Zh: "保存人", En: "By"},
	"w_at":            {Zh: "时间", En: "When"},
	"w_spec":          {Zh: "设置", En: "Specification"},
	"w_is_current":    {Zh: "当前", En: "current"},
	"w_noversions":    {Zh: "尚未保存任何版本，正在使用默认加权。", En: "No version is saved yet; the default weighting is in use."},
	"w_census":        {Zh: "人口普查数据", En: "Census counts"},
	"w_census_none":   {Zh: "尚未导入人口普查数据：无法校准。", En: "No census has been imported: calibration is not possible."},
	"w_census_sum":    {Zh: "%d 个单元，合计 %s 人。", En: "%d cells, %s people in all."},
	"w_census_file":   {Zh: "人口普查 CSV 文件（district,gender,age_band,count，UTF-8）", En: "Census CSV file (district,gender,age_band,count, UTF-8)"},
	"w_census_upload": {Zh: "导入（替换现有数据）", En: "Import (replaces the current counts)"},
	"w_census_show":   {Zh: "查看全部单元", En: "Show every cell"},
	"w_gender":        {Zh: "性别", En: "Gender"},
	"w_age":           {Zh: "年龄段", En: "Age band"},
	"w_count":         {Zh: "人数", En: "Count"},
}

func init() {
	for k, v := range weightingUI {
		staffUI[k] = v
	}
}
