package web

import (
	"fmt"
	"net/http"

	"github.com/labstack/echo/v5"

	"manyi/survey"
	"manyi/survey/setup"
)

// overviewPage is a measurement's overview: its facts and the life-cycle
// checklist.
type overviewPage struct {
	setupLayout
	M_        *survey.Measurement
	Status    string
	Districts []string // "d1 东城区"
	PrevID    string
	PrevTitle string
	Steps     []overviewStep
	Locked    bool
	Revision  string // "第 3 次保存 · boss · 2026-11-27 10:00"
}

// overviewStep is one checklist line as shown.
type overviewStep struct {
	Key, Label, State, StateLabel string
	Detail, Why, Path             string
}

// handleOverview handles GET /app/m/:id.
func (sp *setupPages) handleOverview(c *echo.Context) error {
	ctx := c.Request().Context()
	o, err := setup.LoadOverview(ctx, sp.store, c.Param("id"))
	if err != nil {
		return err
	}
	m := o.Measurement
	v := overviewPage{setupLayout: sp.newSetupLayout(c, m, "overview_title"), M_: m, Locked: o.Locked}
	v.Status = staffUI["status_"+m.Status].Get(v.Lang)
	for _, d := range m.Districts {
		v.Districts = append(v.Districts, d.Code+" "+d.Name.Get(v.Lang))
	}
	if m.PrevID != "" {
		v.PrevID = m.PrevID
		if p, err := sp.store.Measurement(ctx, m.PrevID); err == nil {
			v.PrevTitle = p.Title.Get(v.Lang)
		}
	}
	v.Revision = revisionLine(v.setupLayout, o.Revision)
	for _, s := range o.Steps {
		v.Steps = append(v.Steps, overviewStep{
			Key: s.Key, Label: setupUI["step_"+s.Key].Get(v.Lang),
			State: s.State, StateLabel: setupUI["state_"+s.State].Get(v.Lang),
			Detail: s.Detail.Get(v.Lang), Why: s.Why.Get(v.Lang), Path: s.Path,
		})
	}
	return sp.render(c, http.StatusOK, "setup_overview.html", v)
}

// revisionLine describes a revision: "第 3 次保存 · boss · 2026-11-27 10:00:00".
func revisionLine(l setupLayout, r *setup.Revision) string {
	if r == nil || r.Rev == 0 {
		return l.M("rev_none")
	}
	s := fmt.Sprintf(l.M("rev_n"), r.Rev)
	if r.Author != "" {
		s += " · " + r.Author
	}
	return s + " · " + l.Time(r.CreatedAt)
}
