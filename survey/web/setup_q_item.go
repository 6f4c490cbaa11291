package web

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v5"

	"manyi/survey"
	"manyi/survey/setup"
)

// itemForm is the item form as posted (docs/OFFICE.md, "Form fields").
// Fields that do not belong to the chosen type are ignored on save.
type itemForm struct {
	ID, Type                     string
	Required                     bool
	TextZh, TextEn               string
	HelpZh, HelpEn               string
	InstructionZh, InstructionEn string
	Choices                      string // "code | 中文 | English" lines
	MinChoices, MaxChoices       string
	ScaleMin, ScaleMax           string
	ScaleMinZh, ScaleMinEn       string
	ScaleMaxZh, ScaleMaxEn       string
	DontKnow                     bool
	DontKnowCode                 string
	DontKnowZh, DontKnowEn       string
	Min, Max                     string
	Integer                      bool
	MaxLength                    string
	Role, Domain, Construct      string
	SectorText                   string // "sector | 中文 | English" lines
	When                         conditionForm
}

var itemFieldNames = []string{"id", "type", "text_zh", "text_en", "help_zh", "help_en", "instruction_zh", "instruction_en",
	"choices", "min_choices", "max_choices", "scale_min", "scale_max", "scale_min_zh", "scale_min_en", "scale_max_zh", "scale_max_en",
	"dont_know_code", "dont_know_zh", "dont_know_en", "min", "max", "max_length", "role", "domain", "construct", "sector_text"}

func readItemForm(c *echo.Context) itemForm {
	f := formFields(c, itemFieldNames...)
	return itemForm{
		ID: f["id"], Type: f["type"], Required: c.FormValue("required") != "",
		TextZh: f["text_zh"], TextEn: f["text_en"], HelpZh: f["help_zh"], HelpEn: f["help_en"],
		InstructionZh: f["instruction_zh"], InstructionEn: f["instruction_en"],
		Choices: c.FormValue("choices"), MinChoices: f["min_choices"], MaxChoices: f["max_choices"],
		ScaleMin: f["scale_min"], ScaleMax: f["scale_max"],
		ScaleMinZh: f["scale_min_zh"], ScaleMinEn: f["scale_min_en"], ScaleMaxZh: f["scale_max_zh"], ScaleMaxEn: f["scale_max_en"],
		DontKnow: c.FormValue("dont_know") != "", DontKnowCode: f["dont_know_code"], DontKnowZh: f["dont_know_zh"], DontKnowEn: f["dont_know_en"],
		Min: f["min"], Max: f["max"], Integer: c.FormValue("integer") != "", MaxLength: f["max_length"],
		Role: f["role"], Domain: f["domain"], Construct: f["construct"], SectorText: c.FormValue("sector_text"),
		When: readCondition(c),
	}
}

func itemFormOf(it *survey.Item) itemForm {
	f := itemForm{
		ID: it.ID, Type: string(it.Type), Required: it.Required,
		TextZh: it.Text.Zh, TextEn: it.Text.En, HelpZh: it.Help.Zh, HelpEn: it.Help.En,
		InstructionZh: it.Instruct.Zh, InstructionEn: it.Instruct.En,
		Min: fmtOpt(it.Min), Max: fmtOpt(it.Max), Integer: it.Integer,
		Role: it.Role, Domain: it.Domain, Construct: it.Construct, When: conditionOf(it.When),
		// A new scale starts from 1–10 with don't know, whatever the type now.
		ScaleMin: "1", ScaleMax: "10", ScaleMinZh: "非常不满意", ScaleMinEn: "Very dissatisfied", ScaleMaxZh: "非常满意", ScaleMaxEn: "Very satisfied",
		DontKnowCode: "99", DontKnowZh: "不清楚/不适用", DontKnowEn: "Don't know / not applicable",
	}
	if it.MinChoices > 0 {
		f.MinChoices = strconv.Itoa(it.MinChoices)
	}
	if it.MaxChoices > 0 {
		f.MaxChoices = strconv.Itoa(it.MaxChoices)
	}
	if it.MaxLength > 0 {
		f.MaxLength = strconv.Itoa(it.MaxLength)
	}
	var codes []string
	var texts []survey.Text
	for _, ch := range it.Choices {
		codes, texts = append(codes, ch.Code), append(texts, ch.Label)
	}
	f.Choices = formatLines(codes, texts)
	codes, texts = nil, nil
	for _, st := range it.SectorText {
		codes, texts = append(codes, st.Sector), append(texts, st.Text)
	}
	f.SectorText = formatLines(codes, texts)
	if sc := it.Scale; sc != nil {
		f.ScaleMin, f.ScaleMax = strconv.Itoa(sc.Min), strconv.Itoa(sc.Max)
		f.ScaleMinZh, f.ScaleMinEn, f.ScaleMaxZh, f.ScaleMaxEn = sc.MinLabel.Zh, sc.MinLabel.En, sc.MaxLabel.Zh, sc.MaxLabel.En
		f.DontKnow = sc.DontKnow != nil
		if sc.DontKnow != nil {
			f.DontKnowCode, f.DontKnowZh, f.DontKnowEn = sc.DontKnow.Code, sc.DontKnow.Label.Zh, sc.DontKnow.Label.En
		}
	}
	return f
}

// build turns the form into an item; only the fields of its type are
// kept. Parse problems (a word where a number goes, a malformed choice
// line) are returned by field; the format's rules are Validate's.
func (f itemForm) build() (survey.Item, fieldErrs) {
	var fe fieldErrs
	it := survey.Item{
		ID: f.ID, Type: survey.ItemType(f.Type), Required: f.Required,
		Text: survey.Text{Zh: f.TextZh, En: f.TextEn}, Help: survey.Text{Zh: f.HelpZh, En: f.HelpEn},
		Instruct: survey.Text{Zh: f.InstructionZh, En: f.InstructionEn},
		Role:     f.Role, Domain: f.Domain,
	}
	it.When = f.When.build(&fe)
	switch it.Type {
	case survey.TypeSingle, survey.TypeMulti:
		codes, texts := textLines(&fe, "choices", f.Choices)
		for i := range codes {
			it.Choices = append(it.Choices, survey.Choice{Code: codes[i], Label: texts[i]})
		}
		if it.Type == survey.TypeMulti {
			it.MinChoices = fe.optInt("min_choices", f.MinChoices)
			it.MaxChoices = fe.optInt("max_choices", f.MaxChoices)
		}
	case survey.TypeScale:
		sc := &survey.Scale{
			Min: fe.reqInt("scale_min", f.ScaleMin), Max: fe.reqInt("scale_max", f.ScaleMax),
			MinLabel: survey.Text{Zh: f.ScaleMinZh, En: f.ScaleMinEn}, MaxLabel: survey.Text{Zh: f.ScaleMaxZh, En: f.ScaleMaxEn},
		}
		if f.DontKnow {
			sc.DontKnow = &survey.Choice{Code: f.DontKnowCode, Label: survey.Text{Zh: f.DontKnowZh, En: f.DontKnowEn}}
		}
		it.Scale = sc
		it.Construct = f.Construct
	case survey.TypeNumber:
		it.Min = fe.optFloat("min", f.Min)
		it.Max = fe.optFloat("max", f.Max)
		it.Integer = f.Integer
	case survey.TypeText:
		it.MaxLength = fe.optInt("max_length", f.MaxLength)
	default:
		fe.add("type", "请选择题型", "choose the item type")
	}
	codes, texts := textLines(&fe, "sector_text", f.SectorText)
	for i := range codes {
		it.SectorText = append(it.SectorText, survey.SectorText{Sector: codes[i], Text: texts[i]})
	}
	return it, fe
}

// itemFormPage is the form of one item.
type itemFormPage struct {
	setupLayout
	Rev        int
	Edit       bool
	ItemID     string // the item's id before this edit (the URL)
	PageID     string
	PageTitle  string
	Form       itemForm
	Errors     map[string]string
	Other      []problemView
	Missing    []string
	Types      []selectOption
	Roles      []selectOption
	Domains    []selectOption
	Constructs []selectOption
	CondItems  []selectOption
	Pages      []selectOption
}

// handleItemForm handles GET /app/m/:id/questionnaire/items/:item.
func (sp *setupPages) handleItemForm(c *echo.Context) error {
	d, err := sp.loadDraft(c)
	if err != nil {
		return err
	}
	pi, ii := setup.FindItem(d.rev.Q, c.Param("item"))
	if pi < 0 {
		return survey.Errorf(survey.ENOTFOUND, "问卷中没有题目 %s", "the questionnaire has no item %s", c.Param("item"))
	}
	return sp.renderItemForm(c, http.StatusOK, d, d.rev.Q, pi, ii, itemFormOf(&d.rev.Q.Pages[pi].Items[ii]), nil)
}

// renderItemForm shows item (pi, ii) of q with the form values f; the
// problems of q at that item go next to their fields.
func (sp *setupPages) renderItemForm(c *echo.Context, status int, d *draft, q *survey.Questionnaire, pi, ii int, f itemForm, fe fieldErrs) error {
	l := sp.newSetupLayout(c, d.m, "item_title")
	p := &q.Pages[pi]
	it := &p.Items[ii]
	v := itemFormPage{setupLayout: l, Rev: d.rev.Rev, Edit: l.CanEdit && !d.locked, ItemID: c.Param("item"),
		PageID: p.ID, PageTitle: p.Title.Get(l.Lang), Form: f, Types: typeOptions(l.Lang),
		CondItems: conditionItems(q, pi, l.Lang), Missing: missingTexts(it, l.Lang)}
	for _, r := range itemRoles {
		v.Roles = append(v.Roles, selectOption{r, setupUI["role_"+r].Get(l.Lang) + " (" + r + ")"})
	}
	for _, dm := range q.Domains {
		v.Domains = append(v.Domains, selectOption{dm.ID, dm.Name.Get(l.Lang) + " (" + dm.ID + ")"})
	}
	for _, k := range constructs {
		v.Constructs = append(v.Constructs, selectOption{k, k})
	}
	v.Errors = fieldMessages(fe, l.Lang)
	for _, pr := range setup.ProblemsAt(q, setup.Problems(d.m, q))["item:"+it.ID] {
		_, _, rest := setup.Locate(pr.Path)
		if field := fieldOfProblem(rest); field != "" {
			if v.Errors[field] == "" {
				v.Errors[field] = pr.Message
			} else {
				v.Errors[field] += "；" + pr.Message
			}
		} else {
			v.Other = append(v.Other, problemView{pr.Path, pr.Message})
		}
	}
	return sp.render(c, status, "setup_q_item.html", v)
}

// handleItemSave handles POST /app/m/:id/questionnaire/items/:item.
func (sp *setupPages) handleItemSave(c *echo.Context) error {
	d, err := sp.loadDraft(c)
	if err != nil {
		return err
	}
	id := c.Param("item")
	pi, ii := setup.FindItem(d.rev.Q, id)
	if pi < 0 {
		return survey.Errorf(survey.ENOTFOUND, "问卷中没有题目 %s", "the questionnaire has no item %s", id)
	}
	f := readItemForm(c)
	it, fe := f.build()
	if len(fe) > 0 {
		return sp.renderItemForm(c, http.StatusUnprocessableEntity, d, d.rev.Q, pi, ii, f, fe)
	}
	q := setup.Clone(d.rev.Q)
	if err := setup.ReplaceItem(q, id, it); err != nil {
		return err
	}
	if _, err := sp.save(c, d, q, "item "+it.ID+" edited"); err != nil {
		return sp.conflict(c, err)
	}
	if len(setup.ProblemsAt(q, setup.Problems(d.m, q))["item:"+it.ID]) > 0 {
		return c.Redirect(http.StatusSeeOther, "/app/m/"+d.m.ID+"/questionnaire/items/"+it.ID+"?done=saved_problems")
	}
	return c.Redirect(http.StatusSeeOther, editorURL(d.m.ID, "saved", "item-"+it.ID))
}

// handleItemAdd handles POST /app/m/:id/questionnaire/pages/:page/items
// (field type): a new item of that type at the end of the page, then its
// form.
func (sp *setupPages) handleItemAdd(c *echo.Context) error {
	d, err := sp.loadDraft(c)
	if err != nil {
		return err
	}
	q := setup.Clone(d.rev.Q)
	id, err := setup.AddItem(q, c.Param("page"), survey.ItemType(c.FormValue("type")))
	if err != nil {
		if survey.ErrorCode(err) == survey.ENOTFOUND {
			return err
		}
		return sp.conflict(c, err)
	}
	if _, err := sp.save(c, d, q, "item "+id+" added"); err != nil {
		return sp.conflict(c, err)
	}
	return c.Redirect(http.StatusSeeOther, "/app/m/"+d.m.ID+"/questionnaire/items/"+id+"?done=item_added")
}

// handleItemMove handles POST /app/m/:id/questionnaire/items/:item/move
// (field direction: up or down; past its page's end an item moves to the
// next page).
func (sp *setupPages) handleItemMove(c *echo.Context) error {
	d, err := sp.loadDraft(c)
	if err != nil {
		return err
	}
	delta, err := direction(c)
	if err != nil {
		return sp.conflict(c, err)
	}
	q := setup.Clone(d.rev.Q)
	id := c.Param("item")
	if err := setup.MoveItem(q, id, delta); err != nil {
		return err
	}
	if _, err := sp.save(c, d, q, "item "+id+" moved "+c.FormValue("direction")); err != nil {
		return sp.conflict(c, err)
	}
	return c.Redirect(http.StatusSeeOther, editorURL(d.m.ID, "moved", "item-"+id))
}

// handleItemDelete handles POST /app/m/:id/questionnaire/items/:item/delete.
func (sp *setupPages) handleItemDelete(c *echo.Context) error {
	d, err := sp.loadDraft(c)
	if err != nil {
		return err
	}
	q := setup.Clone(d.rev.Q)
	id := c.Param("item")
	if err := setup.DeleteItem(q, id); err != nil {
		return err
	}
	if _, err := sp.save(c, d, q, "item "+id+" deleted"); err != nil {
		return sp.conflict(c, err)
	}
	return c.Redirect(http.StatusSeeOther, editorURL(d.m.ID, "deleted", ""))
}
