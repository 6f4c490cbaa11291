package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
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
)

// BenchmarkResidentPages is the load test of docs/PERFORMANCE.md: the real
// binary (`manyi serve`, as built by `make build`) serves a database file
// on a loopback port while 200 residents in this process answer the demo
// questionnaire at once, as fast as the server lets them. One op is one
// page submission: GET the page, POST its answers, get the 303. It reports
// submissions per second, POST latency percentiles, and the server
// process's peak resident memory and CPU time per page; the clients' CPU
// time is reported apart, since on a 2-core machine they share the CPUs.
//
//	go test -run '^$' -bench ResidentPages -benchtime 20000x ./cmd/manyi
func BenchmarkResidentPages(b *testing.B) {
	const residents = 200
	dir := b.TempDir()
	bin := buildManyi(b, dir)
	db := filepath.Join(dir, "manyi.db")
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
	srv := startServer(b, bin, db)
	defer func() {
		srv.cmd.Process.Signal(syscall.SIGTERM)
		<-srv.done
	}()
	pid := srv.cmd.Process.Pid

	ctx := context.Background()
	client := newClient(residents)
	var (
		claimed atomic.Int64 // submissions started
		next    atomic.Int64 // next unused token
		wg      sync.WaitGroup
		posts   = make([][]time.Duration, residents)
		gets    = make([][]time.Duration, residents)
		errc    = make(chan error, residents)
	)
	srvCPU0, err := procCPU(pid)
	if err != nil {
		b.Fatal(err)
	}
	cpu0 := cpuTime()
	b.ResetTimer()
	start := time.Now()
	for w := range residents {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), 2))
			for {
				i := int(next.Add(1)) - 1
				if i >= len(tokens) {
					errc <- errors.New("ran out of invitations")
					return
				}
				r := &resident{client: client, base: srv.base, token: tokens[i], q: q, rng: rng, given: survey.Answers{}}
				for {
					if claimed.Add(1) > int64(b.N) {
						return
					}
					a, t, err := r.step(ctx)
					if err != nil {
						errc <- err
						return
					}
					posts[w] = append(posts[w], t.post)
					gets[w] = append(gets[w], t.get)
					if a == nil {
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
		b.Fatalf("%v\nserver log (tail):\n%s", err, tail(srv.stderr.String(), 2000))
	default:
	}
	srvCPU, err := procCPU(pid)
	if err != nil {
		b.Fatal(err)
	}
	cpu := cpuTime() - cpu0
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "pages/s")
	all := slices.Concat(posts...)
	b.ReportMetric(ms(percentile(all, 0.50)), "p50-ms")
	b.ReportMetric(ms(percentile(all, 0.99)), "p99-ms")
	b.ReportMetric(ms(percentile(slices.Concat(gets...), 0.99)), "get-p99-ms")
	// CPU time per page does not depend on what else runs on the machine:
	// 2 cores / (server + client ms per page) bounds pages/s.
	b.ReportMetric(ms(srvCPU-srvCPU0)/float64(b.N), "server-cpu-ms/page")
	b.ReportMetric(ms(cpu)/float64(b.N), "client-cpu-ms/page")
	if hwm, err := procHWM(pid); err == nil {
		b.ReportMetric(float64(hwm)/(1<<20), "server-VmHWM-MB")
	}
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
