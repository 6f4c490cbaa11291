package web

import (
	"strconv"
	"strings"

	"manyi/survey"
	"manyi/survey/auth"
)

// The two permissions of the setup pages.
const (
	permViewSetup = auth.PermViewSetup
	permManage    = auth.PermManageMeasurement
)

// pageKinds are the page kinds of the format, in the order of the default
// template.
var pageKinds = []string{"consent", "screener", "domain", "overall", "awareness", "participation", "confidence", "suggestions", "background", "other"}

// itemTypes are the item types of the format.
var itemTypes = []survey.ItemType{survey.TypeSingle, survey.TypeScale, survey.TypeMulti, survey.TypeNumber, survey.TypeText}

// itemRoles are the roles of the format (docs/QUESTIONNAIRE.md, Roles).
var itemRoles = []string{"consent", "age", "age_band", "district", "resident", "gender", "education", "occupation", "overall", "confidence", "awareness", "participation", "suggestion", "sector"}

// constructs are the CCSI constructs a service questionnaire's scale item
// may measure.
var constructs = []string{"image", "expectation", "quality", "value", "satisfaction", "complaint", "loyalty"}

func kindLabel(k, lang string) string {
	if t, ok := setupUI["kind_"+k]; ok {
		return t.Get(lang)
	}
	return k
}

func typeLabel(t survey.ItemType, lang string) string {
	if x, ok := setupUI["type_"+string(t)]; ok {
		return x.Get(lang)
	}
	return string(t)
}

func kindOptions(lang string) []selectOption {
	var out []selectOption
	for _, k := range pageKinds {
		out = append(out, selectOption{k, kindLabel(k, lang) + " (" + k + ")"})
	}
	return out
}

func typeOptions(lang string) []selectOption {
	var out []selectOption
	for _, t := range itemTypes {
		out = append(out, selectOption{string(t), typeLabel(t, lang) + " (" + string(t) + ")"})
	}
	return out
}

// domainName is a domain id's name in lang ("" for none).
func domainName(q *survey.Questionnaire, id, lang string) string {
	if id == "" {
		return ""
	}
	if d := q.Domain(id); d != nil {
		return d.Name.Get(lang) + " (" + id + ")"
	}
	return id
}

// missingEn reports a text with Chinese and no English.
func missingEn(t survey.Text) bool { return t.Zh != "" && strings.TrimSpace(t.En) == "" }

// missingTexts names the texts of an item that lack English.
func missingTexts(it *survey.Item, lang string) []string {
	var out []string
	name := func(key string) string { return setupUI[key].Get(lang) }
	if missingEn(it.Text) || (it.Text.Zh == "" && it.Text.En == "") {
		out = append(out, name("f_text"))
	}
	if missingEn(it.Help) {
		out = append(out, name("f_help"))
	}
	if missingEn(it.Instruct) {
		out = append(out, name("f_instruction"))
	}
	for i, ch := range it.Choices {
		if missingEn(ch.Label) {
			out = append(out, name("f_choice")+" "+strconv.Itoa(i+1)+"（"+ch.Code+"）")
		}
	}
	if sc := it.Scale; sc != nil {
		if missingEn(sc.MinLabel) || missingEn(sc.MaxLabel) {
			out = append(out, name("f_scale_ends"))
		}
		if sc.DontKnow != nil && missingEn(sc.DontKnow.Label) {
			out = append(out, name("f_dont_know"))
		}
	}
	for _, st := range it.SectorText {
		if missingEn(st.Text) {
			out = append(out, name("f_sector_text")+" "+st.Sector)
		}
	}
	return out
}

// whenText is a condition in short form: "age 18–70", "consent ∈ {1}",
// "not …".
func whenText(c *survey.Condition) string {
	if c == nil {
		return ""
	}
	var b strings.Builder
	if c.Not {
		b.WriteString("NOT ")
	}
	b.WriteString(c.Item)
	if len(c.In) > 0 {
		b.WriteString(" ∈ {" + strings.Join(c.In, ", ") + "}")
	}
	if c.Min != nil || c.Max != nil {
		b.WriteString(" " + fmtOpt(c.Min) + "–" + fmtOpt(c.Max))
	}
	return b.String()
}

func fmtOpt(x *float64) string {
	if x == nil {
		return ""
	}
	return strconv.FormatFloat(*x, 'f', -1, 64)
}

// answersText summarizes what an item accepts: its choices, its scale, its
// range.
func answersText(it *survey.Item, lang string) string {
	switch it.Type {
	case survey.TypeSingle, survey.TypeMulti:
		var parts []string
		for _, ch := range it.Choices {
			parts = append(parts, ch.Code+" "+ch.Label.Get(lang))
		}
		return strings.Join(parts, " · ")
	case survey.TypeScale:
		if it.Scale == nil {
			return ""
		}
		s := strconv.Itoa(it.Scale.Min) + " " + it.Scale.MinLabel.Get(lang) + " … " + strconv.Itoa(it.Scale.Max) + " " + it.Scale.MaxLabel.Get(lang)
		if dk := it.Scale.DontKnow; dk != nil {
			s += " · " + dk.Code + " " + dk.Label.Get(lang)
		}
		return s
	case survey.TypeNumber:
		s := fmtOpt(it.Min) + "–" + fmtOpt(it.Max)
		if it.Integer {
			s += " " + setupUI["f_integer_short"].Get(lang)
		}
		return s
	case survey.TypeText:
		return strconv.Itoa(it.MaxRunes()) + " " + setupUI["chars"].Get(lang)
	}
	return ""
}
