-- 0120_login_throttle: the login limiter's token buckets and the lock-outs
-- per user name and source (issue 13, finding 2), shared by every server
-- on the database (issue 12). Same tables as SQLite's 0120.

-- One row per bucket that has been used ("addr:203.0.113.7", "name:wang");
-- tokens as of updated_at, -1 for a bucket not yet used (full).
CREATE TABLE login_buckets (
	key        text PRIMARY KEY,
	tokens     double precision NOT NULL,
	updated_at timestamptz NOT NULL
);
CREATE INDEX login_buckets_updated ON login_buckets (updated_at);

-- Consecutive failed logins of an existing account (name in lower case)
-- from one source ("addr:<address>" or "device:<id>"), and the lock they
-- caused. Replaces the per-account lock of 0050.
CREATE TABLE login_failures (
	name         text NOT NULL,
	source       text NOT NULL,
	failures     integer NOT NULL,
	locked_until timestamptz,
	last_at      timestamptz NOT NULL,
	PRIMARY KEY (name, source)
);
CREATE INDEX login_failures_last ON login_failures (last_at);

-- users.failed_logins and users.locked_until are no longer read.
UPDATE users SET failed_logins = 0, locked_until = NULL;
