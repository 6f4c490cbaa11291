package analysis

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"manyi/survey"
	"manyi/survey/estimate"
)

// Columns of the analysis table (data.csv) that are not items. Item ids
// start with a lower-case letter (survey's id rule), so these names, which
// start with an upper-case one, never collide with an item.
const (
	colID        = "ID"
	colDistrict  = "District" // stratum, district margin, by district
	colPSU       = "PSU"
	colFPC       = "FPC"
	colW0        = "W0" // design weight from the draw (for reference)
	colW         = "W"  // input weight: design × nonresponse, trimmed
	colGender    = "Gender"
	colAgeBand   = "AgeBand"
	colEducation = "Education"
	colMode      = "Mode"
	colCC        = "CC"            // "1" where the domain regression has every variable
	colConfHigh  = "Conf_high"     // yes/no: confidence in the top 30% of its scale
	colScoreAll  = "Score_overall" // the overall item's 0–100 score
)

// Group variables the results break down by, with their columns.
var groupVars = []struct {
	Var, Col string
	Label    survey.Text
}{
	{"district", colDistrict, survey.Text{Zh: "区县", En: "District"}},
	{"gender", colGender, survey.Text{Zh: "性别", En: "Gender"}},
	{"age_band", colAgeBand, survey.Text{Zh: "年龄段", En: "Age band"}},
	{"education", colEducation, survey.Text{Zh: "文化程度", En: "Education"}},
	{"mode", colMode, survey.Text{Zh: "调查方式", En: "Mode"}},
}

// Plan is exactly what the results were computed from, and what the
// export writes: the analysis table, the design and the queries.
type Plan struct {
	Table   *estimate.Table
	Design  *estimate.Design
	Queries []estimate.Query
	// Final holds every row's calibrated weight (the weight column of the
	// people's exports).
	Final []float64
}

// figure is one index the results show: the overall index, a domain, an
// item or the overall item, with its index items.
type figure struct {
	id, kind, domain, item string
	label                  survey.Text
	items                  []estimate.Item
	// src are the questionnaire items (to count valid answers).
	src []*survey.Item
}

// Figure kinds.
const (
	KindOverall     = "overall"
	KindDomain      = "domain"
	KindItem        = "item"
	KindOverallItem = "overall_item"
)

// builder holds what building the table and the queries needs.
type builder struct {
	ds       *Dataset
	q        *survey.Questionnaire
	rs       []Respondent
	t        *estimate.Table
	domains  []string
	domItems map[string][]*survey.Item
	overall  *survey.Item
	// valid[itemID][i] says row i has a valid scale answer.
	valid map[string][]bool
	// groupCol holds each group variable's values per row.
	groupCol map[string][]string
	// groups lists each group variable's codes present, in display order.
	groups map[string][]groupCode
}

type groupCode struct {
	code  string
	label survey.Text
	n     int
}

// addNum adds a numeric column (NaN missing).
func (b *builder) addNum(name string, v []float64) error {
	return b.t.AddNumeric(name, v)
}

// newBuilder builds the analysis table from the respondents and weights.
func newBuilder(ds *Dataset, rs []Respondent, w, w0 []float64) (*builder, error) {
	q := ds.Q
	n := len(rs)
	b := &builder{ds: ds, q: q, rs: rs, t: estimate.NewTable(n), domItems: map[string][]*survey.Item{},
		valid: map[string][]bool{}, groupCol: map[string][]string{}, groups: map[string][]groupCode{}}
	for _, d := range q.Domains {
		if its := q.DomainItems(d.ID); len(its) > 0 {
			b.domains = append(b.domains, d.ID)
			b.domItems[d.ID] = its
		}
	}
	if len(b.domains) == 0 {
		return nil, survey.Errorf(survey.EINVALID, "问卷没有任何领域满意度题，无法计算指数", "the questionnaire has no domain satisfaction items, so there is no index to compute")
	}
	if its := q.ItemsByRole(survey.RoleOverall); len(its) > 0 && its[0].Type == survey.TypeScale {
		b.overall = its[0]
	}
	text := func(f func(r *Respondent) string) []string {
		out := make([]string, n)
		for i := range rs {
			out[i] = f(&rs[i])
		}
		return out
	}
	add := func(name string, vals []string) error { return b.t.AddText(name, vals) }
	ids := text(func(r *Respondent) string { return r.ID })
	if err := add(colID, ids); err != nil {
		return nil, err
	}
	b.groupCol["district"] = text(func(r *Respondent) string { return r.District })
	for _, r := range rs {
		if r.District == "" {
			return nil, survey.Errorf(survey.EINVALID, "答卷 %s 没有区县（分层变量）", "response %s has no district (the stratum)", r.ID)
		}
	}
	if err := add(colDistrict, b.groupCol["district"]); err != nil {
		return nil, err
	}
	psu := text(func(r *Respondent) string {
		if r.PSU == "" {
			return "r" + r.ID
		}
		return r.PSU
	})
	if err := add(colPSU, psu); err != nil {
		return nil, err
	}
	if fpc, ok := b.fpc(); ok {
		if err := b.t.AddNumeric(colFPC, fpc); err != nil {
			return nil, err
		}
	}
	if err := b.t.AddNumeric(colW0, w0); err != nil {
		return nil, err
	}
	if err := b.t.AddNumeric(colW, w); err != nil {
		return nil, err
	}
	genderID, eduID := roleItemID(q, survey.RoleGender), roleItemID(q, survey.RoleEducation)
	b.groupCol["gender"] = text(func(r *Respondent) string { return first(r.Answers[genderID]) })
	b.groupCol["age_band"] = text(func(r *Respondent) string { return r.AgeBand })
	b.groupCol["education"] = text(func(r *Respondent) string { return first(r.Answers[eduID]) })
	b.groupCol["mode"] = text(func(r *Respondent) string { return r.Mode })
	for _, g := range groupVars[1:] {
		if err := add(g.Col, b.groupCol[g.Var]); err != nil {
			return nil, err
		}
	}
	// Every answered item but free text, as its code. Respondents in the
	// outer loop: each answers map is read while it is in cache.
	var items []*survey.Item
	for _, it := range q.Items() {
		if it.Type != survey.TypeText {
			items = append(items, it)
		}
	}
	// Most items hold integer codes ("1"…"10", "99"). Such a column is
	// kept as numbers: the same table (Text gives back the same digits, a
	// number compares as before) without a string per cell for the
	// collector to scan. An item with any other answer is a text column.
	nums := make([][]float64, len(items))
	cols := make([][]string, len(items)) // nil while every answer is a code
	for k := range nums {
		nums[k] = make([]float64, n)
		for i := range nums[k] {
			nums[k][i] = math.NaN()
		}
	}
	toText := func(k, upto int) {
		cols[k] = make([]string, n)
		for i, x := range nums[k][:upto] {
			if !math.IsNaN(x) {
				cols[k][i] = strconv.Itoa(int(x))
			}
		}
	}
	// Ranging over each respondent's answers reads the map once, in its
	// own order, instead of probing it once per item.
	itemIdx := make(map[string]int, len(items))
	for k, it := range items {
		itemIdx[it.ID] = k
	}
	for i := range rs {
		for id, v := range rs[i].Answers {
			k, ok := itemIdx[id]
			if !ok || len(v) == 0 {
				continue
			}
			x := v[0]
			if len(v) > 1 {
				x = strings.Join(v, ";")
			}
			if cols[k] == nil {
				if c, ok := codeValue(x); ok {
					nums[k][i] = c
					continue
				}
				if x == "" {
					continue
				}
				toText(k, i)
			}
			cols[k][i] = x
		}
	}
	for k, it := range items {
		if cols[k] == nil {
			if err := b.t.AddNumeric(it.ID, nums[k]); err != nil {
				return nil, err
			}
		} else if err := add(it.ID, cols[k]); err != nil {
			return nil, err
		}
		if it.Type == survey.TypeScale {
			v := make([]bool, n)
			if cols[k] == nil {
				// Item.Score once per distinct code.
				memo := map[float64]bool{}
				for i, x := range nums[k] {
					if math.IsNaN(x) {
						continue
					}
					ok, seen := memo[x]
					if !seen {
						_, ok = it.Score(strconv.Itoa(int(x)))
						memo[x] = ok
					}
					v[i] = ok
				}
			} else {
				for i, x := range cols[k] {
					_, v[i] = it.Score(x)
				}
			}
			b.valid[it.ID] = v
		}
	}
	if err := b.derived(); err != nil {
		return nil, err
	}
	b.findGroups()
	return b, nil
}

// codeValue reads an answer that is an integer code written canonically
// (digits, no leading zero, below 10⁶, so that the number's shortest
// form, estimate.Column.Text, is the same text).
func codeValue(s string) (float64, bool) {
	if len(s) == 0 || len(s) > 6 || (len(s) > 1 && s[0] == '0') {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return float64(n), true
}

// fpc returns every row's stratum population when it is known for every
// district in the sample.
func (b *builder) fpc() ([]float64, bool) {
	if b.ds.StratumPop == nil {
		return nil, false
	}
	out := make([]float64, len(b.rs))
	for i, r := range b.rs {
		p := b.ds.StratumPop[r.District]
		if !(p > 0) {
			return nil, false
		}
		out[i] = p
	}
	return out, true
}

// scores returns the 0–100 score of every row's answer to the item (its
// table column), NaN where there is none.
func (b *builder) scores(it *survey.Item) []float64 {
	c := b.t.Column(it.ID)
	out := make([]float64, b.t.Rows())
	valid := b.valid[it.ID]
	if c.Numeric && valid != nil && it.Scale != nil {
		// A valid answer is an integer code in [Min, Max] (Item.Score
		// said so when valid was filled) and the column holds it as a
		// number: its score is Item.Score's own formula, without parsing
		// the text again.
		lo, span := it.Scale.Min, it.Scale.Max-it.Scale.Min
		for i := range out {
			if valid[i] {
				out[i] = 100 * float64(int(c.Num[i])-lo) / float64(span)
			} else {
				out[i] = math.NaN()
			}
		}
		return out
	}
	for i := range out {
		s, ok := it.Score(c.Text(i))
		if !ok {
			s = math.NaN()
		}
		out[i] = s
	}
	return out
}

// derived adds the columns the driver regressions and indicators use:
// item scores S_<item>, domain scores Score_<domain> (the respondent's mean
// of the domain's valid item scores), their squares for the standard
// deviations, the complete-case marker CC and Conf_high.
func (b *builder) derived() error {
	n := len(b.rs)
	cc := make([]bool, n)
	for i := range cc {
		cc[i] = true
	}
	if b.overall != nil {
		y := b.scores(b.overall)
		y2 := make([]float64, n)
		for i := range y {
			y2[i] = y[i] * y[i]
			cc[i] = !math.IsNaN(y[i])
		}
		if err := b.addNum(colScoreAll, y); err != nil {
			return err
		}
		if err := b.addNum("Sq_overall", y2); err != nil {
			return err
		}
	}
	for _, d := range b.domains {
		its := b.domItems[d]
		sum := make([]float64, n)
		cnt := make([]float64, n)
		for _, it := range its {
			s := b.scores(it)
			for i := range s {
				if !math.IsNaN(s[i]) {
					sum[i] += s[i]
					cnt[i]++
				}
			}
			if err := b.addNum("S_"+it.ID, s); err != nil {
				return err
			}
		}
		m := make([]float64, n)
		m2 := make([]float64, n)
		for i := range m {
			m[i] = math.NaN()
			if cnt[i] > 0 {
				m[i] = sum[i] / cnt[i]
			} else {
				cc[i] = false
			}
			m2[i] = m[i] * m[i]
		}
		if err := b.addNum("Score_"+d, m); err != nil {
			return err
		}
		if err := b.addNum("Sq_"+d, m2); err != nil {
			return err
		}
	}
	ccs := make([]string, n)
	for i, ok := range cc {
		if ok {
			ccs[i] = "1"
		}
	}
	if err := b.t.AddText(colCC, ccs); err != nil {
		return err
	}
	if its := b.q.ItemsByRole(survey.RoleConfidence); len(its) > 0 && its[0].Type == survey.TypeScale {
		it := its[0]
		cut := float64(it.Scale.Min) + 0.7*float64(it.Scale.Max-it.Scale.Min)
		vals := make([]string, n)
		sc := b.scores(it)
		for i := range vals {
			if s := sc[i]; !math.IsNaN(s) {
				vals[i] = "no"
				if float64(it.Scale.Min)+s/100*float64(it.Scale.Max-it.Scale.Min) >= cut {
					vals[i] = "yes"
				}
			}
		}
		if err := b.t.AddText(colConfHigh, vals); err != nil {
			return err
		}
	}
	return nil
}

// findGroups lists the codes of every group variable present in the data,
// in the questionnaire's (or the districts', bands', modes') order.
func (b *builder) findGroups() {
	for _, g := range groupVars {
		count := map[string]int{}
		for _, v := range b.groupCol[g.Var] {
			if v != "" {
				count[v]++
			}
		}
		var order []groupCode
		seen := map[string]bool{}
		push := func(code string, label survey.Text) {
			if count[code] > 0 && !seen[code] {
				seen[code] = true
				order = append(order, groupCode{code: code, label: label, n: count[code]})
			}
		}
		switch g.Var {
		case "district":
			for _, d := range b.ds.Districts {
				push(d.Code, d.Name)
			}
		case "age_band":
			for _, a := range DefaultAgeBands {
				push(a.Label, survey.Text{Zh: a.Label + " 岁", En: a.Label})
			}
		case "mode":
			push(survey.ModeWeb, survey.Text{Zh: "网络", En: "Online"})
			push(survey.ModePhone, survey.Text{Zh: "电话", En: "Phone"})
			push(survey.ModeFace, survey.Text{Zh: "面访", En: "Face to face"})
		default:
			role := map[string]string{"gender": survey.RoleGender, "education": survey.RoleEducation}[g.Var]
			if its := b.q.ItemsByRole(role); len(its) > 0 {
				for _, c := range its[0].Choices {
					push(c.Code, c.Label)
				}
			}
		}
		for _, code := range sortedKeys(count) {
			push(code, survey.Text{Zh: code, En: code})
		}
		b.groups[g.Var] = order
	}
}

// figures returns the index figures: overall (with the domain weights),
// the domains, the items and the overall item.
func (b *builder) figures(dw map[string]float64) []figure {
	var figs []figure
	all := figure{id: "overall", kind: KindOverall, label: survey.Text{Zh: "总体满意度指数", En: "Overall satisfaction index"}}
	for _, d := range b.domains {
		its := b.domItems[d]
		if dw[d] <= 0 {
			continue
		}
		for _, it := range its {
			all.items = append(all.items, indexItem(it, dw[d]/float64(len(its))))
			all.src = append(all.src, it)
		}
	}
	figs = append(figs, all)
	for _, d := range b.domains {
		f := figure{id: "domain_" + d, kind: KindDomain, domain: d, label: b.q.Domain(d).Name}
		for _, it := range b.domItems[d] {
			f.items = append(f.items, indexItem(it, 1))
			f.src = append(f.src, it)
		}
		figs = append(figs, f)
	}
	for _, d := range b.domains {
		for _, it := range b.domItems[d] {
			figs = append(figs, figure{id: "item_" + it.ID, kind: KindItem, domain: d, item: it.ID, label: it.Text,
				items: []estimate.Item{indexItem(it, 1)}, src: []*survey.Item{it}})
		}
	}
	if b.overall != nil {
		figs = append(figs, figure{id: "overall_item", kind: KindOverallItem, item: b.overall.ID, label: b.overall.Text,
			items: []estimate.Item{indexItem(b.overall, 1)}, src: []*survey.Item{b.overall}})
	}
	return figs
}

func indexItem(it *survey.Item, w float64) estimate.Item {
	return estimate.Item{Var: it.ID, Weight: w, Min: float64(it.Scale.Min), Max: float64(it.Scale.Max)}
}

// validRows marks the rows with a valid answer to one of the figure's
// items (where the index is defined).
func (b *builder) validRows(f figure) []bool {
	out := make([]bool, len(b.rs))
	for _, it := range f.src {
		for i, ok := range b.valid[it.ID] {
			out[i] = out[i] || ok
		}
	}
	return out
}

// driverQueries returns the regressions of the overall score on the domain
// scores and, per domain, on its item scores, and the means behind the
// standard deviations that standardize the domain coefficients.
func (b *builder) driverQueries() []estimate.Query {
	if b.overall == nil {
		return nil
	}
	var qs []estimate.Query
	x := make([]string, len(b.domains))
	for j, d := range b.domains {
		x[j] = "Score_" + d
	}
	qs = append(qs, estimate.Query{ID: "drivers", Kind: "regression", Y: colScoreAll, X: x})
	for _, d := range b.domains {
		var xs []string
		for _, it := range b.domItems[d] {
			xs = append(xs, "S_"+it.ID)
		}
		qs = append(qs, estimate.Query{ID: "drivers_" + d, Kind: "regression", Y: colScoreAll, X: xs})
	}
	for _, v := range append([]string{"overall"}, b.domains...) {
		qs = append(qs,
			estimate.Query{ID: "sd_mean_" + v, Kind: "mean", Var: "Score_" + v, By: []string{colCC}},
			estimate.Query{ID: "sd_sq_" + v, Kind: "mean", Var: "Sq_" + v, By: []string{colCC}})
	}
	return qs
}

// figureQueries returns one index query per figure.
func figureQueries(figs []figure, level float64) []estimate.Query {
	qs := make([]estimate.Query, 0, len(figs))
	for _, f := range figs {
		qs = append(qs, estimate.Query{ID: f.id, Kind: "index", Items: f.items, Level: levelField(level)})
	}
	return qs
}

func levelField(level float64) float64 {
	if level == 0.95 {
		return 0
	}
	return level
}

// groupQueries returns, for one group variable, every figure by group and,
// for every group, the figure in the group and in the rest of the city
// (by the group's in/out column) with their contrast. It adds the in/out
// columns to the table. Figures undefined in some group are left out.
func (b *builder) groupQueries(g string, col string, figs []figure, level float64) ([]estimate.Query, error) {
	var qs []estimate.Query
	vals := b.groupCol[g]
	codes := b.groups[g]
	if len(codes) == 0 {
		return nil, nil
	}
	inCols := make([]string, len(codes))
	for k, c := range codes {
		name := "In_" + g + "_" + c.code
		inCols[k] = name
		if b.t.Column(name) != nil {
			continue
		}
		io := make([]string, len(vals))
		for i, v := range vals {
			io[i] = "out"
			if v == c.code {
				io[i] = "in"
			}
		}
		if err := b.t.AddText(name, io); err != nil {
			return nil, err
		}
	}
	// Each row's group as an index into codes (−1: none), so that the
	// counts per figure below are slice increments, not map updates.
	pos := make(map[string]int32, len(codes))
	for k, c := range codes {
		pos[c.code] = int32(k)
	}
	rowCode := make([]int32, len(vals))
	for i, v := range vals {
		k, ok := pos[v]
		if !ok {
			k = -1
		}
		rowCode[i] = k
	}
	cnt := make([]int, len(codes))
	for _, f := range figs {
		// Valid answers in each group and overall.
		valid := b.validRows(f)
		clear(cnt)
		all := 0
		for i, ok := range valid {
			if ok {
				if k := rowCode[i]; k >= 0 {
					cnt[k]++
				}
				all++
			}
		}
		in := make(map[string]int, len(codes))
		for k, c := range codes {
			in[c.code] = cnt[k]
		}
		ok := true
		for _, c := range codes {
			if in[c.code] == 0 {
				ok = false
			}
		}
		if !ok {
			continue
		}
		// The district table's overall index is also one by-query (the
		// district ranking); every other group estimate is the "in" row of
		// the group's in/out query, which is the same domain estimate.
		if g == "district" && f.kind == KindOverall {
			qs = append(qs, estimate.Query{ID: "by_" + g + "_" + f.id, Kind: "index", Items: f.items, By: []string{col}, Level: levelField(level)})
		}
		for k, c := range codes {
			if c.n == len(vals) || all-in[c.code] == 0 {
				continue
			}
			code := c.code
			inID := "in_" + g + "_" + code + "_" + f.id
			qs = append(qs,
				estimate.Query{ID: inID, Kind: "index", Items: f.items, By: []string{inCols[k]}, Level: levelField(level)},
				estimate.Query{ID: "diff_" + g + "_" + code + "_" + f.id, Kind: "contrast", Of: inID,
					A: map[string]string{inCols[k]: "in"}, B: map[string]string{inCols[k]: "out"}, Level: levelField(level)})
		}
	}
	return qs, nil
}

// indicatorQueries returns the awareness, participation and confidence
// proportions (logit intervals) of every category chosen at least once.
func (b *builder) indicatorQueries(level float64) []estimate.Query {
	var qs []estimate.Query
	for _, role := range []string{survey.RoleAwareness, survey.RoleParticipation, survey.RoleConfidence} {
		for _, it := range b.q.ItemsByRole(role) {
			if it.Type == survey.TypeScale {
				if c := b.t.Column(colConfHigh); c != nil && hasValue(c, "yes") {
					qs = append(qs, estimate.Query{ID: "prop_" + it.ID + "_high", Kind: "proportion", Var: colConfHigh, Value: "yes", CI: "logit", Level: levelField(level)})
				}
				continue
			}
			if it.Type != survey.TypeSingle {
				continue
			}
			c := b.t.Column(it.ID)
			for _, ch := range it.Choices {
				if hasValue(c, ch.Code) {
					qs = append(qs, estimate.Query{ID: "prop_" + it.ID + "_" + ch.Code, Kind: "proportion", Var: it.ID, Value: estimate.Value(ch.Code), CI: "logit", Level: levelField(level)})
				}
			}
		}
	}
	return qs
}

func hasValue(c *estimate.Column, v string) bool {
	if c == nil {
		return false
	}
	if c.Raw == nil && c.Numeric {
		// A number's Text is its shortest form: only v in that form can
		// match, and then exactly the rows holding that number.
		x, err := strconv.ParseFloat(v, 64)
		if err != nil || strconv.FormatFloat(x, 'g', -1, 64) != v {
			return false
		}
		for i, y := range c.Num {
			if !c.Missing[i] && math.Float64bits(y) == math.Float64bits(x) {
				return true
			}
		}
		return false
	}
	for i := range c.Missing {
		if !c.Missing[i] && c.Text(i) == v {
			return true
		}
	}
	return false
}

// describeDesign returns design.json for the table.
func (b *builder) describeDesign(cal *estimate.Calibration, spec WeightingSpec) *estimate.Design {
	d := &estimate.Design{IDs: []string{colPSU}, Strata: colDistrict, Weights: colW, Nest: true, LonelyPSU: "adjust", Calibration: cal}
	if b.t.Column(colFPC) != nil {
		d.FPC = []string{colFPC}
	}
	note := fmt.Sprintf("manyi analysis: strata = %s, PSU = %s, input weight %s = design weight (%v) × nonresponse adjustment (%v), trimmed at %v × median (0: none); calibration %s.",
		colDistrict, colPSU, colW, spec.DesignWeights, spec.Nonresponse, spec.TrimK, spec.Calibration)
	d.Notes = note
	return d
}
