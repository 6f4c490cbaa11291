package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"manyi/survey/auth"
	"manyi/survey/internal/storekit"
)

// TakeLoginTokens takes one token from each bucket, or none when any is
// empty. The bucket rows are created when missing and locked (FOR UPDATE,
// in key order so that two servers cannot deadlock) for the transaction,
// so concurrent attempts on several servers take each token once.
func (db *DB) TakeLoginTokens(ctx context.Context, buckets []auth.Bucket) (bool, error) {
	now := db.now()
	bs := slices.Clone(buckets)
	slices.SortFunc(bs, func(a, b auth.Bucket) int { return strings.Compare(a.Key, b.Key) })
	var ok bool
	err := db.write(ctx, func(tx *sql.Tx) error {
		ok = false
		left := make([]float64, len(bs))
		for i, b := range bs {
			if _, err := tx.ExecContext(ctx, `INSERT INTO login_buckets (key, tokens, updated_at) VALUES ($1, -1, $2) ON CONFLICT (key) DO NOTHING`, b.Key, now); err != nil {
				return fmt.Errorf("postgres: login bucket: %w", err)
			}
			var tokens float64
			var at time.Time
			if err := tx.QueryRowContext(ctx, `SELECT tokens, updated_at FROM login_buckets WHERE key = $1 FOR UPDATE`, b.Key).Scan(&tokens, &at); err != nil {
				return fmt.Errorf("postgres: login bucket: %w", err)
			}
			left[i] = b.Refill(tokens, at.UTC(), now)
			if left[i] < 1 {
				return nil // refused: nothing taken (a new row stays full)
			}
		}
		for i, b := range bs {
			if _, err := tx.ExecContext(ctx, `UPDATE login_buckets SET tokens = $1, updated_at = $2 WHERE key = $3`, left[i]-1, now, b.Key); err != nil {
				return fmt.Errorf("postgres: login bucket: %w", err)
			}
		}
		if err := storekit.SweepLoginBuckets(ctx, dialect, tx, now); err != nil {
			return err
		}
		ok = true
		return nil
	})
	return ok, err
}

func getLock(ctx context.Context, q querier, name, source string, lock bool) (auth.LoginLock, error) {
	query := `SELECT ` + storekit.LoginLockCols + ` FROM login_failures WHERE name = lower($1) AND source = $2`
	if lock {
		query += ` FOR UPDATE`
	}
	l, err := storekit.ScanLoginLock(dialect, q.QueryRowContext(ctx, query, name, source))
	if errors.Is(err, sql.ErrNoRows) {
		return auth.LoginLock{Name: strings.ToLower(name), Source: source}, nil
	}
	if err != nil {
		return auth.LoginLock{}, fmt.Errorf("postgres: login lock: %w", err)
	}
	return l, nil
}

// LoginLock returns name's failures and lock from source.
func (db *DB) LoginLock(ctx context.Context, name, source string) (auth.LoginLock, error) {
	return getLock(ctx, db.db, name, source, false)
}

// RecordLoginFailure counts one failed login of name from source under p
// with the row locked, and returns the updated lock.
func (db *DB) RecordLoginFailure(ctx context.Context, name, source string, p auth.LockoutPolicy) (auth.LoginLock, error) {
	now := db.now()
	var out auth.LoginLock
	err := db.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO login_failures (name, source, failures, last_at) VALUES (lower($1), $2, 0, $3) ON CONFLICT (name, source) DO NOTHING`, name, source, now); err != nil {
			return fmt.Errorf("postgres: record login failure: %w", err)
		}
		l, err := getLock(ctx, tx, name, source, true)
		if err != nil {
			return err
		}
		l.Failures, l.LockedUntil = p.Fail(l.Failures, l.LockedUntil, now)
		l.LastAt = now
		if l.LockedUntil != nil {
			t := l.LockedUntil.UTC().Truncate(time.Microsecond)
			l.LockedUntil = &t
		}
		if _, err := tx.ExecContext(ctx, `UPDATE login_failures SET failures = $1, locked_until = $2, last_at = $3 WHERE name = lower($4) AND source = $5`,
			l.Failures, nullTime(l.LockedUntil), now, name, source); err != nil {
			return fmt.Errorf("postgres: record login failure: %w", err)
		}
		if err := storekit.SweepLoginFailures(ctx, dialect, tx, now); err != nil {
			return err
		}
		out = l
		return nil
	})
	return out, err
}

// RecordLoginSuccess clears name's failures from source.
func (db *DB) RecordLoginSuccess(ctx context.Context, name, source string) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM login_failures WHERE name = lower($1) AND source = $2`, name, source)
		return err
	})
}

// LoginLocks returns the locks in force now, newest first.
func (db *DB) LoginLocks(ctx context.Context) ([]auth.LoginLock, error) {
	return storekit.LoginLocks(ctx, dialect, db.db, db.now())
}

// UnlockUser clears every failure count and lock of the account and
// refills its name bucket; ENOTFOUND for an unknown account.
func (db *DB) UnlockUser(ctx context.Context, name string) error {
	return db.updateUser(ctx, name, func(tx *sql.Tx, u *auth.User) error {
		return clearLoginLocks(ctx, tx, u.Name)
	})
}

func clearLoginLocks(ctx context.Context, tx *sql.Tx, name string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM login_failures WHERE name = lower($1)`, name); err != nil {
		return fmt.Errorf("postgres: clear login locks: %w", err)
	}
	return storekit.ClearLoginBucket(ctx, dialect, tx, name)
}
