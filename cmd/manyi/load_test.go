package main

import (
	"bytes"
	"compress/gzip"
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
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"manyi/survey"
	"manyi/survey/postgres/pgtest"
)

// BenchmarkResidentPages is the load test of docs/PERFORMANCE.md: the real
// binary (`manyi serve`, as built by `make build`) serves a database file
// on a loopback port while 200 residents in this process answer the demo
// questionnaire at once, as fast as the server lets them (a closed loop
// without think time: the saturation figure). One op is one page
// submission: GET the page, POST its answers, get the 303. It reports
// submissions per second, POST latency percentiles, and the server
// process's peak resident memory and CPU time per page; the clients' CPU
// time is reported apart, since on a 2-core machine they share the CPUs.
//
//	go test -run '^$' -bench ResidentPages -benchtime 20000x ./cmd/manyi
func BenchmarkResidentPages(b *testing.B) { runLoad(b, loadSetup{residents: 200}) }

// BenchmarkResidentPagesPaced models residents who read and think: the
// same 200 residents, but each starts its pages on its own fixed schedule
// so that together they offer 1 500 submissions per second (an open loop:
// a slow answer does not slow the arrivals down). The latencies are those
// of the target rate, and pages/s shows whether the server kept up.
//
//	go test -run '^$' -bench ResidentPagesPaced -benchtime 20000x ./cmd/manyi
func BenchmarkResidentPagesPaced(b *testing.B) { runLoad(b, loadSetup{residents: 200, rate: 1500}) }

// The submit benchmarks of issue 12 (docs/PERFORMANCE.md): the same
// residents against one SQLite server, and against one and three servers
// on one PostgreSQL database (the throw-away cluster of .ci/pgcluster),
// each page's GET and POST going to the next server in turn as a
// round-robin load balancer would send them. The Paced ones offer the
// target rate, 1 500 submits/s, and report its latencies.
//
//	.ci/pgcluster go test -run '^$' -bench Submits -benchtime 20000x ./cmd/manyi
func BenchmarkSubmitsSQLite(b *testing.B) { runLoad(b, loadSetup{residents: 200}) }
func BenchmarkSubmitsPostgres1(b *testing.B) {
	runLoad(b, loadSetup{residents: 200, postgres: true, servers: 1})
}
func BenchmarkSubmitsPostgres3(b *testing.B) {
	runLoad(b, loadSetup{residents: 200, postgres: true, servers: 3})
}
func BenchmarkSubmitsPostgres3Paced(b *testing.B) {
	runLoad(b, loadSetup{residents: 200, rate: 1500, postgres: true, servers: 3})
}
func BenchmarkSubmitsSQLitePaced(b *testing.B) { runLoad(b, loadSetup{residents: 200, rate: 1500}) }

// loadSetup is one load test's set-up.
type loadSetup struct {
	residents int
	rate      float64 // total submissions per second offered; 0: as fast as possible
	postgres  bool    // a PostgreSQL database (pgtest) instead of a SQLite file
	servers   int     // serve processes on the database; 0 means 1
}

// runLoad runs the load test of ls.
func runLoad(b *testing.B, ls loadSetup) {
	residents, rate := ls.residents, ls.rate
	dir := b.TempDir()
	db := filepath.Join(dir, "manyi.db")
	if ls.postgres {
		db = pgtest.NewDatabase(b)
	}
	bin := buildManyi(b, dir)
	q := survey.DefaultQuestionnaire()
	// A response takes len(pages)+1 submissions (the review's submit), so
	// this many links keep every resident busy to the end.
	links := b.N/(len(q.Pages)+1) + 2*residents
	out, err := exec.Command(bin, "demo", "--db", db, "--invitations", strconv.Itoa(links)).Output()
	if err != nil {
		b.Fatalf("manyi demo: %v", err)
	}
	var tokens []string
	for _, l := range strings.Fields(string(out)) {
		_, tok, _ := strings.Cut(l, "/s/")
		tokens = append(tokens, tok)
	}
	var srvs []*server
	var bases []string
	for range max(ls.servers, 1) {
		srv := startServer(b, bin, db)
		defer func() {
			srv.cmd.Process.Signal(syscall.SIGTERM)
			<-srv.done
		}()
		srvs = append(srvs, srv)
		bases = append(bases, srv.base)
	}
	// serversCPU is the CPU time of every server process.
	serversCPU := func() (time.Duration, error) {
		var sum time.Duration
		for _, s := range srvs {
			c, err := procCPU(s.cmd.Process.Pid)
			if err != nil {
				return 0, err
			}
			sum += c
		}
		return sum, nil
	}

	ctx := context.Background()
	client := newClient(residents)
	// The residents ask for gzip themselves and decompress with a reader
	// they reuse, as a browser does, instead of the transport's fresh one
	// per response: the clients share the 2 CPUs with the server.
	client.Transport.(*http.Transport).DisableCompression = true
	var (
		claimed atomic.Int64 // submissions started
		next    atomic.Int64 // next unused token
		wg      sync.WaitGroup
		posts   = make([][]time.Duration, residents)
		gets    = make([][]time.Duration, residents)
		lags    = make([][]time.Duration, residents) // paced: start after due
		errc    = make(chan error, residents)
	)
	// Each resident's pages are period apart; with rate 0 there is no wait.
	var period time.Duration
	if rate > 0 {
		period = time.Duration(float64(residents) / rate * float64(time.Second))
	}
	// With PostgreSQL the database's own CPU is apart from the servers':
	// the backends serving this database, found by name.
	var dbCPU0 map[int]time.Duration
	var dbXact0, dbStmt0 int64
	var stmts *pgStatements
	if ls.postgres {
		stmts = startPgStatements(b, db)
		dbCPU0 = pgBackendsCPU(b, db)
		dbXact0, dbStmt0 = pgActivity(b, db)
	}
	srvCPU0, err := serversCPU()
	if err != nil {
		b.Fatal(err)
	}
	cpu0 := cpuTime()
	b.ResetTimer()
	start := time.Now()
	for w := range residents {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), 2))
			// Spread the residents' schedules over one period.
			due := start.Add(time.Duration(rng.Int64N(int64(period) + 1)))
			r := &loadResident{client: client, base: bases[w%len(bases)], q: q, rng: rng}
			turn := w
			for {
				i := int(next.Add(1)) - 1
				if i >= len(tokens) {
					errc <- errors.New("ran out of invitations")
					return
				}
				r.start(tokens[i])
				for {
					if claimed.Add(1) > int64(b.N) {
						return
					}
					if period > 0 {
						time.Sleep(time.Until(due))
						lags[w] = append(lags[w], max(0, time.Since(due)))
						due = due.Add(period)
					}
					// Round robin: each page on the next server.
					turn++
					r.base = bases[turn%len(bases)]
					more, t, err := r.step(ctx)
					if err != nil {
						errc <- err
						return
					}
					posts[w] = append(posts[w], t.post)
					gets[w] = append(gets[w], t.get)
					if !more {
						break // submitted: take the next link
					}
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	select {
	case err := <-errc:
		b.Fatalf("%v\nserver log (tail):\n%s", err, tail(srvs[0].stderr.String(), 2000))
	default:
	}
	var dbCPUUsed time.Duration
	var dbXacts, dbStmts int64
	if ls.postgres {
		for pid, d := range pgBackendsCPU(b, db) {
			dbCPUUsed += d - dbCPU0[pid]
		}
		x, s := pgActivity(b, db)
		dbXacts, dbStmts = x-dbXact0, s-dbStmt0
		stmts.report(b, b.N)
	}
	srvCPU, err := serversCPU()
	if err != nil {
		b.Fatal(err)
	}
	cpu := cpuTime() - cpu0
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "pages/s")
	all := slices.Concat(posts...)
	b.ReportMetric(ms(percentile(all, 0.50)), "p50-ms")
	b.ReportMetric(ms(percentile(all, 0.99)), "p99-ms")
	b.ReportMetric(ms(percentile(slices.Concat(gets...), 0.99)), "get-p99-ms")
	if period > 0 {
		// Pages that started late because the resident was still waiting
		// for the previous one: 0 while the server keeps up with the rate.
		b.ReportMetric(ms(percentile(slices.Concat(lags...), 0.99)), "start-lag-p99-ms")
	}
	// CPU time per page does not depend on what else runs on the machine:
	// 2 cores / (server + client ms per page) bounds pages/s.
	b.ReportMetric(ms(srvCPU-srvCPU0)/float64(b.N), "server-cpu-ms/page")
	if ls.postgres {
		b.ReportMetric(ms(dbCPUUsed)/float64(b.N), "db-cpu-ms/page")
		b.ReportMetric(float64(dbXacts)/float64(b.N), "db-xact/page")
		b.ReportMetric(float64(dbStmts)/float64(b.N), "db-index-scans/page")
	}
	b.ReportMetric(ms(cpu)/float64(b.N), "client-cpu-ms/page")
	if hwm, err := procHWM(srvs[0].cmd.Process.Pid); err == nil {
		b.ReportMetric(float64(hwm)/(1<<20), "server-VmHWM-MB")
	}
}

// loadResident is the load test's resident: the protocol of resident
// (crash_test.go), a phone without JavaScript, done cheaply. It finds the
// hidden fields by their fixed markup instead of regular expressions over
// the page, and reuses its buffers and gzip reader from page to page.
type loadResident struct {
	client *http.Client
	base   string
	token  string
	q      *survey.Questionnaire
	rng    *rand.Rand
	given  survey.Answers
	body   bytes.Buffer
	form   []byte
	zr     *gzip.Reader
}

// start gives the resident a new link.
func (r *loadResident) start(token string) {
	r.token = token
	r.given = survey.Answers{}
}

// step shows the current page and answers it; more is false once the
// review was submitted.
func (r *loadResident) step(ctx context.Context) (more bool, st stepTimes, err error) {
	t0 := time.Now()
	status, err := r.do(ctx, http.MethodGet, nil)
	st.get = time.Since(t0)
	if err != nil {
		return false, st, err
	}
	if status != http.StatusOK {
		return false, st, fmt.Errorf("GET page: status %d", status)
	}
	page := hiddenValue(r.body.Bytes(), "_page")
	csrf := hiddenValue(r.body.Bytes(), "_csrf")
	if page == "" {
		return false, st, errFinal
	}
	if csrf == "" {
		return false, st, fmt.Errorf("GET page %s: no _csrf field", page)
	}
	f := append(r.form[:0], "_page="...)
	f = append(f, url.QueryEscape(page)...)
	f = append(f, "&_csrf="...)
	f = append(f, url.QueryEscape(csrf)...)
	f = append(f, "&_shown="...)
	f = append(f, hiddenValue(r.body.Bytes(), "_shown")...)
	var given survey.Answers
	if page == "review" {
		f = append(f, "&_nav=submit"...)
	} else {
		p, _ := r.q.Page(page)
		if p == nil {
			return false, st, fmt.Errorf("GET page: unknown _page %q", page)
		}
		given = answerPage(r.q, p, r.given, r.rng)
		for id, vs := range given {
			for _, v := range vs {
				f = append(f, '&')
				f = append(f, url.QueryEscape(id)...)
				f = append(f, '=')
				f = append(f, url.QueryEscape(v)...)
			}
		}
		f = append(f, "&_nav=next"...)
	}
	r.form = f
	t1 := time.Now()
	status, err = r.do(ctx, http.MethodPost, f)
	st.post = time.Since(t1)
	if err != nil {
		return false, st, err
	}
	if status != http.StatusSeeOther {
		return false, st, fmt.Errorf("POST page %s: status %d: %.300s", page, status, r.body.String())
	}
	if page == "review" {
		return false, st, nil
	}
	r.given = r.given.Merge(given)
	return true, st, nil
}

// do sends one request of the resident's link and leaves the
// (decompressed) body in r.body.
func (r *loadResident) do(ctx context.Context, method string, form []byte) (int, error) {
	var rd io.Reader
	if form != nil {
		rd = bytes.NewReader(form)
	}
	req, err := http.NewRequestWithContext(ctx, method, r.base+"/s/"+r.token, rd)
	if err != nil {
		return 0, err
	}
	req.Header.Set("User-Agent", "Mozilla/5.0 (Linux; Android 14; Pixel 8) Mobile Safari/537.36")
	req.Header.Set("Accept-Encoding", "gzip")
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := r.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	r.body.Reset()
	body := io.Reader(resp.Body)
	if resp.Header.Get("Content-Encoding") == "gzip" {
		if r.zr == nil {
			r.zr, err = gzip.NewReader(resp.Body)
		} else {
			err = r.zr.Reset(resp.Body)
		}
		if err != nil {
			return 0, err
		}
		body = r.zr
	}
	if _, err := r.body.ReadFrom(body); err != nil {
		return 0, err
	}
	// Drain what gzip left so that the connection is reused.
	_, err = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, err
}

// hiddenValue returns the value of the hidden input name in a survey page,
// written by templates/page.html and review.html as
// <input type="hidden" name="NAME" value="VALUE">; "" when absent.
func hiddenValue(page []byte, name string) string {
	key := `name="` + name + `" value="`
	i := bytes.Index(page, []byte(key))
	if i < 0 {
		return ""
	}
	v := page[i+len(key):]
	j := bytes.IndexByte(v, '"')
	if j < 0 {
		return ""
	}
	return html.UnescapeString(string(v[:j]))
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func tail(s string, n int) string { return s[max(0, len(s)-n):] }

// percentile returns the p-quantile of ds (nearest rank); ds is sorted in
// place.
func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	i := int(p*float64(len(ds))+0.5) - 1
	return ds[min(max(i, 0), len(ds)-1)]
}

// cpuTime is the user and system CPU time this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// procCPU is the user and system CPU time of process pid, from
// /proc/pid/stat (fields 14 and 15, in clock ticks of 1/100 s on Linux).
func procCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name (field 2) may hold spaces; count after its ')'.
	i := strings.LastIndexByte(string(b), ')')
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0, fmt.Errorf("short /proc/%d/stat", pid)
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("bad /proc/%d/stat", pid)
	}
	return time.Duration(ut+st) * 10 * time.Millisecond, nil
}

// procHWM reads the peak resident set size of process pid.
func procHWM(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10, err
		}
	}
	return 0, errors.New("no VmHWM in /proc/status")
}

// pgBackendsCPU is the CPU time used so far by each PostgreSQL backend
// connected to the database of dbURL (pg_stat_activity, /proc), by pid:
// the database's share of a page on a machine where it runs beside the
// servers. A backend that ends during the run is not counted; the
// servers' pools keep theirs open.
func pgBackendsCPU(tb testing.TB, dbURL string) map[int]time.Duration {
	tb.Helper()
	c, err := sql.Open("pgx", dbURL)
	if err != nil {
		tb.Fatal(err)
	}
	defer c.Close()
	rows, err := c.Query(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	out := map[int]time.Duration{}
	for rows.Next() {
		var pid int
		if err := rows.Scan(&pid); err != nil {
			tb.Fatal(err)
		}
		if d, err := procCPU(pid); err == nil {
			out[pid] = d
		}
	}
	return out
}

// pgActivity returns the database's committed transactions and its index
// scans over all tables so far (pg_stat_database, pg_stat_user_tables),
// to count what one page costs the database.
func pgActivity(tb testing.TB, dbURL string) (xacts, indexScans int64) {
	tb.Helper()
	c, err := sql.Open("pgx", dbURL)
	if err != nil {
		tb.Fatal(err)
	}
	defer c.Close()
	// The statistics are sent by the backends now and then: ask for a
	// fresh snapshot.
	c.Exec(`SELECT pg_stat_clear_snapshot()`)
	if err := c.QueryRow(`SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()`).Scan(&xacts); err != nil {
		tb.Fatal(err)
	}
	if err := c.QueryRow(`SELECT coalesce(sum(idx_scan), 0)::bigint FROM pg_stat_user_tables`).Scan(&indexScans); err != nil {
		tb.Fatal(err)
	}
	return xacts, indexScans
}

// pgStatements lists, when the cluster has pg_stat_statements loaded
// (.ci/pgcluster with MANYI_PG_OPTIONS="-c
// shared_preload_libraries=pg_stat_statements"), the statements the
// benchmark ran with their calls and execution time per page. It is nil,
// and report does nothing, when the extension is not available.
type pgStatements struct {
	db *sql.DB
}

// startPgStatements resets the statement statistics of the cluster of
// dbURL, or returns nil when it does not keep them.
func startPgStatements(tb testing.TB, dbURL string) *pgStatements {
	tb.Helper()
	c, err := sql.Open("pgx", dbURL)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := c.Exec(`CREATE EXTENSION IF NOT EXISTS pg_stat_statements`); err != nil {
		c.Close()
		return nil
	}
	if _, err := c.Exec(`SELECT pg_stat_statements_reset()`); err != nil {
		c.Close()
		return nil
	}
	tb.Cleanup(func() { c.Close() })
	return &pgStatements{db: c}
}

// report logs the statements of the database by total execution time,
// per page of pages.
func (s *pgStatements) report(tb testing.TB, pages int) {
	if s == nil || pages < 100 {
		return // not the benchmark's first, one-page round
	}
	rows, err := s.db.Query(`SELECT calls, total_exec_time, rows, regexp_replace(query, '\s+', ' ', 'g')
		FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
		ORDER BY total_exec_time DESC LIMIT 15`)
	if err != nil {
		tb.Logf("pg_stat_statements: %v", err)
		return
	}
	defer rows.Close()
	var out strings.Builder
	fmt.Fprintf(&out, "statements by execution time (per page; %d pages):\n", pages)
	for rows.Next() {
		var calls, nrows int64
		var total float64
		var q string
		if err := rows.Scan(&calls, &total, &nrows, &q); err != nil {
			tb.Logf("pg_stat_statements: %v", err)
			return
		}
		fmt.Fprintf(&out, "  %5.2f calls %6.3f ms %6.3f ms/call  %s\n", float64(calls)/float64(pages),
			total/float64(pages), total/float64(max(calls, 1)), q[:min(len(q), 160)])
	}
	// Printed, not logged: the benchmark's log is cut after ten lines.
	fmt.Fprint(os.Stderr, out.String())
}
