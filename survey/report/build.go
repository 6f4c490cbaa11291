package report

import (
	"fmt"
	"math"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"manyi/stats"
	"manyi/survey"
	"manyi/survey/analysis"
	"manyi/survey/quality"
	"manyi/survey/sampling"
)

// BuildInput is everything Build fills a Model from. Results, Dataset and
// Measurement are required; the rest is optional and leaves its part of the
// report out (or uses a default text) when missing.
type BuildInput struct {
	// Measurement names the city, the title, the year and the office.
	Measurement *survey.Measurement
	// Results are this year's approved figures. When there is a previous
	// year they must have been computed with it (analysis.Options.Prev or
	// PrevResults), so that every figure carries its change.
	Results *analysis.Results
	// Dataset is the data Results was computed from: the sample profile,
	// the modes, the suggestions and Cronbach's α are counted from it (no
	// estimate is).
	Dataset *analysis.Dataset
	// Prev is last year's measurement; nil when there is none.
	Prev *PrevYear
	// History holds the overall index of earlier years (before Prev), oldest
	// first, for the trend chart.
	History []TrendPoint

	// Allocation is the planned sample by district (strata named by district
	// code); nil: targets are left blank and the population comes from the
	// census.
	Allocation *sampling.Allocation
	// Dispositions are the released cases' dispositions by district code,
	// for the AAPOR response rates; the key "" holds cases of unknown
	// district, counted in the city's rate only. nil: no response rates.
	Dispositions map[string]sampling.DispositionCounts
	// Collected is the number of completed interviews before review; 0
	// means the valid sample plus the exclusions.
	Collected int
	// Exclusions are the quality-review rules and how many interviews each
	// removed; nil with excluded respondents in Dataset gives one row
	// counting them.
	Exclusions []Exclusion

	// Contractor ran the fieldwork (optional).
	Contractor survey.Text
	// ReportDate is printed on the cover and dates the PDF; it is never the
	// clock, so that a report can be reproduced.
	ReportDate time.Time
	// FieldStart and FieldEnd are the fieldwork dates.
	FieldStart, FieldEnd time.Time
	// Lang is the language of the generated conclusions ("zh" or "en").
	Lang string
	// Conclusions are the office's edited conclusions; nil: generated.
	Conclusions []string
	// Quotes is the number of suggestion quotes (0: 3; negative: none).
	Quotes int
}

// PrevYear is last year's measurement as the report uses it: its overall
// index for the trend, its indicator shares and its suggestion counts.
type PrevYear struct {
	Measurement *survey.Measurement
	// Results are last year's full results (analysis.Compute of its own
	// data, spec and method).
	Results *analysis.Results
	// Dataset is last year's data, for its suggestion counts; nil: unknown.
	Dataset *analysis.Dataset
}

// Build fills a Model from the approved results and the measurement's data.
// Every index, interval, share and significance flag in the Model is the
// number Results holds (never estimated again); counts (sample profile,
// modes, suggestions), response rates (package sampling) and Cronbach's α
// (stats.CronbachAlpha, unweighted, complete cases) are derived from the
// inputs. Two derivations are worth knowing:
//
//   - a district's difference from the city is the printed district index
//     minus the printed city index, and its significance is that of the
//     design-based contrast of the district with the rest of the city in
//     Results; the two tests agree because, with the weights calibrated to
//     the district totals, district − city = (1 − s) · (district − rest)
//     with s the district's population share, so the interval of the
//     difference is (1 − s) times the contrast's interval;
//   - a domain's share-of-influence standard error is the share times the
//     relative standard error of its regression coefficient (first order,
//     the normalising sum held fixed).
func Build(in BuildInput) (*Model, error) {
	if in.Measurement == nil || in.Results == nil || in.Dataset == nil || in.Dataset.Q == nil {
		return nil, fmt.Errorf("report: Build needs the measurement, its results and its dataset")
	}
	res, ds, q := in.Results, in.Dataset, in.Dataset.Q
	lang := survey.NormLang(in.Lang)
	meas := in.Measurement
	m := &Model{
		Meta: Meta{
			City: meas.City, Title: meas.Title, Year: meas.Year, Office: meas.Office, Contractor: in.Contractor,
			ReportDate: in.ReportDate, FieldStart: in.FieldStart, FieldEnd: in.FieldEnd, Lang: lang,
		},
		Conclusions: in.Conclusions,
	}
	used := usedRespondents(ds)

	// 2 Method and 3 sample profile.
	m.Method = buildMethod(in, used)
	m.Sample = buildSample(in, res, used)

	// 4 Overall.
	m.Overall = Overall{Index: estimateOf(res.Overall.Estimate), Change: changeOf(res.Overall.Change), Method: res.Method.Method}
	for _, w := range res.Method.Weights {
		m.Overall.Weights = append(m.Overall.Weights, DomainWeight{Domain: w.Domain, Weight: w.Weight})
	}
	if res.OverallItem != nil {
		e := estimateOf(res.OverallItem.Estimate)
		m.Overall.Item = &e
	}

	// 5 Domains and items, with α from the data.
	for _, f := range res.Domains {
		d := DomainResult{ID: f.Domain, Name: f.Label, Index: estimateOf(f.Estimate), Change: changeOf(f.Change), Alpha: domainAlpha(q, f.Domain, used)}
		if dom := q.Domain(f.Domain); dom != nil {
			d.Name = dom.Name
		}
		for _, it := range res.Items {
			if it.Domain == f.Domain {
				d.Items = append(d.Items, ItemResult{ID: it.Item, Name: itemName(q, it), Index: estimateOf(it.Estimate), Change: changeOf(it.Change)})
			}
		}
		m.Domains = append(m.Domains, d)
	}

	// 6 Districts and 7 groups.
	m.Districts = buildDistricts(res, ds, m.Domains)
	for _, g := range []string{"gender", "age_band", "education"} {
		tab := groupTable(res, g)
		if tab == nil {
			continue
		}
		gt := GroupTable{Dimension: tab.Label}
		for _, row := range tab.Rows {
			c, ok := cellOf(*tab, row, analysis.KindOverall)
			if !ok || !c.OK {
				continue
			}
			gr := GroupRow{Label: row.Label, Index: estimateOf(c.Estimate)}
			if c.VsRest != nil {
				gr.Diff, gr.Significant = c.VsRest.Diff, c.VsRest.Significant
			}
			gt.Rows = append(gt.Rows, gr)
		}
		if len(gt.Rows) > 0 {
			m.Groups = append(m.Groups, gt)
		}
	}

	// 8 Drivers.
	if res.Drivers != nil {
		for _, x := range res.Drivers.Domains {
			se := math.NaN()
			if x.Coef != 0 && !x.Negative {
				se = x.Share * x.SE / math.Abs(x.Coef)
			}
			name := x.Label
			if dom := q.Domain(x.ID); dom != nil {
				name = dom.Name
			}
			m.Drivers = append(m.Drivers, Driver{Domain: x.ID, Name: name, Importance: x.Share, ImportanceSE: se, Performance: x.Score})
		}
	}

	// 9 Indicators.
	var prevRes *analysis.Results
	if in.Prev != nil {
		prevRes = in.Prev.Results
	}
	for _, ind := range res.Indicators {
		mi := Indicator{Kind: ind.Role, Question: ind.Label}
		for _, c := range ind.Categories {
			mi.N = max(mi.N, c.N)
			mi.Options = append(mi.Options, Proportion{Label: c.Label, P: c.Value, Lo: c.CI[0], Hi: c.CI[1], Prev: prevShare(prevRes, ind.Item, c.Code)})
		}
		m.Indicators = append(m.Indicators, mi)
	}

	// 10 Suggestions.
	m.Suggestions = buildSuggestions(in, used)

	// 12 Appendix.
	m.Appendix.Questionnaire = QuestionnaireAppendix(q)
	m.Appendix.Weighting = weightingText(res)
	// The engine's caveats (open-link answers, domains given weight 0)
	// belong beside the method they qualify.
	m.Appendix.Weighting = append(m.Appendix.Weighting, res.Notes...)
	m.Appendix.Weighting = append(m.Appendix.Weighting, res.Method.Notes...)

	// Trend: earlier years, last year, this year.
	m.Trend = append(m.Trend, in.History...)
	if in.Prev != nil && in.Prev.Results != nil && in.Prev.Measurement != nil {
		m.Trend = append(m.Trend, TrendPoint{Year: in.Prev.Measurement.Year, Index: estimateOf(in.Prev.Results.Overall.Estimate)})
	}
	m.Trend = append(m.Trend, TrendPoint{Year: meas.Year, Index: m.Overall.Index})
	return m, nil
}

// usedRespondents returns the respondents the results rest on.
func usedRespondents(ds *analysis.Dataset) []analysis.Respondent {
	var out []analysis.Respondent
	for _, r := range ds.Respondents {
		if !r.Excluded {
			out = append(out, r)
		}
	}
	return out
}

// estimateOf copies an analysis estimate.
func estimateOf(e analysis.Estimate) Estimate {
	return Estimate{Value: e.Value, SE: e.SE, Lo: e.CI[0], Hi: e.CI[1], N: e.N}
}

// changeOf copies a change on last year; nil stays nil.
func changeOf(c *analysis.Change) *Change {
	if c == nil {
		return nil
	}
	return &Change{Prev: c.Prev, Diff: c.Diff, Lo: c.CI[0], Hi: c.CI[1], Significant: c.Significant}
}

// itemName is the item's name for the tables: the short form of its
// wording (ShortItemName).
func itemName(q *survey.Questionnaire, f analysis.Figure) survey.Text {
	t := f.Label
	if t.Zh == "" {
		if it, _ := q.Item(f.Item); it != nil {
			t = it.Text
		}
	}
	if t.Zh == "" {
		return survey.Text{Zh: f.Item, En: f.Item}
	}
	return ShortItemName(t)
}

var (
	parenZh = regexp.MustCompile(`（[^（）]*）`)
	parenEn = regexp.MustCompile(`\s*\([^()]*\)`)
)

// ShortItemName shortens a satisfaction question to the name of what it
// asks about, as report tables name items: "您对本市食品（如粮油…）的质量
// 满意吗？" becomes "食品", "How satisfied are you with the quality of food
// in the city (…)?" becomes "Food". Wording that does not follow the
// template's pattern is kept as it is, only without examples in brackets.
func ShortItemName(t survey.Text) survey.Text {
	zh := parenZh.ReplaceAllString(t.Zh, "")
	for _, p := range []string{"您对本市的", "您对本市", "您对"} {
		if s, ok := strings.CutPrefix(zh, p); ok {
			zh = s
			break
		}
	}
	for _, suf := range []string{"满意吗？", "满意吗?", "满意吗"} {
		if s, ok := strings.CutSuffix(zh, suf); ok {
			zh = s
			break
		}
	}
	for _, r := range []struct{ suf, with string }{{"的建设质量", ""}, {"的安全状况", "安全"}, {"的质量", ""}} {
		if s, ok := strings.CutSuffix(zh, r.suf); ok && s != "" {
			zh = s + r.with
			break
		}
	}
	en := strings.TrimSpace(parenEn.ReplaceAllString(t.En, ""))
	if s, ok := strings.CutPrefix(en, "How satisfied are you with "); ok {
		en = strings.TrimSuffix(s, "?")
		en = strings.Replace(en, " in the city", "", 1)
		en = strings.TrimPrefix(en, "the quality of ")
		en = strings.TrimPrefix(en, "the ")
		if en != "" {
			en = strings.ToUpper(en[:1]) + en[1:]
		}
	}
	if zh == "" {
		zh = t.Zh
	}
	if en == "" {
		en = t.En
	}
	return survey.Text{Zh: zh, En: en}
}

// groupTable returns the Results' table for a group variable, or nil.
func groupTable(res *analysis.Results, v string) *analysis.GroupTable {
	for i := range res.Groups {
		if res.Groups[i].Var == v {
			return &res.Groups[i]
		}
	}
	return nil
}

// cellOf returns a row's cell of the figure with the id.
func cellOf(tab analysis.GroupTable, row analysis.GroupRow, figure string) (analysis.GroupCell, bool) {
	for k, id := range tab.Figures {
		if id == figure && k < len(row.Cells) {
			return row.Cells[k], true
		}
	}
	for _, c := range row.Cells {
		if c.Figure == figure {
			return c, true
		}
	}
	return analysis.GroupCell{}, false
}

// buildDistricts reads the district table of the results.
func buildDistricts(res *analysis.Results, ds *analysis.Dataset, domains []DomainResult) []DistrictResult {
	tab := groupTable(res, "district")
	if tab == nil {
		return nil
	}
	popTotal := 0.0
	for _, v := range ds.StratumPop {
		popTotal += v
	}
	domFig := map[string]string{}
	for _, f := range res.Domains {
		domFig[f.Domain] = f.ID
	}
	change := map[string]*Change{}
	for _, c := range res.DistrictChange {
		change[c.District] = changeOf(&c.Change)
	}
	var out []DistrictResult
	for _, row := range tab.Rows {
		c, ok := cellOf(*tab, row, analysis.KindOverall)
		if !ok || !c.OK {
			continue
		}
		d := DistrictResult{ID: row.Code, Name: row.Label, Index: estimateOf(c.Estimate), Change: change[row.Code]}
		for _, dd := range ds.Districts {
			if dd.Code == row.Code && dd.Name.Zh != "" {
				d.Name = dd.Name
			}
		}
		d.Diff = d.Index.Value - res.Overall.Value
		if c.VsRest != nil {
			d.Significant = c.VsRest.Significant
			k := 1.0
			if popTotal > 0 && ds.StratumPop[row.Code] > 0 {
				k = 1 - ds.StratumPop[row.Code]/popTotal
			}
			d.DiffLo, d.DiffHi = k*c.VsRest.CI[0], k*c.VsRest.CI[1]
		} else {
			d.DiffLo, d.DiffHi = d.Diff, d.Diff
		}
		for _, dom := range domains {
			v := math.NaN()
			if dc, ok := cellOf(*tab, row, domFig[dom.ID]); ok && dc.OK {
				v = dc.Value
			}
			d.Domains = append(d.Domains, v)
		}
		out = append(out, d)
	}
	return out
}

// prevShare returns last year's share of an indicator's category, NaN
// when unknown.
func prevShare(prev *analysis.Results, item, code string) float64 {
	if prev == nil {
		return math.NaN()
	}
	for _, ind := range prev.Indicators {
		if ind.Item != item {
			continue
		}
		for _, c := range ind.Categories {
			if c.Code == code {
				return c.Value
			}
		}
	}
	return math.NaN()
}

// domainAlpha is Cronbach's α of a domain's scale items over the
// respondents who rated all of them.
func domainAlpha(q *survey.Questionnaire, domain string, rs []analysis.Respondent) float64 {
	its := q.DomainItems(domain)
	if len(its) < 2 {
		return math.NaN()
	}
	items := make([][]float64, len(its))
	for j, it := range its {
		items[j] = make([]float64, len(rs))
		for i, r := range rs {
			items[j][i] = math.NaN()
			if vs := r.Answers[it.ID]; len(vs) > 0 {
				if s, ok := it.Score(vs[0]); ok {
					items[j][i] = s
				}
			}
		}
	}
	return stats.CronbachAlpha(items)
}

// modeNames name the interview modes.
var modeNames = map[string]survey.Text{
	survey.ModeWeb:   {Zh: "网络（短信链接）", En: "Online (SMS link)"},
	survey.ModePhone: {Zh: "电话访问", En: "Telephone"},
	survey.ModeFace:  {Zh: "入户面访", En: "Face to face"},
}

// modeOrder is the print order of the modes.
var modeOrder = []string{survey.ModeWeb, survey.ModePhone, survey.ModeFace}

// buildMethod fills section 2.
func buildMethod(in BuildInput, used []analysis.Respondent) Method {
	ds := in.Dataset
	me := Method{
		Population: survey.Text{Zh: "在本市居住半年以上、年龄在 18–70 岁之间的常住居民。", En: "Residents aged 18 to 70 who have lived in the city for at least six months."},
		Frame: survey.Text{Zh: "以各区县为层，层内从抽样框中随机抽取受访者，通过短信链接（网络）、电话访问和入户面访三种方式调查。",
			En: "Districts are the strata; within each, respondents were drawn at random from the frame and interviewed online by SMS link, by phone or face to face."},
	}
	achieved := map[string]int{}
	modes := map[string]int{}
	for _, r := range used {
		achieved[r.District]++
		modes[r.Mode]++
	}
	// Without a sample plan there is no planned size: 0 prints none.
	if a := in.Allocation; a != nil {
		me.SampleSize = a.Total
		me.Allocation = allocationText(a)
	}
	for _, d := range ds.Districts {
		row := AllocationRow{District: d.Name, Population: int(math.Round(ds.StratumPop[d.Code])), Achieved: achieved[d.Code]}
		if in.Allocation != nil {
			if s := in.Allocation.Get(d.Code); s != nil {
				row.Target = s.SampleN
				if row.Population == 0 {
					row.Population = s.FrameN
				}
			}
		}
		me.Districts = append(me.Districts, row)
	}
	for _, code := range modeOrder {
		if n := modes[code]; n > 0 {
			me.Modes = append(me.Modes, ModeShare{Mode: modeNames[code], N: n, Share: float64(n) / float64(len(used))})
		}
	}
	me.Exclusions = in.Exclusions
	if me.Exclusions == nil {
		if n := len(ds.Respondents) - len(used); n > 0 {
			me.Exclusions = []Exclusion{{Rule: survey.Text{Zh: "质量审核剔除（答题过快、直线作答、重复作答等）", En: "Set aside in quality review (speeding, straight-lining, duplicates)"}, N: n}}
		}
	}
	me.Collected = in.Collected
	if me.Collected == 0 {
		me.Collected = len(used)
		for _, e := range me.Exclusions {
			me.Collected += e.N
		}
	}
	me.QualityControl = []survey.Text{{
		Zh: "调查实行一人一链接、一人一答，系统自动记录答题时长、调查方式和访员；统计人员对答题过快（少于中位时长的三分之一）、多个领域直线作答和重复作答的问卷逐一审核，剔除不合格问卷后进行加权分析。",
		En: "Each invitation admits one answer; the system records the duration, the mode and the interviewer. The statisticians reviewed every response flagged for speeding (under a third of the median time), straight-lining in several domains or duplication, and set aside those that failed before weighting.",
	}}
	return me
}

// allocationText describes the allocation rule.
func allocationText(a *sampling.Allocation) survey.Text {
	var t survey.Text
	switch a.Method {
	case sampling.Equal:
		t = survey.Text{Zh: "各区县等额分配样本，以保证区县之间可以比较", En: "An equal sample in every district, so that districts can be compared"}
	case sampling.Neyman:
		t = survey.Text{Zh: "按奈曼最优分配（各区县人口与满意度标准差之积）分配样本", En: "Neyman allocation (population times the standard deviation of satisfaction)"}
	case sampling.Fixed:
		t = survey.Text{Zh: "按指定的各区县样本量分配", En: "Fixed sample sizes per district"}
	default:
		t = survey.Text{Zh: "按各区县常住人口比例分配样本", En: "Proportional to resident population"}
	}
	if a.Floor > 0 {
		t.Zh += fmt.Sprintf("，每个区县不少于 %d 份", a.Floor)
		t.En += fmt.Sprintf(", with a floor of %d per district", a.Floor)
	}
	t.Zh += "。"
	t.En += "."
	return t
}

// buildSample fills section 3: the valid sample by district, gender, age
// band, education and mode against the targets and the census shares, and
// the response rates.
func buildSample(in BuildInput, res *analysis.Results, used []analysis.Respondent) SampleProfile {
	ds := in.Dataset
	q := ds.Q
	var sp SampleProfile
	genderID := roleID(q, survey.RoleGender)
	eduID := roleID(q, survey.RoleEducation)
	value := map[string]func(r analysis.Respondent) string{
		"district":  func(r analysis.Respondent) string { return r.District },
		"gender":    func(r analysis.Respondent) string { return firstOf(r.Answers[genderID]) },
		"age_band":  func(r analysis.Respondent) string { return r.AgeBand },
		"education": func(r analysis.Respondent) string { return firstOf(r.Answers[eduID]) },
		"mode":      func(r analysis.Respondent) string { return r.Mode },
	}
	census := map[string]map[string]float64{}
	censusTotal := 0.0
	if ds.Census != nil {
		censusTotal = ds.Census.Total()
		for _, v := range []string{"district", "gender", "age_band"} {
			if t, err := ds.Census.Totals([]string{v}); err == nil {
				census[v] = t
			}
		}
	}
	for _, v := range []string{"district", "gender", "age_band", "education", "mode"} {
		tab := groupTable(res, v)
		if tab == nil {
			continue
		}
		count := map[string]int{}
		for _, r := range used {
			count[value[v](r)]++
		}
		pt := ProfileTable{Dimension: tab.Label}
		for _, row := range tab.Rows {
			label := row.Label
			if v == "mode" {
				if l, ok := modeNames[row.Code]; ok {
					label = l
				}
			}
			pr := ProfileRow{Label: label, Achieved: count[row.Code]}
			if c := census[v]; c != nil && censusTotal > 0 {
				pr.PopShare = c[row.Code] / censusTotal
			}
			if v == "district" && in.Allocation != nil {
				if s := in.Allocation.Get(row.Code); s != nil {
					pr.Target = s.SampleN
				}
			}
			pt.Rows = append(pt.Rows, pr)
		}
		sp.Tables = append(sp.Tables, pt)
	}
	if len(in.Dispositions) > 0 {
		// The city counts every case, also those of unknown district
		// (key ""), e.g. invitations of a measurement without a sample.
		var all sampling.DispositionCounts
		keys := make([]string, 0, len(in.Dispositions))
		for k := range in.Dispositions {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			c := in.Dispositions[k]
			for _, x := range []struct {
				disp string
				n    int
			}{{sampling.DispNotSent, c.NotSent}, {sampling.DispSent, c.Sent}, {sampling.DispOpened, c.Opened}, {sampling.DispPartial, c.Partial},
				{sampling.DispComplete, c.Complete}, {sampling.DispScreenedOut, c.ScreenedOut}, {sampling.DispRefused, c.Refused},
				{sampling.DispQuotaFull, c.QuotaFull}, {sampling.DispUnreachable, c.Unreachable},
				{sampling.DispNonContact, c.NonContact}, {sampling.DispOther, c.Other}} {
				_ = all.Add(x.disp, x.n)
			}
		}
		// One e for the city: the districts share a frame and a screener.
		e := sampling.EstimateE(all.AAPOR())
		rate := func(unit survey.Text, c sampling.DispositionCounts) ResponseRate {
			r := sampling.Rates(c, e)
			return ResponseRate{Unit: unit, RR1: r.RR1, RR3: r.RR3, COOP: r.COOP1, REF: r.REF1}
		}
		sp.Rates = append(sp.Rates, rate(survey.Text{Zh: "全市", En: "City"}, all))
		for _, d := range ds.Districts {
			if c, ok := in.Dispositions[d.Code]; ok {
				sp.Rates = append(sp.Rates, rate(d.Name, c))
			}
		}
	}
	return sp
}

func roleID(q *survey.Questionnaire, role string) string {
	if its := q.ItemsByRole(role); len(its) > 0 {
		return its[0].ID
	}
	return ""
}

func firstOf(vs []string) string {
	if len(vs) == 0 {
		return ""
	}
	return vs[0]
}

// personal matches what may identify a resident in an open answer: runs of
// seven or more digits (phone, ID card and account numbers, also with
// spaces or dashes inside), e-mail addresses and web links.
var personal = regexp.MustCompile(`[0-9０-９][0-9０-９ \-]{5,}[0-9０-９xX]|@|https?://|www\.|微信号|QQ`)

// suggestionTexts returns, per domain id, the non-empty suggestion texts
// of the respondents.
func suggestionTexts(q *survey.Questionnaire, rs []analysis.Respondent) map[string][]string {
	out := map[string][]string{}
	for _, it := range q.ItemsByRole(survey.RoleSuggestion) {
		d := q.ItemDomain(it.ID)
		for _, r := range rs {
			if s := strings.TrimSpace(firstOf(r.Answers[it.ID])); s != "" {
				out[d] = append(out[d], s)
			}
		}
	}
	return out
}

// buildSuggestions counts the open suggestions by domain, this year and
// last, and picks the quotes.
func buildSuggestions(in BuildInput, used []analysis.Respondent) Suggestions {
	q := in.Dataset.Q
	now := suggestionTexts(q, used)
	var prev map[string][]string
	if in.Prev != nil && in.Prev.Dataset != nil && in.Prev.Dataset.Q != nil {
		prev = suggestionTexts(in.Prev.Dataset.Q, usedRespondents(in.Prev.Dataset))
	}
	s := Suggestions{PrevTotal: -1}
	if prev != nil {
		s.PrevTotal = 0
	}
	type ranked struct {
		name  survey.Text
		texts []string
		order int
	}
	var doms []ranked
	for k, d := range q.Domains {
		c := SuggestionCount{Domain: d.ID, Name: d.Name, Count: len(now[d.ID]), Prev: -1}
		if prev != nil {
			c.Prev = len(prev[d.ID])
			s.PrevTotal += c.Prev
		}
		s.Total += c.Count
		s.ByDomain = append(s.ByDomain, c)
		doms = append(doms, ranked{d.Name, now[d.ID], k})
	}
	want := in.Quotes
	if want == 0 {
		want = 3
	}
	// Quotes come from the domains with the most suggestions, one each.
	sort.SliceStable(doms, func(i, j int) bool { return len(doms[i].texts) > len(doms[j].texts) })
	quoted := map[string]bool{}
	for _, d := range doms {
		if len(s.Quotes) >= want {
			break
		}
		// A text already quoted for another domain is not quoted twice.
		var fresh []string
		for _, t := range d.texts {
			if !quoted[t] {
				fresh = append(fresh, t)
			}
		}
		if t, ok := pickQuote(fresh); ok {
			s.Quotes = append(s.Quotes, Quote{Domain: d.name, Text: t})
			quoted[t] = true
		}
	}
	return s
}

// Quote lengths: shorter answers rarely say anything, longer ones do not
// fit a report paragraph.
const (
	quoteMinRunes = 8
	quoteMaxRunes = 120
)

// pickQuote chooses a representative suggestion deterministically: of the
// distinct texts that carry no personal data, are not junk and fit a
// paragraph, take the longest quarter (the most informative) and of those
// the shortest (the most quotable), ties broken by the text.
func pickQuote(texts []string) (string, bool) {
	seen := map[string]bool{}
	var cands []string
	for _, t := range texts {
		n := utf8.RuneCountInString(t)
		if seen[t] || n < quoteMinRunes || n > quoteMaxRunes || personal.MatchString(t) {
			continue
		}
		if junk, _ := quality.IsJunk(t); junk {
			continue
		}
		seen[t] = true
		cands = append(cands, t)
	}
	if len(cands) == 0 {
		return "", false
	}
	sort.Slice(cands, func(i, j int) bool {
		a, b := utf8.RuneCountInString(cands[i]), utf8.RuneCountInString(cands[j])
		if a != b {
			return a > b
		}
		return cands[i] < cands[j]
	})
	top := cands[:(len(cands)+3)/4]
	best := top[len(top)-1]
	for _, t := range top {
		if utf8.RuneCountInString(t) == utf8.RuneCountInString(best) && t < best {
			best = t
		}
	}
	return best, true
}

// varNames names the calibration variables.
var varNames = map[string]survey.Text{
	analysis.VarDistrict: {Zh: "区县", En: "district"},
	analysis.VarGender:   {Zh: "性别", En: "gender"},
	analysis.VarAgeBand:  {Zh: "年龄组", En: "age band"},
}

// weightingText describes the weighting steps Results used and their
// diagnostics.
func weightingText(res *analysis.Results) []survey.Text {
	sp := res.Spec
	var zh, en []string
	if sp.DesignWeights {
		zh = append(zh, "以抽样设计权数（入样概率的倒数）为基础权数")
		en = append(en, "The base weights are the design weights (inverse inclusion probabilities)")
	} else {
		zh = append(zh, "基础权数均取 1")
		en = append(en, "Every respondent starts with weight 1")
	}
	if sp.Nonresponse {
		zh = append(zh, "按区县应答率的倒数进行无应答调整")
		en = append(en, "adjusted for nonresponse by the inverse of each district's response rate")
	}
	if sp.TrimK > 0 {
		zh = append(zh, fmt.Sprintf("权数截尾于中位数的 %g 倍", sp.TrimK))
		en = append(en, fmt.Sprintf("trimmed at %g times the median", sp.TrimK))
	}
	if sp.Calibration != "" && sp.Calibration != analysis.CalNone {
		var mz, me []string
		for _, mg := range sp.Margins {
			var z, e []string
			for _, v := range mg {
				z = append(z, varNames[v].Zh)
				e = append(e, varNames[v].En)
			}
			mz = append(mz, strings.Join(z, " × "))
			me = append(me, strings.Join(e, " × "))
		}
		method := map[string]survey.Text{
			analysis.CalPostStratify: {Zh: "事后分层", En: "post-stratified"},
			analysis.CalRaking:       {Zh: "迭代比例调整（raking）", En: "raked"},
			analysis.CalLinear:       {Zh: "线性校准（GREG）", En: "calibrated linearly (GREG)"},
		}[sp.Calibration]
		zh = append(zh, fmt.Sprintf("再按常住人口的%s结构进行%s", strings.Join(mz, "、"), method.Zh))
		en = append(en, fmt.Sprintf("then %s to the resident population by %s", method.En, strings.Join(me, " and ")))
		if len(sp.Bounds) == 2 {
			zh = append(zh, fmt.Sprintf("调整系数限定在 [%g, %g] 之间", sp.Bounds[0], sp.Bounds[1]))
			en = append(en, fmt.Sprintf("with the adjustment bounded to [%g, %g]", sp.Bounds[0], sp.Bounds[1]))
		}
	}
	w := res.Weighting
	out := []survey.Text{{Zh: "本次测评" + strings.Join(zh, "，") + "。", En: strings.Join(en, ", ") + "."}}
	if w.N > 0 {
		out = append(out, survey.Text{
			Zh: fmt.Sprintf("最终权数最大值与最小值之比为 %.2f，因加权产生的设计效应（Kish）为 %.2f，有效样本量为 %s。", w.Ratio, w.Deff, fmtInt(int(math.Round(w.EffectiveN)))),
			En: fmt.Sprintf("The largest final weight is %.2f times the smallest; the design effect due to weighting (Kish) is %.2f and the effective sample size %s.", w.Ratio, w.Deff, fmtInt(int(math.Round(w.EffectiveN)))),
		})
	}
	return out
}
