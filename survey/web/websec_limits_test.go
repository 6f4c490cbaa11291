package web

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// zeros is an endless reader of 'x' bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'x'
	}
	return len(p), nil
}

// TestBodyLimitEveryPost (issue 13, limits): every POST route refuses a
// body over its limit with 413 and a clear zh/en page before any handler
// runs: 64 KB for forms, 50 MB for the upload routes, whose limit holds
// while the form is read too (a chunked upload without Content-Length).
// A census file over 64 KB but under 50 MB is read, not refused.
func TestBodyLimitEveryPost(t *testing.T) {
	e := newStaffEnv(t, "")
	env := &env{t: t, srv: e.srv, db: e.db, log: e.log}
	tok := env.token()
	office := e.client("10.11.0.1")
	office.login("boss")
	csrf := office.csrf()
	posts := 0
	for _, r := range e.srv.echo.Router().Routes() {
		if r.Method != http.MethodPost {
			continue
		}
		posts++
		path := routePath(r.Path, tok)
		limit := int64(maxBody)
		want := "64 KB"
		if largeBodyRoutes[r.Method+" "+r.Path] {
			limit, want = maxUpload+maxBody, "50 MB"
		}
		for _, who := range []*staffClient{e.client("10.11.0.2"), office} {
			req := httptest.NewRequest(http.MethodPost, path, io.LimitReader(zeros{}, limit+1))
			req.ContentLength = limit + 1
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			rec := who.do(req)
			if rec.Code != http.StatusRequestEntityTooLarge || !strings.Contains(rec.Body.String(), want) {
				t.Errorf("POST %s with %d bytes: status %d, want 413 naming %s\n%.300s", r.Path, limit+1, rec.Code, want, rec.Body)
			}
		}
		en := office.do(func() *http.Request {
			req := httptest.NewRequest(http.MethodPost, path+"?lang=en", io.LimitReader(zeros{}, limit+1))
			req.ContentLength = limit + 1
			return req
		}())
		if !strings.Contains(en.Body.String(), want) || !strings.Contains(en.Body.String(), "larger than") && !strings.Contains(en.Body.String(), "longer than") {
			t.Errorf("POST %s too large, in English: no clear message\n%.300s", r.Path, en.Body)
		}
		office.get("/app?lang=zh")
	}
	if posts < 15 {
		t.Errorf("only %d POST routes walked", posts)
	}

	// A chunked census upload over 50 MB: refused while reading, nothing
	// stored.
	census := "/app/m/demo-2026/weighting/census"
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		mw.WriteField("csrf", csrf)
		fw, _ := mw.CreateFormFile("census", "census.csv")
		io.Copy(fw, io.LimitReader(zeros{}, maxUpload+maxBody+1))
		mw.Close()
		pw.Close()
	}()
	req := httptest.NewRequest(http.MethodPost, census, pr)
	req.ContentLength = -1
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if rec := office.do(req); rec.Code != http.StatusRequestEntityTooLarge || !strings.Contains(rec.Body.String(), "文件超过 50 MB") {
		t.Errorf("chunked census over 50 MB: status %d, want 413 with the upload message\n%.300s", rec.Code, rec.Body)
	}
	pr.Close()
	// 100 KB of census: over the form limit, under the upload one: read
	// (and refused for its content, with the row named), not 413.
	var b bytes.Buffer
	mw2 := multipart.NewWriter(&b)
	mw2.WriteField("csrf", csrf)
	fw, _ := mw2.CreateFormFile("census", "census.csv")
	fmt.Fprintln(fw, "district,gender,age_band,count")
	for b.Len() < 100<<10 {
		fmt.Fprintln(fw, "nowhere,x,y,1")
	}
	mw2.Close()
	req = httptest.NewRequest(http.MethodPost, census, &b)
	req.Header.Set("Content-Type", mw2.FormDataContentType())
	if rec := office.do(req); rec.Code == http.StatusRequestEntityTooLarge || rec.Code >= 500 {
		t.Errorf("a 100 KB census: status %d, want it read (not 413)", rec.Code)
	}
}

// TestUnknownTokenLimit (issue 13, limits): one client address may open
// 30 links that do not exist, then gets 429 with a clear page and
// Retry-After, before any look-up, real links included; other addresses
// are not affected; real links never count; the limit refills with time.
func TestUnknownTokenLimit(t *testing.T) {
	e := newStaffEnv(t, "")
	env := &env{t: t, srv: e.srv, db: e.db, log: e.log}
	real := env.token()
	guesser := e.client("198.51.100.7")
	// Real links opened again and again do not count.
	for i := 0; i < guessBurst+5; i++ {
		if rec := guesser.get("/s/" + real); rec.Code != http.StatusOK {
			t.Fatalf("real link, visit %d: status %d", i, rec.Code)
		}
	}
	for i := 0; i < guessBurst; i++ {
		path := fmt.Sprintf("/s/guess%017d", i)
		if i%3 == 0 {
			path = "/s/bad" // malformed: counts too
		}
		if rec := guesser.get(path); rec.Code != http.StatusNotFound {
			t.Fatalf("guess %d: status %d, want 404", i, rec.Code)
		}
	}
	for _, p := range []string{"/s/guessAAAAAAAAAAAAAAAAAAAAAA", "/s/" + real} {
		rec := guesser.get(p)
		if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") == "" || !strings.Contains(rec.Body.String(), "太多无效的链接") {
			t.Errorf("GET %s after %d misses: status %d, Retry-After %q; want 429 with the page", p, guessBurst, rec.Code, rec.Header().Get("Retry-After"))
		}
	}
	if rec := guesser.post("/s/guessAAAAAAAAAAAAAAAAAAAAAA", url.Values{"_page": {"welcome"}}); rec.Code != http.StatusTooManyRequests {
		t.Errorf("POST after the misses: status %d, want 429", rec.Code)
	}
	if en := guesser.get("/s/guessAAAAAAAAAAAAAAAAAAAAAA?lang=en"); !strings.Contains(en.Body.String(), "too many links that do not exist") {
		t.Errorf("the English 429 page lacks the message")
	}
	if rec := e.client("198.51.100.8").get("/s/" + real); rec.Code != http.StatusOK {
		t.Errorf("another address: status %d, want 200", rec.Code)
	}
	e.clock.Add(time.Minute)
	if rec := guesser.get("/s/" + real); rec.Code != http.StatusOK {
		t.Errorf("a minute later: status %d, want 200", rec.Code)
	}
}
