package analysis

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"

	"manyi/stats"
	"manyi/survey"
	"manyi/survey/estimate"
)

// Band is a satisfaction band: indices at or above Min (and below the
// next band's Min) carry Label.
type Band struct {
	Min   float64     `json:"min"`
	Label survey.Text `json:"label"`
}

// DefaultBands are the national public-service monitoring's bands, with
// 基本满意 and 不满意 below them; highest first.
var DefaultBands = []Band{
	{80, survey.Text{Zh: "满意", En: "Satisfied"}},
	{70, survey.Text{Zh: "比较满意", En: "Fairly satisfied"}},
	{60, survey.Text{Zh: "基本满意", En: "Basically satisfied"}},
	{0, survey.Text{Zh: "不满意", En: "Dissatisfied"}},
}

// BandOf returns the label of the first band (highest first) whose Min
// the value reaches.
func BandOf(bands []Band, v float64) survey.Text {
	for _, b := range bands {
		if v >= b.Min {
			return b.Label
		}
	}
	return survey.Text{}
}

// Options are the settings of one computation besides the weighting.
type Options struct {
	// Method is the index method (zero value: equal).
	Method IndexMethod
	// Bands label the indices (nil: DefaultBands).
	Bands []Band
	// FlagBelow flags indices below it (0: 80).
	FlagBelow float64
	// MinN marks group estimates on fewer respondents as small (0: 30).
	MinN int
	// Level is the confidence level (0: 0.95).
	Level float64
	// GroupItems also breaks every item index down by group (with its
	// group-vs-rest test); otherwise only the overall index, the domains
	// and the overall item are.
	GroupItems bool
	// Prev is last year's measurement, for the change of every index; it
	// is computed with its own weighting and method. PrevResults, when set,
	// is last year's Results already computed (Compute of Prev), reused.
	Prev        *Previous
	PrevResults *Results
	// headline computes the figures only (for last year's side).
	headline bool
}

// Previous is last year's data with the weighting and method it used.
type Previous struct {
	Dataset *Dataset
	Spec    WeightingSpec
	Method  IndexMethod
}

// Results is everything the statistician's results page shows.
type Results struct {
	// N is the number of respondents analysed; NonProbability how many of
	// them answered through an open link (not drawn).
	N              int           `json:"n"`
	NonProbability int           `json:"non_probability"`
	Notes          []survey.Text `json:"notes,omitempty"`
	Level          float64       `json:"level"`

	Overall     Figure   `json:"overall"`
	OverallItem *Figure  `json:"overall_item,omitempty"`
	Domains     []Figure `json:"domains"`
	Items       []Figure `json:"items"`

	Groups     []GroupTable `json:"groups,omitempty"`
	Drivers    *Drivers     `json:"drivers,omitempty"`
	Indicators []Indicator  `json:"indicators,omitempty"`
	// DistrictChange holds the change of each district's overall index on
	// last year (nil without Prev).
	DistrictChange []DistrictChange `json:"district_change,omitempty"`

	Weighting Diagnostics   `json:"weighting"`
	Spec      WeightingSpec `json:"spec"`
	Method    MethodUsed    `json:"method"`

	// Undefined lists the figures that are not finite numbers, written as
	// null in the JSON form (see MarshalJSON); Compute leaves it empty.
	Undefined []Undefined `json:"undefined,omitempty"`

	// Plan is what the numbers were computed from; WriteAnalysisExport
	// writes it.
	Plan *Plan `json:"-"`
}

// Figure is one index with its interval: the overall index, a domain, an
// item or the overall item's mean score.
type Figure struct {
	// ID is the query id in queries.json ("overall", "domain_<id>",
	// "item_<id>", "overall_item").
	ID     string      `json:"id"`
	Kind   string      `json:"kind"`
	Domain string      `json:"domain,omitempty"`
	Item   string      `json:"item,omitempty"`
	Label  survey.Text `json:"label"`
	Estimate
	Band survey.Text `json:"band"`
	// Below flags an index below Options.FlagBelow (80).
	Below bool `json:"below"`
	// Change is the change on last year (nil without one).
	Change *Change `json:"change,omitempty"`
}

// Estimate is a point estimate with its standard error, interval and the
// number of respondents with a valid answer.
type Estimate struct {
	Value float64    `json:"value"`
	SE    float64    `json:"se"`
	CI    [2]float64 `json:"ci"`
	N     int        `json:"n"`
}

// Change is a difference between two independent samples (this year
// minus last year, or a group minus the rest of the city on one design).
type Change struct {
	Prev        float64    `json:"prev,omitempty"`
	Diff        float64    `json:"diff"`
	SE          float64    `json:"se"`
	CI          [2]float64 `json:"ci"`
	Significant bool       `json:"significant"`
}

// GroupTable breaks the figures down by one variable.
type GroupTable struct {
	Var     string      `json:"var"`
	Label   survey.Text `json:"label"`
	Figures []string    `json:"figures"` // figure ids, the columns
	Rows    []GroupRow  `json:"rows"`
}

// GroupRow is one group with a cell per figure.
type GroupRow struct {
	Code  string      `json:"code"`
	Label survey.Text `json:"label"`
	Cells []GroupCell `json:"cells"`
}

// GroupCell is one figure in one group, with the group's difference from
// the rest of the city (a contrast on the same design).
type GroupCell struct {
	Figure string `json:"figure"`
	// OK is false when the figure has no valid answer in some group (no
	// estimate is shown).
	OK bool `json:"ok"`
	Estimate
	Small bool `json:"small"`
	// VsRest is the group minus the rest of the city; nil when the group
	// is the whole sample.
	VsRest *Change `json:"vs_rest,omitempty"`
}

// DistrictChange is one district's overall index change on last year.
type DistrictChange struct {
	District string      `json:"district"`
	Label    survey.Text `json:"label"`
	Change
}

// Indicator is an awareness, participation or confidence item as weighted
// proportions with logit intervals.
type Indicator struct {
	Item       string       `json:"item"`
	Role       string       `json:"role"`
	Label      survey.Text  `json:"label"`
	Categories []Proportion `json:"categories"`
}

// Proportion is one category's weighted share (0–1).
type Proportion struct {
	Code  string      `json:"code"`
	Label survey.Text `json:"label"`
	Estimate
}

// Compute weights the dataset and computes every figure of the results
// page through package stats (see the package doc). Errors are
// *survey.Error (EINVALID) where the statistician can act: a bad spec or
// method, a calibration margin that cannot be met (naming the margin and
// the cell).
func Compute(ds *Dataset, spec WeightingSpec, opt Options) (*Results, error) {
	if opt.Method.Method == "" {
		opt.Method.Method = MethodEqual
	}
	if opt.Bands == nil {
		opt.Bands = DefaultBands
	}
	if opt.FlagBelow == 0 {
		opt.FlagBelow = 80
	}
	if opt.MinN == 0 {
		opt.MinN = 30
	}
	if opt.Level == 0 {
		opt.Level = 0.95
	}
	if ds == nil || ds.Q == nil {
		return nil, survey.Errorf(survey.EINVALID, "没有问卷，无法分析", "no questionnaire to analyse")
	}
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	if err := opt.Method.Validate(ds.Q); err != nil {
		return nil, err
	}
	rs := ds.used()
	if len(rs) == 0 {
		return nil, survey.Errorf(survey.EINVALID, "没有可分析的完成答卷", "there are no completed responses to analyse")
	}
	w, w0, trimmed, rounds, err := inputWeights(ds, rs, spec)
	if err != nil {
		return nil, err
	}
	cal, err := calibration(ds, rs, spec)
	if err != nil {
		var me *MarginError
		if errors.As(err, &me) {
			return nil, me.SurveyError()
		}
		return nil, err
	}
	b, err := newBuilder(ds, rs, w, w0)
	if err != nil {
		return nil, err
	}
	design := b.describeDesign(cal, spec)
	des, err := estimate.BuildDesign(b.t, design)
	if err != nil {
		var ce *stats.CalibrationError
		if errors.As(err, &ce) {
			return nil, calibrationError(ce)
		}
		return nil, survey.Errorf(survey.EINVALID, "加权失败：%v", "weighting failed: %v", err)
	}
	res := &Results{N: len(rs), Level: opt.Level, Spec: spec}
	for _, r := range rs {
		if r.NonProbability {
			res.NonProbability++
		}
	}
	if res.NonProbability > 0 {
		res.Notes = append(res.Notes, survey.Text{
			Zh: fmt.Sprintf("有 %d 份答卷来自公开链接（非概率样本），其设计权数不是抽样概率的倒数，区间估计对这部分答卷不成立。", res.NonProbability),
			En: fmt.Sprintf("%d responses came through an open link (a non-probability sample): their design weights are not inverse selection probabilities, and the intervals do not hold for them.", res.NonProbability)})
	}
	res.Weighting = diagnose(des.Weights(), w, b.t, cal)
	res.Weighting.Iterations = des.CalibrationIterations()
	res.Weighting.Trimmed, res.Weighting.TrimRounds = trimmed, rounds

	// The driver regressions: the regression method needs them first, for
	// the overall index's weights; otherwise they run beside stage 2.
	var queries []estimate.Query
	var drv map[string]estimate.Result
	dq := b.driverQueries()
	needDrivers := (!opt.headline || opt.Method.Method == MethodRegression) && dq != nil
	driverFailed := func(err error) {
		res.Notes = append(res.Notes, survey.Text{Zh: "影响因素回归无法计算：" + err.Error(), En: "the driver regression could not be fitted: " + err.Error()})
	}
	if opt.Method.Method == MethodRegression {
		if dq == nil {
			return nil, survey.Errorf(survey.EINVALID, "回归法需要问卷中有总体满意度题（role overall）", "the regression method needs the overall satisfaction item (role overall)")
		}
		out, err := estimate.RunOn(des, b.t, dq)
		if err != nil {
			return nil, survey.Errorf(survey.EINVALID, "回归法无法计算领域权重：%v", "the regression method cannot weigh the domains: %v", err)
		}
		drv = byID(out)
	}
	var imp []Importance
	if drv != nil {
		imp = b.domainImportance(drv)
	}
	dw, used, err := b.weights(opt.Method, imp)
	if err != nil {
		return nil, err
	}
	res.Method = used

	// Stage 2: the figures, the groups and the indicators.
	figs := b.figures(dw)
	var batches [][]estimate.Query
	batches = append(batches, figureQueries(figs, opt.Level))
	if !opt.headline {
		batches[0] = append(batches[0], b.indicatorQueries(opt.Level)...)
		gfigs := figs
		if !opt.GroupItems {
			gfigs = nil
			for _, f := range figs {
				if f.kind != KindItem {
					gfigs = append(gfigs, f)
				}
			}
		}
		for _, g := range groupVars {
			qs, err := b.groupQueries(g.Var, g.Col, gfigs, opt.Level)
			if err != nil {
				return nil, err
			}
			batches = append(batches, split(qs, 2)...)
		}
	} else {
		// Last year's side also gives its district overall indices.
		qs := []estimate.Query{{ID: "by_district_overall", Kind: "index", Items: figs[0].items, By: []string{colDistrict}, Level: levelField(opt.Level)}}
		batches = append(batches, qs)
	}
	// The table is complete now (groupQueries added the in/out columns),
	// so the drivers may read it beside stage 2.
	type driverRun struct {
		out *estimate.Results
		err error
	}
	var drvCh chan driverRun
	if needDrivers && drv == nil {
		drvCh = make(chan driverRun, 1)
		go func() {
			out, err := estimate.RunOn(des, b.t, dq)
			drvCh <- driverRun{out, err}
		}()
	}
	got, err := runBatches(des, b.t, batches)
	if drvCh != nil {
		d := <-drvCh
		if d.err != nil {
			driverFailed(d.err)
		} else {
			drv = byID(d.out)
			imp = b.domainImportance(drv)
		}
	}
	if err != nil {
		return nil, survey.Errorf(survey.EINVALID, "估计失败：%v", "estimation failed: %v", err)
	}
	if drv != nil {
		queries = append(queries, dq...)
	}
	for _, bq := range batches {
		queries = append(queries, bq...)
	}
	for k, v := range drv {
		got[k] = v
	}
	res.Plan = &Plan{Table: b.t, Design: design, Queries: queries, Final: des.Weights()}

	b.fill(res, figs, got, opt)
	if !opt.headline {
		b.fillGroups(res, figs, got, opt)
		b.fillIndicators(res, got, opt)
		if drv != nil {
			res.Drivers = b.drivers(imp, drv, res)
		}
	}
	if opt.Prev != nil || opt.PrevResults != nil {
		if err := yearOnYear(res, opt); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// calibrationError words a calibration failure of package stats for the
// statistician in Chinese and English, naming the margin and the cell.
func calibrationError(ce *stats.CalibrationError) *survey.Error {
	if ce.NotConverged {
		return &survey.Error{Code: survey.EINVALID, Message: survey.Text{
			Zh: fmt.Sprintf("校准未收敛：迭代 %d 次后，校准边际 %s 的单元 %s 加权合计为 %.6g，目标为 %.6g。请放宽收敛容差（epsilon）、增加最大迭代次数（maxit）、放宽权数比界限或合并样本过少的单元。",
				ce.Iterations, ce.Margin, ce.Category, ce.Total, ce.Target),
			En: fmt.Sprintf("calibration did not converge: after %d iterations, cell %s of margin %s has a weighted total of %.6g against a target of %.6g; loosen the tolerance (epsilon), raise the iteration limit (maxit), widen the bounds or merge cells with few respondents",
				ce.Iterations, ce.Category, ce.Margin, ce.Total, ce.Target)}}
	}
	where := ce.Margin
	if ce.Category != "" {
		return &survey.Error{Code: survey.EINVALID, Message: survey.Text{
			Zh: fmt.Sprintf("校准失败：校准边际 %s 的单元 %s 无法满足（%s）", where, ce.Category, ce.Reason),
			En: fmt.Sprintf("calibration failed: cell %s of margin %s cannot be met (%s)", ce.Category, where, ce.Reason)}}
	}
	return &survey.Error{Code: survey.EINVALID, Message: survey.Text{
		Zh: fmt.Sprintf("校准失败：校准边际 %s 无法满足（%s）", where, ce.Reason),
		En: fmt.Sprintf("calibration failed: margin %s cannot be met (%s)", where, ce.Reason)}}
}

// split cuts a query list into about k parts, keeping each contrast with
// the query it refers to (they follow each other).
func split(qs []estimate.Query, k int) [][]estimate.Query {
	if len(qs) == 0 {
		return nil
	}
	size := (len(qs) + k - 1) / k
	var out [][]estimate.Query
	start := 0
	for start < len(qs) {
		end := min(start+size, len(qs))
		for end < len(qs) && qs[end].Kind == "contrast" {
			end++
		}
		out = append(out, qs[start:end])
		start = end
	}
	return out
}

// runBatches runs independent query lists on one design concurrently (a
// stats.Design is immutable) and returns the results by query id.
func runBatches(des *stats.Design, t *estimate.Table, batches [][]estimate.Query) (map[string]estimate.Result, error) {
	outs := make([]*estimate.Results, len(batches))
	errs := make([]error, len(batches))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 2)
	for i, qs := range batches {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			outs[i], errs[i] = estimate.RunOn(des, t, qs)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	got := map[string]estimate.Result{}
	for _, o := range outs {
		for _, r := range o.Items {
			got[r.ID] = r
		}
	}
	return got, nil
}

func byID(r *estimate.Results) map[string]estimate.Result {
	out := make(map[string]estimate.Result, len(r.Items))
	for _, x := range r.Items {
		out[x.ID] = x
	}
	return out
}

// weights returns the normalised domain weights of the method.
func (b *builder) weights(m IndexMethod, imp []Importance) (map[string]float64, MethodUsed, error) {
	used := MethodUsed{Method: m.Method}
	var dw map[string]float64
	if m.Method == MethodRegression {
		dw = map[string]float64{}
		var neg []string
		for _, x := range imp {
			dw[x.ID] = x.Share
			if x.Negative {
				neg = append(neg, x.ID)
			}
		}
		if len(dw) == 0 {
			return nil, used, survey.Errorf(survey.EINVALID, "回归法：没有正的标准化系数，无法确定领域权重", "regression method: no standardized coefficient is positive, so the domains cannot be weighed")
		}
		if len(neg) > 0 {
			used.Notes = append(used.Notes, survey.Text{
				Zh: "以下领域的标准化回归系数为负，权重按 0 计：" + strings.Join(neg, "、"),
				En: "these domains have negative standardized coefficients and get weight 0: " + strings.Join(neg, ", ")})
		}
	} else {
		dw = m.domainWeights(b.q, b.domains)
	}
	for _, d := range b.domains {
		used.Weights = append(used.Weights, DomainWeight{Domain: d, Name: b.q.Domain(d).Name, Weight: dw[d]})
	}
	return dw, used, nil
}

// estimateOf reads a single result.
func estimateOf(r estimate.Result) Estimate {
	return Estimate{Value: r.Estimate, SE: r.SE, CI: r.CI, N: r.N}
}

// fill sets the headline figures.
func (b *builder) fill(res *Results, figs []figure, got map[string]estimate.Result, opt Options) {
	for _, f := range figs {
		r, ok := got[f.id]
		if !ok {
			continue
		}
		fig := Figure{ID: f.id, Kind: f.kind, Domain: f.domain, Item: f.item, Label: f.label, Estimate: estimateOf(r)}
		fig.Band = BandOf(opt.Bands, fig.Value)
		fig.Below = fig.Value < opt.FlagBelow
		switch f.kind {
		case KindOverall:
			res.Overall = fig
		case KindDomain:
			res.Domains = append(res.Domains, fig)
		case KindItem:
			res.Items = append(res.Items, fig)
		case KindOverallItem:
			res.OverallItem = &fig
		}
	}
	if r, ok := got["by_district_overall"]; ok && opt.headline {
		res.DistrictChange = nil
		for _, row := range r.By {
			res.DistrictChange = append(res.DistrictChange, DistrictChange{District: row.Key[0].Value, Change: Change{Prev: row.Estimate, SE: row.SE}})
		}
	}
}

// significant reports whether a difference is significant at 5%
// (two-sided, normal quantile), whatever the level of the intervals shown.
func significant(diff, se float64) bool {
	return math.Abs(diff) > stats.Quantile(0.95, math.Inf(1))*se
}

// fillGroups builds the group tables.
func (b *builder) fillGroups(res *Results, figs []figure, got map[string]estimate.Result, opt Options) {
	for _, g := range groupVars {
		codes := b.groups[g.Var]
		if len(codes) == 0 {
			continue
		}
		tab := GroupTable{Var: g.Var, Label: g.Label}
		var cols []figure
		for _, f := range figs {
			if f.kind != KindItem || opt.GroupItems {
				cols = append(cols, f)
				tab.Figures = append(tab.Figures, f.id)
			}
		}
		for _, c := range codes {
			row := GroupRow{Code: c.code, Label: c.label}
			for _, f := range cols {
				cell := GroupCell{Figure: f.id}
				r, ok := got["in_"+g.Var+"_"+c.code+"_"+f.id]
				key := "in"
				if !ok {
					// A group that is the whole sample has no in/out query.
					r, ok = got[f.id]
					key = ""
				}
				if ok {
					for _, x := range r.By {
						if x.Key[0].Value == key {
							r.Estimate, r.SE, r.CI, r.N = x.Estimate, x.SE, x.CI, x.N
						}
					}
					cell.OK = key == "" || len(r.By) > 0
					cell.Estimate = Estimate{Value: r.Estimate, SE: r.SE, CI: r.CI, N: r.N}
					cell.Small = r.N < opt.MinN
				}
				if d, ok := got["diff_"+g.Var+"_"+c.code+"_"+f.id]; ok {
					cell.VsRest = &Change{Diff: d.Estimate, SE: d.SE, CI: d.CI, Significant: significant(d.Estimate, d.SE)}
				}
				row.Cells = append(row.Cells, cell)
			}
			tab.Rows = append(tab.Rows, row)
		}
		res.Groups = append(res.Groups, tab)
	}
	for i := range res.DistrictChange {
		for _, d := range b.ds.Districts {
			if d.Code == res.DistrictChange[i].District {
				res.DistrictChange[i].Label = d.Name
			}
		}
	}
}

// fillIndicators builds the awareness, participation and confidence
// proportions.
func (b *builder) fillIndicators(res *Results, got map[string]estimate.Result, opt Options) {
	for _, role := range []string{survey.RoleAwareness, survey.RoleParticipation, survey.RoleConfidence} {
		for _, it := range b.q.ItemsByRole(role) {
			ind := Indicator{Item: it.ID, Role: role, Label: it.Text}
			if it.Type == survey.TypeScale {
				if r, ok := got["prop_"+it.ID+"_high"]; ok {
					lo := it.Scale.Min + int(math.Ceil(0.7*float64(it.Scale.Max-it.Scale.Min)-1e-9))
					ind.Categories = append(ind.Categories, Proportion{Code: "high",
						Label:    survey.Text{Zh: fmt.Sprintf("有信心（%d–%d 分）", lo, it.Scale.Max), En: fmt.Sprintf("confident (%d–%d)", lo, it.Scale.Max)},
						Estimate: estimateOf(r)})
				}
			}
			for _, ch := range it.Choices {
				if r, ok := got["prop_"+it.ID+"_"+ch.Code]; ok {
					ind.Categories = append(ind.Categories, Proportion{Code: ch.Code, Label: ch.Label, Estimate: estimateOf(r)})
				}
			}
			if len(ind.Categories) > 0 {
				res.Indicators = append(res.Indicators, ind)
			}
		}
	}
}

// yearOnYear computes last year's figures with its own weighting and
// method, and every index's change as the difference of two independent
// samples (stats.IndependentDifference).
func yearOnYear(res *Results, opt Options) error {
	prev := opt.PrevResults
	if prev == nil {
		p := opt.Prev
		var err error
		prev, err = Compute(p.Dataset, p.Spec, Options{Method: p.Method, Bands: opt.Bands, Level: opt.Level, headline: true})
		if err != nil {
			var se *survey.Error
			if errors.As(err, &se) {
				return &survey.Error{Code: se.Code, Message: survey.Text{Zh: "上一年度：" + se.Message.Zh, En: "last year: " + se.Message.En}}
			}
			return fmt.Errorf("last year: %w", err)
		}
	}
	prevDistrict := map[string]Estimate{}
	for _, pd := range prev.DistrictChange {
		prevDistrict[pd.District] = Estimate{Value: pd.Prev, SE: pd.SE}
	}
	for _, tab := range prev.Groups {
		if tab.Var != "district" {
			continue
		}
		for _, row := range tab.Rows {
			for _, cell := range row.Cells {
				if cell.Figure == "overall" && cell.OK {
					prevDistrict[row.Code] = cell.Estimate
				}
			}
		}
	}
	old := map[string]Estimate{prev.Overall.ID: prev.Overall.Estimate}
	for _, f := range append(prev.Domains, prev.Items...) {
		old[f.ID] = f.Estimate
	}
	if prev.OverallItem != nil {
		old[prev.OverallItem.ID] = prev.OverallItem.Estimate
	}
	change := func(now, was Estimate) *Change {
		d := stats.IndependentDifference(
			stats.Estimate{Value: now.Value, SE: now.SE, Var: now.SE * now.SE},
			stats.Estimate{Value: was.Value, SE: was.SE, Var: was.SE * was.SE})
		lo, hi := d.Wald(opt.Level, math.Inf(1))
		return &Change{Prev: was.Value, Diff: d.Value, SE: d.SE, CI: [2]float64{lo, hi}, Significant: significant(d.Value, d.SE)}
	}
	set := func(f *Figure) {
		if was, ok := old[f.ID]; ok {
			f.Change = change(f.Estimate, was)
		}
	}
	set(&res.Overall)
	for i := range res.Domains {
		set(&res.Domains[i])
	}
	for i := range res.Items {
		set(&res.Items[i])
	}
	if res.OverallItem != nil {
		set(res.OverallItem)
	}
	// Districts: this year's overall by district against last year's.
	for _, tab := range res.Groups {
		if tab.Var != "district" {
			continue
		}
		for _, row := range tab.Rows {
			for _, cell := range row.Cells {
				if cell.Figure != "overall" || !cell.OK {
					continue
				}
				if was, ok := prevDistrict[row.Code]; ok {
					c := change(cell.Estimate, was)
					res.DistrictChange = append(res.DistrictChange, DistrictChange{District: row.Code, Label: row.Label, Change: *c})
				}
			}
		}
	}
	return nil
}
