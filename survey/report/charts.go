package report

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"strings"
	"sync"

	"golang.org/x/image/font/opentype"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"manyi/static"
)

// chartDPI is the raster resolution of the charts: sharp in print at the
// size they are placed, and small enough to keep the report well under 5 MB.
const chartDPI = 200

// Chart widths in millimetres; the PDF places charts at their drawn size so
// that chart text prints at its nominal point size. The widths differ by a
// few pixels on purpose: fpdf (v0.9.0) orders images by pixel width when
// catalogue sorting is on, and images of equal width would be written in
// map order, which would make the PDF differ from run to run.
const (
	widthDomains   = 160.0
	widthDistricts = 159.6
	widthMatrix    = 159.2
	widthTrend     = 158.8
)

// chart is a rendered figure and the size it is printed at.
type chart struct {
	png  []byte
	w, h float64 // millimetres
}

// Colours shared by the charts and the tables.
var (
	colAccent = color.RGBA{R: 0x1f, G: 0x4e, B: 0x79, A: 0xff} // dark blue
	colBar    = color.RGBA{R: 0x4a, G: 0x7e, B: 0xb5, A: 0xff}
	colLight  = color.RGBA{R: 0xc9, G: 0xd6, B: 0xe6, A: 0xff}
	colGrey   = color.RGBA{R: 0xb4, G: 0xb4, B: 0xb4, A: 0xff}
	colText   = color.RGBA{R: 0x33, G: 0x33, B: 0x33, A: 0xff}
	colGrid   = color.RGBA{R: 0xe3, G: 0xe3, B: 0xe3, A: 0xff}
	colRed    = color.RGBA{R: 0xb0, G: 0x3a, B: 0x2e, A: 0xff}
	colZone   = color.RGBA{R: 0x99, G: 0x99, B: 0x99, A: 0xff}
)

// chartTypeface is the name the CJK font is registered under in plot's
// font cache.
const chartTypeface = font.Typeface("WQYMicroHei")

var (
	chartFontOnce sync.Once
	chartHandler  text.Handler
	chartFontErr  error
)

// chartText returns plot's text handler for the embedded CJK font. The font
// is parsed once per process: parsing the 4.6 MB file is the slowest step
// of a chart.
func chartText() (text.Handler, error) {
	chartFontOnce.Do(func() {
		f, err := opentype.Parse(static.CJKFont())
		if err != nil {
			chartFontErr = fmt.Errorf("report: parse chart font: %w", err)
			return
		}
		cache := font.NewCache(font.Collection{{Font: font.Font{Typeface: chartTypeface}, Face: f}})
		chartHandler = text.Plain{Fonts: cache}
	})
	return chartHandler, chartFontErr
}

// textStyle is a chart text style in the CJK font.
func textStyle(h text.Handler, size float64, c color.Color) text.Style {
	return text.Style{
		Color:   c,
		Font:    font.From(font.Font{Typeface: chartTypeface}, vg.Points(size)),
		Handler: h,
	}
}

// newPlot returns a plot in the report's style: CJK font everywhere, grey
// axes, no title (the caption in the PDF names the figure).
func newPlot(h text.Handler) *plot.Plot {
	p := plot.New()
	p.TextHandler = h
	// Only font, handler and colour change: plot.New's alignments and the
	// y label's rotation must stay.
	restyle := func(s *text.Style, size float64) {
		n := textStyle(h, size, colText)
		s.Font, s.Handler, s.Color = n.Font, n.Handler, n.Color
	}
	restyle(&p.Title.TextStyle, 11)
	for _, ax := range []*plot.Axis{&p.X, &p.Y} {
		restyle(&ax.Label.TextStyle, 9)
		restyle(&ax.Tick.Label, 8.5)
		ax.LineStyle.Color = colGrey
		ax.LineStyle.Width = vg.Points(0.6)
		ax.Tick.LineStyle.Color = colGrey
		ax.Tick.LineStyle.Width = vg.Points(0.6)
	}
	restyle(&p.Legend.TextStyle, 8.5)
	return p
}

// renderPNG rasterizes a plot at chartDPI. Every pixel is painted (white
// background), so the PNG is written without an alpha channel, which fpdf
// embeds without an extra soft mask.
func renderPNG(p *plot.Plot, wmm, hmm float64) (*chart, error) {
	c := vgimg.NewWith(vgimg.UseWH(vg.Length(wmm)*vg.Millimeter, vg.Length(hmm)*vg.Millimeter),
		vgimg.UseDPI(chartDPI), vgimg.UseBackgroundColor(color.White))
	p.Draw(draw.New(c))
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("report: encode chart: %w", err)
	}
	return &chart{png: buf.Bytes(), w: wmm, h: hmm}, nil
}

// bars draws one bar per category with a 95% interval whisker and the value
// printed past the whisker. Vertical bars stand on Base; horizontal ones
// start at Base on the x axis.
type bars struct {
	Vals, Lo, Hi []float64
	Grey         []bool // drawn grey (small samples)
	Notes        []string
	Horizontal   bool
	Base         float64
	Width        float64 // in category units, e.g. 0.6
	Label        text.Style
}

// DataRange implements plot.DataRanger.
func (b *bars) DataRange() (xmin, xmax, ymin, ymax float64) {
	lo, hi := b.Base, b.Base
	for i := range b.Vals {
		lo = math.Min(lo, math.Min(b.Vals[i], b.Lo[i]))
		hi = math.Max(hi, math.Max(b.Vals[i], b.Hi[i]))
	}
	n := float64(len(b.Vals))
	if b.Horizontal {
		return lo, hi, -0.5, n - 0.5
	}
	return -0.5, n - 0.5, lo, hi
}

// Plot implements plot.Plotter.
func (b *bars) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	whisker := draw.LineStyle{Color: colText, Width: vg.Points(0.8)}
	for i, v := range b.Vals {
		fill := color.Color(colBar)
		if i < len(b.Grey) && b.Grey[i] {
			fill = colGrey
		}
		pos := float64(i)
		label := fmtIndex(v)
		if i < len(b.Notes) && b.Notes[i] != "" {
			label += " " + b.Notes[i]
		}
		if b.Horizontal {
			y0, y1 := trY(pos-b.Width/2), trY(pos+b.Width/2)
			x0, x1 := trX(b.Base), trX(v)
			c.FillPolygon(fill, []vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}})
			yc := trY(pos)
			capLen := (y1 - y0) / 4
			lo, hi := trX(b.Lo[i]), trX(b.Hi[i])
			c.StrokeLine2(whisker, lo, yc, hi, yc)
			c.StrokeLine2(whisker, lo, yc-capLen, lo, yc+capLen)
			c.StrokeLine2(whisker, hi, yc-capLen, hi, yc+capLen)
			st := b.Label
			st.XAlign, st.YAlign = draw.XLeft, draw.YCenter
			c.FillText(st, vg.Point{X: hi + vg.Points(3), Y: yc}, label)
			continue
		}
		x0, x1 := trX(pos-b.Width/2), trX(pos+b.Width/2)
		y0, y1 := trY(b.Base), trY(v)
		c.FillPolygon(fill, []vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}})
		xc := trX(pos)
		capLen := (x1 - x0) / 6
		lo, hi := trY(b.Lo[i]), trY(b.Hi[i])
		c.StrokeLine2(whisker, xc, lo, xc, hi)
		c.StrokeLine2(whisker, xc-capLen, lo, xc+capLen, lo)
		c.StrokeLine2(whisker, xc-capLen, hi, xc+capLen, hi)
		st := b.Label
		st.XAlign, st.YAlign = draw.XCenter, draw.YBottom
		c.FillText(st, vg.Point{X: xc, Y: hi + vg.Points(2)}, label)
	}
}

// refLine is a dashed reference line at a value on one axis, with a label.
type refLine struct {
	Value    float64
	Vertical bool // a vertical line at x = Value
	Label    string
	Style    text.Style
}

// Plot implements plot.Plotter.
func (r *refLine) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	ls := draw.LineStyle{Color: colRed, Width: vg.Points(0.8), Dashes: []vg.Length{vg.Points(4), vg.Points(2)}}
	st := r.Style
	if r.Vertical {
		x := trX(r.Value)
		c.StrokeLine2(ls, x, c.Min.Y, x, c.Max.Y)
		if r.Label != "" {
			st.XAlign, st.YAlign = draw.XLeft, draw.YTop
			c.FillText(st, vg.Point{X: x + vg.Points(2), Y: c.Max.Y}, r.Label)
		}
		return
	}
	y := trY(r.Value)
	c.StrokeLine2(ls, c.Min.X, y, c.Max.X, y)
	if r.Label != "" {
		st.XAlign, st.YAlign = draw.XRight, draw.YBottom
		c.FillText(st, vg.Point{X: c.Max.X, Y: y + vg.Points(1)}, r.Label)
	}
}

// cornerLabels writes the four zone names into the corners of the data area.
type cornerLabels struct {
	TopLeft, TopRight, BottomLeft, BottomRight string
	Style                                      text.Style
}

// Plot implements plot.Plotter.
func (z *cornerLabels) Plot(c draw.Canvas, _ *plot.Plot) {
	pad := vg.Points(4)
	put := func(s string, x vg.Length, y vg.Length, xa text.XAlignment, ya text.YAlignment) {
		st := z.Style
		st.XAlign, st.YAlign = xa, ya
		c.FillText(st, vg.Point{X: x, Y: y}, s)
	}
	put(z.TopLeft, c.Min.X+pad, c.Max.Y-pad, draw.XLeft, draw.YTop)
	put(z.TopRight, c.Max.X-pad, c.Max.Y-pad, draw.XRight, draw.YTop)
	put(z.BottomLeft, c.Min.X+pad, c.Min.Y+pad, draw.XLeft, draw.YBottom)
	put(z.BottomRight, c.Max.X-pad, c.Min.Y+pad, draw.XRight, draw.YBottom)
}

// points draws labelled dots with optional vertical whiskers and a joining
// line (the trend chart) or without (the matrix).
type points struct {
	X, Y   []float64
	Lo, Hi []float64 // nil for no whiskers
	Labels []string
	Join   bool
	Label  text.Style
	// LabelRight puts labels right of the dot instead of above it.
	LabelRight bool
}

// DataRange implements plot.DataRanger.
func (pt *points) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmin, ymin = math.Inf(1), math.Inf(1)
	xmax, ymax = math.Inf(-1), math.Inf(-1)
	for i := range pt.X {
		xmin, xmax = math.Min(xmin, pt.X[i]), math.Max(xmax, pt.X[i])
		lo, hi := pt.Y[i], pt.Y[i]
		if pt.Lo != nil {
			lo, hi = pt.Lo[i], pt.Hi[i]
		}
		ymin, ymax = math.Min(ymin, lo), math.Max(ymax, hi)
	}
	return
}

// Plot implements plot.Plotter.
func (pt *points) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	if pt.Join && len(pt.X) > 1 {
		line := make([]vg.Point, len(pt.X))
		for i := range pt.X {
			line[i] = vg.Point{X: trX(pt.X[i]), Y: trY(pt.Y[i])}
		}
		c.StrokeLines(draw.LineStyle{Color: colBar, Width: vg.Points(1.4)}, line)
	}
	whisker := draw.LineStyle{Color: colText, Width: vg.Points(0.8)}
	for i := range pt.X {
		x, y := trX(pt.X[i]), trY(pt.Y[i])
		top := y
		if pt.Lo != nil {
			lo, hi := trY(pt.Lo[i]), trY(pt.Hi[i])
			capLen := vg.Points(3)
			c.StrokeLine2(whisker, x, lo, x, hi)
			c.StrokeLine2(whisker, x-capLen, lo, x+capLen, lo)
			c.StrokeLine2(whisker, x-capLen, hi, x+capLen, hi)
			top = hi
		}
		c.DrawGlyph(draw.GlyphStyle{Color: colAccent, Radius: vg.Points(3.2), Shape: draw.CircleGlyph{}}, vg.Point{X: x, Y: y})
		if i < len(pt.Labels) && pt.Labels[i] != "" {
			st := pt.Label
			if pt.LabelRight {
				// A white box behind the label keeps cut lines and grid
				// from striking through it.
				st.XAlign, st.YAlign = draw.XLeft, draw.YCenter
				at := vg.Point{X: x + vg.Points(5), Y: y}
				w, h := st.Width(pt.Labels[i]), st.Height(pt.Labels[i])
				pad := vg.Points(1.5)
				c.FillPolygon(color.White, []vg.Point{
					{X: at.X - pad, Y: at.Y - h/2 - pad}, {X: at.X + w + pad, Y: at.Y - h/2 - pad},
					{X: at.X + w + pad, Y: at.Y + h/2 + pad}, {X: at.X - pad, Y: at.Y + h/2 + pad}})
				c.FillText(st, at, pt.Labels[i])
			} else {
				st.XAlign, st.YAlign = draw.XCenter, draw.YBottom
				c.FillText(st, vg.Point{X: x, Y: top + vg.Points(2)}, pt.Labels[i])
			}
		}
	}
}

// fitLabel breaks a label into lines no wider than max: at spaces for
// Latin text, between any two characters for Chinese.
func fitLabel(st text.Style, s string, max vg.Length) string {
	if st.Width(s) <= max {
		return s
	}
	var pieces []string
	if strings.Contains(s, " ") {
		for _, w := range strings.Fields(s) {
			pieces = append(pieces, w+" ")
		}
	} else {
		for _, r := range s {
			pieces = append(pieces, string(r))
		}
	}
	var lines []string
	cur := ""
	for _, pc := range pieces {
		if cur != "" && st.Width(strings.TrimSpace(cur+pc)) > max {
			lines = append(lines, strings.TrimSpace(cur))
			cur = ""
		}
		cur += pc
	}
	lines = append(lines, strings.TrimSpace(cur))
	return strings.Join(lines, "\n")
}

// niceFloor and niceCeil round an axis end to a multiple of step.
func niceFloor(v, step float64) float64 { return math.Floor(v/step) * step }
func niceCeil(v, step float64) float64  { return math.Ceil(v/step) * step }

// grid returns light grid lines on one direction only.
func grid(horizontal bool) *plotter.Grid {
	g := plotter.NewGrid()
	line := draw.LineStyle{Color: colGrid, Width: vg.Points(0.5)}
	none := draw.LineStyle{}
	if horizontal {
		g.Horizontal, g.Vertical = line, none
	} else {
		g.Horizontal, g.Vertical = none, line
	}
	return g
}

// chartDomains is the bar chart of domain indices with interval whiskers.
func chartDomains(m *Model, lang string) (*chart, error) {
	h, err := chartText()
	if err != nil {
		return nil, err
	}
	p := newPlot(h)
	b := &bars{Width: 0.55, Label: textStyle(h, 8.5, colText)}
	names := make([]string, len(m.Domains))
	lo := 100.0
	for i, d := range m.Domains {
		names[i] = d.Name.Get(lang)
		b.Vals = append(b.Vals, d.Index.Value)
		b.Lo = append(b.Lo, d.Index.Lo)
		b.Hi = append(b.Hi, d.Index.Hi)
		lo = math.Min(lo, d.Index.Lo)
	}
	b.Base = math.Max(0, niceFloor(lo-8, 10))
	p.Add(grid(true), b)
	// Long names (English ones) go on two or more lines so that
	// neighbouring labels never overlap.
	slot := vg.Length(widthDomains-25) * vg.Millimeter / vg.Length(math.Max(1, float64(len(names))))
	for i := range names {
		names[i] = fitLabel(p.X.Tick.Label, names[i], slot*0.92)
	}
	p.NominalX(names...)
	p.Y.Min, p.Y.Max = b.Base, 100
	p.Y.Label.Text = tr(lang, "满意度指数", "Satisfaction index")
	p.Add(&refLine{Value: m.Overall.Index.Value, Label: tr(lang, "总体 ", "Overall ") + fmtIndex(m.Overall.Index.Value), Style: textStyle(h, 8, colRed)})
	return renderPNG(p, widthDomains, 82)
}

// chartDistricts is the district ranking: horizontal bars, best at the top,
// small districts grey at the bottom with their note.
func chartDistricts(m *Model, lang string) (*chart, error) {
	h, err := chartText()
	if err != nil {
		return nil, err
	}
	ranked := m.RankedDistricts()
	n := len(ranked)
	p := newPlot(h)
	b := &bars{Horizontal: true, Width: 0.6, Label: textStyle(h, 8.5, colText)}
	b.Vals = make([]float64, n)
	b.Lo = make([]float64, n)
	b.Hi = make([]float64, n)
	b.Grey = make([]bool, n)
	b.Notes = make([]string, n)
	names := make([]string, n)
	lo := 100.0
	for i, d := range ranked {
		j := n - 1 - i // the first ranked sits at the top
		names[j] = d.Name.Get(lang)
		b.Vals[j], b.Lo[j], b.Hi[j] = d.Index.Value, d.Index.Lo, d.Index.Hi
		if d.Small {
			b.Grey[j] = true
			b.Notes[j] = fmt.Sprintf("(n=%d<%d)", d.Index.N, m.minN())
		}
		lo = math.Min(lo, d.Index.Lo)
	}
	b.Base = math.Max(0, niceFloor(lo-8, 10))
	p.Add(grid(false), b)
	if n > 0 {
		p.NominalY(names...)
	}
	p.X.Min, p.X.Max = b.Base, 100
	// Headroom above the first bar for the city line's label.
	p.Y.Max = float64(n) - 0.5 + 0.7
	p.X.Label.Text = tr(lang, "满意度指数", "Satisfaction index")
	p.Add(&refLine{Value: m.Overall.Index.Value, Vertical: true, Label: tr(lang, "全市 ", "City ") + fmtIndex(m.Overall.Index.Value), Style: textStyle(h, 8, colRed)})
	height := math.Max(60, 12+9*float64(n))
	return renderPNG(p, widthDistricts, height)
}

// chartMatrix is the importance–performance matrix: domains as dots, cut
// lines at the means, the four zones named in the corners.
func chartMatrix(m *Model, lang string) (*chart, error) {
	return chartMatrixWidth(m, lang, widthMatrix)
}

// chartMatrixWidth is chartMatrix drawn w millimetres wide. The service
// report gives each sector's matrix a slightly different width: fpdf
// orders images of equal width by map iteration, which would make the
// bytes of a report with several matrices change from run to run.
func chartMatrixWidth(m *Model, lang string, w float64) (*chart, error) {
	h, err := chartText()
	if err != nil {
		return nil, err
	}
	_, cutI, cutP := m.Zones()
	p := newPlot(h)
	pt := &points{Label: textStyle(h, 8.5, colText), LabelRight: true}
	xmin, xmax, ymin, ymax := 100.0, 0.0, 100.0, 0.0
	for _, d := range m.Drivers {
		x := 100 * d.Importance
		pt.X = append(pt.X, x)
		pt.Y = append(pt.Y, d.Performance)
		pt.Labels = append(pt.Labels, d.Name.Get(lang))
		xmin, xmax = math.Min(xmin, x), math.Max(xmax, x)
		ymin, ymax = math.Min(ymin, d.Performance), math.Max(ymax, d.Performance)
	}
	// Pad so that dots and their labels stay off the corner labels.
	xpad := math.Max(3, 0.35*(xmax-xmin))
	ypad := math.Max(1.5, 0.45*(ymax-ymin))
	p.Add(grid(true), grid(false))
	p.Add(&refLine{Value: 100 * cutI, Vertical: true}, &refLine{Value: cutP})
	p.Add(&cornerLabels{
		TopLeft: ZoneKeep.Name(lang), TopRight: ZoneStrength.Name(lang),
		BottomLeft: ZoneChance.Name(lang), BottomRight: ZoneImprove.Name(lang),
		Style: textStyle(h, 10, colZone),
	})
	p.Add(pt)
	p.X.Min, p.X.Max = math.Max(0, xmin-xpad), xmax+xpad*1.6
	p.Y.Min, p.Y.Max = ymin-ypad, math.Min(100, ymax+ypad)
	p.X.Label.Text = tr(lang, "重要性（影响占比，%）", "Importance (share of influence, %)")
	p.Y.Label.Text = tr(lang, "表现（满意度指数）", "Performance (satisfaction index)")
	return renderPNG(p, w, 92)
}

// chartTrend is the overall index over the years with interval whiskers.
func chartTrend(m *Model, lang string) (*chart, error) {
	h, err := chartText()
	if err != nil {
		return nil, err
	}
	p := newPlot(h)
	pt := &points{Join: true, Label: textStyle(h, 8.5, colText)}
	var ticks []plot.Tick
	ymin, ymax := 100.0, 0.0
	for _, tp := range m.Trend {
		pt.X = append(pt.X, float64(tp.Year))
		pt.Y = append(pt.Y, tp.Index.Value)
		lo, hi := tp.Index.Lo, tp.Index.Hi
		if lo == 0 && hi == 0 {
			lo, hi = tp.Index.Value, tp.Index.Value
		}
		pt.Lo = append(pt.Lo, lo)
		pt.Hi = append(pt.Hi, hi)
		pt.Labels = append(pt.Labels, fmtIndex(tp.Index.Value))
		ticks = append(ticks, plot.Tick{Value: float64(tp.Year), Label: fmt.Sprint(tp.Year)})
		ymin, ymax = math.Min(ymin, lo), math.Max(ymax, hi)
	}
	p.Add(grid(true), pt)
	p.X.Tick.Marker = plot.ConstantTicks(ticks)
	if n := len(m.Trend); n > 0 {
		p.X.Min, p.X.Max = float64(m.Trend[0].Year)-0.5, float64(m.Trend[n-1].Year)+0.5
	}
	p.Y.Min, p.Y.Max = niceFloor(ymin-2, 5), math.Min(100, niceCeil(ymax+2, 5))
	p.X.Label.Text = tr(lang, "年份", "Year")
	p.Y.Label.Text = tr(lang, "总体满意度指数", "Overall index")
	return renderPNG(p, widthTrend, 75)
}

// tr picks the Chinese or English form of a template text.
func tr(lang, zh, en string) string {
	if lang == "en" {
		return en
	}
	return zh
}
