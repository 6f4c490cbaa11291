package web

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"manyi/survey"
	"manyi/survey/demo"
	"manyi/survey/sqlite"
)

// testSecret is the CSRF key of the test servers.
var testSecret = []byte("0123456789abcdef0123456789abcdef")

// testNow is the fixed clock of the test servers (the _shown stamps).
var testNow = time.Date(2026, 11, 27, 9, 30, 0, 0, time.UTC)

// env is a server on a real SQLite file with the demo measurement.
type env struct {
	t   *testing.T
	srv *Server
	db  *sqlite.DB
	q   *survey.Questionnaire
	log *syncBuffer
}

// syncBuffer is a log sink safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// storeConfig is a Config with every store field set to db, as cmd/manyi
// serve wires it.
func storeConfig(db *sqlite.DB) Config {
	return Config{Store: db, Accounts: db, Fieldwork: db, Quotas: db, OpenLinks: db, Workspace: db, Office: db, Setup: db, Service: db}
}

func newEnv(t *testing.T) *env {
	t.Helper()
	db, err := sqlite.Open(filepath.Join(t.TempDir(), "manyi.db"))
	if err != nil {
		t.Fatalf("sqlite.Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := demo.Ensure(context.Background(), db); err != nil {
		t.Fatalf("demo.Ensure: %v", err)
	}
	logs := &syncBuffer{}
	cfg := storeConfig(db)
	cfg.Log = slog.New(slog.NewTextHandler(logs, nil))
	cfg.Secret = testSecret
	cfg.Now = func() time.Time { return testNow }
	srv, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return &env{t: t, srv: srv, db: db, q: survey.DefaultQuestionnaire(), log: logs}
}

// token makes one new invitation.
func (e *env) token() string {
	e.t.Helper()
	toks, err := e.db.CreateInvitations(context.Background(), demo.Measurement().ID, 1)
	if err != nil {
		e.t.Fatalf("CreateInvitations: %v", err)
	}
	return toks[0]
}

// response returns the stored response of a link.
func (e *env) response(tok string) *survey.Response {
	e.t.Helper()
	s, err := e.db.OpenSession(context.Background(), tok)
	if err != nil {
		e.t.Fatalf("OpenSession: %v", err)
	}
	return s.Response
}

// client is a resident's phone: it keeps cookies and a User-Agent.
type client struct {
	e       *env
	ua      string
	cookies map[string]string
	gzip    bool
}

const phoneUA = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"

func (e *env) client() *client {
	return &client{e: e, ua: phoneUA, cookies: map[string]string{}}
}

func (c *client) do(req *http.Request) *httptest.ResponseRecorder {
	req.Header.Set("User-Agent", c.ua)
	if c.gzip {
		req.Header.Set("Accept-Encoding", "gzip")
	}
	for k, v := range c.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	rec := httptest.NewRecorder()
	c.e.srv.ServeHTTP(rec, req)
	for _, ck := range rec.Result().Cookies() {
		if ck.MaxAge < 0 {
			delete(c.cookies, ck.Name)
		} else {
			c.cookies[ck.Name] = ck.Value
		}
	}
	return rec
}

func (c *client) get(path string) *httptest.ResponseRecorder {
	return c.do(httptest.NewRequest(http.MethodGet, path, nil))
}

func (c *client) post(path string, form url.Values) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

var (
	rePage = regexp.MustCompile(`name="_page" value="([^"]*)"`)
	reCSRF = regexp.MustCompile(`name="_csrf" value="([^"]*)"`)
)

// scrape returns the hidden _page and _csrf of a rendered form.
func scrape(t *testing.T, body string) (page, csrf string) {
	t.Helper()
	m1, m2 := rePage.FindStringSubmatch(body), reCSRF.FindStringSubmatch(body)
	if m1 == nil || m2 == nil {
		t.Fatalf("no form in page:\n%s", body)
	}
	return m1[1], m2[1]
}

// validAnswers answers every visible item of a page validly: a 35-year-old
// resident of d2 who consents, rates 8, knows a bit and leaves one suggestion.
func validAnswers(q *survey.Questionnaire, pageID string, prior survey.Answers) url.Values {
	p, _ := q.Page(pageID)
	form := url.Values{}
	for _, it := range p.VisibleItems(prior) {
		switch {
		case it.ID == "consent" || it.ID == "resident":
			form.Set(it.ID, "y")
		case it.ID == "district":
			form.Set(it.ID, "d2")
		case it.Type == survey.TypeScale:
			form.Set(it.ID, "8")
		case it.Type == survey.TypeNumber:
			form.Set(it.ID, "35")
		case it.Type == survey.TypeSingle, it.Type == survey.TypeMulti:
			form.Set(it.ID, it.Choices[0].Code)
		case it.Type == survey.TypeText && it.ID == "sugg_environment":
			form.Set(it.ID, "希望加强河道治理。")
		}
	}
	return form
}

// answerPage GETs the current page, checks it is want, and POSTs form
// with its hidden fields; it returns the POST's recorder.
func (c *client) answerPage(tok, want string, form url.Values) *httptest.ResponseRecorder {
	t := c.e.t
	t.Helper()
	rec := c.get("/s/" + tok)
	if rec.Code != http.StatusOK {
		t.Fatalf("GET current page: status %d, want 200", rec.Code)
	}
	page, csrf := scrape(t, rec.Body.String())
	if page != want {
		t.Fatalf("current page %q, want %q", page, want)
	}
	f := url.Values{}
	for k, v := range form {
		f[k] = v
	}
	f.Set("_page", page)
	f.Set("_csrf", csrf)
	if f.Get("_nav") == "" {
		f.Set("_nav", "next")
	}
	f.Set("_shown", "1764235800000")
	return c.post("/s/"+tok, f)
}

// answerUpTo answers pages in order from the current resume point until
// (not including) stop ("" for all), checking each POST is 303 to the link;
// it returns the answers given (earlier pages count as answered validly).
func (c *client) answerUpTo(tok, stop string) survey.Answers {
	t := c.e.t
	t.Helper()
	q := c.e.q
	cur, _ := scrape(t, c.get("/s/"+tok).Body.String())
	a := survey.Answers{}
	posting := false
	for id := q.NextPage("", a); id != "" && id != stop; id = q.NextPage(id, a) {
		form := validAnswers(q, id, a)
		posting = posting || id == cur
		if posting {
			rec := c.answerPage(tok, id, form)
			if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/s/"+tok {
				t.Fatalf("POST %s: status %d location %q, want 303 /s/…\n%s", id, rec.Code, rec.Header().Get("Location"), rec.Body.String())
			}
		}
		for k, v := range form {
			a[k] = v
		}
	}
	return a
}
