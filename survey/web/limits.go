package web

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/labstack/echo/v5"

	"manyi/survey"
	"manyi/survey/auth"
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
// succeed anyway; the limit keeps a guesser from costing the database a
// look-up and a bucket write per guess). Only misses count, so thousands
// of residents behind one carrier NAT opening their real links are not
// slowed down, and a real link costs nothing extra.
const (
	guessEvery  = 2 * time.Second
	guessBurst  = 30
	guessMaxIPs = 50000
)

// bucketTaker takes tokens from the store's token buckets (the login
// limiter's table, which every server on the database shares).
type bucketTaker interface {
	TakeLoginTokens(ctx context.Context, buckets []auth.Bucket) (bool, error)
}

// guessBucket is the database bucket of an address's unknown-token misses.
func guessBucket(ip string) auth.Bucket {
	return auth.Bucket{Key: "guess:" + ip, Every: guessEvery, Burst: guessBurst}
}

// guessLimiter counts unknown-token misses per client address in the
// store's token buckets (key "guess:<address>"), so that several servers
// share one allowance. The process remembers only the addresses the store
// refused, for guessEvery, so that a blocked guesser costs no look-up at
// all; the map is swept when it holds guessMaxIPs addresses, so it never
// grows without bound.
type guessLimiter struct {
	now     func() time.Time
	buckets bucketTaker
	mu      sync.Mutex
	until   map[string]time.Time // refused addresses, blocked until then
}

func newGuessLimiter(now func() time.Time, buckets bucketTaker) *guessLimiter {
	return &guessLimiter{now: now, buckets: buckets, until: map[string]time.Time{}}
}

// blocked reports whether the store refused ip's last miss less than
// guessEvery ago.
func (g *guessLimiter) blocked(ip string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.now().Before(g.until[ip])
}

// miss counts one unknown token from ip and reports whether ip had no
// misses left.
func (g *guessLimiter) miss(ctx context.Context, ip string) (bool, error) {
	ok, err := g.buckets.TakeLoginTokens(ctx, []auth.Bucket{guessBucket(ip)})
	if err != nil || ok {
		return false, err
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	now := g.now()
	if len(g.until) >= guessMaxIPs {
		for k, t := range g.until {
			if !now.Before(t) {
				delete(g.until, k)
			}
		}
		if len(g.until) >= guessMaxIPs {
			g.until = map[string]time.Time{}
		}
	}
	g.until[ip] = now.Add(guessEvery)
	return true, nil
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
				// The miss that empties the bucket is answered 429 as
				// well: the token did not exist anyway.
				if out, merr := g.miss(c.Request().Context(), ip); merr != nil {
					return merr
				} else if out {
					c.Response().Header().Set("Retry-After", fmt.Sprint(int(guessEvery/time.Second)))
					return &survey.Error{Code: survey.ETOOMANY, Message: errTooManyGuesses}
				}
			}
			return err
		}
	}
}
