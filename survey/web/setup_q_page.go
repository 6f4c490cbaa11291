package web

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v5"

	"manyi/survey"
	"manyi/survey/setup"
)

// pageForm is the page form as posted (docs/OFFICE.md, "Form fields").
type pageForm struct {
	ID, Kind, Domain string
	TitleZh, TitleEn string
	IntroZh, IntroEn string
	When             conditionForm
}

// pageFormPage is the form of one page.
type pageFormPage struct {
	setupLayout
	Rev       int
	Edit      bool
	PageID    string // the page's id before this edit (the URL)
	N         int
	Form      pageForm
	Errors    map[string]string
	Other     []problemView // problems not tied to a field
	Kinds     []selectOption
	Domains   []selectOption
	CondItems []selectOption
	Items     []editorItemView
}

func pageFormOf(p *survey.Page) pageForm {
	return pageForm{ID: p.ID, Kind: p.Kind, Domain: p.Domain, TitleZh: p.Title.Zh, TitleEn: p.Title.En,
		IntroZh: p.Intro.Zh, IntroEn: p.Intro.En, When: conditionOf(p.When)}
}

func readPageForm(c *echo.Context) pageForm {
	f := formFields(c, "id", "kind", "domain", "title_zh", "title_en", "intro_zh", "intro_en")
	return pageForm{ID: f["id"], Kind: f["kind"], Domain: f["domain"], TitleZh: f["title_zh"], TitleEn: f["title_en"],
		IntroZh: f["intro_zh"], IntroEn: f["intro_en"], When: readCondition(c)}
}

func (f pageForm) build() (survey.Page, fieldErrs) {
	var fe fieldErrs
	p := survey.Page{ID: f.ID, Kind: f.Kind, Title: survey.Text{Zh: f.TitleZh, En: f.TitleEn}, Intro: survey.Text{Zh: f.IntroZh, En: f.IntroEn}}
	if f.Kind == "domain" {
		p.Domain = f.Domain
	}
	p.When = f.When.build(&fe)
	return p, fe
}

// handlePageForm handles GET /app/m/:id/questionnaire/pages/:page.
func (sp *setupPages) handlePageForm(c *echo.Context) error {
	d, err := sp.loadDraft(c)
	if err != nil {
		return err
	}
	i := setup.FindPage(d.rev.Q, c.Param("page"))
	if i < 0 {
		return survey.Errorf(survey.ENOTFOUND, "问卷中没有页面 %s", "the questionnaire has no page %s", c.Param("page"))
	}
	return sp.renderPageForm(c, http.StatusOK, d, d.rev.Q, i, pageFormOf(&d.rev.Q.Pages[i]), nil)
}

// renderPageForm shows page i of q with the form values f; the problems
// of q at that page go next to their fields.
func (sp *setupPages) renderPageForm(c *echo.Context, status int, d *draft, q *survey.Questionnaire, i int, f pageForm, fe fieldErrs) error {
	l := sp.newSetupLayout(c, d.m, "page_title")
	v := pageFormPage{setupLayout: l, Rev: d.rev.Rev, Edit: l.CanEdit && !d.locked, PageID: c.Param("page"), N: i + 1, Form: f,
		Kinds: kindOptions(l.Lang), CondItems: conditionItems(q, i, l.Lang)}
	for _, dm := range q.Domains {
		v.Domains = append(v.Domains, selectOption{dm.ID, dm.Name.Get(l.Lang) + " (" + dm.ID + ")"})
	}
	v.Errors = fieldMessages(fe, l.Lang)
	for _, p := range setup.ProblemsAt(q, setup.Problems(d.m, q))["page:"+q.Pages[i].ID] {
		_, _, rest := setup.Locate(p.Path)
		if field := fieldOfProblem(rest); field != "" && field != "items" {
			if v.Errors[field] == "" {
				v.Errors[field] = p.Message
			} else {
				v.Errors[field] += "；" + p.Message
			}
		} else {
			v.Other = append(v.Other, problemView{p.Path, p.Message})
		}
	}
	for _, it := range q.Pages[i].Items {
		v.Items = append(v.Items, editorItemView{ID: it.ID, TypeLabel: typeLabel(it.Type, l.Lang), TextZh: it.Text.Zh, TextEn: it.Text.En})
	}
	return sp.render(c, status, "setup_q_page.html", v)
}

// handlePageSave handles POST /app/m/:id/questionnaire/pages/:page.
func (sp *setupPages) handlePageSave(c *echo.Context) error {
	d, err := sp.loadDraft(c)
	if err != nil {
		return err
	}
	id := c.Param("page")
	i := setup.FindPage(d.rev.Q, id)
	if i < 0 {
		return survey.Errorf(survey.ENOTFOUND, "问卷中没有页面 %s", "the questionnaire has no page %s", id)
	}
	f := readPageForm(c)
	p, fe := f.build()
	if len(fe) > 0 {
		return sp.renderPageForm(c, http.StatusUnprocessableEntity, d, d.rev.Q, i, f, fe)
	}
	q := setup.Clone(d.rev.Q)
	if err := setup.ReplacePage(q, id, p); err != nil {
		return err
	}
	r, err := sp.save(c, d, q, "page "+p.ID+" edited")
	if err != nil {
		return sp.conflict(c, err)
	}
	if len(setup.ProblemsAt(q, setup.Problems(d.m, q))["page:"+p.ID]) > 0 {
		return c.Redirect(http.StatusSeeOther, "/app/m/"+d.m.ID+"/questionnaire/pages/"+p.ID+"?done=saved_problems")
	}
	_ = r
	return c.Redirect(http.StatusSeeOther, editorURL(d.m.ID, "saved", "page-"+p.ID))
}

// handlePageAdd handles POST /app/m/:id/questionnaire/pages: a new page
// (fields kind, id, title_zh, title_en, after) with no items yet.
func (sp *setupPages) handlePageAdd(c *echo.Context) error {
	d, err := sp.loadDraft(c)
	if err != nil {
		return err
	}
	f := formFields(c, "kind", "id", "title_zh", "title_en", "after", "domain")
	q := setup.Clone(d.rev.Q)
	kind := f["kind"]
	if kind == "" {
		kind = "other"
	}
	id := f["id"]
	if id == "" {
		id = setup.FreshID(q, "p_"+kind)
	}
	if setup.FindPage(q, id) >= 0 {
		return sp.conflict(c, survey.Errorf(survey.EINVALID, "已有编号为 %s 的页面", "there is already a page %s", id))
	}
	title := survey.Text{Zh: f["title_zh"], En: f["title_en"]}
	if title.Zh == "" {
		title = survey.Text{Zh: "新页面", En: "New page"}
	}
	p := survey.Page{ID: id, Kind: kind, Title: title}
	if kind == "domain" {
		p.Domain = f["domain"]
	}
	setup.AddPage(q, p, f["after"])
	if _, err := sp.save(c, d, q, "page "+id+" added"); err != nil {
		return sp.conflict(c, err)
	}
	return c.Redirect(http.StatusSeeOther, "/app/m/"+d.m.ID+"/questionnaire/pages/"+id+"?done=page_added")
}

// handlePageMove handles POST /app/m/:id/questionnaire/pages/:page/move
// (field direction: up or down).
func (sp *setupPages) handlePageMove(c *echo.Context) error {
	d, err := sp.loadDraft(c)
	if err != nil {
		return err
	}
	delta, err := direction(c)
	if err != nil {
		return sp.conflict(c, err)
	}
	q := setup.Clone(d.rev.Q)
	id := c.Param("page")
	if err := setup.MovePage(q, id, delta); err != nil {
		return err
	}
	if _, err := sp.save(c, d, q, "page "+id+" moved "+c.FormValue("direction")); err != nil {
		return sp.conflict(c, err)
	}
	return c.Redirect(http.StatusSeeOther, editorURL(d.m.ID, "moved", "page-"+id))
}

// handlePageDelete handles POST /app/m/:id/questionnaire/pages/:page/delete.
func (sp *setupPages) handlePageDelete(c *echo.Context) error {
	d, err := sp.loadDraft(c)
	if err != nil {
		return err
	}
	q := setup.Clone(d.rev.Q)
	id := c.Param("page")
	if err := setup.DeletePage(q, id); err != nil {
		return err
	}
	if _, err := sp.save(c, d, q, "page "+id+" deleted"); err != nil {
		return sp.conflict(c, err)
	}
	return c.Redirect(http.StatusSeeOther, editorURL(d.m.ID, "deleted", ""))
}

// direction reads the move forms' direction field.
func direction(c *echo.Context) (int, error) {
	switch strings.TrimSpace(c.FormValue("direction")) {
	case "up":
		return -1, nil
	case "down":
		return 1, nil
	}
	return 0, survey.Errorf(survey.EINVALID, "移动方向应为 up 或 down", "the direction must be up or down")
}
