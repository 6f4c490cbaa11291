package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"manyi/survey/auth"
)

// routePath turns a registered route into a path to request: parameters
// get values that exist in the staff test store where that matters.
func routePath(path, token string) string {
	parts := strings.Split(path, "/")
	for i, p := range parts {
		switch {
		case p == ":token":
			parts[i] = token
		case p == ":id":
			parts[i] = "demo-2026"
		case p == ":name":
			parts[i] = "target"
		case p == ":slug":
			parts[i] = "AAAAAAAAAAAAAAAAAAAAAA"
		case strings.HasPrefix(p, ":"):
			parts[i] = "1"
		case p == "*" && strings.HasPrefix(path, "/static/"):
			parts[i] = "css/manyi.css"
		case p == "*":
			parts[i] = "no-such-page"
		}
	}
	return strings.Join(parts, "/")
}

// checkHeaders checks the security headers of one response.
func checkHeaders(t *testing.T, what, path string, rec *httptest.ResponseRecorder) {
	t.Helper()
	h := rec.Header()
	csp := h.Get("Content-Security-Policy")
	framing := "frame-ancestors 'none'"
	if strings.HasSuffix(path, "/questionnaire/preview/frame") && rec.Code == http.StatusOK {
		// The one exception: the questionnaire preview is shown inside the
		// editor's phone outline, so this site (and no other) may frame it.
		framing = "frame-ancestors 'self'"
	}
	for _, want := range []string{"default-src 'self'", framing, "object-src 'none'", "base-uri 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("%s: Content-Security-Policy %q lacks %s", what, csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
		t.Errorf("%s: Content-Security-Policy %q allows inline script", what, csp)
	}
	if got := h.Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("%s: X-Content-Type-Options %q, want nosniff", what, got)
	}
	if got := h.Get("Referrer-Policy"); got != "no-referrer" {
		t.Errorf("%s: Referrer-Policy %q, want no-referrer", what, got)
	}
	cache := h.Get("Cache-Control")
	if strings.HasPrefix(path, "/static/") && rec.Code == http.StatusOK {
		if !strings.Contains(cache, "public") {
			t.Errorf("%s: Cache-Control %q, want a public cache for a static file", what, cache)
		}
	} else if cache != "no-store" {
		t.Errorf("%s (status %d): Cache-Control %q, want no-store", what, rec.Code, cache)
	}
}

// TestHeadersEveryRoute (issue 13, headers): every registered route, as
// an anonymous visitor and as the office, by its method (POSTs with the
// session's CSRF token, so the handlers run), answers with the CSP (no
// inline script, no framing), nosniff, no referrer, and no-store on
// everything but the static files, errors and redirects included.
func TestHeadersEveryRoute(t *testing.T) {
	e := newStaffEnv(t, "")
	h, _ := auth.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}.Hash("Target-pass-2026")
	if _, err := e.db.CreateUser(context.Background(), "target", auth.RoleInterviewer, h); err != nil {
		t.Fatal(err)
	}
	env := &env{t: t, srv: e.srv, db: e.db, log: e.log}
	tok := env.token()
	routes := e.srv.echo.Router().Routes()
	sort.SliceStable(routes, func(i, j int) bool { return routes[j].Path == "/logout" }) // logout last
	office := e.client("10.10.0.1")
	office.login("boss")
	n := 0
	for _, r := range routes {
		method := r.Method
		if method != http.MethodGet && method != http.MethodPost {
			method = http.MethodGet // the not-found route and the like
		}
		path := routePath(r.Path, tok)
		for _, who := range []string{"anonymous", "office"} {
			var c *staffClient
			if who == "office" {
				c = office
			} else {
				c = e.client("10.10.0.2")
			}
			var rec *httptest.ResponseRecorder
			if method == http.MethodGet {
				rec = c.get(path)
			} else {
				form := url.Values{}
				if who == "office" {
					form.Set("csrf", office.csrf())
				}
				rec = c.post(path, form)
			}
			checkHeaders(t, who+" "+method+" "+path, path, rec)
			n++
		}
	}
	if n < 40 {
		t.Errorf("only %d requests: the route walk missed routes", n)
	}
}

// TestTemplatesNoInlineScript: no template has an inline script, an event
// handler attribute or a javascript: URL, so the CSP can forbid them.
func TestTemplatesNoInlineScript(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "..", "templates", "*.html"))
	if err != nil || len(files) == 0 {
		t.Fatalf("templates: %v, %d files", err, len(files))
	}
	inline := regexp.MustCompile(`(?i)<script\b[^>]*>`)
	handler := regexp.MustCompile(`(?i)\son[a-z]+\s*=`)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		s := string(b)
		for _, m := range inline.FindAllString(s, -1) {
			if !strings.Contains(m, "src=") {
				t.Errorf("%s: inline script %s", filepath.Base(f), m)
			}
		}
		if m := handler.FindString(s); m != "" {
			t.Errorf("%s: event handler attribute %q", filepath.Base(f), m)
		}
		if strings.Contains(strings.ToLower(s), "javascript:") {
			t.Errorf("%s: a javascript: URL", filepath.Base(f))
		}
	}
}
