package auth

import (
	"context"
	"time"
)

// User is a staff account. PasswordHash is the PHC argon2id string; it never
// leaves the server.
type User struct {
	ID           int64
	Name         string // lower case, see NormalizeUserName
	Role         Role
	PasswordHash string
	CreatedAt    time.Time
	DisabledAt   *time.Time // nil while the account is active
}

// Disabled reports whether the account was disabled; a disabled account
// cannot log in and its sessions are gone.
func (u *User) Disabled() bool { return u.DisabledAt != nil }

// Session is a logged-in browser. The token is only in the cookie; the
// store keys the session by the token's SHA-256.
type Session struct {
	ID         string // hex SHA-256 of the token: binds CSRF tokens, safe to log
	User       *User
	CreatedAt  time.Time
	ExpiresAt  time.Time
	LastSeen   time.Time
	CSRFSecret []byte
}

// AuditEntry is one line of the audit log: who did what, when, to which
// measurement, from where. Detail holds the action's particulars (the role
// given, the export's format, the weighting version); never a password, a
// token or a resident's answer.
type AuditEntry struct {
	ID     int64
	At     time.Time // set by the store when zero
	User   string    // user name; "" for the system or an unknown login name
	Action string    // one of the Action… constants
	Target string    // measurement id, or the user name acted on for account actions
	Detail map[string]any
	IP     string
}

// Audit actions. Later features add theirs (weighting, export) here so that
// the audit page can offer them as a filter.
const (
	ActionLogin          = "login"
	ActionLoginFailed    = "login.failed"
	ActionLockedOut      = "login.locked"
	ActionLogout         = "logout"
	ActionUserCreate     = "user.create"
	ActionUserRole       = "user.role"
	ActionUserPassword   = "user.password"
	ActionUserDisable    = "user.disable"
	ActionUserUnlock     = "user.unlock"
	ActionExport         = "export"
	ActionWeightingSave  = "weighting.save"
	ActionReport         = "report"
	ActionMeasurementSet = "measurement.update"
)

// Actions lists the audit actions in the order the filter offers them.
func Actions() []string {
	return []string{
		ActionLogin, ActionLoginFailed, ActionLockedOut, ActionLogout,
		ActionUserCreate, ActionUserRole, ActionUserPassword, ActionUserDisable, ActionUserUnlock,
		ActionExport, ActionWeightingSave, ActionReport, ActionMeasurementSet,
	}
}

// AuditFilter selects audit entries; zero fields do not filter. Entries come
// newest first; BeforeID pages backwards (entries with ID < BeforeID).
type AuditFilter struct {
	User     string
	Action   string
	Target   string
	Since    time.Time // At >= Since
	Until    time.Time // At < Until
	BeforeID int64
	Limit    int // 0 means 100; at most 1000
}

// Store keeps accounts, sessions and the audit log. Errors are *survey.Error
// with ENOTFOUND for an unknown name or session, ECONFLICT for a name taken,
// EINVALID for bad input.
type Store interface {
	// CreateUser adds an account; name must already be normalized and the
	// password hashed.
	CreateUser(ctx context.Context, name string, role Role, passwordHash string) (*User, error)
	UserByName(ctx context.Context, name string) (*User, error)
	Users(ctx context.Context) ([]*User, error)
	// SetPassword replaces the hash, clears the lock-outs and ends the
	// user's sessions (a password reset must throw out whoever had it).
	SetPassword(ctx context.Context, name, passwordHash string) error
	// SetRole changes the role and ends the user's sessions, so that a
	// demoted user loses the old rights at once.
	SetRole(ctx context.Context, name string, role Role) error
	// DisableUser marks the account disabled and ends its sessions.
	DisableUser(ctx context.Context, name string) error
	// LoginThrottle: the login limiter's buckets and the lock-outs per
	// name and source, in the store so that several servers share them.
	LoginThrottle
	// CreateSession starts a session for the user and returns the token
	// for the cookie; only its hash is stored.
	CreateSession(ctx context.Context, userID int64, p SessionPolicy) (token string, s *Session, err error)
	// SessionByToken returns the live session of token with its user,
	// sliding the expiry under p; ENOTFOUND when unknown, expired or the
	// user is disabled.
	SessionByToken(ctx context.Context, token string, p SessionPolicy) (*Session, error)
	DeleteSession(ctx context.Context, token string) error
	DeleteUserSessions(ctx context.Context, userID int64) error
	Audit(ctx context.Context, e AuditEntry) error
	AuditLog(ctx context.Context, f AuditFilter) ([]AuditEntry, error)
}
