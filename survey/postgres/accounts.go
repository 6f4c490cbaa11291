package postgres

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"manyi/survey"
	"manyi/survey/auth"
	"manyi/survey/internal/storekit"
)

var _ auth.Store = (*DB)(nil)

const userCols = `id, name, role, password_hash, created_at, disabled_at`

// scanUser reads one row of userCols.
func scanUser(row interface{ Scan(...any) error }) (*auth.User, error) {
	var u auth.User
	var role string
	var disabled sql.NullTime
	if err := row.Scan(&u.ID, &u.Name, &role, &u.PasswordHash, &u.CreatedAt, &disabled); err != nil {
		return nil, err
	}
	u.Role = auth.Role(role)
	u.CreatedAt = utc(u.CreatedAt)
	u.DisabledAt = utcPtr(disabled)
	return &u, nil
}

// getUser reads the account named name (any case); lock takes its row
// lock for the rest of the transaction.
func getUser(ctx context.Context, q querier, name string, lock bool) (*auth.User, error) {
	query := `SELECT ` + userCols + ` FROM users WHERE lower(name) = lower($1)`
	if lock {
		query += ` FOR UPDATE`
	}
	u, err := scanUser(q.QueryRowContext(ctx, query, name))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, storekit.ErrNoUser(name)
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: user %s: %w", name, err)
	}
	return u, nil
}

// CreateUser adds an active account; ECONFLICT when the name is taken (in
// any case).
func (db *DB) CreateUser(ctx context.Context, name string, role auth.Role, passwordHash string) (*auth.User, error) {
	n, err := auth.NormalizeUserName(name)
	if err != nil {
		return nil, err
	}
	if !role.Valid() {
		_, err := auth.ParseRole(string(role))
		return nil, err
	}
	if passwordHash == "" {
		return nil, survey.Errorf(survey.EINVALID, "用户 %s 缺少密码", "user %s has no password", n)
	}
	now := db.now()
	var id int64
	err = db.write(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO users (name, role, password_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id`,
			n, string(role), passwordHash, now).Scan(&id)
		if isConstraint(err) {
			return survey.Errorf(survey.ECONFLICT, "用户名 %s 已被使用", "the user name %s is already taken", n)
		}
		if err != nil {
			return fmt.Errorf("postgres: create user: %w", err)
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
	rows, err := db.db.QueryContext(ctx, `SELECT `+userCols+` FROM users ORDER BY disabled_at IS NOT NULL, name COLLATE "C"`)
	if err != nil {
		return nil, fmt.Errorf("postgres: users: %w", err)
	}
	defer rows.Close()
	var us []*auth.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("postgres: users: %w", err)
		}
		us = append(us, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: users: %w", err)
	}
	return us, nil
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
	if passwordHash == "" {
		return survey.Errorf(survey.EINVALID, "用户 %s 缺少密码", "user %s has no password", name)
	}
	return db.updateUser(ctx, name, func(tx *sql.Tx, u *auth.User) error {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $1 WHERE id = $2`, passwordHash, u.ID); err != nil {
			return fmt.Errorf("postgres: set password: %w", err)
		}
		if err := clearLoginLocks(ctx, tx, u.Name); err != nil {
			return err
		}
		return deleteUserSessions(ctx, tx, u.ID)
	})
}

// SetRole changes the account's role and ends its sessions. It refuses to
// demote the last active office account.
func (db *DB) SetRole(ctx context.Context, name string, role auth.Role) error {
	if !role.Valid() {
		_, err := auth.ParseRole(string(role))
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
		if _, err := tx.ExecContext(ctx, `UPDATE users SET role = $1 WHERE id = $2`, string(role), u.ID); err != nil {
			return fmt.Errorf("postgres: set role: %w", err)
		}
		return deleteUserSessions(ctx, tx, u.ID)
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
		if _, err := tx.ExecContext(ctx, `UPDATE users SET disabled_at = $1 WHERE id = $2`, db.now(), u.ID); err != nil {
			return fmt.Errorf("postgres: disable user: %w", err)
		}
		return deleteUserSessions(ctx, tx, u.ID)
	})
}

// checkNotLastOffice refuses to take away the last active office account.
// It locks every active office account first: two transactions demoting
// the last two office accounts at once then run one after the other, and
// the second sees the first's change.
func checkNotLastOffice(ctx context.Context, tx *sql.Tx, u *auth.User) error {
	rows, err := tx.QueryContext(ctx, `SELECT id FROM users WHERE role = 'office' AND disabled_at IS NULL ORDER BY id FOR UPDATE`)
	if err != nil {
		return fmt.Errorf("postgres: lock office accounts: %w", err)
	}
	// Read to the end: a deadlock with a concurrent change (each holds its
	// own row and waits for the other's) is reported here, and it must
	// reach write's retry rather than leave the transaction aborted.
	for rows.Next() {
	}
	if err := rows.Err(); err != nil {
		rows.Close()
		return fmt.Errorf("postgres: lock office accounts: %w", err)
	}
	rows.Close()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM users WHERE role = 'office' AND disabled_at IS NULL AND id <> $1`, u.ID).Scan(&n); err != nil {
		return fmt.Errorf("postgres: count office accounts: %w", err)
	}
	if n == 0 {
		return survey.Errorf(survey.ECONFLICT, "%s 是最后一个有效的管理员账户，不能停用或降级；请先添加另一个管理员",
			"%s is the last active office account and cannot be disabled or demoted; add another office account first", u.Name)
	}
	return nil
}

// CreateSession starts a session for an active user and returns its token.
// Expired sessions of every user are swept in the same transaction.
func (db *DB) CreateSession(ctx context.Context, userID int64, p auth.SessionPolicy) (string, *auth.Session, error) {
	tok, h := auth.NewSessionToken()
	secret := auth.NewCSRFSecret()
	now := db.now()
	s := &auth.Session{ID: hex.EncodeToString(h), CreatedAt: now, LastSeen: now, ExpiresAt: p.Expiry(now, now).UTC().Truncate(time.Microsecond), CSRFSecret: secret}
	err := db.write(ctx, func(tx *sql.Tx) error {
		u, err := scanUser(tx.QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE id = $1`, userID))
		if errors.Is(err, sql.ErrNoRows) {
			return survey.Errorf(survey.ENOTFOUND, "没有编号为 %d 的用户", "there is no user with id %d", userID)
		}
		if err != nil {
			return fmt.Errorf("postgres: create session: %w", err)
		}
		if u.Disabled() {
			return survey.Errorf(survey.EFORBIDDEN, "用户 %s 已停用", "user %s is disabled", u.Name)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at <= $1`, now); err != nil {
			return fmt.Errorf("postgres: sweep sessions: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO sessions (token_hash, user_id, created_at, expires_at, last_seen, csrf_secret) VALUES ($1, $2, $3, $4, $3, $5)`,
			h, userID, now, s.ExpiresAt, secret); err != nil {
			return fmt.Errorf("postgres: create session: %w", err)
		}
		s.User = u
		return nil
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
	var s auth.Session
	var uid int64
	err := db.db.QueryRowContext(ctx, `SELECT user_id, created_at, expires_at, last_seen, csrf_secret FROM sessions WHERE token_hash = $1`, h).
		Scan(&uid, &s.CreatedAt, &s.ExpiresAt, &s.LastSeen, &s.CSRFSecret)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, storekit.ErrNoSession()
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: session: %w", err)
	}
	s.CreatedAt, s.ExpiresAt, s.LastSeen = utc(s.CreatedAt), utc(s.ExpiresAt), utc(s.LastSeen)
	now := db.now()
	if !now.Before(s.ExpiresAt) {
		return nil, storekit.ErrNoSession()
	}
	u, err := scanUser(db.db.QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE id = $1`, uid))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, storekit.ErrNoSession()
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: session user: %w", err)
	}
	if u.Disabled() {
		return nil, storekit.ErrNoSession()
	}
	s.User = u
	s.ID = hex.EncodeToString(h)
	if now.Sub(s.LastSeen) >= p.Touch {
		exp := p.Expiry(s.CreatedAt, now).UTC().Truncate(time.Microsecond)
		var n int64
		err := db.write(ctx, func(tx *sql.Tx) error {
			res, err := tx.ExecContext(ctx, `UPDATE sessions SET last_seen = $1, expires_at = $2 WHERE token_hash = $3`, now, exp, h)
			if err != nil {
				return err
			}
			n, err = res.RowsAffected()
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("postgres: touch session: %w", err)
		}
		if n == 0 { // logged out on another server meanwhile
			return nil, storekit.ErrNoSession()
		}
		s.LastSeen, s.ExpiresAt = now, exp
	}
	return &s, nil
}

// DeleteSession ends the session of token (logout) on every server; an
// unknown token is not an error.
func (db *DB) DeleteSession(ctx context.Context, token string) error {
	if !auth.WellFormedSessionToken(token) {
		return nil
	}
	h := auth.SessionTokenHash(token)
	return db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = $1`, h)
		return err
	})
}

// DeleteUserSessions ends every session of the user (log out everywhere).
func (db *DB) DeleteUserSessions(ctx context.Context, userID int64) error {
	return db.write(ctx, func(tx *sql.Tx) error { return deleteUserSessions(ctx, tx, userID) })
}

func deleteUserSessions(ctx context.Context, tx *sql.Tx, userID int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, userID); err != nil {
		return fmt.Errorf("postgres: delete sessions: %w", err)
	}
	return nil
}
