package main

import (
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestServeFirstAccount: `manyi serve` on a new database prints where and
// with which setup code the office creates its first account, the browser
// form takes that code and logs the new account in, and the code is not in
// the log.
func TestServeFirstAccount(t *testing.T) {
	dir := t.TempDir()
	bin := buildManyi(t, dir)
	srv := startServer(t, bin, filepath.Join(dir, "manyi.db"))
	m := regexp.MustCompile(`no staff accounts yet: create the office account at (\S+)/setup with the setup code ([A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4})`).FindStringSubmatch(srv.stdout.String())
	if m == nil || m[1] != srv.base {
		t.Fatalf("serve did not print the setup line for %s:\n%s", srv.base, srv.stdout)
	}
	c := newStaffClient(t)
	code, page, _ := c.do(t, http.MethodGet, srv.base+"/setup", nil, nil)
	if code != http.StatusOK {
		t.Fatalf("GET /setup: %d", code)
	}
	form := url.Values{"csrf": {formCSRF(t, page)}, "code": {m[2]}, "name": {"office1"}, "password": {"Erst-Konto-2027"}, "password2": {"Erst-Konto-2027"}}
	code, body, loc := c.do(t, http.MethodPost, srv.base+"/setup", form, nil)
	if code != http.StatusSeeOther || loc != "/app/users?done=first" {
		t.Fatalf("POST /setup: %d → %q\n%.800s", code, loc, body)
	}
	if code, body, _ := c.do(t, http.MethodGet, srv.base+"/app", nil, nil); code != http.StatusOK || !strings.Contains(body, "office1") {
		t.Errorf("GET /app as the new account: %d", code)
	}
	if code, _, _ := c.do(t, http.MethodGet, srv.base+"/setup", nil, nil); code != http.StatusNotFound {
		t.Errorf("GET /setup after setup: %d, want 404", code)
	}
	if strings.Contains(srv.stderr.String(), m[2]) {
		t.Error("the server log holds the setup code")
	}
}
