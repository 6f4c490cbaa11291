package storekit

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"time"

	"manyi/survey"
	"manyi/survey/auth"
)

// UserCols are the columns ScanUser reads, in its order.
const UserCols = `id, name, role, password_hash, created_at, disabled_at`

// ScanUser reads one users row (UserCols); sql.ErrNoRows passes through
// unwrapped.
func ScanUser(d *Dialect, s Scanner) (*auth.User, error) {
	var u auth.User
	var role string
	if err := s.Scan(&u.ID, &u.Name, &role, &u.PasswordHash, d.TimeDest(&u.CreatedAt), d.NullTimeDest(&u.DisabledAt)); err != nil {
		return nil, err
	}
	u.Role = auth.Role(role)
	return &u, nil
}

// UserByName reads the account named name (ENOTFOUND). match is the
// dialect's condition on the name with one ? ("name = ?" where the column
// ignores case); lock is "" or the dialect's row-lock clause
// (" FOR UPDATE").
func UserByName(ctx context.Context, d *Dialect, q Querier, name, match, lock string) (*auth.User, error) {
	u, err := ScanUser(d, d.QueryRow(ctx, q, `SELECT `+UserCols+` FROM users WHERE `+match+lock, name))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNoUser(name)
	}
	if err != nil {
		return nil, d.Errorf("user %s: %w", name, err)
	}
	return u, nil
}

// userByID reads the account with id; sql.ErrNoRows passes through
// unwrapped.
func userByID(ctx context.Context, d *Dialect, q Querier, id int64) (*auth.User, error) {
	return ScanUser(d, d.QueryRow(ctx, q, `SELECT `+UserCols+` FROM users WHERE id = ?`, id))
}

// Users returns every account, active ones first, then by name; collate
// is "" or the dialect's clause that orders names bytewise.
func Users(ctx context.Context, d *Dialect, q Querier, collate string) ([]*auth.User, error) {
	rows, err := d.Query(ctx, q, `SELECT `+UserCols+` FROM users ORDER BY disabled_at IS NOT NULL, name`+collate)
	return ScanAll(d, "users", rows, err, func(s Scanner) (*auth.User, error) { return ScanUser(d, s) })
}

// CheckNewUser checks a new account and returns its normalized name, so
// that no caller can store a name the login form cannot type.
func CheckNewUser(name string, role auth.Role, passwordHash string) (string, error) {
	n, err := auth.NormalizeUserName(name)
	if err != nil {
		return "", err
	}
	if err := CheckRole(role); err != nil {
		return "", err
	}
	if err := CheckPasswordHash(n, passwordHash); err != nil {
		return "", err
	}
	return n, nil
}

// CheckRole refuses a role that is not one of auth's, with ParseRole's
// answer.
func CheckRole(role auth.Role) error {
	if !role.Valid() {
		_, err := auth.ParseRole(string(role))
		return err
	}
	return nil
}

// CheckPasswordHash refuses an empty password hash for the user name.
func CheckPasswordHash(name, passwordHash string) error {
	if passwordHash == "" {
		return survey.Errorf(survey.EINVALID, "用户 %s 缺少密码", "user %s has no password", name)
	}
	return nil
}

// ErrUserTaken is the answer for a new account whose name is taken.
func ErrUserTaken(name string) error {
	return survey.Errorf(survey.ECONFLICT, "用户名 %s 已被使用", "the user name %s is already taken", name)
}

// SetUserPassword replaces the account's password hash inside the
// caller's write transaction.
func SetUserPassword(ctx context.Context, d *Dialect, tx Querier, userID int64, passwordHash string) error {
	if _, err := d.Exec(ctx, tx, `UPDATE users SET password_hash = ? WHERE id = ?`, passwordHash, userID); err != nil {
		return d.Errorf("set password: %w", err)
	}
	return nil
}

// SetUserRole changes the account's role inside the caller's write
// transaction.
func SetUserRole(ctx context.Context, d *Dialect, tx Querier, userID int64, role auth.Role) error {
	if _, err := d.Exec(ctx, tx, `UPDATE users SET role = ? WHERE id = ?`, string(role), userID); err != nil {
		return d.Errorf("set role: %w", err)
	}
	return nil
}

// DisableUser marks the account disabled at now inside the caller's
// write transaction.
func DisableUser(ctx context.Context, d *Dialect, tx Querier, userID int64, now time.Time) error {
	if _, err := d.Exec(ctx, tx, `UPDATE users SET disabled_at = ? WHERE id = ?`, d.TimeArg(now), userID); err != nil {
		return d.Errorf("disable user: %w", err)
	}
	return nil
}

// CheckNotLastOffice refuses, inside the caller's write transaction, to
// take away u when it is the last active office account. The count is
// only as good as the transaction's isolation: on PostgreSQL the caller
// locks the office accounts first.
func CheckNotLastOffice(ctx context.Context, d *Dialect, tx Querier, u *auth.User) error {
	var n int
	if err := d.QueryRow(ctx, tx, `SELECT count(*) FROM users WHERE role = 'office' AND disabled_at IS NULL AND id <> ?`, u.ID).Scan(&n); err != nil {
		return d.Errorf("count office accounts: %w", err)
	}
	if n == 0 {
		return survey.Errorf(survey.ECONFLICT, "%s 是最后一个有效的管理员账户，不能停用或降级；请先添加另一个管理员",
			"%s is the last active office account and cannot be disabled or demoted; add another office account first", u.Name)
	}
	return nil
}

// InsertSession stores s (its times set by the caller) under the token
// hash h for the user inside the caller's write transaction, refusing an
// unknown user (ENOTFOUND) and a disabled one (EFORBIDDEN), and sets
// s.User. Expired sessions of every user are swept in the same
// transaction, which keeps the table small without a background job.
func InsertSession(ctx context.Context, d *Dialect, tx Querier, h []byte, userID int64, s *auth.Session) error {
	u, err := userByID(ctx, d, tx, userID)
	if errors.Is(err, sql.ErrNoRows) {
		return survey.Errorf(survey.ENOTFOUND, "没有编号为 %d 的用户", "there is no user with id %d", userID)
	}
	if err != nil {
		return d.Errorf("create session: %w", err)
	}
	if u.Disabled() {
		return survey.Errorf(survey.EFORBIDDEN, "用户 %s 已停用", "user %s is disabled", u.Name)
	}
	if _, err := d.Exec(ctx, tx, `DELETE FROM sessions WHERE expires_at <= ?`, d.TimeArg(s.CreatedAt)); err != nil {
		return d.Errorf("sweep sessions: %w", err)
	}
	if _, err := d.Exec(ctx, tx, `INSERT INTO sessions (token_hash, user_id, created_at, expires_at, last_seen, csrf_secret) VALUES (?, ?, ?, ?, ?, ?)`,
		h, userID, d.TimeArg(s.CreatedAt), d.TimeArg(s.ExpiresAt), d.TimeArg(s.LastSeen), s.CSRFSecret); err != nil {
		return d.Errorf("create session: %w", err)
	}
	s.User = u
	return nil
}

// LiveSession reads the session stored under the token hash h with its
// user and its ID (h in hex). ErrNoSession when it is unknown or expired at now, or its user
// is disabled.
func LiveSession(ctx context.Context, d *Dialect, q Querier, h []byte, now time.Time) (*auth.Session, error) {
	var s auth.Session
	var uid int64
	err := d.QueryRow(ctx, q, `SELECT user_id, created_at, expires_at, last_seen, csrf_secret FROM sessions WHERE token_hash = ?`, h).
		Scan(&uid, d.TimeDest(&s.CreatedAt), d.TimeDest(&s.ExpiresAt), d.TimeDest(&s.LastSeen), &s.CSRFSecret)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNoSession()
	}
	if err != nil {
		return nil, d.Errorf("session: %w", err)
	}
	if !now.Before(s.ExpiresAt) {
		return nil, ErrNoSession()
	}
	u, err := userByID(ctx, d, q, uid)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNoSession()
	}
	if err != nil {
		return nil, d.Errorf("session user: %w", err)
	}
	if u.Disabled() {
		return nil, ErrNoSession()
	}
	s.User = u
	s.ID = hex.EncodeToString(h)
	return &s, nil
}

// TouchSession slides the session under the token hash h to last seen
// now and expiring at exp inside the caller's write transaction; it
// returns the rows changed (0 when the session was ended meanwhile).
func TouchSession(ctx context.Context, d *Dialect, tx Querier, h []byte, now, exp time.Time) (int64, error) {
	res, err := d.Exec(ctx, tx, `UPDATE sessions SET last_seen = ?, expires_at = ? WHERE token_hash = ?`, d.TimeArg(now), d.TimeArg(exp), h)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// DeleteSession deletes the session under the token hash h inside the
// caller's write transaction; an unknown hash is not an error.
func DeleteSession(ctx context.Context, d *Dialect, tx Querier, h []byte) error {
	_, err := d.Exec(ctx, tx, `DELETE FROM sessions WHERE token_hash = ?`, h)
	return err
}

// DeleteUserSessions ends every session of the user inside the caller's
// write transaction.
func DeleteUserSessions(ctx context.Context, d *Dialect, tx Querier, userID int64) error {
	if _, err := d.Exec(ctx, tx, `DELETE FROM sessions WHERE user_id = ?`, userID); err != nil {
		return d.Errorf("delete sessions: %w", err)
	}
	return nil
}
