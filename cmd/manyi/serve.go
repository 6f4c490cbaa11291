package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"

	"manyi/survey"
	"manyi/survey/demo"
	"manyi/survey/secret"
	"manyi/survey/sqlite"
	"manyi/survey/web"
)

func init() {
	register("serve", "run the web server (resident survey); --demo seeds a demo measurement", runServe)
}

// memoryLimit is the default soft limit of the Go heap for `manyi serve`.
const memoryLimit = 96 << 20

// serveConfig is everything `manyi serve` needs, from flags with
// environment fallbacks.
type serveConfig struct {
	DB      string // MANYI_DB
	Addr    string // MANYI_ADDR
	BaseURL string // MANYI_BASE_URL; "" means http://<listening address>
	Secret  string // MANYI_SECRET; "" means the one stored in the database
	Demo    bool   // MANYI_DEMO
	Links   int    // demo links printed when --demo creates the demo
	// ContactKey opens sealed phone numbers on the interviewer pages
	// (MANYI_CONTACT_KEY); nil when unset, and the pages show no numbers.
	ContactKey *secret.Key
	// TrustedProxies are the reverse proxies whose X-Forwarded-For is
	// believed (--trusted-proxy, MANYI_TRUSTED_PROXY); nil: none.
	TrustedProxies []*net.IPNet
}

// envOr returns the environment variable key, or def when it is unset.
func envOr(key, def string) string {
	if v, ok := os.LookupEnv(key); ok && v != "" {
		return v
	}
	return def
}

// envBool reads a yes/no environment variable ("1", "true", "yes").
func envBool(key string) bool {
	switch strings.ToLower(os.Getenv(key)) {
	case "1", "true", "yes", "on":
		return true
	}
	return false
}

func runServe(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c serveConfig
	fs.StringVar(&c.DB, "db", envOr("MANYI_DB", "./data/manyi.db"), dbUsage)
	fs.StringVar(&c.Addr, "addr", envOr("MANYI_ADDR", "127.0.0.1:8080"), "listen `address`; port 0 picks a free port (env MANYI_ADDR)")
	fs.StringVar(&c.BaseURL, "base-url", envOr("MANYI_BASE_URL", ""), "public `URL` for printed links (env MANYI_BASE_URL; default http://ADDR)")
	fs.BoolVar(&c.Demo, "demo", envBool("MANYI_DEMO"), "create the demo measurement if absent and print invitation links (env MANYI_DEMO)")
	proxies := fs.String("trusted-proxy", envOr("MANYI_TRUSTED_PROXY", ""), "comma-separated `CIDR` ranges or addresses of the reverse proxies in front; only their X-Forwarded-For is believed (env MANYI_TRUSTED_PROXY; default none: the peer is the client)")
	fs.IntVar(&c.Links, "demo-links", 5, "how many invitation links --demo prints when it creates the demo")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "manyi serve: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	tp, err := web.ParseTrustedProxies(*proxies)
	if err != nil {
		fmt.Fprintf(stderr, "manyi serve: --trusted-proxy: %v\n", err)
		return 2
	}
	c.TrustedProxies = tp
	c.Secret = os.Getenv("MANYI_SECRET")
	if os.Getenv(secret.EnvKey) != "" {
		// A key that is set but malformed is a mistake worth stopping for;
		// an unset one only hides the phone numbers.
		k, err := secret.KeyFromEnv()
		if err != nil {
			fmt.Fprintf(stderr, "manyi serve: %v\n", err)
			return 2
		}
		c.ContactKey = k
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		// A soft heap limit keeps the resident set small on a shared
		// machine: the collector works harder near it instead of letting
		// the heap double. GOMEMLIMIT overrides it.
		debug.SetMemoryLimit(memoryLimit)
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	if path := os.Getenv("MANYI_CPUPROFILE"); path != "" {
		// A diagnostic: a CPU profile of the whole run, for go tool pprof
		// (the load benchmarks of docs/PERFORMANCE.md use it). "%p" in the
		// path becomes the process id, so that several servers each
		// write their own.
		stopProfile, err := startCPUProfile(strings.ReplaceAll(path, "%p", strconv.Itoa(os.Getpid())))
		if err != nil {
			fmt.Fprintf(stderr, "manyi serve: MANYI_CPUPROFILE: %v\n", err)
			return 2
		}
		defer stopProfile()
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := serve(ctx, c, stdout, log); err != nil {
		log.Error("serve failed", "err", err)
		return errExit(stderr, "serve", err)
	}
	return 0
}

// startCPUProfile writes a CPU profile to path until the returned
// function is called.
func startCPUProfile(path string) (func(), error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}

// serve opens the store, seeds the demo when asked, and serves until ctx
// ends, then shuts down gracefully.
func serve(ctx context.Context, c serveConfig, stdout io.Writer, log *slog.Logger) error {
	if !isPostgresURL(c.DB) {
		// One server process per SQLite file (sqlite.LockServer), taken
		// before the file is opened so a second server changes nothing.
		release, err := sqlite.LockServer(c.DB)
		if err != nil {
			return err
		}
		defer release()
	}
	st, err := openStore(c.DB)
	if err != nil {
		return err
	}
	defer func() {
		if err := st.Close(); err != nil {
			log.Error("closing the database", "err", err)
		}
	}()
	if db, ok := st.(*sqlite.DB); ok {
		// A damaged file stops the start here, before anything listens.
		if err := db.QuickCheck(ctx); err != nil {
			return err
		}
	}
	log.Info("database open", "db", redactURL(c.DB))

	secret := []byte(c.Secret)
	if len(secret) == 0 {
		if secret, err = st.Secret(ctx); err != nil {
			return err
		}
	} else if len(secret) < 16 {
		return errors.New("MANYI_SECRET must be at least 16 characters")
	}

	ln, err := net.Listen("tcp", c.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", c.Addr, err)
	}
	defer ln.Close()
	addr := ln.Addr().String()
	base := strings.TrimRight(c.BaseURL, "/")
	if base == "" {
		base = "http://" + addr
	}

	if c.Demo {
		created, err := demo.Ensure(ctx, st)
		if err != nil {
			return fmt.Errorf("demo measurement: %w", err)
		}
		if created {
			toks, err := st.CreateInvitations(ctx, demo.ID, c.Links)
			if err != nil {
				return fmt.Errorf("demo invitations: %w", err)
			}
			log.Info("demo measurement created", "id", demo.ID, "invitations", len(toks))
			fmt.Fprintf(stdout, "demo measurement %s created; answer it at:\n", demo.ID)
			for _, t := range toks {
				fmt.Fprintf(stdout, "  %s\n", link(base, t))
			}
		} else {
			fmt.Fprintf(stdout, "demo measurement %s already exists; `manyi demo --db %s --invitations N` prints new links\n", demo.ID, c.DB)
		}
		// Completed responses (and last year's) so that the results and
		// the report have numbers at once; a demo with responses keeps them.
		sim, err := demo.Simulate(ctx, st, demo.SimOptions{})
		if err != nil {
			return fmt.Errorf("demo responses: %w", err)
		}
		if n := sim.Added[demo.ID]; n > 0 {
			log.Info("demo responses simulated", "id", demo.ID, "responses", n, "previous_year", sim.Added[demo.PrevID])
			fmt.Fprintf(stdout, "demo measurement %s: %d simulated completed responses, and %d for last year (%s)\n", demo.ID, n, sim.Added[demo.PrevID], demo.PrevID)
		}
		// The service-industry CSI demo (two years, 7 sectors × 6
		// districts) is stored in the background: the server answers at
		// once and the CSI pages fill in within a minute.
		go func() {
			ssim, err := demo.SimulateService(ctx, st, 0, 0)
			if err != nil {
				log.Error("demo service measurement", "err", err)
				return
			}
			if n := ssim.Added[demo.ServiceID]; n > 0 {
				log.Info("demo service measurement simulated", "id", demo.ServiceID, "responses", n, "previous_year", ssim.Added[demo.ServicePrevID])
			}
		}()
		// Staff accounts, only on a database without any, so that a
		// newcomer can log in to the results at once.
		accts, err := demo.EnsureAccounts(ctx, st)
		if err != nil {
			return fmt.Errorf("demo accounts: %w", err)
		}
		if len(accts) > 0 {
			log.Info("demo staff accounts created", "accounts", len(accts))
			fmt.Fprintf(stdout, "demo staff accounts (log in at %s/login):\n", base)
			for _, a := range accts {
				fmt.Fprintf(stdout, "  %-8s %-14s password %s\n", a.Name, a.Role, a.Password)
			}
		}
	}

	// A new installation: the office creates its first account in the
	// browser with the setup code (docs/ACCOUNTS.md). The code is printed,
	// never logged.
	if us, err := st.Users(ctx); err != nil {
		return fmt.Errorf("staff accounts: %w", err)
	} else if len(us) == 0 {
		fmt.Fprintf(stdout, "no staff accounts yet: create the office account at %s/setup with the setup code %s\n  (or: manyi user add --role office NAME)\n", base, web.FirstAccountCode(secret))
	}

	h, err := web.New(web.Config{
		Store: st, Accounts: st, Fieldwork: st, Quotas: st, OpenLinks: st, Workspace: st, Office: st, Setup: st, Service: st,
		Log: log, Secret: secret, BaseURL: c.BaseURL, ContactKey: c.ContactKey, TrustedProxies: c.TrustedProxies,
	})
	if err != nil {
		return fmt.Errorf("web server: %w", err)
	}
	// Compute the results of the measurements in the background now, so a
	// statistician's first view does not wait for them.
	h.WarmResults(ctx)
	srv := newHTTPServer(limitInFlight(h, maxInFlight()), log, defaultTimeouts)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	log.Info("listening", "addr", addr)
	// Tests and scripts wait for this exact line to learn the port.
	fmt.Fprintf(stdout, "listening on http://%s\n", addr)

	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// timeouts are the HTTP server's limits on slow clients.
type timeouts struct {
	ReadHeader, Read, Write, Idle time.Duration
}

// defaultTimeouts: a client has 10 s to send its request line and headers
// and 30 s for the whole request (a 50 MB upload needs about 14 Mbit/s to
// make it: an office on a slow line splits the file), a response must be
// written within 60 s, and an idle keep-alive connection is closed after 2
// minutes. So a slow client (slowloris) holds a connection for at most 10 s
// before sending its headers; TestSlowClients shows it on a real listener.
var defaultTimeouts = timeouts{ReadHeader: 10 * time.Second, Read: 30 * time.Second, Write: 60 * time.Second, Idle: 2 * time.Minute}

// newHTTPServer is the server `manyi serve` runs: h behind the timeouts t
// and a 64 KB header limit.
func newHTTPServer(h http.Handler, log *slog.Logger, t timeouts) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: t.ReadHeader,
		ReadTimeout:       t.Read,
		WriteTimeout:      t.Write,
		IdleTimeout:       t.Idle,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

// maxInFlight is how many requests run the handler at once: enough to keep
// both the CPUs and the group commit busy, few enough that a burst of
// residents queues cheaply instead of each holding a response buffer and a
// gzip compressor (about 1 MB) at the same time.
func maxInFlight() int {
	if v, err := strconv.Atoi(os.Getenv("MANYI_MAX_INFLIGHT")); err == nil && v > 0 {
		return v
	}
	return max(16, 16*runtime.GOMAXPROCS(0))
}

// limitInFlight lets at most n requests into h at a time; the others wait
// for a slot, or give up when their client goes away.
func limitInFlight(h http.Handler, n int) http.Handler {
	slots := make(chan struct{}, n)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case slots <- struct{}{}:
		case <-r.Context().Done():
			return
		}
		defer func() { <-slots }()
		h.ServeHTTP(w, r)
	})
}

// link is the resident's personal address for token.
func link(base, token string) string {
	return strings.TrimRight(base, "/") + "/s/" + token
}

// errExit reports err on stderr in the user's terms and returns exit 1.
func errExit(stderr io.Writer, cmd string, err error) int {
	var e *survey.Error
	if errors.As(err, &e) {
		fmt.Fprintf(stderr, "manyi %s: %s / %s\n", cmd, e.Message.Zh, e.Message.En)
		return 1
	}
	fmt.Fprintf(stderr, "manyi %s: %v\n", cmd, err)
	return 1
}
