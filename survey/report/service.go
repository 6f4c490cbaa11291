package report

import (
	"fmt"
	"math"
	"strings"

	"github.com/go-pdf/fpdf"

	"manyi/static"
	"manyi/survey"
	"manyi/survey/csi"
)

// ServiceInput is what the service-industry CSI report prints: the
// measurement's identity (Meta, as the residents' report) and the one
// computation of csi.Compute.
type ServiceInput struct {
	Meta    Meta
	Results *csi.Results
	// PrevTitle names last year's measurement ("" without one).
	PrevTitle survey.Text
	// Conclusions are the office's saved paragraphs; empty: generated.
	Conclusions []string
	// Questionnaire, when set, is listed in the appendix.
	Questionnaire *survey.Questionnaire
}

// RenderService lays out the 《服务业顾客满意度测评报告》 in the residents'
// report's style (cover, contents, numbered sections, three-line tables,
// figures): background; method; sample by sector and district; the model
// and its quality; overall and sector CSIs; constructs; drivers; district
// comparison; conclusions; appendices. The same input gives the same bytes.
func RenderService(in ServiceInput, opt Options) ([]byte, error) {
	m := &Model{Meta: in.Meta}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	if in.Results == nil {
		return nil, survey.Errorf(survey.EINVALID, "报告缺少测评结果", "the report has no results")
	}
	lang := opt.Lang
	if lang == "" {
		lang = in.Meta.Lang
	}
	lang = survey.NormLang(lang)
	ch, err := serviceCharts(in, lang)
	if err != nil {
		return nil, err
	}
	font := static.CJKFont()
	return settle(func(known []tocEntry, total int) *report {
		return buildService(in, m, lang, font, ch, known, total).report
	})
}

// serviceChartSet are the PNG figures of the service report.
type serviceChartSet struct {
	sectors, districts *chart
	ipm                map[string]*chart
}

// serviceCharts draws the figures with the residents' chart functions:
// sector CSIs as the domain bars, districts as the district bars, each
// sector's drivers as the importance–performance matrix.
func serviceCharts(in ServiceInput, lang string) (*serviceChartSet, error) {
	res := in.Results
	c := &serviceChartSet{ipm: map[string]*chart{}}
	sm := &Model{Overall: Overall{Index: csiEst(res.Overall)}}
	for _, s := range res.Sectors {
		if s.Failed == nil {
			sm.Domains = append(sm.Domains, DomainResult{ID: s.Sector.Code, Name: s.Sector.Name, Index: csiEst(s.CSI)})
		}
	}
	var err error
	if len(sm.Domains) > 0 {
		if c.sectors, err = chartDomains(sm, lang); err != nil {
			return nil, err
		}
	}
	dm := &Model{MinN: 1}
	for _, d := range res.Districts {
		e := csiEst(d.CSI)
		e.N = d.N
		dm.Districts = append(dm.Districts, DistrictResult{ID: d.District.Code, Name: d.District.Name, Index: e, Diff: d.Diff})
	}
	dm.Overall.Index = csiEst(res.Overall)
	if len(dm.Districts) > 0 {
		if c.districts, err = chartDistricts(dm, lang); err != nil {
			return nil, err
		}
	}
	for k, s := range res.Sectors {
		if s.Failed != nil || len(s.IPM) < 2 {
			continue
		}
		mm := &Model{}
		for _, x := range s.IPM {
			mm.Drivers = append(mm.Drivers, Driver{Domain: x.ID, Name: x.Label, Importance: x.Share, ImportanceSE: x.SE, Performance: x.Score})
		}
		if c.ipm[s.Sector.Code], err = chartMatrixWidth(mm, lang, widthMatrix-0.4*float64(k+1)); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func csiEst(e csi.Estimate) Estimate { return Estimate{Value: e.Value, SE: e.SE, Lo: e.Lo, Hi: e.Hi} }

// serviceReport is one layout pass of the service report.
type serviceReport struct {
	*report
	in ServiceInput
	sc *serviceChartSet
}

func buildService(in ServiceInput, m *Model, lang string, font []byte, ch *serviceChartSet, known []tocEntry, total int) *serviceReport {
	title := tr(lang, fmt.Sprintf("%s%d年服务业顾客满意度测评报告", m.Meta.City.Get(lang), m.Meta.Year),
		fmt.Sprintf("%s %d Service-Industry Customer Satisfaction Report", m.Meta.City.Get(lang), m.Meta.Year))
	l := newLayout(lang, font, docMeta{title: title, author: m.Meta.Office.Get(lang), subject: m.Meta.Title.Get(lang), header: title, date: m.Meta.ReportDate.UTC()})
	l.known, l.total = known, total
	r := &serviceReport{report: &report{layout: l, m: m, ch: &charts{},
		coverTitle: tr(lang, "服务业顾客满意度测评报告", "Service-Industry Customer Satisfaction Report")}, in: in, sc: ch}
	r.cover()
	r.contents()
	r.svcBackground()
	r.svcMethod()
	r.svcSample()
	r.svcModel()
	r.svcCSI()
	r.svcConstructs()
	r.svcDrivers()
	r.svcDistricts()
	r.svcConclusions()
	r.svcAppendix()
	return r
}

func (r *serviceReport) okSectors() []*csi.SectorResult {
	var out []*csi.SectorResult
	for _, s := range r.in.Results.Sectors {
		if s.Failed == nil {
			out = append(out, s)
		}
	}
	return out
}

func f3s(v float64) string {
	if math.IsNaN(v) {
		return "—"
	}
	return fmt.Sprintf("%.3f", v)
}

func (r *serviceReport) changeText(c *csi.Change) string {
	if c == nil {
		return "—"
	}
	sig := r.t("，不显著", ", not significant")
	if c.Significant {
		sig = r.t("，显著", ", significant")
	}
	pv := fmt.Sprintf("p = %.3f", c.P)
	if c.P < 0.001 {
		pv = "p < 0.001"
	}
	return fmt.Sprintf("%+.2f（%s%s）", c.Diff, pv, sig)
}

func (r *serviceReport) sectorNames() []string {
	var out []string
	for _, s := range r.in.Results.Sectors {
		out = append(out, r.name(s.Sector.Name))
	}
	return out
}

func (r *serviceReport) svcBackground() {
	m := r.m
	if r.backgroundHead() {
		return
	}
	city := r.name(m.Meta.City)
	r.para(r.t(
		fmt.Sprintf("为推进质量强市建设、提升服务业质量水平，%s于%d年组织开展了服务业顾客满意度测评，作为市民质量满意度测评之外的第二项满意度测评。测评结果用于评价本市服务业质量的总体水平及其变化，并与同类城市比较。", city, m.Meta.Year),
		fmt.Sprintf("To raise the quality of its service industries, %s ran a service-industry customer satisfaction measurement in %d, the second satisfaction measurement beside the residents' quality satisfaction. Its results rate the quality of the city's services, their change and their standing among comparable cities.", city, m.Meta.Year)))
	r.para(r.t(
		"测评采用中国顾客满意度指数（CCSI）模型（GB/T 19038《顾客满意测评模型和方法指南》系列），以偏最小二乘法估计结构方程模型，覆盖"+joinList(r.lang, r.sectorNames())+"等行业。",
		"It uses the China customer satisfaction index model (CCSI, the GB/T 19038 family), a structural equation model estimated by partial least squares, and covers "+joinList(r.lang, r.sectorNames())+"."))
}

func (r *serviceReport) svcMethod() {
	res := r.in.Results
	r.sectionHead("测评方法", "Method")
	r.subHead("调查对象与样本", "Population and sample")
	r.para(r.t(
		fmt.Sprintf("调查对象为最近 3 个月内接受过各行业服务的 18 周岁及以上顾客，在各区县的服务场所由访员用平板电脑拦截访问，并辅以各行业的公开链接和顾客名单邀请。各行业、各区县按固定样本量或配额执行，共获得有效样本 %d 份。", res.N),
		fmt.Sprintf("Respondents are customers aged 18 or over who used a sector's service in the last 3 months, interviewed face to face on tablets at service sites in every district, supplemented by open links and customer lists. Fieldwork followed fixed sample sizes or quotas per sector and district; %d valid interviews were obtained.", res.N)))
	r.subHead("模型与估计", "Model and estimation")
	r.para(r.t(
		"CCSI 模型包含品牌形象、顾客预期、感知质量、感知价值、顾客满意、顾客抱怨和顾客忠诚七个构念，每个构念由 3–4 个 1–10 分题目测量（反映型）。结构路径为：品牌形象→顾客预期、感知质量、顾客满意、顾客忠诚；顾客预期→感知质量、感知价值、顾客满意；感知质量→感知价值、顾客满意；感知价值→顾客满意；顾客满意→顾客抱怨、顾客忠诚；顾客抱怨→顾客忠诚。",
		"The CCSI model has seven constructs — brand image, expectation, perceived quality, perceived value, satisfaction, complaints and loyalty — each measured by 3–4 items on 1–10 (reflective). Its paths: image → expectation, quality, satisfaction and loyalty; expectation → quality, value and satisfaction; quality → value and satisfaction; value → satisfaction; satisfaction → complaints and loyalty; complaints → loyalty."))
	r.para(r.t(
		fmt.Sprintf("每个行业分别以偏最小二乘路径模型（Lohmöller 迭代算法，路径加权，指标标准化）估计；构念指数为外部权重归一化后各题得分的加权平均，由 1–10 分换算到 0–100 分。“不清楚”视为缺失，以受访者同一构念其他题目的均值替代。行业内按区县（及性别×年龄段）人口比例耙权。标准误和 95%% 区间由自助法（%d 次，按区县分层重抽样）得到。全市指数为各行业满意度指数按行业权重（%s）的加权平均，其标准误为 √(Σa²SE²)。", res.Reps, r.weightsText()),
		fmt.Sprintf("Each sector's model is estimated by PLS path modelling (Lohmöller's algorithm, path weighting, standardized indicators); a construct index is the weighted mean of its items with the outer weights rescaled to sum 1, mapped from 1–10 to 0–100. Don't-know answers are missing and replaced by the respondent's mean of the construct's other items. Within each sector respondents are raked to the population shares of the districts (and gender × age band). Standard errors and 95%% intervals come from %d bootstrap replicates resampled within districts. The city's CSI is the sector satisfaction indices averaged with the sector weights (%s); its SE is √(Σa²SE²).", res.Reps, r.weightsText())))
}

func (r *serviceReport) weightsText() string {
	res := r.in.Results
	if res.EqualWeights {
		return r.t("各行业等权", "equal weights")
	}
	var parts []string
	for _, s := range r.okSectors() {
		parts = append(parts, fmt.Sprintf("%s %.1f%%", r.name(s.Sector.Name), 100*res.Weights[s.Sector.Code]))
	}
	b := strings.Join(parts, r.t("、", ", "))
	if res.WeightsBasis != "" {
		b = res.WeightsBasis + r.t("：", ": ") + b
	}
	return b
}

func (r *serviceReport) svcSample() {
	res := r.in.Results
	r.sectionHead("样本结构", "The sample")
	r.para(r.t("表中为各行业、各区县的有效样本量。", "The valid interviews by sector and district."))
	var districts []survey.District
	seen := map[string]bool{}
	count := map[string]map[string]int{}
	for _, s := range res.Sectors {
		count[s.Sector.Code] = map[string]int{}
		for _, d := range s.Districts {
			count[s.Sector.Code][d.District.Code] = d.N
			if !seen[d.District.Code] {
				seen[d.District.Code] = true
				districts = append(districts, d.District)
			}
		}
	}
	cols := []column{{Head: r.t("行业", "Sector"), Width: 3, Align: "L"}}
	for _, d := range districts {
		cols = append(cols, column{Head: r.name(d.Name), Width: 2, Align: "R"})
	}
	cols = append(cols, column{Head: r.t("合计", "Total"), Width: 1.6, Align: "R"})
	var rows []row
	for _, s := range res.Sectors {
		cells := []string{r.name(s.Sector.Name)}
		for _, d := range districts {
			cells = append(cells, fmt.Sprint(count[s.Sector.Code][d.Code]))
		}
		cells = append(cells, fmt.Sprint(s.N))
		rows = append(rows, row{Cells: cells})
	}
	r.table(r.t("分行业、分区县样本量", "Sample by sector and district"), cols, rows)
}

func (r *serviceReport) svcModel() {
	r.sectionHead("模型及其质量", "The model and its quality")
	r.para(r.t(
		"测量模型的质量以题目载荷（≥0.7）、Cronbach's α（≥0.7）、组合信度 CR（≥0.7）和平均提取方差 AVE（≥0.5）衡量；低于阈值者在附录表中标记“▼”。结构模型以满意度的 R² 和拟合优度 GoF 衡量。",
		"The measurement model is judged by the item loadings (≥ 0.7), Cronbach's α (≥ 0.7), composite reliability CR (≥ 0.7) and the average variance extracted AVE (≥ 0.5); figures below these are flagged ▼ in the appendix tables. The structural model is judged by the R² of satisfaction and the goodness of fit GoF."))
	cols := []column{{Head: r.t("行业", "Sector"), Width: 3, Align: "L"}, {Head: r.t("满意度 R²", "R² of satisfaction"), Width: 2, Align: "R"},
		{Head: "GoF", Width: 1.6, Align: "R"}, {Head: r.t("最低 AVE", "Lowest AVE"), Width: 2, Align: "R"}, {Head: r.t("最低 CR", "Lowest CR"), Width: 2, Align: "R"},
		{Head: r.t("低于阈值", "Below threshold"), Width: 2, Align: "R"}}
	var rows []row
	for _, s := range r.okSectors() {
		minAVE, minCR, flags := math.Inf(1), math.Inf(1), 0
		for _, b := range s.Blocks {
			minAVE, minCR = math.Min(minAVE, b.AVE), math.Min(minCR, b.CR)
			for _, it := range b.Items {
				if it.LowLoading {
					flags++
				}
			}
			if b.LowAlpha || b.LowCR || b.LowAVE {
				flags++
			}
		}
		rows = append(rows, row{Cells: []string{r.name(s.Sector.Name), f3s(s.Construct("satisfaction").R2), f3s(s.GoF), f3s(minAVE), f3s(minCR), fmt.Sprint(flags)}})
	}
	r.table(r.t("各行业模型质量", "Model quality by sector"), cols, rows)
	if ss := r.okSectors(); len(ss) > 0 {
		s := ss[0]
		for _, x := range ss {
			if x.N > s.N {
				s = x
			}
		}
		r.pathDiagram(s)
	}
}

// pathDiagram draws a sector's path model with fpdf primitives, in the
// layout of the results page (csi.DiagramNodes), with a figure caption.
func (r *serviceReport) pathDiagram(s *csi.SectorResult) {
	p := r.pdf
	scale := contentW / csi.DiagramW
	h := csi.DiagramH * scale
	r.need(h + 10)
	x0, y0 := marginL, p.GetY()+1
	for _, pa := range s.Paths {
		a, b := csi.NodeAt(pa.From), csi.NodeAt(pa.To)
		x1, y1, x2, y2 := csi.EdgeEnds(a, b)
		X1, Y1, X2, Y2 := x0+x1*scale, y0+y1*scale, x0+x2*scale, y0+y2*scale
		if pa.Significant {
			p.SetDrawColor(0x22, 0x44, 0x66)
			p.SetFillColor(0x22, 0x44, 0x66)
			p.SetDashPattern(nil, 0)
		} else {
			p.SetDrawColor(0x99, 0x99, 0x99)
			p.SetFillColor(0x99, 0x99, 0x99)
			p.SetDashPattern([]float64{1.2, 1}, 0)
		}
		p.SetLineWidth(0.3)
		p.Line(X1, Y1, X2, Y2)
		p.SetDashPattern(nil, 0)
		// Arrow head.
		ang := math.Atan2(Y2-Y1, X2-X1)
		const al, aw = 2.2, 0.9
		p.Polygon(fpdfPoints{{X2, Y2}, {X2 - al*math.Cos(ang) + aw*math.Sin(ang), Y2 - al*math.Sin(ang) - aw*math.Cos(ang)},
			{X2 - al*math.Cos(ang) - aw*math.Sin(ang), Y2 - al*math.Sin(ang) + aw*math.Cos(ang)}}.pts(), "F")
		mx, my := X1+(X2-X1)*0.45, Y1+(Y2-Y1)*0.45
		r.setFont(7.5)
		p.SetFillColor(0xff, 0xff, 0xff)
		lab := fmt.Sprintf("%.2f", pa.Coef.Value)
		w := p.GetStringWidth(lab) + 1.2
		p.Rect(mx-w/2, my-1.8, w, 3.6, "F")
		p.SetTextColor(0x22, 0x44, 0x66)
		p.SetXY(mx-w/2, my-1.8)
		p.CellFormat(w, 3.6, lab, "", 0, "C", false, 0, "")
	}
	for _, n := range csi.DiagramNodes {
		c := s.Construct(n.ID)
		if c == nil {
			continue
		}
		bx, by, bw, bh := x0+(n.X-csi.NodeW/2)*scale, y0+(n.Y-csi.NodeH/2)*scale, csi.NodeW*scale, csi.NodeH*scale
		p.SetDrawColor(0x22, 0x44, 0x66)
		p.SetFillColor(0xee, 0xf3, 0xf8)
		if n.ID == "satisfaction" {
			p.SetFillColor(0xdd, 0xe9, 0xf5)
		}
		p.SetLineWidth(0.3)
		p.RoundedRect(bx, by, bw, bh, 1.5, "1234", "FD")
		p.SetTextColor(0x22, 0x22, 0x22)
		r.setFont(8.5)
		p.SetXY(bx, by+1.2)
		p.CellFormat(bw, 4, r.name(c.Name), "", 0, "C", false, 0, "")
		r.setFont(7.5)
		line := fmt.Sprintf("%.1f", c.Index.Value)
		if c.R2 > 0 {
			line += fmt.Sprintf(" · R² %.2f", c.R2)
		}
		p.SetXY(bx, by+5.6)
		p.CellFormat(bw, 4, line, "", 0, "C", false, 0, "")
	}
	p.SetTextColor(0, 0, 0)
	p.SetDrawColor(0, 0, 0)
	p.SetXY(marginL, y0+h+1)
	r.figures++
	r.setFont(10)
	cap := r.t(fmt.Sprintf("%s路径模型（路径系数；虚线为不显著）", r.name(s.Sector.Name)), fmt.Sprintf("%s: path model (coefficients; dashed: not significant)", r.name(s.Sector.Name)))
	p.CellFormat(contentW, 7, r.t(fmt.Sprintf("图 %d  %s", r.figures, cap), fmt.Sprintf("Figure %d  %s", r.figures, cap)), "", 1, "C", false, 0, "")
	p.SetY(p.GetY() + 3)
}

func (r *serviceReport) svcCSI() {
	res := r.in.Results
	r.sectionHead("总体及分行业满意度", "Overall and sector CSIs")
	o := res.Overall
	txt := r.t(fmt.Sprintf("全市服务业顾客满意度指数为 %.2f，95%% 置信区间 %.2f–%.2f（标准误 %.2f）。", o.Value, o.Lo, o.Hi, o.SE),
		fmt.Sprintf("The city's customer satisfaction index is %.2f, 95%% interval %.2f–%.2f (SE %.2f). ", o.Value, o.Lo, o.Hi, o.SE))
	if c := res.OverallChange; c != nil {
		txt += r.t(fmt.Sprintf("比上年（%.2f）变化 %s。", c.Prev, r.changeText(c)), fmt.Sprintf("On last year (%.2f) it changed by %s.", c.Prev, r.changeText(c)))
	}
	r.para(txt)
	cols := []column{{Head: r.t("行业", "Sector"), Width: 3, Align: "L"}, {Head: "CSI", Width: 1.6, Align: "R"}, {Head: r.t("95% 区间", "95% interval"), Width: 2.6, Align: "R"},
		{Head: r.t("样本量", "n"), Width: 1.4, Align: "R"}, {Head: r.t("权重", "Weight"), Width: 1.6, Align: "R"}, {Head: r.t("比上年", "On last year"), Width: 4, Align: "R"}}
	var rows []row
	for _, s := range res.Sectors {
		if s.Failed != nil {
			rows = append(rows, row{Cells: []string{r.name(s.Sector.Name), "—", "—", fmt.Sprint(s.N), "—", r.name(*s.Failed)}})
			continue
		}
		rows = append(rows, row{Cells: []string{r.name(s.Sector.Name), fmtIndex(s.CSI.Value), fmtIndex(s.CSI.Lo) + "–" + fmtIndex(s.CSI.Hi), fmt.Sprint(s.N),
			fmt.Sprintf("%.1f%%", 100*res.Weights[s.Sector.Code]), r.changeText(s.Change)}})
	}
	rows = append(rows, row{Cells: []string{r.t("全市", "City"), fmtIndex(o.Value), fmtIndex(o.Lo) + "–" + fmtIndex(o.Hi), fmt.Sprint(res.N), "100%", r.changeText(res.OverallChange)}})
	r.table(r.t("全市及分行业顾客满意度指数", "CSI of the city and the sectors"), cols, rows)
	if r.sc.sectors != nil {
		r.figure(r.sc.sectors, r.t("分行业顾客满意度指数（误差线为 95% 区间）", "Sector CSIs (bars: 95% intervals)"))
	}
}

func (r *serviceReport) svcConstructs() {
	r.sectionHead("各构念指数", "The constructs")
	r.para(r.t("各行业七个构念的指数（0–100）。顾客抱怨指数越高表示抱怨越多。", "The seven construct indices (0–100) of each sector. A higher complaints index means more complaints."))
	cols := []column{{Head: r.t("行业", "Sector"), Width: 2.6, Align: "L"}}
	for _, c := range survey.Constructs {
		cols = append(cols, column{Head: r.name(c.Name), Width: 1.8, Align: "R"})
	}
	var rows []row
	for _, s := range r.okSectors() {
		cells := []string{r.name(s.Sector.Name)}
		for _, c := range survey.Constructs {
			cells = append(cells, fmtIndex(s.Construct(c.ID).Index.Value))
		}
		rows = append(rows, row{Cells: cells})
	}
	r.table(r.t("分行业构念指数", "Construct indices by sector"), cols, rows)
}

func (r *serviceReport) svcDrivers() {
	r.sectionHead("影响因素", "Drivers")
	r.para(r.t("品牌形象、顾客预期、感知质量和感知价值对顾客满意的总效应（直接效应加各间接效应）即其重要性；以重要性占比为横轴、构念指数为纵轴构成重要性—表现矩阵（GB/T 19038 附录 D），重要性高而表现低的构念位于重点改进区。",
		"The total effect (direct plus indirect) of brand image, expectation, perceived quality and perceived value on satisfaction is its importance; importance shares across and construct indices up make the importance–performance matrix (GB/T 19038 annex D): constructs of high importance and low performance lie in the improve-first zone."))
	for _, s := range r.okSectors() {
		r.subHead(r.name(s.Sector.Name), r.name(s.Sector.Name))
		cols := []column{{Head: r.t("构念", "Construct"), Width: 3, Align: "L"}, {Head: r.t("总效应", "Total effect"), Width: 2, Align: "R"}, {Head: r.t("95% 区间", "95% interval"), Width: 2.8, Align: "R"},
			{Head: r.t("重要性", "Importance"), Width: 2, Align: "R"}, {Head: r.t("指数", "Index"), Width: 1.6, Align: "R"}, {Head: r.t("区域", "Zone"), Width: 2.4, Align: "L"}}
		var rows []row
		for _, x := range s.IPM {
			c := s.Construct(x.ID)
			rows = append(rows, row{Cells: []string{r.name(x.Label), f3s(c.Effect.Value), f3s(c.Effect.Lo) + ", " + f3s(c.Effect.Hi), fmt.Sprintf("%.1f%%", 100*x.Share), fmtIndex(x.Score), r.name(x.ZoneL)}})
		}
		r.table(r.t(r.name(s.Sector.Name)+"：对顾客满意的总效应", r.name(s.Sector.Name)+": total effects on satisfaction"), cols, rows)
		if c := r.sc.ipm[s.Sector.Code]; c != nil {
			r.figure(c, r.t(r.name(s.Sector.Name)+"重要性—表现矩阵", r.name(s.Sector.Name)+": importance–performance matrix"))
		}
	}
}

func (r *serviceReport) svcDistricts() {
	res := r.in.Results
	r.sectionHead("区县比较", "Districts")
	r.para(r.t("各区县的顾客满意度指数为其各行业满意度指数按行业权重的加权平均；表中同时给出各行业的区县指数。",
		"A district's CSI is its sector indices averaged with the sector weights; the table also gives each sector's index in the district."))
	ss := r.okSectors()
	// Column widths in millimetres (/tableUnit): a sector's column is as
	// wide as its name's longest word, so "Telecoms" is not broken.
	cols := []column{{Head: r.t("区县", "District"), Width: 26 / tableUnit, Align: "L"}, {Head: "CSI", Width: 13 / tableUnit, Align: "R"}, {Head: r.t("与全市差", "vs city"), Width: r.wordColumn(r.t("与全市差", "vs city"), 13), Align: "R"}}
	for _, s := range ss {
		cols = append(cols, column{Head: r.name(s.Sector.Name), Width: r.wordColumn(r.name(s.Sector.Name), 13), Align: "R"})
	}
	var rows []row
	for _, d := range res.Districts {
		cells := []string{r.name(d.District.Name), fmtIndex(d.CSI.Value), fmt.Sprintf("%+.2f", d.Diff)}
		for _, s := range ss {
			v := "—"
			for _, sd := range s.Districts {
				if sd.District.Code == d.District.Code {
					v = fmtIndex(sd.CSI.Value)
				}
			}
			cells = append(cells, v)
		}
		rows = append(rows, row{Cells: cells})
	}
	r.table(r.t("分区县顾客满意度指数", "CSI by district"), cols, rows)
	if r.sc.districts != nil {
		r.figure(r.sc.districts, r.t("分区县顾客满意度指数（误差线为 95% 区间）", "District CSIs (bars: 95% intervals)"))
	}
}

func (r *serviceReport) svcConclusions() {
	r.sectionHead("结论与建议", "Conclusions")
	if len(r.in.Conclusions) > 0 {
		for _, p := range r.in.Conclusions {
			r.para(p)
		}
		return
	}
	res := r.in.Results
	ss := r.okSectors()
	if len(ss) == 0 {
		r.para(r.t("本次测评没有可建模的行业。", "No sector could be modelled."))
		return
	}
	hi, lo := ss[0], ss[0]
	for _, s := range ss {
		if s.CSI.Value > hi.CSI.Value {
			hi = s
		}
		if s.CSI.Value < lo.CSI.Value {
			lo = s
		}
	}
	txt := r.t(fmt.Sprintf("全市服务业顾客满意度指数为 %.2f。", res.Overall.Value), fmt.Sprintf("The city's CSI is %.2f. ", res.Overall.Value))
	if c := res.OverallChange; c != nil {
		if c.Significant {
			txt += r.t(fmt.Sprintf("比上年变化 %+.2f，具有统计显著性。", c.Diff), fmt.Sprintf("It changed by %+.2f on last year, a significant change. ", c.Diff))
		} else {
			txt += r.t(fmt.Sprintf("比上年变化 %+.2f，不具有统计显著性。", c.Diff), fmt.Sprintf("It changed by %+.2f on last year, within sampling error. ", c.Diff))
		}
	}
	txt += r.t(fmt.Sprintf("%s满意度最高（%.2f），%s最低（%.2f）。", r.name(hi.Sector.Name), hi.CSI.Value, r.name(lo.Sector.Name), lo.CSI.Value),
		fmt.Sprintf("%s scores highest (%.2f) and %s lowest (%.2f).", r.name(hi.Sector.Name), hi.CSI.Value, r.name(lo.Sector.Name), lo.CSI.Value))
	r.para(txt)
	for _, s := range ss {
		var imp []string
		for _, x := range s.IPM {
			if x.Zone == "improve" {
				imp = append(imp, r.name(x.Label))
			}
		}
		if len(imp) > 0 {
			r.para(r.t(fmt.Sprintf("%s：%s位于重点改进区，建议优先改进。", r.name(s.Sector.Name), joinList(r.lang, imp)),
				fmt.Sprintf("%s: %s lie in the improve-first zone and should come first.", r.name(s.Sector.Name), joinList(r.lang, imp))))
		}
	}
}

func (r *serviceReport) svcAppendix() {
	r.newPage()
	r.sectionHead("附录", "Appendices")
	r.subHead("测量模型", "Measurement models")
	for _, s := range r.okSectors() {
		cols := []column{{Head: r.t("构念", "Construct"), Width: 2.4, Align: "L"}, {Head: r.t("题目", "Item"), Width: 6.4, Align: "L"}, {Head: r.t("载荷", "Loading"), Width: 1.6, Align: "R"},
			{Head: "α", Width: 1.4, Align: "R"}, {Head: "CR", Width: 1.4, Align: "R"}, {Head: "AVE", Width: 1.4, Align: "R"}}
		var rows []row
		flag := func(v float64, low bool) string {
			if low {
				return f3s(v) + " ▼"
			}
			return f3s(v)
		}
		for _, b := range s.Blocks {
			for i, it := range b.Items {
				cells := []string{"", itemLabel(it.ID, r.name(it.Text)), flag(it.Loading, it.LowLoading), "", "", ""}
				if i == 0 {
					cells[0], cells[3], cells[4], cells[5] = r.name(b.Name), flag(b.Alpha, b.LowAlpha), flag(b.CR, b.LowCR), flag(b.AVE, b.LowAVE)
				}
				rows = append(rows, row{Cells: cells})
			}
		}
		r.table(r.t(r.name(s.Sector.Name)+"：测量模型", r.name(s.Sector.Name)+": measurement model"), cols, rows,
			r.t("▼ 低于阈值：载荷、α、CR < 0.7，AVE < 0.5。", "▼ below threshold: loading, α, CR < 0.7; AVE < 0.5."))
	}
	r.subHead("路径系数", "Path coefficients")
	for _, s := range r.okSectors() {
		cols := []column{{Head: r.t("路径", "Path"), Width: 5, Align: "L"}, {Head: r.t("系数", "Coefficient"), Width: 1.8, Align: "R"}, {Head: r.t("标准误", "SE"), Width: 1.6, Align: "R"}, {Head: r.t("95% 区间", "95% interval"), Width: 2.8, Align: "R"}}
		var rows []row
		for _, p := range s.Paths {
			sig := ""
			if p.Significant {
				sig = " *"
			}
			rows = append(rows, row{Cells: []string{r.name(survey.ConstructName(p.From)) + " → " + r.name(survey.ConstructName(p.To)), f3s(p.Coef.Value) + sig, f3s(p.Coef.SE), f3s(p.Coef.Lo) + ", " + f3s(p.Coef.Hi)}})
		}
		r.table(r.t(r.name(s.Sector.Name)+"：路径系数（自助法）", r.name(s.Sector.Name)+": path coefficients (bootstrap)"), cols, rows, r.t("* 95% 区间不含 0。", "* the 95% interval excludes 0."))
	}
	if q := r.in.Questionnaire; q != nil {
		r.subHead("问卷题目", "Questionnaire items")
		for _, c := range survey.Constructs {
			var items []string
			for _, it := range q.Items() {
				if it.Construct == c.ID {
					items = append(items, it.ID+" "+r.name(it.Text))
				}
			}
			r.para(r.name(c.Name) + r.t("：", ": ") + strings.Join(items, r.t("；", "; ")))
		}
	}
	for _, n := range r.in.Results.Notes {
		r.note(r.name(n))
	}
}

// fpdfPoint is a point for the arrow heads.
type fpdfPoint struct{ X, Y float64 }

type fpdfPoints []fpdfPoint

func (ps fpdfPoints) pts() []fpdf.PointType {
	out := make([]fpdf.PointType, len(ps))
	for i, p := range ps {
		out[i] = fpdf.PointType{X: p.X, Y: p.Y}
	}
	return out
}

// wordColumn is the width (in column units) of a column headed by head:
// at least min millimetres, and wide enough that head's longest word ("Telecoms",
// "transport") is not broken across lines.
func (r *serviceReport) wordColumn(head string, min float64) float64 {
	r.setFont(tableSize)
	w := 0.0
	for _, f := range strings.Fields(head) {
		w = math.Max(w, r.pdf.GetStringWidth(f))
	}
	return math.Max(min, w+2*cellPadX+0.5) / tableUnit
}

// itemLabel is an indicator as the measurement-model table shows it: its id
// and its wording, so a reader need not look the id up in the questionnaire.
func itemLabel(id, text string) string {
	if text == "" || text == id {
		return id
	}
	return id + " " + text
}
