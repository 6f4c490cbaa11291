package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"manyi/survey/auth"
)

// withProxies rebuilds the staff test server on the same store with
// --trusted-proxy list.
func withProxies(t *testing.T, e *staffEnv, list string) {
	t.Helper()
	nets, err := ParseTrustedProxies(list)
	if err != nil {
		t.Fatal(err)
	}
	cfg := e.config()
	cfg.TrustedProxies = nets
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	e.srv = srv
}

// loginVia opens the login form and posts a wrong password for name from
// peer, both requests carrying X-Forwarded-For xff ("" for none).
func loginVia(t *testing.T, e *staffEnv, peer, xff, name string) *httptest.ResponseRecorder {
	t.Helper()
	c := e.client(peer)
	get := httptest.NewRequest(http.MethodGet, "/login", nil)
	if xff != "" {
		get.Header.Set("X-Forwarded-For", xff)
	}
	form := c.do(get)
	body := url.Values{"csrf": {csrfOf(t, form.Body.String())}, "name": {name}, "password": {"wrong-password-x"}}
	post := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(body.Encode()))
	post.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if xff != "" {
		post.Header.Set("X-Forwarded-For", xff)
	}
	return c.do(post)
}

// lastAuditIP is the address of the newest audit entry.
func lastAuditIP(t *testing.T, e *staffEnv) string {
	t.Helper()
	es, err := e.db.AuditLog(context.Background(), auth.AuditFilter{Limit: 1})
	if err != nil || len(es) == 0 {
		t.Fatalf("audit log: %v, %d entries", err, len(es))
	}
	return es[0].IP
}

// TestTrustedProxy (issue 13, finding 3): behind a proxy listed in
// --trusted-proxy the client address (audit log, login limit) is the real
// client from X-Forwarded-For; a client that is not a trusted proxy cannot
// choose its address with the header, and without --trusted-proxy the
// header is ignored.
func TestTrustedProxy(t *testing.T) {
	e := newStaffEnv(t, "")
	withProxies(t, e, "192.0.2.0/28, 2001:db8::1")
	tests := []struct {
		name, peer, xff, want string
	}{
		{"through the proxy", "192.0.2.5", "203.0.113.7", "203.0.113.7"},
		{"through the proxy, the client's own header before the proxy's entry", "192.0.2.5", "198.18.0.1, 203.0.113.9", "203.0.113.9"},
		{"two proxies", "192.0.2.5", "203.0.113.10, 192.0.2.6", "203.0.113.10"},
		{"no header through the proxy", "192.0.2.5", "", "192.0.2.5"},
		{"an untrusted client spoofing the header", "198.51.100.9", "203.0.113.8", "198.51.100.9"},
		{"an untrusted private address spoofing the header", "10.0.0.9", "203.0.113.8", "10.0.0.9"},
		{"garbage in the header", "192.0.2.5", "not-an-address", "192.0.2.5"},
	}
	for i, tt := range tests {
		if rec := loginVia(t, e, tt.peer, tt.xff, "someone"+strconv.Itoa(i)); rec.Code != http.StatusUnauthorized {
			t.Fatalf("%s: login status %d, want 401", tt.name, rec.Code)
		}
		if got := lastAuditIP(t, e); got != tt.want {
			t.Errorf("%s: audit address %q, want %q", tt.name, got, tt.want)
		}
	}

	// The login limit counts real clients behind the proxy, not the proxy:
	// a dozen offices each failing once are not one bucket.
	for i := 0; i < 2*auth.DefaultLimits.AddressBurst; i++ {
		rec := loginVia(t, e, "192.0.2.5", "203.0.113."+strconv.Itoa(100+i), "nobody"+strconv.Itoa(i))
		if rec.Code != http.StatusUnauthorized {
			t.Fatalf("client %d behind the proxy: status %d, want 401 (the proxy is not one bucket)", i, rec.Code)
		}
	}
	// A spoofing client stays one bucket whatever it writes in the header.
	var codes []int
	for i := 0; i < auth.DefaultLimits.AddressBurst+2; i++ {
		codes = append(codes, loginVia(t, e, "198.51.100.20", "203.0.113."+strconv.Itoa(i), "nobody"+strconv.Itoa(i)).Code)
	}
	if last := codes[len(codes)-1]; last != http.StatusTooManyRequests {
		t.Errorf("a spoofing client's attempts: %v; want the last ones 429", codes)
	}

	// Without --trusted-proxy the header means nothing.
	withProxies(t, e, "")
	loginVia(t, e, "192.0.2.5", "203.0.113.7", "someone")
	if got := lastAuditIP(t, e); got != "192.0.2.5" {
		t.Errorf("without trusted proxies: audit address %q, want the peer 192.0.2.5", got)
	}
}

func TestParseTrustedProxies(t *testing.T) {
	nets, err := ParseTrustedProxies(" 10.0.0.0/8, 192.0.2.10 ,2001:db8::/32,,")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, n := range nets {
		got = append(got, n.String())
	}
	if want := "10.0.0.0/8 192.0.2.10/32 2001:db8::/32"; strings.Join(got, " ") != want {
		t.Errorf("ParseTrustedProxies = %v, want %s", got, want)
	}
	for _, bad := range []string{"10.0.0.0/33", "proxy.example", "10.0.0"} {
		if _, err := ParseTrustedProxies(bad); err == nil || !strings.Contains(err.Error(), "CIDR") {
			t.Errorf("ParseTrustedProxies(%q) = %v, want an error naming CIDR", bad, err)
		}
	}
}
