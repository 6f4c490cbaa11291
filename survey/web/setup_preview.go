package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v5"

	"manyi/survey"
)

// previewPage is the preview: the list of pages and, at phone width, the
// chosen page as a resident sees it (an iframe on the frame route).
type previewPage struct {
	setupLayout
	N, Total    int
	QLang       string
	Interviewer bool
	FrameURL    string
	Pages       []navLink
	Prev, Next  string
	LangZhURL   string
	LangEnURL   string
	ViewURL     string // the other view (resident / interviewer)
}

// previewParams reads page (1-based, clamped), qlang (the questionnaire's
// language: zh or en, by default the staff page's) and view.
func previewParams(c *echo.Context, pages int) (n int, qlang string, interviewer bool) {
	n, _ = strconv.Atoi(c.QueryParam("page"))
	n = min(max(n, 1), max(pages, 1))
	qlang = c.QueryParam("qlang")
	if qlang == "" {
		qlang = language(c)
	}
	return n, survey.NormLang(qlang), c.QueryParam("view") == "interviewer"
}

func previewQuery(n int, qlang string, interviewer bool) string {
	v := url.Values{"page": {strconv.Itoa(n)}, "qlang": {qlang}}
	if interviewer {
		v.Set("view", "interviewer")
	}
	return v.Encode()
}

// handlePreview handles GET /app/m/:id/questionnaire/preview?page=N&qlang=zh|en
// (page 1-based; view=interviewer shows the interviewer's notes).
func (sp *setupPages) handlePreview(c *echo.Context) error {
	d, err := sp.loadDraft(c)
	if err != nil {
		return err
	}
	q := d.rev.Q
	n, qlang, ivw := previewParams(c, len(q.Pages))
	base := "/app/m/" + d.m.ID + "/questionnaire/preview"
	v := previewPage{setupLayout: sp.newSetupLayout(c, d.m, "preview_title"), N: n, Total: len(q.Pages), QLang: qlang, Interviewer: ivw}
	v.FrameURL = base + "/frame?" + previewQuery(n, qlang, ivw)
	for i, p := range q.Pages {
		v.Pages = append(v.Pages, navLink{URL: base + "?" + previewQuery(i+1, qlang, ivw), Label: p.Title.Get(qlang) + " (" + p.ID + ")", Current: i+1 == n})
	}
	if n > 1 {
		v.Prev = base + "?" + previewQuery(n-1, qlang, ivw)
	}
	if n < len(q.Pages) {
		v.Next = base + "?" + previewQuery(n+1, qlang, ivw)
	}
	v.LangZhURL = base + "?" + previewQuery(n, survey.LangZh, ivw)
	v.LangEnURL = base + "?" + previewQuery(n, survey.LangEn, ivw)
	v.ViewURL = base + "?" + previewQuery(n, qlang, !ivw)
	return sp.render(c, http.StatusOK, "setup_preview.html", v)
}

// handlePreviewFrame handles GET /app/m/:id/questionnaire/preview/frame:
// page N of the newest save rendered by the resident page's template and
// code (buildQuestion, page.html), in qlang. Its form is a GET to this
// route that moves to the next or previous page (_nav, _page) and saves
// nothing. It may
// be framed by the staff pages of this site only.
func (sp *setupPages) handlePreviewFrame(c *echo.Context) error {
	d, err := sp.loadDraft(c)
	if err != nil {
		return err
	}
	q := d.rev.Q
	n, qlang, ivw := previewParams(c, len(q.Pages))
	if len(q.Pages) == 0 {
		return survey.Errorf(survey.ENOTFOUND, "问卷还没有页面", "the questionnaire has no pages yet")
	}
	if from := c.QueryParam("_page"); from != "" {
		if _, i := q.Page(from); i >= 0 {
			switch c.QueryParam("_nav") {
			case "back":
				n = max(i, 1)
			default:
				n = min(i+2, len(q.Pages))
			}
		}
	}
	p := &q.Pages[n-1]
	s := sp.st.s
	self := "/app/m/" + d.m.ID + "/questionnaire/preview/frame"
	v := questionPage{
		layout:  s.newLayout(qlang, d.m.Title.Get(qlang), p.Title.Get(qlang), self+"?"+previewQuery(n, qlang, ivw)),
		Action:  self,
		PageID:  p.ID,
		Heading: p.Title.Get(qlang),
		Intro:   p.Intro.Get(qlang),
		N:       n,
		Total:   len(q.Pages),
		First:   n == 1,
		Preview: true,
	}
	other := survey.LangEn
	if qlang == survey.LangEn {
		other = survey.LangZh
	}
	v.SwitchURL = self + "?" + previewQuery(n, other, ivw)
	v.Interviewer = ivw
	if p.Kind == "consent" {
		v.Welcome = paragraphs(q.Welcome.Get(qlang))
	}
	// Every item is shown, conditional ones too: the preview has no
	// earlier answers to decide them (the editor lists the conditions).
	for i := range p.Items {
		v.Questions = append(v.Questions, buildQuestion(&p.Items[i], nil, "", qlang))
	}
	h := c.Response().Header()
	// The one page that may be framed, and by this site only.
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'self'; base-uri 'none'; object-src 'none'")
	h.Set("X-Frame-Options", "SAMEORIGIN")
	return s.render(c, http.StatusOK, "page.html", v)
}
