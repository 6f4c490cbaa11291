package web

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/labstack/echo/v5"

	"manyi/survey"
	"manyi/survey/sqlite"
)

// failingStore is the real store with SavePage broken, as a full disk or a
// lost database file would break it.
type failingStore struct {
	*sqlite.DB
}

func (failingStore) SavePage(context.Context, string, survey.PageSave) (*survey.Response, error) {
	return nil, errors.New("sqlite: disk I/O error at /var/lib/manyi/manyi.db")
}

// TestInternalError checks that a store failure gives the plain 500 page,
// logged but never shown, and that a panic does the same.
func TestInternalError(t *testing.T) {
	e := newEnv(t)
	tok := e.token()
	cfg := storeConfig(e.db)
	cfg.Store, cfg.Log, cfg.Secret = failingStore{e.db}, e.srv.log, testSecret
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	e.srv = srv
	c := e.client()
	rec := c.answerPage(tok, "welcome", url.Values{"consent": {"y"}})
	body := rec.Body.String()
	if rec.Code != http.StatusInternalServerError || !strings.Contains(body, "系统繁忙") {
		t.Errorf("status %d, want 500 with the friendly page\n%s", rec.Code, body)
	}
	if strings.Contains(body, "disk I/O") || strings.Contains(body, "manyi.db") {
		t.Errorf("the 500 page shows the internal error")
	}
	if !strings.Contains(e.log.String(), "disk I/O error") {
		t.Errorf("the internal error is not logged")
	}

	// A panic in a handler is recovered into the same page.
	srv.echo.GET("/panic", func(*echo.Context) error { panic("boom") })
	rec = c.get("/panic")
	if rec.Code != http.StatusInternalServerError || strings.Contains(rec.Body.String(), "boom") || strings.Contains(rec.Body.String(), "goroutine") {
		t.Errorf("panic: status %d, want 500 without details", rec.Code)
	}
}

// TestBodyLimitChunked sends an over-limit body without Content-Length
// (chunked): the limit still holds while reading.
func TestBodyLimitChunked(t *testing.T) {
	e := newEnv(t)
	tok := e.token()
	c := e.client()
	c.get("/s/" + tok)
	form := url.Values{"_page": {"welcome"}, "_csrf": {e.srv.csrfToken(tok)}, "consent": {strings.Repeat("y", 70<<10)}}
	req := httptest.NewRequest(http.MethodPost, "/s/"+tok, io.MultiReader(strings.NewReader(form.Encode())))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if req.ContentLength != -1 {
		t.Fatalf("request has a Content-Length %d; the test needs none", req.ContentLength)
	}
	rec := c.do(req)
	if rec.Code != http.StatusRequestEntityTooLarge || !strings.Contains(rec.Body.String(), "64 KB") {
		t.Errorf("status %d, want 413 with the friendly page", rec.Code)
	}
	if r := e.response(tok); len(r.Answers) != 0 {
		t.Errorf("the refused body stored answers: %v", r.Answers)
	}
}
