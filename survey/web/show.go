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
	ctx := c.Request().Context()
	ua := uaClass(c.Request().UserAgent())
	// Opening the link starts the response (start time, user-agent class).
	// Link previewers and crawlers do not: they are not residents. The
	// session is read first and the response started only when it has
	// none: a page view of a started response is then one read (on
	// PostgreSQL one statement; starting first cost a write transaction
	// on every view), at the price of one read before the write on a
	// link's first view (SQLite's session cache answers the others).
	// Both report a bad link or a closed measurement with the same error.
	sess, token, err := s.openSession(c)
	if err != nil {
		return err
	}
	if sess.Response == nil && ua != "bot" {
		r, err := s.store.StartResponse(ctx, token, survey.ModeWeb, ua)
		if err != nil {
			return err
		}
		sess.Response = r
	}
	if err := residentOnly(sess.Response); err != nil {
		return err
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
