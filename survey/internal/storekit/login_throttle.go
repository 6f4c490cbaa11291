package storekit

import (
	"context"
	"strings"
	"time"

	"manyi/survey/auth"
)

// BucketForget is how long an unused login bucket row is kept: longer
// than any bucket takes to fill up again (Burst × Every), after which the
// row says nothing a missing row does not.
const BucketForget = time.Hour

// FailureForget is how long the failure count of a source that is not
// locked is kept.
const FailureForget = 24 * time.Hour

// LoginLockCols are the columns ScanLoginLock reads, in its order.
const LoginLockCols = `name, source, failures, locked_until, last_at`

// ScanLoginLock reads one login_failures row (LoginLockCols).
func ScanLoginLock(d *Dialect, s Scanner) (auth.LoginLock, error) {
	var l auth.LoginLock
	if err := s.Scan(&l.Name, &l.Source, &l.Failures, d.NullTimeDest(&l.LockedUntil), d.TimeDest(&l.LastAt)); err != nil {
		return auth.LoginLock{}, err
	}
	return l, nil
}

// LoginLocks returns the locks in force at now, newest first.
func LoginLocks(ctx context.Context, d *Dialect, q Querier, now time.Time) ([]auth.LoginLock, error) {
	rows, err := d.Query(ctx, q, `SELECT `+LoginLockCols+` FROM login_failures WHERE locked_until > ? ORDER BY locked_until DESC, name, source`, d.TimeArg(now))
	return ScanAll(d, "login locks", rows, err, func(s Scanner) (auth.LoginLock, error) { return ScanLoginLock(d, s) })
}

// SweepLoginBuckets deletes the bucket rows idle for BucketForget.
func SweepLoginBuckets(ctx context.Context, d *Dialect, tx Querier, now time.Time) error {
	if _, err := d.Exec(ctx, tx, `DELETE FROM login_buckets WHERE updated_at < ?`, d.TimeArg(now.Add(-BucketForget))); err != nil {
		return d.Errorf("sweep login buckets: %w", err)
	}
	return nil
}

// SweepLoginFailures deletes the failure counts of sources that are not
// locked and were idle for FailureForget.
func SweepLoginFailures(ctx context.Context, d *Dialect, tx Querier, now time.Time) error {
	if _, err := d.Exec(ctx, tx, `DELETE FROM login_failures WHERE last_at < ? AND (locked_until IS NULL OR locked_until < ?)`,
		d.TimeArg(now.Add(-FailureForget)), d.TimeArg(now)); err != nil {
		return d.Errorf("sweep login failures: %w", err)
	}
	return nil
}

// ClearLoginBucket refills the name bucket of the account name (its row
// is deleted), as unlocking it does.
func ClearLoginBucket(ctx context.Context, d *Dialect, tx Querier, name string) error {
	if _, err := d.Exec(ctx, tx, `DELETE FROM login_buckets WHERE key = ?`, auth.NameKey(strings.ToLower(name))); err != nil {
		return d.Errorf("clear login bucket: %w", err)
	}
	return nil
}
