package web

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v5"

	"manyi/survey"
	"manyi/survey/auth"
	"manyi/survey/fieldwork"
	"manyi/survey/invite"
)

// inviteInlineMax is the most links a request issues and answers with
// the file itself; a larger request (a 20,000-link SMS file, its QR
// sheet, a big reminder) runs as a job in the background: the browser is
// sent to the job's page, which shows its progress and then the download,
// and the server keeps answering other requests meanwhile.
var inviteInlineMax = 2000

// linksJobStarted, when set (tests), runs at the start of each link job.
var linksJobStarted func()

// Phases of a link job.
const (
	phaseIssuing = "issuing"
	phaseDone    = "done"
)

// linksMeta is a finished link job's file, kept sealed in the job.
type linksMeta struct {
	Name, Type string
	Links      int
}

// linksJobPage is the page of one link job.
type linksJobPage struct {
	ofLayout
	ID, Phase, Err, Name string
	Total, Links         int
	Percent              int
	Elapsed              int // seconds since an issuing job started
	Refresh              bool
}

// inviteWork counts the released cases a request may issue links to (an
// upper bound: cases sent already are counted too).
func (o *officePages) inviteWork(ctx context.Context, id string, districts []string) (int, error) {
	cs, err := o.store.Cases(ctx, fieldwork.CaseFilter{MeasurementID: id, ReleasedOnly: true})
	if err != nil {
		return 0, err
	}
	if len(districts) == 0 {
		return len(cs), nil
	}
	want := map[string]bool{}
	for _, d := range districts {
		want[d] = true
	}
	n := 0
	for _, c := range cs {
		if want[c.District] {
			n++
		}
	}
	return n, nil
}

// startLinksJob issues req's links in the background and sends the
// browser to the job's page.
func (o *officePages) startLinksJob(c *echo.Context, id string, req invite.IssueRequest, work int) error {
	ctx := c.Request().Context()
	if o.st.s.key == nil {
		return survey.Errorf(survey.EINVALID, "服务器未设置联系方式密钥，无法在后台生成邀请文件", "the server has no contact key, so no invitation file can be made in the background")
	}
	if _, err := o.store.ExpireJobs(ctx, o.st.s.now().Add(-jobForget)); err != nil {
		return err
	}
	j := &fieldwork.Job{ID: newJobID(), MeasurementID: id, Kind: fieldwork.JobLinks, User: req.By, Source: req.Channel,
		Phase: phaseIssuing, Total: int64(work)}
	if err := o.store.CreateJob(ctx, j); err != nil {
		return err
	}
	ip := c.RealIP()
	o.jobs.wait.Add(1)
	go func() {
		defer o.jobs.wait.Done()
		if linksJobStarted != nil {
			linksJobStarted()
		}
		// A running job shows it is alive; the page calls a job lost
		// after jobStale without a sign of life.
		stop := make(chan struct{})
		go func() {
			t := time.NewTicker(time.Minute)
			defer t.Stop()
			for {
				select {
				case <-stop:
					return
				case <-t.C:
					o.store.SetJobProgress(context.Background(), j.ID, 0, j.Total)
				}
			}
		}()
		f, err := invite.Issue(context.Background(), o.store, id, req, o.st.s.key)
		close(stop)
		if err == nil {
			err = o.st.accounts.Audit(context.Background(), auth.AuditEntry{User: req.By, Action: fieldwork.ActionLinksIssue, Target: id, IP: ip,
				Detail: map[string]any{"channel": req.Channel, "cases": f.Links, "resend": req.Resend,
					"districts": strings.Join(req.Districts, ","), "batches": fmt.Sprint(req.Batches), "job": j.ID}})
		}
		if err == nil {
			j.Meta, err = o.sealJSON(linksMeta{Name: f.Name, Type: f.Type, Links: f.Links})
		}
		if err == nil {
			j.Result, err = o.st.s.key.Seal(base64.StdEncoding.EncodeToString(f.Data))
		}
		if err != nil {
			o.failJob(j, err)
			return
		}
		j.Phase, j.Done, j.Total = phaseDone, int64(f.Links), int64(f.Links)
		if err := o.store.UpdateJob(context.Background(), j); err != nil {
			o.st.s.log.Error("links job: record the file", "measurement", id, "err", err)
		}
	}()
	return c.Redirect(http.StatusSeeOther, setupPath(id, "/invitations/jobs/"+j.ID))
}

// linksJob returns the link job the path names.
func (o *officePages) linksJob(c *echo.Context) (*fieldwork.Job, error) {
	j, err := o.store.Job(c.Request().Context(), c.Param("job"))
	if err != nil {
		return nil, err
	}
	if j.MeasurementID != c.Param("id") || j.Kind != fieldwork.JobLinks {
		return nil, survey.Errorf(survey.ENOTFOUND, "没有这项工作", "no such job")
	}
	return j, nil
}

// handleLinksJob handles GET /app/m/:id/invitations/jobs/:job: the link
// job's progress (the page refreshes itself each second, no script
// needed), then how many links it issued and the download.
func (o *officePages) handleLinksJob(c *echo.Context) error {
	l, _, err := o.layout(c, "inv_title", "/invitations")
	if err != nil {
		return err
	}
	j, err := o.linksJob(c)
	if err != nil {
		return err
	}
	v := linksJobPage{ofLayout: l, ID: j.ID, Phase: j.Phase, Total: int(j.Total)}
	switch {
	case j.Phase == phaseIssuing && !o.running(j):
		v.Phase, v.Err = phaseFailed, ofUI["err_job_lost"].Get(l.Lang)
	case j.Phase == phaseIssuing:
		v.Refresh = true
		// Issuing is one store transaction (all links or none), so there
		// is no true fraction to show: the page shows a running bar and
		// the seconds since the start (about 2 s for 20,000 links).
		if el := o.st.s.now().Sub(j.Created); el > 0 {
			v.Elapsed = int(el.Seconds())
		}
	case j.Phase == phaseFailed:
		v.Err = j.ErrZh
		if l.Lang == survey.LangEn {
			v.Err = j.ErrEn
		}
	case j.Phase == phaseDone:
		var lm linksMeta
		s, err := o.st.s.key.Open(string(j.Meta))
		if err == nil {
			err = json.Unmarshal([]byte(s), &lm)
		}
		if err != nil {
			return err
		}
		v.Name, v.Links, v.Percent = lm.Name, lm.Links, 100
	}
	return o.render(c, http.StatusOK, "of_links_job.html", v)
}

// handleLinksJobFile handles GET /app/m/:id/invitations/jobs/:job/file:
// the finished job's file (links and phone numbers: the office only),
// its name saying how many links it issued, as the X-Manyi-Links header.
func (o *officePages) handleLinksJobFile(c *echo.Context) error {
	j, err := o.linksJob(c)
	if err != nil {
		return err
	}
	if j.Phase != phaseDone {
		return survey.Errorf(survey.ECONFLICT, "文件尚未生成完", "the file is not ready yet")
	}
	var lm linksMeta
	s, err := o.st.s.key.Open(string(j.Meta))
	if err == nil {
		err = json.Unmarshal([]byte(s), &lm)
	}
	if err != nil {
		return err
	}
	r, err := o.st.s.key.Open(j.Result)
	if err != nil {
		return err
	}
	data, err := base64.StdEncoding.DecodeString(r)
	if err != nil {
		return err
	}
	if err := o.audit(c, "links.download", j.MeasurementID, map[string]any{"job": j.ID, "links": lm.Links}); err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, lm.Name))
	h.Set("X-Manyi-Links", strconv.Itoa(lm.Links))
	h.Set("Cache-Control", "no-store")
	return c.Blob(http.StatusOK, lm.Type, data)
}
