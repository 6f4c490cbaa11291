package report

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"manyi/survey"
	"manyi/survey/analysis"
	"manyi/survey/sampling"
)

var (
	simOnce  sync.Once
	simInput BuildInput
	simErr   error
)

// simulated returns a BuildInput for a simulated measurement of 1,200
// responses with a previous year, computed once per test binary.
func simulated(t testing.TB) BuildInput {
	t.Helper()
	simOnce.Do(func() {
		prevDS := analysis.Simulate(analysis.SimOptions{N: 1200, Seed: 25, Shift: -0.3, IDPrefix: "2025-"})
		prevRes, err := analysis.Compute(prevDS, analysis.DefaultWeightingSpec(), analysis.Options{})
		if err != nil {
			simErr = err
			return
		}
		ds := analysis.Simulate(analysis.SimOptions{N: 1200, Seed: 26})
		// A few set aside in review, to be counted as exclusions.
		for i := 0; i < 12; i++ {
			ds.Respondents[i*7].Excluded = true
		}
		res, err := analysis.Compute(ds, analysis.DefaultWeightingSpec(), analysis.Options{PrevResults: prevRes})
		if err != nil {
			simErr = err
			return
		}
		meas := &survey.Measurement{ID: "sim-2026", City: survey.Text{Zh: "示例市", En: "Sample City"},
			Title: survey.Text{Zh: "示例市 2026 年市民质量满意度测评", En: "Sample City 2026 residents' quality-satisfaction measurement"},
			Year:  2026, Office: survey.Text{Zh: "示例市质量强市工作领导小组办公室", En: "Sample City Quality City Office"}, PrevID: "sim-2025"}
		prevMeas := &survey.Measurement{ID: "sim-2025", Year: 2025}
		counts := map[string]int{}
		for _, d := range analysis.SimDistricts {
			counts[d.District.Code] = int(d.Pop)
		}
		alloc, err := sampling.Allocate(sampling.Plan{Total: 1200, Allocation: sampling.Equal, Stratum: "district"}, counts)
		if err != nil {
			simErr = err
			return
		}
		disp := map[string]sampling.DispositionCounts{}
		for code, n := range ds.Issued {
			disp[code] = sampling.DispositionCounts{Complete: 200, Refused: 60, Sent: n - 300, ScreenedOut: 40}
		}
		simInput = BuildInput{
			Measurement: meas, Results: res, Dataset: ds,
			Prev:       &PrevYear{Measurement: prevMeas, Results: prevRes, Dataset: prevDS},
			History:    []TrendPoint{{Year: 2024, Index: Estimate{Value: 80.1, SE: 0.5, Lo: 79.1, Hi: 81.1, N: 1000}}},
			Allocation: &alloc, Dispositions: disp,
			ReportDate: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC),
			FieldStart: time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC),
			FieldEnd:   time.Date(2026, 10, 15, 0, 0, 0, 0, time.UTC),
			Lang:       "zh",
		}
	})
	if simErr != nil {
		t.Fatal(simErr)
	}
	return simInput
}

// TestBuildNumbers checks that every estimate in the model is the one in
// Results.
func TestBuildNumbers(t *testing.T) {
	in := simulated(t)
	m, err := Build(in)
	if err != nil {
		t.Fatal(err)
	}
	res := in.Results
	same := func(name string, got Estimate, want analysis.Estimate) {
		t.Helper()
		if got.Value != want.Value || got.SE != want.SE || got.Lo != want.CI[0] || got.Hi != want.CI[1] || got.N != want.N {
			t.Errorf("%s: got %+v, want %+v", name, got, want)
		}
	}
	same("overall", m.Overall.Index, res.Overall.Estimate)
	if m.Overall.Change == nil || m.Overall.Change.Diff != res.Overall.Change.Diff || m.Overall.Change.Significant != res.Overall.Change.Significant {
		t.Errorf("overall change: got %+v, want %+v", m.Overall.Change, res.Overall.Change)
	}
	same("overall item", *m.Overall.Item, res.OverallItem.Estimate)
	if got, want := len(m.Domains), len(res.Domains); got != want {
		t.Fatalf("domains: got %d, want %d", got, want)
	}
	items := 0
	for i, d := range m.Domains {
		same("domain "+d.ID, d.Index, res.Domains[i].Estimate)
		if !(d.Alpha > 0.3 && d.Alpha < 1) {
			t.Errorf("domain %s: α = %v, want a plausible reliability in (0.3, 1)", d.ID, d.Alpha)
		}
		for _, it := range d.Items {
			for _, f := range res.Items {
				if f.Item == it.ID {
					same("item "+it.ID, it.Index, f.Estimate)
					items++
				}
			}
		}
	}
	if items != len(res.Items) {
		t.Errorf("items: got %d in the model, want %d", items, len(res.Items))
	}
	var tab *analysis.GroupTable
	for i := range res.Groups {
		if res.Groups[i].Var == "district" {
			tab = &res.Groups[i]
		}
	}
	if tab == nil || len(m.Districts) != len(tab.Rows) {
		t.Fatalf("districts: got %d, want the results' district rows", len(m.Districts))
	}
	for i, d := range m.Districts {
		c := tab.Rows[i].Cells[0]
		same("district "+d.ID, d.Index, c.Estimate)
		if d.Significant != c.VsRest.Significant {
			t.Errorf("district %s: significant %v, want %v", d.ID, d.Significant, c.VsRest.Significant)
		}
		if d.Diff != d.Index.Value-res.Overall.Value {
			t.Errorf("district %s: diff %v, want district − city %v", d.ID, d.Diff, d.Index.Value-res.Overall.Value)
		}
		if d.Change == nil {
			t.Errorf("district %s: no change on last year", d.ID)
		}
		if len(d.Domains) != len(m.Domains) {
			t.Errorf("district %s: %d domain values, want %d", d.ID, len(d.Domains), len(m.Domains))
		}
	}
	if got, want := len(m.Drivers), len(res.Drivers.Domains); got != want {
		t.Errorf("drivers: got %d, want %d", got, want)
	}
	for i, d := range m.Drivers {
		if d.Importance != res.Drivers.Domains[i].Share || d.Performance != res.Drivers.Domains[i].Score {
			t.Errorf("driver %s: got %v/%v, want %v/%v", d.Domain, d.Importance, d.Performance, res.Drivers.Domains[i].Share, res.Drivers.Domains[i].Score)
		}
	}
	if len(m.Indicators) != len(res.Indicators) {
		t.Errorf("indicators: got %d, want %d", len(m.Indicators), len(res.Indicators))
	}
	for i, ind := range m.Indicators {
		for k, o := range ind.Options {
			c := res.Indicators[i].Categories[k]
			if o.P != c.Value || o.Lo != c.CI[0] || o.Hi != c.CI[1] {
				t.Errorf("indicator %s %s: got %v [%v, %v], want %v %v", ind.Kind, c.Code, o.P, o.Lo, o.Hi, c.Value, c.CI)
			}
			if math.IsNaN(o.Prev) {
				t.Errorf("indicator %s %s: no share last year", ind.Kind, c.Code)
			}
		}
	}
	if got := len(m.Trend); got != 3 || m.Trend[2].Index.Value != res.Overall.Value || m.Trend[1].Index.Value != in.Prev.Results.Overall.Value {
		t.Errorf("trend: got %+v, want 2024, last year's and this year's overall", m.Trend)
	}
	if got, want := m.Method.Valid(), res.N; got != want {
		t.Errorf("valid sample: got %d, want Results.N %d", got, want)
	}
	if got, want := m.Method.Collected, len(in.Dataset.Respondents); got != want {
		t.Errorf("collected: got %d, want %d", got, want)
	}
	if m.Suggestions.Total == 0 || m.Suggestions.PrevTotal <= 0 || len(m.Suggestions.Quotes) == 0 {
		t.Errorf("suggestions: got total %d, last year %d, %d quotes", m.Suggestions.Total, m.Suggestions.PrevTotal, len(m.Suggestions.Quotes))
	}
	if len(m.Sample.Rates) != 1+len(in.Dataset.Districts) {
		t.Errorf("rates: got %d rows, want the city and each district", len(m.Sample.Rates))
	}
	if err := m.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
}

// TestBuildRender renders the built model and finds the headline figures
// in the extracted text, formatted as the report formats them.
func TestBuildRender(t *testing.T) {
	in := simulated(t)
	for _, lang := range []string{"zh", "en"} {
		t.Run(lang, func(t *testing.T) {
			in := in
			in.Lang = lang
			m, err := Build(in)
			if err != nil {
				t.Fatal(err)
			}
			pdf := render(t, m, lang)
			if *outDir != "" {
				if err := os.WriteFile(filepath.Join(*outDir, "built-"+lang+".pdf"), pdf, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			text := squash(strings.Join(pdfText(t, pdf, false), ""))
			want := []string{fmtIndex(in.Results.Overall.Value), fmtCI(in.Results.Overall.CI[0], in.Results.Overall.CI[1])}
			for _, d := range in.Results.Domains {
				want = append(want, fmtIndex(d.Value))
			}
			for _, d := range m.Districts {
				want = append(want, fmtIndex(d.Index.Value))
			}
			for _, w := range want {
				if !strings.Contains(text, squash(w)) {
					t.Errorf("the report text lacks %q", w)
				}
			}
		})
	}
}

func TestPickQuote(t *testing.T) {
	tests := []struct {
		name  string
		texts []string
		want  string
		ok    bool
	}{
		{"none", nil, "", false},
		{"too short", []string{"好", "没有意见"}, "", false},
		{"personal data left out", []string{"请联系我 138 1234 5678 处理小区噪音问题", "希望加强食品安全抽检工作。"}, "希望加强食品安全抽检工作。", true},
		{"e-mail left out", []string{"意见请回复到 someone@example.com 谢谢", "道路施工时间太长，影响出行。"}, "道路施工时间太长，影响出行。", true},
		// Eight texts: the longest quarter is the two longest, and the
		// shorter of them is chosen.
		{"shortest of the longest", []string{
			"一二三四五六七八", "一二三四五六七八九", "一二三四五六七八九十", "一二三四五六七八九十甲",
			"一二三四五六七八九十甲乙", "一二三四五六七八九十甲乙丙", "一二三四五六七八九十甲乙丙丁", "一二三四五六七八九十甲乙丙丁戊",
		}, "一二三四五六七八九十甲乙丙丁", true},
		{"duplicates count once", []string{"小区物业服务有待提高。", "小区物业服务有待提高。"}, "小区物业服务有待提高。", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := pickQuote(tt.texts)
			if got != tt.want || ok != tt.ok {
				t.Errorf("got %q, %v, want %q, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestBuildNeedsInputs(t *testing.T) {
	if _, err := Build(BuildInput{}); err == nil {
		t.Error("Build without results: got no error")
	}
}

func TestShortItemName(t *testing.T) {
	tests := []struct{ in, want survey.Text }{
		{survey.Text{Zh: "您对本市食品（如粮油、肉蛋奶、加工食品、饮料）的质量满意吗？", En: "How satisfied are you with the quality of food in the city (grain and cooking oil, meat, eggs and dairy, processed food, drinks)?"},
			survey.Text{Zh: "食品", En: "Food"}},
		{survey.Text{Zh: "您对本市道路、桥梁的建设质量满意吗？", En: "How satisfied are you with the quality of roads and bridges in the city?"},
			survey.Text{Zh: "道路、桥梁", En: "Roads and bridges"}},
		{survey.Text{Zh: "您对本市电梯、游乐设施等特种设备的安全状况满意吗？", En: "How satisfied are you with the safety of lifts, amusement rides and other special equipment in the city?"},
			survey.Text{Zh: "电梯、游乐设施等特种设备安全", En: "Safety of lifts, amusement rides and other special equipment"}},
		{survey.Text{Zh: "您对本市的空气质量满意吗？", En: "How satisfied are you with the air quality in the city?"},
			survey.Text{Zh: "空气质量", En: "Air quality"}},
		{survey.Text{Zh: "公交准点率", En: "Bus punctuality"}, survey.Text{Zh: "公交准点率", En: "Bus punctuality"}},
	}
	for _, tt := range tests {
		if got := ShortItemName(tt.in); got != tt.want {
			t.Errorf("ShortItemName(%q): got %+v, want %+v", tt.in.Zh, got, tt.want)
		}
	}
}

// TestQuotesDistinct checks that a text suggested for two domains is
// quoted once, and that counts are by the suggestion item's domain.
func TestQuotesDistinct(t *testing.T) {
	q := survey.DefaultQuestionnaire()
	same := "小区物业服务有待提高，希望加强考核。"
	other := "道路施工周期太长，影响出行。"
	ds := &analysis.Dataset{Q: q, Respondents: []analysis.Respondent{
		{Answers: survey.Answers{"sugg_service": {same}, "sugg_construction": {same}}},
		{Answers: survey.Answers{"sugg_service": {same}, "sugg_construction": {other}}},
		{Answers: survey.Answers{"sugg_service": {"医院挂号排队时间长。"}, "sugg_public": {"  "}}},
		{Answers: survey.Answers{"sugg_public": {"被剔除的答卷不计入统计。"}}, Excluded: true},
	}}
	s := buildSuggestions(BuildInput{Dataset: ds}, usedRespondents(ds))
	if s.Total != 5 || s.PrevTotal != -1 {
		t.Errorf("total: got %d (last year %d), want 5 (unknown)", s.Total, s.PrevTotal)
	}
	got := map[string]int{}
	for _, c := range s.ByDomain {
		got[c.Domain] = c.Count
	}
	if got["service"] != 3 || got["construction"] != 2 || got["public"] != 0 {
		t.Errorf("counts: got %v, want service 3, construction 2, public 0", got)
	}
	// Service has most: its longest text; construction then may not
	// repeat it and quotes its other text.
	if len(s.Quotes) != 2 || s.Quotes[0].Text != same || s.Quotes[1].Text != other {
		t.Errorf("quotes: got %+v, want %q then %q", s.Quotes, same, other)
	}
}
