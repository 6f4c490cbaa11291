package report

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"manyi/survey"
)

// Model is everything the twelve sections of the report need, already
// estimated and approved. It holds no behaviour beyond small derivations
// (bands, ranks, zones) that must agree everywhere they are printed.
type Model struct {
	Meta        Meta
	Method      Method
	Sample      SampleProfile
	Overall     Overall
	Domains     []DomainResult
	Districts   []DistrictResult
	Groups      []GroupTable
	Drivers     []Driver
	Indicators  []Indicator
	Suggestions Suggestions
	// Conclusions are the paragraphs of section 11. The office may edit them
	// before export; when empty, Render uses GenerateConclusions.
	Conclusions []string
	Appendix    Appendix
	// Trend is the overall index by year, oldest first, for the trend chart;
	// the current year is normally the last point.
	Trend []TrendPoint
	// Bands name the score ranges; nil means DefaultBands.
	Bands []Band
	// MinN is the smallest sample an estimate may rest on and still be
	// ranked; 0 means DefaultMinN.
	MinN int
	// FlagBelow is the index under which an item is flagged; 0 means
	// DefaultFlagBelow.
	FlagBelow float64
}

// DefaultMinN is the smallest district sample that is ranked (the national
// monitoring's convention).
const DefaultMinN = 30

// DefaultFlagBelow is the index below which items are flagged: the lower
// edge of the 满意 band.
const DefaultFlagBelow = 80.0

// Meta identifies the measurement and the report.
type Meta struct {
	City   survey.Text // 杭州市
	Title  survey.Text // 2026年市民质量满意度测评
	Year   int
	Office survey.Text // commissioning office, 质量强市工作领导小组办公室
	// Contractor is the organisation that ran the fieldwork; optional.
	Contractor survey.Text
	// ReportDate is printed on the cover and fixes the PDF's creation and
	// modification dates, so that a report is reproducible.
	ReportDate time.Time
	FieldStart time.Time
	FieldEnd   time.Time
	// Lang is the language the conclusions are generated in ("zh" or "en").
	Lang string
	// Background, when set, replaces the default paragraphs of section 1.
	Background []survey.Text
}

// Method is section 2: who was asked, how they were chosen, how answers were
// checked.
type Method struct {
	Population survey.Text // 18–70 岁常住居民
	Frame      survey.Text // sampling frame description
	Allocation survey.Text // allocation rule, e.g. proportional with a floor of 150
	SampleSize int         // planned total
	Districts  []AllocationRow
	Modes      []ModeShare
	// Collected is the number of completed interviews before review.
	Collected int
	// Exclusions are the quality-control rules and how many interviews each
	// removed; Collected minus their sum is the valid sample.
	Exclusions []Exclusion
	// QualityControl describes the checks in words (call-backs etc.).
	QualityControl []survey.Text
}

// AllocationRow is one stratum of the allocation table.
type AllocationRow struct {
	District   survey.Text
	Population int // resident population aged 18–70
	Target     int
	Achieved   int
}

// ModeShare is one interview mode and its share of the valid sample.
type ModeShare struct {
	Mode  survey.Text
	N     int
	Share float64 // 0–1
}

// Exclusion is one quality-control rule and the interviews it removed.
type Exclusion struct {
	Rule survey.Text
	N    int
}

// Valid is the valid sample: collected minus all exclusions.
func (m Method) Valid() int {
	v := m.Collected
	for _, e := range m.Exclusions {
		v -= e.N
	}
	return v
}

// SampleProfile is section 3.
type SampleProfile struct {
	// Tables are the achieved sample by district, gender, age band,
	// education and mode, in print order.
	Tables []ProfileTable
	// Rates are the AAPOR response rates, overall first, then by district.
	Rates []ResponseRate
}

// ProfileTable is the achieved sample by one background variable.
type ProfileTable struct {
	Dimension survey.Text // 性别
	Rows      []ProfileRow
}

// ProfileRow is one category: its target (quota) and achieved counts and
// its share of the population the weights are calibrated to.
type ProfileRow struct {
	Label    survey.Text
	Target   int
	Achieved int
	PopShare float64 // 0–1; 0 when unknown
}

// ResponseRate holds AAPOR's RR1, RR3, COOP1 and REF1 for one unit.
type ResponseRate struct {
	Unit survey.Text // 全市 or a district
	RR1  float64
	RR3  float64
	COOP float64
	REF  float64
}

// Estimate is a design-based estimate with its standard error, 95%
// confidence interval and the number of respondents behind it.
type Estimate struct {
	Value float64
	SE    float64
	Lo    float64
	Hi    float64
	N     int
}

// Change is the difference from the previous measurement (this year minus
// last), with the 95% interval of the difference.
type Change struct {
	Prev        float64
	Diff        float64
	Lo          float64
	Hi          float64
	Significant bool
}

// Overall is section 4.
type Overall struct {
	Index Estimate
	// Change is nil when there is no previous measurement.
	Change *Change
	// Method is how the overall index is formed: "equal", "expert",
	// "regression", "pls" or "item" (the mean of the overall item).
	Method string
	// Weights are the domain weights of the method, in domain order.
	Weights []DomainWeight
	// Item is the weighted mean of the overall item, printed beside the
	// composite index when the method is not "item"; nil to omit.
	Item *Estimate
}

// DomainWeight is one domain's weight in the overall index.
type DomainWeight struct {
	Domain string // domain id
	Weight float64
}

// DomainResult is one satisfaction domain and its items.
type DomainResult struct {
	ID     string
	Name   survey.Text
	Index  Estimate
	Change *Change
	Items  []ItemResult
	// Alpha is Cronbach's α of the domain's items; NaN or 0 when not
	// computed (fewer than two items).
	Alpha float64
}

// ItemResult is one satisfaction item.
type ItemResult struct {
	ID     string
	Name   survey.Text
	Index  Estimate
	Change *Change
}

// DistrictResult is one district's overall index and its difference from
// the city.
type DistrictResult struct {
	ID    string
	Name  survey.Text
	Index Estimate
	// Diff is the district minus the city, with its 95% interval.
	Diff        float64
	DiffLo      float64
	DiffHi      float64
	Significant bool
	// Domains are the district's domain indices in Model.Domains order
	// (NaN where not estimable), for the appendix table.
	Domains []float64
	Change  *Change
}

// GroupTable is the overall index by one background variable (gender, age
// band, education).
type GroupTable struct {
	Dimension survey.Text
	Rows      []GroupRow
}

// GroupRow is one group compared with everybody else.
type GroupRow struct {
	Label       survey.Text
	Index       Estimate
	Diff        float64 // group minus the rest
	Significant bool
}

// Driver is one domain's share of the influence on the overall index and
// its performance, the two axes of the importance–performance matrix.
type Driver struct {
	Domain       string
	Name         survey.Text
	Importance   float64 // share, 0–1; shares sum to 1
	ImportanceSE float64
	Performance  float64 // the domain index
}

// Zone is a quadrant of the importance–performance matrix (GB/T 19038
// annex D).
type Zone int

// The four zones. Cut lines are the means of importance and performance.
const (
	ZoneImprove  Zone = iota // high importance, low score: 重点改进区
	ZoneStrength             // high importance, high score: 优势区
	ZoneChance               // low importance, low score: 机会区
	ZoneKeep                 // low importance, high score: 维持区
)

// Name returns the zone's name in lang.
func (z Zone) Name(lang string) string {
	names := [...]survey.Text{
		{Zh: "重点改进区", En: "Improve first"},
		{Zh: "优势区", En: "Strength"},
		{Zh: "机会区", En: "Opportunity"},
		{Zh: "维持区", En: "Maintain"},
	}
	if z < 0 || int(z) >= len(names) {
		return ""
	}
	return names[z].Get(lang)
}

// Indicator is one awareness, participation or confidence question with its
// answer proportions.
type Indicator struct {
	Kind     string // "awareness", "participation" or "confidence"
	Question survey.Text
	N        int
	Options  []Proportion
}

// Proportion is a weighted share with its logit 95% interval.
type Proportion struct {
	Label survey.Text
	P     float64 // 0–1
	Lo    float64
	Hi    float64
	// Prev is last year's share, NaN or negative when unknown.
	Prev float64
}

// Suggestions is section 10.
type Suggestions struct {
	Total int
	// PrevTotal is last year's count; negative when unknown.
	PrevTotal int
	ByDomain  []SuggestionCount
	Quotes    []Quote
}

// SuggestionCount is the number of coded suggestions in one domain.
type SuggestionCount struct {
	Domain string
	Name   survey.Text
	Count  int
	Prev   int // negative when unknown
}

// Quote is one representative suggestion, already stripped of anything
// that identifies the resident.
type Quote struct {
	Domain survey.Text
	Text   string
}

// Appendix is section 12.
type Appendix struct {
	Questionnaire []QuestionPage
	// Weighting names the weighting steps actually used (e.g. "按区县 ×
	// 性别 × 年龄组后分层，权数截尾于 5 倍中位数"); formulas come from the
	// template.
	Weighting []survey.Text
	// DEFF is the design effect of the overall index; 0 when unknown.
	DEFF float64
}

// QuestionPage is one page of the questionnaire as printed in the appendix.
type QuestionPage struct {
	Title survey.Text
	Items []QuestionItem
}

// QuestionItem is one question's id and wording.
type QuestionItem struct {
	ID   string
	Text survey.Text
}

// TrendPoint is the overall index of one year.
type TrendPoint struct {
	Year  int
	Index Estimate
}

// Band is a named score range: indices at or above Min (and below the next
// band's Min) carry Name.
type Band struct {
	Min  float64
	Name survey.Text
}

// DefaultBands are the bands of the national public-service monitoring
// (80–100 满意, 70–80 比较满意), extended downwards with the two bands city
// reports use.
func DefaultBands() []Band {
	return []Band{
		{Min: 80, Name: survey.Text{Zh: "满意", En: "satisfied"}},
		{Min: 70, Name: survey.Text{Zh: "比较满意", En: "fairly satisfied"}},
		{Min: 60, Name: survey.Text{Zh: "基本满意", En: "basically satisfied"}},
		{Min: math.Inf(-1), Name: survey.Text{Zh: "不满意", En: "dissatisfied"}},
	}
}

// QuestionnaireAppendix lists a questionnaire's pages and items for the
// appendix, leaving out the consent page.
func QuestionnaireAppendix(q *survey.Questionnaire) []QuestionPage {
	var out []QuestionPage
	for _, p := range q.Pages {
		if p.Kind == "consent" {
			continue
		}
		qp := QuestionPage{Title: p.Title}
		for _, it := range p.Items {
			qp.Items = append(qp.Items, QuestionItem{ID: it.ID, Text: it.Text})
		}
		out = append(out, qp)
	}
	return out
}

// minN returns MinN or its default.
func (m *Model) minN() int {
	if m.MinN > 0 {
		return m.MinN
	}
	return DefaultMinN
}

// flagBelow returns FlagBelow or its default.
func (m *Model) flagBelow() float64 {
	if m.FlagBelow > 0 {
		return m.FlagBelow
	}
	return DefaultFlagBelow
}

// Band returns the name of the band v falls in.
func (m *Model) Band(v float64, lang string) string {
	bands := m.Bands
	if len(bands) == 0 {
		bands = DefaultBands()
	}
	best := -1
	for i, b := range bands {
		if v >= b.Min && (best < 0 || b.Min > bands[best].Min) {
			best = i
		}
	}
	if best < 0 {
		return ""
	}
	return bands[best].Name.Get(lang)
}

// Flagged reports whether an item index is below the flag threshold.
func (m *Model) Flagged(v float64) bool { return v < m.flagBelow() }

// Small reports whether an estimate rests on fewer than MinN respondents;
// such estimates are printed for reference, marked, and never ranked.
func (m *Model) Small(e Estimate) bool { return e.N < m.minN() }

// RankedDistrict is a district with its rank (0 when small, so unranked).
type RankedDistrict struct {
	DistrictResult
	Rank  int
	Small bool
}

// RankedDistricts returns the districts ordered by index (highest first),
// ranked ones first with ranks 1, 2, … (ties share a rank), then the small
// ones by index with rank 0. Ties in value keep the model's order.
func (m *Model) RankedDistricts() []RankedDistrict {
	out := make([]RankedDistrict, len(m.Districts))
	for i, d := range m.Districts {
		out[i] = RankedDistrict{DistrictResult: d, Small: m.Small(d.Index)}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Small != out[j].Small {
			return !out[i].Small
		}
		return out[i].Index.Value > out[j].Index.Value
	})
	for i := range out {
		if out[i].Small {
			continue
		}
		out[i].Rank = i + 1
		if i > 0 && !out[i-1].Small && round2(out[i-1].Index.Value) == round2(out[i].Index.Value) {
			out[i].Rank = out[i-1].Rank
		}
	}
	return out
}

// Zones returns each driver's quadrant, cut at the mean importance and the
// mean performance, and the two cut values.
func (m *Model) Zones() (zones []Zone, cutImportance, cutPerformance float64) {
	if len(m.Drivers) == 0 {
		return nil, 0, 0
	}
	for _, d := range m.Drivers {
		cutImportance += d.Importance
		cutPerformance += d.Performance
	}
	cutImportance /= float64(len(m.Drivers))
	cutPerformance /= float64(len(m.Drivers))
	zones = make([]Zone, len(m.Drivers))
	for i, d := range m.Drivers {
		hiImp := d.Importance >= cutImportance
		hiPerf := d.Performance >= cutPerformance
		switch {
		case hiImp && !hiPerf:
			zones[i] = ZoneImprove
		case hiImp && hiPerf:
			zones[i] = ZoneStrength
		case !hiImp && !hiPerf:
			zones[i] = ZoneChance
		default:
			zones[i] = ZoneKeep
		}
	}
	return zones, cutImportance, cutPerformance
}

// round2 rounds to the two decimals indices are printed with, so that two
// indices that print alike compare alike.
func round2(v float64) float64 { return math.Round(v*100) / 100 }

// fmtIndex formats an index as Chinese statistical reports do: two decimals.
func fmtIndex(v float64) string {
	if math.IsNaN(v) {
		return "—"
	}
	return fmt.Sprintf("%.2f", v)
}

// fmtSigned formats a change with its sign.
func fmtSigned(v float64) string {
	if math.IsNaN(v) {
		return "—"
	}
	if round2(v) == 0 {
		return "0.00"
	}
	return fmt.Sprintf("%+.2f", v)
}

// fmtPct formats a proportion (0–1) as a percentage with one decimal.
func fmtPct(p float64) string {
	if math.IsNaN(p) || p < 0 {
		return "—"
	}
	return fmt.Sprintf("%.1f%%", 100*p)
}

// fmtInt formats a count with thousands separators.
func fmtInt(n int) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + fmtInt(-n)
	}
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// fmtCI formats an interval "lo–hi".
func fmtCI(lo, hi float64) string { return fmtIndex(lo) + "–" + fmtIndex(hi) }

// GenerateConclusions writes the conclusions of section 11 from the numbers
// by plain rules, in m.Meta.Lang:
//
//  1. the overall index, its band and its interval;
//  2. the change on last year, called significant only when its interval
//     excludes zero (Change.Significant);
//  3. the strongest and the weakest domain;
//  4. every domain whose change on last year is significant;
//  5. districts significantly below the city (small districts excluded);
//  6. items below the flag threshold (80), lowest first;
//  7. domains in the 重点改进区 of the importance–performance matrix.
//
// A rule with nothing to say writes nothing.
func GenerateConclusions(m *Model) []string {
	lang := survey.NormLang(m.Meta.Lang)
	en := lang == survey.LangEn
	t := func(zh, e string) string {
		if en {
			return e
		}
		return zh
	}
	city := m.Meta.City.Get(lang)
	var out []string

	o := m.Overall
	s := fmt.Sprintf(t("%d年%s市民质量满意度指数为 %s（95%%置信区间 %s），处于“%s”区间。",
		"In %d the quality-satisfaction index of %s was %s (95%% CI %s), in the “%s” band."),
		m.Meta.Year, city, fmtIndex(o.Index.Value), fmtCI(o.Index.Lo, o.Index.Hi), m.Band(o.Index.Value, lang))
	if c := o.Change; c != nil {
		s += changeSentence(t, t("较上年", "Compared with last year it"), c)
	}
	out = append(out, s)

	if len(m.Domains) >= 2 {
		hi, lo := 0, 0
		for i, d := range m.Domains {
			if d.Index.Value > m.Domains[hi].Index.Value {
				hi = i
			}
			if d.Index.Value < m.Domains[lo].Index.Value {
				lo = i
			}
		}
		out = append(out, fmt.Sprintf(t("分领域看，%s满意度最高（%s），%s满意度最低（%s），两者相差 %s 分。",
			"Among the domains, %s scored highest (%s) and %s lowest (%s), %s points apart."),
			m.Domains[hi].Name.Get(lang), fmtIndex(m.Domains[hi].Index.Value),
			m.Domains[lo].Name.Get(lang), fmtIndex(m.Domains[lo].Index.Value),
			fmtIndex(m.Domains[hi].Index.Value-m.Domains[lo].Index.Value)))
	}

	var up, down []string
	for _, d := range m.Domains {
		if d.Change == nil || !d.Change.Significant {
			continue
		}
		item := fmt.Sprintf("%s（%s）", d.Name.Get(lang), fmtSigned(d.Change.Diff))
		if en {
			item = fmt.Sprintf("%s (%s)", d.Name.Get(lang), fmtSigned(d.Change.Diff))
		}
		if d.Change.Diff > 0 {
			up = append(up, item)
		} else {
			down = append(down, item)
		}
	}
	if len(up) > 0 {
		out = append(out, fmt.Sprintf(t("与上年相比，%s满意度显著提高。", "Compared with last year, satisfaction rose significantly in %s."), joinList(lang, up)))
	}
	if len(down) > 0 {
		out = append(out, fmt.Sprintf(t("与上年相比，%s满意度显著下降，应分析原因。", "Compared with last year, satisfaction fell significantly in %s; the causes should be examined."), joinList(lang, down)))
	}

	var below []string
	for _, d := range m.RankedDistricts() {
		if d.Small || !d.Significant || d.Diff >= 0 {
			continue
		}
		if en {
			below = append(below, fmt.Sprintf("%s (%s, %s)", d.Name.Get(lang), fmtIndex(d.Index.Value), fmtSigned(d.Diff)))
		} else {
			below = append(below, fmt.Sprintf("%s（%s，%s）", d.Name.Get(lang), fmtIndex(d.Index.Value), fmtSigned(d.Diff)))
		}
	}
	if len(below) > 0 {
		out = append(out, fmt.Sprintf(t("%s的满意度指数显著低于全市水平，应作为下一阶段工作的重点区域。",
			"%s scored significantly below the city and should be the focus of the next phase."), joinList(lang, below)))
	}

	type flagged struct {
		name string
		v    float64
	}
	var items []flagged
	for _, d := range m.Domains {
		for _, it := range d.Items {
			if m.Flagged(it.Index.Value) {
				items = append(items, flagged{it.Name.Get(lang), it.Index.Value})
			}
		}
	}
	sort.SliceStable(items, func(i, j int) bool { return items[i].v < items[j].v })
	if len(items) > 0 {
		names := make([]string, len(items))
		for i, it := range items {
			if en {
				names[i] = fmt.Sprintf("%s (%s)", it.name, fmtIndex(it.v))
			} else {
				names[i] = fmt.Sprintf("%s（%s）", it.name, fmtIndex(it.v))
			}
		}
		out = append(out, fmt.Sprintf(t("%d个分项的满意度低于 %s 分：%s，是群众反映较集中的短板。",
			"%d items scored below %s: %s; these are the weak points residents name most."),
			len(items), fmt.Sprintf("%g", m.flagBelow()), joinList(lang, names)))
	}

	zones, _, _ := m.Zones()
	var improve []string
	for i, z := range zones {
		if z == ZoneImprove {
			improve = append(improve, m.Drivers[i].Name.Get(lang))
		}
	}
	if len(improve) > 0 {
		out = append(out, fmt.Sprintf(t("%s对总体满意度影响较大而得分相对较低，位于重点改进区，建议优先改进。",
			"%s weighs heavily on overall satisfaction yet scores relatively low (the improve-first zone) and should be improved first."),
			joinList(lang, improve)))
	}
	return out
}

// changeSentence describes a change on last year with its significance.
func changeSentence(t func(string, string) string, subject string, c *Change) string {
	switch {
	case c.Significant && c.Diff > 0:
		return fmt.Sprintf(t("%s提高 %s 分（95%%置信区间 %s），变化具有统计显著性。", " %s rose by %s points (95%% CI %s), a significant change."),
			subject, fmtIndex(c.Diff), fmtCI(c.Lo, c.Hi))
	case c.Significant && c.Diff < 0:
		return fmt.Sprintf(t("%s下降 %s 分（95%%置信区间 %s），变化具有统计显著性。", " %s fell by %s points (95%% CI %s), a significant change."),
			subject, fmtIndex(-c.Diff), fmtCI(c.Lo, c.Hi))
	default:
		return fmt.Sprintf(t("%s变化 %s 分（95%%置信区间 %s），变化不具有统计显著性。", " %s changed by %s points (95%% CI %s), which is not significant."),
			subject, fmtSigned(c.Diff), fmtCI(c.Lo, c.Hi))
	}
}

// joinList joins names with 、 in Chinese and commas and "and" in English.
func joinList(lang string, xs []string) string {
	if lang != survey.LangEn {
		return strings.Join(xs, "、")
	}
	switch len(xs) {
	case 0:
		return ""
	case 1:
		return xs[0]
	case 2:
		return xs[0] + " and " + xs[1]
	}
	return strings.Join(xs[:len(xs)-1], ", ") + " and " + xs[len(xs)-1]
}
