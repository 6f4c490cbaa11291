package web

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v5"

	"manyi/survey"
	"manyi/survey/auth"
	"manyi/survey/fieldwork"
)

// fieldworkPage is the fieldwork page: open and close, the checks, the
// pages that follow, the purge of contacts and the archive.
type fieldworkPage struct {
	ofLayout
	Status     string
	StatusText string
	Checks     []checkView
	CanOpen    bool
	Frame      *fieldwork.FrameSummary
	Archive    fieldwork.ArchiveInfo
	Confirm    string // what to type to purge
	Links      []navLink
	CanManage  bool // the role may archive and restore (CanEdit is false while archived)
}

type checkView struct {
	OK            bool
	Label, Reason string
}

// fieldworkLinks are the pages that follow fieldwork, shown to roles that
// may open them.
var fieldworkLinks = []struct {
	path, label string
	perm        auth.Perm
}{
	{"/monitor", "link_monitor", auth.PermMonitor},
	{"/quality", "link_quality", auth.PermReviewQuality},
	{"/weighting", "link_weighting", auth.PermViewResults},
	{"/results", "link_results", auth.PermViewResults},
	{"/report", "link_report", auth.PermReport},
}

func (o *officePages) fieldworkPage(c *echo.Context) (fieldworkPage, error) {
	l, m, err := o.layout(c, "fw_title", "/fieldwork")
	if err != nil {
		return fieldworkPage{}, err
	}
	ctx := c.Request().Context()
	v := fieldworkPage{ofLayout: l, Status: m.Status, StatusText: staffUI["status_"+m.Status].Get(l.Lang), Confirm: fieldwork.PurgeConfirmation(m.ID)}
	checks, err := fieldwork.OpenChecks(ctx, o.store, m.ID)
	if err != nil {
		return v, err
	}
	v.CanOpen = m.Status != survey.StatusOpen
	for _, ch := range checks {
		v.Checks = append(v.Checks, checkView{OK: ch.OK, Label: ch.Label.Get(l.Lang), Reason: ch.Reason.Get(l.Lang)})
		v.CanOpen = v.CanOpen && ch.OK
	}
	if f, err := o.store.Frame(ctx, m.ID); err == nil {
		v.Frame = f
	} else if survey.ErrorCode(err) != survey.ENOTFOUND {
		return v, err
	}
	if v.Archive, err = o.store.Archive(ctx, m.ID); err != nil {
		return v, err
	}
	role := staffSession(c).User.Role
	v.CanManage = auth.Can(role, auth.PermManageMeasurement)
	for _, fl := range fieldworkLinks {
		if auth.Can(role, fl.perm) {
			v.Links = append(v.Links, navLink{URL: setupPath(m.ID, fl.path), Label: ofUI[fl.label].Get(l.Lang)})
		}
	}
	return v, nil
}

// handleFieldwork handles GET /app/m/:id/fieldwork.
func (o *officePages) handleFieldwork(c *echo.Context) error {
	v, err := o.fieldworkPage(c)
	if err != nil {
		return err
	}
	return o.render(c, http.StatusOK, "of_fieldwork.html", v)
}

func (o *officePages) fieldworkFailed(c *echo.Context, err error) error {
	msg, ok := errorText(err, language(c))
	if !ok {
		return err
	}
	v, perr := o.fieldworkPage(c)
	if perr != nil {
		return perr
	}
	v.Error = msg
	return o.render(c, statusOfErr(err), "of_fieldwork.html", v)
}

// handleFieldworkOpen handles POST /app/m/:id/fieldwork/open: checks a
// valid questionnaire and a drawn sample, then residents' links work.
func (o *officePages) handleFieldworkOpen(c *echo.Context) error {
	id := c.Param("id")
	if err := fieldwork.OpenFieldwork(c.Request().Context(), o.store, id); err != nil {
		return o.fieldworkFailed(c, err)
	}
	if err := o.audit(c, fieldwork.ActionFieldworkOpen, id, nil); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, setupPath(id, "/fieldwork?done=opened"))
}

// handleFieldworkClose handles POST /app/m/:id/fieldwork/close: links then
// answer "this survey has closed"; interviewers can record nothing more.
func (o *officePages) handleFieldworkClose(c *echo.Context) error {
	id := c.Param("id")
	if err := fieldwork.CloseFieldwork(c.Request().Context(), o.store, id); err != nil {
		return o.fieldworkFailed(c, err)
	}
	if err := o.audit(c, fieldwork.ActionFieldworkEnd, id, nil); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, setupPath(id, "/fieldwork?done=closed"))
}

// handlePurge handles POST /app/m/:id/fieldwork/purge: field confirm must
// be the measurement id. Every sealed contact is deleted; the audit log
// keeps who and when, the frame record when and by whom.
func (o *officePages) handlePurge(c *echo.Context) error {
	id := c.Param("id")
	n, err := fieldwork.Purge(c.Request().Context(), o.store, id, strings.TrimSpace(c.FormValue("confirm")), staffSession(c).User.Name)
	if err != nil {
		return o.fieldworkFailed(c, err)
	}
	if err := o.audit(c, fieldwork.ActionFramePurge, id, map[string]any{"contacts": n}); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, setupPath(id, "/fieldwork?done=purged"))
}

// handleArchive handles POST /app/m/:id/archive: archived=1 archives the
// measurement (read-only, hidden from the default list on /app),
// archived=0 restores it.
func (o *officePages) handleArchive(c *echo.Context) error {
	id := c.Param("id")
	var on bool
	switch c.FormValue("archived") {
	case "1":
		on = true
	case "0":
	default:
		return survey.Errorf(survey.EINVALID, "archived 应为 1 或 0", "archived must be 1 or 0")
	}
	if err := o.store.SetArchived(c.Request().Context(), id, on, staffSession(c).User.Name); err != nil {
		return o.fieldworkFailed(c, err)
	}
	action, done := fieldwork.ActionArchive, "archived"
	if !on {
		action, done = fieldwork.ActionUnarchive, "unarchived"
	}
	if err := o.audit(c, action, id, nil); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, setupPath(id, "/fieldwork?done="+done))
}
