package report

import (
	"fmt"
	"math"
	"sort"
	"strings"
)

// This file writes the twelve sections. Every template sentence is given in
// Chinese and English side by side (r.t(zh, en)) so the two reports cannot
// drift apart in content.

// sig is the comparison word for a difference and its significance.
func (r *report) sig(diff float64, significant bool) string {
	switch {
	case significant && diff > 0:
		return r.t("显著高于", "sig. higher")
	case significant && diff < 0:
		return r.t("显著低于", "sig. lower")
	}
	return r.t("无显著差异", "not sig.")
}

// change formats a change on last year for a table cell: "+1.25*" where *
// marks significance, "—" when there is no previous year.
func change(c *Change) string {
	if c == nil {
		return "—"
	}
	s := fmtSigned(c.Diff)
	if c.Significant {
		s += "*"
	}
	return s
}

// prev formats last year's value for a table cell.
func prev(c *Change) string {
	if c == nil {
		return "—"
	}
	return fmtIndex(c.Prev)
}

func (r *report) sigNote() string {
	return r.t("注：“*”表示与上年相比的变化在 95% 置信水平下具有统计显著性（差值的 95% 置信区间不含 0）。",
		"Note: * marks a change on last year that is significant at the 95% level (its 95% interval excludes 0).")
}

func (r *report) domainNames() []string {
	names := make([]string, len(r.m.Domains))
	for i, d := range r.m.Domains {
		names[i] = r.name(d.Name)
	}
	return names
}

// backgroundHead starts the background section on a new page and prints
// the office's own background text when it wrote one, reporting whether it
// did (then the standard text is left out).
func (r *report) backgroundHead() bool {
	r.newPage()
	r.sectionHead("测评背景与依据", "Background and basis")
	for _, p := range r.m.Meta.Background {
		r.para(r.name(p))
	}
	return len(r.m.Meta.Background) > 0
}

// 1 Background.
func (r *report) background() {
	m := r.m
	if r.backgroundHead() {
		return
	}
	city := r.name(m.Meta.City)
	r.para(r.t(
		fmt.Sprintf("为深入实施质量强国战略，推进全国质量强市示范城市创建工作，%s按照《全国质量强市示范城市考核验收细则（试行）》的要求，于%d年组织开展了市民质量满意度测评。测评结果是城市创建验收申请的必备材料，也是检验质量工作成效、查找质量短板的重要依据。", city, m.Meta.Year),
		fmt.Sprintf("To advance its bid for the title of National Quality City Demonstration City, %s ran its residents' quality-satisfaction measurement in %d as required by the national acceptance rules for demonstration cities. The results are a required part of the acceptance application and a test of how far the city's quality work has reached its residents.", city, m.Meta.Year)))
	domains := joinList(r.lang, r.domainNames())
	r.para(r.t(
		fmt.Sprintf("测评依据《城市市民质量满意度测评方案（试行）》（国质检质函〔2012〕841号）和 GB/T 19038《顾客满意测评模型和方法指南》组织实施，围绕%s等领域，了解市民对本市质量状况的评价。", domains),
		fmt.Sprintf("The measurement follows the national measurement plan for residents' quality satisfaction (AQSIQ letter 〔2012〕841) and the standard GB/T 19038 on customer-satisfaction measurement, and asks residents to rate %s.", domains)))
	r.para(r.t(
		"测评的目的是客观反映市民对城市质量工作的满意程度，比较各领域、各区县和不同人群之间的差异，识别影响满意度的关键因素，为改进质量工作提供依据。本报告中的满意度指数均为 0–100 分的加权估计值，并同时给出 95% 置信区间；与上年及区县之间的比较均注明是否具有统计显著性。",
		"Its purpose is to measure how satisfied residents are with the quality of life in the city, to compare domains, districts and groups of residents, and to find the factors that drive satisfaction. All indices in this report are weighted estimates on a 0–100 scale with their 95% confidence intervals; every comparison with last year or between districts states whether it is statistically significant."))
}

// 2 Method.
func (r *report) method() {
	m := r.m
	me := m.Method
	r.sectionHead("测评方案", "Method")
	r.subHead("调查对象与抽样", "Population and sampling")
	if s := r.name(me.Population); s != "" {
		r.para(r.t("调查对象：", "Population: ") + s)
	}
	if s := r.name(me.Frame); s != "" {
		r.para(r.t("抽样框：", "Sampling frame: ") + s)
	}
	if s := r.name(me.Allocation); s != "" {
		r.para(r.t("样本分配：", "Allocation: ") + s)
	}
	if len(me.Districts) > 0 {
		var rows []row
		var pop, tgt, ach int
		for _, d := range me.Districts {
			rows = append(rows, row{Cells: []string{r.name(d.District), fmtInt(d.Population), fmtCount(d.Target), fmtInt(d.Achieved), rate(d.Achieved, d.Target)}})
			pop, tgt, ach = pop+d.Population, tgt+d.Target, ach+d.Achieved
		}
		rows = append(rows, row{Cells: []string{r.t("合计", "Total"), fmtInt(pop), fmtCount(tgt), fmtInt(ach), rate(ach, tgt)}})
		if me.SampleSize > 0 {
			r.para(r.t(fmt.Sprintf("计划样本量 %s 份，各区县的分配与完成情况见%s。", fmtInt(me.SampleSize), r.nextTable()),
				fmt.Sprintf("The planned sample was %s interviews; %s shows the allocation by district and what was achieved.", fmtInt(me.SampleSize), r.nextTable())))
		} else {
			// No sample plan was recorded (e.g. open links only): there are
			// no targets to name.
			r.para(r.t(fmt.Sprintf("各区县的有效样本见%s。", r.nextTable()),
				fmt.Sprintf("%s shows the valid sample by district.", r.nextTable())))
		}
		r.table(r.t("各区县样本分配与完成情况", "Sample allocation and completion by district"),
			[]column{{r.t("区县", "District"), 3, "L"}, {r.t("常住人口（18–70 岁）", "Residents aged 18–70"), 3, "R"},
				{r.t("目标样本", "Target"), 2, "R"}, {r.t("有效样本", "Achieved"), 2, "R"}, {r.t("完成率", "Completion"), 2, "R"}},
			rows)
	}
	r.subHead("调查方式与时间", "Modes and fieldwork")
	r.para(r.t(fmt.Sprintf("调查于%s至%s进行。", fmtDate(r.lang, m.Meta.FieldStart), fmtDate(r.lang, m.Meta.FieldEnd)),
		fmt.Sprintf("Fieldwork ran from %s to %s.", fmtDate(r.lang, m.Meta.FieldStart), fmtDate(r.lang, m.Meta.FieldEnd))))
	if len(me.Modes) > 0 {
		var rows []row
		n := 0
		for _, md := range me.Modes {
			rows = append(rows, row{Cells: []string{r.name(md.Mode), fmtInt(md.N), fmtPct(md.Share)}})
			n += md.N
		}
		rows = append(rows, row{Cells: []string{r.t("合计", "Total"), fmtInt(n), fmtPct(1)}})
		r.table(r.t("调查方式构成", "Interview modes"),
			[]column{{r.t("调查方式", "Mode"), 4, "L"}, {r.t("有效样本", "Interviews"), 2, "R"}, {r.t("占比", "Share"), 2, "R"}}, rows)
	}
	r.subHead("质量控制", "Quality control")
	for _, q := range me.QualityControl {
		r.para(r.name(q))
	}
	if me.Collected > 0 {
		excl := me.Collected - me.Valid()
		r.para(r.t(fmt.Sprintf("共回收完成问卷 %s 份，经审核剔除 %s 份，有效样本 %s 份，有效率 %s。", fmtInt(me.Collected), fmtInt(excl), fmtInt(me.Valid()), rate(me.Valid(), me.Collected)),
			fmt.Sprintf("Of %s completed interviews, review removed %s, leaving %s valid interviews (%s).", fmtInt(me.Collected), fmtInt(excl), fmtInt(me.Valid()), rate(me.Valid(), me.Collected))))
		if len(me.Exclusions) > 0 {
			rows := []row{{Cells: []string{r.t("回收完成问卷", "Completed interviews"), fmtInt(me.Collected), ""}}}
			for _, e := range me.Exclusions {
				rows = append(rows, row{Cells: []string{r.t("剔除：", "Removed: ") + r.name(e.Rule), fmtInt(e.N), rate(e.N, me.Collected)}})
			}
			rows = append(rows, row{Cells: []string{r.t("有效样本", "Valid interviews"), fmtInt(me.Valid()), rate(me.Valid(), me.Collected)}})
			r.table(r.t("问卷审核与剔除情况", "Review and exclusions"),
				[]column{{r.t("项目", "Step"), 6, "L"}, {r.t("份数", "Interviews"), 2, "R"}, {r.t("占回收问卷", "Of completed"), 2, "R"}}, rows)
		}
	}
}

// fmtCount formats a planned count, "—" when there is none (0).
func fmtCount(n int) string {
	if n == 0 {
		return "—"
	}
	return fmtInt(n)
}

// rate formats a/b as a percentage, "—" when b is 0.
func rate(a, b int) string {
	if b == 0 {
		return "—"
	}
	return fmtPct(float64(a) / float64(b))
}

// 3 Sample profile.
func (r *report) sample() {
	s := r.m.Sample
	r.sectionHead("样本结构", "Sample profile")
	r.subHead("样本构成", "Composition of the sample")
	if len(s.Tables) > 0 {
		r.para(r.t(fmt.Sprintf("有效样本按区县、性别、年龄、文化程度和调查方式的构成见%s。样本占比为未加权比例，总体占比为加权时校准的目标结构。", r.nextTable()),
			fmt.Sprintf("%s shows the valid sample by district, gender, age, education and mode. Sample shares are unweighted; population shares are the targets the weights are calibrated to.", r.nextTable())))
		var rows []row
		for _, t := range s.Tables {
			rows = append(rows, row{Cells: []string{r.name(t.Dimension)}, Span: true})
			total := 0
			for _, x := range t.Rows {
				total += x.Achieved
			}
			for _, x := range t.Rows {
				tgt, pop := "—", "—"
				if x.Target > 0 {
					tgt = fmtInt(x.Target)
				}
				if x.PopShare > 0 {
					pop = fmtPct(x.PopShare)
				}
				rows = append(rows, row{Cells: []string{"  " + r.name(x.Label), tgt, fmtInt(x.Achieved), rate(x.Achieved, total), pop}})
			}
		}
		r.table(r.t("有效样本构成", "Composition of the valid sample"),
			[]column{{r.t("类别", "Category"), 4, "L"}, {r.t("目标样本", "Target"), 2, "R"}, {r.t("有效样本", "Achieved"), 2, "R"},
				{r.t("样本占比", "Sample share"), 2, "R"}, {r.t("总体占比", "Population share"), 2, "R"}}, rows)
	}
	r.subHead("应答率", "Response rates")
	if len(s.Rates) > 0 {
		var rows []row
		for _, x := range s.Rates {
			rows = append(rows, row{Cells: []string{r.name(x.Unit), fmtPct(x.RR1), fmtPct(x.RR3), fmtPct(x.COOP), fmtPct(x.REF)}})
		}
		o := s.Rates[0]
		r.para(r.t(fmt.Sprintf("%s应答率（RR1）为 %s，估计资格未知个案后的应答率（RR3）为 %s，合作率 %s，拒访率 %s。", r.name(o.Unit), fmtPct(o.RR1), fmtPct(o.RR3), fmtPct(o.COOP), fmtPct(o.REF)),
			fmt.Sprintf("%s: response rate RR1 %s, RR3 (estimating the eligibility of unknown cases) %s, cooperation rate %s, refusal rate %s.", r.name(o.Unit), fmtPct(o.RR1), fmtPct(o.RR3), fmtPct(o.COOP), fmtPct(o.REF))))
		r.table(r.t("应答率", "Response rates"),
			[]column{{r.t("范围", "Unit"), 4, "L"}, {"RR1", 2, "R"}, {"RR3", 2, "R"}, {r.t("合作率 COOP", "COOP"), 2, "R"}, {r.t("拒访率 REF", "REF"), 2, "R"}}, rows,
			r.t("注：应答率按美国公共舆论研究协会（AAPOR）标准定义计算：RR1 = 完成 /（完成 + 部分完成 + 拒访 + 未接触 + 其他 + 资格未知）；RR3 对资格未知个案按估计的合格比例计入分母；COOP1 = 完成 /（完成 + 部分完成 + 拒访 + 其他）；REF1 = 拒访 / RR1 的分母。",
				"Note: rates follow the AAPOR Standard Definitions. RR1 = complete / (complete + partial + refusal + non-contact + other + unknown eligibility); RR3 counts unknown-eligibility cases at their estimated eligible share; COOP1 = complete / (complete + partial + refusal + other); REF1 = refusals over RR1's denominator."))
	} else {
		r.para(r.t("本次测评未计算应答率。", "Response rates were not computed for this measurement."))
	}
}

// indexMethodText names the overall index method.
func (r *report) indexMethodText(method string) string {
	switch method {
	case "equal":
		return r.t("各领域指数等权平均", "the equally weighted mean of the domain indices")
	case "expert":
		return r.t("各领域指数按专家权重（层次分析法）加权", "the domain indices weighted by expert (AHP) weights")
	case "regression":
		return r.t("各领域指数按回归权重加权（总体满意度题对各领域得分回归，正的标准化系数归一化为权重）", "the domain indices weighted by regression weights (the overall item regressed on domain scores; positive standardized coefficients normalized to sum to 1)")
	case "pls":
		return r.t("结构方程模型（偏最小二乘法，GB/T 19038）估计的潜变量得分", "the latent score of a PLS structural model (GB/T 19038)")
	case "item":
		return r.t("总体满意度题的加权平均", "the weighted mean of the overall satisfaction item")
	}
	return method
}

// 4 Overall.
func (r *report) overall() {
	m := r.m
	o := m.Overall
	city := r.name(m.Meta.City)
	r.sectionHead("总体满意度", "Overall satisfaction")
	r.subHead("总体满意度指数", "Overall satisfaction index")
	s := r.t(fmt.Sprintf("%d年%s市民质量满意度指数为 %s，95%%置信区间为 %s，处于“%s”区间（%s）。", m.Meta.Year, city, fmtIndex(o.Index.Value), fmtCI(o.Index.Lo, o.Index.Hi), m.Band(o.Index.Value, r.lang), r.bandsText()),
		fmt.Sprintf("In %d the residents' quality-satisfaction index of %s was %s, with a 95%% confidence interval of %s, in the “%s” band (%s).", m.Meta.Year, city, fmtIndex(o.Index.Value), fmtCI(o.Index.Lo, o.Index.Hi), m.Band(o.Index.Value, r.lang), r.bandsText()))
	if c := o.Change; c != nil {
		s += r.t(fmt.Sprintf("上年为 %s，", fmtIndex(c.Prev)), fmt.Sprintf(" Last year it was %s.", fmtIndex(c.Prev)))
		s += changeSentence(r.t, r.t("本年", "This year it"), c)
	}
	r.para(s)
	rows := []row{{Cells: []string{r.t("总体满意度指数", "Overall index"), fmtIndex(o.Index.Value), fmtIndex(o.Index.SE), fmtCI(o.Index.Lo, o.Index.Hi), fmtInt(o.Index.N), prev(o.Change), change(o.Change)}}}
	if o.Item != nil && o.Method != "item" {
		rows = append(rows, row{Cells: []string{r.t("总体满意度题得分", "Overall item score"), fmtIndex(o.Item.Value), fmtIndex(o.Item.SE), fmtCI(o.Item.Lo, o.Item.Hi), fmtInt(o.Item.N), "—", "—"}})
	}
	r.table(r.t("总体满意度指数", "Overall satisfaction index"),
		[]column{{r.t("指标", "Measure"), 4, "L"}, {r.t("指数", "Index"), 2, "R"}, {r.t("标准误", "SE"), 2, "R"}, {r.t("95%置信区间", "95% CI"), 3, "R"},
			{r.t("样本量", "n"), 2, "R"}, {r.t("上年", "Last year"), 2, "R"}, {r.t("变化", "Change"), 2, "R"}}, rows, r.sigNote())

	r.subHead("指数构成方法", "How the index is formed")
	r.para(r.t("总体满意度指数采用", "The overall index is ") + r.indexMethodText(o.Method) + r.t("计算。", "."))
	if len(o.Weights) > 0 {
		var rows []row
		for _, w := range o.Weights {
			name := w.Domain
			for _, d := range m.Domains {
				if d.ID == w.Domain {
					name = r.name(d.Name)
				}
			}
			rows = append(rows, row{Cells: []string{name, fmt.Sprintf("%.3f", w.Weight)}})
		}
		r.table(r.t("各领域权重", "Domain weights"), []column{{r.t("领域", "Domain"), 4, "L"}, {r.t("权重", "Weight"), 2, "R"}}, rows)
	}
	if r.ch.trend != nil {
		r.subHead("历年变化", "Trend")
		first, last := m.Trend[0], m.Trend[len(m.Trend)-1]
		r.para(r.t(fmt.Sprintf("%d—%d年总体满意度指数由 %s 变为 %s（%s）。", first.Year, last.Year, fmtIndex(first.Index.Value), fmtIndex(last.Index.Value), r.nextFigure()),
			fmt.Sprintf("From %d to %d the overall index went from %s to %s (%s).", first.Year, last.Year, fmtIndex(first.Index.Value), fmtIndex(last.Index.Value), r.nextFigure())))
		r.figure(r.ch.trend, r.t("历年总体满意度指数（竖线为 95% 置信区间）", "Overall index by year (bars are 95% confidence intervals)"))
	}
}

// bandsText lists the bands: "≥80 满意，70–80 比较满意，…".
func (r *report) bandsText() string {
	bands := r.m.Bands
	if len(bands) == 0 {
		bands = DefaultBands()
	}
	bs := append([]Band(nil), bands...)
	sort.SliceStable(bs, func(i, j int) bool { return bs[i].Min > bs[j].Min })
	var parts []string
	for i, b := range bs {
		name := r.name(b.Name)
		switch {
		case i == 0:
			parts = append(parts, r.t(fmt.Sprintf("%g 分及以上为%s", b.Min, name), fmt.Sprintf("%g and above: %s", b.Min, name)))
		case math.IsInf(b.Min, -1):
			parts = append(parts, r.t(fmt.Sprintf("低于 %g 分为%s", bs[i-1].Min, name), fmt.Sprintf("below %g: %s", bs[i-1].Min, name)))
		default:
			parts = append(parts, r.t(fmt.Sprintf("%g–%g 分为%s", b.Min, bs[i-1].Min, name), fmt.Sprintf("%g–%g: %s", b.Min, bs[i-1].Min, name)))
		}
	}
	return strings.Join(parts, r.t("，", "; "))
}

// 5 Domains and items.
func (r *report) domains() {
	m := r.m
	r.sectionHead("分领域与分项满意度", "Domains and items")
	if len(m.Domains) == 0 {
		r.para(r.t("本次测评未设分领域指标。", "This measurement has no domains."))
		return
	}
	r.subHead("分领域满意度", "Satisfaction by domain")
	ds := append([]DomainResult(nil), m.Domains...)
	sort.SliceStable(ds, func(i, j int) bool { return ds[i].Index.Value > ds[j].Index.Value })
	var order []string
	for _, d := range ds {
		order = append(order, fmt.Sprintf("%s（%s）", r.name(d.Name), fmtIndex(d.Index.Value)))
		if r.lang == "en" {
			order[len(order)-1] = fmt.Sprintf("%s (%s)", r.name(d.Name), fmtIndex(d.Index.Value))
		}
	}
	r.para(r.t(fmt.Sprintf("%d个领域的满意度指数由高到低依次为：%s（%s、%s）。", len(ds), strings.Join(order, "、"), r.nextTable(), r.nextFigure()),
		fmt.Sprintf("From highest to lowest, the %d domains scored: %s (%s, %s).", len(ds), strings.Join(order, ", "), r.nextTable(), r.nextFigure())))
	var rows []row
	for _, d := range m.Domains {
		rows = append(rows, row{Cells: []string{r.name(d.Name), fmtIndex(d.Index.Value), fmtIndex(d.Index.SE), fmtCI(d.Index.Lo, d.Index.Hi), fmtInt(d.Index.N), m.Band(d.Index.Value, r.lang), prev(d.Change), change(d.Change)}})
	}
	r.table(r.t("分领域满意度指数", "Satisfaction index by domain"),
		[]column{{r.t("领域", "Domain"), 4, "L"}, {r.t("指数", "Index"), 2, "R"}, {r.t("标准误", "SE"), 2, "R"}, {r.t("95%置信区间", "95% CI"), 3, "R"},
			{r.t("样本量", "n"), 2, "R"}, {r.t("等级", "Band"), 2.6, "C"}, {r.t("上年", "Last year"), 2, "R"}, {r.t("变化", "Change"), 2, "R"}}, rows, r.sigNote())
	if r.ch.domains != nil {
		r.figure(r.ch.domains, r.t("分领域满意度指数（竖线为 95% 置信区间，虚线为总体指数）", "Domain indices (bars are 95% confidence intervals; the dashed line is the overall index)"))
	}

	r.subHead("分项满意度", "Satisfaction by item")
	flag := fmt.Sprintf("%g", m.flagBelow())
	var flagged int
	rows = nil
	for _, d := range m.Domains {
		rows = append(rows, row{Cells: []string{r.name(d.Name)}, Span: true})
		for _, it := range d.Items {
			mark := ""
			if m.Flagged(it.Index.Value) {
				mark = r.t("▼ 低于"+flag, "▼ below "+flag)
				flagged++
			}
			rows = append(rows, row{Cells: []string{"  " + r.name(it.Name), fmtIndex(it.Index.Value), fmtCI(it.Index.Lo, it.Index.Hi), fmtInt(it.Index.N), change(it.Change), mark}})
		}
	}
	if flagged > 0 {
		r.para(r.t(fmt.Sprintf("在全部分项中，%d个分项的满意度低于 %s 分，已在%s中标出（▼），是需要重点关注的短板。", flagged, flag, r.nextTable()),
			fmt.Sprintf("%d items scored below %s; %s marks them (▼) as the weak points to watch.", flagged, flag, r.nextTable())))
	} else {
		r.para(r.t(fmt.Sprintf("全部分项的满意度均达到 %s 分及以上（%s）。", flag, r.nextTable()), fmt.Sprintf("Every item scored %s or more (%s).", flag, r.nextTable())))
	}
	r.table(r.t("分项满意度指数", "Satisfaction index by item"),
		[]column{{r.t("分项", "Item"), 5, "L"}, {r.t("指数", "Index"), 1.8, "R"}, {r.t("95%置信区间", "95% CI"), 2.8, "R"},
			{r.t("样本量", "n"), 1.7, "R"}, {r.t("较上年", "Change"), 1.8, "R"}, {r.t("标注", "Flag"), 2.2, "C"}}, rows,
		r.sigNote(), r.t("样本量为对该题作出有效评价的人数，选择“不清楚/不适用”者不计入。", "n counts residents who rated the item; “don't know / not applicable” answers are left out."))
}

// 6 Districts.
func (r *report) districts() {
	m := r.m
	r.sectionHead("区县比较", "Districts")
	if len(m.Districts) == 0 {
		r.para(r.t("本次测评未分区县估计。", "This measurement has no district estimates."))
		return
	}
	ranked := m.RankedDistricts()
	var hi, lo []string
	var small int
	for _, d := range ranked {
		if d.Small {
			small++
			continue
		}
		if d.Significant && d.Diff > 0 {
			hi = append(hi, r.name(d.Name))
		}
		if d.Significant && d.Diff < 0 {
			lo = append(lo, r.name(d.Name))
		}
	}
	s := r.t(fmt.Sprintf("各区县满意度指数及排名见%s和%s。", r.nextTable(), r.nextFigure()),
		fmt.Sprintf("%s and %s give the district indices and their ranking.", r.nextTable(), r.nextFigure()))
	if len(hi) > 0 {
		s += r.t(fmt.Sprintf("%s显著高于全市水平；", joinList(r.lang, hi)), fmt.Sprintf(" %s scored significantly above the city.", joinList(r.lang, hi)))
	}
	if len(lo) > 0 {
		s += r.t(fmt.Sprintf("%s显著低于全市水平；", joinList(r.lang, lo)), fmt.Sprintf(" %s scored significantly below the city.", joinList(r.lang, lo)))
	}
	if len(hi)+len(lo) < len(ranked)-small {
		s += r.t("其余区县与全市水平无显著差异。", " The other districts did not differ significantly from the city.")
	}
	s = strings.Replace(s, "；其余", "，其余", 1)
	if strings.HasSuffix(s, "；") {
		s = strings.TrimSuffix(s, "；") + "。"
	}
	r.para(s)
	withChange := false
	for _, d := range ranked {
		withChange = withChange || d.Change != nil
	}
	var rows []row
	for _, d := range ranked {
		rank := fmt.Sprint(d.Rank)
		cmp := r.sig(d.Diff, d.Significant)
		name := r.name(d.Name)
		if d.Small {
			rank = "—"
			cmp = r.t("仅供参考", "for reference")
			name += " †"
		}
		cells := []string{rank, name, fmtIndex(d.Index.Value), fmtCI(d.Index.Lo, d.Index.Hi), fmtInt(d.Index.N), fmtSigned(d.Diff), cmp}
		if withChange {
			cells = append(cells, change(d.Change))
		}
		rows = append(rows, row{Cells: cells})
	}
	notes := []string{r.t(fmt.Sprintf("注：与全市差值为区县指数减全市指数（全市 %s）；差值的 95%% 置信区间不含 0 时为显著。", fmtIndex(m.Overall.Index.Value)),
		fmt.Sprintf("Note: the difference is the district minus the city (city %s); it is significant when its 95%% interval excludes 0.", fmtIndex(m.Overall.Index.Value)))}
	if small > 0 {
		notes = append(notes, r.t(fmt.Sprintf("† 样本量少于 %d 的估计值仅供参考，不参与排名。", m.minN()),
			fmt.Sprintf("† Estimates from fewer than %d respondents are for reference only and are not ranked.", m.minN())))
	}
	cols := []column{{r.t("排名", "Rank"), 1.4, "C"}, {r.t("区县", "District"), 3.2, "L"}, {r.t("指数", "Index"), 1.8, "R"}, {r.t("95%置信区间", "95% CI"), 2.8, "R"},
		{r.t("样本量", "n"), 1.6, "R"}, {r.t("与全市差值", "vs city"), 2, "R"}, {r.t("比较", "Comparison"), 2.4, "C"}}
	if withChange {
		cols = append(cols, column{r.t("较上年", "Change"), 1.8, "R"})
		notes = append(notes, strings.TrimPrefix(strings.TrimPrefix(r.sigNote(), "注："), "Note: "))
	}
	r.table(r.t("各区县满意度指数与排名", "District indices and ranking"), cols, rows, notes...)
	if r.ch.districts != nil {
		r.figure(r.ch.districts, r.t("各区县满意度指数排名（横线为 95% 置信区间，灰色为样本量不足的区县）", "District ranking (whiskers are 95% confidence intervals; grey bars have too few respondents)"))
	}
}

// 7 Groups.
func (r *report) groups() {
	m := r.m
	r.sectionHead("人群差异", "Differences between groups")
	if len(m.Groups) == 0 {
		r.para(r.t("本次测评未分人群估计。", "This measurement has no group estimates."))
		return
	}
	var rows []row
	var sig []string
	for _, g := range m.Groups {
		rows = append(rows, row{Cells: []string{r.name(g.Dimension)}, Span: true})
		for _, x := range g.Rows {
			cmp := r.sig(x.Diff, x.Significant)
			if m.Small(x.Index) {
				cmp = r.t("仅供参考", "for reference")
			} else if x.Significant {
				if r.lang == "en" {
					sig = append(sig, fmt.Sprintf("%s (%s)", r.name(x.Label), fmtSigned(x.Diff)))
				} else {
					sig = append(sig, fmt.Sprintf("%s（%s）", r.name(x.Label), fmtSigned(x.Diff)))
				}
			}
			rows = append(rows, row{Cells: []string{"  " + r.name(x.Label), fmtIndex(x.Index.Value), fmtCI(x.Index.Lo, x.Index.Hi), fmtInt(x.Index.N), fmtSigned(x.Diff), cmp}})
		}
	}
	s := r.t(fmt.Sprintf("按性别、年龄和文化程度分组的总体满意度指数见%s。", r.nextTable()),
		fmt.Sprintf("%s gives the overall index by gender, age and education.", r.nextTable()))
	if len(sig) > 0 {
		s += r.t(fmt.Sprintf("与其余人群相比差异显著的有：%s。", joinList(r.lang, sig)),
			fmt.Sprintf(" Groups that differ significantly from the rest: %s.", joinList(r.lang, sig)))
	} else {
		s += r.t("各人群之间均无显著差异。", " No group differs significantly from the rest.")
	}
	r.para(s)
	r.table(r.t("不同人群的总体满意度指数", "Overall index by group"),
		[]column{{r.t("人群", "Group"), 4, "L"}, {r.t("指数", "Index"), 2, "R"}, {r.t("95%置信区间", "95% CI"), 3, "R"},
			{r.t("样本量", "n"), 2, "R"}, {r.t("与其余人群差值", "vs the rest"), 2.6, "R"}, {r.t("比较", "Comparison"), 3, "C"}}, rows,
		r.t("注：差值为该人群减其余人群；差值的 95% 置信区间不含 0 时为显著。", "Note: the difference is the group minus everyone else; significant when its 95% interval excludes 0."))
}

// 8 Drivers.
func (r *report) drivers() {
	m := r.m
	r.sectionHead("影响因素", "Drivers of satisfaction")
	if len(m.Drivers) == 0 {
		r.para(r.t("本次测评未做影响因素分析。", "No driver analysis was made for this measurement."))
		return
	}
	zones, cutI, cutP := m.Zones()
	type dz struct {
		d Driver
		z Zone
	}
	ds := make([]dz, len(m.Drivers))
	for i := range m.Drivers {
		ds[i] = dz{m.Drivers[i], zones[i]}
	}
	sort.SliceStable(ds, func(i, j int) bool { return ds[i].d.Importance > ds[j].d.Importance })
	s := r.t("以总体满意度题为因变量、各领域得分为自变量进行回归，将正的标准化回归系数归一化为各领域的影响占比。",
		"The overall item was regressed on the domain scores and the positive standardized coefficients normalized into each domain's share of the influence.")
	if len(ds) >= 2 {
		s += r.t(fmt.Sprintf("%s和%s两个领域合计占影响的 %s。", r.name(ds[0].d.Name), r.name(ds[1].d.Name), fmtPct(ds[0].d.Importance+ds[1].d.Importance)),
			fmt.Sprintf(" %s and %s together account for %s of the influence.", r.name(ds[0].d.Name), r.name(ds[1].d.Name), fmtPct(ds[0].d.Importance+ds[1].d.Importance)))
	}
	r.para(s)
	var rows []row
	for _, x := range ds {
		rows = append(rows, row{Cells: []string{r.name(x.d.Name), fmtPct(x.d.Importance), fmtPct(x.d.ImportanceSE), fmtIndex(x.d.Performance), x.z.Name(r.lang)}})
	}
	r.table(r.t("各领域影响占比与满意度", "Share of influence and performance by domain"),
		[]column{{r.t("领域", "Domain"), 4, "L"}, {r.t("影响占比", "Share"), 2, "R"}, {r.t("标准误", "SE"), 2, "R"}, {r.t("满意度指数", "Index"), 2, "R"}, {r.t("所属区域", "Zone"), 3, "C"}}, rows)
	r.para(r.t(fmt.Sprintf("以影响占比均值（%s）和满意度均值（%s）为分界线，将各领域划入重要性—表现矩阵的四个区域（%s）：重点改进区（重要性高、满意度低）、优势区（重要性高、满意度高）、机会区（重要性低、满意度低）和维持区（重要性低、满意度高）。", fmtPct(cutI), fmtIndex(cutP), r.nextFigure()),
		fmt.Sprintf("Cutting at the mean share (%s) and the mean index (%s) places each domain in one of four zones of the importance–performance matrix (%s): improve first (high importance, low score), strength (high, high), opportunity (low, low) and maintain (low importance, high score).", fmtPct(cutI), fmtIndex(cutP), r.nextFigure())))
	if r.ch.matrix != nil {
		r.figure(r.ch.matrix, r.t("重要性—表现矩阵（GB/T 19038 附录 D）", "Importance–performance matrix (GB/T 19038 annex D)"))
	}
}

// 9 Awareness, participation, confidence.
func (r *report) indicators() {
	m := r.m
	r.sectionHead("知晓度、参与度与信心", "Awareness, participation and confidence")
	if len(m.Indicators) == 0 {
		r.para(r.t("本次测评未设知晓度、参与度与信心题。", "This measurement asked no awareness, participation or confidence questions."))
		return
	}
	var rows []row
	var sents []string
	for _, ind := range m.Indicators {
		rows = append(rows, row{Cells: []string{fmt.Sprintf("%s（n=%s）", r.name(ind.Question), fmtInt(ind.N))}, Span: true})
		if r.lang == "en" {
			rows[len(rows)-1].Cells[0] = fmt.Sprintf("%s (n=%s)", r.name(ind.Question), fmtInt(ind.N))
		}
		for _, o := range ind.Options {
			pv := "—"
			if !math.IsNaN(o.Prev) && o.Prev >= 0 {
				pv = fmtPct(o.Prev)
			}
			rows = append(rows, row{Cells: []string{"  " + r.name(o.Label), fmtPct(o.P), fmtPct(o.Lo) + "–" + fmtPct(o.Hi), pv}})
		}
		if len(ind.Options) > 0 {
			o := ind.Options[0]
			sents = append(sents, r.t(fmt.Sprintf("“%s”选择“%s”的比例为 %s", r.name(ind.Question), r.name(o.Label), fmtPct(o.P)),
				fmt.Sprintf("%s: %s %s", r.name(ind.Question), r.name(o.Label), fmtPct(o.P))))
		}
	}
	r.para(r.t("各题结果见"+r.nextTable()+"。其中，"+strings.Join(sents, "；")+"。",
		r.nextTable()+" gives the results: "+strings.Join(sents, "; ")+"."))
	r.table(r.t("知晓度、参与度与信心", "Awareness, participation and confidence"),
		[]column{{r.t("题目与选项", "Question and answer"), 6, "L"}, {r.t("比例", "Share"), 2, "R"}, {r.t("95%置信区间", "95% CI"), 3, "R"}, {r.t("上年", "Last year"), 2, "R"}}, rows,
		r.t("注：比例为加权比例，置信区间采用 logit 变换计算。", "Note: weighted shares; intervals are computed on the logit scale."))
}

// 10 Suggestions.
func (r *report) suggestions() {
	m := r.m
	sg := m.Suggestions
	r.sectionHead("意见建议", "Suggestions")
	s := r.t(fmt.Sprintf("本次测评共收集市民意见建议 %s 条", fmtInt(sg.Total)), fmt.Sprintf("Residents left %s suggestions", fmtInt(sg.Total)))
	if sg.PrevTotal >= 0 {
		s += r.t(fmt.Sprintf("（上年 %s 条）", fmtInt(sg.PrevTotal)), fmt.Sprintf(" (last year %s)", fmtInt(sg.PrevTotal)))
	}
	if len(sg.ByDomain) > 0 {
		s += r.t(fmt.Sprintf("，按领域归类后的分布见%s。", r.nextTable()), fmt.Sprintf("; %s shows them coded by domain.", r.nextTable()))
	} else {
		s += r.t("。", ".")
	}
	r.para(s)
	if len(sg.ByDomain) > 0 {
		var rows []row
		for _, c := range sg.ByDomain {
			pv, ch := "—", "—"
			if c.Prev >= 0 {
				pv = fmtInt(c.Prev)
				ch = fmt.Sprintf("%+d", c.Count-c.Prev)
			}
			rows = append(rows, row{Cells: []string{r.name(c.Name), fmtInt(c.Count), rate(c.Count, sg.Total), pv, ch}})
		}
		r.table(r.t("意见建议按领域分布", "Suggestions by domain"),
			[]column{{r.t("领域", "Domain"), 4, "L"}, {r.t("条数", "Count"), 2, "R"}, {r.t("占比", "Share"), 2, "R"}, {r.t("上年", "Last year"), 2, "R"}, {r.t("变化", "Change"), 2, "R"}}, rows)
	}
	if len(sg.Quotes) > 0 {
		r.subHead("代表性意见", "Representative suggestions")
		for _, q := range sg.Quotes {
			txt := r.t("“"+q.Text+"”（"+r.name(q.Domain)+"）", "“"+q.Text+"” ("+r.name(q.Domain)+")")
			r.paraStyle(txt, 10, 6, false, 8)
		}
	}
}

// 11 Conclusions.
func (r *report) conclusions() {
	m := r.m
	r.sectionHead("结论与建议", "Conclusions and recommendations")
	cs := m.Conclusions
	if len(cs) == 0 {
		mm := *m
		mm.Meta.Lang = r.lang
		cs = GenerateConclusions(&mm)
	}
	for i, c := range cs {
		r.para(fmt.Sprintf("%d. %s", i+1, c))
	}
}

// 12 Appendices.
func (r *report) appendix() {
	m := r.m
	r.newPage()
	r.sectionHead("附录", "Appendices")
	r.subHead("调查问卷", "Questionnaire")
	if len(m.Appendix.Questionnaire) == 0 {
		r.para(r.t("（问卷另附。）", "(The questionnaire is attached separately.)"))
	}
	q := 0
	for _, pg := range m.Appendix.Questionnaire {
		r.pdf.SetTextColor(0x1f, 0x4e, 0x79)
		r.paraStyle(r.name(pg.Title), 10.5, 6.4, false, 0)
		r.pdf.SetTextColor(0, 0, 0)
		for _, it := range pg.Items {
			q++
			r.listItem(fmt.Sprintf("%d.", q), r.name(it.Text), 9.5, 5.4, 4)
		}
	}

	r.subHead("加权与方差估计方法", "Weighting and variance estimation")
	for _, w := range m.Appendix.Weighting {
		r.para(r.name(w))
	}
	formulas := [][2]string{
		{"分项得分：对 1–10 分量表，s = 100 × (x − 1) / (10 − 1)；选择“不清楚/不适用”视为该题缺失，不计为得分。",
			"Item score: on a 1–10 scale, s = 100 × (x − 1) / (10 − 1); “don't know / not applicable” is item nonresponse, never a score."},
		{"分项指数：I_j = Σ w_i s_ij / Σ w_i，求和范围为对第 j 题作出有效评价的受访者，w_i 为最终权数。",
			"Item index: I_j = Σ w_i s_ij / Σ w_i over the respondents who rated item j; w_i is the final weight."},
		{"领域指数与总体指数：D_k = Σ_j a_kj I_j，CSI = Σ_k b_k D_k，其中 Σ_j a_kj = 1，Σ_k b_k = 1，权重 b_k 见第四部分。",
			"Domain and overall index: D_k = Σ_j a_kj I_j and CSI = Σ_k b_k D_k with Σ_j a_kj = 1 and Σ_k b_k = 1; the weights b_k are in section 4."},
		{"权数：w_i = d_i × g_i，其中 d_i = N_h / n_h 为第 h 区县的设计权数，g_i 为按区县 × 性别 × 年龄组校准到常住人口结构的调整系数。",
			"Weights: w_i = d_i × g_i, where d_i = N_h / n_h is the design weight of district h and g_i calibrates district × gender × age band to the resident population."},
		{"方差估计：以区县为层，采用泰勒线性化法，v(I) = Σ_h n_h / (n_h − 1) × Σ_i (z_hi − m_h)²，z_hi = w_hi (s_hi − I) / Σ w，m_h 为第 h 层 z_hi 的均值；95% 置信区间为 I ± 1.96 × √v(I)。",
			"Variance: Taylor linearization with districts as strata, v(I) = Σ_h n_h / (n_h − 1) × Σ_i (z_hi − m_h)², z_hi = w_hi (s_hi − I) / Σ w and m_h the mean of z_hi in stratum h; the 95% interval is I ± 1.96 × √v(I)."},
		{"比例的置信区间：在 logit 尺度上计算，logit(p) ± 1.96 × SE(p) / [p(1 − p)]，再反变换回比例。",
			"Intervals for shares are computed on the logit scale, logit(p) ± 1.96 × SE(p) / [p(1 − p)], and transformed back."},
		{"差异检验：两年之差 d 的标准误为 √(v₁ + v₂)；区县与全市之差计入两者的协方差。差值的 95% 置信区间不含 0 时，判定差异显著。",
			"Tests: the difference d between two years has standard error √(v₁ + v₂); a district's difference from the city accounts for their covariance. A difference is significant when its 95% interval excludes 0."},
	}
	for _, f := range formulas {
		r.paraStyle(r.t(f[0], f[1]), 9.5, 5.6, false, 4)
	}
	if m.Appendix.DEFF > 0 {
		r.para(r.t(fmt.Sprintf("总体满意度指数的设计效应（DEFF）为 %.2f。", m.Appendix.DEFF), fmt.Sprintf("The design effect (DEFF) of the overall index is %.2f.", m.Appendix.DEFF)))
	}

	r.subHead("信度检验", "Reliability")
	var rows []row
	for _, d := range m.Domains {
		a := "—"
		judge := "—"
		if !math.IsNaN(d.Alpha) && d.Alpha != 0 {
			a = fmt.Sprintf("%.3f", d.Alpha)
			switch {
			case d.Alpha >= 0.9:
				judge = r.t("很好", "excellent")
			case d.Alpha >= 0.8:
				judge = r.t("良好", "good")
			case d.Alpha >= 0.7:
				judge = r.t("可接受", "acceptable")
			default:
				judge = r.t("偏低", "low")
			}
		}
		rows = append(rows, row{Cells: []string{r.name(d.Name), fmt.Sprint(len(d.Items)), a, judge}})
	}
	r.para(r.t(fmt.Sprintf("各领域量表的内部一致性以 Cronbach's α 系数衡量，α = k / (k − 1) × (1 − Σ σ_j² / σ_T²)，见%s。", r.nextTable()),
		fmt.Sprintf("Internal consistency of each domain's items is measured by Cronbach's α = k / (k − 1) × (1 − Σ σ_j² / σ_T²); see %s.", r.nextTable())))
	r.table(r.t("各领域 Cronbach's α 系数", "Cronbach's α by domain"),
		[]column{{r.t("领域", "Domain"), 4, "L"}, {r.t("题目数", "Items"), 2, "R"}, {"α", 2, "R"}, {r.t("评价", "Rating"), 2, "C"}}, rows)

	r.subHead("完整数据表", "Full tables")
	rows = nil
	for _, d := range m.Domains {
		rows = append(rows, row{Cells: []string{r.name(d.Name)}, Span: true})
		for _, it := range d.Items {
			rows = append(rows, row{Cells: []string{it.ID, r.name(it.Name), fmtIndex(it.Index.Value), fmtIndex(it.Index.SE), fmtCI(it.Index.Lo, it.Index.Hi), fmtInt(it.Index.N), prev(it.Change), change(it.Change)}})
		}
	}
	r.table(r.t("分项满意度完整结果", "All item results"),
		[]column{{r.t("编号", "ID"), 1.6, "L"}, {r.t("分项", "Item"), 4.4, "L"}, {r.t("指数", "Index"), 1.7, "R"}, {r.t("标准误", "SE"), 1.6, "R"},
			{r.t("95%置信区间", "95% CI"), 2.8, "R"}, {r.t("样本量", "n"), 1.6, "R"}, {r.t("上年", "Last year"), 1.7, "R"}, {r.t("变化", "Change"), 1.7, "R"}}, rows, r.sigNote())
	if len(m.Districts) > 0 && len(m.Districts[0].Domains) == len(m.Domains) {
		cols := []column{{r.t("区县", "District"), 2.0, "L"}}
		for _, name := range r.domainNames() {
			cols = append(cols, column{name, 2.6, "R"})
		}
		cols = append(cols, column{r.t("总体", "Overall"), 1.6, "R"}, column{r.t("样本量", "n"), 1.6, "R"})
		rows = nil
		for _, d := range m.Districts {
			cells := []string{r.name(d.Name)}
			if m.Small(d.Index) {
				cells[0] += " †"
			}
			for _, v := range d.Domains {
				cells = append(cells, fmtIndex(v))
			}
			cells = append(cells, fmtIndex(d.Index.Value), fmtInt(d.Index.N))
			rows = append(rows, row{Cells: cells})
		}
		r.table(r.t("各区县分领域满意度指数", "Domain indices by district"), cols, rows,
			r.t(fmt.Sprintf("† 样本量少于 %d 的估计值仅供参考，不参与排名。", m.minN()), fmt.Sprintf("† Estimates from fewer than %d respondents are for reference only and are not ranked.", m.minN())))
	}
}
