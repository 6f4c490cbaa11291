package invite

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"
	"github.com/skip2/go-qrcode"

	"manyi/static"
	"manyi/survey"
)

// QREntry is one code on the sheet: the case it recruits, its district
// and, in a service measurement, its sector's name (printed for the
// interviewer's orientation, either may be empty) and the personal link
// the code carries.
type QREntry struct {
	CaseID   string
	District string
	Sector   string // the sector's name, "" in a residents' measurement
	URL      string
}

// QROptions sets the sheet. Zero values take the defaults.
type QROptions struct {
	// Title is printed at the top of every page, e.g. the measurement's
	// title.
	Title string
	// Instruction is printed under every code; default
	// "请用手机扫描二维码，参加市民质量满意度测评（约 5–8 分钟）".
	Instruction string
	// Cols and Rows are the grid per page; default 3 × 4.
	Cols, Rows int
	// Date is the PDF's creation and modification date. The default is a
	// fixed date, so the same entries always give the same bytes.
	Date time.Time
}

// DefaultInstruction is printed under each code unless QROptions says
// otherwise.
const DefaultInstruction = "请用手机扫描二维码，参加市民质量满意度测评（约 5–8 分钟）"

// qrFont is the font family name registered with fpdf.
const qrFont = "cjk"

// A4 geometry in millimetres.
const (
	qrPageW   = 210.0
	qrPageH   = 297.0
	qrMarginX = 10.0
	qrTop     = 18.0
	qrBottom  = 10.0
)

// QRSheet lays out one QR code per entry on A4 pages (3 × 4 per page by
// default), each with its case id, district and a short instruction in
// Chinese below, and dashed cut lines between the cells. The output is
// deterministic: fixed metadata dates, a sorted catalogue, codes in the order
// given. Codes use medium error correction (15 %), which survives a smudged
// print, and keep the standard four-module quiet zone.
//
// The codes are drawn as vector rectangles, not embedded images: they print
// sharp at any size, and fpdf (v0.9 to v0.11) writes images of equal width in
// map order even with SetCatalogSort, which would make the bytes differ from
// run to run.
func QRSheet(entries []QREntry, opt QROptions) ([]byte, error) {
	if len(entries) == 0 {
		return nil, survey.Errorf(survey.EINVALID, "没有可打印的邀请", "there are no invitations to print")
	}
	if opt.Cols <= 0 {
		opt.Cols = 3
	}
	if opt.Rows <= 0 {
		opt.Rows = 4
	}
	if opt.Cols > 6 || opt.Rows > 8 {
		return nil, survey.Errorf(survey.EINVALID, "每页最多 6 列 8 行，要求的是 %d 列 %d 行",
			"a page holds at most 6 columns and 8 rows, asked for %d × %d", opt.Cols, opt.Rows)
	}
	if opt.Instruction == "" {
		opt.Instruction = DefaultInstruction
	}
	if opt.Date.IsZero() {
		opt.Date = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	for i, e := range entries {
		if e.URL == "" {
			return nil, survey.Errorf(survey.EINVALID, "第 %d 条（样本 %s）没有链接", "entry %d (case %s) has no link", i+1, e.CaseID)
		}
	}

	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetMargins(qrMarginX, qrTop, qrMarginX)
	pdf.SetAutoPageBreak(false, qrBottom)
	pdf.AddUTF8FontFromBytes(qrFont, "", static.CJKFont())
	pdf.SetCatalogSort(true)
	pdf.SetCreationDate(opt.Date)
	pdf.SetModificationDate(opt.Date)
	pdf.SetCompression(true)
	pdf.SetTitle(opt.Title, true)
	pdf.SetCreator("manyi", false)
	pdf.SetProducer("manyi (fpdf)", false)
	pdf.SetLang("zh-CN")

	perPage := opt.Cols * opt.Rows
	pages := (len(entries) + perPage - 1) / perPage
	cellW := (qrPageW - 2*qrMarginX) / float64(opt.Cols)
	cellH := (qrPageH - qrTop - qrBottom) / float64(opt.Rows)
	// The text under the code needs about 17 mm: case id, district, two
	// lines of instruction.
	size := min(cellW-8, cellH-21)
	if size < 15 {
		return nil, survey.Errorf(survey.EINVALID, "每页 %d 列 %d 行时二维码太小，无法扫描",
			"with %d columns and %d rows per page the codes are too small to scan", opt.Cols, opt.Rows)
	}

	for i, e := range entries {
		if i%perPage == 0 {
			pdf.AddPage()
			drawSheetPage(pdf, opt, i/perPage+1, pages, cellW, cellH)
		}
		k := i % perPage
		x := qrMarginX + float64(k%opt.Cols)*cellW
		y := qrTop + float64(k/opt.Cols)*cellH
		q, err := qrcode.New(e.URL, qrcode.Medium)
		if err != nil {
			return nil, fmt.Errorf("invite: QR code for entry %d: %w", i+1, err)
		}
		drawQR(pdf, q.Bitmap(), x+(cellW-size)/2, y+2, size)

		ty := y + 2 + size + 0.5
		pdf.SetFont(qrFont, "", 10)
		pdf.SetXY(x+2, ty)
		pdf.CellFormat(cellW-4, 4.5, "样本编号 "+e.CaseID, "", 0, "C", false, 0, "")
		ty += 4.5
		if place := strings.Trim(e.Sector+" · "+e.District, " ·"); place != "" {
			pdf.SetFont(qrFont, "", 8)
			pdf.SetXY(x+2, ty)
			pdf.CellFormat(cellW-4, 3.5, place, "", 0, "C", false, 0, "")
			ty += 3.5
		}
		pdf.SetFont(qrFont, "", 7.5)
		pdf.SetXY(x+3, ty+0.5)
		pdf.MultiCell(cellW-6, 3.2, opt.Instruction, "", "C", false)
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("invite: QR sheet: %w", err)
	}
	return buf.Bytes(), nil
}

// drawQR draws a QR bitmap (quiet zone included) as black rectangles in a
// size × size square at (x, y), one rectangle per horizontal run of dark
// modules. Each run reaches a hair into the next row so that screen viewers
// show no seams between rows.
func drawQR(pdf *fpdf.Fpdf, bm [][]bool, x, y, size float64) {
	n := len(bm)
	if n == 0 {
		return
	}
	m := size / float64(n)
	pdf.SetFillColor(0, 0, 0)
	for r, row := range bm {
		h := m
		if r < n-1 {
			h += m / 20
		}
		for c := 0; c < len(row); {
			if !row[c] {
				c++
				continue
			}
			start := c
			for c < len(row) && row[c] {
				c++
			}
			pdf.Rect(x+float64(start)*m, y+float64(r)*m, float64(c-start)*m, h, "F")
		}
	}
}

// drawSheetPage draws the page's title, page number and dashed cut lines.
func drawSheetPage(pdf *fpdf.Fpdf, opt QROptions, page, pages int, cellW, cellH float64) {
	pdf.SetFont(qrFont, "", 9)
	pdf.SetTextColor(90, 90, 90)
	pdf.SetXY(qrMarginX, 8)
	pdf.CellFormat(qrPageW-2*qrMarginX-30, 5, opt.Title, "", 0, "L", false, 0, "")
	pdf.SetXY(qrPageW-qrMarginX-30, 8)
	pdf.CellFormat(30, 5, fmt.Sprintf("第 %d / %d 页", page, pages), "", 0, "R", false, 0, "")
	pdf.SetTextColor(0, 0, 0)

	pdf.SetDrawColor(160, 160, 160)
	pdf.SetLineWidth(0.2)
	pdf.SetDashPattern([]float64{2, 1.5}, 0)
	bottom := qrTop + float64(opt.Rows)*cellH
	for c := 0; c <= opt.Cols; c++ {
		x := qrMarginX + float64(c)*cellW
		pdf.Line(x, qrTop, x, bottom)
	}
	for r := 0; r <= opt.Rows; r++ {
		y := qrTop + float64(r)*cellH
		pdf.Line(qrMarginX, y, qrPageW-qrMarginX, y)
	}
	pdf.SetDashPattern(nil, 0)
	pdf.SetDrawColor(0, 0, 0)
}
