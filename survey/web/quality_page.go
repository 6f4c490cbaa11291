package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v5"

	"manyi/survey"
	"manyi/survey/fieldwork"
	"manyi/survey/quality"
)

// qualityPage is the statistician's review of flagged responses.
type qualityPage struct {
	fwLayout
	Rows      []qualityRow
	Summary   string
	Done      string
	Error     string
	ErrorFor  int64
	ActionURL string
}

// qualityRow is one flagged or excluded response.
type qualityRow struct {
	ID          int64
	Submitted   string
	Mode        string
	Interviewer string
	Minutes     string
	Flags       []string
	Excluded    bool
	History     []string
	Exclude     string
	Restore     string
}

// qualityOptions derives the checks' options from the questionnaire: the
// scale items of each domain page for straight-lining, the don't-know
// code, and the open-text items in questionnaire order.
func qualityOptions(q *survey.Questionnaire) (quality.Options, []string) {
	opts := quality.Options{Domains: map[string][]string{}}
	var texts []string
	for i := range q.Pages {
		p := &q.Pages[i]
		for j := range p.Items {
			it := &p.Items[j]
			switch it.Type {
			case survey.TypeScale:
				if p.Kind == "domain" && p.Domain != "" {
					opts.Domains[p.Domain] = append(opts.Domains[p.Domain], it.ID)
				}
				if it.Scale != nil && it.Scale.DontKnow != nil && opts.DontKnow == "" {
					opts.DontKnow = it.Scale.DontKnow.Code
				}
			case survey.TypeText:
				texts = append(texts, it.ID)
			}
		}
	}
	return opts, texts
}

// handleQuality handles GET /app/m/:id/quality.
func (f *fieldworkPages) handleQuality(c *echo.Context) error {
	v := qualityPage{}
	lang := language(c)
	if n := c.QueryParam("resp"); n != "" && len(n) < 20 {
		switch c.QueryParam("done") {
		case "excluded":
			v.Done = fmt.Sprintf(fwUI["done_excluded"].Get(lang), n)
		case "restored":
			v.Done = fmt.Sprintf(fwUI["done_restored"].Get(lang), n)
		}
	}
	return f.renderQuality(c, http.StatusOK, v)
}

// renderQuality runs quality.Check over every submitted response and lists
// the flagged ones and the excluded ones, with the exclusion history.
func (f *fieldworkPages) renderQuality(c *echo.Context, status int, v qualityPage) error {
	m, err := f.measurement(c)
	if err != nil {
		return err
	}
	ctx := fwCtx(c)
	v.fwLayout = f.newFWLayout(c, m, "quality_title", "/app/m/"+m.ID+"/quality")
	done, err := f.store.CompletedResponses(ctx, m.ID)
	if err != nil {
		return err
	}
	exs, err := f.store.Exclusions(ctx, m.ID)
	if err != nil {
		return err
	}
	byResp := map[int64][]fieldwork.Exclusion{}
	for _, e := range exs {
		byResp[e.ResponseID] = append(byResp[e.ResponseID], e)
	}
	// Responses may answer different questionnaire versions; the checks
	// use the newest version's structure, which keeps item ids.
	qv, err := f.st.s.store.Questionnaire(ctx, m.ID, 0)
	if err != nil && survey.ErrorCode(err) != survey.ENOTFOUND {
		return err
	}
	var opts quality.Options
	var texts []string
	if qv != nil {
		opts, texts = qualityOptions(qv.Q)
	}
	in := make([]quality.Input, len(done))
	for i, r := range done {
		ans := map[string]string{}
		for k, vs := range r.Answers {
			if len(vs) > 0 {
				ans[k] = strings.Join(vs, ",")
			}
		}
		var ts []string
		for _, id := range texts {
			if vs := r.Answers[id]; len(vs) > 0 {
				ts = append(ts, vs[0])
			} else {
				ts = append(ts, "")
			}
		}
		in[i] = quality.Input{ID: strconv.FormatInt(r.ID, 10), Seconds: r.Seconds, Answers: ans, Texts: nonEmptyIfAny(ts)}
	}
	results := quality.Check(in, opts)
	flagged := 0
	mid := url.PathEscape(m.ID)
	for i, r := range done {
		res := results[i]
		hist := byResp[r.ID]
		if len(res.Flags) == 0 && len(hist) == 0 {
			continue
		}
		if len(res.Flags) > 0 {
			flagged++
		}
		row := qualityRow{
			ID: r.ID, Submitted: v.Time(r.SubmittedAt), Mode: fwUI["mode_"+r.Mode].Get(v.Lang), Interviewer: r.Interviewer,
			Exclude: fmt.Sprintf("/app/m/%s/quality/%d/exclude", mid, r.ID),
			Restore: fmt.Sprintf("/app/m/%s/quality/%d/restore", mid, r.ID),
		}
		if r.Seconds > 0 {
			row.Minutes = fmt.Sprintf(fwUI["minutes"].Get(v.Lang), r.Seconds/60)
		}
		for _, fl := range res.Flags {
			row.Flags = append(row.Flags, fl.Reason.Get(v.Lang))
		}
		for _, e := range hist {
			row.History = append(row.History, fmt.Sprintf(fwUI["excluded_by"].Get(v.Lang), v.Time(e.At), e.By, e.Reason))
			if e.RevertedAt != nil {
				s := fmt.Sprintf(fwUI["restored_by"].Get(v.Lang), v.Time(*e.RevertedAt), e.RevertedBy)
				if e.RevertNote != "" {
					s += "：" + e.RevertNote
				}
				row.History = append(row.History, s)
			} else {
				row.Excluded = true
			}
		}
		v.Rows = append(v.Rows, row)
	}
	v.Summary = fmt.Sprintf(fwUI["flags_count"].Get(v.Lang), len(done), flagged)
	return f.render(c, status, "fw_quality.html", v)
}

// nonEmptyIfAny keeps the open answers for the junk check only when the
// resident wrote at least one: leaving every suggestion box empty is a
// choice the questionnaire allows, not junk.
func nonEmptyIfAny(ts []string) []string {
	for _, t := range ts {
		if strings.TrimSpace(t) != "" {
			var out []string
			for _, t := range ts {
				if t != "" {
					out = append(out, t)
				}
			}
			return out
		}
	}
	return nil
}

// qualityResponse reads :resp and checks it is a submitted response of
// the route's measurement.
func (f *fieldworkPages) qualityResponse(c *echo.Context) (int64, error) {
	id, err := intParam(c, "resp")
	if err != nil {
		return 0, err
	}
	done, err := f.store.CompletedResponses(fwCtx(c), c.Param("id"))
	if err != nil {
		return 0, err
	}
	for _, r := range done {
		if r.ID == id {
			return id, nil
		}
	}
	return 0, survey.Errorf(survey.ENOTFOUND, "本测评没有编号为 %d 的已提交问卷", "this measurement has no submitted response %d", id)
}

// handleExclude handles POST /app/m/:id/quality/:resp/exclude: leaves the
// response out of the estimates with a reason, audited.
func (f *fieldworkPages) handleExclude(c *echo.Context) error {
	id, err := f.qualityResponse(c)
	if err != nil {
		return err
	}
	reason := strings.TrimSpace(c.FormValue("reason"))
	if reason == "" {
		return f.renderQuality(c, http.StatusUnprocessableEntity, qualityPage{ErrorFor: id, Error: fwUI["err_reason"].Get(language(c))})
	}
	if _, err := f.store.Exclude(fwCtx(c), id, reason, staffSession(c).User.Name); err != nil {
		var se *survey.Error
		if asSurveyError(err, &se) && (se.Code == survey.EINVALID || se.Code == survey.ECONFLICT) {
			return f.renderQuality(c, statusOf[se.Code], qualityPage{ErrorFor: id, Error: se.Message.Get(language(c))})
		}
		return err
	}
	if err := f.audit(c, actionExclude, fmt.Sprintf("response:%d", id), map[string]any{"reason": reason, "measurement": c.Param("id")}); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/app/m/%s/quality?done=excluded&resp=%d", url.PathEscape(c.Param("id")), id))
}

// handleRestore handles POST /app/m/:id/quality/:resp/restore: reverses
// the response's exclusion, audited.
func (f *fieldworkPages) handleRestore(c *echo.Context) error {
	id, err := f.qualityResponse(c)
	if err != nil {
		return err
	}
	note := strings.TrimSpace(c.FormValue("note"))
	if _, err := f.store.Restore(fwCtx(c), id, staffSession(c).User.Name, note); err != nil {
		var se *survey.Error
		if asSurveyError(err, &se) && se.Code == survey.ENOTFOUND {
			return f.renderQuality(c, http.StatusConflict, qualityPage{ErrorFor: id, Error: se.Message.Get(language(c))})
		}
		return err
	}
	if err := f.audit(c, actionRestore, fmt.Sprintf("response:%d", id), map[string]any{"note": note, "measurement": c.Param("id")}); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/app/m/%s/quality?done=restored&resp=%d", url.PathEscape(c.Param("id")), id))
}
