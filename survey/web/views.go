package web

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/labstack/echo/v5"

	"manyi/survey"
	"manyi/templates"
)

// views holds the parsed templates, one set per page kind, each made of
// base.html (the layout) and the page's own file defining "content".
type views struct {
	sets map[string]*template.Template
}

// pageFiles are the templates that render a whole page.
var pageFiles = []string{"page.html", "review.html", "final.html", "error.html"}

func parseViews() (*views, error) {
	base, err := template.New("base.html").ParseFS(templates.FS, "base.html")
	if err != nil {
		return nil, fmt.Errorf("web: parsing templates/base.html: %w", err)
	}
	vs := &views{sets: map[string]*template.Template{}}
	for _, f := range pageFiles {
		t, err := base.Clone()
		if err == nil {
			t, err = t.ParseFS(templates.FS, f)
		}
		if err != nil {
			return nil, fmt.Errorf("web: parsing templates/%s: %w", f, err)
		}
		vs.sets[f] = t
	}
	return vs, nil
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// render executes a page into a buffer first, so that a template error
// becomes a clean 500 page instead of half a page with a 200 status.
func (s *Server) render(c *echo.Context, status int, file string, data any) error {
	t := s.views.sets[file]
	if t == nil {
		return fmt.Errorf("web: no template %s", file)
	}
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	defer bufPool.Put(buf)
	if err := t.ExecuteTemplate(buf, "base.html", data); err != nil {
		return fmt.Errorf("web: rendering %s: %w", file, err)
	}
	h := c.Response().Header()
	// Survey pages carry a personal token and answers: never cache them.
	h.Set("Cache-Control", "no-store")
	return c.HTMLBlob(status, buf.Bytes())
}

// layout is what every page shows around its content: the language, the
// title, the language switch and the asset links.
type layout struct {
	Lang        string
	Title       string // the measurement's title, shown in the header
	DocTitle    string // <title>
	SwitchURL   string // the same page in the other language
	SwitchLabel string // "EN" or "中文"
	SwitchLang  string // the other language's code, for hreflang
	CSS         string
	JS          string
	// Interviewer is the interviewer mode (CATI/face to face): the same
	// pages with the interviewer instructions shown. Web residents: false.
	Interviewer bool
}

// M returns the interface text key in the page's language.
func (l layout) M(key string) string {
	t, ok := ui[key]
	if !ok {
		return key
	}
	return t.Get(l.Lang)
}

// T returns t in the page's language.
func (l layout) T(t survey.Text) string { return t.Get(l.Lang) }

// newLayout fills the layout for a request: lang is the chosen language,
// here the URL (path and query, without lang) of this page.
func (s *Server) newLayout(lang, title, docTitle, here string) layout {
	other, label := survey.LangEn, "EN"
	if lang == survey.LangEn {
		other, label = survey.LangZh, "中文"
	}
	sep := "?"
	for i := 0; i < len(here); i++ {
		if here[i] == '?' {
			sep = "&"
			break
		}
	}
	if docTitle == "" {
		docTitle = title
	} else if title != "" {
		docTitle = docTitle + " - " + title
	}
	return layout{
		Lang:        lang,
		Title:       title,
		DocTitle:    docTitle,
		SwitchURL:   here + sep + "lang=" + other,
		SwitchLabel: label,
		SwitchLang:  other,
		CSS:         s.assets.url("css/manyi.css"),
		JS:          s.assets.url("js/manyi.js"),
	}
}

// questionPage is one questionnaire page with its form.
type questionPage struct {
	layout
	Action    string // /s/:token
	CSRF      string
	PageID    string
	Shown     int64 // unix ms when rendered: time on page (paradata)
	Heading   string
	Intro     string
	Welcome   []string // the welcome text's paragraphs, on the consent page only
	N, Total  int
	Questions []question
	Errors    []summaryError
	First     bool // no Back button on the first page
	// Fixed says which sector the customer's sector link set, on the
	// page whose sector question it answers (and hides).
	Fixed string
	// Preview is the office's preview of a page (setup_preview.go): the
	// same page, whose form only moves between pages and saves nothing.
	Preview bool
	// PreviewQLang, PreviewView and PreviewAnswers ride along in the
	// preview's GET form: its language, view and the answers so far (_a).
	PreviewQLang, PreviewView, PreviewAnswers string
}

// ProgressText is the accessible progress text ("第 3 / 11 页").
func (p questionPage) ProgressText() string {
	if p.Lang == survey.LangEn {
		return fmt.Sprintf("Page %d of %d", p.N, p.Total)
	}
	return fmt.Sprintf("第 %d / %d 页", p.N, p.Total)
}

// question is one item as the template shows it.
type question struct {
	ID       string // item id: the form field name
	Kind     string // survey.ItemType
	Legend   string
	Help     string
	Instruct string
	Required bool
	Options  []option // single, multi, scale ratings
	DontKnow *option  // scale only
	MinLabel string   // scale end labels
	MaxLabel string
	Value    string // number and text
	Min, Max string // number bounds for the input attributes
	MaxLen   int    // text
	Error    string
}

// option is one radio button or checkbox.
type option struct {
	ID      string // element id, for the label
	Value   string
	Label   string
	SrLabel string // extra text for screen readers (scale end labels)
	Checked bool
}

// summaryError is one line of the error summary, linking to its question.
type summaryError struct {
	Href    string
	Message string
}

// reviewPage lists what is missing before submission.
type reviewPage struct {
	layout
	Action   string
	CSRF     string
	Shown    int64
	N, Total int
	Missing  []reviewItem
	Skipped  []reviewItem
	Errors   []summaryError
}

// ProgressText is the accessible progress text.
func (p reviewPage) ProgressText() string {
	return questionPage{layout: p.layout, N: p.N, Total: p.Total}.ProgressText()
}

// reviewItem is a question listed on the review page.
type reviewItem struct {
	Text string
	URL  string
}

// finalPage is shown when the response is over: thanks, already
// submitted, screened out or quota full. It has no form.
type finalPage struct {
	layout
	Kind    string
	Heading string
	Message []string
}

// errorPage is the friendly page for an error status.
type errorPage struct {
	layout
	Status  int
	Heading string
	Message string
	BackURL string // the survey link, when going back makes sense
}

// StatusText is the English reason phrase, shown small under the heading.
func (p errorPage) StatusText() string { return http.StatusText(p.Status) }

// ui holds the interface texts (questionnaire texts come from the
// questionnaire itself).
var ui = map[string]survey.Text{
	"skip":            {Zh: "跳到问卷内容", En: "Skip to the questions"},
	"next":            {Zh: "下一页", En: "Next"},
	"back":            {Zh: "上一页", En: "Back"},
	"submit":          {Zh: "提交问卷", En: "Submit"},
	"start":           {Zh: "开始答题", En: "Start"},
	"saving":          {Zh: "正在保存…", En: "Saving…"},
	"required":        {Zh: "必答", En: "required"},
	"optional":        {Zh: "选答", En: "optional"},
	"dontknow_hint":   {Zh: "如不了解，请选“不清楚/不适用”", En: "If you do not know, choose “don't know / not applicable”"},
	"scale_hint":      {Zh: "请在 1–10 分中选择，分数越高越满意", En: "Choose 1 to 10; higher means more satisfied"},
	"errors_title":    {Zh: "请修改以下问题后再继续：", En: "Please fix the following before you go on:"},
	"review_title":    {Zh: "提交前检查", En: "Check before you submit"},
	"review_ok":       {Zh: "所有必答题都已回答。确认无误后请提交。", En: "Every required question is answered. Submit when you are ready."},
	"review_miss":     {Zh: "以下必答题尚未回答，请点击题目返回作答：", En: "These required questions are not answered yet. Select one to answer it:"},
	"review_skip":     {Zh: "以下选答题未填写（可以不填）：", En: "You left these optional questions blank (that is fine):"},
	"review_after":    {Zh: "提交后将不能再修改答案。", En: "After you submit you cannot change your answers."},
	"home_hint":       {Zh: "如有疑问，请联系发送邀请的单位。", En: "If you have questions, please contact the office that invited you."},
	"lang_switch":     {Zh: "Switch to English", En: "切换到中文"},
	"progress":        {Zh: "答题进度", En: "Progress"},
	"answer_this":     {Zh: "请回答此题", En: "Please answer this question"},
	"thanks_title":    {Zh: "提交成功，感谢您的参与！", En: "Thank you! Your answers were submitted."},
	"submitted_title": {Zh: "问卷已提交", En: "Already submitted"},
	"submitted_msg":   {Zh: "此链接的问卷已提交，不能再修改。感谢您的参与！", En: "The questionnaire for this link was already submitted and cannot be changed. Thank you for taking part!"},
	"screened_title":  {Zh: "感谢您的关注", En: "Thank you for your interest"},
	"screened_msg":    {Zh: "本次测评的对象为本市 18–70 周岁的常住居民，您无需继续作答。感谢您的支持！", En: "This survey is for residents of the city aged 18 to 70, so there is nothing more to answer. Thank you for your support!"},
	"quota_msg":       {Zh: "本次测评在您所属人群中的样本已经收满，您无需继续作答。感谢您的支持！", En: "We already have enough answers from people like you, so there is nothing more to answer. Thank you for your support!"},
	"site":            {Zh: "满意度调查", En: "Satisfaction Survey"},
	"return":          {Zh: "返回问卷", En: "Return to the survey"},
	"privacy":         {Zh: "您的回答仅用于统计分析，不会单独公开。", En: "Your answers are used only for statistics and are never published individually."},
}

// MaxChars is the hint under a text box ("最多 500 字").
func (l layout) MaxChars(n int) string {
	if l.Lang == survey.LangEn {
		return fmt.Sprintf("At most %d characters.", n)
	}
	return fmt.Sprintf("最多 %d 字。", n)
}

// QuestionsHTML renders the page's questions. It writes, byte for byte,
// what the question loop of page.html wrote as a template, escaped as
// html/template escapes text and quoted attributes; in Go it costs a
// fraction: the template spent most of a page's rendering in reflection
// (field look-ups and eq/and/not calls for every option of every question).
func (p questionPage) QuestionsHTML() template.HTML {
	var b strings.Builder
	b.Grow(2048 * len(p.Questions))
	w := func(ss ...string) {
		for _, s := range ss {
			b.WriteString(s)
		}
	}
	e := func(s string) { escapeHTML(&b, s) }
	for i := range p.Questions {
		q := &p.Questions[i]
		w(`<fieldset id="q-`)
		e(q.ID)
		w(`" class="q`)
		if q.Error != "" {
			w(` invalid`)
		}
		w(`"`)
		if q.Error != "" {
			w(` aria-describedby="e-`)
			e(q.ID)
			w(`"`)
		}
		w(">\n<legend>")
		e(q.Legend)
		if !q.Required {
			w(` <span class="tag">`)
			e(p.M("optional"))
			w(`</span>`)
		}
		w("</legend>\n")
		if q.Help != "" {
			w(`<p class="help">`)
			e(q.Help)
			w("</p>\n")
		}
		if p.Interviewer && q.Instruct != "" {
			w(`<p class="instruct">`)
			e(q.Instruct)
			w("</p>\n")
		}
		if q.Error != "" {
			w(`<p class="err" id="e-`)
			e(q.ID)
			w(`"><span aria-hidden="true">⚠ </span>`)
			e(q.Error)
			w("</p>\n")
		}
		switch q.Kind {
		case "scale":
			w(`<p class="ends" aria-hidden="true"><span>`)
			e(q.MinLabel)
			w(`</span><span>`)
			e(q.MaxLabel)
			w("</span></p>\n<div class=\"scale\">\n")
			for j := range q.Options {
				o := &q.Options[j]
				optionHTML(&b, "pill", "radio", q.ID, o)
				if o.SrLabel != "" {
					w(`<span class="vh"> `)
					e(o.SrLabel)
					w(`</span>`)
				}
				w("</span></label>\n")
			}
			w("</div>\n")
			if o := q.DontKnow; o != nil {
				optionHTML(&b, "pill dk", "radio", q.ID, o)
				w("</span></label>\n")
			}
		case "single", "multi":
			typ := "radio"
			if q.Kind == "multi" {
				typ = "checkbox"
			}
			w("<div class=\"choices\">\n")
			for j := range q.Options {
				optionHTML(&b, "choice", typ, q.ID, &q.Options[j])
				w("</span></label>\n")
			}
			w("</div>\n")
		case "number":
			w(`<label class="vh" for="i-`)
			e(q.ID)
			w(`">`)
			e(q.Legend)
			w("</label>\n<input class=\"num\" type=\"number\" id=\"i-")
			e(q.ID)
			w(`" name="`)
			e(q.ID)
			w(`" inputmode="numeric"`)
			if q.Min != "" {
				w(` min="`)
				e(q.Min)
				w(`"`)
			}
			if q.Max != "" {
				w(` max="`)
				e(q.Max)
				w(`"`)
			}
			w(` value="`)
			e(q.Value)
			w(`"`)
			if q.Error != "" {
				w(` aria-invalid="true" aria-describedby="e-`)
				e(q.ID)
				w(`"`)
			}
			w(">\n")
		case "text":
			maxLen := strconv.Itoa(q.MaxLen)
			w(`<label class="vh" for="i-`)
			e(q.ID)
			w(`">`)
			e(q.Legend)
			w("</label>\n<textarea id=\"i-")
			e(q.ID)
			w(`" name="`)
			e(q.ID)
			w(`" rows="4" maxlength="`, maxLen, `" aria-describedby="h-`)
			e(q.ID)
			if q.Error != "" {
				w(` e-`)
				e(q.ID)
			}
			w(`"`)
			if q.Error != "" {
				w(` aria-invalid="true"`)
			}
			w(`>`)
			e(q.Value)
			w("</textarea>\n<p class=\"help\" id=\"h-")
			e(q.ID)
			w(`">`)
			e(p.MaxChars(q.MaxLen))
			w("</p>\n")
		}
		w("</fieldset>\n")
	}
	return template.HTML(b.String())
}

// optionHTML writes an option's label and input up to its label text,
// leaving "</span></label>\n" (and a scale's screen-reader text) to the
// caller.
func optionHTML(b *strings.Builder, class, typ, name string, o *option) {
	b.WriteString(`<label class="`)
	b.WriteString(class)
	b.WriteString(`" for="`)
	escapeHTML(b, o.ID)
	b.WriteString(`"><input type="`)
	b.WriteString(typ)
	b.WriteString(`" id="`)
	escapeHTML(b, o.ID)
	b.WriteString(`" name="`)
	escapeHTML(b, name)
	b.WriteString(`" value="`)
	escapeHTML(b, o.Value)
	b.WriteString(`"`)
	if o.Checked {
		b.WriteString(` checked`)
	}
	b.WriteString(`><span>`)
	escapeHTML(b, o.Label)
}

// escapeHTML writes s escaped as html/template escapes text, RCDATA and
// quoted attribute values (its htmlReplacementTable): the same bytes, so
// that pages do not change.
func escapeHTML(b *strings.Builder, s string) {
	last := 0
	for i := 0; i < len(s); i++ {
		var r string
		switch s[i] {
		case 0:
			r = "\uFFFD"
		case '"':
			r = "&#34;"
		case '&':
			r = "&amp;"
		case '\'':
			r = "&#39;"
		case '+':
			r = "&#43;"
		case '<':
			r = "&lt;"
		case '>':
			r = "&gt;"
		default:
			continue
		}
		b.WriteString(s[last:i])
		b.WriteString(r)
		last = i + 1
	}
	b.WriteString(s[last:])
}
