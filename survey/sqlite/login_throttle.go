package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"manyi/survey/auth"
	"manyi/survey/internal/storekit"
)

// TakeLoginTokens takes one token from each bucket, or none when any is
// empty, in one write transaction (so two servers cannot both take the
// last token), and sweeps rows idle for storekit.BucketForget.
func (db *DB) TakeLoginTokens(ctx context.Context, buckets []auth.Bucket) (bool, error) {
	now := db.now()
	var ok bool
	err := db.write(ctx, func(tx *sql.Tx) error {
		ok = false
		left := make([]float64, len(buckets))
		for i, b := range buckets {
			tokens, last := -1.0, now
			var at string
			err := tx.QueryRow(`SELECT tokens, updated_at FROM login_buckets WHERE key = ?`, b.Key).Scan(&tokens, &at)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				tokens = -1
			case err != nil:
				return fmt.Errorf("sqlite: login bucket: %w", err)
			default:
				if last, err = parseTime(at); err != nil {
					return err
				}
			}
			left[i] = b.Refill(tokens, last, now)
			if left[i] < 1 {
				return nil // refused: nothing taken, nothing written
			}
		}
		for i, b := range buckets {
			if _, err := tx.Exec(`INSERT INTO login_buckets (key, tokens, updated_at) VALUES (?, ?, ?)
				ON CONFLICT (key) DO UPDATE SET tokens = excluded.tokens, updated_at = excluded.updated_at`,
				b.Key, left[i]-1, fmtTime(now)); err != nil {
				return fmt.Errorf("sqlite: login bucket: %w", err)
			}
		}
		if err := storekit.SweepLoginBuckets(bg, dialect, tx, now); err != nil {
			return err
		}
		ok = true
		return nil
	})
	return ok, err
}

func getLock(ctx context.Context, q querier, name, source string) (auth.LoginLock, error) {
	l, err := storekit.ScanLoginLock(dialect, q.QueryRowContext(ctx, `SELECT `+storekit.LoginLockCols+` FROM login_failures WHERE name = ? AND source = ?`, name, source))
	if errors.Is(err, sql.ErrNoRows) {
		return auth.LoginLock{Name: name, Source: source}, nil
	}
	if err != nil {
		return auth.LoginLock{}, fmt.Errorf("sqlite: login lock: %w", err)
	}
	return l, nil
}

// LoginLock returns name's failures and lock from source.
func (db *DB) LoginLock(ctx context.Context, name, source string) (auth.LoginLock, error) {
	return getLock(ctx, db.rdb, name, source)
}

// RecordLoginFailure counts one failed login of name from source under p
// (auth.LockoutPolicy.Fail) and returns the updated lock; counts of
// unlocked sources idle for storekit.FailureForget are swept.
func (db *DB) RecordLoginFailure(ctx context.Context, name, source string, p auth.LockoutPolicy) (auth.LoginLock, error) {
	now := db.now()
	var out auth.LoginLock
	err := db.write(ctx, func(tx *sql.Tx) error {
		l, err := getLock(bg, tx, name, source)
		if err != nil {
			return err
		}
		l.Failures, l.LockedUntil = p.Fail(l.Failures, l.LockedUntil, now)
		l.LastAt = now
		var lu sql.NullString
		if l.LockedUntil != nil {
			lu = sql.NullString{String: fmtTime(*l.LockedUntil), Valid: true}
		}
		if _, err := tx.Exec(`INSERT INTO login_failures (name, source, failures, locked_until, last_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (name, source) DO UPDATE SET failures = excluded.failures, locked_until = excluded.locked_until, last_at = excluded.last_at`,
			name, source, l.Failures, lu, fmtTime(now)); err != nil {
			return fmt.Errorf("sqlite: record login failure: %w", err)
		}
		if err := storekit.SweepLoginFailures(bg, dialect, tx, now); err != nil {
			return err
		}
		out = l
		return nil
	})
	return out, err
}

// RecordLoginSuccess clears name's failures from source; other sources'
// counts and locks stay (an attacker's lock is not lifted by the owner's
// login elsewhere).
func (db *DB) RecordLoginSuccess(ctx context.Context, name, source string) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec(`DELETE FROM login_failures WHERE name = ? AND source = ?`, name, source)
		return err
	})
}

// LoginLocks returns the locks in force now, newest first.
func (db *DB) LoginLocks(ctx context.Context) ([]auth.LoginLock, error) {
	return storekit.LoginLocks(ctx, dialect, db.rdb, db.now())
}

// UnlockUser clears every failure count and lock of the account and
// refills its name bucket; ENOTFOUND for an unknown account.
func (db *DB) UnlockUser(ctx context.Context, name string) error {
	return db.updateUser(ctx, name, func(tx *sql.Tx, u *auth.User) error {
		return clearLoginLocks(tx, u.Name)
	})
}

func clearLoginLocks(tx *sql.Tx, name string) error {
	if _, err := tx.Exec(`DELETE FROM login_failures WHERE name = ?`, name); err != nil {
		return fmt.Errorf("sqlite: clear login locks: %w", err)
	}
	return storekit.ClearLoginBucket(bg, dialect, tx, name)
}
