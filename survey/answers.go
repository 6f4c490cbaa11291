package survey

import (
	"fmt"
	"math"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Merge returns a copy of a with b's items replacing a's. Neither argument
// changes; the value slices are copied too.
func (a Answers) Merge(b Answers) Answers {
	out := make(Answers, len(a)+len(b))
	for k, v := range a {
		out[k] = slices.Clone(v)
	}
	for k, v := range b {
		out[k] = slices.Clone(v)
	}
	return out
}

// answered reports whether vs holds a non-empty value.
func answered(vs []string) bool {
	for _, v := range vs {
		if v != "" {
			return true
		}
	}
	return false
}

// Holds reports whether the condition is met by the answers. A nil
// condition holds. The condition is met when some answer value of Item is in
// In (codes compare as text, numbers also by value, so "30" matches "30.0")
// and lies within [Min, Max]; when In, Min or Max is absent it does not
// constrain. Not inverts the result, except that a condition on an item
// with no answer never holds, with or without Not: a page that depends on an
// unanswered question stays hidden and an unanswered screener screens out
// nobody.
func (c *Condition) Holds(a Answers) bool {
	if c == nil {
		return true
	}
	vals := a[c.Item]
	if !answered(vals) {
		return false
	}
	match := false
	for _, v := range vals {
		if v != "" && c.matches(v) {
			match = true
			break
		}
	}
	return match != c.Not
}

func (c *Condition) matches(v string) bool {
	if len(c.In) > 0 && !slices.ContainsFunc(c.In, func(code string) bool { return sameAnswer(code, v) }) {
		return false
	}
	if c.Min == nil && c.Max == nil {
		return true
	}
	x, ok := parseNumber(v)
	if !ok {
		return false
	}
	return (c.Min == nil || x >= *c.Min) && (c.Max == nil || x <= *c.Max)
}

func sameAnswer(code, v string) bool {
	if code == v {
		return true
	}
	x, ok1 := parseNumber(code)
	y, ok2 := parseNumber(v)
	return ok1 && ok2 && x == y
}

// parseNumber reads a plain decimal number ("35", "-1.5", ".5"), accepting
// the full-width digits a Chinese input method may produce (３５ for 35) and
// surrounding spaces. It refuses what strconv.ParseFloat would also take
// (1e3, 0x10, Inf, NaN, 1_000): residents never mean those.
func parseNumber(s string) (float64, bool) {
	if strings.ContainsFunc(s, func(r rune) bool { return r >= 0x3000 }) {
		s = fullWidth.Replace(s)
	}
	s = strings.TrimSpace(s)
	if !isDecimal(s) {
		return 0, false
	}
	x, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(x, 0) || math.IsNaN(x) {
		return 0, false
	}
	return x, true
}

// isDecimal reports whether s is [+-]?(digits[.digits?]|.digits).
func isDecimal(s string) bool {
	if s != "" && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	digits, dot := 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' && !dot:
			dot = true
		default:
			return false
		}
	}
	return digits > 0
}

var fullWidth = strings.NewReplacer(
	"０", "0", "１", "1", "２", "2", "３", "3", "４", "4",
	"５", "5", "６", "6", "７", "7", "８", "8", "９", "9",
	"．", ".", "－", "-", "＋", "+", "　", " ",
)

// Score returns the 0–100 score of a scale answer, 100*(v-min)/(max-min)
// (DOMAIN.md "Scores and indices"). It is false for the don't-know code, a
// value outside the scale, a non-number and for items that are not scales:
// those are item nonresponse, never a score.
func (it *Item) Score(v string) (float64, bool) {
	if it.Type != TypeScale || it.Scale == nil || it.Scale.Max <= it.Scale.Min {
		return 0, false
	}
	if it.Scale.DontKnow != nil && v == it.Scale.DontKnow.Code {
		return 0, false
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < it.Scale.Min || n > it.Scale.Max {
		return 0, false
	}
	return 100 * float64(n-it.Scale.Min) / float64(it.Scale.Max-it.Scale.Min), true
}

// MaxRunes returns the rune limit of a text item (DefaultMaxLength when
// MaxLength is 0).
func (it *Item) MaxRunes() int {
	if it.MaxLength > 0 {
		return it.MaxLength
	}
	return DefaultMaxLength
}

// Messages of ParsePage, Chinese first.
var (
	msgRequired   = Text{Zh: "请回答此题", En: "Please answer this question"}
	msgOneAnswer  = Text{Zh: "此题只能填写一个答案", En: "This question takes only one answer"}
	msgChoice     = Text{Zh: "请从所列选项中选择", En: "Choose one of the listed options"}
	msgNumber     = Text{Zh: "请填写数字", En: "Enter a number"}
	msgInteger    = Text{Zh: "请填写整数", En: "Enter a whole number"}
	msgBadText    = Text{Zh: "文字中含有无法识别的字符", En: "The text contains characters that cannot be read"}
	msgNoSuchPage = Text{Zh: "问卷中没有这一页", En: "This page is not part of the questionnaire"}
)

// ParsePage reads one page's form: the field name is the item id, a multi
// item repeats its field, and fields starting with "_" belong to the web
// layer (CSRF token, timing) and are ignored. prior holds the answers saved
// so far; conditions see prior merged with this page.
//
// It returns the page's answers in canonical form (scale and number values
// as plain decimals, multi codes in choice order, text trimmed with "\n"
// line ends), for visible items only and without empty ones, and one
// FieldError per problem: Field is the item id, or "" for a field that is
// not on the page (the message names it). Values for items hidden by a
// condition are dropped silently: a form rendered before an earlier answer
// changed may still carry them.
func (q *Questionnaire) ParsePage(pageID string, form url.Values, prior Answers) (Answers, []FieldError) {
	pg, _ := q.Page(pageID)
	if pg == nil {
		return nil, []FieldError{{Field: "", Message: msgNoSuchPage}}
	}
	var errs []FieldError
	onPage := make(map[string]bool, len(pg.Items))
	for j := range pg.Items {
		onPage[pg.Items[j].ID] = true
	}
	var unknown []string
	for name := range form {
		if !strings.HasPrefix(name, "_") && !onPage[name] {
			unknown = append(unknown, name)
		}
	}
	sort.Strings(unknown)

	got := Answers{}
	bad := map[string]Text{}
	for j := range pg.Items {
		it := &pg.Items[j]
		vals, msg := it.parse(form[it.ID])
		if msg != nil {
			bad[it.ID] = *msg
		} else if len(vals) > 0 {
			got[it.ID] = vals
		}
	}

	// Conditions see what was saved before with this page's items replaced
	// (an item cleared on this page is no longer answered).
	merged := make(Answers, len(prior)+len(got))
	for k, v := range prior {
		if !onPage[k] {
			merged[k] = v
		}
	}
	for k, v := range got {
		merged[k] = v
	}

	out := Answers{}
	for j := range pg.Items {
		it := &pg.Items[j]
		if !pg.When.Holds(merged) || !it.When.Holds(merged) {
			continue
		}
		switch msg, isBad := bad[it.ID]; {
		case isBad:
			errs = append(errs, FieldError{Field: it.ID, Message: msg})
		case got[it.ID] != nil:
			out[it.ID] = got[it.ID]
		case it.Required:
			errs = append(errs, FieldError{Field: it.ID, Message: msgRequired})
		}
	}
	for _, name := range unknown {
		// The name comes from the client: keep the message short and valid.
		shown := strings.ToValidUTF8(name, "?")
		if r := []rune(shown); len(r) > 40 {
			shown = string(r[:40]) + "…"
		}
		errs = append(errs, FieldError{Field: "", Message: Text{
			Zh: fmt.Sprintf("表单中有本页没有的字段“%s”", shown),
			En: fmt.Sprintf("The form has a field %q that is not on this page", shown),
		}})
	}
	return out, errs
}

// parse checks one item's raw form values and returns them in canonical
// form (nil when unanswered) or the message to show next to the question.
func (it *Item) parse(raw []string) ([]string, *Text) {
	var vals []string
	for _, v := range raw {
		if it.Type != TypeText {
			v = strings.TrimSpace(v)
		} else {
			v = strings.TrimSpace(strings.ReplaceAll(strings.ReplaceAll(v, "\r\n", "\n"), "\r", "\n"))
		}
		if v != "" {
			vals = append(vals, v)
		}
	}
	if len(vals) == 0 {
		return nil, nil
	}
	if it.Type != TypeMulti && len(vals) > 1 {
		return nil, &msgOneAnswer
	}
	v := vals[0]
	switch it.Type {
	case TypeSingle:
		if !slices.ContainsFunc(it.Choices, func(c Choice) bool { return c.Code == v }) {
			return nil, &msgChoice
		}
		return vals, nil
	case TypeMulti:
		chosen := map[string]bool{}
		for _, v := range vals {
			if !slices.ContainsFunc(it.Choices, func(c Choice) bool { return c.Code == v }) {
				return nil, &msgChoice
			}
			chosen[v] = true
		}
		var out []string
		for _, c := range it.Choices {
			if chosen[c.Code] {
				out = append(out, c.Code)
			}
		}
		if it.MaxChoices > 0 && len(out) > it.MaxChoices {
			return nil, &Text{Zh: fmt.Sprintf("最多选择 %d 项", it.MaxChoices), En: fmt.Sprintf("Choose at most %d options", it.MaxChoices)}
		}
		if len(out) < it.MinChoices {
			return nil, &Text{Zh: fmt.Sprintf("请至少选择 %d 项", it.MinChoices), En: fmt.Sprintf("Choose at least %d options", it.MinChoices)}
		}
		return out, nil
	case TypeScale:
		if it.Scale == nil {
			return nil, &msgChoice
		}
		if it.Scale.DontKnow != nil && v == it.Scale.DontKnow.Code {
			return vals, nil
		}
		x, ok := parseNumber(v)
		if !ok || x != math.Trunc(x) || x < float64(it.Scale.Min) || x > float64(it.Scale.Max) {
			return nil, &Text{
				Zh: fmt.Sprintf("请在 %d–%d 之间选择", it.Scale.Min, it.Scale.Max),
				En: fmt.Sprintf("Choose a value from %d to %d", it.Scale.Min, it.Scale.Max),
			}
		}
		return []string{strconv.Itoa(int(x))}, nil
	case TypeNumber:
		x, ok := parseNumber(v)
		if !ok {
			return nil, &msgNumber
		}
		if it.Integer && x != math.Trunc(x) {
			return nil, &msgInteger
		}
		if (it.Min != nil && x < *it.Min) || (it.Max != nil && x > *it.Max) {
			return nil, rangeMessage(it.Min, it.Max)
		}
		return []string{fmtNum(x)}, nil
	case TypeText:
		if !utf8.ValidString(v) || strings.ContainsRune(v, 0) {
			return nil, &msgBadText
		}
		if n, limit := utf8.RuneCountInString(v), it.MaxRunes(); n > limit {
			return nil, &Text{
				Zh: fmt.Sprintf("最多 %d 字，现在是 %d 字", limit, n),
				En: fmt.Sprintf("Use at most %d characters (now %d)", limit, n),
			}
		}
		return vals, nil
	}
	return nil, &msgChoice // an unknown type cannot pass Validate
}

func rangeMessage(lo, hi *float64) *Text {
	switch {
	case lo != nil && hi != nil:
		return &Text{
			Zh: fmt.Sprintf("请填写 %s–%s 之间的数", fmtNum(*lo), fmtNum(*hi)),
			En: fmt.Sprintf("Enter a number from %s to %s", fmtNum(*lo), fmtNum(*hi)),
		}
	case lo != nil:
		return &Text{Zh: fmt.Sprintf("请填写不小于 %s 的数", fmtNum(*lo)), En: fmt.Sprintf("Enter a number of at least %s", fmtNum(*lo))}
	default:
		return &Text{Zh: fmt.Sprintf("请填写不大于 %s 的数", fmtNum(*hi)), En: fmt.Sprintf("Enter a number of at most %s", fmtNum(*hi))}
	}
}
