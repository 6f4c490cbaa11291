package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v5"

	"manyi/survey"
	"manyi/survey/auth"
	"manyi/survey/fieldwork"
)

// officePageFiles are the office's fieldwork setup pages (issue 10, steps
// 4–9), each parsed with staff_base.html.
var officePageFiles = []string{"of_frame.html", "of_sample.html", "of_invitations.html", "of_assign.html", "of_fieldwork.html", "of_links_job.html"}

// officePages holds the setup pages' state: the store (the server's store
// when it implements fieldwork.OfficeStore), the accounts (for the
// interviewer list), the templates and the background frame jobs.
type officePages struct {
	pageSet
	st    *staff
	store fieldwork.OfficeStore
	jobs  *officeJobs
}

// officeRoutes returns the rows of the staff route table for the frame,
// sample, invitations, case assignment and fieldwork pages. Every GET
// needs PermViewSetup (the statistician reads them), every POST
// PermManageMeasurement (the office only); the interviewer sees none.
func (st *staff) officeRoutes() []staffRoute {
	o := &officePages{st: st, jobs: newFrameJobs()}
	if st.s.office != nil {
		o.store = st.s.office
	} else {
		o.err = errors.New("web: Config.Office is nil; the frame, sample, invitations, assignment and fieldwork pages are off")
	}
	if vs, err := parsePageSet(officePageFiles, "of_steps.html"); err != nil {
		o.err = err
	} else {
		o.views = vs
	}
	if o.err != nil {
		st.s.log.Error("office setup pages unavailable", "err", o.err)
	}
	g, p := http.MethodGet, http.MethodPost
	view, manage := auth.PermViewSetup, auth.PermManageMeasurement
	return []staffRoute{
		{g, "/app/m/:id/frame", false, view, o.ok(o.handleFrame)},
		{p, "/app/m/:id/frame", false, manage, o.ok(o.handleFrameUpload)},
		{p, "/app/m/:id/frame/import", false, manage, o.ok(o.handleFrameImport)},
		{p, "/app/m/:id/frame/discard", false, manage, o.ok(o.handleFrameDiscard)},
		{g, "/app/m/:id/frame/rejects.csv", false, manage, o.ok(o.handleFrameRejects)},
		{g, "/app/m/:id/sample", false, view, o.ok(o.handleSample)},
		{p, "/app/m/:id/sample", false, manage, o.ok(o.handleSamplePost)},
		{g, "/app/m/:id/invitations", false, view, o.ok(o.handleInvitations)},
		{p, "/app/m/:id/invitations/sms", false, manage, o.ok(o.handleInviteFile)},
		{p, "/app/m/:id/invitations/reminder", false, manage, o.ok(o.handleInviteFile)},
		{p, "/app/m/:id/invitations/qr", false, manage, o.ok(o.handleInviteFile)},
		{p, "/app/m/:id/invitations/release", false, manage, o.ok(o.handleRelease)},
		{g, "/app/m/:id/invitations/jobs/:job", false, manage, o.ok(o.handleLinksJob)},
		{g, "/app/m/:id/invitations/jobs/:job/file", false, manage, o.ok(o.handleLinksJobFile)},
		{g, "/app/m/:id/cases/assign", false, view, o.ok(o.handleAssign)},
		{p, "/app/m/:id/cases/assign", false, manage, o.ok(o.handleAssignCount)},
		{p, "/app/m/:id/cases/assign/selected", false, manage, o.ok(o.handleAssignSelected)},
		{g, "/app/m/:id/fieldwork", false, view, o.ok(o.handleFieldwork)},
		{p, "/app/m/:id/fieldwork/open", false, manage, o.ok(o.handleFieldworkOpen)},
		{p, "/app/m/:id/fieldwork/close", false, manage, o.ok(o.handleFieldworkClose)},
		{p, "/app/m/:id/fieldwork/purge", false, manage, o.ok(o.handlePurge)},
		{p, "/app/m/:id/archive", false, manage, o.ok(o.handleArchive)},
	}
}

func init() {
	largeBodyRoutes["POST /app/m/:id/frame"] = true
}

// ofLayout is the layout of a setup page: the fieldwork layout, the step
// tabs, whether the page is read-only (a statistician, or an archived
// measurement) and the messages of the last action.
type ofLayout struct {
	fwLayout
	MID      string // the measurement id, path-escaped
	Heading  string // the page's own title
	Steps    []navLink
	CanEdit  bool
	Archived bool
	Done     string
	Error    string
}

// M returns the interface text key: setup texts first.
func (l ofLayout) M(key string) string {
	if t, ok := ofUI[key]; ok {
		return t.Get(l.Lang)
	}
	return l.fwLayout.M(key)
}

// officeSteps are the tabs of the setup pages: the overview (office-setup's
// page) and the five pages here.
var officeSteps = []struct{ path, label string }{
	{"", "step_overview"},
	{"/frame", "step_frame"},
	{"/sample", "step_sample"},
	{"/invitations", "step_invitations"},
	{"/cases/assign", "step_cases"},
	{"/fieldwork", "step_fieldwork"},
}

// layout loads the :id measurement and fills the page layout; doneKey is
// the ofUI key of the ?done= message, when the text needs no arguments.
func (o *officePages) layout(c *echo.Context, titleKey, here string) (ofLayout, *survey.Measurement, error) {
	ctx := c.Request().Context()
	m, err := o.st.s.store.Measurement(ctx, c.Param("id"))
	if err != nil {
		return ofLayout{}, nil, err
	}
	lang := language(c)
	sess := staffSession(c)
	id := url.PathEscape(m.ID)
	l := ofLayout{
		fwLayout: fwLayout{staffLayout: o.st.newStaffLayout(c, sess, ofUI[titleKey].Get(lang), "/app/m/"+id+here), Measurement: m, MTitle: m.Title.Get(lang)},
		MID:      id,
		Heading:  ofUI[titleKey].Get(lang),
		CanEdit:  auth.Can(sess.User.Role, auth.PermManageMeasurement),
	}
	a, err := o.store.Archive(ctx, m.ID)
	if err != nil {
		return l, nil, err
	}
	if a.Archived {
		l.Archived, l.CanEdit = true, false
	}
	for _, s := range officeSteps {
		p := "/app/m/" + id + s.path
		l.Steps = append(l.Steps, navLink{URL: p, Label: ofUI[s.label].Get(lang), Current: s.path == here})
	}
	if d := c.QueryParam("done"); d != "" {
		if t, ok := ofUI["done_"+d]; ok {
			l.Done = t.Get(lang)
			if strings.Contains(l.Done, "%d") {
				n, _ := strconv.Atoi(c.QueryParam("n"))
				l.Done = fmt.Sprintf(l.Done, n)
			}
		}
	}
	return l, m, nil
}

// setupPath is the path of a setup page of measurement id.
func setupPath(id, page string) string { return "/app/m/" + url.PathEscape(id) + page }

// audit writes an audit entry under the logged-in user.
func (o *officePages) audit(c *echo.Context, action, target string, detail map[string]any) error {
	return o.st.audit(c, staffSession(c).User.Name, action, target, detail)
}

// errorText is the message of err for the page: the domain's text for
// errors the user can act on; internal errors go to the error handler.
func errorText(err error, lang string) (string, bool) {
	switch survey.ErrorCode(err) {
	case survey.EINVALID, survey.ECONFLICT, survey.ENOTFOUND, survey.ETOOLARGE:
		return survey.ErrorMessage(err, lang), true
	}
	return "", false
}

// statusOfErr is the HTTP status a form re-rendered with err answers.
func statusOfErr(err error) int {
	if s, ok := statusOf[survey.ErrorCode(err)]; ok {
		return s
	}
	return http.StatusUnprocessableEntity
}

// notArchived refuses a change to an archived measurement: it is
// read-only until restored (POST /app/m/:id/archive with archived=0).
func (st *staff) notArchived(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c *echo.Context) error {
		if st.s.office == nil || c.Path() == "/app/m/:id/archive" {
			return next(c)
		}
		a, err := st.s.office.Archive(c.Request().Context(), c.Param("id"))
		if err != nil {
			return err
		}
		if a.Archived {
			return st.renderStaffError(c, staffSession(c), http.StatusConflict, ofUI["archived_title"], ofUI["archived_refused"])
		}
		return next(c)
	}
}

// isMeasurementChange reports whether a staff route changes a measurement
// (a POST under /app/m/:id), which an archive makes read-only.
func isMeasurementChange(method, path string) bool {
	return method == http.MethodPost && strings.HasPrefix(path, "/app/m/:id/")
}

// archiveFilter is the staff home's "show archived" switch.
type archiveFilter struct {
	Count int    // archived measurements
	Shown bool   // ?archived=1: they are listed
	URL   string // the other state of the switch
	Label string
}

// archiveFilter leaves the archived measurements out of the staff home's
// list unless ?archived=1 asks for them (marked as archived then).
func (st *staff) archiveFilter(c *echo.Context, ms []*survey.Measurement) ([]*survey.Measurement, archiveFilter, error) {
	var f archiveFilter
	if st.s.office == nil {
		return ms, f, nil
	}
	ids, err := st.s.office.ArchivedMeasurements(c.Request().Context())
	if err != nil || len(ids) == 0 {
		return ms, f, err
	}
	lang := language(c)
	f.Shown = c.QueryParam("archived") == "1"
	f.URL, f.Label = "/app?archived=1", ofUI["show_archived"].Get(lang)
	if f.Shown {
		f.URL, f.Label = "/app", ofUI["hide_archived"].Get(lang)
	}
	var out []*survey.Measurement
	for _, m := range ms {
		if !ids[m.ID] {
			out = append(out, m)
			continue
		}
		f.Count++
		if f.Shown {
			mm := *m
			mm.Title = survey.Text{Zh: m.Title.Zh + "（" + ofUI["archived_tag"].Zh + "）", En: m.Title.Get(survey.LangEn) + " (" + ofUI["archived_tag"].En + ")"}
			out = append(out, &mm)
		}
	}
	return out, f, nil
}
