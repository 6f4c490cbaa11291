package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"manyi/survey"
	"manyi/survey/demo"
	"manyi/survey/postgres/pgtest"
	"manyi/survey/sampling"
)

// multiPassword is the staff password of the multi-server tests.
const multiPassword = "Multi-server-pass-2026"

// multiFixture prepares a database for servers to share: the demo with
// simulated responses (so the results page has numbers), links printed
// for the residents, and a statistician account. It returns the links'
// tokens.
func multiFixture(t testing.TB, bin, db string, links int) []string {
	t.Helper()
	out, err := exec.Command(bin, "demo", "--db", db, "--responses", "150", "--invitations", strconv.Itoa(links), "--base-url", "http://example.invalid").CombinedOutput()
	if err != nil {
		t.Fatalf("manyi demo: %v\n%s", err, out)
	}
	var tokens []string
	for _, l := range strings.Fields(string(out)) {
		if tok, ok := strings.CutPrefix(l, "http://example.invalid/s/"); ok {
			tokens = append(tokens, tok)
		}
	}
	if len(tokens) != links {
		t.Fatalf("manyi demo printed %d links, want %d:\n%s", len(tokens), links, out)
	}
	pw := filepath.Join(t.TempDir(), "pw")
	os.WriteFile(pw, []byte(multiPassword+"\n"), 0o600)
	if out, err := exec.Command(bin, "user", "add", "--role", "statistician", "stat", "--db", db, "--password-file", pw).CombinedOutput(); err != nil {
		t.Fatalf("manyi user add: %v\n%s", err, out)
	}
	return tokens
}

// TestThreeServersOnePostgres runs three real `manyi serve` processes on
// one PostgreSQL database, as behind a load balancer, and checks that no
// server keeps anything that decides correctness to itself: a staff
// session made on one works on the others and logging out on one ends it
// on all; a resident whose pages alternate between the servers resumes
// each page correctly and ends with every answer stored; 200 residents
// finishing at once against a quota of 50 give exactly 50 completed
// responses; a weighting saved on one server is what the results page of
// another shows at once (or, while the new figures are computed, says so,
// never showing the old ones as current).
func TestThreeServersOnePostgres(t *testing.T) {
	runSharedChecks(t, pgtest.NewDatabase(t), 3)
}

// TestSharedChecksSQLite runs the same checks on one server over a
// SQLite file (one server process per file: see survey/sqlite's doc).
func TestSharedChecksSQLite(t *testing.T) {
	runSharedChecks(t, filepath.Join(t.TempDir(), "manyi.db"), 1)
}

// runSharedChecks starts n servers on db and runs the checks of
// TestThreeServersOnePostgres, each request going to the servers in turn.
func runSharedChecks(t *testing.T, db string, n int) {
	dir := t.TempDir()
	bin := buildManyi(t, dir)
	tokens := multiFixture(t, bin, db, 201)
	var srvs []*server
	for range n {
		srvs = append(srvs, startServer(t, bin, db))
	}
	var bases []string
	for _, s := range srvs {
		bases = append(bases, s.base)
	}
	st, err := openStore(db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	t.Run("sessions", func(t *testing.T) { checkSharedSessions(t, bases) })
	t.Run("resident alternating", func(t *testing.T) { checkAlternatingResident(t, st, bases, tokens[0]) })
	t.Run("quota of 50 for 200", func(t *testing.T) { checkQuotaRace(t, bin, db, st, bases, tokens[1:]) })
	t.Run("weighting", func(t *testing.T) { checkSharedWeighting(t, bases) })
	// Last: once refused, an address's requests for links get 429 for a
	// moment, real links included.
	t.Run("unknown-token brake", func(t *testing.T) { checkSharedGuessBrake(t, bases) })
	for _, s := range srvs {
		if strings.Contains(s.stderr.String(), "level=ERROR") {
			t.Errorf("server %s logged errors:\n%s", s.base, tail(s.stderr.String(), 3000))
		}
	}
}

// checkSharedGuessBrake opens 30 links that do not exist (the brake's
// burst), spread over the servers in turn, and checks that the next miss
// on every server is refused: the servers share one allowance per address.
func checkSharedGuessBrake(t *testing.T, bases []string) {
	c := newClient(2)
	get := func(base string, k int) int {
		resp, err := c.Get(fmt.Sprintf("%s/s/guess%017d", base, k))
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	for k := range 30 {
		if code := get(bases[k%len(bases)], k); code != http.StatusNotFound {
			t.Fatalf("miss %d on %s: %d, want 404", k+1, bases[k%len(bases)], code)
		}
	}
	for i, base := range bases {
		if code := get(base, 100+i); code != http.StatusTooManyRequests {
			t.Errorf("a miss on %s after 30 in all: %d, want 429", base, code)
		}
	}
}

// staffClient is a browser of a staff member: one cookie jar for every
// server (cookies do not depend on the port, as in a browser behind one
// address), redirects left to the caller.
type staffClient struct {
	c *http.Client
}

func newStaffClient(t testing.TB) *staffClient {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	c := newClient(4)
	c.Jar = jar
	return &staffClient{c: c}
}

// do sends a request and returns the status, body and Location.
func (s *staffClient) do(t testing.TB, method, u string, form url.Values, cookie *http.Cookie) (int, string, string) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	var resp *http.Response
	if cookie != nil {
		// A request with exactly this cookie, not the jar's.
		req.AddCookie(cookie)
		c := *s.c
		c.Jar = nil
		resp, err = c.Do(req)
	} else {
		resp, err = s.c.Do(req)
	}
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header.Get("Location")
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// formCSRF returns the first staff form's CSRF token of a page.
func formCSRF(t testing.TB, page string) string {
	t.Helper()
	m := csrfField.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no csrf field in the page:\n%.500s", page)
	}
	return m[1]
}

// login logs in as stat on base.
func (s *staffClient) login(t testing.TB, base string) {
	t.Helper()
	code, page, _ := s.do(t, http.MethodGet, base+"/login", nil, nil)
	if code != http.StatusOK {
		t.Fatalf("GET /login: %d", code)
	}
	code, body, loc := s.do(t, http.MethodPost, base+"/login", url.Values{"csrf": {formCSRF(t, page)}, "name": {"stat"}, "password": {multiPassword}}, nil)
	if code != http.StatusSeeOther || strings.HasPrefix(loc, "/login") {
		t.Fatalf("POST /login on %s: %d → %q\n%.800s", base, code, loc, body)
	}
}

// sessionCookie returns the jar's staff session cookie for base.
func (s *staffClient) sessionCookie(t testing.TB, base string) *http.Cookie {
	t.Helper()
	u, _ := url.Parse(base)
	for _, c := range s.c.Jar.Cookies(u) {
		if c.Name == "manyi_session" {
			return c
		}
	}
	t.Fatal("no manyi_session cookie after login")
	return nil
}

// checkSharedSessions logs in on the first server, uses the session on
// the others, logs out on the last and checks that the old cookie is
// refused by every server.
func checkSharedSessions(t *testing.T, bases []string) {
	s := newStaffClient(t)
	s.login(t, bases[0])
	ck := s.sessionCookie(t, bases[0])
	for _, b := range bases {
		if code, body, loc := s.do(t, http.MethodGet, b+"/app", nil, nil); code != http.StatusOK {
			t.Fatalf("GET /app on %s with the session made on %s: %d → %q\n%.300s", b, bases[0], code, loc, body)
		}
	}
	_, page, _ := s.do(t, http.MethodGet, bases[len(bases)/2]+"/app", nil, nil)
	last := bases[len(bases)-1]
	if code, _, loc := s.do(t, http.MethodPost, last+"/logout", url.Values{"csrf": {formCSRF(t, page)}}, nil); code != http.StatusSeeOther || loc != "/login" {
		t.Fatalf("POST /logout on %s: %d → %q", last, code, loc)
	}
	for _, b := range bases {
		code, _, loc := s.do(t, http.MethodGet, b+"/app", nil, ck)
		if code == http.StatusOK || !strings.HasPrefix(loc, "/login") {
			t.Errorf("GET /app on %s with the session ended on %s: %d → %q, want a redirect to /login", b, last, code, loc)
		}
	}
}

// checkAlternatingResident answers one invitation with every request
// going to the next server in turn, and checks the stored response.
func checkAlternatingResident(t *testing.T, st survey.Store, bases []string, token string) {
	ctx := context.Background()
	q := survey.DefaultQuestionnaire()
	r := &resident{client: newClient(1), token: token, q: q, rng: rand.New(rand.NewPCG(3, 3)), given: survey.Answers{}}
	var acks []ack
	for i := 0; ; i++ {
		if i > 2*len(q.Pages)+4 {
			t.Fatalf("no submission after %d pages", i)
		}
		// GET and POST of one page on different servers too.
		r.base = bases[i%len(bases)]
		a, _, err := r.stepAcross(ctx, bases[(i+1)%len(bases)])
		if err != nil {
			t.Fatalf("page %d: %v", i, err)
		}
		if a == nil {
			break
		}
		acks = append(acks, *a)
	}
	checkAcked(t, st, q, acks)
	s, err := st.OpenSession(ctx, token)
	if err != nil || s.Response == nil || s.Response.Status != survey.RespSubmitted {
		t.Fatalf("after the review on alternating servers: %+v, %v; want submitted", s, err)
	}
	for _, b := range bases {
		r.base = b
		body, code, err := r.do(ctx, http.MethodGet, "/s/"+token, nil)
		if err != nil || code != http.StatusOK || hiddenFields(body).Get("_page") != "" {
			t.Errorf("GET the submitted link on %s: %d, %v; want the final page without a form", b, code, err)
		}
	}
}

// stepAcross is resident.step with the page shown by r.base and the
// answers posted to the server postTo.
func (r *resident) stepAcross(ctx context.Context, postTo string) (*ack, stepTimes, error) {
	orig := r.client
	defer func() { r.client = orig }()
	r.client = &http.Client{Timeout: orig.Timeout, CheckRedirect: orig.CheckRedirect, Transport: rewriteTransport{base: orig.Transport, postHost: postTo}}
	return r.step(ctx)
}

// rewriteTransport sends POSTs to another server.
type rewriteTransport struct {
	base     http.RoundTripper
	postHost string // http://host:port
}

func (rt rewriteTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method == http.MethodPost {
		u, err := url.Parse(rt.postHost)
		if err != nil {
			return nil, err
		}
		req = req.Clone(req.Context())
		req.URL.Host = u.Host
		req.Host = u.Host
	}
	return rt.base.RoundTrip(req)
}

// checkQuotaRace sets a quota of 50 on every cell, lets 200 residents of
// one cell (district d1, women, aged 35) answer at once, spread over the
// servers, and checks that exactly 50 completed and the others ended as
// quota full.
func checkQuotaRace(t *testing.T, bin, db string, st survey.Store, bases []string, tokens []string) {
	const (
		target    = 50
		residents = 200
	)
	if len(tokens) < residents {
		t.Fatalf("%d tokens, want %d", len(tokens), residents)
	}
	var b strings.Builder
	b.WriteString("district,gender,age_band,target\n")
	for _, d := range demo.Measurement().Districts {
		for _, g := range []string{"男", "女"} {
			for _, a := range sampling.AgeBands {
				fmt.Fprintf(&b, "%s,%s,%s,%d\n", d.Code, g, a, target)
			}
		}
	}
	f := filepath.Join(t.TempDir(), "targets.csv")
	os.WriteFile(f, []byte(b.String()), 0o600)
	if out, err := exec.Command(bin, "quota", "set", "--db", db, "--measurement", demo.ID, "--targets", f, "--allow-over", "false").CombinedOutput(); err != nil {
		t.Fatalf("manyi quota set: %v\n%s", err, out)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	q := survey.DefaultQuestionnaire()
	client := newClient(residents)
	var (
		wg        sync.WaitGroup
		finals    atomic.Int64
		submitted atomic.Int64
		errs      = make(chan error, residents)
	)
	for i := range residents {
		wg.Go(func() {
			r := &resident{client: client, base: bases[i%len(bases)], token: tokens[i], q: q, rng: rand.New(rand.NewPCG(uint64(i), 9)), given: survey.Answers{},
				fixed: survey.Answers{"district": {"d1"}, "gender": {"f"}}}
			for n := 0; ; n++ {
				r.base = bases[(i+n)%len(bases)]
				a, _, err := r.step(ctx)
				if errors.Is(err, errFinal) {
					finals.Add(1)
					return
				}
				if err != nil {
					errs <- fmt.Errorf("resident %d: %w", i, err)
					return
				}
				if a == nil {
					submitted.Add(1)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	var done, full int
	for _, tok := range tokens[:residents] {
		s, err := st.OpenSession(ctx, tok)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case s.Response == nil:
			t.Errorf("a resident's response is missing")
		case s.Response.Status == survey.RespSubmitted:
			done++
		case s.Response.Status == survey.RespQuotaFull:
			full++
		default:
			t.Errorf("a resident's response ended %s", s.Response.Status)
		}
	}
	t.Logf("%d completed, %d quota full (clients saw %d submissions, %d final pages)", done, full, submitted.Load(), finals.Load())
	if done != target || full != residents-target {
		t.Errorf("200 residents against a quota of %d: %d completed and %d quota full, want exactly %d and %d", target, done, full, target, residents-target)
	}
}

var weightingVersion = regexp.MustCompile(`加权第 (\d+) 版`)

// resultsView is what the results page says about its weighting.
func resultsView(t testing.TB, s *staffClient, base string) (version int, updating bool) {
	t.Helper()
	code, body, loc := s.do(t, http.MethodGet, base+"/app/m/"+demo.ID+"/results", nil, nil)
	if code != http.StatusOK {
		t.Fatalf("GET results on %s: %d → %q\n%.500s", base, code, loc, body)
	}
	m := weightingVersion.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("the results page of %s names no weighting version:\n%.1500s", base, body)
	}
	v, _ := strconv.Atoi(m[1])
	return v, strings.Contains(body, "data-updating")
}

// checkSharedWeighting views the results on every server (so each has
// them cached), saves a new weighting on the first and checks the results
// page of each other server: it shows the new version, or says it is
// being updated and then shows it; it never shows the old version as
// current.
func checkSharedWeighting(t *testing.T, bases []string) {
	s := newStaffClient(t)
	s.login(t, bases[0])
	before := 0
	for _, b := range bases {
		deadline := time.Now().Add(time.Minute)
		for {
			v, updating := resultsView(t, s, b)
			if !updating {
				before = v
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("results on %s still updating after a minute", b)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	_, page, _ := s.do(t, http.MethodGet, bases[0]+"/app/m/"+demo.ID+"/weighting", nil, nil)
	form := url.Values{"csrf": {formCSRF(t, page)}, "design_weights": {"1"}, "calibration": {"poststratify"},
		"margin": {"gender,age_band"}, "method": {"equal"}, "action": {"save"}}
	code, body, loc := s.do(t, http.MethodPost, bases[0]+"/app/m/"+demo.ID+"/weighting", form, nil)
	if code != http.StatusSeeOther || !strings.Contains(loc, "saved=") {
		t.Fatalf("saving the weighting on %s: %d → %q\n%.800s", bases[0], code, loc, body)
	}
	saved, _ := strconv.Atoi(loc[strings.Index(loc, "saved=")+len("saved="):])
	if saved <= before {
		t.Fatalf("saved weighting version %d, want above %d", saved, before)
	}
	others := bases[1:]
	if len(others) == 0 {
		others = bases
	}
	for _, b := range others {
		deadline := time.Now().Add(time.Minute)
		for first := true; ; first = false {
			v, updating := resultsView(t, s, b)
			if !updating && v != saved {
				t.Fatalf("results on %s after the save on %s: weighting version %d shown as current, want %d", b, bases[0], v, saved)
			}
			if !updating {
				t.Logf("%s: version %d shown (%s)", b, v, map[bool]string{true: "on the first view", false: "after being marked as updating"}[first])
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("results on %s still updating a minute after the save", b)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
}

// TestKillOneOfThreeServers runs three servers on one PostgreSQL
// database under the residents' load, each page going to the next live
// server, kills one of them with SIGKILL in the middle, and checks that
// every page acknowledged with a 303 (by any server, the killed one
// included) is stored with the answers sent; the residents then finish on
// the two others, as a load balancer would send them there.
func TestKillOneOfThreeServers(t *testing.T) {
	const (
		links     = 60
		residents = 30
		killAfter = 250
	)
	db := pgtest.NewDatabase(t)
	dir := t.TempDir()
	bin := buildManyi(t, dir)
	tokens := multiFixture(t, bin, db, links)
	var srvs []*server
	for range 3 {
		srvs = append(srvs, startServer(t, bin, db))
	}
	st, err := openStore(db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	q := survey.DefaultQuestionnaire()
	client := newClient(residents)
	var (
		mu      sync.Mutex
		acks    []ack
		killed  atomic.Bool
		nacks   atomic.Int64
		next    atomic.Int64
		retries atomic.Int64
		wg      sync.WaitGroup
		errs    = make(chan error, residents)
	)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	killNow := make(chan struct{})
	live := func(turn int) string {
		if killed.Load() {
			return srvs[1+turn%2].base
		}
		return srvs[turn%3].base
	}
	for w := range residents {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), 5))
			turn := w
			for {
				i := int(next.Add(1)) - 1
				if i >= len(tokens) {
					return
				}
				r := &resident{client: client, token: tokens[i], q: q, rng: rng, given: survey.Answers{}}
				for fails := 0; ; {
					turn++
					r.base = live(turn)
					wasKilled := killed.Load()
					a, _, err := r.step(ctx)
					if errors.Is(err, errFinal) {
						break
					}
					if err != nil {
						// A request to the server being killed fails: the
						// resident tries again on a live one (what the
						// load balancer does), with the answers the
						// database holds.
						if !wasKilled || r.base == srvs[0].base {
							if fails++; fails < 20 {
								retries.Add(1)
								if s, serr := st.OpenSession(ctx, r.token); serr == nil && s.Response != nil {
									r.given = s.Response.Answers
								}
								time.Sleep(50 * time.Millisecond)
								continue
							}
						}
						errs <- fmt.Errorf("resident %d: %w", i, err)
						return
					}
					if a == nil {
						break
					}
					mu.Lock()
					acks = append(acks, *a)
					mu.Unlock()
					if nacks.Add(1) == killAfter {
						close(killNow)
					}
				}
			}
		})
	}
	select {
	case <-killNow:
	case err := <-errs:
		t.Fatalf("before the kill: %v", err)
	case <-ctx.Done():
		t.Fatalf("only %d pages acknowledged before the deadline, want %d", nacks.Load(), killAfter)
	}
	mu.Lock()
	killed.Store(true)
	srvs[0].kill(t)
	atKill := len(acks)
	mu.Unlock()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	t.Logf("killed one server after %d acknowledged pages; %d pages acknowledged in all, %d requests retried on a live server", atKill, len(acks), retries.Load())
	checkAcked(t, st, q, acks)
	submitted := 0
	for _, tok := range tokens {
		s, err := st.OpenSession(ctx, tok)
		if err != nil {
			t.Fatal(err)
		}
		if s.Response != nil && s.Response.Status == survey.RespSubmitted {
			submitted++
		}
	}
	if submitted != len(tokens) {
		t.Errorf("%d of %d residents submitted after finishing on the live servers, want all", submitted, len(tokens))
	}
}
