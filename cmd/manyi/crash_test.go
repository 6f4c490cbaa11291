package main

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"html"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"manyi/survey"
	"manyi/survey/sqlite"
)

// This file holds the crash test and the resident client it shares with
// the load benchmark: a program that answers the survey over HTTP the way
// a phone without JavaScript does (GET the page, read its hidden fields,
// POST valid answers, follow the 303).

var (
	hiddenRE = regexp.MustCompile(`<input[^>]*type="hidden"[^>]*>`)
	attrRE   = regexp.MustCompile(`(name|value)="([^"]*)"`)
)

// hiddenFields returns the hidden inputs of a page (_page, _csrf, _shown).
func hiddenFields(body string) url.Values {
	v := url.Values{}
	for _, tag := range hiddenRE.FindAllString(body, -1) {
		var name, value string
		for _, m := range attrRE.FindAllStringSubmatch(tag, -1) {
			if m[1] == "name" {
				name = html.UnescapeString(m[2])
			} else {
				value = html.UnescapeString(m[2])
			}
		}
		if name != "" {
			v.Set(name, value)
		}
	}
	return v
}

// answerPage picks valid answers for the visible items of page p given the
// answers so far: the first value of each item that does not screen the
// resident out (age 35, resident, consenting), random scale ratings with an
// occasional don't-know, suggestions now and then.
func answerPage(q *survey.Questionnaire, p *survey.Page, prior survey.Answers, rng *rand.Rand) survey.Answers {
	acc := prior.Merge(nil)
	page := survey.Answers{}
	set := func(id string, v ...string) {
		page[id] = v
		acc[id] = v
	}
	for i := range p.Items {
		it := &p.Items[i]
		if it.When != nil && !it.When.Holds(acc) {
			continue
		}
		switch it.Type {
		case survey.TypeScale:
			if it.Scale.DontKnow != nil && rng.IntN(20) == 0 {
				set(it.ID, it.Scale.DontKnow.Code)
			} else {
				set(it.ID, strconv.Itoa(it.Scale.Min+rng.IntN(it.Scale.Max-it.Scale.Min+1)))
			}
		case survey.TypeNumber:
			v := 35.0
			if it.Role != "age" && it.Min != nil {
				v = *it.Min
			}
			set(it.ID, strconv.FormatFloat(v, 'f', -1, 64))
		case survey.TypeSingle:
			for _, j := range rng.Perm(len(it.Choices)) {
				set(it.ID, it.Choices[j].Code)
				if out, _ := q.ScreenedOut(acc); !out {
					break
				}
			}
			if out, _ := q.ScreenedOut(acc); out { // rank order: try them all
				for _, c := range it.Choices {
					set(it.ID, c.Code)
					if out, _ := q.ScreenedOut(acc); !out {
						break
					}
				}
			}
		case survey.TypeMulti:
			n := max(it.MinChoices, 1)
			var codes []string
			for _, c := range it.Choices[:min(n, len(it.Choices))] {
				codes = append(codes, c.Code)
			}
			set(it.ID, codes...)
		case survey.TypeText:
			if it.Required || rng.IntN(4) == 0 {
				set(it.ID, "希望加强监管 "+strconv.Itoa(rng.IntN(1000)))
			}
		}
	}
	return page
}

// resident answers one invitation over HTTP.
type resident struct {
	client *http.Client // must not follow redirects
	base   string       // http://host:port
	token  string
	q      *survey.Questionnaire
	rng    *rand.Rand
	given  survey.Answers // everything acknowledged so far
	lang   string         // "en" sends the language cookie; "" is the Chinese default
	// fixed, when set, overrides the picked answers of these items (a
	// quota test puts every resident in one cell).
	fixed survey.Answers
}

// ack is one page the server acknowledged with 303: it must be stored.
type ack struct {
	token   string
	page    string
	answers survey.Answers
}

// errFinal means the link shows a final page (no form): nothing to answer.
var errFinal = errors.New("final page")

// statusError is an answer with an unexpected status; the fault tests
// look at its status and page.
type statusError struct {
	what   string
	status int
	body   string
}

func (e *statusError) Error() string {
	return fmt.Sprintf("%s: status %d: %.300s", e.what, e.status, e.body)
}

// stepTimes are the durations of the two requests of one step.
type stepTimes struct{ get, post time.Duration }

// step shows the current page and answers it. It returns the acknowledged
// page (nil after submitting the review), errFinal when the link shows a
// final page.
func (r *resident) step(ctx context.Context) (*ack, stepTimes, error) {
	var st stepTimes
	t0 := time.Now()
	body, status, err := r.do(ctx, http.MethodGet, "/s/"+r.token, nil)
	st.get = time.Since(t0)
	if err != nil {
		return nil, st, err
	}
	if status != http.StatusOK {
		return nil, st, &statusError{what: "GET page", status: status, body: body}
	}
	form := hiddenFields(body)
	page := form.Get("_page")
	if page == "" {
		return nil, st, errFinal
	}
	if form.Get("_csrf") == "" {
		return nil, st, fmt.Errorf("GET page %s: no _csrf field", page)
	}
	var given survey.Answers
	if page == "review" {
		form.Set("_nav", "submit")
	} else {
		p, _ := r.q.Page(page)
		if p == nil {
			return nil, st, fmt.Errorf("GET page: unknown _page %q", page)
		}
		given = answerPage(r.q, p, r.given, r.rng)
		for id, vs := range r.fixed {
			if _, ok := given[id]; ok {
				given[id] = vs
			}
		}
		for id, vs := range given {
			for _, v := range vs {
				form.Add(id, v)
			}
		}
		form.Set("_nav", "next")
	}
	t1 := time.Now()
	body, status, err = r.do(ctx, http.MethodPost, "/s/"+r.token, form)
	st.post = time.Since(t1)
	if err != nil {
		return nil, st, err
	}
	if status != http.StatusSeeOther {
		return nil, st, &statusError{what: "POST page " + page, status: status, body: body}
	}
	if page == "review" {
		return nil, st, nil
	}
	r.given = r.given.Merge(given)
	return &ack{token: r.token, page: page, answers: given}, st, nil
}

func (r *resident) do(ctx context.Context, method, path string, form url.Values) (string, int, error) {
	var rd io.Reader
	if form != nil {
		rd = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, r.base+path, rd)
	if err != nil {
		return "", 0, err
	}
	req.Header.Set("User-Agent", "Mozilla/5.0 (Linux; Android 14; Pixel 8) Mobile Safari/537.36")
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if r.lang != "" {
		req.AddCookie(&http.Cookie{Name: "lang", Value: r.lang})
	}
	resp, err := r.client.Do(req)
	if err != nil {
		return "", 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), resp.StatusCode, err
}

// newClient is an HTTP client for many residents on one host that leaves
// redirects to the caller.
func newClient(conns int) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = conns
	tr.MaxIdleConnsPerHost = conns
	return &http.Client{
		Transport:     tr,
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// buildManyi builds the real binary into dir.
func buildManyi(t testing.TB, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "manyi")
	gobin, err := exec.LookPath("go")
	if err != nil {
		gobin = filepath.Join(os.Getenv("GOROOT"), "bin", "go")
	}
	out, err := exec.Command(gobin, "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// server is a running `manyi serve`.
type server struct {
	cmd    *exec.Cmd
	base   string
	stdout *lockedBuffer
	stderr *lockedBuffer
	done   chan error
}

// lockedBuffer collects a child's stderr for failure messages.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.b.Len() < 1<<20 {
		l.b.Write(p)
	}
	return len(p), nil
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startServer runs `manyi serve` on a free port and waits for its
// "listening on" line.
func startServer(t testing.TB, bin, db string, flags ...string) *server {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve", "--db", db, "--addr", "127.0.0.1:0"}, flags...)...)
	cmd.Env = append(os.Environ(), "MANYI_SECRET=") // the secret stored in the database
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	s := &server{cmd: cmd, stdout: &lockedBuffer{}, stderr: &lockedBuffer{}, done: make(chan error, 1)}
	cmd.Stderr = s.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			s.stdout.Write([]byte(sc.Text() + "\n"))
			if rest, ok := strings.CutPrefix(sc.Text(), "listening on "); ok {
				found <- rest
			}
		}
		io.Copy(io.Discard, stdout)
	}()
	go func() { s.done <- cmd.Wait() }()
	select {
	case s.base = <-found:
	case err := <-s.done:
		t.Fatalf("manyi serve exited before listening: %v\n%s", err, s.stderr)
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("manyi serve did not print its address in 30 s\n%s", s.stderr)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			<-s.done
		}
	})
	return s
}

// demoTokens creates the demo measurement in db with `manyi demo` and
// returns the tokens of its n invitation links.
func demoTokens(t testing.TB, bin, db string, n int) []string {
	t.Helper()
	out, err := exec.Command(bin, "demo", "--db", db, "--invitations", strconv.Itoa(n), "--base-url", "http://example.invalid").Output()
	if err != nil {
		t.Fatalf("manyi demo: %v", err)
	}
	var tokens []string
	for _, l := range strings.Fields(string(out)) {
		_, tok, ok := strings.Cut(l, "/s/")
		if !ok || !strings.HasPrefix(l, "http://example.invalid/s/") {
			t.Fatalf("manyi demo printed %q, want links ending in /s/<token>", l)
		}
		tokens = append(tokens, tok)
	}
	if len(tokens) != n {
		t.Fatalf("manyi demo printed %d links, want %d", len(tokens), n)
	}
	return tokens
}

// kill sends SIGKILL and waits for the process to be gone.
func (s *server) kill(t testing.TB) {
	t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatalf("SIGKILL: %v", err)
	}
	<-s.done
}

// TestServeDemo checks the wiring of `manyi serve`: --demo creates the
// demo once and prints links that work, /healthz answers, SIGTERM shuts
// down cleanly, and without --demo nothing is seeded.
func TestServeDemo(t *testing.T) {
	dir := t.TempDir()
	bin := buildManyi(t, dir)
	db := filepath.Join(dir, "new", "manyi.db")
	srv := startServer(t, bin, db, "--demo")
	var links []string
	for _, l := range strings.Split(srv.stdout.String(), "\n") {
		if l = strings.TrimSpace(l); strings.HasPrefix(l, srv.base+"/s/") {
			links = append(links, l)
		}
	}
	if len(links) != 5 {
		t.Fatalf("serve --demo printed %d links, want 5:\n%s", len(links), srv.stdout)
	}
	r := &resident{client: newClient(1), base: srv.base}
	ctx := context.Background()
	if body, status, err := r.do(ctx, http.MethodGet, "/healthz", nil); err != nil || status != http.StatusOK || body != "ok" {
		t.Errorf("GET /healthz: got %d %q, %v; want 200 ok", status, body, err)
	}
	body, status, err := r.do(ctx, http.MethodGet, strings.TrimPrefix(links[0], srv.base), nil)
	if err != nil || status != http.StatusOK || hiddenFields(body).Get("_page") == "" {
		t.Errorf("GET %s…: got %d, %v, form %v; want 200 and the first page's form", links[0][:len(srv.base)+6], status, err, hiddenFields(body))
	}
	if _, status, _ := r.do(ctx, http.MethodGet, "/s/AAAAAAAAAAAAAAAAAAAAAA", nil); status != http.StatusNotFound {
		t.Errorf("GET an unknown link: got %d, want 404", status)
	}
	stop := func(s *server) {
		t.Helper()
		s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-s.done:
			if err != nil {
				t.Errorf("after SIGTERM: %v, want exit 0\n%s", err, s.stderr)
			}
		case <-time.After(15 * time.Second):
			t.Fatal("serve did not stop within 15 s of SIGTERM")
		}
	}
	stop(srv)

	// A second --demo finds the demo and creates nothing.
	srv = startServer(t, bin, db, "--demo")
	if strings.Contains(srv.stdout.String(), "/s/") || !strings.Contains(srv.stdout.String(), "already exists") {
		t.Errorf("second serve --demo printed %q, want no links and a note that the demo exists", srv.stdout)
	}
	stop(srv)

	// Without --demo a fresh database stays empty.
	empty := filepath.Join(dir, "empty.db")
	stop(startServer(t, bin, empty))
	st, err := sqlite.Open(empty)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if ms, err := st.Measurements(ctx); err != nil || len(ms) != 0 {
		t.Errorf("serve without --demo: got %d measurements, %v; want none", len(ms), err)
	}
	if _, err := st.Measurement(ctx, "demo-2026"); survey.ErrorCode(err) != survey.ENOTFOUND {
		t.Errorf("serve without --demo: demo lookup got %v, want ENOTFOUND", err)
	}

	// The demo command refuses nonsense with status 2.
	for _, args := range [][]string{{"demo", "--db", db, "--invitations", "0"}, {"demo", "--db", db, "extra"}} {
		err := exec.Command(bin, args...).Run()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 2 {
			t.Errorf("manyi %v: got %v, want exit status 2", args, err)
		}
	}
}

// TestCrashKeepsAcknowledgedPages runs the real binary while 40 residents
// answer concurrently, kills it with SIGKILL in the middle of the load,
// restarts it on the same file, and does so three times in a row. After
// each kill it checks that every page that got a 303 is in the database
// with exactly the answers sent, that every survey whose final submit got
// a 303 is submitted, and that no invitation has two responses and no page
// is half-written (PRAGMA integrity_check included). Then the restarted
// server finishes ten residents' surveys from where they stopped.
func TestCrashKeepsAcknowledgedPages(t *testing.T) {
	const (
		links     = 150
		residents = 40
		kills     = 3
		killAfter = 200 // acknowledged pages in each round before its kill
	)
	dir := t.TempDir()
	bin := buildManyi(t, dir)
	db := filepath.Join(dir, "data", "manyi.db")
	tokens := demoTokens(t, bin, db, links)
	q := survey.DefaultQuestionnaire()
	client := newClient(residents)
	ctx := context.Background()

	var acked []ack        // every page acknowledged, over all rounds, in order
	var submitted []string // tokens whose final submit was acknowledged
	srv := startServer(t, bin, db)
	for round := 1; round <= kills; round++ {
		// Resume every survey not yet submitted from what the database holds,
		// as a resident reopening the link would.
		st, err := sqlite.Open(db)
		if err != nil {
			t.Fatalf("round %d: open: %v", round, err)
		}
		var open []*resident
		for i, tok := range tokens {
			s, err := st.OpenSession(ctx, tok)
			if err != nil {
				t.Fatal(err)
			}
			given := survey.Answers{}
			if s.Response != nil {
				if s.Response.Status != survey.RespInProgress {
					continue
				}
				given = s.Response.Answers
			}
			open = append(open, &resident{client: client, base: srv.base, token: tok, q: q, rng: rand.New(rand.NewPCG(uint64(i), uint64(round))), given: given})
		}
		st.Close()
		a, sub := loadUntilKill(t, srv, open, residents, killAfter)
		acked, submitted = append(acked, a...), append(submitted, sub...)
		t.Logf("round %d: killed after %d acknowledged pages and %d submits (%d pages, %d submits in all)", round, len(a), len(sub), len(acked), len(submitted))

		// Restart on the same file: recovery runs on open.
		srv = startServer(t, bin, db)
		st, err = sqlite.Open(db)
		if err != nil {
			t.Fatalf("reopen after kill %d: %v", round, err)
		}
		checkAcked(t, st, q, acked)
		checkSubmitted(t, st, submitted)
		checkWhole(t, st, db)
		st.Close()
		if t.Failed() {
			t.Fatalf("after kill %d: acknowledged data lost or damaged\nserver log:\n%s", round, srv.stderr)
		}
	}

	// The restarted server still works: finish ten residents' surveys from
	// where they stopped.
	st, err := sqlite.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	finished := 0
	for _, tok := range tokens {
		if finished == 10 {
			break
		}
		s, err := st.OpenSession(ctx, tok)
		if err != nil {
			t.Fatal(err)
		}
		if s.Response == nil || s.Response.Status != survey.RespInProgress {
			continue
		}
		r := &resident{client: client, base: srv.base, token: tok, q: q, rng: rand.New(rand.NewPCG(7, 7)), given: s.Response.Answers}
		for steps := 0; ; steps++ {
			a, _, err := r.step(ctx)
			if err != nil {
				t.Fatalf("after restart, resident %s…: %v\nserver log:\n%s", tok[:4], err, srv.stderr)
			}
			if a == nil {
				break
			}
			if steps > len(q.Pages)+2 {
				t.Fatalf("after restart: resident did not reach the review page in %d steps", steps)
			}
		}
		s, err = st.OpenSession(ctx, tok)
		if err != nil || s.Response.Status != survey.RespSubmitted {
			t.Fatalf("after restart: response status %v, %v, want submitted", s.Response, err)
		}
		// The link now shows the final page and refuses answers.
		body, status, err := r.do(ctx, http.MethodGet, "/s/"+tok, nil)
		if err != nil || status != http.StatusOK || hiddenFields(body).Get("_page") != "" {
			t.Fatalf("GET after submit: status %d, %v, form fields %v; want 200 and no form", status, err, hiddenFields(body))
		}
		finished++
	}
	if finished == 0 {
		t.Fatal("no response was left in progress to finish after the restarts")
	}
	checkWhole(t, st, db)
}

// loadUntilKill lets workers answer the residents' surveys concurrently on
// srv and kills it with SIGKILL once killAfter pages have been
// acknowledged. It returns the pages and the final submits that got their
// 303 before the kill; answers that arrive after it are not counted.
func loadUntilKill(t *testing.T, srv *server, rs []*resident, workers, killAfter int) (acked []ack, submitted []string) {
	t.Helper()
	var (
		mu     sync.Mutex
		nacks  atomic.Int64
		killed atomic.Bool
		next   atomic.Int64
		wg     sync.WaitGroup
		errs   = make(chan error, workers)
	)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	killNow := make(chan struct{})
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(rs) {
					return
				}
				r := rs[i]
				for {
					a, _, err := r.step(ctx)
					if killed.Load() {
						return // errors after the kill are expected
					}
					if errors.Is(err, errFinal) {
						break
					}
					if err != nil {
						errs <- fmt.Errorf("resident %d: %w", i, err)
						return
					}
					mu.Lock()
					if killed.Load() {
						mu.Unlock()
						return // answered after the kill began: not counted
					}
					if a == nil {
						submitted = append(submitted, r.token)
					} else {
						acked = append(acked, *a)
					}
					mu.Unlock()
					if a == nil {
						break
					}
					if nacks.Add(1) == int64(killAfter) {
						close(killNow)
					}
				}
			}
		})
	}
	select {
	case <-killNow:
	case err := <-errs:
		t.Fatalf("before the kill: %v\nserver log:\n%s", err, srv.stderr)
	case <-ctx.Done():
		t.Fatalf("only %d pages acknowledged before the deadline, want %d", nacks.Load(), killAfter)
	}
	// Kill under the lock: every ack recorded so far got its 303 before
	// the process died.
	mu.Lock()
	killed.Store(true)
	srv.kill(t)
	acked, submitted = slices.Clone(acked), slices.Clone(submitted)
	mu.Unlock()
	wg.Wait()
	return acked, submitted
}

// checkSubmitted checks that every survey whose final submit was
// acknowledged is stored as submitted.
func checkSubmitted(t *testing.T, st *sqlite.DB, tokens []string) {
	t.Helper()
	for _, tok := range tokens {
		s, err := st.OpenSession(context.Background(), tok)
		if err != nil {
			t.Fatal(err)
		}
		if s.Response == nil || s.Response.Status != survey.RespSubmitted {
			t.Errorf("a submit was acknowledged but the response is %v, want submitted", s.Response)
		}
	}
}

// checkAcked checks that every acknowledged page is stored with exactly
// the answers that were sent.
func checkAcked(t *testing.T, st survey.Store, q *survey.Questionnaire, acked []ack) {
	t.Helper()
	ctx := context.Background()
	// A page acknowledged twice (shown again and re-answered) must hold
	// what the later save sent; one resident's acks are in time order.
	last := map[[2]string]int{}
	for i, a := range acked {
		last[[2]string{a.token, a.page}] = i
	}
	for i, a := range acked {
		if last[[2]string{a.token, a.page}] != i {
			continue
		}
		s, err := st.OpenSession(ctx, a.token)
		if err != nil {
			t.Fatalf("session of an acknowledged page: %v", err)
		}
		if s.Response == nil {
			t.Fatalf("page %s was acknowledged but its response is missing", a.page)
		}
		if !slices.Contains(s.Response.PagesDone, a.page) {
			t.Errorf("page %s was acknowledged but is not among the saved pages %v", a.page, s.Response.PagesDone)
		}
		for id, want := range a.answers {
			if got := s.Response.Answers[id]; !slices.Equal(got, want) {
				t.Errorf("page %s item %s: got %q, want %q (acknowledged)", a.page, id, got, want)
			}
		}
	}
}

// checkWhole checks the invariants that hold whatever was acknowledged: one
// response per invitation, no answers without their page's paradata, and
// every saved page of an in-progress or submitted response has all its
// visible required answers.
func checkWhole(t *testing.T, st *sqlite.DB, path string) {
	t.Helper()
	ctx := context.Background()
	raw, err := openRaw(path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for _, c := range []struct{ what, query string }{
		{"invitations with two responses", `SELECT count(*) FROM (SELECT invitation_id FROM responses GROUP BY invitation_id HAVING count(*) > 1)`},
		{"answers without their page", `SELECT count(*) FROM answers a WHERE NOT EXISTS (SELECT 1 FROM page_paradata p WHERE p.response_id = a.response_id AND p.page_id = a.page_id)`},
		{"pages without a response", `SELECT count(*) FROM page_paradata p WHERE NOT EXISTS (SELECT 1 FROM responses r WHERE r.id = p.response_id)`},
	} {
		var n int
		if err := raw.QueryRow(c.query).Scan(&n); err != nil {
			t.Fatalf("%s: %v", c.what, err)
		}
		if n != 0 {
			t.Errorf("%s: got %d, want 0", c.what, n)
		}
	}
	var fk int
	if err := raw.QueryRow(`SELECT count(*) FROM pragma_foreign_key_check`).Scan(&fk); err != nil || fk != 0 {
		t.Errorf("foreign key check: got %d violations, %v; want 0", fk, err)
	}
	var ok string
	if err := raw.QueryRow(`PRAGMA integrity_check`).Scan(&ok); err != nil || ok != "ok" {
		t.Errorf("integrity check: got %q, %v; want ok", ok, err)
	}
	rows, err := raw.Query(`SELECT id FROM responses`)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		ids = append(ids, id)
	}
	rows.Close()
	for _, id := range ids {
		r, err := st.Response(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		v, err := st.Questionnaire(ctx, r.MeasurementID, r.Version)
		if err != nil {
			t.Fatal(err)
		}
		for _, pid := range r.PagesDone {
			p, _ := v.Q.Page(pid)
			if p == nil {
				t.Errorf("response %d: saved page %q is not in its questionnaire", id, pid)
				continue
			}
			for _, it := range p.VisibleItems(r.Answers) {
				if it.Required && len(r.Answers[it.ID]) == 0 {
					t.Errorf("response %d: page %s saved without its required item %s (half-written)", id, pid, it.ID)
				}
			}
		}
	}
}

// openRaw opens the database file read-only with plain database/sql, to
// look at it without the store's code in the way.
func openRaw(path string) (*sql.DB, error) {
	return sql.Open("sqlite", path+"?_pragma=query_only(1)&_pragma=busy_timeout(10000)")
}
