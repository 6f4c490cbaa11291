package web

import (
	"bytes"
	"compress/gzip"
	"flag"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// maxPageWeight is the budget for one survey page: HTML, CSS and
// JS as transferred (gzip counted).
const maxPageWeight = 60 << 10

// TestPageWeight fetches the heaviest pages with their CSS and JS, gzip
// accepted, and checks the bytes on the wire stay under 60 KB.
func TestPageWeight(t *testing.T) {
	e := newEnv(t)
	tok := e.token()
	c := e.client()
	c.gzip = true
	measure := func(name, path string) {
		t.Helper()
		rec := c.get(path)
		html := rec.Body.Len()
		if rec.Header().Get("Content-Encoding") != "gzip" {
			t.Errorf("%s: HTML not gzipped", name)
		}
		total := html
		body := decode(t, rec.Body.Bytes(), rec.Header().Get("Content-Encoding"))
		for _, m := range regexp.MustCompile(`(?:href|src)="(/static/[^"]+)"`).FindAllStringSubmatch(body, -1) {
			u := strings.ReplaceAll(m[1], "&amp;", "&")
			r := c.get(u)
			if r.Code != http.StatusOK {
				t.Fatalf("%s: %s: status %d", name, u, r.Code)
			}
			total += r.Body.Len()
		}
		t.Logf("%s: %d bytes HTML gzipped, %d bytes in all", name, html, total)
		if total > maxPageWeight {
			t.Errorf("%s weighs %d bytes transferred, want under %d", name, total, maxPageWeight)
		}
	}
	answer := func(stop string) { c.gzip = false; c.answerUpTo(tok, stop); c.gzip = true }
	// The welcome page, a domain page, the same with every error, the review.
	measure("welcome", "/s/"+tok)
	answer("product")
	measure("product", "/s/"+tok)
	c.gzip = false
	_, csrf := scrape(t, c.get("/s/"+tok).Body.String())
	c.gzip = true
	rec := c.post("/s/"+tok, url.Values{"_page": {"product"}, "_csrf": {csrf}, "_nav": {"next"}})
	if rec.Code != http.StatusUnprocessableEntity || rec.Body.Len() > maxPageWeight-8<<10 {
		t.Errorf("product page with errors: status %d, %d bytes gzipped", rec.Code, rec.Body.Len())
	}
	t.Logf("product with errors: %d bytes HTML gzipped", rec.Body.Len())
	answer("")
	measure("review", "/s/"+tok)
	tok = e.token()
	answer("product")
	// Uncompressed, the domain page is still light (a phone without gzip).
	c.gzip = false
	if n := c.get("/s/" + tok).Body.Len(); n > maxPageWeight {
		t.Errorf("product page without gzip: %d bytes, want under %d", n, maxPageWeight)
	}
}

func decode(t *testing.T, b []byte, enc string) string {
	t.Helper()
	if enc != "gzip" {
		return string(b)
	}
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// TestStatic checks the static files' types and cache headers, and that
// nothing outside css/ and js/ is served.
func TestStatic(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	css := e.srv.assets.url("css/manyi.css")
	tests := []struct {
		path   string
		status int
		ctype  string
		cache  string
	}{
		{css, 200, "text/css; charset=utf-8", "public, max-age=31536000, immutable"},
		{e.srv.assets.url("js/manyi.js"), 200, "text/javascript; charset=utf-8", "public, max-age=31536000, immutable"},
		{"/static/css/manyi.css", 200, "text/css; charset=utf-8", "public, max-age=3600"},
		{"/static/fonts/wqy-microhei.ttf", 404, "", ""},
		{"/static/../static.go", 404, "", ""},
		{"/static/css/nope.css", 404, "", ""},
	}
	for _, tt := range tests {
		rec := c.get(tt.path)
		if rec.Code != tt.status {
			t.Errorf("GET %s: status %d, want %d", tt.path, rec.Code, tt.status)
			continue
		}
		if tt.status != 200 {
			continue
		}
		if got := rec.Header().Get("Content-Type"); got != tt.ctype {
			t.Errorf("GET %s: Content-Type %q, want %q", tt.path, got, tt.ctype)
		}
		if got := rec.Header().Get("Cache-Control"); got != tt.cache {
			t.Errorf("GET %s: Cache-Control %q, want %q", tt.path, got, tt.cache)
		}
	}
	// A revalidation with the ETag is answered 304.
	rec := c.get(css)
	req, _ := http.NewRequest(http.MethodGet, css, nil)
	req.Header.Set("If-None-Match", rec.Header().Get("ETag"))
	if r := c.do(req); r.Code != http.StatusNotModified {
		t.Errorf("conditional GET: status %d, want 304", r.Code)
	}
}

// TestSecurityHeaders checks the headers every page carries.
func TestSecurityHeaders(t *testing.T) {
	e := newEnv(t)
	tok := e.token()
	for _, path := range []string{"/s/" + tok, "/s/nope", "/healthz"} {
		rec := e.client().get(path)
		h := rec.Header()
		if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") {
			t.Errorf("%s: CSP %q lacks default-src 'self'", path, csp)
		}
		for k, want := range map[string]string{"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY"} {
			if got := h.Get(k); got != want {
				t.Errorf("%s: %s %q, want %q", path, k, got, want)
			}
		}
	}
	rec := e.client().get("/s/" + tok)
	if got := rec.Header().Get("Cache-Control"); got != "no-store" {
		t.Errorf("survey page Cache-Control %q, want no-store", got)
	}
	if body := rec.Body.String(); strings.Contains(body, "http://") || strings.Contains(body, "https://") || strings.Contains(body, " style=") {
		t.Errorf("survey page refers to another host or uses inline styles")
	}
}

var reAssetVersion = regexp.MustCompile(`\?v=[0-9a-f]+`)

// TestGolden compares key pages with testdata/*.golden.html; run
// `go test ./survey/web -run TestGolden -update` after an intended change.
func TestGolden(t *testing.T) {
	e := newEnv(t)
	tok := e.token()
	c := e.client()
	norm := func(s string) string {
		s = strings.ReplaceAll(s, tok, "TOKEN")
		s = strings.ReplaceAll(s, e.srv.csrfToken(tok), "CSRF")
		// Asset hashes change with every CSS edit; the pages do not.
		return reAssetVersion.ReplaceAllString(s, "?v=HASH")
	}
	pages := []struct {
		name string
		get  func() (int, string)
	}{
		{"welcome", func() (int, string) { r := c.get("/s/" + tok); return r.Code, r.Body.String() }},
		{"product-errors", func() (int, string) {
			c.answerUpTo(tok, "product")
			r := c.answerPage(tok, "product", url.Values{"prod_food": {"3"}, "prod_farm": {"12"}})
			return r.Code, r.Body.String()
		}},
		{"review-en", func() (int, string) {
			c.answerUpTo(tok, "")
			r := c.get("/s/" + tok + "?lang=en")
			return r.Code, r.Body.String()
		}},
	}
	for _, p := range pages {
		code, body := p.get()
		got := []byte(norm(body))
		file := filepath.Join("testdata", p.name+".golden.html")
		if *update {
			if err := os.WriteFile(file, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(file)
		if err != nil {
			t.Fatalf("%v (run with -update to create it)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s (status %d) differs from %s; run go test -run TestGolden -update and review the diff", p.name, code, file)
		}
	}
}

// TestUAClass checks the user-agent classes kept as paradata.
func TestUAClass(t *testing.T) {
	tests := []struct{ ua, want string }{
		{phoneUA, "mobile"},
		{androidUA, "mobile"},
		{"Mozilla/5.0 (Linux; Android 13; SM-X200) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120 Safari/537.36", "tablet"},
		{"Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) AppleWebKit/605.1.15", "tablet"},
		{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/126 Safari/537.36", "desktop"},
		{"Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/605.1.15 Safari/605.1.15", "desktop"},
		{"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "bot"},
		{"Go-http-client/1.1", "bot"},
		{"curl/8.5.0", "bot"},
		{"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/126.0 Safari/537.36", "bot"},
		{"Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) MicroMessenger/8.0", "mobile"},
		{"", "other"},
		{"Nokia6300/2.0", "other"},
	}
	for _, tt := range tests {
		if got := uaClass(tt.ua); got != tt.want {
			t.Errorf("uaClass(%q) = %q, want %q", tt.ua, got, tt.want)
		}
	}
}

// TestElapsed checks the time-on-page clamping.
func TestElapsed(t *testing.T) {
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	ms := func(d time.Duration) string { return strconv.FormatInt(now.Add(-d).UnixMilli(), 10) }
	tests := []struct {
		shown string
		want  time.Duration
	}{
		{ms(42 * time.Second), 42 * time.Second},
		{ms(-time.Minute), 0}, // a clock ahead of ours
		{ms(30 * time.Hour), maxOnPage},
		{"", 0},
		{"abc", 0},
		{"-5", 0},
	}
	for _, tt := range tests {
		if got := elapsed(tt.shown, now); got != tt.want {
			t.Errorf("elapsed(%q) = %v, want %v", tt.shown, got, tt.want)
		}
	}
}

// TestValidToken checks which paths reach the store.
func TestValidToken(t *testing.T) {
	tests := []struct {
		s    string
		want bool
	}{
		{"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", true},
		{"abc_DEF-0123456789", true},
		{"short", false},
		{strings.Repeat("a", 129), false},
		{"has space in it here", false},
		{"has/slash/in/it/here", false},
		{"中文中文中文中文中文中文", false},
	}
	for _, tt := range tests {
		if got := validToken(tt.s); got != tt.want {
			t.Errorf("validToken(%q) = %v, want %v", tt.s, got, tt.want)
		}
	}
}
