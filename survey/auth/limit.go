package auth

import (
	"context"
	"math"
	"time"
)

// The login defence has three parts, all kept in the database so that
// several servers behind a load balancer share them (issue 12) and a
// restart does not reset them:
//
//   - a token bucket per client address (Limits.PerAddress): one address
//     cannot try many names or passwords quickly;
//   - a token bucket per user name (Limits.PerName), for attempts from a
//     browser that is not one of the account's trusted devices: a botnet
//     spread over many addresses is slowed down on one name;
//   - a lock-out per user name and source (LockoutPolicy): five wrong
//     passwords in a row from one address, or from one trusted device,
//     lock that source out of that account for 15 minutes.
//
// None of them lets an anonymous client lock the account out for its
// owner: the lock-out is per source, so an attacker locks only itself; the
// name's bucket does not apply to a trusted device (a browser the account
// has logged in from before, proved by a signed cookie), so the office's
// own browsers still log in while a name is under attack; and the office
// can unlock an account on the users page (UnlockUser).

// Bucket is one token bucket of the login limiter: Burst tokens when full,
// one more every Every. Key names it ("addr:203.0.113.7", "name:wang").
type Bucket struct {
	Key   string
	Every time.Duration
	Burst int
}

// Refill returns the bucket's tokens at now, when it had tokens at last.
// A bucket never seen before is full (tokens < 0 means unknown).
func (b Bucket) Refill(tokens float64, last, now time.Time) float64 {
	if tokens < 0 {
		return float64(b.Burst)
	}
	if d := now.Sub(last); d > 0 && b.Every > 0 {
		tokens += float64(d) / float64(b.Every)
	}
	return math.Min(tokens, float64(b.Burst))
}

// Limits sets the login limiter's buckets.
type Limits struct {
	AddressEvery time.Duration // one attempt per AddressEvery from one address
	AddressBurst int
	NameEvery    time.Duration // one attempt per NameEvery at one name, from untrusted browsers
	NameBurst    int
}

// DefaultLimits allow 10 attempts at once then one per 6 seconds from one
// address (an office behind one NAT still logs in at 8:30), and 5 then one
// per 15 seconds at one name from browsers that are not its trusted
// devices, whoever tries it.
var DefaultLimits = Limits{
	AddressEvery: 6 * time.Second, AddressBurst: 10,
	NameEvery: 15 * time.Second, NameBurst: 5,
}

// AddressBucket is the bucket of one client address.
func (l Limits) AddressBucket(addr string) Bucket {
	return Bucket{Key: "addr:" + addr, Every: l.AddressEvery, Burst: l.AddressBurst}
}

// NameBucket is the bucket of one (normalized) user name.
func (l Limits) NameBucket(name string) Bucket {
	return Bucket{Key: NameKey(name), Every: l.NameEvery, Burst: l.NameBurst}
}

// NameKey is the key of a user name's bucket (stores clear it on unlock).
func NameKey(name string) string { return "name:" + name }

// LockoutPolicy locks a user name for one source after MaxFailures
// consecutive failed logins from that source, for LockFor. The store keeps
// the counters; this type holds only the rule (Fail), which the store
// applies.
type LockoutPolicy struct {
	MaxFailures int
	LockFor     time.Duration
}

// DefaultLockout is 5 consecutive failures from one source, then 15
// minutes locked for that source: with the address bucket that allows at
// most 20 guesses per account per hour from one address.
var DefaultLockout = LockoutPolicy{MaxFailures: 5, LockFor: 15 * time.Minute}

// Locked reports whether a lock with lockedUntil holds at now.
func Locked(lockedUntil *time.Time, now time.Time) bool {
	return lockedUntil != nil && now.Before(*lockedUntil)
}

// Fail applies one failed login at now to a source that had failures
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

// Source kinds of a LoginLock.
const (
	SourceAddress = "addr"   // a client address
	SourceDevice  = "device" // a trusted device of the account
)

// LoginLock is the failure count and lock of one user name from one
// source. Source is "addr:<address>" or "device:<id>" (AddressSource,
// DeviceSource).
type LoginLock struct {
	Name        string
	Source      string
	Failures    int
	LockedUntil *time.Time // nil when not locked
	LastAt      time.Time  // the last failure
}

// AddressSource is the lock-out source of a client address.
func AddressSource(addr string) string { return SourceAddress + ":" + addr }

// DeviceSource is the lock-out source of a trusted device.
func DeviceSource(id string) string { return SourceDevice + ":" + id }

// LoginThrottle keeps the login limiter's buckets and the lock-outs in the
// store, shared by every server on the database. Times are the store's
// clock.
type LoginThrottle interface {
	// TakeLoginTokens takes one token from each bucket, or none when any
	// of them is empty, in one transaction, and reports whether it took
	// them. A refused attempt takes nothing, so that a flood does not push
	// the wait further out.
	TakeLoginTokens(ctx context.Context, buckets []Bucket) (bool, error)
	// LoginLock returns name's failures and lock from source (a zero
	// LoginLock when there are none).
	LoginLock(ctx context.Context, name, source string) (LoginLock, error)
	// RecordLoginFailure counts one failed login of name from source
	// under p and returns the lock as updated (LockedUntil set when this
	// failure locked it).
	RecordLoginFailure(ctx context.Context, name, source string, p LockoutPolicy) (LoginLock, error)
	// RecordLoginSuccess clears name's failures from source.
	RecordLoginSuccess(ctx context.Context, name, source string) error
	// LoginLocks returns the locks in force now, newest first.
	LoginLocks(ctx context.Context) ([]LoginLock, error)
	// UnlockUser clears every failure count and lock of name and fills its
	// name bucket again (the office's "Unlock" button).
	UnlockUser(ctx context.Context, name string) error
}
