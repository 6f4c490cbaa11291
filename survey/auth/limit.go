package auth

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// LockoutPolicy locks an account after MaxFailures consecutive failed
// logins for LockFor. The store keeps the counters (they must survive a
// restart); this type holds only the rule, applied by the store.
type LockoutPolicy struct {
	MaxFailures int
	LockFor     time.Duration
}

// DefaultLockout is 5 consecutive failures, then 15 minutes locked: with the
// limiter below that allows at most 20 guesses per account per hour.
var DefaultLockout = LockoutPolicy{MaxFailures: 5, LockFor: 15 * time.Minute}

// Locked reports whether an account with lockedUntil is locked at now.
func Locked(lockedUntil *time.Time, now time.Time) bool {
	return lockedUntil != nil && now.Before(*lockedUntil)
}

// Fail applies one failed login at now to an account that had failures
// consecutive failures and lockedUntil, and returns the new counter and lock.
// A lock that has run out starts a fresh count, so that one typo after a
// lock-out does not lock again at once. Failures while locked are not
// counted (the password was not even checked) and do not extend the lock.
func (p LockoutPolicy) Fail(failures int, lockedUntil *time.Time, now time.Time) (int, *time.Time) {
	if Locked(lockedUntil, now) {
		return failures, lockedUntil
	}
	if lockedUntil != nil {
		failures = 0
	}
	failures++
	if failures >= p.MaxFailures {
		t := now.Add(p.LockFor)
		return failures, &t
	}
	return failures, nil
}

// LimiterConfig sets the login limiter's token buckets.
type LimiterConfig struct {
	PerIP      rate.Limit // attempts per second from one address
	IPBurst    int
	PerAccount rate.Limit // attempts per second at one user name, existing or not
	AccBurst   int
	// MaxKeys bounds the memory: past it, buckets idle for Forget are
	// dropped (a full bucket behaves like a new one anyway).
	MaxKeys int
	Forget  time.Duration
}

// DefaultLimiterConfig allows 10 attempts at once then one per 6 seconds
// from one address (an office behind one NAT still logs in at 8:30), and 5
// then one per 15 seconds at one name, whoever tries it.
var DefaultLimiterConfig = LimiterConfig{
	PerIP: rate.Every(6 * time.Second), IPBurst: 10,
	PerAccount: rate.Every(15 * time.Second), AccBurst: 5,
	MaxKeys: 10000, Forget: 30 * time.Minute,
}

// Limiter slows down password guessing before the lock-out: a login
// attempt must find a token in both its address's and its user name's
// bucket. Buckets live in memory (a restart refills them, which the
// database lock-out makes harmless). A Limiter is safe for concurrent use.
type Limiter struct {
	cfg LimiterConfig
	// Now is the clock; tests replace it.
	Now func() time.Time

	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	lim  *rate.Limiter
	last time.Time
}

// NewLimiter returns a limiter with cfg and the real clock.
func NewLimiter(cfg LimiterConfig) *Limiter {
	return &Limiter{cfg: cfg, Now: time.Now, buckets: map[string]*bucket{}}
}

// Allow reports whether a login attempt from ip at user name may go ahead,
// and takes a token from both buckets when it may. A refused attempt takes
// nothing, so that a flood does not push the wait further out.
func (l *Limiter) Allow(ip, name string) bool {
	now := l.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.buckets) > l.cfg.MaxKeys {
		l.sweep(now)
	}
	bi := l.bucket("ip\x00"+ip, l.cfg.PerIP, l.cfg.IPBurst, now)
	bn := l.bucket("name\x00"+name, l.cfg.PerAccount, l.cfg.AccBurst, now)
	ri := bi.lim.ReserveN(now, 1)
	rn := bn.lim.ReserveN(now, 1)
	if ri.OK() && rn.OK() && ri.DelayFrom(now) == 0 && rn.DelayFrom(now) == 0 {
		return true
	}
	ri.CancelAt(now)
	rn.CancelAt(now)
	return false
}

func (l *Limiter) bucket(key string, r rate.Limit, burst int, now time.Time) *bucket {
	b, ok := l.buckets[key]
	if !ok {
		b = &bucket{lim: rate.NewLimiter(r, burst)}
		l.buckets[key] = b
	}
	b.last = now
	return b
}

// sweep drops buckets idle for Forget; it runs only when the map is over
// MaxKeys, so the common case costs nothing.
func (l *Limiter) sweep(now time.Time) {
	for k, b := range l.buckets {
		if now.Sub(b.last) > l.cfg.Forget {
			delete(l.buckets, k)
		}
	}
}
