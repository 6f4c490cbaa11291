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
// a page of the newest save rendered by the resident page's template and
// code (buildQuestion, page.html), in qlang. Its form is a GET to this
// route that saves nothing: _page and _nav say where it came from and
// which way to go, the page's fields are the answers given on it, and _a
// carries the answers of the pages before (url-encoded item=value pairs).
// Conditions, the next and previous page and the progress are decided on
// those answers by the resident's code (Page.VisibleItems, NextPage,
// PrevPage), so an item that depends on an answer not given yet is hidden
// as on the resident page. It may be framed by the staff pages of this
// site only.
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
	query := c.Request().URL.Query()
	prior := previewAnswers(q, query.Get("_a"))
	pageID := q.Pages[n-1].ID
	vals := prior
	if from := query.Get("_page"); from != "" {
		if p, _ := q.Page(from); p != nil {
			form := url.Values{}
			for i := range p.Items {
				if vs, ok := query[p.Items[i].ID]; ok {
					form[p.Items[i].ID] = vs
				}
			}
			ans, errs := q.ParsePage(from, form, prior)
			// The page's own items are replaced by what it sends now (an
			// item cleared on it is no longer answered), as the resident's
			// save does.
			cleared := survey.Answers{}
			for k, v := range prior {
				if !pageHasItem(p, k) {
					cleared[k] = v
				}
			}
			pageID = from
			// The preview moves on (and back) without every answer: a
			// missing or invalid one is dropped rather than blocking the
			// way, so that the office can page through the whole
			// questionnaire. The rest of the flow is the resident's.
			for _, fe := range errs {
				delete(ans, fe.Field)
			}
			vals = cleared.Merge(ans)
			if query.Get("_nav") == "back" {
				if prev := q.PrevPage(from, vals); prev != "" {
					pageID = prev
				}
			} else if next := q.NextPage(from, vals); next != "" {
				pageID = next
			}
		}
	}
	p, at := q.Page(pageID)
	s := sp.st.s
	self := "/app/m/" + d.m.ID + "/questionnaire/preview/frame"
	carry := encodeAnswers(vals)
	here := func(lang string) string {
		v, _ := url.ParseQuery(previewQuery(at+1, lang, ivw))
		if carry != "" {
			v.Set("_a", carry)
		}
		return self + "?" + v.Encode()
	}
	pn, total := progress(q, vals, pageID)
	v := questionPage{
		layout:         s.newLayout(qlang, d.m.Title.Get(qlang), p.Title.Get(qlang), here(qlang)),
		Action:         self,
		PageID:         p.ID,
		Heading:        p.Title.Get(qlang),
		Intro:          p.Intro.Get(qlang),
		N:              pn,
		Total:          total,
		First:          q.PrevPage(pageID, vals) == "",
		Preview:        true,
		PreviewQLang:   qlang,
		PreviewAnswers: carry,
	}
	if ivw {
		v.PreviewView = "interviewer"
	}
	other := survey.LangEn
	if qlang == survey.LangEn {
		other = survey.LangZh
	}
	v.SwitchURL = here(other)
	v.Interviewer = ivw
	if p.Kind == "consent" {
		v.Welcome = paragraphs(q.Welcome.Get(qlang))
	}
	// The items shown are those whose condition holds on the answers given
	// in this preview, exactly as on the resident page (renderPage).
	for _, it := range p.VisibleItems(vals) {
		v.Questions = append(v.Questions, buildQuestion(q.ForAnswers(it, vals), vals[it.ID], "", qlang))
	}
	h := c.Response().Header()
	// The one page that may be framed, and by this site only.
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'self'; base-uri 'none'; object-src 'none'")
	h.Set("X-Frame-Options", "SAMEORIGIN")
	return s.render(c, http.StatusOK, "page.html", v)
}

func pageHasItem(p *survey.Page, id string) bool {
	for i := range p.Items {
		if p.Items[i].ID == id {
			return true
		}
	}
	return false
}

// maxPreviewAnswers bounds what _a may carry (the preview's answers stay
// in the URL; a questionnaire has a few hundred items at most).
const maxPreviewAnswers = 64 << 10

// previewAnswers decodes _a: url-encoded item=value pairs, keeping only
// the questionnaire's items. A malformed or oversized value gives no
// answers (the preview then starts afresh) rather than an error page.
func previewAnswers(q *survey.Questionnaire, enc string) survey.Answers {
	if enc == "" || len(enc) > maxPreviewAnswers {
		return survey.Answers{}
	}
	v, err := url.ParseQuery(enc)
	if err != nil {
		return survey.Answers{}
	}
	a := survey.Answers{}
	for k, vs := range v {
		if it, _ := q.Item(k); it != nil {
			a[k] = vs
		}
	}
	return a
}

// encodeAnswers is previewAnswers' inverse.
func encodeAnswers(a survey.Answers) string {
	return url.Values(a).Encode()
}
