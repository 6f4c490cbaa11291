package setup

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"manyi/survey"
)

// QuestionnaireDefault is NewMeasurement.QuestionnaireFrom for the default
// template (docs/QUESTIONNAIRE.md).
const QuestionnaireDefault = "default"

// NewMeasurement is what the office gives to start a measurement.
type NewMeasurement struct {
	// ID is the measurement's id in URLs and files; empty means one is made
	// from the year ("m2027", then "m2027-2", …).
	ID     string
	Title  survey.Text
	City   survey.Text
	Office survey.Text
	Year   int
	// Districts are the strata, in order. With CopyDistricts they are taken
	// from the previous measurement instead.
	Districts     []survey.District
	CopyDistricts bool
	// PrevID is the previous measurement, for year-on-year comparison.
	PrevID string
	// Kind is survey.KindResident ("" means it) or survey.KindService.
	Kind string
	// Sectors are a service measurement's sectors, in report order. With
	// CopySectors they are taken from the previous measurement instead.
	Sectors     []survey.Sector
	CopySectors bool
	// QuestionnaireFrom is QuestionnaireDefault (or "") for the default
	// template of the kind (the CCSI template for a service measurement,
	// with its sectors), or the id of an earlier measurement whose newest
	// questionnaire is copied.
	QuestionnaireFrom string
}

// idPattern is what a measurement id may look like (the store's rule).
var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)

// districtCode is what a district code may look like: it is a choice code
// of the screener, so letters, digits, '_', '.' or '-', at most 32.
var districtCode = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,32}$`)

// codeList says how one kind of code/name list is read: its form field,
// what a line looks like, and which codes it takes.
type codeList struct {
	field     string         // the form field each problem names
	example   survey.Text    // the message for a line without a code and a name
	code      *regexp.Regexp // what a code may look like
	badCode   survey.Text    // the message for another code (%s/%q: the code)
	duplicate survey.Text    // the message for a code given twice (the code, the first line)
}

var districtList = codeList{
	field: "districts",
	example: survey.Text{Zh: "请写出区县代码和名称，例如“d1 东城区 Dongcheng”",
		En: "give the district code and name, e.g. \"d1 东城区 Dongcheng\""},
	code: districtCode,
	badCode: survey.Text{Zh: "代码“%s”只能包含字母、数字、_ . -（最多 32 个字符）",
		En: "the code %q may only contain letters, digits, _ . - (at most 32)"},
	duplicate: survey.Text{Zh: "代码“%s”与第 %d 行重复", En: "the code %q is also on line %d"},
}

// sectorCode is what a sector code may look like (survey.Sector).
var sectorCode = regexp.MustCompile(`^[a-z][a-z0-9_]{0,31}$`)

var sectorList = codeList{
	field: "sectors",
	example: survey.Text{Zh: "请写出行业代码和名称，例如“banking 银行 Banking”",
		En: "give the sector code and name, e.g. \"banking 银行 Banking\""},
	code: sectorCode,
	badCode: survey.Text{Zh: "行业代码“%s”应以小写字母开头，只含小写字母、数字和 _（最多 32 个字符）",
		En: "the sector code %q must start with a lower-case letter and contain only lower-case letters, digits and _ (at most 32)"},
	duplicate: survey.Text{Zh: "行业代码“%s”与第 %d 行重复", En: "the sector code %q is also on line %d"},
}

// parse reads text, one code and name a line: the code, then the Chinese
// name, then optionally the English name, separated by a tab, '|', ',' or
// '，' — or, when a line has none of these, by spaces (code, Chinese name,
// and the rest as the English name). Blank lines are skipped. Each problem
// names its line and l.field. A line is read as a survey.District (a code
// and a bilingual name), which a survey.Sector converts from.
func (l codeList) parse(text string) ([]survey.District, []survey.FieldError) {
	var out []survey.District
	var errs []survey.FieldError
	seen := map[string]int{}
	for n, line := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		line = strings.TrimSpace(strings.TrimPrefix(line, "\ufeff"))
		if line == "" {
			continue
		}
		row := n + 1
		bad := func(msg survey.Text, args ...any) {
			errs = append(errs, survey.FieldError{Field: l.field, Message: survey.Text{
				Zh: fmt.Sprintf("第 %d 行：", row) + fmt.Sprintf(msg.Zh, args...),
				En: fmt.Sprintf("line %d: ", row) + fmt.Sprintf(msg.En, args...),
			}})
		}
		var parts []string
		if strings.ContainsAny(line, "\t|,，") {
			parts = strings.FieldsFunc(line, func(r rune) bool { return r == '\t' || r == '|' || r == ',' || r == '，' })
		} else {
			parts = strings.Fields(line)
			if len(parts) > 3 {
				parts = []string{parts[0], parts[1], strings.Join(parts[2:], " ")}
			}
		}
		for i := range parts {
			parts[i] = strings.TrimSpace(parts[i])
		}
		if len(parts) < 2 || parts[1] == "" {
			bad(l.example)
			continue
		}
		if len(parts) > 3 {
			bad(survey.Text{Zh: "多了一列（应为：代码、中文名称、英文名称）", En: "too many columns (want: code, Chinese name, English name)"})
			continue
		}
		c := survey.District{Code: parts[0], Name: survey.Text{Zh: parts[1]}}
		if len(parts) == 3 {
			c.Name.En = parts[2]
		}
		if !l.code.MatchString(c.Code) {
			bad(l.badCode, c.Code)
			continue
		}
		if first, dup := seen[c.Code]; dup {
			bad(l.duplicate, c.Code, first)
			continue
		}
		seen[c.Code] = row
		out = append(out, c)
	}
	return out, errs
}

// ParseDistricts reads the districts from text, one per line: the code,
// then the Chinese name, then optionally the English name, separated by a
// tab, '|', ',' or '，' — or, when a line has none of these, by spaces
// (code, Chinese name, and the rest as the English name). Blank lines are
// skipped. Each problem names its line ("districts" field).
func ParseDistricts(text string) ([]survey.District, []survey.FieldError) {
	return districtList.parse(text)
}

// FormatDistricts is the inverse of ParseDistricts: "code | 中文 | English"
// lines.
func FormatDistricts(ds []survey.District) string {
	var b strings.Builder
	for _, d := range ds {
		b.WriteString(d.Code + " | " + d.Name.Zh)
		if d.Name.En != "" {
			b.WriteString(" | " + d.Name.En)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// Clone returns a deep copy of q that may be changed freely (questionnaires
// from the store are shared).
func Clone(q *survey.Questionnaire) *survey.Questionnaire {
	b, err := json.Marshal(q)
	if err != nil {
		panic("setup: Clone: " + err.Error())
	}
	var c survey.Questionnaire
	if err := json.Unmarshal(b, &c); err != nil {
		panic("setup: Clone: " + err.Error())
	}
	return &c
}

// ApplyDistricts makes the districts the choices of q's district item (the
// single item with role "district"), in order. A district without an
// English name gets its Chinese name in English too, so that the screener
// stays valid; the editor shows it. It reports whether q has such an item.
func ApplyDistricts(q *survey.Questionnaire, ds []survey.District) bool {
	for _, it := range q.ItemsByRole("district") {
		if it.Type != survey.TypeSingle {
			continue
		}
		it.Choices = it.Choices[:0]
		for _, d := range ds {
			en := d.Name.En
			if en == "" {
				en = d.Name.Zh
			}
			it.Choices = append(it.Choices, survey.Choice{Code: d.Code, Label: survey.Text{Zh: d.Name.Zh, En: en}})
		}
		return true
	}
	return false
}

// ParseSectors reads a service measurement's sectors from text, one per
// line, as ParseDistricts reads districts ("sectors" field); a code is a
// lower-case letter, then lower-case letters, digits or '_' (at most 32).
func ParseSectors(text string) ([]survey.Sector, []survey.FieldError) {
	ds, errs := sectorList.parse(text)
	var ss []survey.Sector
	for _, d := range ds {
		ss = append(ss, survey.Sector(d))
	}
	return ss, errs
}

// FormatSectors is the inverse of ParseSectors.
func FormatSectors(ss []survey.Sector) string {
	ds := make([]survey.District, len(ss))
	for i, s := range ss {
		ds[i] = survey.District(s)
	}
	return FormatDistricts(ds)
}

// ApplySectors makes the sectors the choices of q's sector item (role
// "sector"), in order: a sector the template already has keeps its
// sector-specific wording and added items, a new one gets the common
// items, and the template's other sectors are dropped (KeepSectors). A
// sector without an English name gets its Chinese name in English. It
// reports whether q has a sector item.
func ApplySectors(q *survey.Questionnaire, ss []survey.Sector) bool {
	si := q.SectorItem()
	if si == nil || si.Type != survey.TypeSingle {
		return false
	}
	q.KeepSectors(ss)
	si = q.SectorItem()
	si.Choices = si.Choices[:0]
	for _, s := range ss {
		en := s.Name.En
		if en == "" {
			en = s.Name.Zh
		}
		si.Choices = append(si.Choices, survey.Choice{Code: s.Code, Label: survey.Text{Zh: s.Name.Zh, En: en}})
	}
	return true
}

// Create checks in and stores the new measurement (status draft) with its
// questionnaire as version 1 and revision 1 by author. Problems with the
// form come back as one *survey.Error (EINVALID) whose Fields name the form
// fields: id, title, title_en, city, year, districts, prev, kind,
// sectors, sectors_from, questionnaire_from.
func Create(ctx context.Context, st Store, in NewMeasurement, author string) (*survey.Measurement, error) {
	var fields []survey.FieldError
	add := func(field, zh, en string) {
		fields = append(fields, survey.FieldError{Field: field, Message: survey.Text{Zh: zh, En: en}})
	}
	in.ID = strings.TrimSpace(in.ID)
	in.Title.Zh, in.Title.En = strings.TrimSpace(in.Title.Zh), strings.TrimSpace(in.Title.En)
	in.City.Zh, in.City.En = strings.TrimSpace(in.City.Zh), strings.TrimSpace(in.City.En)
	if in.Title.Zh == "" {
		add("title", "请填写测评名称", "the title is missing")
	}
	if in.City.Zh == "" {
		add("city", "请填写城市名称", "the city is missing")
	}
	if in.Year < 2000 || in.Year > 2100 {
		add("year", "年份应在 2000–2100 之间", "the year must be from 2000 to 2100")
	}
	if in.ID != "" && (!idPattern.MatchString(in.ID) || in.ID == "new") {
		add("id", "编号只能包含小写字母、数字、- 和 _，以字母或数字开头（最多 64 个字符）", "the id may only contain lower-case letters, digits, - and _, starting with a letter or digit (at most 64)")
	}
	var prev *survey.Measurement
	if in.PrevID != "" {
		p, err := st.Measurement(ctx, in.PrevID)
		switch {
		case survey.ErrorCode(err) == survey.ENOTFOUND:
			add("prev", "上一次的测评 "+in.PrevID+" 不存在", "the previous measurement "+in.PrevID+" does not exist")
		case err != nil:
			return nil, err
		default:
			prev = p
		}
	}
	if in.CopyDistricts {
		if prev == nil {
			if in.PrevID == "" {
				add("districts_from", "要沿用上一次测评的区县，请先选择上一次的测评", "choose the previous measurement to copy its districts")
			}
		} else {
			in.Districts = prev.Districts
		}
	}
	if len(in.Districts) == 0 && !(in.CopyDistricts && prev == nil) {
		add("districts", "请至少填写一个区县（每行一个：代码 名称）", "give at least one district (one per line: code name)")
	}
	switch in.Kind {
	case "", survey.KindResident:
		in.Kind = survey.KindResident
		in.Sectors, in.CopySectors = nil, false
	case survey.KindService:
		if in.CopySectors {
			switch {
			case prev == nil && in.PrevID == "":
				add("sectors_from", "要沿用上一次测评的行业，请先选择上一次的测评", "choose the previous measurement to copy its sectors")
			case prev != nil && !prev.IsService():
				add("sectors_from", "上一次的测评 "+prev.ID+" 不是服务业测评，没有行业", "the previous measurement "+prev.ID+" is not a service measurement and has no sectors")
			case prev != nil:
				in.Sectors = prev.Sectors
			}
		}
		if len(in.Sectors) == 0 && !in.CopySectors {
			add("sectors", "请至少填写一个行业（每行一个：代码 名称）", "give at least one sector (one per line: code name)")
		}
	default:
		add("kind", "测评类型应为市民质量满意度或服务业顾客满意度", "the kind must be resident or service")
	}
	var q *survey.Questionnaire
	switch from := strings.TrimSpace(in.QuestionnaireFrom); from {
	case "", QuestionnaireDefault:
		if in.Kind == survey.KindService {
			q = survey.DefaultServiceQuestionnaire()
		} else {
			q = survey.DefaultQuestionnaire()
		}
	default:
		v, err := st.Questionnaire(ctx, from, 0)
		switch {
		case survey.ErrorCode(err) == survey.ENOTFOUND:
			add("questionnaire_from", "要复制问卷的测评 "+from+" 不存在", "the measurement "+from+" to copy the questionnaire from does not exist")
		case err != nil:
			return nil, err
		default:
			q = Clone(v.Q)
		}
	}
	if in.ID == "" && len(fields) == 0 {
		id, err := freeID(ctx, st, in.Year)
		if err != nil {
			return nil, err
		}
		in.ID = id
	}
	if q != nil && len(in.Districts) > 0 && !ApplyDistricts(q, in.Districts) {
		add("questionnaire_from", "所选问卷没有区县题（角色 district），无法设置区县选项", "the chosen questionnaire has no district question (role district) to take the districts")
	}
	if q != nil && in.Kind == survey.KindService && len(in.Sectors) > 0 && !ApplySectors(q, in.Sectors) {
		add("questionnaire_from", "所选问卷没有行业题（角色 sector），无法设置行业选项", "the chosen questionnaire has no sector question (role sector) to take the sectors")
	}
	if q != nil && len(fields) == 0 {
		m := &survey.Measurement{Kind: in.Kind, Sectors: in.Sectors}
		if probs := Problems(m, q); len(probs) > 0 {
			msg := probs[0].String()
			add("questionnaire_from", "所选问卷用本次的区县后有误："+msg, "the chosen questionnaire is not valid with these districts: "+msg)
		}
	}
	if len(fields) > 0 {
		return nil, formError(fields)
	}
	m := &survey.Measurement{
		ID: in.ID, Title: in.Title, City: in.City, Office: in.Office, Year: in.Year,
		Status: survey.StatusDraft, Districts: in.Districts, PrevID: in.PrevID,
		Kind: in.Kind, Sectors: in.Sectors,
	}
	if err := st.CreateMeasurement(ctx, m, q); err != nil {
		if survey.ErrorCode(err) == survey.ECONFLICT {
			return nil, formError([]survey.FieldError{{Field: "id", Message: survey.Text{Zh: "编号 " + m.ID + " 已被使用", En: "the id " + m.ID + " is taken"}}})
		}
		return nil, err
	}
	if _, err := st.SaveRevision(ctx, m.ID, q, author, "created", -1); err != nil {
		return nil, err
	}
	return m, nil
}

// formError is one EINVALID error carrying the field messages, the first
// as its message.
func formError(fields []survey.FieldError) *survey.Error {
	return &survey.Error{
		Code:    survey.EINVALID,
		Message: survey.Text{Zh: "请修改标出的内容：" + fields[0].Message.Zh, En: "Please correct what is marked: " + fields[0].Message.En},
		Fields:  fields,
	}
}

// freeID returns "m<year>", or "m<year>-2", "m<year>-3", … when taken.
func freeID(ctx context.Context, st Store, year int) (string, error) {
	ms, err := st.Measurements(ctx)
	if err != nil {
		return "", err
	}
	taken := map[string]bool{}
	for _, m := range ms {
		taken[m.ID] = true
	}
	base := "m" + strconv.Itoa(year)
	id := base
	for n := 2; taken[id]; n++ {
		id = base + "-" + strconv.Itoa(n)
	}
	return id, nil
}
