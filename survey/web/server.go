package web

import (
	"compress/gzip"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/labstack/echo/v5"
	"github.com/labstack/echo/v5/middleware"

	"manyi/survey"
	"manyi/survey/auth"
	"manyi/survey/fieldwork"
	"manyi/survey/secret"
	"manyi/survey/setup"
	"manyi/survey/workspace"
)

// maxBody is the largest request body accepted. A page of the default
// questionnaire with every suggestion box full is about 15 KB; anything far
// larger is a mistake or an attack and gets 413.
const maxBody = 64 << 10

// largeBodyRoutes are the routes ("METHOD /path" as registered) that
// take file uploads above maxBody; each limits its own body (the frame
// upload: maxUpload).
var largeBodyRoutes = map[string]bool{}

// Config is what New needs. Each store interface the server uses is its
// own field, so that wiring a store that lacks one does not compile; cmd
// and the tests pass the same store (survey/sqlite's or survey/postgres's
// DB) in every field. Every store field and Secret are required; Log
// defaults to discarding.
type Config struct {
	// Store serves the resident pages (invitations, responses, pages).
	Store survey.Store
	// Accounts serves the staff side: users, sessions, the audit log.
	Accounts auth.Store
	// Fieldwork serves the interviewer's cases, the monitor and the
	// quality review.
	Fieldwork fieldwork.Store
	// Quotas is the quota check at the screener, on the resident and the
	// interviewer pages.
	Quotas fieldwork.QuotaClaimer
	// OpenLinks serves the open link /o/:slug and its settings page.
	OpenLinks fieldwork.OpenLinkStore
	// Workspace serves the results, weighting, export and report pages.
	Workspace workspace.EditStore
	// Service serves a service measurement's sector weights and the
	// intercept interviews.
	Service ServiceStore
	// Setup serves the new measurement form, the overview and the
	// questionnaire editor.
	Setup setup.Store
	// Office serves the office's frame, sample, invitations, case
	// assignment and fieldwork pages; nil turns those pages off (they
	// answer 500 and the start logs why).
	Office fieldwork.OfficeStore
	Log    *slog.Logger
	// Secret keys the CSRF tokens (an HMAC of the invitation token's hash).
	// It must stay the same across restarts or open forms stop working.
	Secret []byte
	// BaseURL is the public address ("https://survey.example.gov.cn"), used
	// where an absolute link is needed; relative links are used otherwise.
	BaseURL string
	// Now is the clock (time on page, paradata); time.Now when nil.
	Now func() time.Time
	// ContactKey opens the sealed phone numbers on the interviewer pages
	// (cmd reads it from MANYI_CONTACT_KEY); nil means no numbers are shown.
	ContactKey *secret.Key
	// TrustedProxies are the addresses of the reverse proxies in front of
	// the server (cmd: --trusted-proxy). A request whose peer is one of
	// them has its client address taken from X-Forwarded-For (the nearest
	// address that is not a trusted proxy); any other request's client
	// address is its peer, whatever headers it sends. Empty: no proxy,
	// X-Forwarded-For is ignored. The address feeds the login and token
	// limits and the audit log.
	TrustedProxies []*net.IPNet
}

// Server is the resident survey's HTTP handler.
type Server struct {
	store     survey.Store
	accounts  auth.Store
	fieldwork fieldwork.Store
	quotas    fieldwork.QuotaClaimer
	openLinks fieldwork.OpenLinkStore
	workStore workspace.EditStore
	service   ServiceStore
	setup     setup.Store
	office    fieldwork.OfficeStore
	log       *slog.Logger
	secret    []byte
	baseURL   string
	now       func() time.Time
	key       *secret.Key
	proxies   []*net.IPNet
	views     *views
	assets    *assets
	echo      *echo.Echo
}

// New builds the server: it parses the templates and loads the static files
// once, so a broken template fails here rather than on a resident's phone.
func New(cfg Config) (*Server, error) {
	for _, f := range []struct {
		name string
		nil  bool
	}{
		{"Store", cfg.Store == nil}, {"Accounts", cfg.Accounts == nil}, {"Fieldwork", cfg.Fieldwork == nil},
		{"Quotas", cfg.Quotas == nil}, {"OpenLinks", cfg.OpenLinks == nil}, {"Workspace", cfg.Workspace == nil},
		{"Setup", cfg.Setup == nil},
	} {
		if f.nil {
			return nil, fmt.Errorf("web: Config.%s is nil", f.name)
		}
	}
	if len(cfg.Secret) < 16 {
		return nil, errors.New("web: Config.Secret must be at least 16 bytes")
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	as, err := loadAssets()
	if err != nil {
		return nil, err
	}
	vs, err := parseViews()
	if err != nil {
		return nil, err
	}
	s := &Server{
		store:     cfg.Store,
		accounts:  cfg.Accounts,
		fieldwork: cfg.Fieldwork,
		quotas:    cfg.Quotas,
		openLinks: cfg.OpenLinks,
		workStore: cfg.Workspace,
		service:   cfg.Service,
		setup:     cfg.Setup,
		office:    cfg.Office,
		log:       cfg.Log,
		secret:    append([]byte(nil), cfg.Secret...),
		baseURL:   cfg.BaseURL,
		now:       cfg.Now,
		key:       cfg.ContactKey,
		proxies:   cfg.TrustedProxies,
		views:     vs,
		assets:    as,
	}
	s.echo = s.routes()
	return s, nil
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.echo.ServeHTTP(w, r)
}

// routes registers every route and the middleware, in one place.
func (s *Server) routes() *echo.Echo {
	e := echo.New()
	e.Logger = s.log
	e.HTTPErrorHandler = s.handleError
	e.IPExtractor = clientIP(s.proxies)
	// Order matters: the logger is outermost so that it sees the status the
	// error handler chose; recover turns a panic into a plain 500 page.
	e.Use(s.logRequests)
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{DisablePrintStack: false}))
	e.Use(securityHeaders)
	// BestSpeed: the default level clears about 600 KB of compressor hash
	// tables for every response, a fifth of the server's CPU per page; the
	// fastest level skips that for a slightly larger page (docs/PERFORMANCE.md).
	e.Use(middleware.GzipWithConfig(middleware.GzipConfig{Level: gzip.BestSpeed, MinLength: 512}))
	// Every body is limited: maxBody, or for the upload routes
	// (largeBodyRoutes) maxUpload plus room for the form's other fields.
	// The upload limit holds from the first byte, before the CSRF check
	// parses the multipart form, so no request can spool more than that to
	// a temporary file.
	isUpload := func(c *echo.Context) bool { return largeBodyRoutes[c.Request().Method+" "+c.Path()] }
	e.Use(middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{LimitBytes: maxBody, Skipper: isUpload}))
	e.Use(middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{LimitBytes: maxUpload + maxBody, Skipper: func(c *echo.Context) bool { return !isUpload(c) }}))

	e.GET("/healthz", s.handleHealth)
	e.GET("/static/*", s.handleStatic)
	guesses := limitGuesses(newGuessLimiter(s.now, s.accounts))
	e.GET("/s/:token", s.handleShow, guesses)
	e.POST("/s/:token", s.handleAnswer, guesses)
	s.openLinkRoutes(e)
	s.staffRoutes(e)
	e.RouteNotFound("/*", func(c *echo.Context) error { return echo.ErrNotFound })
	return e
}

// logRequests logs one line per request with the route pattern, never the
// path: the path carries the resident's token. Errors are handed to the error
// handler here so the logged status is the one sent.
func (s *Server) logRequests(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c *echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Echo().HTTPErrorHandler(c, err)
		}
		status := 0
		if r, uerr := echo.UnwrapResponse(c.Response()); uerr == nil {
			status = r.Status
		}
		route := c.Path()
		if route == "" {
			route = "(none)"
		}
		level := slog.LevelInfo
		if status >= 500 {
			level = slog.LevelError
		}
		s.log.Log(c.Request().Context(), level, "request",
			"method", c.Request().Method,
			"route", route,
			"status", status,
			"ms", time.Since(start).Milliseconds(),
			"ua", uaClass(c.Request().UserAgent()),
		)
		return nil
	}
}

// securityHeaders forbids every resource from another host, inline
// script, framing and the referrer: the page URL holds the resident's
// token, which must not leak to any other site. Every answer is no-store
// (resident pages carry the token and the answers, staff pages the
// results; redirects and errors too): only the static files replace it with
// a public cache. TestHeadersEveryRoute checks every route.
func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c *echo.Context) error {
		h := c.Response().Header()
		h.Set("Cache-Control", "no-store")
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		return next(c)
	}
}

// handleHealth handles GET /healthz.
func (s *Server) handleHealth(c *echo.Context) error {
	if err := s.store.Ping(c.Request().Context()); err != nil {
		s.log.Error("health check failed", "err", err)
		return c.String(http.StatusServiceUnavailable, "unavailable")
	}
	return c.String(http.StatusOK, "ok")
}
