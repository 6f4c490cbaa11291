-- 0050_accounts: staff accounts, their sessions and the audit log.
-- Passwords are argon2id PHC strings; session tokens are kept only as their
-- SHA-256. Times are UTC text in the store's fixed-width form.

-- name is unique whatever its case, so that "Wang.Li" and "wang.li" cannot
-- be two accounts. failed_logins and locked_until carry the lock-out across
-- restarts. Accounts are disabled, never deleted: the audit log names them.
CREATE TABLE users (
	id            INTEGER PRIMARY KEY,
	name          TEXT NOT NULL UNIQUE COLLATE NOCASE,
	role          TEXT NOT NULL CHECK (role IN ('office', 'statistician', 'interviewer')),
	password_hash TEXT NOT NULL,
	failed_logins INTEGER NOT NULL DEFAULT 0,
	locked_until  TEXT,
	created_at    TEXT NOT NULL,
	disabled_at   TEXT
);

CREATE TABLE sessions (
	token_hash  BLOB PRIMARY KEY,
	user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	created_at  TEXT NOT NULL,
	expires_at  TEXT NOT NULL,
	last_seen   TEXT NOT NULL,
	csrf_secret BLOB NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- The audit log names the user by name, not id, so that it reads on its own
-- in an export. detail is a JSON object. It is append-only: the triggers
-- refuse UPDATE and DELETE, so a mistake in later code cannot rewrite
-- history.
CREATE TABLE audit_log (
	id        INTEGER PRIMARY KEY,
	at        TEXT NOT NULL,
	user_name TEXT NOT NULL DEFAULT '',
	action    TEXT NOT NULL,
	target    TEXT NOT NULL DEFAULT '',
	detail    TEXT NOT NULL DEFAULT '{}',
	ip        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_user ON audit_log (user_name, id);
CREATE INDEX audit_log_action ON audit_log (action, id);
CREATE INDEX audit_log_target ON audit_log (target, id);
CREATE INDEX audit_log_at ON audit_log (at);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
	SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
	SELECT RAISE(ABORT, 'audit_log is append-only');
END;
