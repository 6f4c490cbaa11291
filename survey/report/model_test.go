package report

import (
	"math"
	"strings"
	"testing"

	"manyi/survey"
)

func TestBand(t *testing.T) {
	custom := []Band{{Min: 85, Name: txt("优", "excellent")}, {Min: math.Inf(-1), Name: txt("一般", "average")}}
	tests := []struct {
		name  string
		bands []Band
		v     float64
		lang  string
		want  string
	}{
		{"top", nil, 92.3, "zh", "满意"},
		{"edge 80 is 满意", nil, 80, "zh", "满意"},
		{"just below 80", nil, 79.99, "zh", "比较满意"},
		{"edge 70", nil, 70, "zh", "比较满意"},
		{"60s", nil, 65, "zh", "基本满意"},
		{"below 60", nil, 59.9, "zh", "不满意"},
		{"english", nil, 83.42, "en", "satisfied"},
		{"custom high", custom, 86, "zh", "优"},
		{"custom low", custom, 84.99, "zh", "一般"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := &Model{Bands: tt.bands}
			if got := m.Band(tt.v, tt.lang); got != tt.want {
				t.Errorf("Band(%v) = %q, want %q", tt.v, got, tt.want)
			}
		})
	}
}

func TestRankedDistricts(t *testing.T) {
	d := func(name string, v float64, n int) DistrictResult {
		return DistrictResult{ID: name, Name: txt(name, name), Index: Estimate{Value: v, N: n}}
	}
	m := &Model{Districts: []DistrictResult{
		d("a", 81, 200), d("small-high", 95, 12), d("b", 84.004, 150), d("c", 84.001, 180), d("d", 79, 29), d("e", 86, 30),
	}}
	got := m.RankedDistricts()
	want := []struct {
		id    string
		rank  int
		small bool
	}{
		{"e", 1, false}, // n = 30 is enough
		{"b", 2, false},
		{"c", 2, false}, // 84.00 and 84.00 as printed: a tie
		{"a", 4, false},
		{"small-high", 0, true}, // highest value, but not ranked
		{"d", 0, true},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d districts, want %d", len(got), len(want))
	}
	for i, w := range want {
		if got[i].ID != w.id || got[i].Rank != w.rank || got[i].Small != w.small {
			t.Errorf("position %d: got %s rank %d small %v, want %s rank %d small %v",
				i, got[i].ID, got[i].Rank, got[i].Small, w.id, w.rank, w.small)
		}
	}
	m.MinN = 10
	if r := m.RankedDistricts(); r[0].ID != "small-high" || r[0].Rank != 1 {
		t.Errorf("with MinN 10: got %s rank %d first, want small-high rank 1", r[0].ID, r[0].Rank)
	}
}

func TestZones(t *testing.T) {
	m := &Model{Drivers: []Driver{
		{Domain: "a", Importance: 0.40, Performance: 80}, // high, low
		{Domain: "b", Importance: 0.30, Performance: 90}, // high, high
		{Domain: "c", Importance: 0.10, Performance: 82}, // low, low
		{Domain: "d", Importance: 0.20, Performance: 88}, // low (mean 0.25), high (mean 85)
	}}
	zones, ci, cp := m.Zones()
	if math.Abs(ci-0.25) > 1e-12 || math.Abs(cp-85) > 1e-12 {
		t.Errorf("cut lines %v, %v; want 0.25, 85 (the means)", ci, cp)
	}
	want := []Zone{ZoneImprove, ZoneStrength, ZoneChance, ZoneKeep}
	for i := range want {
		if zones[i] != want[i] {
			t.Errorf("driver %s: got zone %s, want %s", m.Drivers[i].Domain, zones[i].Name("zh"), want[i].Name("zh"))
		}
	}
	if got := ZoneImprove.Name("zh"); got != "重点改进区" {
		t.Errorf("ZoneImprove.Name(zh) = %q, want 重点改进区", got)
	}
}

func TestFormat(t *testing.T) {
	tests := []struct{ got, want string }{
		{fmtIndex(83.415), "83.42"},
		{fmtIndex(math.NaN()), "—"},
		{fmtSigned(1.254), "+1.25"},
		{fmtSigned(-0.004), "0.00"},
		{fmtSigned(-1.3), "-1.30"},
		{fmtPct(0.46251), "46.3%"},
		{fmtPct(-1), "—"},
		{fmtInt(2021), "2,021"},
		{fmtInt(3360000), "3,360,000"},
		{fmtInt(-1234), "-1,234"},
		{fmtInt(999), "999"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

func TestGenerateConclusions(t *testing.T) {
	tests := []struct {
		name    string
		change  func(m *Model)
		want    []string // each must appear in some conclusion
		wantNot []string // none may appear anywhere
		count   int      // number of conclusions; 0 to skip
	}{
		{
			name: "fixture",
			want: []string{
				"2026年江城市市民质量满意度指数为 83.42（95%置信区间 82.62–84.22），处于“满意”区间。",
				"较上年提高 1.25 分（95%置信区间 0.11–2.39），变化具有统计显著性。",
				"环境质量满意度最高（86.88），公共管理质量满意度最低（79.46），两者相差 7.42 分。",
				"产品质量（+1.52）、服务质量（+2.11）满意度显著提高。",
				"公共管理质量（-1.39）满意度显著下降",
				"南江区（81.12，-2.30）的满意度指数显著低于全市水平",
				// Lowest first.
				"4个分项的满意度低于 80 分：质量投诉处理与维权（76.35）、物业管理（77.82）、住宅建筑质量（78.64）、电梯、游乐设施等特种设备安全（79.18）",
				"服务质量对总体满意度影响较大而得分相对较低，位于重点改进区",
			},
			// 青山县 is far below the city but too small to judge.
			wantNot: []string{"青山县", "工程质量（-0.15）"},
			count:   7,
		},
		{
			name: "no previous year",
			change: func(m *Model) {
				m.Overall.Change = nil
				for i := range m.Domains {
					m.Domains[i].Change = nil
				}
			},
			wantNot: []string{"较上年", "与上年相比"},
			count:   5,
		},
		{
			name: "change not significant",
			change: func(m *Model) {
				m.Overall.Change = &Change{Prev: 83.31, Diff: 0.11, Lo: -0.70, Hi: 0.92}
			},
			want:    []string{"较上年变化 +0.11 分（95%置信区间 -0.70–0.92），变化不具有统计显著性。"},
			wantNot: []string{"较上年提高"},
		},
		{
			name: "significant fall",
			change: func(m *Model) {
				m.Overall.Change = &Change{Prev: 85.00, Diff: -1.58, Lo: -2.40, Hi: -0.76, Significant: true}
			},
			want: []string{"较上年下降 1.58 分（95%置信区间 -2.40–-0.76），变化具有统计显著性。"},
		},
		{
			name: "no weak items, no district below, one domain",
			change: func(m *Model) {
				m.Domains = m.Domains[:1]
				for i := range m.Domains[0].Items {
					m.Domains[0].Items[i].Index.Value = 85
				}
				for i := range m.Districts {
					m.Districts[i].Significant = false
				}
				m.Drivers = nil
			},
			wantNot: []string{"低于 80 分", "显著低于全市", "最高", "重点改进区"},
		},
		{
			name:   "custom flag threshold",
			change: func(m *Model) { m.FlagBelow = 78 },
			want:   []string{"2个分项的满意度低于 78 分：质量投诉处理与维权（76.35）、物业管理（77.82）"},
		},
		{
			name:   "english",
			change: func(m *Model) { m.Meta.Lang = "en" },
			want: []string{
				"In 2026 the quality-satisfaction index of Jiangcheng was 83.42 (95% CI 82.62–84.22), in the “satisfied” band. Compared with last year it rose by 1.25 points (95% CI 0.11–2.39), a significant change.",
				"Among the domains, Environmental quality scored highest (86.88) and Public management quality lowest (79.46), 7.42 points apart.",
				"Nanjiang District (81.12, -2.30) scored significantly below the city",
			},
			wantNot: []string{"满意度"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := testModel()
			if tt.change != nil {
				tt.change(m)
			}
			got := GenerateConclusions(m)
			all := strings.Join(got, "\n")
			for _, w := range tt.want {
				if !strings.Contains(all, w) {
					t.Errorf("conclusions lack %q; got:\n%s", w, all)
				}
			}
			for _, w := range tt.wantNot {
				if strings.Contains(all, w) {
					t.Errorf("conclusions contain %q; got:\n%s", w, all)
				}
			}
			if tt.count > 0 && len(got) != tt.count {
				t.Errorf("got %d conclusions, want %d:\n%s", len(got), tt.count, all)
			}
		})
	}
}

func TestMethodValid(t *testing.T) {
	m := testModel().Method
	if got, want := m.Valid(), 2000; got != want {
		t.Errorf("Valid() = %d, want %d (2,174 collected − 96 − 51 − 27)", got, want)
	}
}

func TestQuestionnaireAppendix(t *testing.T) {
	q := survey.DefaultQuestionnaire()
	pages := QuestionnaireAppendix(q)
	want := 0
	for _, p := range q.Pages {
		if p.Kind != "consent" {
			want++
		}
	}
	if len(pages) != want {
		t.Fatalf("got %d pages, want %d (all but the consent page)", len(pages), want)
	}
	// Printed in the report, every question reads whole.
	m := testModel()
	m.Appendix.Questionnaire = pages
	text := squash(strings.Join(pdfText(t, render(t, m, "zh"), false), ""))
	for _, p := range pages {
		for _, it := range p.Items {
			if s := squash(it.Text.Zh); !strings.Contains(text, s) {
				t.Errorf("question %s %q is not in the report text", it.ID, it.Text.Zh)
			}
		}
	}
}
