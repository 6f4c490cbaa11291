package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v5"

	"manyi/survey"
	"manyi/survey/fieldwork"
	"manyi/survey/sampling"
)

// casesPage lists the logged-in interviewer's cases of one measurement.
type casesPage struct {
	fwLayout
	Cases    []caseRow
	Outcomes []roleOption
	NoKey    bool
	Done     string
	Error    string
	ErrorFor int64
}

// caseRow is one case of the interviewer's list.
type caseRow struct {
	ID          int64
	UnitID      string
	District    string
	Phone       string
	Disposition string
	Attempts    int
	LastOutcome string
	CallbackAt  string
	Final       bool // complete, screened out, quota full: nothing more to do
	Resume      bool // an interview is under way
	Attempt     string
	Interview   string
}

// handleCases handles GET /app/m/:id/cases: the cases assigned to the
// logged-in user, with phone numbers for CATI.
func (f *fieldworkPages) handleCases(c *echo.Context) error {
	v := casesPage{}
	lang := language(c)
	if n := c.QueryParam("case"); n != "" && len(n) <= 64 {
		switch c.QueryParam("done") {
		case "attempt":
			v.Done = fmt.Sprintf(fwUI["done_attempt"].Get(lang), n)
		case "submitted":
			v.Done = fmt.Sprintf(fwUI["done_interview"].Get(lang), n)
		}
	}
	return f.renderCases(c, http.StatusOK, v)
}

func (f *fieldworkPages) renderCases(c *echo.Context, status int, v casesPage) error {
	m, err := f.measurement(c)
	if err != nil {
		return err
	}
	me := staffSession(c).User.Name
	v.fwLayout = f.newFWLayout(c, m, "cases_title", "/app/m/"+m.ID+"/cases")
	cs, err := f.store.Cases(fwCtx(c), fieldwork.CaseFilter{MeasurementID: m.ID, Interviewer: me, ReleasedOnly: true})
	if err != nil {
		return err
	}
	key, kerr := f.contactKey()
	v.NoKey = kerr != nil
	for _, cs := range cs {
		r := caseRow{
			ID: cs.ID, UnitID: cs.UnitID, District: v.District(cs.District), Disposition: v.Disp(cs.Disposition),
			Attempts: cs.Attempts, Resume: cs.ResponseID != 0 && cs.ResponseMode != survey.ModeWeb,
			Attempt:   fmt.Sprintf("/app/m/%s/cases/%d/attempts", url.PathEscape(m.ID), cs.ID),
			Interview: fmt.Sprintf("/app/m/%s/cases/%d/interview", url.PathEscape(m.ID), cs.ID),
		}
		switch cs.Disposition {
		case sampling.DispComplete, sampling.DispScreenedOut, sampling.DispQuotaFull:
			r.Final = true
		}
		if cs.LastOutcome != "" {
			r.LastOutcome = fwUI["out_"+cs.LastOutcome].Get(v.Lang)
		}
		if cs.CallbackAt != nil {
			r.CallbackAt = v.Time(*cs.CallbackAt)
		}
		if key != nil && !r.Final {
			// Shown to the assigned interviewer only, never logged.
			if r.Phone, err = f.store.CaseContact(fwCtx(c), cs.ID, key); err != nil {
				return err
			}
		}
		v.Cases = append(v.Cases, r)
	}
	for _, o := range fieldwork.Outcomes {
		if o != fieldwork.OutcomeCompleted {
			v.Outcomes = append(v.Outcomes, roleOption{Value: o, Label: fwUI["out_"+o].Get(v.Lang)})
		}
	}
	return f.render(c, status, "fw_cases.html", v)
}

// handleAttempt handles POST /app/m/:id/cases/:case/attempts: one call
// attempt and its outcome (a call-back with its agreed time).
func (f *fieldworkPages) handleAttempt(c *echo.Context) error {
	id, err := intParam(c, "case")
	if err != nil {
		return err
	}
	cs, err := f.ownCase(c, id)
	if err != nil {
		return err
	}
	a := fieldwork.CallAttempt{CaseID: id, Interviewer: staffSession(c).User.Name, Outcome: c.FormValue("outcome"), Note: strings.TrimSpace(c.FormValue("note"))}
	if len([]rune(a.Note)) > 200 {
		a.Note = string([]rune(a.Note)[:200])
	}
	if a.Outcome == fieldwork.OutcomeCallback {
		at, err := time.ParseInLocation("2006-01-02T15:04", c.FormValue("callback_at"), chinaTime)
		if err != nil {
			return f.renderCases(c, http.StatusUnprocessableEntity, casesPage{ErrorFor: id, Error: survey.Text{
				Zh: "样本 " + cs.UnitID + "：约定回拨时请填写回拨的日期和时间。", En: "Case " + cs.UnitID + ": a call-back needs the agreed date and time."}.Get(language(c))})
		}
		a.CallbackAt = &at
	}
	if _, err := f.store.RecordAttempt(fwCtx(c), a); err != nil {
		if se := (*survey.Error)(nil); asSurveyError(err, &se) && se.Code == survey.EINVALID {
			prefix := survey.Text{Zh: "样本 " + cs.UnitID + "：", En: "Case " + cs.UnitID + ": "}
			return f.renderCases(c, http.StatusUnprocessableEntity, casesPage{ErrorFor: id, Error: prefix.Get(language(c)) + se.Message.Get(language(c))})
		}
		return err
	}
	if err := f.audit(c, actionCallAttempt, fmt.Sprintf("case:%d", id), map[string]any{"outcome": a.Outcome}); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/app/m/%s/cases?done=attempt&case=%s", url.PathEscape(c.Param("id")), url.QueryEscape(cs.UnitID)))
}

// ownCase loads a case of the route's measurement assigned to the
// logged-in user: another interviewer's case is 403, another
// measurement's 404.
func (f *fieldworkPages) ownCase(c *echo.Context, id int64) (*fieldwork.Case, error) {
	cs, err := f.store.Case(fwCtx(c), id)
	if err != nil {
		return nil, err
	}
	if cs.MeasurementID != c.Param("id") {
		return nil, survey.Errorf(survey.ENOTFOUND, "找不到该样本", "no such case")
	}
	if !strings.EqualFold(cs.Interviewer, staffSession(c).User.Name) {
		return nil, survey.Errorf(survey.EFORBIDDEN, "样本 %s 没有分配给您", "case %s is not assigned to you", cs.UnitID)
	}
	return cs, nil
}

// handleStartInterview handles POST /app/m/:id/cases/:case/interview:
// starts (or resumes) the case's interview in the chosen mode and opens
// its first page in interviewer mode.
func (f *fieldworkPages) handleStartInterview(c *echo.Context) error {
	id, err := intParam(c, "case")
	if err != nil {
		return err
	}
	cs, err := f.ownCase(c, id)
	if err != nil {
		return err
	}
	mode := c.FormValue("mode")
	if !slices.Contains([]string{survey.ModePhone, survey.ModeFace}, mode) {
		mode = survey.ModePhone
	}
	tok, _, err := f.store.StartInterview(fwCtx(c), id, staffSession(c).User.Name, mode)
	if err != nil {
		return err
	}
	if err := f.audit(c, actionInterview, fmt.Sprintf("case:%d", id), map[string]any{"mode": mode, "unit": cs.UnitID}); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, interviewURL(tok))
}

// interviewURL is the interviewer's page for an interview token.
func interviewURL(token string) string { return "/app/interview/" + token }
