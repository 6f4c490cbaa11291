package web

import (
	"net/http"

	"github.com/labstack/echo/v5"

	"manyi/survey"
	"manyi/survey/auth"
	"manyi/survey/setup"
)

// setupPageFiles are the setup pages (docs/OFFICE.md), each parsed with
// staff_base.html.
var setupPageFiles = []string{"setup_new.html", "setup_overview.html", "setup_questionnaire.html", "setup_q_page.html", "setup_q_item.html", "setup_q_settings.html", "setup_preview.html"}

// setupPages holds the setup pages' state: the setup store
// (Config.Setup) and the parsed templates.
type setupPages struct {
	pageSet
	st    *staff
	store setup.Store
}

func init() {
	// The overview is the measurement's first page: first in every list.
	measurementLinks = append([]measurementLink{
		{Path: "/app/m/%s", Label: survey.Text{Zh: "概览", En: "Overview"}, Perm: auth.PermViewSetup},
		{Path: "/app/m/%s/questionnaire", Label: survey.Text{Zh: "问卷", En: "Questionnaire"}, Perm: auth.PermViewSetup},
	}, measurementLinks...)
}

// setupRoutes returns the rows of the staff route table for the new
// measurement form, the overview and the questionnaire editor. Reading
// needs view_setup (office and statistician), changing manage_measurement
// (office only); the interviewer gets none of them.
func (st *staff) setupRoutes() []staffRoute {
	sp := &setupPages{st: st, store: st.s.setup}
	if vs, err := parsePageSet(setupPageFiles, "setup_parts.html"); err != nil {
		sp.err = err
	} else {
		sp.views = vs
	}
	if sp.err != nil {
		st.s.log.Error("setup pages unavailable", "err", sp.err)
	}
	g, p := http.MethodGet, http.MethodPost
	view, manage := auth.PermViewSetup, auth.PermManageMeasurement
	rs := []staffRoute{
		{g, "/app/measurements/new", false, manage, sp.ok(sp.handleNewForm)},
		{p, "/app/measurements", false, manage, sp.ok(sp.handleCreate)},
		{g, "/app/m/:id", false, view, sp.ok(sp.handleOverview)},
	}
	return append(rs, sp.editorRoutes()...)
}

// setupLayout is the staff layout with the setup pages' texts and, on a
// per-measurement page, the measurement.
type setupLayout struct {
	staffLayout
	ID, MeasTitle string
	Sub           []navLink
	// CanEdit is true for the office: the statistician sees the same pages
	// without any form.
	CanEdit bool
	Done    string // the message after a successful change (?done=…)
	SetupJS string // drag to reorder, type-dependent fields (an improvement only)
	Error   string // the message of a failed change
}

// M returns the interface text key in the page's language: setup texts
// first, then the staff and resident ones.
func (l setupLayout) M(key string) string {
	if t, ok := setupUI[key]; ok {
		return t.Get(l.Lang)
	}
	return l.staffLayout.M(key)
}

// newSetupLayout fills the layout of a setup page; m is nil on the new
// measurement form.
func (sp *setupPages) newSetupLayout(c *echo.Context, m *survey.Measurement, titleKey string) setupLayout {
	lang := language(c)
	sess := staffSession(c)
	l := setupLayout{staffLayout: sp.st.newStaffLayout(c, sess, setupUI[titleKey].Get(lang), c.Request().URL.RequestURI())}
	l.CanEdit = sess != nil && auth.Can(sess.User.Role, auth.PermManageMeasurement)
	l.SetupJS = sp.st.s.assets.url("js/setup.js")
	if m != nil {
		l.ID, l.MeasTitle = m.ID, m.Title.Get(lang)
		l.Sub = sp.st.measNav(c, m.ID)
	}
	if d := c.QueryParam("done"); d != "" {
		if t, ok := setupUI["done_"+d]; ok {
			l.Done = t.Get(lang)
		}
	}
	return l
}

// measurement loads the :id measurement of the route.
func (sp *setupPages) measurement(c *echo.Context) (*survey.Measurement, error) {
	return sp.store.Measurement(c.Request().Context(), c.Param("id"))
}

// audit writes a setup audit entry under the logged-in user.
func (sp *setupPages) audit(c *echo.Context, action, target string, detail map[string]any) error {
	return sp.st.audit(c, staffSession(c).User.Name, action, target, detail)
}

// Audit actions of the setup pages.
const (
	actionMeasurementCreate = "measurement.create"
	actionQuestionnaireSave = "questionnaire.save"
)
