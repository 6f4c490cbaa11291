package sqlite

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"

	"manyi/survey"
	"manyi/survey/auth"
	"manyi/survey/internal/storekit"
)

var _ auth.Store = (*DB)(nil)

const userCols = `id, name, role, password_hash, created_at, disabled_at`

// scanUser reads one row of userCols.
func scanUser(row interface{ Scan(...any) error }) (*auth.User, error) {
	var u auth.User
	var role, created string
	var disabled sql.NullString
	if err := row.Scan(&u.ID, &u.Name, &role, &u.PasswordHash, &created, &disabled); err != nil {
		return nil, err
	}
	u.Role = auth.Role(role)
	var err error
	if u.CreatedAt, err = parseTime(created); err != nil {
		return nil, err
	}
	if u.DisabledAt, err = parseTimePtr(disabled); err != nil {
		return nil, err
	}
	return &u, nil
}

// queryer is what *sql.DB and *sql.Tx share for reads.
type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func getUser(ctx context.Context, q queryer, name string) (*auth.User, error) {
	u, err := scanUser(q.QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE name = ?`, name))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, storekit.ErrNoUser(name)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: user %s: %w", name, err)
	}
	return u, nil
}

// CreateUser adds an active account. The name is normalized and checked
// here too, so that no caller can store a name the login form cannot type;
// ECONFLICT when it is taken (in any case).
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
		res, err := tx.Exec(`INSERT INTO users (name, role, password_hash, created_at) VALUES (?, ?, ?, ?)`,
			n, string(role), passwordHash, fmtTime(now))
		if isConstraint(err) {
			return survey.Errorf(survey.ECONFLICT, "用户名 %s 已被使用", "the user name %s is already taken", n)
		}
		if err != nil {
			return fmt.Errorf("sqlite: create user: %w", err)
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
	rows, err := db.rdb.QueryContext(ctx, `SELECT `+userCols+` FROM users ORDER BY disabled_at IS NOT NULL, name`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: users: %w", err)
	}
	defer rows.Close()
	var us []*auth.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: users: %w", err)
		}
		us = append(us, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: users: %w", err)
	}
	return us, nil
}

// updateUser runs fn on the account in one write transaction; fn gets the
// current row, so read-check-write rules (the last office account) hold
// under concurrency.
func (db *DB) updateUser(ctx context.Context, name string, fn func(tx *sql.Tx, u *auth.User) error) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		// Not ctx: once queued, a write runs to the end (see write).
		u, err := getUser(context.Background(), tx, name)
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
		if _, err := tx.Exec(`UPDATE users SET password_hash = ? WHERE id = ?`, passwordHash, u.ID); err != nil {
			return fmt.Errorf("sqlite: set password: %w", err)
		}
		if err := clearLoginLocks(tx, u.Name); err != nil {
			return err
		}
		return deleteUserSessions(tx, u.ID)
	})
}

// SetRole changes the account's role and ends its sessions. It refuses to
// demote the last active office account: nobody could manage accounts
// afterwards.
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
			if err := checkNotLastOffice(tx, u); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(`UPDATE users SET role = ? WHERE id = ?`, string(role), u.ID); err != nil {
			return fmt.Errorf("sqlite: set role: %w", err)
		}
		return deleteUserSessions(tx, u.ID)
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
			if err := checkNotLastOffice(tx, u); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(`UPDATE users SET disabled_at = ? WHERE id = ?`, fmtTime(db.now()), u.ID); err != nil {
			return fmt.Errorf("sqlite: disable user: %w", err)
		}
		return deleteUserSessions(tx, u.ID)
	})
}

func checkNotLastOffice(tx *sql.Tx, u *auth.User) error {
	var n int
	if err := tx.QueryRow(`SELECT count(*) FROM users WHERE role = 'office' AND disabled_at IS NULL AND id <> ?`, u.ID).Scan(&n); err != nil {
		return fmt.Errorf("sqlite: count office accounts: %w", err)
	}
	if n == 0 {
		return survey.Errorf(survey.ECONFLICT, "%s 是最后一个有效的管理员账户，不能停用或降级；请先添加另一个管理员",
			"%s is the last active office account and cannot be disabled or demoted; add another office account first", u.Name)
	}
	return nil
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
		u, err := scanUser(tx.QueryRow(`SELECT `+userCols+` FROM users WHERE id = ?`, userID))
		if errors.Is(err, sql.ErrNoRows) {
			return survey.Errorf(survey.ENOTFOUND, "没有编号为 %d 的用户", "there is no user with id %d", userID)
		}
		if err != nil {
			return fmt.Errorf("sqlite: create session: %w", err)
		}
		if u.Disabled() {
			return survey.Errorf(survey.EFORBIDDEN, "用户 %s 已停用", "user %s is disabled", u.Name)
		}
		if _, err := tx.Exec(`DELETE FROM sessions WHERE expires_at <= ?`, fmtTime(now)); err != nil {
			return fmt.Errorf("sqlite: sweep sessions: %w", err)
		}
		if _, err := tx.Exec(`INSERT INTO sessions (token_hash, user_id, created_at, expires_at, last_seen, csrf_secret) VALUES (?, ?, ?, ?, ?, ?)`,
			h, userID, fmtTime(now), fmtTime(s.ExpiresAt), fmtTime(now), secret); err != nil {
			return fmt.Errorf("sqlite: create session: %w", err)
		}
		s.User = u
		return nil
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
	var s auth.Session
	var created, expires, seen string
	var uid int64
	err := db.rdb.QueryRowContext(ctx, `SELECT user_id, created_at, expires_at, last_seen, csrf_secret FROM sessions WHERE token_hash = ?`, h).
		Scan(&uid, &created, &expires, &seen, &s.CSRFSecret)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, storekit.ErrNoSession()
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: session: %w", err)
	}
	if s.CreatedAt, err = parseTime(created); err != nil {
		return nil, err
	}
	if s.ExpiresAt, err = parseTime(expires); err != nil {
		return nil, err
	}
	if s.LastSeen, err = parseTime(seen); err != nil {
		return nil, err
	}
	now := db.now()
	if !now.Before(s.ExpiresAt) {
		return nil, storekit.ErrNoSession()
	}
	u, err := scanUser(db.rdb.QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE id = ?`, uid))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, storekit.ErrNoSession()
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: session user: %w", err)
	}
	if u.Disabled() {
		return nil, storekit.ErrNoSession()
	}
	s.User = u
	s.ID = hex.EncodeToString(h)
	if now.Sub(s.LastSeen) >= p.Touch {
		exp := p.Expiry(s.CreatedAt, now)
		err := db.write(ctx, func(tx *sql.Tx) error {
			_, err := tx.Exec(`UPDATE sessions SET last_seen = ?, expires_at = ? WHERE token_hash = ?`, fmtTime(now), fmtTime(exp), h)
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("sqlite: touch session: %w", err)
		}
		s.LastSeen, s.ExpiresAt = now, exp
	}
	return &s, nil
}

// DeleteSession ends the session of token (logout); an unknown token is not
// an error, so that logging out twice is harmless.
func (db *DB) DeleteSession(ctx context.Context, token string) error {
	if !auth.WellFormedSessionToken(token) {
		return nil
	}
	h := auth.SessionTokenHash(token)
	return db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec(`DELETE FROM sessions WHERE token_hash = ?`, h)
		return err
	})
}

// DeleteUserSessions ends every session of the user (log out everywhere).
func (db *DB) DeleteUserSessions(ctx context.Context, userID int64) error {
	return db.write(ctx, func(tx *sql.Tx) error { return deleteUserSessions(tx, userID) })
}

func deleteUserSessions(tx *sql.Tx, userID int64) error {
	if _, err := tx.Exec(`DELETE FROM sessions WHERE user_id = ?`, userID); err != nil {
		return fmt.Errorf("sqlite: delete sessions: %w", err)
	}
	return nil
}
