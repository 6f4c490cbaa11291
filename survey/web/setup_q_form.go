package web

import (
	"strconv"
	"strings"

	"github.com/labstack/echo/v5"

	"manyi/survey"
)

// formFields reads the named fields of the request body, trimmed.
func formFields(c *echo.Context, names ...string) map[string]string {
	out := map[string]string{}
	for _, n := range names {
		out[n] = strings.TrimSpace(c.FormValue(n))
	}
	return out
}

// fieldErrs collects a form's parse problems by field.
type fieldErrs []survey.FieldError

func (fe *fieldErrs) add(field, zh, en string) {
	*fe = append(*fe, survey.FieldError{Field: field, Message: survey.Text{Zh: zh, En: en}})
}

// optFloat reads an optional number field.
func (fe *fieldErrs) optFloat(field, s string) *float64 {
	if s == "" {
		return nil
	}
	x, err := strconv.ParseFloat(strings.ReplaceAll(s, "，", "."), 64)
	if err != nil {
		fe.add(field, "应为数字，例如 18 或 2.5", "must be a number such as 18 or 2.5")
		return nil
	}
	return &x
}

// optInt reads an optional whole number field (empty: 0).
func (fe *fieldErrs) optInt(field, s string) int {
	if s == "" {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		fe.add(field, "应为整数", "must be a whole number")
		return 0
	}
	return n
}

// reqInt reads a required whole number field.
func (fe *fieldErrs) reqInt(field, s string) int {
	if s == "" {
		fe.add(field, "必填", "required")
		return 0
	}
	return fe.optInt(field, s)
}

// conditionForm is the when_* fields of a page or item form.
type conditionForm struct {
	Item, In, Min, Max string
	Not                bool
}

// conditionFields are the condition's form field names.
var conditionFields = []string{"when_item", "when_in", "when_min", "when_max"}

func readCondition(c *echo.Context) conditionForm {
	f := formFields(c, conditionFields...)
	return conditionForm{Item: f["when_item"], In: f["when_in"], Min: f["when_min"], Max: f["when_max"], Not: c.FormValue("when_not") != ""}
}

func conditionOf(w *survey.Condition) conditionForm {
	if w == nil {
		return conditionForm{}
	}
	return conditionForm{Item: w.Item, In: strings.Join(w.In, ", "), Min: fmtOpt(w.Min), Max: fmtOpt(w.Max), Not: w.Not}
}

// build returns the condition, nil when no item is chosen.
func (cf conditionForm) build(fe *fieldErrs) *survey.Condition {
	if cf.Item == "" {
		return nil
	}
	w := &survey.Condition{Item: cf.Item, Not: cf.Not}
	for _, v := range splitList(cf.In) {
		w.In = append(w.In, v)
	}
	w.Min = fe.optFloat("when_min", cf.Min)
	w.Max = fe.optFloat("when_max", cf.Max)
	return w
}

// splitList splits "1, 2，3 4" into its values.
func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '，' || r == ' ' || r == '、' || r == '\t' })
}

// textLines reads "code | 中文 | English" lines (a tab also separates);
// each line gives its code and text. The line numbers of bad lines are
// reported on field.
func textLines(fe *fieldErrs, field, s string) (codes []string, texts []survey.Text) {
	for n, line := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		parts := strings.FieldsFunc(line, func(r rune) bool { return r == '|' || r == '\t' })
		for i := range parts {
			parts[i] = strings.TrimSpace(parts[i])
		}
		if len(parts) < 2 || len(parts) > 3 {
			fe.add(field, "第 "+strconv.Itoa(n+1)+" 行应为：代码 | 中文 | 英文", "line "+strconv.Itoa(n+1)+" should read: code | Chinese | English")
			continue
		}
		t := survey.Text{Zh: parts[1]}
		if len(parts) == 3 {
			t.En = parts[2]
		}
		codes = append(codes, parts[0])
		texts = append(texts, t)
	}
	return codes, texts
}

// formatLines is the inverse of textLines.
func formatLines(codes []string, texts []survey.Text) string {
	var b strings.Builder
	for i := range codes {
		b.WriteString(codes[i] + " | " + texts[i].Zh + " | " + texts[i].En + "\n")
	}
	return b.String()
}

// fieldOfProblem maps the rest of a validation path inside an item or a
// page ("scale.min_label.en", "choices[1].code", "when.in[0]") to the form
// field it belongs to.
func fieldOfProblem(rest string) string {
	head, tail, _ := strings.Cut(rest, ".")
	if i := strings.IndexByte(head, '['); i >= 0 {
		head = head[:i]
	}
	switch head {
	case "text", "help", "instruction", "title", "intro":
		if strings.HasPrefix(tail, "en") {
			return head + "_en"
		}
		return head + "_zh"
	case "scale":
		switch {
		case strings.HasPrefix(tail, "min_label"):
			return "scale_min_" + lastLang(tail)
		case strings.HasPrefix(tail, "max_label"):
			return "scale_max_" + lastLang(tail)
		case strings.HasPrefix(tail, "dont_know"):
			if strings.HasSuffix(tail, ".en") || strings.HasSuffix(tail, ".zh") {
				return "dont_know_" + lastLang(tail)
			}
			return "dont_know_code"
		case tail == "max":
			return "scale_max"
		}
		return "scale_min"
	case "when":
		switch {
		case strings.HasPrefix(tail, "in"):
			return "when_in"
		case tail == "min":
			return "when_min"
		case tail == "max":
			return "when_max"
		}
		return "when_item"
	case "":
		return ""
	}
	return head // id, type, kind, domain, role, choices, min, max, min_choices, max_choices, max_length, construct, sector_text, items
}

func lastLang(s string) string {
	if strings.HasSuffix(s, ".en") {
		return "en"
	}
	return "zh"
}

// itemChoices lists the earlier items a condition may name, for the
// condition's select: every item before page pi.
func conditionItems(q *survey.Questionnaire, pi int, lang string) []selectOption {
	var out []selectOption
	for i := 0; i < pi && i < len(q.Pages); i++ {
		for _, it := range q.Pages[i].Items {
			out = append(out, selectOption{it.ID, it.ID + " — " + truncate(it.Text.Get(lang), 30)})
		}
	}
	return out
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
