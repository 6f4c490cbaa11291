package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v5"

	"manyi/survey"
	"manyi/survey/fieldwork"
)

// actionSectorLink is the audit action of switching a sector's open link.
const actionSectorLink = "openlink.sector.set"

// sectorLinkRow is one sector's open link as the open-link page lists it.
type sectorLinkRow struct {
	Code, Name         string
	URL                string
	Enabled            bool
	Started, Submitted int
	Changed            string
}

// sectorLinkRows turns a service measurement's per-sector links into the
// page's rows (nil for a resident measurement).
func (f *fieldworkPages) sectorLinkRows(c *echo.Context, m *survey.Measurement, lang string) ([]sectorLinkRow, error) {
	if !m.IsService() {
		return nil, nil
	}
	links, err := f.st.s.openLinks.SectorOpenLinks(fwCtx(c), m.ID)
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	for _, sc := range m.Sectors {
		names[sc.Code] = sc.Name.Get(lang)
	}
	rows := make([]sectorLinkRow, len(links))
	for i, l := range links {
		rows[i] = sectorLinkRow{Code: l.Sector, Name: names[l.Sector], Enabled: l.Enabled, Started: l.Started, Submitted: l.Submitted}
		if l.Slug != "" {
			rows[i].URL = openLinkURL(f.st.s.baseURL, l)
			rows[i].Changed = fmt.Sprintf(fwUI["open_changed"].Get(lang), l.ChangedAt.In(chinaTime).Format("2006-01-02 15:04"), l.ChangedBy)
		}
	}
	return rows, nil
}

// openLinkURL is the address of an open link.
func openLinkURL(base string, l fieldwork.OpenLink) string {
	return strings.TrimRight(base, "/") + "/o/" + l.Slug
}

// handleSectorLinkSet handles POST /app/m/:id/openlink/sector: sector=CODE
// with enabled=1 switches that sector's open link of a service
// measurement on (making its address the first time), enabled=0 off;
// audited.
func (f *fieldworkPages) handleSectorLinkSet(c *echo.Context) error {
	var on bool
	switch c.FormValue("enabled") {
	case "1":
		on = true
	case "0":
	default:
		return survey.Errorf(survey.EINVALID, "enabled 应为 1 或 0", "enabled must be 1 or 0")
	}
	sector := c.FormValue("sector")
	m, err := f.measurement(c)
	if err != nil {
		return err
	}
	if _, err := f.st.s.openLinks.SetSectorOpenLink(fwCtx(c), m.ID, sector, on, staffSession(c).User.Name); err != nil {
		return err
	}
	if err := f.audit(c, actionSectorLink, "measurement:"+m.ID, map[string]any{"sector": sector, "enabled": on}); err != nil {
		return err
	}
	done := "sector_off"
	if on {
		done = "sector_on"
	}
	return c.Redirect(http.StatusSeeOther, "/app/m/"+url.PathEscape(m.ID)+"/openlink?done="+done+"&sector="+url.QueryEscape(sector)+"#sector-links")
}

func init() {
	for k, t := range map[string]survey.Text{
		"open_sector_title":    {Zh: "按行业的公开链接", En: "Open links per sector"},
		"open_sector_intro":    {Zh: "每个行业可以有自己的公开链接（例如交给该行业的门店张贴）。通过某行业链接开始的问卷，行业已确定、不能更改，配额按该行业 × 顾客所填的区计算；满额时顾客看到配额已满的说明。", En: "Each sector may have its own open link (for instance for that sector's shops to put up). A questionnaire started through a sector's link has its sector fixed and not changeable, and the quota counts against that sector × the district the customer gives; when that cell is full the customer sees the quota-full message."},
		"open_sector":          {Zh: "行业", En: "Sector"},
		"open_status":          {Zh: "状态", En: "Status"},
		"open_action":          {Zh: "操作", En: "Action"},
		"open_started":         {Zh: "已开始", En: "Started"},
		"open_completes":       {Zh: "已完成", En: "Completes"},
		"open_row_on":          {Zh: "已开启", En: "On"},
		"open_row_off":         {Zh: "已关闭", En: "Off"},
		"open_none":            {Zh: "（开启后生成）", En: "(made when first switched on)"},
		"open_sector_enable":   {Zh: "开启", En: "Switch on"},
		"open_sector_disable":  {Zh: "关闭", En: "Switch off"},
		"open_done_sector_on":  {Zh: "“%s”的公开链接已开启。", En: "The open link of %s was switched on."},
		"open_done_sector_off": {Zh: "“%s”的公开链接已关闭。", En: "The open link of %s was switched off."},
		"open_fixed_sector":    {Zh: "行业：%s（已由邀请确定）", En: "Sector: %s (set by your invitation)"},
	} {
		fwUI[k] = t
	}
}

// fixedSector returns vals with the sector of the session's sector link
// as the sector item's answer, and that item; vals itself and nil when
// the response did not come through a sector's link.
func fixedSector(sess *survey.Session, vals survey.Answers) (survey.Answers, *survey.Item) {
	if sess.Invitation == nil || sess.Invitation.Sector == "" {
		return vals, nil
	}
	it := sess.Q.SectorItem()
	if it == nil {
		return vals, nil
	}
	out := make(survey.Answers, len(vals)+1)
	for k, v := range vals {
		out[k] = v
	}
	out[it.ID] = []string{sess.Invitation.Sector}
	return out, it
}

// fixedSectorText says which sector the link set, in lang.
func fixedSectorText(sess *survey.Session, lang string) string {
	name := sess.Invitation.Sector
	for _, sc := range sess.Measurement.Sectors {
		if sc.Code == name {
			name = sc.Name.Get(lang)
		}
	}
	return fmt.Sprintf(fwUI["open_fixed_sector"].Get(lang), name)
}
