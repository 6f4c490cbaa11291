package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"github.com/labstack/echo/v5"

	"manyi/survey"
)

// renderPage renders questionnaire page pageID with the values vals (the
// saved answers, or on a failed POST what the resident sent) and the errors.
func (s *Server) renderPage(c *echo.Context, status int, lang, token string, sess *survey.Session, pageID string, vals survey.Answers, errs []survey.FieldError) error {
	q := sess.Q
	p, _ := q.Page(pageID)
	if p == nil {
		return fmt.Errorf("web: page %q not in questionnaire", pageID)
	}
	here := surveyURL(token)
	if pageID != currentPage(q, sess.Response) {
		here = pageURL(token, pageID)
	}
	n, total := progress(q, vals, pageID)
	v := questionPage{
		layout:  s.newLayout(lang, sess.Measurement.Title.Get(lang), p.Title.Get(lang), here),
		Action:  surveyURL(token),
		CSRF:    s.csrfToken(token),
		PageID:  pageID,
		Shown:   s.now().UnixMilli(),
		Heading: p.Title.Get(lang),
		Intro:   p.Intro.Get(lang),
		N:       n,
		Total:   total,
		First:   q.PrevPage(pageID, vals) == "",
	}
	if p.Kind == "consent" {
		v.Welcome = paragraphs(q.Welcome.Get(lang))
	}
	byItem := map[string]string{}
	for _, fe := range errs {
		if fe.Field == "" {
			continue
		}
		if _, dup := byItem[fe.Field]; !dup {
			byItem[fe.Field] = fe.Message.Get(lang)
		}
	}
	vals, fixed := fixedSector(sess, vals)
	for _, it := range p.VisibleItems(vals) {
		if fixed != nil && it.ID == fixed.ID {
			v.Fixed = fixedSectorText(sess, lang)
			continue
		}
		v.Questions = append(v.Questions, buildQuestion(q.ForAnswers(it, vals), vals[it.ID], byItem[it.ID], lang))
	}
	for _, fe := range errs {
		msg := fe.Message.Get(lang)
		href := "#main"
		if fe.Field != "" {
			if it, _ := q.Item(fe.Field); it != nil {
				// "请回答此题：您对本市食品……满意吗？" reads better than the
				// question first, which ends in its own question mark.
				msg += sep(lang) + it.Text.Get(lang)
			}
			href = "#q-" + fe.Field
		}
		v.Errors = append(v.Errors, summaryError{Href: href, Message: msg})
	}
	return s.render(c, status, "page.html", v)
}

// buildQuestion turns an item and its current values into what the
// template shows.
func buildQuestion(it *survey.Item, vals []string, msg, lang string) question {
	q := question{
		ID:       it.ID,
		Kind:     string(it.Type),
		Legend:   it.Text.Get(lang),
		Help:     it.Help.Get(lang),
		Instruct: it.Instruct.Get(lang),
		Required: it.Required,
		Error:    msg,
	}
	checked := func(code string) bool { return slices.Contains(vals, code) }
	switch it.Type {
	case survey.TypeScale:
		sc := it.Scale
		if sc == nil {
			break
		}
		for r := sc.Min; r <= sc.Max; r++ {
			code := strconv.Itoa(r)
			o := option{ID: "o-" + it.ID + "-" + code, Value: code, Label: code, Checked: checked(code)}
			if r == sc.Min {
				o.SrLabel = sc.MinLabel.Get(lang)
			} else if r == sc.Max {
				o.SrLabel = sc.MaxLabel.Get(lang)
			}
			q.Options = append(q.Options, o)
		}
		q.MinLabel = strconv.Itoa(sc.Min) + " = " + sc.MinLabel.Get(lang)
		q.MaxLabel = strconv.Itoa(sc.Max) + " = " + sc.MaxLabel.Get(lang)
		if dk := sc.DontKnow; dk != nil {
			q.DontKnow = &option{ID: "o-" + it.ID + "-" + dk.Code, Value: dk.Code, Label: dk.Label.Get(lang), Checked: checked(dk.Code)}
		}
	case survey.TypeSingle, survey.TypeMulti:
		for _, ch := range it.Choices {
			q.Options = append(q.Options, option{ID: "o-" + it.ID + "-" + ch.Code, Value: ch.Code, Label: ch.Label.Get(lang), Checked: checked(ch.Code)})
		}
	case survey.TypeNumber:
		if it.Min != nil {
			q.Min = strconv.FormatFloat(*it.Min, 'f', -1, 64)
		}
		if it.Max != nil {
			q.Max = strconv.FormatFloat(*it.Max, 'f', -1, 64)
		}
		if len(vals) > 0 {
			q.Value = vals[0]
		}
	case survey.TypeText:
		q.MaxLen = it.MaxRunes()
		if len(vals) > 0 {
			q.Value = vals[0]
		}
	}
	return q
}

// renderReview renders the review page: required questions still missing
// (linked to their pages) and skipped optional ones.
func (s *Server) renderReview(c *echo.Context, status int, lang, token string, sess *survey.Session, withErrors bool) error {
	q := sess.Q
	a := answersOf(sess.Response)
	required, skipped := q.Missing(a)
	n, total := progress(q, a, reviewID)
	here := surveyURL(token)
	if currentPage(q, sess.Response) != reviewID {
		here = pageURL(token, reviewID)
	}
	v := reviewPage{
		layout: s.newLayout(lang, sess.Measurement.Title.Get(lang), ui["review_title"].Get(lang), here),
		Action: surveyURL(token),
		CSRF:   s.csrfToken(token),
		Shown:  s.now().UnixMilli(),
		N:      n,
		Total:  total,
	}
	item := func(it *survey.Item) reviewItem {
		_, p := q.Item(it.ID)
		u := surveyURL(token)
		if p != nil {
			u = pageURL(token, p.ID) + "#q-" + it.ID
		}
		return reviewItem{Text: q.ForAnswers(it, a).Text.Get(lang), URL: u}
	}
	for _, it := range required {
		ri := item(it)
		v.Missing = append(v.Missing, ri)
		if withErrors {
			v.Errors = append(v.Errors, summaryError{Href: ri.URL, Message: ui["answer_this"].Get(lang) + sep(lang) + ri.Text})
		}
	}
	for _, it := range skipped {
		v.Skipped = append(v.Skipped, item(it))
	}
	return s.render(c, status, "review.html", v)
}

func sep(lang string) string {
	if lang == survey.LangEn {
		return ": "
	}
	return "："
}

// Final page kinds.
const (
	finalThanks    = "thanks"
	finalSubmitted = "submitted"
	finalScreened  = "screened_out"
	finalQuota     = "quota_full"
)

// renderFinal renders the page of a finished response (no form).
func (s *Server) renderFinal(c *echo.Context, status int, lang, token string, sess *survey.Session, kind string) error {
	q := sess.Q
	v := finalPage{Kind: kind}
	switch kind {
	case finalThanks:
		v.Heading = ui["thanks_title"].Get(lang)
		v.Message = paragraphs(q.Thanks.Get(lang))
	case finalSubmitted:
		v.Heading = ui["submitted_title"].Get(lang)
		v.Message = []string{ui["submitted_msg"].Get(lang)}
	case finalScreened:
		v.Heading = ui["screened_title"].Get(lang)
		if out, msg := q.ScreenedOut(answersOf(sess.Response)); out && msg.Get(lang) != "" {
			v.Message = paragraphs(msg.Get(lang))
		} else {
			v.Message = []string{ui["screened_msg"].Get(lang)}
		}
	default:
		v.Heading = ui["screened_title"].Get(lang)
		v.Message = []string{ui["quota_msg"].Get(lang)}
	}
	v.layout = s.newLayout(lang, sess.Measurement.Title.Get(lang), v.Heading, surveyURL(token))
	return s.render(c, status, "final.html", v)
}

// finalKind is the final page for a finished response.
func finalKind(r *survey.Response) string {
	switch r.Status {
	case survey.RespSubmitted:
		return finalSubmitted
	case survey.RespScreenedOut:
		return finalScreened
	}
	return finalQuota
}

// doneCookie marks, for a few minutes after submission, that the next view
// is the thank-you page; every later view says "already submitted".
const doneCookie = "done"

func setDone(c *echo.Context, token string, on bool) {
	ck := &http.Cookie{Name: doneCookie, Value: "1", Path: surveyURL(token), MaxAge: 600, HttpOnly: true, SameSite: http.SameSiteLaxMode}
	if !on {
		ck.Value, ck.MaxAge = "", -1
	}
	c.SetCookie(ck)
}
