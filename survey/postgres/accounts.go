package postgres

import (
	"context"
	"database/sql"
	"encoding/hex"
	"time"

	"manyi/survey/auth"
	"manyi/survey/internal/storekit"
)

var _ auth.Store = (*DB)(nil)

// getUser reads the account named name (any case); lock takes its row
// lock for the rest of the transaction.
func getUser(ctx context.Context, q querier, name string, lock bool) (*auth.User, error) {
	forUpdate := ""
	if lock {
		forUpdate = ` FOR UPDATE`
	}
	return storekit.UserByName(ctx, dialect, q, name, `lower(name) = lower(?)`, forUpdate)
}

// CreateUser adds an active account; ECONFLICT when the name is taken (in
// any case).
func (db *DB) CreateUser(ctx context.Context, name string, role auth.Role, passwordHash string) (*auth.User, error) {
	n, err := storekit.CheckNewUser(name, role, passwordHash)
	if err != nil {
		return nil, err
	}
	now := db.now()
	var id int64
	err = db.write(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO users (name, role, password_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id`,
			n, string(role), passwordHash, now).Scan(&id)
		if isConstraint(err) {
			return storekit.ErrUserTaken(n)
		}
		if err != nil {
			return dialect.Errorf("create user: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &auth.User{ID: id, Name: n, Role: role, PasswordHash: passwordHash, CreatedAt: now}, nil
}

// UserByName returns the account named name (any case), disabled or not.
func (db *DB) UserByName(ctx context.Context, name string) (*auth.User, error) {
	return getUser(ctx, db.db, name, false)
}

// Users returns every account, active ones first, then by name.
func (db *DB) Users(ctx context.Context) ([]*auth.User, error) {
	return storekit.Users(ctx, dialect, db.db, ` COLLATE "C"`)
}

// updateUser runs fn on the account in one transaction holding its row
// lock, so read-check-write rules hold under concurrency.
func (db *DB) updateUser(ctx context.Context, name string, fn func(tx *sql.Tx, u *auth.User) error) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		u, err := getUser(ctx, tx, name, true)
		if err != nil {
			return err
		}
		return fn(tx, u)
	})
}

// SetPassword replaces the account's password hash, clears its lock-outs and
// ends its sessions.
func (db *DB) SetPassword(ctx context.Context, name, passwordHash string) error {
	if err := storekit.CheckPasswordHash(name, passwordHash); err != nil {
		return err
	}
	return db.updateUser(ctx, name, func(tx *sql.Tx, u *auth.User) error {
		if err := storekit.SetUserPassword(ctx, dialect, tx, u.ID, passwordHash); err != nil {
			return err
		}
		if err := clearLoginLocks(ctx, tx, u.Name); err != nil {
			return err
		}
		return storekit.DeleteUserSessions(ctx, dialect, tx, u.ID)
	})
}

// SetRole changes the account's role and ends its sessions. It refuses to
// demote the last active office account.
func (db *DB) SetRole(ctx context.Context, name string, role auth.Role) error {
	if err := storekit.CheckRole(role); err != nil {
		return err
	}
	return db.updateUser(ctx, name, func(tx *sql.Tx, u *auth.User) error {
		if u.Role == role {
			return nil
		}
		if u.Role == auth.RoleOffice && !u.Disabled() {
			if err := checkNotLastOffice(ctx, tx, u); err != nil {
				return err
			}
		}
		if err := storekit.SetUserRole(ctx, dialect, tx, u.ID, role); err != nil {
			return err
		}
		return storekit.DeleteUserSessions(ctx, dialect, tx, u.ID)
	})
}

// DisableUser disables the account and ends its sessions; disabling twice
// is not an error. It refuses to disable the last active office account.
func (db *DB) DisableUser(ctx context.Context, name string) error {
	return db.updateUser(ctx, name, func(tx *sql.Tx, u *auth.User) error {
		if u.Disabled() {
			return nil
		}
		if u.Role == auth.RoleOffice {
			if err := checkNotLastOffice(ctx, tx, u); err != nil {
				return err
			}
		}
		if err := storekit.DisableUser(ctx, dialect, tx, u.ID, db.now()); err != nil {
			return err
		}
		return storekit.DeleteUserSessions(ctx, dialect, tx, u.ID)
	})
}

// checkNotLastOffice refuses to take away the last active office account.
// It locks every active office account first: two transactions demoting
// the last two office accounts at once then run one after the other, and
// the second sees the first's change.
func checkNotLastOffice(ctx context.Context, tx *sql.Tx, u *auth.User) error {
	rows, err := tx.QueryContext(ctx, `SELECT id FROM users WHERE role = 'office' AND disabled_at IS NULL ORDER BY id FOR UPDATE`)
	if err != nil {
		return dialect.Errorf("lock office accounts: %w", err)
	}
	// Read to the end: a deadlock with a concurrent change (each holds its
	// own row and waits for the other's) is reported here, and it must
	// reach write's retry rather than leave the transaction aborted.
	for rows.Next() {
	}
	if err := rows.Err(); err != nil {
		rows.Close()
		return dialect.Errorf("lock office accounts: %w", err)
	}
	rows.Close()
	return storekit.CheckNotLastOffice(ctx, dialect, tx, u)
}

// CreateSession starts a session for an active user and returns its token.
// Expired sessions of every user are swept in the same transaction.
func (db *DB) CreateSession(ctx context.Context, userID int64, p auth.SessionPolicy) (string, *auth.Session, error) {
	tok, h := auth.NewSessionToken()
	secret := auth.NewCSRFSecret()
	now := db.now()
	s := &auth.Session{ID: hex.EncodeToString(h), CreatedAt: now, LastSeen: now, ExpiresAt: p.Expiry(now, now).UTC().Truncate(time.Microsecond), CSRFSecret: secret}
	err := db.write(ctx, func(tx *sql.Tx) error {
		return storekit.InsertSession(ctx, dialect, tx, h, userID, s)
	})
	if err != nil {
		return "", nil, err
	}
	return tok, s, nil
}

// SessionByToken returns the live session of token with its user, read
// from the database on every call (any server may have ended it). It
// slides the expiry when LastSeen is older than p.Touch. ENOTFOUND when
// the token is malformed, unknown or expired, or its user is disabled.
func (db *DB) SessionByToken(ctx context.Context, token string, p auth.SessionPolicy) (*auth.Session, error) {
	if !auth.WellFormedSessionToken(token) {
		return nil, storekit.ErrNoSession()
	}
	h := auth.SessionTokenHash(token)
	now := db.now()
	s, err := storekit.LiveSession(ctx, dialect, db.db, h, now)
	if err != nil {
		return nil, err
	}
	if now.Sub(s.LastSeen) >= p.Touch {
		exp := p.Expiry(s.CreatedAt, now).UTC().Truncate(time.Microsecond)
		var n int64
		err := db.write(ctx, func(tx *sql.Tx) error {
			var err error
			n, err = storekit.TouchSession(ctx, dialect, tx, h, now, exp)
			return err
		})
		if err != nil {
			return nil, dialect.Errorf("touch session: %w", err)
		}
		if n == 0 { // logged out on another server meanwhile
			return nil, storekit.ErrNoSession()
		}
		s.LastSeen, s.ExpiresAt = now, exp
	}
	return s, nil
}

// DeleteSession ends the session of token (logout) on every server; an
// unknown token is not an error.
func (db *DB) DeleteSession(ctx context.Context, token string) error {
	if !auth.WellFormedSessionToken(token) {
		return nil
	}
	h := auth.SessionTokenHash(token)
	return db.write(ctx, func(tx *sql.Tx) error {
		return storekit.DeleteSession(ctx, dialect, tx, h)
	})
}

// DeleteUserSessions ends every session of the user (log out everywhere).
func (db *DB) DeleteUserSessions(ctx context.Context, userID int64) error {
	return db.write(ctx, func(tx *sql.Tx) error { return storekit.DeleteUserSessions(ctx, dialect, tx, userID) })
}
