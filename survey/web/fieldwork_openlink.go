package web

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v5"

	"manyi/survey"
	"manyi/survey/auth"
	"manyi/survey/fieldwork"
	"manyi/templates"
)

// Open-link limits. A visitor may start openBurst responses at once and
// then one every openEvery from one address: enough for a family behind
// one router or a few colleagues behind an office gateway, too slow to
// fill the quotas with junk. The buckets are the store's (key
// "open:<address>"), shared by every server on the database.
const (
	openEvery = 10 * time.Second
	openBurst = 10
	// openCookie holds a visitor's token so that opening the link again
	// resumes the same response; openNonce binds the start form's CSRF
	// token to the browser. Both are scoped to the link's own path.
	openCookie = "manyi_open"
	openNonce  = "manyi_open_n"
	openMaxAge = 60 * 24 * 3600
)

// openLinks serves /o/:slug.
type openLinks struct {
	s     *Server
	store fieldwork.OpenLinkStore
	page  *template.Template
}

// openLinkRoutes registers the public open link, GET and POST /o/:slug.
// The staff settings page is a row of the staff route table
// (fieldworkRoutes).
func (s *Server) openLinkRoutes(e *echo.Echo) {
	o := &openLinks{s: s, store: s.openLinks}
	base, err := template.New("base.html").ParseFS(templates.FS, "base.html")
	if err == nil {
		o.page, err = base.ParseFS(templates.FS, "open_start.html")
	}
	if err != nil {
		// The templates are embedded: a parse error is a build mistake
		// that every test would catch.
		panic(fmt.Sprintf("web: parsing templates/open_start.html: %v", err))
	}
	e.GET("/o/:slug", o.handleShow)
	e.POST("/o/:slug", o.handleStart)
}

// openPage is the open link's landing page: the measurement's title and
// a start button. Starting is a POST so that link previewers and crawlers,
// which only GET, never create a response.
type openPage struct {
	layout
	Heading string
	Error   string
	Action  string
	CSRF    string
}

// M returns the interface text key in the page's language, open-link
// texts first.
func (p openPage) M(key string) string {
	if t, ok := openUI[key]; ok {
		return t.Get(p.Lang)
	}
	return p.layout.M(key)
}

// handleShow handles GET /o/:slug: a returning visitor goes back to the
// response they started; anyone else gets the landing page.
func (o *openLinks) handleShow(c *echo.Context) error {
	l, err := o.link(c)
	if err != nil {
		return err
	}
	if tok, ok := o.resume(c); ok {
		return c.Redirect(http.StatusSeeOther, surveyURL(tok))
	}
	return o.render(c, http.StatusOK, l, "")
}

// handleStart handles POST /o/:slug: it checks the form's CSRF token
// against the browser's nonce cookie and the address's rate limit, makes a
// fresh open-link invitation, remembers its token in a cookie and sends
// the visitor to the questionnaire.
func (o *openLinks) handleStart(c *echo.Context) error {
	l, err := o.link(c)
	if err != nil {
		return err
	}
	if tok, ok := o.resume(c); ok {
		return c.Redirect(http.StatusSeeOther, surveyURL(tok))
	}
	if isBot(c.Request().UserAgent()) {
		return o.render(c, http.StatusForbidden, l, openUI["err_bot"].Get(language(c)))
	}
	slug := c.Param("slug")
	got, err := bodyValue(c, "_csrf")
	if err != nil {
		return err
	}
	n, err := c.Cookie(openNonce)
	if err != nil || n.Value == "" || !o.s.csrfOK(openBinding(slug, n.Value), got) {
		return o.render(c, http.StatusForbidden, l, openUI["err_csrf"].Get(language(c)))
	}
	if ok, err := o.s.accounts.TakeLoginTokens(c.Request().Context(), []auth.Bucket{openBucket(c.RealIP())}); err != nil {
		return err
	} else if !ok {
		c.Response().Header().Set("Retry-After", fmt.Sprint(int(openEvery/time.Second)))
		return o.render(c, http.StatusTooManyRequests, l, openUI["err_rate"].Get(language(c)))
	}
	tok, err := o.store.StartOpenLink(c.Request().Context(), slug)
	if err != nil {
		return err
	}
	c.SetCookie(o.cookie(slug, openCookie, tok, openMaxAge))
	return c.Redirect(http.StatusSeeOther, surveyURL(tok))
}

// link loads the enabled open link of :slug (ENOTFOUND otherwise).
func (o *openLinks) link(c *echo.Context) (*fieldwork.OpenLink, error) {
	if o.store == nil {
		return nil, survey.Errorf(survey.ENOTFOUND, "找不到该页面", "no such page")
	}
	return o.store.OpenLinkBySlug(c.Request().Context(), c.Param("slug"))
}

// resume returns the token of the response this browser started through
// the link, if its cookie names one that still exists.
func (o *openLinks) resume(c *echo.Context) (string, bool) {
	ck, err := c.Cookie(openCookie)
	if err != nil || !validToken(ck.Value) {
		return "", false
	}
	if _, err := o.s.store.OpenSession(c.Request().Context(), ck.Value); err != nil {
		return "", false
	}
	return ck.Value, true
}

// openBucket is the store's bucket of an address's open-link starts.
func openBucket(ip string) auth.Bucket {
	return auth.Bucket{Key: "open:" + ip, Every: openEvery, Burst: openBurst}
}

// render shows the landing page with a fresh nonce cookie and the CSRF
// token bound to it.
func (o *openLinks) render(c *echo.Context, status int, l *fieldwork.OpenLink, msg string) error {
	lang := language(c)
	title := ""
	if m, err := o.s.store.Measurement(c.Request().Context(), l.MeasurementID); err == nil {
		title = m.Title.Get(lang)
	}
	slug := c.Param("slug")
	nonce := make([]byte, 16)
	rand.Read(nonce)
	nv := base64.RawURLEncoding.EncodeToString(nonce)
	c.SetCookie(o.cookie(slug, openNonce, nv, 0))
	v := openPage{
		layout:  o.s.newLayout(lang, title, title, c.Request().URL.Path),
		Heading: title,
		Error:   msg,
		Action:  "/o/" + url.PathEscape(slug),
		CSRF:    o.s.csrfToken(openBinding(slug, nv)),
	}
	var buf bytes.Buffer
	if err := o.page.ExecuteTemplate(&buf, "base.html", v); err != nil {
		return fmt.Errorf("web: rendering open_start.html: %w", err)
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.HTMLBlob(status, buf.Bytes())
}

// cookie is an open-link cookie, scoped to the link's path; maxAge 0
// makes a session cookie.
func (o *openLinks) cookie(slug, name, value string, maxAge int) *http.Cookie {
	return &http.Cookie{
		Name: name, Value: value, Path: "/o/" + slug, MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: strings.HasPrefix(strings.ToLower(o.s.baseURL), "https://"),
	}
}

// openBinding is what the start form's CSRF token is an HMAC of.
func openBinding(slug, nonce string) string { return "open\x00" + slug + "\x00" + nonce }

// botMarks are User-Agent fragments of crawlers and link previewers
// (search engines, chat apps unfurling a pasted link). They get the
// landing page but can never start a response.
var botMarks = []string{"bot", "crawl", "spider", "slurp", "preview", "facebookexternalhit", "embedly", "curl/", "wget/", "python-requests", "go-http-client", "headless"}

// isBot reports whether a User-Agent is a crawler or link previewer; an
// empty one counts as a bot.
func isBot(ua string) bool {
	ua = strings.ToLower(ua)
	if strings.TrimSpace(ua) == "" {
		return true
	}
	for _, m := range botMarks {
		if strings.Contains(ua, m) {
			return true
		}
	}
	return false
}

// openUI holds the open link's texts.
var openUI = map[string]survey.Text{
	"open_welcome": {Zh: "欢迎参加本市市民质量满意度测评。问卷约需 10 分钟，答案仅用于统计分析。", En: "Welcome to the city's residents' quality satisfaction survey. It takes about 10 minutes; answers are used only for statistics."},
	"open_start":   {Zh: "开始答题", En: "Start the survey"},
	"err_bot":      {Zh: "自动访问不能开始答卷。", En: "Automated visitors cannot start a questionnaire."},
	"err_csrf":     {Zh: "页面已过期，请再点一次“开始答题”。", En: "The page has expired. Please press \"Start the survey\" again."},
	"err_rate":     {Zh: "从您的网络开始的答卷太多，请稍后再试。", En: "Too many questionnaires were started from your network. Please try again in a little while."},
}
