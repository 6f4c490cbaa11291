package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"manyi/survey"
)

// TestFullFlow answers the whole default questionnaire page by page,
// submits, and checks the thank-you and already-submitted pages.
func TestFullFlow(t *testing.T) {
	e := newEnv(t)
	tok := e.token()
	c := e.client()

	rec := c.get("/s/" + tok)
	body := rec.Body.String()
	if rec.Code != http.StatusOK {
		t.Fatalf("GET new link: status %d, want 200", rec.Code)
	}
	for _, want := range []string{`<html lang="zh-CN">`, "您好！为了解市民", `name="_nav" value="next"`, `<progress max="13" value="1"`, "第 1 / 13 页"} {
		if !strings.Contains(body, want) {
			t.Errorf("welcome page lacks %q", want)
		}
	}
	if r := e.response(tok); r == nil || r.UAClass != "mobile" || r.Mode != survey.ModeWeb {
		t.Errorf("after opening the link: response %+v, want one in progress, mode web, ua mobile", r)
	}

	q := e.q
	a := survey.Answers{}
	n := 0
	for id := q.NextPage("", a); id != ""; id = q.NextPage(id, a) {
		n++
		rec := c.get("/s/" + tok)
		if want := fmt.Sprintf("第 %d / 13 页", n); !strings.Contains(rec.Body.String(), want) {
			t.Errorf("page %s: no progress text %q", id, want)
		}
		form := validAnswers(q, id, a)
		rec = c.answerPage(tok, id, form)
		if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/s/"+tok {
			t.Fatalf("POST %s: status %d location %q, want 303 /s/<token>\n%s", id, rec.Code, rec.Header().Get("Location"), rec.Body.String())
		}
		for k, v := range form {
			a[k] = v
		}
		saved := e.response(tok)
		for k, v := range form {
			if !slices.Equal(saved.Answers[k], v) {
				t.Errorf("after %s: stored %s = %v, want %v", id, k, saved.Answers[k], v)
			}
		}
	}
	if n != 12 {
		t.Errorf("answered %d pages, want 12", n)
	}

	rec = c.get("/s/" + tok)
	body = rec.Body.String()
	page, csrf := scrape(t, body)
	if page != reviewID {
		t.Fatalf("after the last page: _page %q, want review", page)
	}
	for _, want := range []string{"提交前检查", "所有必答题都已回答", "第 13 / 13 页", "对提升本市产品质量"} {
		if !strings.Contains(body, want) {
			t.Errorf("review page lacks %q", want)
		}
	}
	if strings.Contains(body, "对提升本市环境质量") {
		t.Errorf("review lists the answered suggestion sugg_environment as skipped")
	}
	rec = c.post("/s/"+tok, url.Values{"_page": {reviewID}, "_csrf": {csrf}, "_nav": {"submit"}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("submit: status %d, want 303\n%s", rec.Code, rec.Body.String())
	}
	r := e.response(tok)
	if r.Status != survey.RespSubmitted || r.SubmittedAt == nil {
		t.Fatalf("after submit: status %q submitted %v, want submitted with a time", r.Status, r.SubmittedAt)
	}

	rec = c.get("/s/" + tok)
	if body := rec.Body.String(); rec.Code != http.StatusOK || !strings.Contains(body, "提交成功") || strings.Contains(body, "<form") {
		t.Errorf("thank-you page: status %d, want 200 with 提交成功 and no form\n%s", rec.Code, body)
	}
	rec = c.get("/s/" + tok)
	if body := rec.Body.String(); rec.Code != http.StatusOK || !strings.Contains(body, "问卷已提交") || strings.Contains(body, "<form") {
		t.Errorf("reopened link: status %d, want 200 with 问卷已提交 and no form\n%s", rec.Code, body)
	}
	// Another phone opening the same link later sees the same.
	rec = e.client().get("/s/" + tok + "?lang=en")
	if body := rec.Body.String(); rec.Code != http.StatusOK || !strings.Contains(body, "already submitted") {
		t.Errorf("reopened link in English: status %d, want 200 with 'already submitted'", rec.Code)
	}

	// A late POST of any page changes nothing.
	before := e.response(tok)
	for _, f := range []url.Values{
		{"_page": {"product"}, "_csrf": {csrf}, "_nav": {"next"}, "prod_food": {"1"}},
		{"_page": {reviewID}, "_csrf": {csrf}, "_nav": {"submit"}},
	} {
		rec = c.post("/s/"+tok, f)
		if rec.Code != http.StatusConflict || !strings.Contains(rec.Body.String(), "问卷已提交") {
			t.Errorf("POST %s after submission: status %d, want 409 with the already-submitted page", f.Get("_page"), rec.Code)
		}
	}
	after := e.response(tok)
	if !slices.Equal(after.Answers["prod_food"], before.Answers["prod_food"]) || after.Status != before.Status {
		t.Errorf("POST after submission changed the response: prod_food %v → %v", before.Answers["prod_food"], after.Answers["prod_food"])
	}
	if strings.Contains(e.log.String(), tok) {
		t.Errorf("the log contains the token")
	}
	if strings.Contains(e.log.String(), "希望加强河道治理") {
		t.Errorf("the log contains an answer")
	}
}

// TestValidation checks that bad pages are refused with 422, the message
// next to the question, and nothing saved is lost.
func TestValidation(t *testing.T) {
	tests := []struct {
		name  string
		page  string
		edit  func(url.Values)
		field string // item whose message must show, "" for a form-level one
		msg   string
	}{
		{"missing required", "product", func(f url.Values) { f.Del("prod_food") }, "prod_food", "请回答此题"},
		{"out of scale", "product", func(f url.Values) { f.Set("prod_farm", "11") }, "prod_farm", ""},
		{"zero on scale", "product", func(f url.Values) { f.Set("prod_farm", "0") }, "prod_farm", ""},
		{"unknown choice", "screener", func(f url.Values) { f.Set("district", "d9") }, "district", "请从所列选项中选择"},
		{"not a number", "screener", func(f url.Values) { f.Set("age", "abc") }, "age", "请填写数字"},
		{"unknown field", "product", func(f url.Values) { f.Set("evil", "1") }, "", "evil"},
		{"two answers to one", "product", func(f url.Values) { f.Add("prod_food", "3") }, "prod_food", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			tok := e.token()
			c := e.client()
			c.answerUpTo(tok, tt.page)
			before := e.response(tok)
			form := validAnswers(e.q, tt.page, before.Answers)
			tt.edit(form)
			rec := c.answerPage(tok, tt.page, form)
			body := rec.Body.String()
			if rec.Code != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422\n%s", rec.Code, body)
			}
			if !strings.Contains(body, `role="alert"`) || !strings.Contains(body, "autofocus") {
				t.Errorf("no focused error summary with role=alert")
			}
			if tt.field != "" {
				for _, want := range []string{
					`id="q-` + tt.field + `" class="q invalid" aria-describedby="e-` + tt.field + `"`,
					`<p class="err" id="e-` + tt.field + `">`,
					`href="#q-` + tt.field + `"`,
				} {
					if !strings.Contains(body, want) {
						t.Errorf("page lacks %q", want)
					}
				}
			}
			if tt.msg != "" && !strings.Contains(body, tt.msg) {
				t.Errorf("page lacks the message %q", tt.msg)
			}
			if page, _ := scrape(t, body); page != tt.page {
				t.Errorf("re-rendered page %q, want %q", page, tt.page)
			}
			after := e.response(tok)
			if after.CurrentPage != before.CurrentPage || len(after.Answers) != len(before.Answers) {
				t.Errorf("refused page changed the response: current %q → %q, %d → %d answers", before.CurrentPage, after.CurrentPage, len(before.Answers), len(after.Answers))
			}
		})
	}
}

// TestValidationKeepsInput checks that a refused page shows what the
// resident chose, so only the missing answer needs giving.
func TestValidationKeepsInput(t *testing.T) {
	e := newEnv(t)
	tok := e.token()
	c := e.client()
	c.answerUpTo(tok, "product")
	rec := c.answerPage(tok, "product", url.Values{"prod_food": {"3"}})
	if rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("status %d, want 422", rec.Code)
	}
	if !strings.Contains(rec.Body.String(), `id="o-prod_food-3" name="prod_food" value="3" checked`) {
		t.Errorf("the chosen 3 is not checked on the refused page")
	}
}

// TestRequestErrors covers the statuses a resident's request can get.
func TestRequestErrors(t *testing.T) {
	e := newEnv(t)
	tok := e.token()
	c := e.client()
	c.answerUpTo(tok, "product")
	_, csrf := scrape(t, c.get("/s/"+tok).Body.String())
	big := strings.Repeat("很", 30000) // 90 KB of UTF-8

	tests := []struct {
		name   string
		method string
		path   string
		form   url.Values
		status int
		want   string
	}{
		{"unknown token", "GET", "/s/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", nil, 404, "找不到页面"},
		{"malformed token", "GET", "/s/abc", nil, 404, "找不到页面"},
		{"malformed token chars", "GET", "/s/" + url.PathEscape("<script>alert(1)</script>xxxxxxx"), nil, 404, "找不到页面"},
		{"unknown route", "GET", "/nope", nil, 404, "找不到页面"},
		{"unknown token post", "POST", "/s/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", url.Values{"_page": {"product"}}, 404, "找不到页面"},
		{"bad csrf", "POST", "/s/" + tok, url.Values{"_page": {"product"}, "_csrf": {"forged"}, "_nav": {"next"}}, 403, "表单已过期"},
		{"no csrf", "POST", "/s/" + tok, url.Values{"_page": {"product"}, "_nav": {"next"}}, 403, "表单已过期"},
		{"body too large", "POST", "/s/" + tok, url.Values{"_page": {"suggestions"}, "_csrf": {csrf}, "sugg_product": {big}}, 413, "64 KB"},
		{"unknown page", "POST", "/s/" + tok, url.Values{"_page": {"nosuch"}, "_csrf": {csrf}, "_nav": {"next"}}, 409, "不能提交"},
		{"page ahead", "POST", "/s/" + tok, url.Values{"_page": {"background"}, "_csrf": {csrf}, "_nav": {"next"}, "gender": {"m"}, "education": {"college"}}, 409, "不能提交"},
		{"submit too early", "POST", "/s/" + tok, url.Values{"_page": {reviewID}, "_csrf": {csrf}, "_nav": {"submit"}}, 409, "不能提交"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := e.response(tok)
			var code int
			var body string
			if tt.method == "GET" {
				r := c.get(tt.path)
				code, body = r.Code, r.Body.String()
			} else {
				r := c.post(tt.path, tt.form)
				code, body = r.Code, r.Body.String()
			}
			if code != tt.status {
				t.Fatalf("status %d, want %d\n%s", code, tt.status, body)
			}
			if !strings.Contains(body, tt.want) || !strings.Contains(body, "<!DOCTYPE html>") {
				t.Errorf("page lacks %q or is not the friendly page:\n%s", tt.want, body)
			}
			if strings.Contains(body, "goroutine") || strings.Contains(body, ".go:") {
				t.Errorf("page shows internals")
			}
			after := e.response(tok)
			if after.CurrentPage != before.CurrentPage || len(after.Answers) != len(before.Answers) {
				t.Errorf("refused request changed the response")
			}
		})
	}
}

// TestReplay posts the same page twice (a double click, a replayed
// request): the second is harmless and the resume point stays.
func TestReplay(t *testing.T) {
	e := newEnv(t)
	tok := e.token()
	c := e.client()
	a := c.answerUpTo(tok, "construction")
	_, csrf := scrape(t, c.get("/s/"+tok).Body.String())
	form := validAnswers(e.q, "product", a)
	form.Set("_page", "product")
	form.Set("_csrf", csrf)
	form.Set("_nav", "next")
	first := e.response(tok)
	for i := 0; i < 2; i++ {
		rec := c.post("/s/"+tok, form)
		if rec.Code != http.StatusSeeOther {
			t.Fatalf("replay %d: status %d, want 303", i, rec.Code)
		}
	}
	after := e.response(tok)
	if after.CurrentPage != first.CurrentPage || !slices.Equal(after.PagesDone, first.PagesDone) {
		t.Errorf("replay moved the response: current %q → %q, pages %v → %v", first.CurrentPage, after.CurrentPage, first.PagesDone, after.PagesDone)
	}
	// The current page posted twice lands on the same next page.
	form = validAnswers(e.q, "construction", a)
	form.Set("_page", "construction")
	form.Set("_csrf", csrf)
	for i := 0; i < 2; i++ {
		if rec := c.post("/s/"+tok, form); rec.Code != http.StatusSeeOther {
			t.Fatalf("double click %d: status %d, want 303", i, rec.Code)
		}
	}
	if r := e.response(tok); r.CurrentPage != "service" {
		t.Errorf("after a double click: current page %q, want service", r.CurrentPage)
	}
}

// TestBackKeepsAnswers goes back from a half-answered page and forward
// again: both pages show what was given.
func TestBackKeepsAnswers(t *testing.T) {
	e := newEnv(t)
	tok := e.token()
	c := e.client()
	c.answerUpTo(tok, "construction")
	rec := c.answerPage(tok, "construction", url.Values{"_nav": {"back"}, "cons_housing": {"4"}, "cons_roads": {"77"}})
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/s/"+tok+"?page=product" {
		t.Fatalf("back: status %d location %q, want 303 to ?page=product", rec.Code, rec.Header().Get("Location"))
	}
	r := e.response(tok)
	if !slices.Equal(r.Answers["cons_housing"], []string{"4"}) || r.Answers["cons_roads"] != nil {
		t.Errorf("back saved cons_housing=%v cons_roads=%v, want [4] and nothing (invalid dropped)", r.Answers["cons_housing"], r.Answers["cons_roads"])
	}
	if r.CurrentPage != "construction" {
		t.Errorf("back moved the resume point to %q, want construction", r.CurrentPage)
	}
	rec = c.get("/s/" + tok + "?page=product")
	body := rec.Body.String()
	if rec.Code != http.StatusOK || !strings.Contains(body, `value="8" checked`) || !strings.Contains(body, `name="_page" value="product"`) {
		t.Errorf("previous page: status %d, want 200 with the saved 8 checked", rec.Code)
	}
	if !strings.Contains(body, `name="_nav" value="back"`) {
		t.Errorf("previous page has no Back button")
	}
	// Forward from the earlier page with the same answers returns to where
	// the resident was.
	_, csrf := scrape(t, body)
	form := validAnswers(e.q, "product", r.Answers)
	form.Set("_page", "product")
	form.Set("_csrf", csrf)
	form.Set("_nav", "next")
	if rec := c.post("/s/"+tok, form); rec.Code != http.StatusSeeOther {
		t.Fatalf("next from product: status %d", rec.Code)
	}
	rec = c.get("/s/" + tok)
	if page, _ := scrape(t, rec.Body.String()); page != "construction" || !strings.Contains(rec.Body.String(), `id="o-cons_housing-4" name="cons_housing" value="4" checked`) {
		t.Errorf("forward again: page %q, want construction with cons_housing 4 checked", page)
	}
	// A page after the resume point is not shown: redirected to the current one.
	rec = c.get("/s/" + tok + "?page=background")
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/s/"+tok {
		t.Errorf("GET a page ahead: status %d location %q, want 303 to the link", rec.Code, rec.Header().Get("Location"))
	}
}

// TestResume closes the phone halfway and opens the link on another:
// the survey continues where it stopped with the answers kept.
func TestResume(t *testing.T) {
	e := newEnv(t)
	tok := e.token()
	e.client().answerUpTo(tok, "environment")
	other := e.client()
	other.ua = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"
	rec := other.get("/s/" + tok)
	if page, _ := scrape(t, rec.Body.String()); page != "environment" {
		t.Fatalf("reopened link shows %q, want environment", page)
	}
	rec = other.get("/s/" + tok + "?page=service")
	if !strings.Contains(rec.Body.String(), `id="o-serv_medical-8" name="serv_medical" value="8" checked`) {
		t.Errorf("an earlier page does not show its saved answer")
	}
	if r := e.response(tok); r.UAClass != "mobile" {
		t.Errorf("ua class %q, want mobile (the first device)", r.UAClass)
	}
}

// TestScreenedOut ends the survey politely for people outside the
// population and for those who do not consent.
func TestScreenedOut(t *testing.T) {
	tests := []struct {
		name string
		page string
		form url.Values
		want string
	}{
		{"no consent", "welcome", url.Values{"consent": {"n"}}, "您选择了不参加"},
		{"age 17", "screener", url.Values{"age": {"17"}, "district": {"d1"}, "resident": {"y"}, "gender": {"f"}}, "18 至 70 周岁"},
		{"age 71", "screener", url.Values{"age": {"71"}, "district": {"d1"}, "resident": {"y"}, "gender": {"f"}}, "18 至 70 周岁"},
		{"not resident", "screener", url.Values{"age": {"40"}, "district": {"d1"}, "resident": {"n"}, "gender": {"f"}}, "居住满半年"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			tok := e.token()
			c := e.client()
			c.answerUpTo(tok, tt.page)
			rec := c.answerPage(tok, tt.page, tt.form)
			if rec.Code != http.StatusSeeOther {
				t.Fatalf("status %d, want 303\n%s", rec.Code, rec.Body.String())
			}
			rec = c.get("/s/" + tok)
			body := rec.Body.String()
			if rec.Code != http.StatusOK || !strings.Contains(body, tt.want) || strings.Contains(body, "<form") {
				t.Errorf("screened-out page: status %d, want 200 with %q and no form\n%s", rec.Code, tt.want, body)
			}
			if r := e.response(tok); r.Status != survey.RespScreenedOut {
				t.Errorf("status %q, want screened_out", r.Status)
			}
			rec = c.post("/s/"+tok, url.Values{"_page": {tt.page}, "_csrf": {e.srv.csrfToken(tok)}, "_nav": {"next"}})
			if rec.Code != http.StatusConflict {
				t.Errorf("POST after screen-out: status %d, want 409", rec.Code)
			}
		})
	}
}

// TestReviewMissing submits with a required answer missing (the resident
// went back and cleared it): 422 and a link to its page.
func TestReviewMissing(t *testing.T) {
	e := newEnv(t)
	tok := e.token()
	c := e.client()
	c.answerUpTo(tok, "")
	// Clear education through Back on the background page.
	_, csrf := scrape(t, c.get("/s/"+tok+"?page=background").Body.String())
	rec := c.post("/s/"+tok, url.Values{"_page": {"background"}, "_csrf": {csrf}, "_nav": {"back"}, "occupation": {"retired"}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("back: status %d", rec.Code)
	}
	rec = c.get("/s/" + tok)
	if page, _ := scrape(t, rec.Body.String()); page != reviewID {
		t.Fatalf("resume point %q, want review", page)
	}
	if !strings.Contains(rec.Body.String(), `href="/s/`+tok+`?page=background#q-education"`) {
		t.Errorf("review does not link the missing education question to its page")
	}
	rec = c.post("/s/"+tok, url.Values{"_page": {reviewID}, "_csrf": {csrf}, "_nav": {"submit"}})
	body := rec.Body.String()
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(body, `role="alert"`) || !strings.Contains(body, "您的最高学历是") {
		t.Errorf("submit with education missing: status %d, want 422 with an alert naming the question", rec.Code)
	}
	if r := e.response(tok); r.Status != survey.RespInProgress {
		t.Errorf("status %q, want in_progress", r.Status)
	}
	// Back from the review goes to the last page.
	rec = c.post("/s/"+tok, url.Values{"_page": {reviewID}, "_csrf": {csrf}, "_nav": {"back"}})
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/s/"+tok+"?page=background" {
		t.Errorf("back from review: %d %q, want 303 to ?page=background", rec.Code, rec.Header().Get("Location"))
	}
}

// TestClosed shows the friendly 410 page once the measurement is closed.
func TestClosed(t *testing.T) {
	e := newEnv(t)
	tok := e.token()
	c := e.client()
	c.answerUpTo(tok, "product")
	if err := e.db.SetMeasurementStatus(context.Background(), "demo-2026", survey.StatusClosed); err != nil {
		t.Fatal(err)
	}
	rec := c.get("/s/" + tok)
	if rec.Code != http.StatusGone || !strings.Contains(rec.Body.String(), "测评已结束") {
		t.Errorf("GET: status %d, want 410 with 测评已结束", rec.Code)
	}
	rec = c.post("/s/"+tok, url.Values{"_page": {"product"}, "_csrf": {e.srv.csrfToken(tok)}, "_nav": {"next"}})
	if rec.Code != http.StatusGone {
		t.Errorf("POST: status %d, want 410", rec.Code)
	}
}

// TestHealthz checks the health check and that it fails once the
// database is closed.
func TestHealthz(t *testing.T) {
	e := newEnv(t)
	rec := e.client().get("/healthz")
	if rec.Code != http.StatusOK || rec.Body.String() != "ok" {
		t.Errorf("healthz: %d %q, want 200 ok", rec.Code, rec.Body.String())
	}
	e.db.Close()
	if rec := e.client().get("/healthz"); rec.Code != http.StatusServiceUnavailable {
		t.Errorf("healthz on a closed store: %d, want 503", rec.Code)
	}
}

// TestEnglish switches to English with ?lang=en and keeps it in a cookie.
func TestEnglish(t *testing.T) {
	e := newEnv(t)
	tok := e.token()
	c := e.client()
	rec := c.get("/s/" + tok + "?lang=en")
	body := rec.Body.String()
	for _, want := range []string{`<html lang="en">`, "Hello! To learn how residents", "Page 1 of 13", `href="/s/` + tok + `?lang=zh"`, ">中文<"} {
		if !strings.Contains(body, want) {
			t.Errorf("English page lacks %q", want)
		}
	}
	if c.cookies["lang"] != "en" {
		t.Errorf("lang cookie %q, want en", c.cookies["lang"])
	}
	c.answerUpTo(tok, "product")
	rec = c.get("/s/" + tok)
	body = rec.Body.String()
	for _, want := range []string{"Product quality", "Very dissatisfied", `>EN<`} {
		if want == ">EN<" {
			if strings.Contains(body, want) {
				t.Errorf("English page offers EN as the switch")
			}
			continue
		}
		if !strings.Contains(body, want) {
			t.Errorf("English product page lacks %q", want)
		}
	}
	rec = c.get("/s/" + tok + "?lang=zh")
	if !strings.Contains(rec.Body.String(), "产品质量") || !strings.Contains(rec.Body.String(), ">EN<") {
		t.Errorf("?lang=zh does not switch back to Chinese")
	}
	// Error pages speak the chosen language too.
	c.get("/s/" + tok + "?lang=en")
	rec = c.get("/s/short")
	if rec.Code != http.StatusNotFound || !strings.Contains(rec.Body.String(), "Page not found") {
		t.Errorf("English 404: %d, want the English page", rec.Code)
	}
}

// TestBotDoesNotStart checks that a link previewer opening the link does
// not start a response.
func TestBotDoesNotStart(t *testing.T) {
	e := newEnv(t)
	tok := e.token()
	c := e.client()
	c.ua = "WhatsApp/2.23 preview bot"
	if rec := c.get("/s/" + tok); rec.Code != http.StatusOK {
		t.Fatalf("status %d", rec.Code)
	}
	if r := e.response(tok); r != nil {
		t.Errorf("a bot started a response: %+v", r)
	}
}

// TestQuotaFull shows the polite final page when fieldwork closed the
// response because its quota cell is full.
func TestQuotaFull(t *testing.T) {
	e := newEnv(t)
	tok := e.token()
	c := e.client()
	c.answerUpTo(tok, "product")
	if _, err := e.db.Finish(context.Background(), tok, survey.RespQuotaFull); err != nil {
		t.Fatal(err)
	}
	rec := c.get("/s/" + tok)
	if body := rec.Body.String(); rec.Code != http.StatusOK || !strings.Contains(body, "样本已经收满") || strings.Contains(body, "<form") {
		t.Errorf("quota-full page: status %d, want 200 with 样本已经收满 and no form", rec.Code)
	}
	rec = c.post("/s/"+tok, url.Values{"_page": {"product"}, "_csrf": {e.srv.csrfToken(tok)}, "_nav": {"next"}})
	if rec.Code != http.StatusConflict {
		t.Errorf("POST after quota full: status %d, want 409", rec.Code)
	}
}
