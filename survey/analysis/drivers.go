package analysis

import (
	"fmt"
	"html"
	"math"
	"strings"

	"manyi/survey"
	"manyi/survey/estimate"
)

// Zones of the importance–performance matrix (GB/T 19038 annex D).
const (
	ZoneImprove  = "improve"  // 重点改进区: high importance, low score
	ZoneStrength = "strength" // 优势区: high importance, high score
	ZoneChance   = "chance"   // 机会区: low importance, low score
	ZoneKeep     = "keep"     // 维持区: low importance, high score
)

// ZoneLabels names the zones.
var ZoneLabels = map[string]survey.Text{
	ZoneImprove:  {Zh: "重点改进区", En: "Improve first"},
	ZoneStrength: {Zh: "优势区", En: "Strengths"},
	ZoneChance:   {Zh: "机会区", En: "Opportunities"},
	ZoneKeep:     {Zh: "维持区", En: "Maintain"},
}

// Drivers holds the importance of each domain and item and the
// importance–performance matrices.
type Drivers struct {
	// Domains: from the weighted regression of the overall item's score on
	// the domain scores (respondent means of valid item scores), design-based
	// SEs; Share is the positive standardized coefficient normalised to sum
	// to 1.
	Domains []Importance `json:"domains"`
	// Items: per domain, the regression of the overall item's score on the
	// domain's item scores (all on 0–100, so the coefficients compare
	// directly); Share is the positive coefficient normalised within the
	// domain, Overall that times the domain's share.
	Items []Importance `json:"items"`
	// R rows entered the domain regression (complete cases).
	N int `json:"n"`
	// DomainChart and ItemChart are the matrices as SVG.
	DomainChart string        `json:"domain_chart"`
	ItemChart   string        `json:"item_chart"`
	Notes       []survey.Text `json:"notes,omitempty"`
}

// Importance is one domain's or item's driver figures.
type Importance struct {
	ID     string      `json:"id"`
	Domain string      `json:"domain,omitempty"`
	Label  survey.Text `json:"label"`
	// Coef and SE are the regression coefficient and its design-based SE.
	Coef float64 `json:"coef"`
	SE   float64 `json:"se"`
	// Std is the standardized coefficient Coef × sd(x) / sd(y) (domains).
	Std float64 `json:"std,omitempty"`
	// Share is the normalised importance (0–1); 0 for a negative coefficient.
	Share    float64 `json:"share"`
	Negative bool    `json:"negative"`
	// Overall is an item's share of the whole (domain share × Share).
	Overall float64 `json:"overall,omitempty"`
	// Score is the index (the performance axis).
	Score float64     `json:"score"`
	Zone  string      `json:"zone"`
	ZoneL survey.Text `json:"zone_label"`
}

// sdOf returns the weighted standard deviation of Score_<v> over the
// regression's complete cases from the two mean queries (E x² − (E x)²).
func sdOf(drv map[string]estimate.Result, v string) float64 {
	m, ok1 := drv["sd_mean_"+v]
	s, ok2 := drv["sd_sq_"+v]
	if !ok1 || !ok2 || len(m.By) != 1 || len(s.By) != 1 {
		return math.NaN()
	}
	return math.Sqrt(math.Max(s.By[0].Estimate-m.By[0].Estimate*m.By[0].Estimate, 0))
}

// domainImportance reads the domain regression.
func (b *builder) domainImportance(drv map[string]estimate.Result) []Importance {
	r, ok := drv["drivers"]
	if !ok {
		return nil
	}
	sy := sdOf(drv, "overall")
	var out []Importance
	sum := 0.0
	for j, d := range b.domains {
		c := r.Coef[j+1]
		x := Importance{ID: d, Label: b.q.Domain(d).Name, Coef: c.Estimate, SE: c.SE}
		x.Std = c.Estimate * sdOf(drv, d) / sy
		if x.Std > 0 {
			sum += x.Std
		} else {
			x.Negative = true
		}
		out = append(out, x)
	}
	for i := range out {
		if !out[i].Negative && sum > 0 {
			out[i].Share = out[i].Std / sum
		}
	}
	if sum == 0 {
		return nil
	}
	return out
}

// drivers assembles the driver section with the matrices.
func (b *builder) drivers(imp []Importance, drv map[string]estimate.Result, res *Results) *Drivers {
	dv := &Drivers{Domains: imp}
	if cc := b.t.Column(colCC); cc != nil {
		for _, m := range cc.Missing {
			if !m {
				dv.N++
			}
		}
	}
	score := map[string]float64{}
	for _, f := range res.Domains {
		score[f.Domain] = f.Value
	}
	for _, f := range res.Items {
		score[f.Item] = f.Value
	}
	share := map[string]float64{}
	for i := range dv.Domains {
		dv.Domains[i].Score = score[dv.Domains[i].ID]
		share[dv.Domains[i].ID] = dv.Domains[i].Share
		if dv.Domains[i].Negative {
			dv.Notes = append(dv.Notes, survey.Text{
				Zh: fmt.Sprintf("领域 %s 的回归系数为负（%.3f），重要性按 0 计。", dv.Domains[i].Label.Zh, dv.Domains[i].Coef),
				En: fmt.Sprintf("domain %s has a negative coefficient (%.3f) and is given importance 0.", dv.Domains[i].Label.En, dv.Domains[i].Coef)})
		}
	}
	zones(dv.Domains, func(x Importance) float64 { return x.Share })
	for _, d := range b.domains {
		r, ok := drv["drivers_"+d]
		if !ok {
			continue
		}
		its := b.domItems[d]
		sum := 0.0
		start := len(dv.Items)
		for j, it := range its {
			c := r.Coef[j+1]
			x := Importance{ID: it.ID, Domain: d, Label: it.Text, Coef: c.Estimate, SE: c.SE, Score: score[it.ID]}
			if c.Estimate > 0 {
				sum += c.Estimate
			} else {
				x.Negative = true
			}
			dv.Items = append(dv.Items, x)
		}
		for i := start; i < len(dv.Items); i++ {
			if !dv.Items[i].Negative && sum > 0 {
				dv.Items[i].Share = dv.Items[i].Coef / sum
			}
			dv.Items[i].Overall = dv.Items[i].Share * share[d]
		}
	}
	zones(dv.Items, func(x Importance) float64 { return x.Overall })
	dv.DomainChart = IPAChart(dv.Domains, func(x Importance) float64 { return x.Share },
		survey.Text{Zh: "领域重要性—表现矩阵", En: "Domains: importance–performance"})
	dv.ItemChart = IPAChart(dv.Items, func(x Importance) float64 { return x.Overall },
		survey.Text{Zh: "分项重要性—表现矩阵", En: "Items: importance–performance"})
	return dv
}

// zones places every point in its quadrant, the cut lines at the means of
// importance and score.
func zones(xs []Importance, imp func(Importance) float64) {
	mi, ms := cutLines(xs, imp)
	for i := range xs {
		hiI, hiS := imp(xs[i]) >= mi, xs[i].Score >= ms
		switch {
		case hiI && !hiS:
			xs[i].Zone = ZoneImprove
		case hiI && hiS:
			xs[i].Zone = ZoneStrength
		case !hiI && !hiS:
			xs[i].Zone = ZoneChance
		default:
			xs[i].Zone = ZoneKeep
		}
		xs[i].ZoneL = ZoneLabels[xs[i].Zone]
	}
}

func cutLines(xs []Importance, imp func(Importance) float64) (mi, ms float64) {
	for _, x := range xs {
		mi += imp(x)
		ms += x.Score
	}
	n := float64(max(len(xs), 1))
	return mi / n, ms / n
}

// IPAChart draws the importance–performance matrix as a small SVG:
// importance across, score up, the cut lines at the means, the four zone
// names and one labelled point per domain or item. Text is escaped.
func IPAChart(xs []Importance, imp func(Importance) float64, title survey.Text) string {
	const W, H, L, R, T, B = 640.0, 440.0, 60.0, 20.0, 40.0, 50.0
	var sb strings.Builder
	esc := html.EscapeString
	fmt.Fprintf(&sb, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %g %g" width="%g" height="%g" role="img" aria-label="%s">`, W, H, W, H, esc(title.Zh+" / "+title.En))
	fmt.Fprintf(&sb, `<title>%s / %s</title>`, esc(title.Zh), esc(title.En))
	fmt.Fprintf(&sb, `<rect x="%g" y="%g" width="%g" height="%g" fill="#fff" stroke="#999"/>`, L, T, W-L-R, H-T-B)
	if len(xs) == 0 {
		sb.WriteString(`</svg>`)
		return sb.String()
	}
	x0, x1 := 0.0, 0.0
	y0, y1 := math.Inf(1), math.Inf(-1)
	for _, x := range xs {
		x1 = math.Max(x1, imp(x))
		y0 = math.Min(y0, x.Score)
		y1 = math.Max(y1, x.Score)
	}
	if x1 <= x0 {
		x1 = 1
	}
	x1 *= 1.1
	pad := math.Max((y1-y0)*0.15, 1)
	y0, y1 = y0-pad, y1+pad
	px := func(v float64) float64 { return L + (v-x0)/(x1-x0)*(W-L-R) }
	py := func(v float64) float64 { return H - B - (v-y0)/(y1-y0)*(H-T-B) }
	mi, ms := cutLines(xs, imp)
	fmt.Fprintf(&sb, `<line x1="%.1f" y1="%g" x2="%.1f" y2="%g" stroke="#c33" stroke-dasharray="4 3"/>`, px(mi), T, px(mi), H-B)
	fmt.Fprintf(&sb, `<line x1="%g" y1="%.1f" x2="%g" y2="%.1f" stroke="#c33" stroke-dasharray="4 3"/>`, L, py(ms), W-R, py(ms))
	zone := func(z string, x, y float64, anchor string) {
		fmt.Fprintf(&sb, `<text x="%.1f" y="%.1f" font-size="12" fill="#777" text-anchor="%s">%s %s</text>`, x, y, anchor, esc(ZoneLabels[z].Zh), esc(ZoneLabels[z].En))
	}
	zone(ZoneKeep, L+6, T+16, "start")
	zone(ZoneStrength, W-R-6, T+16, "end")
	zone(ZoneChance, L+6, H-B-8, "start")
	zone(ZoneImprove, W-R-6, H-B-8, "end")
	for _, x := range xs {
		cx, cy := px(imp(x)), py(x.Score)
		fmt.Fprintf(&sb, `<circle cx="%.1f" cy="%.1f" r="4" fill="#246"><title>%s %s: %.1f%%, %.1f</title></circle>`, cx, cy, esc(x.Label.Zh), esc(x.Label.En), 100*imp(x), x.Score)
		fmt.Fprintf(&sb, `<text x="%.1f" y="%.1f" font-size="11">%s</text>`, cx+6, cy-4, esc(shortLabel(x.Label.Zh)))
	}
	fmt.Fprintf(&sb, `<text x="%g" y="%g" font-size="12" text-anchor="middle">重要性 Importance (%%)</text>`, (L+W-R)/2, H-12)
	fmt.Fprintf(&sb, `<text x="16" y="%g" font-size="12" text-anchor="middle" transform="rotate(-90 16 %g)">满意度 Score</text>`, (T+H-B)/2, (T+H-B)/2)
	fmt.Fprintf(&sb, `<text x="%g" y="24" font-size="14" text-anchor="middle">%s %s</text>`, W/2, esc(title.Zh), esc(title.En))
	for _, v := range []float64{y0, (y0 + y1) / 2, y1} {
		fmt.Fprintf(&sb, `<text x="%g" y="%.1f" font-size="10" text-anchor="end">%.0f</text>`, L-4, py(v)+3, v)
	}
	for _, v := range []float64{0, x1 / 2, x1} {
		fmt.Fprintf(&sb, `<text x="%.1f" y="%g" font-size="10" text-anchor="middle">%.0f</text>`, px(v), H-B+14, 100*v)
	}
	sb.WriteString(`</svg>`)
	return sb.String()
}

// shortLabel keeps point labels short (the full text is in the tooltip).
func shortLabel(s string) string {
	r := []rune(s)
	if len(r) > 8 {
		return string(r[:8]) + "…"
	}
	return s
}

// Zones places every point in its quadrant of the importance–performance
// matrix, the cut lines at the means of importance and score (the rule of
// the residents' drivers, for other matrices such as the CSI's).
func Zones(xs []Importance, imp func(Importance) float64) { zones(xs, imp) }
