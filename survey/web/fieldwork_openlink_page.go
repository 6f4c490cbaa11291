package web

import (
	"fmt"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v5"

	"manyi/survey"
)

// actionOpenLink is the audit action of switching the open link.
const actionOpenLink = "openlink.set"

// openLinkPage is the staff page of a measurement's open link.
type openLinkPage struct {
	fwLayout
	Link    openLinkView
	URL     string
	Changed string
	Done    string
	Action  string
	// Sectors lists a service measurement's per-sector links (nil for a
	// resident measurement); SectorAction is their forms' target.
	Sectors      []sectorLinkRow
	SectorAction string
}

// openLinkView is the link as the page shows it.
type openLinkView struct {
	Enabled            bool
	Started, Submitted int
}

// handleOpenLink handles GET /app/m/:id/openlink: whether the link is on,
// its address, and how many started and submitted through it.
func (f *fieldworkPages) handleOpenLink(c *echo.Context) error {
	ols := f.st.s.openLinks
	m, err := f.measurement(c)
	if err != nil {
		return err
	}
	l, err := ols.OpenLink(fwCtx(c), m.ID)
	if err != nil {
		return err
	}
	v := openLinkPage{
		fwLayout: f.newFWLayout(c, m, "open_title", "/app/m/"+m.ID+"/openlink"),
		Link:     openLinkView{Enabled: l.Enabled, Started: l.Started, Submitted: l.Submitted},
		Action:   "/app/m/" + url.PathEscape(m.ID) + "/openlink",
	}
	if l.Slug != "" {
		v.URL = openLinkURL(f.st.s.baseURL, *l)
		v.Changed = fmt.Sprintf(fwUI["open_changed"].Get(v.Lang), l.ChangedAt.In(chinaTime).Format("2006-01-02 15:04"), l.ChangedBy)
	}
	if v.Sectors, err = f.sectorLinkRows(c, m, v.Lang); err != nil {
		return err
	}
	v.SectorAction = v.Action + "/sector"
	switch c.QueryParam("done") {
	case "on":
		v.Done = fwUI["open_done_on"].Get(v.Lang)
	case "off":
		v.Done = fwUI["open_done_off"].Get(v.Lang)
	case "sector_on", "sector_off":
		for _, r := range v.Sectors {
			if r.Code == c.QueryParam("sector") {
				v.Done = fmt.Sprintf(fwUI["open_done_"+c.QueryParam("done")].Get(v.Lang), r.Name)
			}
		}
	}
	return f.render(c, http.StatusOK, "fw_openlink.html", v)
}

// handleOpenLinkSet handles POST /app/m/:id/openlink: enabled=1 switches
// the open link on (making its address the first time), enabled=0 off;
// audited.
func (f *fieldworkPages) handleOpenLinkSet(c *echo.Context) error {
	ols := f.st.s.openLinks
	var on bool
	switch c.FormValue("enabled") {
	case "1":
		on = true
	case "0":
	default:
		return survey.Errorf(survey.EINVALID, "enabled 应为 1 或 0", "enabled must be 1 or 0")
	}
	m, err := f.measurement(c)
	if err != nil {
		return err
	}
	if _, err := ols.SetOpenLink(fwCtx(c), m.ID, on, staffSession(c).User.Name); err != nil {
		return err
	}
	if err := f.audit(c, actionOpenLink, "measurement:"+m.ID, map[string]any{"enabled": on}); err != nil {
		return err
	}
	done := "off"
	if on {
		done = "on"
	}
	return c.Redirect(http.StatusSeeOther, "/app/m/"+url.PathEscape(m.ID)+"/openlink?done="+done)
}
