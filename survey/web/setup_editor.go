package web

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v5"

	"manyi/survey"
	"manyi/survey/setup"
)

// editorRoutes returns the questionnaire editor's rows of the staff route
// table (setupRoutes appends them). Pages and items are addressed by id.
func (sp *setupPages) editorRoutes() []staffRoute {
	g, p := http.MethodGet, http.MethodPost
	view, manage := permViewSetup, permManage
	return []staffRoute{
		{g, "/app/m/:id/questionnaire", false, view, sp.ok(sp.handleEditor)},
		{g, "/app/m/:id/questionnaire.json", false, view, sp.ok(sp.handleDownloadJSON)},
		{p, "/app/m/:id/questionnaire/upload", false, manage, sp.ok(sp.handleUploadJSON)},
		{g, "/app/m/:id/questionnaire/settings", false, view, sp.ok(sp.handleSettingsForm)},
		{p, "/app/m/:id/questionnaire/settings", false, manage, sp.ok(sp.handleSettingsSave)},
		{p, "/app/m/:id/questionnaire/pages", false, manage, sp.ok(sp.handlePageAdd)},
		{g, "/app/m/:id/questionnaire/pages/:page", false, view, sp.ok(sp.handlePageForm)},
		{p, "/app/m/:id/questionnaire/pages/:page", false, manage, sp.ok(sp.handlePageSave)},
		{p, "/app/m/:id/questionnaire/pages/:page/move", false, manage, sp.ok(sp.handlePageMove)},
		{p, "/app/m/:id/questionnaire/pages/:page/delete", false, manage, sp.ok(sp.handlePageDelete)},
		{p, "/app/m/:id/questionnaire/pages/:page/items", false, manage, sp.ok(sp.handleItemAdd)},
		{g, "/app/m/:id/questionnaire/items/:item", false, view, sp.ok(sp.handleItemForm)},
		{p, "/app/m/:id/questionnaire/items/:item", false, manage, sp.ok(sp.handleItemSave)},
		{p, "/app/m/:id/questionnaire/items/:item/move", false, manage, sp.ok(sp.handleItemMove)},
		{p, "/app/m/:id/questionnaire/items/:item/delete", false, manage, sp.ok(sp.handleItemDelete)},
		{p, "/app/m/:id/questionnaire/order", false, manage, sp.ok(sp.handleOrder)},
		{g, "/app/m/:id/questionnaire/preview", false, view, sp.ok(sp.handlePreview)},
		{g, "/app/m/:id/questionnaire/preview/frame", false, view, sp.ok(sp.handlePreviewFrame)},
	}
}

// maxQuestionnaireFile is the largest questionnaire file accepted; the
// default template is about 40 KB. The server's body limit (maxBody)
// applies first.
const maxQuestionnaireFile = maxBody

// draft is what every editor handler starts from: the measurement, its
// newest revision and whether it may change.
type draft struct {
	m      *survey.Measurement
	rev    *setup.Revision
	locked bool
}

// loadDraft reads the route's measurement and its newest revision.
func (sp *setupPages) loadDraft(c *echo.Context) (*draft, error) {
	m, err := sp.measurement(c)
	if err != nil {
		return nil, err
	}
	r, err := sp.store.Revision(c.Request().Context(), m.ID, 0)
	if err != nil {
		return nil, err
	}
	return &draft{m: m, rev: r, locked: m.Status != survey.StatusDraft}, nil
}

// baseRev reads the form's rev field: the revision the form was made
// from; -1 (no check) when a script leaves it out.
func baseRev(c *echo.Context) int {
	n, err := strconv.Atoi(strings.TrimSpace(c.FormValue("rev")))
	if err != nil || n < 0 {
		return -1
	}
	return n
}

// save stores q as the next revision and audits it. A conflict (locked,
// or someone saved meanwhile) is shown as its own page.
func (sp *setupPages) save(c *echo.Context, d *draft, q *survey.Questionnaire, note string) (*setup.Revision, error) {
	sess := staffSession(c)
	r, err := sp.store.SaveRevision(c.Request().Context(), d.m.ID, q, sess.User.Name, note, baseRev(c))
	if err != nil {
		return nil, err
	}
	if err := sp.audit(c, actionQuestionnaireSave, d.m.ID, map[string]any{"revision": r.Rev, "note": note, "problems": r.Problems, "version": r.Version}); err != nil {
		return nil, err
	}
	return r, nil
}

// conflict renders a refused change (locked questionnaire, a stale form)
// as a 409 page with the way back to the editor.
func (sp *setupPages) conflict(c *echo.Context, err error) error {
	var se *survey.Error
	if asSurveyError(err, &se) && (se.Code == survey.ECONFLICT || se.Code == survey.EINVALID) {
		status := http.StatusConflict
		if se.Code == survey.EINVALID {
			status = http.StatusUnprocessableEntity
		}
		return sp.st.renderStaffError(c, staffSession(c), status, setupUI["refused_title"], se.Message)
	}
	return err
}

// editorURL is the editor, with a done message and an anchor.
func editorURL(id, done, anchor string) string {
	u := "/app/m/" + id + "/questionnaire"
	if done != "" {
		u += "?done=" + done
	}
	if anchor != "" {
		u += "#" + anchor
	}
	return u
}

// editorPage is the questionnaire editor: every page with its items, in
// order, Chinese and English side by side, each with its problems.
type editorPage struct {
	setupLayout
	Rev        int
	RevLine    string
	Locked     bool
	Edit       bool // CanEdit and not locked
	QTitleZh   string
	QTitleEn   string
	QID        string
	NProblems  int
	General    []problemView // problems outside the pages
	Pages      []editorPageView
	Kinds      []selectOption
	Types      []selectOption
	Revisions  []revisionRow
	Upload     []problemView // a refused upload's problems
	UploadName string
	Version    int
}

// editorPageView is one page of the editor.
type editorPageView struct {
	N                int
	ID, Kind, Domain string
	TitleZh, TitleEn string
	MissingEn        bool
	When             string
	Items            []editorItemView
	Problems         []problemView
	First, Last      bool
}

// editorItemView is one item of the editor.
type editorItemView struct {
	ID, Type, TypeLabel string
	TextZh, TextEn      string
	Missing             []string // texts lacking English ("选项 2")
	Required            bool
	Role, Domain, When  string
	Answers             string // choices or range, short
	Problems            []problemView
}

// problemView is one validation problem as shown.
type problemView struct {
	Path, Message string
}

// selectOption is one option of a select.
type selectOption struct {
	Value, Label string
}

// revisionRow is one line of the save history.
type revisionRow struct {
	Rev              int
	Author, At, Note string
	Problems         int
	Version          int
}

// handleEditor handles GET /app/m/:id/questionnaire.
func (sp *setupPages) handleEditor(c *echo.Context) error {
	d, err := sp.loadDraft(c)
	if err != nil {
		return err
	}
	return sp.renderEditor(c, http.StatusOK, d, nil, "", "")
}

func (sp *setupPages) renderEditor(c *echo.Context, status int, d *draft, upload []survey.Problem, uploadName, msg string) error {
	l := sp.newSetupLayout(c, d.m, "editor_title")
	l.Error = msg
	q := d.rev.Q
	v := editorPage{
		setupLayout: l, Rev: d.rev.Rev, RevLine: revisionLine(l, d.rev), Locked: d.locked, Edit: l.CanEdit && !d.locked,
		QTitleZh: q.Title.Zh, QTitleEn: q.Title.En, QID: q.ID, Version: d.rev.Version, UploadName: uploadName,
	}
	probs := setup.Problems(d.m, q)
	v.NProblems = len(probs)
	at := setup.ProblemsAt(q, probs)
	for _, p := range at[""] {
		v.General = append(v.General, problemView{p.Path, p.Message})
	}
	for _, p := range upload {
		v.Upload = append(v.Upload, problemView{p.Path, p.Message})
	}
	for i, p := range q.Pages {
		pv := editorPageView{
			N: i + 1, ID: p.ID, Kind: kindLabel(p.Kind, l.Lang), Domain: domainName(q, p.Domain, l.Lang),
			TitleZh: p.Title.Zh, TitleEn: p.Title.En, MissingEn: missingEn(p.Title) || missingEn(p.Intro),
			When: whenText(p.When), First: i == 0, Last: i == len(q.Pages)-1,
		}
		for _, pr := range at["page:"+p.ID] {
			pv.Problems = append(pv.Problems, problemView{pr.Path, pr.Message})
		}
		for _, it := range p.Items {
			iv := editorItemView{
				ID: it.ID, Type: string(it.Type), TypeLabel: typeLabel(it.Type, l.Lang),
				TextZh: it.Text.Zh, TextEn: it.Text.En, Missing: missingTexts(&it, l.Lang),
				Required: it.Required, Role: it.Role, Domain: domainName(q, it.Domain, l.Lang), When: whenText(it.When),
				Answers: answersText(&it, l.Lang),
			}
			for _, pr := range at["item:"+it.ID] {
				iv.Problems = append(iv.Problems, problemView{pr.Path, pr.Message})
			}
			pv.Items = append(pv.Items, iv)
		}
		v.Pages = append(v.Pages, pv)
	}
	v.Kinds = kindOptions(l.Lang)
	v.Types = typeOptions(l.Lang)
	rs, err := sp.store.Revisions(c.Request().Context(), d.m.ID)
	if err != nil {
		return err
	}
	for _, r := range rs {
		v.Revisions = append(v.Revisions, revisionRow{Rev: r.Rev, Author: r.Author, At: l.Time(r.CreatedAt), Note: r.Note, Problems: r.Problems, Version: r.Version})
	}
	return sp.render(c, status, "setup_questionnaire.html", v)
}

// handleDownloadJSON handles GET /app/m/:id/questionnaire.json: the
// newest save (or ?rev=N) as the file of docs/QUESTIONNAIRE.md.
func (sp *setupPages) handleDownloadJSON(c *echo.Context) error {
	m, err := sp.measurement(c)
	if err != nil {
		return err
	}
	rev := 0
	if s := c.QueryParam("rev"); s != "" {
		if rev, err = strconv.Atoi(s); err != nil || rev < 0 {
			return survey.Errorf(survey.ENOTFOUND, "找不到该页面", "no such page")
		}
	}
	r, err := sp.store.Revision(c.Request().Context(), m.ID, rev)
	if err != nil {
		return err
	}
	name := m.ID + "-questionnaire.json"
	if rev > 0 {
		name = fmt.Sprintf("%s-questionnaire-%d.json", m.ID, rev)
	}
	h := c.Response().Header()
	h.Set("Content-Disposition", `attachment; filename="`+name+`"`)
	h.Set("Cache-Control", "no-store")
	return c.Blob(http.StatusOK, "application/json; charset=utf-8", setup.EncodeJSON(r.Q))
}

// handleUploadJSON handles POST /app/m/:id/questionnaire/upload (file
// field "file"): a file the format reads becomes the next save; one it
// cannot read changes nothing and the editor lists its problems with line
// and column.
func (sp *setupPages) handleUploadJSON(c *echo.Context) error {
	d, err := sp.loadDraft(c)
	if err != nil {
		return err
	}
	lang := language(c)
	fh, err := c.FormFile("file")
	if err != nil {
		if tooLarge(err) {
			return sp.renderEditor(c, http.StatusRequestEntityTooLarge, d, nil, "", fmt.Sprintf(setupUI["upload_too_large"].Get(lang), maxQuestionnaireFile>>10))
		}
		return sp.renderEditor(c, http.StatusUnprocessableEntity, d, nil, "", setupUI["upload_none"].Get(lang))
	}
	f, err := fh.Open()
	if err != nil {
		return err
	}
	data, err := io.ReadAll(io.LimitReader(f, maxQuestionnaireFile+1))
	f.Close()
	if err != nil {
		return err
	}
	if len(data) > maxQuestionnaireFile {
		return sp.renderEditor(c, http.StatusRequestEntityTooLarge, d, nil, fh.Filename, fmt.Sprintf(setupUI["upload_too_large"].Get(lang), maxQuestionnaireFile>>10))
	}
	q, probs, ok := setup.DecodeJSON(data)
	if !ok {
		return sp.renderEditor(c, http.StatusUnprocessableEntity, d, probs, fh.Filename, setupUI["upload_refused"].Get(lang))
	}
	if _, err := sp.save(c, d, q, "uploaded "+fh.Filename); err != nil {
		return sp.conflict(c, err)
	}
	return c.Redirect(http.StatusSeeOther, editorURL(d.m.ID, "uploaded", ""))
}

// handleOrder handles POST /app/m/:id/questionnaire/order (field order:
// "page=item,item;page=item"), what drag and drop sends.
func (sp *setupPages) handleOrder(c *echo.Context) error {
	d, err := sp.loadDraft(c)
	if err != nil {
		return err
	}
	q := setup.Clone(d.rev.Q)
	if err := setup.Reorder(q, setup.ParseOrder(c.FormValue("order"))); err != nil {
		return sp.conflict(c, err)
	}
	if _, err := sp.save(c, d, q, "reordered"); err != nil {
		return sp.conflict(c, err)
	}
	return c.Redirect(http.StatusSeeOther, editorURL(d.m.ID, "saved", ""))
}
