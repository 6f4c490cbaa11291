package web

import (
	"errors"
	"net/http"
	"net/url"
	"slices"

	"github.com/labstack/echo/v5"

	"manyi/survey"
)

// errStalePage is the answer to a form for a page that does not exist or
// is not reachable now (an old tab, a hand-made POST).
var errStalePage = survey.Errorf(survey.ECONFLICT,
	"这一页现在不能提交（可能是在另一个窗口中已继续作答）。请返回问卷，从当前页继续。",
	"This page cannot be submitted now (perhaps you went on in another window). Please return to the survey and continue from the current page.")

// handleAnswer handles POST /s/:token: one page's answers (_nav=next or
// back), or the review page's submission (_page=review, _nav=submit).
// Every accepted POST is saved before the 303 that answers it.
func (s *Server) handleAnswer(c *echo.Context) error {
	lang := language(c)
	form, err := c.FormValues()
	if err != nil {
		if errors.Is(err, echo.ErrStatusRequestEntityTooLarge) {
			return echo.ErrStatusRequestEntityTooLarge
		}
		return survey.Errorf(survey.EINVALID, "提交的内容无法读取。", "The form could not be read.")
	}
	sess, token, err := s.openSession(c)
	if err != nil {
		return err
	}
	// The token from the body only (bodyValue): never from the URL.
	if !s.csrfOK(token, c.Request().PostForm.Get("_csrf")) {
		return survey.Errorf(survey.EFORBIDDEN, "表单已过期或来源不明，请重新打开您的邀请链接。", "This form has expired or did not come from this site. Please open your invitation link again.")
	}
	ctx := c.Request().Context()
	ua := uaClass(c.Request().UserAgent())
	if sess.Response == nil {
		r, err := s.store.StartResponse(ctx, token, survey.ModeWeb, ua)
		if err != nil {
			return err
		}
		sess.Response = r
	}
	if err := residentOnly(sess.Response); err != nil {
		return err
	}
	if finished(sess.Response) {
		return s.renderFinal(c, http.StatusConflict, lang, token, sess, finalKind(sess.Response))
	}
	q := sess.Q
	prior := answersOf(sess.Response)
	cur := currentPage(q, sess.Response)
	pageID, nav := form.Get("_page"), form.Get("_nav")

	if pageID == reviewID {
		return s.submit(c, lang, token, sess, cur, nav)
	}
	p, _ := q.Page(pageID)
	if p == nil || !reachable(q, prior, pageID, cur) {
		return errStalePage
	}
	if _, it := fixedSector(sess, nil); it != nil && slices.ContainsFunc(p.Items, func(x survey.Item) bool { return x.ID == it.ID }) {
		// A sector's open link fixed the sector: whatever the form
		// sent, the answer is that sector (the store enforces it too).
		form.Set(it.ID, sess.Invitation.Sector)
	}
	ans, ferrs := q.ParsePage(pageID, form, prior)
	el := elapsed(form.Get("_shown"), s.now())

	if nav == "back" {
		// Going back keeps what was given, valid or not yet complete;
		// invalid values are dropped rather than blocking the way back.
		for _, fe := range ferrs {
			delete(ans, fe.Field)
		}
		merged := prior.Merge(ans)
		if _, err := s.store.SavePage(ctx, token, survey.PageSave{PageID: pageID, Answers: ans, Next: cur, Elapsed: el}); err != nil {
			return err
		}
		prev := q.PrevPage(pageID, merged)
		if prev == "" {
			prev = pageID
		}
		return c.Redirect(http.StatusSeeOther, pageURL(token, prev))
	}

	if len(ferrs) > 0 {
		return s.renderPage(c, http.StatusUnprocessableEntity, lang, token, sess, pageID, formValues(p, form, prior), ferrs)
	}
	merged := prior.Merge(ans)
	if out, _ := q.ScreenedOut(merged); out {
		if _, err := s.store.SavePage(ctx, token, survey.PageSave{PageID: pageID, Answers: ans, Next: pageID, Elapsed: el}); err != nil {
			return err
		}
		if _, err := s.store.Finish(ctx, token, survey.RespScreenedOut); err != nil {
			return err
		}
		return c.Redirect(http.StatusSeeOther, surveyURL(token))
	}
	next := q.NextPage(pageID, merged)
	if next == "" {
		next = reviewID
	}
	// A replayed or double-clicked POST of an earlier page with the same
	// answers must not pull the resume point back.
	if before(q, merged, next, cur) && sameAnswers(p, prior, ans) {
		next = cur
	}
	if _, err := s.store.SavePage(ctx, token, survey.PageSave{PageID: pageID, Answers: ans, Next: next, Elapsed: el}); err != nil {
		return err
	}
	// The quota check at the screener: a full cell ends the response as
	// quota full, and the redirect shows its final page.
	if _, err := s.screenerQuota(ctx, token, p); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, surveyURL(token))
}

// submit handles the review page's form: back to the last page, or the
// final submission when no required question is missing.
func (s *Server) submit(c *echo.Context, lang, token string, sess *survey.Session, cur, nav string) error {
	q := sess.Q
	a := answersOf(sess.Response)
	if cur != reviewID {
		return errStalePage
	}
	if nav == "back" {
		vis := q.VisiblePages(a)
		if len(vis) == 0 {
			return c.Redirect(http.StatusSeeOther, surveyURL(token))
		}
		return c.Redirect(http.StatusSeeOther, pageURL(token, vis[len(vis)-1].ID))
	}
	if required, _ := q.Missing(a); len(required) > 0 {
		return s.renderReview(c, http.StatusUnprocessableEntity, lang, token, sess, true)
	}
	if _, err := s.store.Finish(c.Request().Context(), token, survey.RespSubmitted); err != nil {
		return err
	}
	setDone(c, token, true)
	return c.Redirect(http.StatusSeeOther, surveyURL(token))
}

// formValues are the values to show again after a failed POST: what the
// resident sent for this page's items, the saved answers elsewhere.
func formValues(p *survey.Page, form url.Values, prior survey.Answers) survey.Answers {
	vals := survey.Answers{}
	for k, v := range prior {
		vals[k] = v
	}
	for i := range p.Items {
		id := p.Items[i].ID
		var keep []string
		for _, v := range form[id] {
			if v != "" {
				keep = append(keep, v)
			}
		}
		if keep == nil {
			delete(vals, id)
		} else {
			vals[id] = keep
		}
	}
	return vals
}
