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

// interviewPage is one questionnaire page in interviewer mode: the same
// questions as the resident's page (buildQuestion), with the interviewer
// notes shown and don't-know marked as not to be read out. It is also the
// review step (Review) and the ended interview (Ended).
type interviewPage struct {
	fwLayout
	CaseID    string
	ModeLabel string
	Action    string
	PageID    string
	Shown     int64
	Heading   string
	Intro     string
	Welcome   []string
	N, Total  int
	Questions []question
	Errors    []summaryError
	First     bool
	Review    bool
	Missing   []string
	Ended     bool
	EndedMsg  string
	CasesURL  string
	// BackKey is the message of the link back: the interviewer's cases,
	// or for an intercept interview (no case) the intercept page.
	BackKey string
}

// ProgressText is the page position ("第 3 / 11 页").
func (p interviewPage) ProgressText() string {
	if p.Lang == survey.LangEn {
		return fmt.Sprintf("Page %d of %d", p.N, p.Total)
	}
	return fmt.Sprintf("第 %d / %d 页", p.N, p.Total)
}

// interviewSession opens the :token interview and checks it is the
// logged-in interviewer's: a resident's web response, or another
// interviewer's, is 403.
func (f *fieldworkPages) interviewSession(c *echo.Context) (*survey.Session, string, error) {
	token := c.Param("token")
	if !validToken(token) {
		return nil, "", survey.Errorf(survey.ENOTFOUND, "链接无效。", "This link is not valid.")
	}
	sess, err := f.st.s.store.OpenSession(fwCtx(c), token)
	if err != nil {
		return nil, "", err
	}
	r := sess.Response
	if r == nil || r.Mode == survey.ModeWeb || !strings.EqualFold(r.Interviewer, staffSession(c).User.Name) {
		return nil, "", &survey.Error{Code: survey.EFORBIDDEN, Message: fwUI["not_your_interview"]}
	}
	return sess, token, nil
}

// newInterviewPage fills what every interviewer page shows.
func (f *fieldworkPages) newInterviewPage(c *echo.Context, sess *survey.Session, token string) interviewPage {
	l := f.newFWLayout(c, sess.Measurement, "interview_title", interviewURL(token))
	v := interviewPage{fwLayout: l, CaseID: sess.Invitation.CaseID, Action: interviewURL(token),
		CasesURL: "/app/m/" + url.PathEscape(sess.Measurement.ID) + "/cases", BackKey: "back_cases"}
	if sess.Invitation.CaseID == "" {
		v.CasesURL, v.BackKey = "/app/m/"+url.PathEscape(sess.Measurement.ID)+"/intercept", "back_intercept"
	}
	v.ModeLabel = fwUI["mode_"+sess.Response.Mode].Get(l.Lang)
	return v
}

// handleInterviewShow handles GET /app/interview/:token: the interview's
// current page (or ?page= an earlier one), its review step, or the end.
func (f *fieldworkPages) handleInterviewShow(c *echo.Context) error {
	sess, token, err := f.interviewSession(c)
	if err != nil {
		return err
	}
	if finished(sess.Response) {
		return f.renderInterviewEnded(c, http.StatusOK, sess, token)
	}
	q := sess.Q
	a := answersOf(sess.Response)
	cur := currentPage(q, sess.Response)
	target := cur
	if want := c.QueryParam("page"); want != "" && want != cur && want != reviewID && reachable(q, a, want, cur) {
		target = want
	}
	if target == reviewID {
		return f.renderInterviewReview(c, http.StatusOK, sess, token)
	}
	return f.renderInterviewPage(c, http.StatusOK, sess, token, target, a, nil)
}

func (f *fieldworkPages) renderInterviewPage(c *echo.Context, status int, sess *survey.Session, token, pageID string, vals survey.Answers, errs []survey.FieldError) error {
	q := sess.Q
	p, _ := q.Page(pageID)
	if p == nil {
		return fmt.Errorf("web: page %q not in questionnaire", pageID)
	}
	v := f.newInterviewPage(c, sess, token)
	lang := v.Lang
	v.N, v.Total = progress(q, vals, pageID)
	v.PageID, v.Shown = pageID, f.st.s.now().UnixMilli()
	v.Heading, v.Intro = p.Title.Get(lang), p.Intro.Get(lang)
	v.First = q.PrevPage(pageID, vals) == ""
	if p.Kind == "consent" {
		v.Welcome = paragraphs(q.Welcome.Get(lang))
	}
	byItem := map[string]string{}
	for _, fe := range errs {
		if _, dup := byItem[fe.Field]; !dup && fe.Field != "" {
			byItem[fe.Field] = fe.Message.Get(lang)
		}
	}
	for _, it := range p.VisibleItems(vals) {
		v.Questions = append(v.Questions, buildQuestion(q.ForAnswers(it, vals), vals[it.ID], byItem[it.ID], lang))
	}
	for _, fe := range errs {
		href := "#main"
		if fe.Field != "" {
			href = "#q-" + fe.Field
		}
		v.Errors = append(v.Errors, summaryError{Href: href, Message: fe.Message.Get(lang)})
	}
	return f.render(c, status, "fw_interview.html", v)
}

func (f *fieldworkPages) renderInterviewReview(c *echo.Context, status int, sess *survey.Session, token string) error {
	v := f.newInterviewPage(c, sess, token)
	v.Review, v.PageID = true, reviewID
	v.N, v.Total = progress(sess.Q, answersOf(sess.Response), reviewID)
	v.Heading = fwUI["submit"].Get(v.Lang)
	required, _ := sess.Q.Missing(answersOf(sess.Response))
	for _, it := range required {
		v.Missing = append(v.Missing, it.Text.Get(v.Lang))
	}
	return f.render(c, status, "fw_interview.html", v)
}

func (f *fieldworkPages) renderInterviewEnded(c *echo.Context, status int, sess *survey.Session, token string) error {
	v := f.newInterviewPage(c, sess, token)
	v.Ended = true
	v.Heading = fwUI["ended_title"].Get(v.Lang)
	disp := map[string]string{survey.RespSubmitted: "complete", survey.RespScreenedOut: "screened_out", survey.RespQuotaFull: "quota_full"}[sess.Response.Status]
	v.EndedMsg = fmt.Sprintf(fwUI["done_ended"].Get(v.Lang), v.CaseID, v.Disp(disp))
	return f.render(c, status, "fw_interview.html", v)
}

// handleInterviewAnswer handles POST /app/interview/:token: the same
// steps as a resident's page (parse, validate, screen out, save, quota
// check at the screener, next page), answered with redirects to the
// interviewer's pages; the review step submits, and the submission is
// recorded as the case's completed call.
func (f *fieldworkPages) handleInterviewAnswer(c *echo.Context) error {
	form, err := c.FormValues()
	if err != nil {
		return survey.Errorf(survey.EINVALID, "提交的内容无法读取。", "The form could not be read.")
	}
	// requirePerm has checked the staff CSRF token; it is not an answer.
	form = cloneWithout(form, "csrf")
	sess, token, err := f.interviewSession(c)
	if err != nil {
		return err
	}
	if finished(sess.Response) {
		return f.renderInterviewEnded(c, http.StatusConflict, sess, token)
	}
	ctx := fwCtx(c)
	store := f.st.s.store
	q := sess.Q
	prior := answersOf(sess.Response)
	cur := currentPage(q, sess.Response)
	pageID, nav := form.Get("_page"), form.Get("_nav")
	here := interviewURL(token)

	if pageID == reviewID {
		if cur != reviewID {
			return errStalePage
		}
		if nav == "back" {
			vis := q.VisiblePages(prior)
			if len(vis) == 0 {
				return c.Redirect(http.StatusSeeOther, here)
			}
			return c.Redirect(http.StatusSeeOther, here+"?page="+vis[len(vis)-1].ID)
		}
		if required, _ := q.Missing(prior); len(required) > 0 {
			return f.renderInterviewReview(c, http.StatusUnprocessableEntity, sess, token)
		}
		if _, err := store.Finish(ctx, token, survey.RespSubmitted); err != nil {
			return err
		}
		return f.afterInterview(c, sess)
	}
	p, _ := q.Page(pageID)
	if p == nil || !reachable(q, prior, pageID, cur) {
		return errStalePage
	}
	ans, ferrs := q.ParsePage(pageID, form, prior)
	el := elapsed(form.Get("_shown"), f.st.s.now())
	if nav == "back" {
		for _, fe := range ferrs {
			delete(ans, fe.Field)
		}
		merged := prior.Merge(ans)
		if _, err := store.SavePage(ctx, token, survey.PageSave{PageID: pageID, Answers: ans, Next: cur, Elapsed: el}); err != nil {
			return err
		}
		prev := q.PrevPage(pageID, merged)
		if prev == "" {
			prev = pageID
		}
		return c.Redirect(http.StatusSeeOther, here+"?page="+prev)
	}
	if len(ferrs) > 0 {
		return f.renderInterviewPage(c, http.StatusUnprocessableEntity, sess, token, pageID, formValues(p, form, prior), ferrs)
	}
	merged := prior.Merge(ans)
	if out, _ := q.ScreenedOut(merged); out {
		if _, err := store.SavePage(ctx, token, survey.PageSave{PageID: pageID, Answers: ans, Next: pageID, Elapsed: el}); err != nil {
			return err
		}
		if _, err := store.Finish(ctx, token, survey.RespScreenedOut); err != nil {
			return err
		}
		return c.Redirect(http.StatusSeeOther, here)
	}
	next := q.NextPage(pageID, merged)
	if next == "" {
		next = reviewID
	}
	if before(q, merged, next, cur) && sameAnswers(p, prior, ans) {
		next = cur
	}
	if _, err := store.SavePage(ctx, token, survey.PageSave{PageID: pageID, Answers: ans, Next: next, Elapsed: el}); err != nil {
		return err
	}
	if _, err := f.st.s.screenerQuota(ctx, token, p); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, here)
}

// afterInterview records the submitted interview as the case's completed
// call and returns to the interviewer's cases.
func (f *fieldworkPages) afterInterview(c *echo.Context, sess *survey.Session) error {
	ctx := fwCtx(c)
	me := staffSession(c).User.Name
	cs, err := f.store.Cases(ctx, fieldwork.CaseFilter{MeasurementID: sess.Measurement.ID, Interviewer: me, ReleasedOnly: true})
	if err != nil {
		return err
	}
	for _, k := range cs {
		if k.InvitationID != sess.Invitation.ID {
			continue
		}
		if _, err := f.store.RecordAttempt(ctx, fieldwork.CallAttempt{CaseID: k.ID, Interviewer: me, Outcome: fieldwork.OutcomeCompleted}); err != nil {
			return err
		}
		if err := f.audit(c, actionInterviewSaved, fmt.Sprintf("case:%d", k.ID), map[string]any{"mode": sess.Response.Mode}); err != nil {
			return err
		}
	}
	return c.Redirect(http.StatusSeeOther, "/app/m/"+url.PathEscape(sess.Measurement.ID)+"/cases?done=submitted&case="+url.QueryEscape(sess.Invitation.CaseID))
}

// cloneWithout copies form without the named field.
func cloneWithout(form url.Values, name string) url.Values {
	out := make(url.Values, len(form))
	for k, v := range form {
		if k != name {
			out[k] = v
		}
	}
	return out
}
