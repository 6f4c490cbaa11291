package invite

import (
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"manyi/survey"
)

// SMS segment sizes. A message with any character outside ASCII is sent in
// UCS-2, 70 characters to a single segment; an ASCII-only message fits 160.
// (Strictly the GSM 7-bit alphabet differs a little from ASCII; gateways in
// China send Chinese text, so ASCII is a safe stand-in.)
const (
	SegmentUCS2  = 70
	SegmentASCII = 160
)

// SMSRow is one invitation to send: the normalized phone number, the
// personal link, the sector code of a service measurement's case, and the
// measurement's city and title for the message.
type SMSRow struct {
	Contact string
	Link    string
	Sector  string // a service measurement's sector code, "" otherwise
	City    string
	Title   string
}

// placeholders are the names a template may use.
var placeholders = map[string]bool{"link": true, "city": true, "title": true}

// Template is a parsed SMS message template: literal text with {link},
// {city} and {title} placeholders. {link} is required, since a message
// without it invites nobody to anything.
type Template struct {
	parts []tmplPart
}

type tmplPart struct {
	lit  string
	name string // placeholder name, "" for a literal
}

// ParseTemplate checks and parses a message template. An unknown
// placeholder, an unclosed brace, a missing {link} or a first character that
// a spreadsheet would run as a formula is an EINVALID error naming it.
func ParseTemplate(s string) (*Template, error) {
	if strings.TrimSpace(s) == "" {
		return nil, survey.Errorf(survey.EINVALID, "短信模板为空", "the SMS template is empty")
	}
	if strings.ContainsAny(s[:1], "=+-@") {
		return nil, survey.Errorf(survey.EINVALID,
			"短信模板不能以 %s 开头（电子表格会把它当作公式）",
			"the SMS template must not start with %s (a spreadsheet would run it as a formula)", s[:1])
	}
	t := &Template{}
	rest := s
	hasLink := false
	for rest != "" {
		open := strings.IndexAny(rest, "{}")
		if open < 0 {
			t.parts = append(t.parts, tmplPart{lit: rest})
			break
		}
		if rest[open] == '}' {
			return nil, survey.Errorf(survey.EINVALID,
				"短信模板第 %d 个字符处有多余的“}”", "the SMS template has a stray \"}\" at character %d",
				utf8.RuneCountInString(s[:len(s)-len(rest)+open])+1)
		}
		if open > 0 {
			t.parts = append(t.parts, tmplPart{lit: rest[:open]})
		}
		end := strings.IndexByte(rest[open:], '}')
		if end < 0 {
			return nil, survey.Errorf(survey.EINVALID,
				"短信模板中的“{”没有对应的“}”：%s", "the SMS template has an unclosed \"{\": %s", clipRunes(rest[open:], 20))
		}
		name := rest[open+1 : open+end]
		if !placeholders[name] {
			return nil, survey.Errorf(survey.EINVALID,
				"短信模板中的占位符 {%s} 未知，可用的有 {link}、{city}、{title}",
				"the SMS template has an unknown placeholder {%s}; the known ones are {link}, {city}, {title}", name)
		}
		hasLink = hasLink || name == "link"
		t.parts = append(t.parts, tmplPart{name: name})
		rest = rest[open+end+1:]
	}
	if !hasLink {
		return nil, survey.Errorf(survey.EINVALID, "短信模板中没有 {link}（受访者的个人链接）",
			"the SMS template has no {link} (the resident's personal link)")
	}
	return t, nil
}

// Message fills the template for one row.
func (t *Template) Message(r SMSRow) string {
	var b strings.Builder
	for _, p := range t.parts {
		switch p.name {
		case "":
			b.WriteString(p.lit)
		case "link":
			b.WriteString(r.Link)
		case "city":
			b.WriteString(r.City)
		case "title":
			b.WriteString(r.Title)
		}
	}
	return b.String()
}

// Segments returns how many SMS segments msg needs: 1 up to 70 characters
// (160 for ASCII-only text), then 67 (153) per segment, since concatenated
// messages spend 3 (7) characters of every segment on the header that joins
// them.
func Segments(msg string) int {
	n := utf8.RuneCountInString(msg)
	single, multi := SegmentUCS2, 67
	if isASCII(msg) {
		single, multi = SegmentASCII, 153
	}
	if n <= single {
		return 1
	}
	return (n + multi - 1) / multi
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// Warnings parses tmpl and returns a warning, in Chinese and English, when a
// row's message needs more than one SMS segment (it still goes out, but costs
// more and some phones show it split). It reports the longest message only,
// so a long sheet gives one line. It returns the template's error if it has
// one.
func Warnings(rows []SMSRow, tmpl string) ([]survey.Text, error) {
	t, err := ParseTemplate(tmpl)
	if err != nil {
		return nil, err
	}
	longest, over := 0, 0
	var worst string
	for _, r := range rows {
		m := t.Message(r)
		if Segments(m) > 1 {
			over++
			if n := utf8.RuneCountInString(m); n > longest {
				longest, worst = n, m
			}
		}
	}
	if over == 0 {
		return nil, nil
	}
	limit := SegmentUCS2
	if isASCII(worst) {
		limit = SegmentASCII
	}
	return []survey.Text{{
		Zh: fmt.Sprintf("%d 条短信超过一条短信的长度（%d 字）：最长 %d 字，将按 %d 条计费；请缩短模板",
			over, limit, longest, Segments(worst)),
		En: fmt.Sprintf("%d messages are longer than one SMS segment (%d characters): the longest has %d and is sent as %d segments; shorten the template",
			over, limit, longest, Segments(worst)),
	}}, nil
}

// WriteSMS writes the SMS gateway CSV: UTF-8 with a byte-order mark (so
// that Excel opens it as UTF-8), a header row "contact,message", and one row
// per invitation in the order given. When any row has a sector (a service
// measurement's sector lists) the header is "contact,sector,message", so
// the office can hand each sector's rows to the gateway account that
// sector sends from. The template is checked first; a row
// without a contact or link is an error naming its position (1-based), and
// nothing useful is written after it. The file holds phone numbers and
// personal links: the caller creates it with mode 0600.
func WriteSMS(w io.Writer, rows []SMSRow, tmpl string) error {
	t, err := ParseTemplate(tmpl)
	if err != nil {
		return err
	}
	for i, r := range rows {
		if strings.TrimSpace(r.Contact) == "" {
			return survey.Errorf(survey.EINVALID, "第 %d 条邀请没有联系方式", "invitation %d has no contact", i+1)
		}
		if r.Link == "" {
			return survey.Errorf(survey.EINVALID, "第 %d 条邀请没有链接", "invitation %d has no link", i+1)
		}
	}
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	sectors := false
	for _, r := range rows {
		sectors = sectors || r.Sector != ""
	}
	cw := csv.NewWriter(w)
	header := []string{"contact", "message"}
	if sectors {
		header = []string{"contact", "sector", "message"}
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	for _, r := range rows {
		rec := []string{r.Contact, t.Message(r)}
		if sectors {
			rec = []string{r.Contact, r.Sector, t.Message(r)}
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// clipRunes shortens s to n runes for an error message.
func clipRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}
