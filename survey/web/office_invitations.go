package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v5"

	"manyi/survey"
	"manyi/survey/fieldwork"
	"manyi/survey/invite"
	"manyi/survey/sampling"
)

// defaultSMS is the invitation text the page proposes.
const defaultSMS = "【{city}】诚邀您参加{title}，匿名填写约6分钟：{link}"

// inviteDistrict is one district's line on the invitations page.
type inviteDistrict struct {
	Code, Name                       string
	Released, NotSent, Sent, Started int
	Complete, Refused, Unreachable   int
	Batches, ReleasedBatches         int
	CanRelease                       bool
}

// invitationsPage is the invitations page.
type invitationsPage struct {
	ofLayout
	Template       string
	Chars, Segs    int
	TemplateErr    string
	SampleLink     string
	City, SMSTitle string // {city} and {title} of the message
	Districts      []inviteDistrict
	Sectors        []inviteDistrict // a service measurement's links per sector (when its cases have sectors)
	Batches        []int
	HasSample      bool
	HasKey         bool
	ByDistrict     bool // reserve batches can be released per district
	Chosen         map[string]bool
	ScriptJS       string
}

// publicBase is the address links start with: Config.BaseURL, or this
// request's own scheme and host.
func (o *officePages) publicBase(c *echo.Context) string {
	if b := strings.TrimRight(o.st.s.baseURL, "/"); b != "" {
		return b
	}
	return c.Scheme() + "://" + c.Request().Host
}

func (o *officePages) invitationsPage(c *echo.Context, tmpl string) (invitationsPage, error) {
	l, m, err := o.layout(c, "inv_title", "/invitations")
	if err != nil {
		return invitationsPage{}, err
	}
	ctx := c.Request().Context()
	v := invitationsPage{ofLayout: l, Template: tmpl, City: m.City.Zh, SMSTitle: m.Title.Zh, HasKey: o.st.s.key != nil,
		ScriptJS: o.st.s.assets.url("js/office.js"), Chosen: map[string]bool{}}
	v.SampleLink, _ = invite.Link(o.publicBase(c), strings.Repeat("x", 22))
	if t, err := invite.ParseTemplate(tmpl); err != nil {
		v.TemplateErr = survey.ErrorMessage(err, l.Lang)
		v.Chars = utf8.RuneCountInString(tmpl)
		v.Segs = invite.Segments(tmpl)
	} else {
		msg := t.Message(invite.SMSRow{Link: v.SampleLink, City: v.City, Title: v.SMSTitle})
		v.Chars, v.Segs = utf8.RuneCountInString(msg), invite.Segments(msg)
	}
	si, err := o.store.Sample(ctx, m.ID)
	if survey.ErrorCode(err) == survey.ENOTFOUND {
		return v, nil
	}
	if err != nil {
		return v, err
	}
	v.HasSample = true
	v.ByDistrict = si.Plan.StratumColumn() == sampling.ColDistrict
	for b := 0; b <= si.Batches; b++ {
		v.Batches = append(v.Batches, b)
	}
	levels, err := o.store.ReleasedBatches(ctx, m.ID)
	if err != nil {
		return v, err
	}
	cs, err := o.store.Cases(ctx, fieldwork.CaseFilter{MeasurementID: m.ID, ReleasedOnly: true})
	if err != nil {
		return v, err
	}
	idx := map[string]int{}
	for _, d := range m.Districts {
		idx[d.Code] = len(v.Districts)
		row := inviteDistrict{Code: d.Code, Name: d.Name.Get(l.Lang)}
		if sa := si.Alloc.Get(d.Code); sa != nil && v.ByDistrict {
			row.Batches, row.ReleasedBatches = len(sa.Batches), levels[d.Code]
			row.CanRelease = row.ReleasedBatches < row.Batches
		}
		v.Districts = append(v.Districts, row)
	}
	sidx := map[string]int{}
	if m.IsService() {
		for _, sec := range m.Sectors {
			sidx[sec.Code] = len(v.Sectors)
			v.Sectors = append(v.Sectors, inviteDistrict{Code: sec.Code, Name: sec.Name.Get(l.Lang)})
		}
	}
	withSector := false
	for _, c := range cs {
		if i, ok := sidx[c.Sector]; ok {
			withSector = true
			tallyCase(&v.Sectors[i], c.Disposition)
		}
		if i, ok := idx[c.District]; ok {
			tallyCase(&v.Districts[i], c.Disposition)
		}
	}
	if !withSector {
		v.Sectors = nil
	}
	return v, nil
}

// tallyCase counts a released case of disposition disp in d's line.
func tallyCase(d *inviteDistrict, disp string) {
	d.Released++
	switch disp {
	case sampling.DispNotSent:
		d.NotSent++
	case sampling.DispSent:
		d.Sent++
	case sampling.DispOpened, sampling.DispPartial:
		d.Started++
	case sampling.DispComplete, sampling.DispScreenedOut, sampling.DispQuotaFull:
		d.Complete++
	case sampling.DispRefused:
		d.Refused++
	case sampling.DispUnreachable:
		d.Unreachable++
	}
}

// handleInvitations handles GET /app/m/:id/invitations; ?template= shows
// the server's character and segment count of that text (the "Count"
// button, for browsers without JavaScript).
func (o *officePages) handleInvitations(c *echo.Context) error {
	tmpl := c.QueryParam("template")
	if tmpl == "" {
		tmpl = defaultSMS
	}
	v, err := o.invitationsPage(c, tmpl)
	if err != nil {
		return err
	}
	return o.render(c, http.StatusOK, "of_invitations.html", v)
}

// handleInviteFile handles POST /app/m/:id/invitations/sms, /reminder
// and /qr: the fields template (SMS and reminder), district and batch
// (repeatable; none means all), resend=1 (SMS and QR: also cases sent
// before) and limit. Every chosen case gets a new link (an earlier one
// stops working) and the file is the response; its name says how many
// links it issued ("…-120links.csv"), as does the X-Manyi-Links header.
func (o *officePages) handleInviteFile(c *echo.Context) error {
	ctx := c.Request().Context()
	lang := language(c)
	channel := c.Path()[strings.LastIndexByte(c.Path(), '/')+1:]
	form, err := c.FormValues()
	if err != nil {
		return err
	}
	req := invite.IssueRequest{Channel: channel, BaseURL: o.publicBase(c), Template: strings.TrimSpace(form.Get("template")),
		Resend: form.Get("resend") == "1", Districts: form["district"], Lang: lang, By: staffSession(c).User.Name}
	for _, b := range form["batch"] {
		n, err := strconv.Atoi(b)
		if err != nil || n < 0 {
			return survey.Errorf(survey.EINVALID, "批次 %q 无效", "batch %q is not valid", b)
		}
		req.Batches = append(req.Batches, n)
	}
	if s := form.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return survey.Errorf(survey.EINVALID, "数量 %q 无效", "limit %q is not valid", s)
		}
		req.Limit = n
	}
	work, err := o.inviteWork(ctx, c.Param("id"), req.Districts)
	var f *invite.IssuedFile
	if err == nil && work > inviteInlineMax && (req.Limit == 0 || req.Limit > inviteInlineMax) {
		err = o.startLinksJob(c, c.Param("id"), req, work)
		if err == nil {
			return nil
		}
	} else if err == nil {
		f, err = invite.Issue(ctx, o.store, c.Param("id"), req, o.st.s.key)
	}
	if err != nil {
		msg, ok := errorText(err, lang)
		if !ok {
			return err
		}
		tmpl := req.Template
		if tmpl == "" {
			tmpl = defaultSMS
		}
		v, perr := o.invitationsPage(c, tmpl)
		if perr != nil {
			return perr
		}
		v.Error = msg
		for _, d := range req.Districts {
			v.Chosen[d] = true
		}
		return o.render(c, statusOfErr(err), "of_invitations.html", v)
	}
	if err := o.audit(c, fieldwork.ActionLinksIssue, c.Param("id"), map[string]any{"channel": channel, "cases": f.Links,
		"resend": req.Resend, "districts": strings.Join(req.Districts, ","), "batches": fmt.Sprint(req.Batches)}); err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, f.Name))
	h.Set("X-Manyi-Links", strconv.Itoa(f.Links))
	h.Set("Cache-Control", "no-store")
	return c.Blob(http.StatusOK, f.Type, f.Data)
}

// handleRelease handles POST /app/m/:id/invitations/release (field
// district; empty releases the next batch in every district): the next
// reserve batch gets invitations and the released design's weights.
func (o *officePages) handleRelease(c *echo.Context) error {
	ctx := c.Request().Context()
	id, d := c.Param("id"), strings.TrimSpace(c.FormValue("district"))
	var b int
	var err error
	if d == "" {
		b, err = o.store.ReleaseBatch(ctx, id, staffSession(c).User.Name)
	} else {
		b, err = o.store.ReleaseStratumBatch(ctx, id, d, staffSession(c).User.Name)
	}
	if err != nil {
		msg, ok := errorText(err, language(c))
		if !ok {
			return err
		}
		v, perr := o.invitationsPage(c, defaultSMS)
		if perr != nil {
			return perr
		}
		v.Error = msg
		return o.render(c, statusOfErr(err), "of_invitations.html", v)
	}
	if err := o.audit(c, fieldwork.ActionSampleRelease, id, map[string]any{"batch": b, "stratum": d}); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, setupPath(id, "/invitations?done=released"))
}
