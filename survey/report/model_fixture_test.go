package report

import (
	"math"
	"strconv"
	"time"

	"manyi/survey"
)

// txt is a short constructor for bilingual texts in fixtures.
func txt(zh, en string) survey.Text { return survey.Text{Zh: zh, En: en} }

// est builds an estimate with a normal 95% interval.
func est(v, se float64, n int) Estimate {
	return Estimate{Value: v, SE: se, Lo: v - 1.96*se, Hi: v + 1.96*se, N: n}
}

// chg builds a change from last year's value; significance follows the
// interval as the real engine decides it.
func chg(now, prev, se float64) *Change {
	d := now - prev
	c := &Change{Prev: prev, Diff: d, Lo: d - 1.96*se, Hi: d + 1.96*se}
	c.Significant = c.Lo > 0 || c.Hi < 0
	return c
}

// testModel is a realistic synthetic measurement: 2,000 valid interviews in
// six districts (one with too few respondents to rank), five domains with
// their items, numbers around 78–88 as published city reports show.
func testModel() *Model {
	domains := []struct {
		id, zh, en string
		v          float64
		prev       float64
		alpha      float64
		items      [][4]string // id, zh, en, value
	}{
		{"product", "产品质量", "Product quality", 84.62, 83.10, 0.874, [][4]string{
			{"p1", "食品", "Food", "83.91"}, {"p2", "食用农产品", "Farm produce", "82.47"}, {"p3", "药品", "Medicines", "87.35"},
			{"p4", "日用消费品", "Daily consumer goods", "85.12"}, {"p5", "家电等耐用消费品", "Household appliances and other durables", "84.25"}}},
		{"construction", "工程质量", "Construction quality", 81.37, 81.52, 0.851, [][4]string{
			{"c1", "住宅建筑质量", "Housing", "78.64"}, {"c2", "道路桥梁", "Roads and bridges", "82.90"},
			{"c3", "供水供电供气", "Water, power and gas supply", "85.76"}, {"c4", "电梯、游乐设施等特种设备安全", "Safety of lifts, rides and other special equipment", "79.18"}}},
		{"service", "服务质量", "Service quality", 83.05, 80.94, 0.902, [][4]string{
			{"s1", "餐饮", "Catering", "84.30"}, {"s2", "物业管理", "Property management", "77.82"}, {"s3", "快递物流", "Delivery", "86.11"},
			{"s4", "医疗服务", "Medical care", "80.47"}, {"s5", "银行、通信、零售、旅游、养老等服务", "Banking, telecoms, retail, tourism and elderly care", "84.59"}}},
		{"environment", "环境质量", "Environmental quality", 86.88, 86.20, 0.833, [][4]string{
			{"e1", "空气", "Air", "85.02"}, {"e2", "河湖水环境", "Rivers and lakes", "86.13"}, {"e3", "饮用水", "Drinking water", "88.47"}, {"e4", "市容市貌", "Streets and cityscape", "87.90"}}},
		{"public", "公共管理质量", "Public management quality", 79.46, 80.85, 0.889, [][4]string{
			{"g1", "政府质量监管", "Quality supervision", "80.12"}, {"g2", "质量投诉处理与维权", "Complaint handling and consumer rights", "76.35"}, {"g3", "政务服务", "Government services", "81.91"}}},
	}
	m := &Model{
		Meta: Meta{
			City:       txt("江城市", "Jiangcheng"),
			Title:      txt("2026年度市民质量满意度测评", "2026 residents' quality-satisfaction measurement"),
			Year:       2026,
			Office:     txt("江城市质量强市工作领导小组办公室", "Jiangcheng Quality City Office"),
			Contractor: txt("江城大学社会调查中心", "Jiangcheng University Survey Centre"),
			ReportDate: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC),
			FieldStart: time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC),
			FieldEnd:   time.Date(2026, 10, 15, 0, 0, 0, 0, time.UTC),
			Lang:       "zh",
		},
		Overall: Overall{
			Index:  est(83.42, 0.41, 2000),
			Change: chg(83.42, 82.17, 0.58),
			Method: "regression",
			Item:   &Estimate{Value: 85.10, SE: 0.39, Lo: 84.34, Hi: 85.86, N: 1994},
		},
		Trend: []TrendPoint{
			{Year: 2022, Index: est(80.35, 0.45, 1800)},
			{Year: 2023, Index: est(81.02, 0.44, 1850)},
			{Year: 2024, Index: est(81.96, 0.43, 1900)},
			{Year: 2025, Index: est(82.17, 0.42, 2000)},
			{Year: 2026, Index: est(83.42, 0.41, 2000)},
		},
	}
	weights := []float64{0.262, 0.171, 0.248, 0.127, 0.192}
	for i, d := range domains {
		dr := DomainResult{ID: d.id, Name: txt(d.zh, d.en), Index: est(d.v, 0.45, 1980-i*13), Change: chg(d.v, d.prev, 0.62), Alpha: d.alpha}
		for j, it := range d.items {
			v := parseF(it[3])
			dr.Items = append(dr.Items, ItemResult{ID: it[0], Name: txt(it[1], it[2]), Index: est(v, 0.52+0.03*float64(j), 1900-j*37-i*11), Change: chg(v, v-0.4+0.3*float64(j%3), 0.7)})
		}
		m.Domains = append(m.Domains, dr)
		m.Overall.Weights = append(m.Overall.Weights, DomainWeight{Domain: d.id, Weight: weights[i]})
		m.Drivers = append(m.Drivers, Driver{Domain: d.id, Name: txt(d.zh, d.en), Importance: weights[i], ImportanceSE: 0.03 + 0.004*float64(i), Performance: d.v})
	}
	districts := []struct {
		zh, en string
		pop    int
		target int
		n      int
		v      float64
	}{
		{"东湖区", "Donghu District", 812000, 400, 402, 84.95},
		{"西山区", "Xishan District", 655000, 350, 356, 83.71},
		{"南江区", "Nanjiang District", 590000, 350, 344, 81.12},
		{"北城区", "Beicheng District", 720000, 400, 411, 83.39},
		{"新港区", "Xingang District", 488000, 300, 463, 82.86},
		{"青山县", "Qingshan County", 95000, 200, 24, 79.80},
	}
	for i, d := range districts {
		se := 10 / math.Sqrt(float64(d.n))
		diff := d.v - 83.42
		dl, dh := diff-1.96*se*0.95, diff+1.96*se*0.95
		doms := make([]float64, len(domains))
		for k, dm := range domains {
			doms[k] = dm.v + (d.v - 83.42) + 0.3*float64((i+k)%3-1)
		}
		m.Districts = append(m.Districts, DistrictResult{
			ID: d.en, Name: txt(d.zh, d.en), Index: est(d.v, se, d.n),
			Diff: diff, DiffLo: dl, DiffHi: dh, Significant: dl > 0 || dh < 0, Domains: doms,
			Change: chg(d.v, d.v-[]float64{1.9, 0.3, -1.2, 1.1, 0.4, 2.0}[i], 1.4*se),
		})
		m.Method.Districts = append(m.Method.Districts, AllocationRow{District: txt(d.zh, d.en), Population: d.pop, Target: d.target, Achieved: d.n})
	}
	m.Method.Population = txt("在本市居住半年以上、年龄在 18–70 岁之间的常住居民。", "Residents aged 18 to 70 who have lived in the city for at least six months.")
	m.Method.Frame = txt("以各区县常住人口为抽样框，按区县分层；层内按性别 × 年龄组配额抽取受访者，通过短信链接、电话和入户面访三种方式调查。",
		"Districts are the strata; within each, respondents were drawn to quotas on gender × age band and interviewed online by SMS link, by phone or face to face.")
	m.Method.Allocation = txt("按各区县常住人口比例分配样本，每个区县不少于 200 份，以保证区县之间可以比较。",
		"Proportional to resident population with a floor of 200 per district so that districts can be compared.")
	m.Method.SampleSize = 2000
	m.Method.Modes = []ModeShare{
		{Mode: txt("网络（短信链接）", "Online (SMS link)"), N: 1004, Share: 0.502},
		{Mode: txt("电话访问", "Telephone"), N: 598, Share: 0.299},
		{Mode: txt("入户面访", "Face to face"), N: 398, Share: 0.199},
	}
	m.Method.Collected = 2174
	m.Method.Exclusions = []Exclusion{
		{Rule: txt("答题时间短于 120 秒", "Completed in under 120 seconds"), N: 96},
		{Rule: txt("全部评分题选择同一分值（直线作答）", "Straight-lining on every rating"), N: 51},
		{Rule: txt("电话回访核实不符", "Failed call-back verification"), N: 27},
	}
	m.Method.QualityControl = []survey.Text{
		txt("调查实行一人一链接、一人一答，系统自动记录答题时长和调查方式；访员经培训后上岗，督导对电话访问按 10% 的比例随机回访。", "Each invitation admits one answer; the system records duration and mode. Interviewers were trained, and supervisors called back a random 10% of phone interviews."),
	}
	m.Sample.Tables = []ProfileTable{
		{Dimension: txt("性别", "Gender"), Rows: []ProfileRow{
			{Label: txt("男", "Male"), Target: 1000, Achieved: 968, PopShare: 0.507},
			{Label: txt("女", "Female"), Target: 1000, Achieved: 1032, PopShare: 0.493}}},
		{Dimension: txt("年龄", "Age"), Rows: []ProfileRow{
			{Label: txt("18–29 岁", "18–29"), Target: 460, Achieved: 421, PopShare: 0.231},
			{Label: txt("30–44 岁", "30–44"), Target: 620, Achieved: 655, PopShare: 0.309},
			{Label: txt("45–59 岁", "45–59"), Target: 580, Achieved: 597, PopShare: 0.289},
			{Label: txt("60–70 岁", "60–70"), Target: 340, Achieved: 327, PopShare: 0.171}}},
		{Dimension: txt("文化程度", "Education"), Rows: []ProfileRow{
			{Label: txt("初中及以下", "Lower secondary or less"), Achieved: 512, PopShare: 0.301},
			{Label: txt("高中/中专", "Upper secondary"), Achieved: 603, PopShare: 0.285},
			{Label: txt("大专", "Junior college"), Achieved: 398, PopShare: 0.184},
			{Label: txt("本科及以上", "Bachelor or higher"), Achieved: 487, PopShare: 0.230}}},
		{Dimension: txt("调查方式", "Mode"), Rows: []ProfileRow{
			{Label: txt("网络", "Online"), Target: 1000, Achieved: 1004},
			{Label: txt("电话", "Telephone"), Target: 600, Achieved: 598},
			{Label: txt("面访", "Face to face"), Target: 400, Achieved: 398}}},
	}
	m.Sample.Rates = []ResponseRate{{Unit: txt("全市", "City"), RR1: 0.312, RR3: 0.355, COOP: 0.581, REF: 0.224}}
	for i, d := range districts {
		m.Sample.Rates = append(m.Sample.Rates, ResponseRate{Unit: txt(d.zh, d.en), RR1: 0.29 + 0.01*float64(i), RR3: 0.33 + 0.01*float64(i), COOP: 0.55 + 0.01*float64(i), REF: 0.24 - 0.005*float64(i)})
	}
	m.Groups = []GroupTable{
		{Dimension: txt("性别", "Gender"), Rows: []GroupRow{
			{Label: txt("男", "Male"), Index: est(83.10, 0.58, 968), Diff: -0.62},
			{Label: txt("女", "Female"), Index: est(83.72, 0.56, 1032), Diff: 0.62}}},
		{Dimension: txt("年龄", "Age"), Rows: []GroupRow{
			{Label: txt("18–29 岁", "18–29"), Index: est(81.25, 0.90, 421), Diff: -2.71, Significant: true},
			{Label: txt("30–44 岁", "30–44"), Index: est(82.96, 0.71, 655), Diff: -0.66},
			{Label: txt("45–59 岁", "45–59"), Index: est(84.12, 0.73, 597), Diff: 1.02},
			{Label: txt("60–70 岁", "60–70"), Index: est(85.60, 0.95, 327), Diff: 2.61, Significant: true}}},
		{Dimension: txt("文化程度", "Education"), Rows: []GroupRow{
			{Label: txt("初中及以下", "Lower secondary or less"), Index: est(84.40, 0.80, 512), Diff: 1.31},
			{Label: txt("高中/中专", "Upper secondary"), Index: est(83.55, 0.74, 603), Diff: 0.19},
			{Label: txt("大专", "Junior college"), Index: est(82.90, 0.88, 398), Diff: -0.65},
			{Label: txt("本科及以上", "Bachelor or higher"), Index: est(82.61, 0.81, 487), Diff: -1.06}}},
	}
	m.Indicators = []Indicator{
		{Kind: "awareness", Question: txt("是否知道本市正在创建全国质量强市示范城市", "Knows the city is bidding to be a National Quality City"), N: 2000, Options: []Proportion{
			{Label: txt("知道", "Knows"), P: 0.462, Lo: 0.439, Hi: 0.485, Prev: 0.421},
			{Label: txt("听说过", "Has heard of it"), P: 0.331, Lo: 0.310, Hi: 0.352, Prev: 0.335},
			{Label: txt("不知道", "Does not know"), P: 0.207, Lo: 0.189, Hi: 0.226, Prev: 0.244}}},
		{Kind: "awareness", Question: txt("是否知道质量投诉热线 12315", "Knows the 12315 complaint hotline"), N: 2000, Options: []Proportion{
			{Label: txt("知道", "Knows"), P: 0.784, Lo: 0.765, Hi: 0.802, Prev: math.NaN()},
			{Label: txt("不知道", "Does not know"), P: 0.216, Lo: 0.198, Hi: 0.235, Prev: math.NaN()}}},
		{Kind: "participation", Question: txt("是否参与过质量强市相关活动", "Took part in quality-city activities"), N: 2000, Options: []Proportion{
			{Label: txt("参与过", "Yes"), P: 0.183, Lo: 0.166, Hi: 0.201, Prev: 0.152},
			{Label: txt("没有", "No"), P: 0.702, Lo: 0.681, Hi: 0.722, Prev: 0.731},
			{Label: txt("说不清", "Cannot say"), P: 0.115, Lo: 0.101, Hi: 0.130, Prev: 0.117}}},
		{Kind: "confidence", Question: txt("对本市质量状况进一步改善是否有信心", "Confident that quality in the city will improve"), N: 2000, Options: []Proportion{
			{Label: txt("有信心", "Confident"), P: 0.813, Lo: 0.795, Hi: 0.830, Prev: 0.796},
			{Label: txt("说不清", "Cannot say"), P: 0.142, Lo: 0.127, Hi: 0.158, Prev: 0.151},
			{Label: txt("没有信心", "Not confident"), P: 0.045, Lo: 0.037, Hi: 0.055, Prev: 0.053}}},
	}
	m.Suggestions = Suggestions{Total: 612, PrevTotal: 549, ByDomain: []SuggestionCount{
		{Domain: "product", Name: txt("产品质量", "Product quality"), Count: 138, Prev: 121},
		{Domain: "construction", Name: txt("工程质量", "Construction quality"), Count: 117, Prev: 102},
		{Domain: "service", Name: txt("服务质量", "Service quality"), Count: 176, Prev: 160},
		{Domain: "environment", Name: txt("环境质量", "Environmental quality"), Count: 84, Prev: 95},
		{Domain: "public", Name: txt("公共管理质量", "Public management quality"), Count: 97, Prev: 71},
	}, Quotes: []Quote{
		{Domain: txt("服务质量", "Service quality"), Text: "小区物业收费不低，但电梯维修和垃圾清运经常拖延，希望加强对物业公司的考核，把业主满意度和物业费挂钩。"},
		{Domain: txt("公共管理质量", "Public management quality"), Text: "网购商品出现质量问题后投诉渠道多但处理慢，建议 12315 热线对投诉进度做到全程可查、限时办结。"},
		{Domain: txt("产品质量", "Product quality"), Text: "菜市场的农产品希望能公开抽检结果，让老百姓买得放心。"},
	}}
	m.Appendix.Weighting = []survey.Text{
		txt("本次测评按区县 × 性别 × 年龄组对常住人口结构进行迭代比例调整（raking），权数截尾于中位数的 5 倍，调整后权数的变异系数为 0.42。",
			"Weights were raked to the resident population by district × gender × age band and trimmed at five times the median; the coefficient of variation of the final weights is 0.42."),
	}
	m.Appendix.DEFF = 1.38
	m.Appendix.Questionnaire = []QuestionPage{
		{Title: txt("甄别部分", "Screener"), Items: []QuestionItem{
			{ID: "S1", Text: txt("请问您的年龄是？", "How old are you?")},
			{ID: "S2", Text: txt("请问您在本市居住是否已满半年？", "Have you lived in the city for at least six months?")}}},
	}
	for _, d := range domains {
		pg := QuestionPage{Title: txt(d.zh+"满意度", d.en+" satisfaction")}
		for _, it := range d.items {
			pg.Items = append(pg.Items, QuestionItem{ID: it[0], Text: txt("您对本市"+it[1]+"的质量满意吗？（1 分表示非常不满意，10 分表示非常满意）", "How satisfied are you with the quality of "+it[2]+" in the city? (1 very dissatisfied … 10 very satisfied)")})
		}
		m.Appendix.Questionnaire = append(m.Appendix.Questionnaire, pg)
	}
	return m
}

// parseF parses a fixture number; fixtures are literals, so failure is a
// bug in the fixture.
func parseF(s string) float64 {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		panic("report: bad fixture number " + s)
	}
	return v
}
