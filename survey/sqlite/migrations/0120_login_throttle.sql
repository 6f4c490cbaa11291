-- 0120_login_throttle: the login limiter's token buckets and the lock-outs
-- per user name and source (issue 13, finding 2; issue 12: in the
-- database, so that several servers share them).

-- One row per bucket that has been used ("addr:203.0.113.7", "name:wang");
-- tokens as of updated_at. A bucket idle longer than its refill time is
-- full, so old rows are swept.
CREATE TABLE login_buckets (
	key        TEXT PRIMARY KEY,
	tokens     REAL NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX login_buckets_updated ON login_buckets (updated_at);

-- Consecutive failed logins of an existing account from one source
-- ("addr:<address>" or "device:<id>"), and the lock they caused. Replaces
-- the per-account lock of 0050, which let anyone lock the office out.
CREATE TABLE login_failures (
	name         TEXT NOT NULL COLLATE NOCASE,
	source       TEXT NOT NULL,
	failures     INTEGER NOT NULL,
	locked_until TEXT,
	last_at      TEXT NOT NULL,
	PRIMARY KEY (name, source)
);
CREATE INDEX login_failures_last ON login_failures (last_at);

-- users.failed_logins and users.locked_until are no longer read; clear
-- them so that no lock of the old kind outlives the upgrade.
UPDATE users SET failed_logins = 0, locked_until = NULL;
