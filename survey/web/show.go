package web

import (
	"net/http"

	"github.com/labstack/echo/v5"

	"manyi/survey"
)

// handleShow handles GET /s/:token: the resident's current page (the resume
// point), or ?page=<id> for an earlier page (Back without JavaScript), or the
// final page of a finished response.
func (s *Server) handleShow(c *echo.Context) error {
	lang := language(c)
	sess, token, err := s.openSession(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if sess.Response == nil && uaClass(c.Request().UserAgent()) != "bot" {
		// Opening the link starts the response (start time, user-agent
		// class). Link previewers and crawlers do not: they are not residents.
		r, err := s.store.StartResponse(ctx, token, survey.ModeWeb, uaClass(c.Request().UserAgent()))
		if err != nil {
			return err
		}
		sess.Response = r
	}
	if r := sess.Response; finished(r) {
		kind := finalKind(r)
		if kind == finalSubmitted {
			if ck, err := c.Cookie(doneCookie); err == nil && ck.Value == "1" {
				kind = finalThanks
				setDone(c, token, false)
			}
		}
		return s.renderFinal(c, http.StatusOK, lang, token, sess, kind)
	}
	q := sess.Q
	a := answersOf(sess.Response)
	cur := currentPage(q, sess.Response)
	target := cur
	if want := c.QueryParam("page"); want != "" && want != cur {
		if want == reviewID || !reachable(q, a, want, cur) {
			return c.Redirect(http.StatusSeeOther, surveyURL(token))
		}
		target = want
	}
	if target == reviewID {
		return s.renderReview(c, http.StatusOK, lang, token, sess, false)
	}
	return s.renderPage(c, http.StatusOK, lang, token, sess, target, a, nil)
}
