package report

import (
	"bytes"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/go-pdf/fpdf"
)

// Page geometry in millimetres (A4 portrait).
const (
	pageW        = 210.0
	pageH        = 297.0
	marginL      = 25.0
	marginR      = 20.0
	marginT      = 25.0
	marginB      = 22.0
	contentW     = pageW - marginL - marginR
	bodyBottom   = pageH - marginB
	fontFamily   = "wqy"
	bodySize     = 10.5 // 五号
	bodyLeading  = 6.4
	tableSize    = 9.0
	tableLeading = 4.6
	notePt       = 8.0
	noteLeading  = 4.2
	cellPadX     = 1.6
	cellPadY     = 1.3
	tableUnit    = 14.0
	keepWhole    = 80.0 // tables shorter than this (mm) never break
)

// ptToMM converts a font size in points to millimetres.
const ptToMM = 25.4 / 72

// tocEntry is a heading as the table of contents lists it.
type tocEntry struct {
	Level int
	Title string
	Page  int // logical page: the cover is not numbered
}

// layout is one pass of laying the report out. The first pass records on
// which page each heading lands and how many pages there are; the second
// pass prints those numbers in the table of contents and the footer.
// Because only digits change, both passes break pages identically.
type layout struct {
	pdf  *fpdf.Fpdf
	lang string
	// known holds the first pass's page numbers (nil during the first
	// pass); total is its page count.
	known []tocEntry
	total int

	toc []tocEntry
	// tocLinks are the link targets the contents page created, one per
	// known heading, in order; headings point them at themselves.
	tocLinks []int
	tables   int
	figures  int
	images   int
	// header is the running header text; cover suppresses header and
	// footer on the first page.
	header string
	cover  bool
}

// t picks the Chinese or English template text.
func (l *layout) t(zh, en string) string { return tr(l.lang, zh, en) }

// newLayout prepares an fpdf document with the embedded font and fixed
// metadata so that output is byte-for-byte reproducible.
func newLayout(lang string, font []byte, o docMeta) *layout {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetMargins(marginL, marginT, marginR)
	pdf.SetAutoPageBreak(false, marginB)
	pdf.AddUTF8FontFromBytes(fontFamily, "", font)
	pdf.SetCatalogSort(true)
	pdf.SetCreationDate(o.date)
	pdf.SetModificationDate(o.date)
	pdf.SetCompression(true)
	pdf.SetTitle(o.title, true)
	pdf.SetAuthor(o.author, true)
	pdf.SetSubject(o.subject, true)
	pdf.SetCreator("manyi", false)
	pdf.SetProducer("manyi (fpdf)", false)
	if lang == "en" {
		pdf.SetLang("en")
	} else {
		pdf.SetLang("zh-CN")
	}
	l := &layout{pdf: pdf, lang: lang, header: o.header}
	pdf.SetHeaderFunc(l.drawHeader)
	pdf.SetFooterFunc(l.drawFooter)
	return l
}

// docMeta is the PDF's information dictionary.
type docMeta struct {
	title, author, subject, header string
	date                           time.Time
}

// logicalPage is the printed page number: the cover is page 0.
func (l *layout) logicalPage() int { return l.pdf.PageNo() - 1 }

func (l *layout) drawHeader() {
	if l.pdf.PageNo() == 1 {
		return
	}
	p := l.pdf
	p.SetFont(fontFamily, "", 8)
	p.SetTextColor(120, 120, 120)
	p.SetXY(marginL, 12)
	p.CellFormat(contentW, 5, l.header, "", 0, "R", false, 0, "")
	p.SetDrawColor(180, 180, 180)
	p.SetLineWidth(0.2)
	p.Line(marginL, 17.5, pageW-marginR, 17.5)
	p.SetTextColor(0, 0, 0)
	p.SetXY(marginL, marginT)
}

func (l *layout) drawFooter() {
	if l.pdf.PageNo() == 1 {
		return
	}
	p := l.pdf
	total := l.total - 1
	if l.known == nil {
		total = 0
	}
	p.SetFont(fontFamily, "", 8.5)
	p.SetTextColor(90, 90, 90)
	p.SetXY(marginL, pageH-14)
	s := fmt.Sprintf("第 %d 页 共 %d 页", l.logicalPage(), total)
	if l.lang == "en" {
		s = fmt.Sprintf("Page %d of %d", l.logicalPage(), total)
	}
	p.CellFormat(contentW, 5, s, "", 0, "C", false, 0, "")
	p.SetTextColor(0, 0, 0)
}

// setFont sets the body font at size points.
func (l *layout) setFont(size float64) { l.pdf.SetFont(fontFamily, "", size) }

// space returns the room left on the page below the cursor.
func (l *layout) space() float64 { return bodyBottom - l.pdf.GetY() }

// need starts a new page unless h millimetres are left.
func (l *layout) need(h float64) {
	if l.space() < h {
		l.newPage()
	}
}

func (l *layout) newPage() {
	l.pdf.AddPage()
	l.pdf.SetXY(marginL, marginT)
}

// Line breaking.
//
// fpdf's MultiCell drops a Chinese character at automatic line breaks, so
// lines are broken here: CJK characters break anywhere, Latin words and
// numbers only at spaces, closing punctuation never starts a line and
// opening punctuation never ends one (禁则).

const (
	noLineStart = "，。、；：？！）】」』”’》〉…—%％,.;:?!)]}·～"
	noLineEnd   = "（【「『“‘《〈([{"
)

// tokens splits text into unbreakable pieces: one CJK character, one run of
// non-space non-CJK characters, or one run of spaces.
func tokens(s string) []string {
	var out []string
	i := 0
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == ' ':
			j := i + n
			for j < len(s) && s[j] == ' ' {
				j++
			}
			out = append(out, s[i:j])
			i = j
		case isWide(r):
			out = append(out, s[i:i+n])
			i += n
		default:
			j := i + n
			for j < len(s) {
				r2, n2 := utf8.DecodeRuneInString(s[j:])
				if r2 == ' ' || isWide(r2) {
					break
				}
				j += n2
			}
			out = append(out, s[i:j])
			i = j
		}
	}
	return out
}

// isWide reports whether r is a CJK character or full-width punctuation, a
// place where a line may break on either side.
func isWide(r rune) bool {
	return unicode.Is(unicode.Han, r) || (r >= 0x3000 && r <= 0x303f) || (r >= 0xff00 && r <= 0xffef) ||
		r == '“' || r == '”' || r == '‘' || r == '’' || r == '…' || r == '—' || r == '·'
}

// enQuotes turns curly quotes into straight ones.
var enQuotes = strings.NewReplacer("“", "\"", "”", "\"", "‘", "'", "’", "'")

// plainQuotes straightens quotes in English: the CJK font draws curly
// quotes full-width, which looks wrong between Latin words.
func (l *layout) plainQuotes(s string) string {
	if l.lang != "en" {
		return s
	}
	return enQuotes.Replace(s)
}

// wrap breaks s into lines no wider than w at the current font. Explicit
// newlines end lines. Leading spaces of continuation lines are dropped.
func (l *layout) wrap(s string, w float64) []string {
	s = l.plainQuotes(s)
	var lines []string
	for _, para := range strings.Split(s, "\n") {
		lines = append(lines, l.wrapPara(para, w)...)
	}
	return lines
}

func (l *layout) wrapPara(s string, w float64) []string {
	toks := tokens(s)
	if len(toks) == 0 {
		return []string{""}
	}
	var lines []string
	var cur []string
	curW := 0.0
	flush := func() {
		for len(cur) > 0 && strings.TrimSpace(cur[len(cur)-1]) == "" {
			cur = cur[:len(cur)-1]
		}
		lines = append(lines, strings.Join(cur, ""))
		cur, curW = nil, 0
	}
	for i := 0; i < len(toks); i++ {
		tk := toks[i]
		tw := l.pdf.GetStringWidth(tk)
		if len(cur) == 0 && strings.TrimSpace(tk) == "" && len(lines) > 0 {
			continue
		}
		if curW+tw <= w || len(cur) == 0 && tw <= w {
			cur = append(cur, tk)
			curW += tw
			continue
		}
		if strings.TrimSpace(tk) == "" {
			flush()
			continue
		}
		if len(cur) == 0 {
			// A single piece wider than the line: break it by characters.
			for _, r := range tk {
				rw := l.pdf.GetStringWidth(string(r))
				if curW+rw > w && len(cur) > 0 {
					var carry string
					if strings.ContainsRune(noLineStart, r) && len(cur) > 1 {
						carry = cur[len(cur)-1]
						cur = cur[:len(cur)-1]
					}
					flush()
					if carry != "" {
						cur = append(cur, carry)
						curW = l.pdf.GetStringWidth(carry)
					}
				}
				cur = append(cur, string(r))
				curW += rw
			}
			continue
		}
		// tk goes to the next line. Carry characters with it so that the
		// new line does not start with closing punctuation and the old one
		// does not end with opening punctuation.
		var carry []string
		first, _ := utf8.DecodeRuneInString(tk)
		for strings.ContainsRune(noLineStart, first) && len(cur) > 1 {
			last := cur[len(cur)-1]
			carry = append([]string{last}, carry...)
			cur = cur[:len(cur)-1]
			first, _ = utf8.DecodeRuneInString(last)
		}
		for len(cur) > 1 {
			last, _ := utf8.DecodeLastRuneInString(cur[len(cur)-1])
			if !strings.ContainsRune(noLineEnd, last) {
				break
			}
			carry = append([]string{cur[len(cur)-1]}, carry...)
			cur = cur[:len(cur)-1]
		}
		flush()
		for _, c := range carry {
			cur = append(cur, c)
			curW += l.pdf.GetStringWidth(c)
		}
		i-- // place tk again on the new line
		if len(carry) == 0 {
			// Without a carry the token must fit an empty line (checked above).
			continue
		}
	}
	if len(cur) > 0 || len(lines) == 0 {
		flush()
	}
	return avoidOrphan(lines)
}

// avoidOrphan pulls one character down from the previous line when the
// last line would hold a single character, unless that breaks a
// punctuation rule.
func avoidOrphan(lines []string) []string {
	n := len(lines)
	if n < 2 || utf8.RuneCountInString(lines[n-1]) != 1 {
		return lines
	}
	prev := lines[n-2]
	last, size := utf8.DecodeLastRuneInString(prev)
	rest := prev[:len(prev)-size]
	before, _ := utf8.DecodeLastRuneInString(rest)
	if utf8.RuneCountInString(prev) < 3 || !isWide(last) || strings.ContainsRune(noLineStart, last) ||
		strings.ContainsRune(noLineEnd, before) {
		return lines
	}
	lines[n-2] = rest
	lines[n-1] = string(last) + lines[n-1]
	return lines
}

// textLine writes one line at (x, y) with width w; justify spreads the
// characters to fill w exactly, the way Chinese body text is set.
func (l *layout) textLine(x, y, w, h float64, s string, align string, justify bool) {
	p := l.pdf
	s = l.plainQuotes(s)
	p.SetXY(x, y)
	if justify {
		n := utf8.RuneCountInString(s)
		gap := w - p.GetStringWidth(s)
		fs, _ := p.GetFontSize()
		if n > 1 && gap > 0 && gap/float64(n-1) < fs*ptToMM*0.5 {
			p.RawWriteStr(fmt.Sprintf("%.4f Tc\n", gap/float64(n-1)*72/25.4))
			p.CellFormat(w, h, s, "", 0, "L", false, 0, "")
			p.RawWriteStr("0 Tc\n")
			return
		}
	}
	p.CellFormat(w, h, s, "", 0, align, false, 0, "")
}

// para writes a body paragraph with a two-character first-line indent in
// Chinese (none in English), justified except for its last line.
func (l *layout) para(s string) {
	l.paraStyle(s, bodySize, bodyLeading, l.lang != "en", 0)
}

// paraStyle writes a paragraph in any size; indentFirst indents the first
// line by two characters, left indents every line.
func (l *layout) paraStyle(s string, size, leading float64, indentFirst bool, left float64) {
	p := l.pdf
	l.setFont(size)
	indent := 0.0
	if indentFirst {
		indent = 2 * size * ptToMM
	}
	w := contentW - left
	// Wrap the first line narrower by prefixing an indent of ideographic
	// spaces, which also keeps the indent in the extracted text.
	prefix := ""
	if indent > 0 {
		prefix = "\u3000\u3000"
	}
	lines := l.wrap(prefix+s, w)
	for i, ln := range lines {
		if l.space() < leading {
			l.newPage()
			l.setFont(size)
		}
		y := p.GetY()
		// Chinese is justified by spreading characters; English is set
		// ragged right, since PDF word spacing does not reach the two-byte
		// codes of an embedded Unicode font and letter-spacing Latin looks
		// wrong.
		l.textLine(marginL+left, y, w, leading, ln, "L", l.lang != "en" && i < len(lines)-1)
		p.SetXY(marginL, y+leading)
	}
	p.SetY(p.GetY() + leading*0.35)
}

// listItem writes a numbered item with a hanging indent: continuation lines
// align with the text, not with the number.
func (l *layout) listItem(label, s string, size, leading, left float64) {
	p := l.pdf
	l.setFont(size)
	lw := math.Max(p.GetStringWidth(label)+1.5, 2*size*ptToMM)
	w := contentW - left - lw
	for i, ln := range l.wrap(s, w) {
		if l.space() < leading {
			l.newPage()
			l.setFont(size)
		}
		y := p.GetY()
		if i == 0 {
			l.textLine(marginL+left, y, lw, leading, label, "L", false)
		}
		l.textLine(marginL+left+lw, y, w, leading, ln, "L", false)
		p.SetXY(marginL, y+leading)
	}
	p.SetY(p.GetY() + leading*0.2)
}

// note writes a small grey note (table footnotes, sources).
func (l *layout) note(s string) {
	l.pdf.SetTextColor(90, 90, 90)
	l.paraStyle(s, notePt, noteLeading, false, 0)
	l.pdf.SetTextColor(0, 0, 0)
}

// heading writes a numbered heading and records it for the table of
// contents and the PDF outline. Level 1 headings are fake-bold (the font
// has no bold face): glyphs are filled and stroked.
func (l *layout) heading(level int, title string) {
	p := l.pdf
	size, before, after := 15.0, 4.0, 3.0
	if level == 2 {
		size, before, after = 12.0, 2.0, 1.5
	}
	h := size * ptToMM * 1.6
	// Keep the heading with at least three lines of what follows.
	if p.GetY() > marginT+1 {
		p.SetY(p.GetY() + before)
	}
	l.need(h + after + 3*bodyLeading)
	if i := len(l.toc); i < len(l.tocLinks) {
		p.SetLink(l.tocLinks[i], p.GetY(), p.PageNo())
	}
	l.toc = append(l.toc, tocEntry{Level: level, Title: title, Page: l.logicalPage()})
	p.Bookmark(title, level-1, -1)
	l.setFont(size)
	p.SetTextColor(0x1f, 0x4e, 0x79)
	p.SetDrawColor(0x1f, 0x4e, 0x79)
	p.SetLineWidth(0.18)
	p.SetTextRenderingMode(2)
	p.SetX(marginL)
	p.CellFormat(contentW, h, title, "", 1, "L", false, 0, "")
	p.SetTextRenderingMode(0)
	p.SetTextColor(0, 0, 0)
	if level == 1 {
		p.SetDrawColor(0x1f, 0x4e, 0x79)
		p.SetLineWidth(0.4)
		p.Line(marginL, p.GetY(), pageW-marginR, p.GetY())
	}
	p.SetY(p.GetY() + after)
}

// column describes one table column: its header, its share of the table
// width and its alignment ("L", "C" or "R"; numbers are right-aligned).
type column struct {
	Head  string
	Width float64
	Align string
}

// row is one table row. A span row is a group label across all columns.
type row struct {
	Cells []string
	Span  bool
}

// table writes a numbered three-line table (三线表) with its caption above.
// Rows never split; when a row does not fit, the table continues on the next
// page under "续表 N" and its header row.
func (l *layout) table(caption string, cols []column, rows []row, notes ...string) {
	p := l.pdf
	l.tables++
	num := l.tables
	total := 0.0
	for _, c := range cols {
		total += c.Width
	}
	// Narrow tables are not stretched across the page: a column unit is
	// at most tableUnit millimetres, and the table is centred.
	tw := math.Min(contentW, total*tableUnit)
	tx := marginL + (contentW-tw)/2
	widths := make([]float64, len(cols))
	for i, c := range cols {
		widths[i] = tw * c.Width / total
	}
	l.setFont(tableSize)
	wrapCells := func(cells []string, span bool) ([][]string, float64) {
		out := make([][]string, len(cells))
		nl := 1
		for i, c := range cells {
			w := widths[i] - 2*cellPadX
			if span {
				w = tw - 2*cellPadX
			}
			out[i] = l.wrap(c, w)
			if len(out[i]) > nl {
				nl = len(out[i])
			}
			if span {
				break
			}
		}
		return out, float64(nl)*tableLeading + 2*cellPadY
	}
	heads := make([]string, len(cols))
	for i, c := range cols {
		heads[i] = c.Head
	}
	headLines, headH := wrapCells(heads, false)
	captionText := l.t(fmt.Sprintf("表 %d  %s", num, caption), fmt.Sprintf("Table %d  %s", num, caption))
	captionH := 7.0

	drawRow := func(lines [][]string, h float64, header, span bool) {
		y := p.GetY()
		if header {
			p.SetFillColor(0xee, 0xf2, 0xf7)
			p.Rect(tx, y, tw, h, "F")
		}
		if span {
			p.SetFillColor(0xf6, 0xf6, 0xf6)
			p.Rect(tx, y, tw, h, "F")
			p.SetTextColor(0x1f, 0x4e, 0x79)
			for k, ln := range lines[0] {
				l.textLine(tx+cellPadX, y+cellPadY+float64(k)*tableLeading, tw-2*cellPadX, tableLeading, ln, "L", false)
			}
			p.SetTextColor(0, 0, 0)
			p.SetXY(tx, y+h)
			return
		}
		x := tx
		for i, cell := range lines {
			align := cols[i].Align
			if header && align == "" {
				align = "C"
			}
			// Vertically centre cells with fewer lines than the row.
			off := (h - 2*cellPadY - float64(len(cell))*tableLeading) / 2
			for k, ln := range cell {
				l.textLine(x+cellPadX, y+cellPadY+off+float64(k)*tableLeading, widths[i]-2*cellPadX, tableLeading, ln, align, false)
			}
			x += widths[i]
		}
		p.SetXY(tx, y+h)
	}
	rule := func(w float64) {
		p.SetDrawColor(0x33, 0x33, 0x33)
		p.SetLineWidth(w)
		p.Line(tx, p.GetY(), tx+tw, p.GetY())
	}
	header := func(cont bool) {
		l.setFont(tableSize)
		if cont {
			p.SetTextColor(90, 90, 90)
			l.textLine(tx, p.GetY(), tw, 6, l.t(fmt.Sprintf("续表 %d", num), fmt.Sprintf("Table %d (continued)", num)), "L", false)
			p.SetTextColor(0, 0, 0)
			p.SetXY(tx, p.GetY()+6)
		}
		rule(0.5)
		drawRow(headLines, headH, true, false)
		rule(0.25)
	}

	heights := make([]float64, len(rows))
	all := 0.0
	for i, r := range rows {
		_, heights[i] = wrapCells(r.Cells, r.Span)
		all += heights[i]
	}
	// A short table is kept whole; a long one keeps its caption with the
	// header and the first row.
	if whole := captionH + headH + all + 2; whole < keepWhole {
		l.need(whole)
	} else if len(rows) > 0 {
		l.need(captionH + headH + heights[0] + 2)
	}
	l.setFont(10)
	p.SetX(tx)
	p.CellFormat(tw, captionH, captionText, "", 1, "C", false, 0, "")
	header(false)
	for i, r := range rows {
		l.setFont(tableSize)
		lines, h := wrapCells(r.Cells, r.Span)
		keep := h
		switch {
		case r.Span && i+1 < len(rows):
			// A group label must not be left alone at the foot of a page.
			keep += heights[i+1]
		case i == len(rows)-2 && i > 1:
			// Nor may the last row be left alone at the top of the next.
			keep += heights[i+1]
		}
		if l.space() < keep+1 {
			rule(0.25)
			l.newPage()
			header(true)
			l.setFont(tableSize)
		}
		drawRow(lines, h, false, r.Span)
	}
	rule(0.5)
	p.SetY(p.GetY() + 1.5)
	for _, n := range notes {
		l.note(n)
	}
	p.SetY(p.GetY() + 2.5)
}

// figure places a chart PNG at its natural size (the chart is drawn at the
// millimetre size it is printed at) with a numbered caption below.
func (l *layout) figure(c *chart, caption string, notes ...string) {
	p := l.pdf
	l.figures++
	l.images++
	name := fmt.Sprintf("fig%02d", l.images)
	info := p.RegisterImageOptionsReader(name, fpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(c.png))
	if info == nil {
		return
	}
	w, hmm := c.w, c.h
	if w > contentW {
		hmm = hmm * contentW / w
		w = contentW
	}
	l.need(hmm + 9)
	y := p.GetY() + 1
	p.ImageOptions(name, marginL+(contentW-w)/2, y, w, hmm, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
	p.SetXY(marginL, y+hmm+1)
	l.setFont(10)
	p.CellFormat(contentW, 7, l.t(fmt.Sprintf("图 %d  %s", l.figures, caption), fmt.Sprintf("Figure %d  %s", l.figures, caption)), "", 1, "C", false, 0, "")
	for _, n := range notes {
		l.note(n)
	}
	p.SetY(p.GetY() + 3)
}

// nextFigure is the text "图 N" of the figure about to be placed.
func (l *layout) nextFigure() string {
	return l.t(fmt.Sprintf("图 %d", l.figures+1), fmt.Sprintf("Figure %d", l.figures+1))
}

// nextTable is the text "表 N" of the table about to be placed.
func (l *layout) nextTable() string {
	return l.t(fmt.Sprintf("表 %d", l.tables+1), fmt.Sprintf("Table %d", l.tables+1))
}
