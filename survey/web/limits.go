package web

import (
	"fmt"
	"sync"
	"time"

	"github.com/labstack/echo/v5"
	"golang.org/x/time/rate"

	"manyi/survey"
)

func init() {
	// The census is a small CSV, but it is a file upload: the same limit
	// and message as the frame.
	largeBodyRoutes["POST /app/m/:id/weighting/census"] = true
}

// Unknown-token limits: a client address may open guessBurst links that do
// not exist, then one more every guessEvery. A resident who mistypes a link
// a few times is never stopped; a script guessing tokens gets 429 after
// guessBurst misses (tokens have 128 random bits, so guessing cannot
// succeed anyway; the limit keeps the guesses from costing the database a
// look-up each). Only misses count, so thousands of residents behind one
// carrier NAT opening their real links are not slowed down.
const (
	guessEvery  = 2 * time.Second
	guessBurst  = 30
	guessMaxIPs = 50000
)

// guessLimiter counts unknown-token misses per client address. It lives in
// the process: it is a brake on guessing, not a rule anything's
// correctness depends on (with N servers a guesser gets N times the
// burst, still nothing against 128-bit tokens). The map is emptied when it
// holds guessMaxIPs addresses, so it never grows without bound.
type guessLimiter struct {
	now func() time.Time
	mu  sync.Mutex
	ips map[string]*rate.Limiter
}

func newGuessLimiter(now func() time.Time) *guessLimiter {
	return &guessLimiter{now: now, ips: map[string]*rate.Limiter{}}
}

// blocked reports whether ip has no misses left.
func (g *guessLimiter) blocked(ip string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	lim := g.ips[ip]
	return lim != nil && lim.TokensAt(g.now()) < 1
}

// miss counts one unknown token from ip.
func (g *guessLimiter) miss(ip string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	lim := g.ips[ip]
	if lim == nil {
		if len(g.ips) >= guessMaxIPs {
			g.ips = map[string]*rate.Limiter{}
		}
		lim = rate.NewLimiter(rate.Every(guessEvery), guessBurst)
		g.ips[ip] = lim
	}
	lim.AllowN(g.now(), 1)
}

// errTooManyGuesses is the 429 of an address that opened too many links
// that do not exist.
var errTooManyGuesses = survey.Text{
	Zh: "这台设备在短时间内打开了太多无效的链接，请等一两分钟再试，并检查链接是否完整（短信中的链接要整段复制）。",
	En: "This device opened too many links that do not exist in a short time. Please wait a minute or two and try again, and check that the whole link was copied from the text message.",
}

// limitGuesses wraps the token routes: a client address out of misses gets
// 429 before any look-up, and every unknown or malformed token counts as a
// miss.
func limitGuesses(g *guessLimiter) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c *echo.Context) error {
			ip := c.RealIP()
			if g.blocked(ip) {
				c.Response().Header().Set("Retry-After", fmt.Sprint(int(guessEvery/time.Second)))
				return &survey.Error{Code: survey.ETOOMANY, Message: errTooManyGuesses}
			}
			err := next(c)
			if survey.ErrorCode(err) == survey.ENOTFOUND {
				g.miss(ip)
			}
			return err
		}
	}
}
