package csi

import (
	"fmt"
	"html"
	"math"
	"strings"

	"manyi/survey"
)

// DiagramNode is where a construct sits in the path diagram, in a 760 × 360
// box: the CCSI chain left to right, image above it, the outcomes right.
type DiagramNode struct {
	ID   string
	X, Y float64
}

// DiagramNodes lays out the path diagram (also used by the report).
var DiagramNodes = []DiagramNode{
	{"image", 90, 60},
	{"expectation", 90, 250},
	{"quality", 270, 300},
	{"value", 270, 160},
	{"satisfaction", 450, 200},
	{"complaint", 650, 290},
	{"loyalty", 650, 90},
}

// Diagram sizes.
const (
	DiagramW, DiagramH = 760.0, 360.0
	NodeW, NodeH       = 128.0, 48.0
)

// NodeAt returns the layout of construct id.
func NodeAt(id string) DiagramNode {
	for _, n := range DiagramNodes {
		if n.ID == id {
			return n
		}
	}
	return DiagramNode{}
}

// EdgeEnds returns where the arrow from a to b leaves a's box and enters
// b's (box centres joined, clipped to the box edges).
func EdgeEnds(a, b DiagramNode) (x1, y1, x2, y2 float64) {
	clip := func(n DiagramNode, dx, dy float64) (float64, float64) {
		t := math.Inf(1)
		if dx != 0 {
			t = math.Min(t, (NodeW/2)/math.Abs(dx))
		}
		if dy != 0 {
			t = math.Min(t, (NodeH/2)/math.Abs(dy))
		}
		return n.X + dx*t, n.Y + dy*t
	}
	dx, dy := b.X-a.X, b.Y-a.Y
	x1, y1 = clip(a, dx, dy)
	x2, y2 = clip(b, -dx, -dy)
	return x1, y1, x2, y2
}

// PathDiagramSVG draws a sector's model: one box per construct with its
// index and R², one arrow per path with its coefficient; a path whose
// interval includes 0 is dashed and grey. Text is escaped.
func PathDiagramSVG(sr *SectorResult, lang string) string {
	var sb strings.Builder
	esc := html.EscapeString
	title := sr.Sector.Name.Get(lang) + map[bool]string{true: ": path model", false: "：路径模型"}[lang == survey.LangEn]
	fmt.Fprintf(&sb, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %g %g" width="100%%" role="img" aria-label="%s" class="pathdiagram">`, DiagramW, DiagramH, esc(title))
	fmt.Fprintf(&sb, `<title>%s</title><defs><marker id="ah" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="#246"/></marker>`+
		`<marker id="ahg" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="#999"/></marker></defs>`, esc(title))
	for _, p := range sr.Paths {
		a, b := NodeAt(p.From), NodeAt(p.To)
		x1, y1, x2, y2 := EdgeEnds(a, b)
		stroke, marker, dash := "#246", "ah", ""
		if !p.Significant {
			stroke, marker, dash = "#999", "ahg", ` stroke-dasharray="5 4"`
		}
		fmt.Fprintf(&sb, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="1.6"%s marker-end="url(#%s)"/>`, x1, y1, x2, y2, stroke, dash, marker)
		mx, my := x1+(x2-x1)*0.45, y1+(y2-y1)*0.45
		fmt.Fprintf(&sb, `<rect x="%.1f" y="%.1f" width="40" height="16" fill="#fff" opacity="0.85"/><text x="%.1f" y="%.1f" font-size="12" text-anchor="middle" fill="%s">%.2f</text>`,
			mx-20, my-11, mx, my+1, stroke, p.Coef.Value)
	}
	for _, n := range DiagramNodes {
		c := sr.Construct(n.ID)
		if c == nil {
			continue
		}
		fill := "#eef3f8"
		if n.ID == "satisfaction" {
			fill = "#dde9f5"
		}
		fmt.Fprintf(&sb, `<rect x="%.1f" y="%.1f" width="%g" height="%g" rx="8" fill="%s" stroke="#246"/>`, n.X-NodeW/2, n.Y-NodeH/2, NodeW, NodeH, fill)
		fmt.Fprintf(&sb, `<text x="%.1f" y="%.1f" font-size="13" text-anchor="middle" font-weight="bold">%s</text>`, n.X, n.Y-5, esc(c.Name.Get(lang)))
		line := fmt.Sprintf("%.1f", c.Index.Value)
		if c.R2 > 0 {
			line += fmt.Sprintf(" · R² %.2f", c.R2)
		}
		fmt.Fprintf(&sb, `<text x="%.1f" y="%.1f" font-size="12" text-anchor="middle">%s</text>`, n.X, n.Y+13, esc(line))
	}
	sb.WriteString(`</svg>`)
	return sb.String()
}
