package web

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"manyi/survey"
)

// TestLimitsSharedByServers: the unknown-token and open-link brakes count
// in the database, so two servers on one database give an address one
// allowance between them, not one each. 20 misses on one server and 10 on
// the other use up the 30; the next miss on the first is refused, and so
// is one on the second. 6 open-link starts on one and 4 on the other use up
// the 10; the next start on the first is refused.
func TestLimitsSharedByServers(t *testing.T) {
	e, cfg := newOfficeEnvConfig(t)
	a := e.srv
	b, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	res := &env{t: t, srv: a, db: e.db, q: survey.DefaultQuestionnaire(), log: e.log}
	guesser := res.client()
	on := func(s *Server) { e.srv, res.srv = s, s }
	miss := func(k int) *http.Response {
		rec := guesser.get(fmt.Sprintf("/s/guess%017d", k))
		return rec.Result()
	}
	for k := 0; k < guessBurst; k++ {
		on(a)
		if k >= 20 {
			on(b)
		}
		if r := miss(k); r.StatusCode != http.StatusNotFound {
			t.Fatalf("miss %d: status %d, want 404", k, r.StatusCode)
		}
	}
	on(a)
	if r := miss(99); r.StatusCode != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" {
		t.Errorf("miss %d on the first server after %d in all: status %d, want 429 with Retry-After", guessBurst+1, guessBurst, r.StatusCode)
	}
	on(b)
	if r := miss(98); r.StatusCode != http.StatusTooManyRequests {
		t.Errorf("a miss on the second server after the allowance: status %d, want 429", r.StatusCode)
	}
	e.clock.Add(guessEvery * guessBurst)
	if r := miss(97); r.StatusCode != http.StatusNotFound {
		t.Errorf("a miss once the bucket refilled: status %d, want 404", r.StatusCode)
	}

	on(a)
	boss := e.client("10.9.0.1")
	boss.login("boss")
	if rec := boss.post("/app/m/demo-2026/openlink", url.Values{"csrf": {boss.csrf()}, "enabled": {"1"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("enable the open link: status %d", rec.Code)
	}
	m := regexp.MustCompile(`value="https://survey\.example\.cn(/o/[A-Za-z0-9_-]{22})"`).FindStringSubmatch(boss.get("/app/m/demo-2026/openlink").Body.String())
	if m == nil {
		t.Fatalf("no open link address on the settings page:\n%s", boss.get("/app/m/demo-2026/openlink").Body.String())
	}
	for k := 0; k < openBurst; k++ {
		on(a)
		if k >= 6 {
			on(b)
		}
		startedToken(t, openStart(t, res.client(), m[1]))
	}
	on(a)
	if rec := openStart(t, res.client(), m[1]); rec.Code != http.StatusTooManyRequests {
		t.Errorf("start %d on the first server after %d in all: status %d, want 429", openBurst+1, openBurst, rec.Code)
	}
}
