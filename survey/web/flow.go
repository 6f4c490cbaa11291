package web

import (
	"slices"
	"strings"

	"github.com/labstack/echo/v5"

	"manyi/survey"
)

// reviewID is the resume point after the last questionnaire page: the
// review page, which is not part of the questionnaire.
const reviewID = "review"

// openSession resolves the :token of the route. A malformed token is a 404
// without a database look-up.
func (s *Server) openSession(c *echo.Context) (*survey.Session, string, error) {
	token := c.Param("token")
	if !validToken(token) {
		return nil, "", survey.Errorf(survey.ENOTFOUND, "链接无效。", "This link is not valid.")
	}
	sess, err := s.store.OpenSession(c.Request().Context(), token)
	if err != nil {
		return nil, "", err
	}
	return sess, token, nil
}

// errInterviewLink answers a resident's page opened with an interviewer's
// token: that response is a phone or face-to-face interview recorded under
// the interviewer's account, and answering it anonymously would record an
// interview the interviewer never did, with no audit entry.
var errInterviewLink = survey.Errorf(survey.EFORBIDDEN,
	"这个链接用于访员的电话或面访，不能在这里作答。如果您收到了调查短信，请使用短信中的链接。",
	"This link belongs to an interviewer's phone or face-to-face interview and cannot be answered here. If you received a survey text message, please use the link in it.")

// residentOnly refuses a response that is not the resident's own web
// response (the interviewer pages refuse the web mode in turn).
func residentOnly(r *survey.Response) error {
	if r != nil && r.Mode != "" && r.Mode != survey.ModeWeb {
		return errInterviewLink
	}
	return nil
}

// finished reports whether a response is over (no more answers accepted).
func finished(r *survey.Response) bool {
	return r != nil && r.Status != "" && r.Status != survey.RespInProgress
}

// answersOf returns the response's answers, nil for no response.
func answersOf(r *survey.Response) survey.Answers {
	if r == nil {
		return nil
	}
	return r.Answers
}

// currentPage is the resume point: the stored current page while it is
// still visible, else the first visible page not yet saved, else the review.
func currentPage(q *survey.Questionnaire, r *survey.Response) string {
	a := answersOf(r)
	if r == nil {
		if first := q.NextPage("", a); first != "" {
			return first
		}
		return reviewID
	}
	if r.CurrentPage == reviewID {
		return reviewID
	}
	vis := q.VisiblePages(a)
	if r.CurrentPage != "" && pageIndex(vis, r.CurrentPage) >= 0 {
		return r.CurrentPage
	}
	for _, p := range vis {
		if !slices.Contains(r.PagesDone, p.ID) {
			return p.ID
		}
	}
	if len(r.PagesDone) == 0 && len(vis) > 0 {
		return vis[0].ID
	}
	return reviewID
}

func pageIndex(vis []*survey.Page, id string) int {
	for i, p := range vis {
		if p.ID == id {
			return i
		}
	}
	return -1
}

// reachable reports whether page id may be shown or saved now: it must be
// visible and not after the resume point cur (a resident goes back freely,
// never ahead).
func reachable(q *survey.Questionnaire, a survey.Answers, id, cur string) bool {
	vis := q.VisiblePages(a)
	i := pageIndex(vis, id)
	if i < 0 {
		return false
	}
	if cur == reviewID {
		return true
	}
	j := pageIndex(vis, cur)
	return j >= 0 && i <= j
}

// before reports whether page a comes before page b among visible pages
// (the review comes after every page).
func before(q *survey.Questionnaire, ans survey.Answers, a, b string) bool {
	if a == b || a == reviewID {
		return false
	}
	if b == reviewID {
		return true
	}
	vis := q.VisiblePages(ans)
	return pageIndex(vis, a) < pageIndex(vis, b)
}

// sameAnswers reports whether the page's items have the same answers in
// both sets: a replayed POST then leaves the resume point where it was.
func sameAnswers(p *survey.Page, old, neu survey.Answers) bool {
	for i := range p.Items {
		id := p.Items[i].ID
		if !slices.Equal(old[id], neu[id]) {
			return false
		}
	}
	return true
}

// progress returns the page's position and the total, counting the review
// as the last page.
func progress(q *survey.Questionnaire, a survey.Answers, id string) (n, total int) {
	vis := q.VisiblePages(a)
	total = len(vis) + 1
	if id == reviewID {
		return total, total
	}
	n = pageIndex(vis, id) + 1
	if n == 0 {
		n = 1
	}
	return n, total
}

// surveyURL is the resident's link (relative).
func surveyURL(token string) string { return "/s/" + token }

// pageURL is the link to one page of the resident's survey.
func pageURL(token, page string) string {
	return "/s/" + token + "?page=" + page
}

// paragraphs splits a text into paragraphs at blank lines or newlines.
func paragraphs(s string) []string {
	var out []string
	for _, p := range strings.Split(s, "\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
