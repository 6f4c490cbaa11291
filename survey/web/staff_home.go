package web

import (
	"fmt"
	"strings"

	"github.com/labstack/echo/v5"

	"manyi/survey"
	"manyi/survey/auth"
)

// measurementLink is a per-measurement staff page offered on the staff home
// to the roles that hold Perm. Path has one %s, the measurement id. Later
// pages (monitor, results, weighting, export, report, interviews) add
// their row to measurementLinks when they add their route.
type measurementLink struct {
	Path  string
	Label survey.Text
	Perm  auth.Perm
}

// measurementLinks are the per-measurement pages, in the order shown.
var measurementLinks = []measurementLink{
	{"/app/m/%s/results", survey.Text{Zh: "加权结果", En: "Results"}, auth.PermViewResults},
	{"/app/m/%s/weighting", survey.Text{Zh: "加权设置", En: "Weighting"}, auth.PermViewResults},
	{"/app/m/%s/exports", survey.Text{Zh: "数据导出", En: "Exports"}, auth.PermExport},
	{"/app/m/%s/report", survey.Text{Zh: "测评报告", En: "Report"}, auth.PermReport},
}

// homePage is the staff home: the measurements and, for each, the pages
// the role may open.
type homePage struct {
	staffLayout
	Archive      archiveFilter // the "show archived" switch
	Measurements []homeMeasurement
	RoleLine     string // "您的角色：统计人员。您可以：……。"
	Interviewer  bool
	// CanCreate shows the "New measurement" button (manage_measurement).
	CanCreate bool
}

// homeMeasurement is one row of the staff home.
type homeMeasurement struct {
	ID     string
	Title  string
	Year   int
	Status string
	Links  []navLink
	// Overview is the measurement's overview page, "" for a role that may
	// not open it.
	Overview string
}

// handleHome handles GET /app.
func (st *staff) handleHome(c *echo.Context) error {
	sess := staffSession(c)
	ms, err := st.s.store.Measurements(c.Request().Context())
	if err != nil {
		return err
	}
	ms, archive, err := st.archiveFilter(c, ms)
	if err != nil {
		return err
	}
	l := st.newStaffLayout(c, sess, staffUI["home_title"].Get(language(c)), "/app")
	v := homePage{staffLayout: l, Interviewer: sess.User.Role == auth.RoleInterviewer, CanCreate: auth.Can(sess.User.Role, auth.PermManageMeasurement)}
	v.RoleLine = roleLine(sess.User.Role, l.Lang)
	v.Archive = archive
	for _, m := range ms {
		hm := homeMeasurement{ID: m.ID, Title: m.Title.Get(l.Lang), Year: m.Year, Status: staffUI["status_"+m.Status].Get(l.Lang)}
		if auth.Can(sess.User.Role, auth.PermViewSetup) {
			hm.Overview = "/app/m/" + m.ID
		}
		for _, ml := range measurementLinks {
			if auth.Can(sess.User.Role, ml.Perm) {
				hm.Links = append(hm.Links, navLink{URL: fmt.Sprintf(ml.Path, m.ID), Label: ml.Label.Get(l.Lang)})
			}
		}
		v.Measurements = append(v.Measurements, hm)
	}
	return st.render(c, 200, "staff_home.html", v)
}

// roleLine says what the role is and may do, in the punctuation of lang.
func roleLine(role auth.Role, lang string) string {
	var can []string
	for _, p := range auth.Perms(role) {
		can = append(can, permLabels[p].Get(lang))
	}
	if lang == survey.LangEn {
		return "Your role: " + role.Label().En + ". You may " + strings.Join(can, ", ") + "."
	}
	return "您的角色：" + role.Label().Zh + "。您可以" + strings.Join(can, "、") + "。"
}
