package sampling

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strconv"
	"strings"
	"unicode/utf8"

	"manyi/survey"
)

// Canonical frame columns. A frame must have ColID and ColDistrict; the
// others are optional.
const (
	ColID       = "id"
	ColDistrict = "district"
	ColGender   = "gender"
	ColAgeBand  = "age_band"
	ColContact  = "contact"
	// ColSector is a service measurement's sector code (optional; see
	// FrameOptions.Sector for a file that is one sector's customer list).
	ColSector = "sector"
)

// Genders as stored in a Unit and used in quota cell keys.
const (
	GenderMale   = "male"
	GenderFemale = "female"
)

var frameColumns = []string{ColID, ColDistrict, ColGender, ColAgeBand, ColContact, ColSector}

// FrameOptions says how to read a frame file.
type FrameOptions struct {
	// Columns maps a canonical column (ColID, ColDistrict, …) to the header
	// name used in the file, e.g. {"id": "编号", "district": "区县"}. A column
	// not in the map is looked up by its canonical name.
	Columns map[string]string
	// Districts lists the known districts. A row whose district is not one
	// of them is rejected. Empty means any non-empty district is accepted.
	Districts []string
	// Sectors lists a service measurement's sector codes. When it is set
	// (or Sector is), the optional ColSector column is read: a row whose
	// sector is empty or not one of them is rejected. When neither is set
	// (a residents' measurement) a sector column is ignored like any other
	// column the frame does not know, so residents' frames read as before.
	// With Sectors set and Sector empty the file is the whole frame and
	// must have a sector column.
	Sectors []string
	// Sector, when set, says the file is one sector's customer list: every
	// unit gets this sector code; a sector column, if the file has one,
	// must hold it (or be empty) on every row, else the row is rejected.
	Sector string
	// AnySector reads the sector column, which the file must have, with
	// any non-empty code accepted: for `manyi sample` on a frame file with
	// a sector × district plan, where no measurement lists the sectors.
	AnySector bool
	// SizeHint is the expected number of rows, to size memory once. When 0,
	// ReadFrame estimates it from the input's size if the reader knows it
	// (an *os.File, a *bytes.Reader or *strings.Reader).
	SizeHint int
}

// estimateRows guesses the number of rows from the input's size, assuming
// rows of at least 40 bytes (an id, a district in Chinese, a gender, an age
// band and a phone number), capped so a huge file does not reserve memory
// it may never fill.
func estimateRows(r io.Reader) int {
	var size int64
	switch v := r.(type) {
	case interface{ Len() int }:
		size = int64(v.Len())
	case interface{ Stat() (fs.FileInfo, error) }:
		if fi, err := v.Stat(); err == nil && fi.Mode().IsRegular() {
			size = fi.Size()
		}
	}
	return int(min(size/40+16, 4_000_000))
}

// Unit is one resident (or phone number) of the frame.
type Unit struct {
	ID       string
	District string
	Gender   string // GenderMale, GenderFemale or "" when the frame has none
	AgeBand  string // one of AgeBands or ""
	Contact  string // normalized phone number or ""; secret, never log it
	Sector   string // a service measurement's sector code, or ""
	Row      int    // line in the file where the row starts (header = 1)
}

// Field returns the unit's value of a canonical column; the stratum
// variable of a plan is read through it. Unknown names give "".
func (u *Unit) Field(name string) string {
	switch name {
	case ColID:
		return u.ID
	case ColDistrict:
		return u.District
	case ColGender:
		return u.Gender
	case ColAgeBand:
		return u.AgeBand
	case ColContact:
		return u.Contact
	case ColSector:
		return u.Sector
	}
	return ""
}

// Frame is an imported sampling frame: the clean rows in file order.
type Frame struct {
	Header    []string // the file's header as read (without a BOM)
	Units     []Unit
	Districts []string // the known districts from FrameOptions, if any
}

// Counts returns the number of units per value of the stratum variable
// (a canonical column name). For ColDistrict every known district is
// present, with 0 when the frame has none of it.
func (f *Frame) Counts(stratum string) map[string]int {
	c := make(map[string]int)
	if stratum == ColDistrict {
		for _, d := range f.Districts {
			c[d] = 0
		}
	}
	for i := range f.Units {
		c[f.Units[i].Field(stratum)]++
	}
	return c
}

// CellCounts returns the number of units per pair of values of two
// canonical columns, e.g. CellCounts(ColSector, ColDistrict) gives the
// units of each sector × district cell.
func (f *Frame) CellCounts(a, b string) map[[2]string]int {
	c := make(map[[2]string]int)
	for i := range f.Units {
		c[[2]string{f.Units[i].Field(a), f.Units[i].Field(b)}]++
	}
	return c
}

// RowError is one problem with one row of a frame file. Record holds the
// row's fields as read (nil when the CSV itself could not be parsed) so the
// rejects file can repeat them; it may hold a phone number, so never log it.
type RowError struct {
	Row    int    // line number in the file, header = 1
	Column string // canonical column at fault, "" for the whole row
	Reason survey.Text
	Record []string
}

// Error implements error with the English text: "row 12: …".
func (e RowError) Error() string { return e.Line(survey.LangEn) }

// Line returns the problem as one line in lang: "第 12 行：…" or "row 12: …".
func (e RowError) Line(lang string) string {
	if lang == survey.LangEn {
		return fmt.Sprintf("row %d: %s", e.Row, e.Reason.En)
	}
	return fmt.Sprintf("第 %d 行：%s", e.Row, e.Reason.Zh)
}

func rowErr(row int, col string, rec []string, zh, en string, args ...any) RowError {
	return RowError{Row: row, Column: col, Record: rec,
		Reason: survey.Text{Zh: fmt.Sprintf(zh, args...), En: fmt.Sprintf(en, args...)}}
}

// ReadFrame reads a frame CSV: UTF-8 with or without a byte-order mark, a
// header row naming the columns, one resident per row. It returns the clean
// rows, one RowError per problem found (a row may have several), and an
// error only when the file as a whole is unusable (unreadable, no header, a
// required column missing). The caller decides between all-or-nothing
// (refuse when any RowError) and importing the clean rows while writing the
// rejects with WriteRejects.
//
// Each row is checked for: the number of fields, an empty or duplicate id
// (the later row is rejected), an unknown district, an unknown gender or age
// band, a malformed phone number (see NormalizePhone), and an empty or
// unknown sector when FrameOptions asks for sectors. Values are
// trimmed of surrounding spaces; gender, age band and phone are normalized.
func ReadFrame(r io.Reader, opts FrameOptions) (*Frame, []RowError, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	if b, err := br.Peek(3); err == nil && string(b) == "\ufeff" {
		br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1 // checked per row so every bad row is reported
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		return nil, nil, survey.Errorf(survey.EINVALID, "名单文件为空，第 1 行应为表头（id,district,…）", "the frame file is empty; row 1 must be a header (id,district,…)")
	}
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, nil, survey.Errorf(survey.EINVALID, "第 1 行（表头）无法解析：%v", "row 1 (header) cannot be parsed: %v", pe.Err)
		}
		return nil, nil, err
	}
	header = append([]string(nil), header...)
	if !validRecord(header) {
		return nil, nil, survey.Errorf(survey.EINVALID, "第 1 行（表头）不是有效的 UTF-8 文本：文件可能是 GBK 编码，用 Excel 保存时请选择“CSV UTF-8”", "row 1 (header) is not valid UTF-8: the file may be GBK-encoded; in Excel, save as \"CSV UTF-8\"")
	}
	idx, herr := frameIndex(header, opts.Columns)
	if herr != nil {
		return nil, nil, herr
	}

	readSector := len(opts.Sectors) > 0 || opts.Sector != "" || opts.AnySector
	sectors := make(map[string]string, len(opts.Sectors))
	for _, c := range opts.Sectors {
		sectors[c] = c
	}
	if opts.Sector != "" {
		if _, ok := sectors[opts.Sector]; !ok && len(sectors) > 0 {
			return nil, nil, survey.Errorf(survey.EINVALID, "行业“%s”不是本测评的行业", "sector %q is not one of the measurement's sectors", clip(opts.Sector))
		}
	} else if readSector && idx[5] < 0 {
		return nil, nil, survey.Errorf(survey.EINVALID, "第 1 行（表头）缺少列“sector”：整份名单须有行业列，或只导入一个行业的名单", "row 1 (header) has no column \"sector\": a whole frame needs a sector column, or import one sector's list")
	}
	known := make(map[string]string, len(opts.Districts))
	for _, d := range opts.Districts {
		known[d] = d
	}
	f := &Frame{Header: header, Districts: append([]string(nil), opts.Districts...)}
	// Growing a million-row slice and map step by step copies them many
	// times over; a size estimate lets both be allocated about once.
	hint := opts.SizeHint
	if hint <= 0 {
		hint = estimateRows(r)
	}
	f.Units = make([]Unit, 0, hint)
	seen := make(map[string]int32, hint)
	var errs []RowError
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if !errors.As(err, &pe) {
				return nil, nil, err
			}
			line := pe.StartLine
			if line == 0 {
				line = pe.Line
			}
			errs = append(errs, rowErr(line, "", nil, "CSV 格式错误：%v", "malformed CSV: %v", pe.Err))
			continue
		}
		row, _ := cr.FieldPos(0)
		if len(rec) != len(header) {
			errs = append(errs, rowErr(row, "", copyRec(rec), "有 %d 个字段，表头有 %d 个", "has %d fields, the header has %d", len(rec), len(header)))
			continue
		}
		if !validRecord(rec) {
			errs = append(errs, rowErr(row, "", copyRec(rec), "不是有效的 UTF-8 文本（用 Excel 保存时请选择“CSV UTF-8”）", "is not valid UTF-8 text (in Excel, save as \"CSV UTF-8\")"))
			continue
		}
		nerr := len(errs)
		u := Unit{Row: row}
		u.ID = strings.TrimSpace(rec[idx[0]])
		if u.ID == "" {
			errs = append(errs, rowErr(row, ColID, nil, "id 为空", "id is empty"))
		} else if first, dup := seen[u.ID]; dup {
			errs = append(errs, rowErr(row, ColID, nil, "id“%s”与第 %d 行重复", "id %q duplicates row %d", clip(u.ID), first))
		} else {
			seen[u.ID] = int32(row)
		}
		d := strings.TrimSpace(rec[idx[1]])
		switch {
		case d == "":
			errs = append(errs, rowErr(row, ColDistrict, nil, "区县为空", "district is empty"))
		case len(known) > 0:
			if k, ok := known[d]; ok {
				u.District = k // share the option's string, not the row's
			} else {
				errs = append(errs, rowErr(row, ColDistrict, nil, "区县“%s”不在已知区县之列", "unknown district %q", clip(d)))
			}
		default:
			u.District = d
		}
		if idx[2] >= 0 {
			g, ok := NormalizeGender(rec[idx[2]])
			if !ok {
				errs = append(errs, rowErr(row, ColGender, nil, "性别“%s”无法识别（应为 男、女、male 或 female）", "gender %q not recognised (want 男, 女, male or female)", clip(rec[idx[2]])))
			}
			u.Gender = g
		}
		if idx[3] >= 0 {
			a, ok := NormalizeAgeBand(rec[idx[3]])
			if !ok {
				errs = append(errs, rowErr(row, ColAgeBand, nil, "年龄段“%s”无法识别（应为 18-29、30-44、45-59、60-70 或 18–70 之间的年龄）", "age band %q not recognised (want 18-29, 30-44, 45-59, 60-70 or an age 18–70)", clip(rec[idx[3]])))
			}
			u.AgeBand = a
		}
		if idx[4] >= 0 {
			// The value is never echoed: it is a contact detail.
			p, ok := NormalizePhone(rec[idx[4]])
			if !ok {
				errs = append(errs, rowErr(row, ColContact, nil, "电话号码格式不正确（应为 11 位手机号，可带 +86，或带区号的固定电话）", "malformed phone number (want an 11-digit mobile number, optionally +86, or a landline with area code)"))
			}
			u.Contact = p
		}
		if readSector {
			v := ""
			if idx[5] >= 0 {
				v = strings.TrimSpace(rec[idx[5]])
			}
			switch {
			case opts.Sector != "":
				if v != "" && v != opts.Sector {
					errs = append(errs, rowErr(row, ColSector, nil, "行业“%s”与本名单的行业“%s”不符", "sector %q differs from this list's sector %q", clip(v), opts.Sector))
				}
				u.Sector = opts.Sector
			case v == "":
				errs = append(errs, rowErr(row, ColSector, nil, "行业为空", "sector is empty"))
			case len(sectors) > 0:
				if k, ok := sectors[v]; ok {
					u.Sector = k
				} else {
					errs = append(errs, rowErr(row, ColSector, nil, "行业“%s”不在本测评的行业之列", "unknown sector %q", clip(v)))
				}
			default:
				u.Sector = v
			}
		}
		if len(errs) > nerr {
			rc := copyRec(rec)
			for i := nerr; i < len(errs); i++ {
				errs[i].Record = rc
			}
			continue
		}
		f.Units = append(f.Units, u)
	}
	return f, errs, nil
}

func validRecord(rec []string) bool {
	for _, f := range rec {
		if !utf8.ValidString(f) {
			return false
		}
	}
	return true
}

func copyRec(rec []string) []string { return append([]string(nil), rec...) }

// clip shortens a value quoted back in a message so one huge cell cannot
// flood the output.
func clip(s string) string {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) <= 32 {
		return s
	}
	return string([]rune(s)[:32]) + "…"
}

// frameIndex finds the canonical columns in the header: indexes in the order
// of frameColumns, -1 for an absent optional column.
func frameIndex(header []string, cols map[string]string) ([]int, error) {
	for k := range cols {
		if !isFrameColumn(k) {
			return nil, survey.Errorf(survey.EINVALID, "列映射中的“%s”不是名单的列（应为 id、district、gender、age_band、contact、sector）", "column mapping names %q, which is not a frame column (want id, district, gender, age_band, contact, sector)", k)
		}
	}
	pos := make(map[string]int, len(header))
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		if _, dup := pos[h]; dup && h != "" {
			return nil, survey.Errorf(survey.EINVALID, "第 1 行（表头）中列“%s”出现了两次", "row 1 (header) has column %q twice", h)
		}
		pos[h] = i
	}
	idx := make([]int, len(frameColumns))
	for i, c := range frameColumns {
		name := c
		if m, ok := cols[c]; ok {
			name = m
		}
		j, ok := pos[strings.ToLower(strings.TrimSpace(name))]
		if !ok {
			if c == ColID || c == ColDistrict {
				return nil, survey.Errorf(survey.EINVALID, "第 1 行（表头）缺少列“%s”", "row 1 (header) has no column %q", name)
			}
			j = -1
		}
		idx[i] = j
	}
	return idx, nil
}

func isFrameColumn(c string) bool {
	for _, k := range frameColumns {
		if k == c {
			return true
		}
	}
	return false
}

// NormalizeGender maps 男/女/male/female/m/f (any case, surrounding spaces
// ignored) to GenderMale or GenderFemale. An empty value is valid and gives "".
func NormalizeGender(s string) (string, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "":
		return "", true
	case "男", "male", "m":
		return GenderMale, true
	case "女", "female", "f":
		return GenderFemale, true
	}
	return "", false
}

// NormalizeAgeBand maps an age band written with any dash ("18-29", "18–29",
// "18~29", "18至29") or an age in years (18–70) to one of AgeBands. An empty
// value is valid and gives "".
func NormalizeAgeBand(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", true
	}
	for _, b := range AgeBands {
		if s == b {
			return b, true
		}
	}
	if age, err := strconv.Atoi(s); err == nil {
		b := AgeBand(age)
		return b, b != ""
	}
	for _, sep := range []string{"–", "—", "~", "～", "至", "到"} {
		s = strings.ReplaceAll(s, sep, "-")
	}
	s = strings.ReplaceAll(s, " ", "")
	for _, b := range AgeBands {
		if s == b {
			return b, true
		}
	}
	return "", false
}

// NormalizePhone checks a mainland China phone number and returns it in a
// canonical form. Spaces and hyphens are ignored. Accepted:
//
//   - a mobile number 1[3-9]xxxxxxxxx, optionally prefixed by +86 or 0086,
//     returned as its 11 digits;
//   - a landline with area code: 0, a 2–3 digit area code and a 7–8 digit
//     number (10 to 12 digits in all), or the same after +86/0086 without
//     the leading 0; returned as its digits with the leading 0.
//
// An empty value is valid and gives "" (the contact column is optional).
func NormalizePhone(s string) (string, bool) {
	var b [24]byte
	n := 0
	plus := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			if n == len(b) {
				return "", false
			}
			b[n] = c
			n++
		case c == ' ' || c == '-' || c == '\t':
		case c == '+' && n == 0 && !plus:
			plus = true
		default:
			return "", false
		}
	}
	d := b[:n]
	if n == 0 {
		return "", !plus
	}
	intl := false
	switch {
	case plus:
		if n < 2 || d[0] != '8' || d[1] != '6' {
			return "", false
		}
		d, intl = d[2:], true
	case n > 4 && d[0] == '0' && d[1] == '0' && d[2] == '8' && d[3] == '6':
		d, intl = d[4:], true
	}
	if len(d) == 11 && d[0] == '1' && d[1] >= '3' {
		if t := strings.TrimSpace(s); t == string(d) {
			return t, true // already canonical: no copy
		}
		return string(d), true
	}
	if intl {
		// +86 10 12345678: the trunk 0 is dropped after the country code.
		if len(d) >= 9 && len(d) <= 11 && d[0] != '0' && d[0] != '1' {
			return "0" + string(d), true
		}
		if len(d) >= 9 && len(d) <= 11 && d[0] == '1' && d[1] == '0' {
			return "0" + string(d), true // Beijing, area code 10
		}
		return "", false
	}
	if len(d) >= 10 && len(d) <= 12 && d[0] == '0' && d[1] != '0' {
		return string(d), true
	}
	return "", false
}

// WriteRejects writes the rejected rows as CSV: the columns "row" and
// "reason" followed by the frame's header, then one line per rejected row
// in file order: its line number, its reasons joined with "；" (Chinese)
// and "; " (English), and its fields as read (all of them, even when their
// number was wrong; none when the CSV reader could not split the row). The
// file repeats what the user supplied, contact numbers included, so it is
// for the user to fix and re-import, never for logs.
func WriteRejects(w io.Writer, header []string, errs []RowError) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(append([]string{"row", "reason"}, header...)); err != nil {
		return err
	}
	for i := 0; i < len(errs); {
		j := i
		var zh, en []string
		for ; j < len(errs) && errs[j].Row == errs[i].Row; j++ {
			zh = append(zh, errs[j].Reason.Zh)
			en = append(en, errs[j].Reason.En)
		}
		rec := append([]string{strconv.Itoa(errs[i].Row), strings.Join(zh, "；") + " / " + strings.Join(en, "; ")}, errs[i].Record...)
		if err := cw.Write(rec); err != nil {
			return err
		}
		i = j
	}
	cw.Flush()
	return cw.Error()
}
