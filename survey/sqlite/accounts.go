package sqlite

import (
	"context"
	"database/sql"
	"encoding/hex"

	"manyi/survey/auth"
	"manyi/survey/internal/storekit"
)

var _ auth.Store = (*DB)(nil)

// getUser reads the account named name (any case: the column is NOCASE).
func getUser(ctx context.Context, q querier, name string) (*auth.User, error) {
	return storekit.UserByName(ctx, dialect, q, name, `name = ?`, "")
}

// CreateUser adds an active account. The name is normalized and checked
// here too, so that no caller can store a name the login form cannot type;
// ECONFLICT when it is taken (in any case).
func (db *DB) CreateUser(ctx context.Context, name string, role auth.Role, passwordHash string) (*auth.User, error) {
	n, err := storekit.CheckNewUser(name, role, passwordHash)
	if err != nil {
		return nil, err
	}
	now := db.now()
	var id int64
	err = db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.Exec(`INSERT INTO users (name, role, password_hash, created_at) VALUES (?, ?, ?, ?)`,
			n, string(role), passwordHash, fmtTime(now))
		if isConstraint(err) {
			return storekit.ErrUserTaken(n)
		}
		if err != nil {
			return dialect.Errorf("create user: %w", err)
		}
		id, err = res.LastInsertId()
		return err
	})
	if err != nil {
		return nil, err
	}
	return &auth.User{ID: id, Name: n, Role: role, PasswordHash: passwordHash, CreatedAt: now}, nil
}

// UserByName returns the account named name (any case), disabled or not.
func (db *DB) UserByName(ctx context.Context, name string) (*auth.User, error) {
	return getUser(ctx, db.rdb, name)
}

// Users returns every account, active ones first, then by name.
func (db *DB) Users(ctx context.Context) ([]*auth.User, error) {
	return storekit.Users(ctx, dialect, db.rdb, "")
}

// updateUser runs fn on the account in one write transaction; fn gets the
// current row, so read-check-write rules (the last office account) hold
// under concurrency.
func (db *DB) updateUser(ctx context.Context, name string, fn func(tx *sql.Tx, u *auth.User) error) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		// Not ctx: once queued, a write runs to the end (see write).
		u, err := getUser(bg, tx, name)
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
		if err := storekit.SetUserPassword(bg, dialect, tx, u.ID, passwordHash); err != nil {
			return err
		}
		if err := clearLoginLocks(tx, u.Name); err != nil {
			return err
		}
		return storekit.DeleteUserSessions(bg, dialect, tx, u.ID)
	})
}

// SetRole changes the account's role and ends its sessions. It refuses to
// demote the last active office account: nobody could manage accounts
// afterwards.
func (db *DB) SetRole(ctx context.Context, name string, role auth.Role) error {
	if err := storekit.CheckRole(role); err != nil {
		return err
	}
	return db.updateUser(ctx, name, func(tx *sql.Tx, u *auth.User) error {
		if u.Role == role {
			return nil
		}
		if u.Role == auth.RoleOffice && !u.Disabled() {
			if err := storekit.CheckNotLastOffice(bg, dialect, tx, u); err != nil {
				return err
			}
		}
		if err := storekit.SetUserRole(bg, dialect, tx, u.ID, role); err != nil {
			return err
		}
		return storekit.DeleteUserSessions(bg, dialect, tx, u.ID)
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
			if err := storekit.CheckNotLastOffice(bg, dialect, tx, u); err != nil {
				return err
			}
		}
		if err := storekit.DisableUser(bg, dialect, tx, u.ID, db.now()); err != nil {
			return err
		}
		return storekit.DeleteUserSessions(bg, dialect, tx, u.ID)
	})
}

// CreateSession starts a session for an active user and returns its token.
// Expired sessions of every user are swept in the same transaction, which
// keeps the table small without a background job.
func (db *DB) CreateSession(ctx context.Context, userID int64, p auth.SessionPolicy) (string, *auth.Session, error) {
	tok, h := auth.NewSessionToken()
	secret := auth.NewCSRFSecret()
	now := db.now()
	s := &auth.Session{ID: hex.EncodeToString(h), CreatedAt: now, LastSeen: now, ExpiresAt: p.Expiry(now, now), CSRFSecret: secret}
	err := db.write(ctx, func(tx *sql.Tx) error {
		return storekit.InsertSession(bg, dialect, tx, h, userID, s)
	})
	if err != nil {
		return "", nil, err
	}
	return tok, s, nil
}

// SessionByToken returns the live session of token with its user. It
// slides the expiry (auth.SessionPolicy.Expiry) when LastSeen is older than
// p.Touch, so that most requests are reads only. ENOTFOUND when the token
// is malformed, unknown or expired, or its user is disabled.
func (db *DB) SessionByToken(ctx context.Context, token string, p auth.SessionPolicy) (*auth.Session, error) {
	if !auth.WellFormedSessionToken(token) {
		return nil, storekit.ErrNoSession()
	}
	h := auth.SessionTokenHash(token)
	now := db.now()
	s, err := storekit.LiveSession(ctx, dialect, db.rdb, h, now)
	if err != nil {
		return nil, err
	}
	if now.Sub(s.LastSeen) >= p.Touch {
		exp := p.Expiry(s.CreatedAt, now)
		err := db.write(ctx, func(tx *sql.Tx) error {
			_, err := storekit.TouchSession(bg, dialect, tx, h, now, exp)
			return err
		})
		if err != nil {
			return nil, dialect.Errorf("touch session: %w", err)
		}
		s.LastSeen, s.ExpiresAt = now, exp
	}
	return s, nil
}

// DeleteSession ends the session of token (logout); an unknown token is not
// an error, so that logging out twice is harmless.
func (db *DB) DeleteSession(ctx context.Context, token string) error {
	if !auth.WellFormedSessionToken(token) {
		return nil
	}
	h := auth.SessionTokenHash(token)
	return db.write(ctx, func(tx *sql.Tx) error {
		return storekit.DeleteSession(bg, dialect, tx, h)
	})
}

// DeleteUserSessions ends every session of the user (log out everywhere).
func (db *DB) DeleteUserSessions(ctx context.Context, userID int64) error {
	return db.write(ctx, func(tx *sql.Tx) error { return storekit.DeleteUserSessions(bg, dialect, tx, userID) })
}
