-- 0001_init: measurements, their districts and questionnaire versions,
-- invitations (token hashes only), responses, answers and page paradata.
-- Times are UTC text in a fixed-width RFC 3339 form so that they sort.

CREATE TABLE settings (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
);

CREATE TABLE measurements (
	id         TEXT PRIMARY KEY,
	city_zh    TEXT NOT NULL,
	city_en    TEXT NOT NULL DEFAULT '',
	title_zh   TEXT NOT NULL,
	title_en   TEXT NOT NULL DEFAULT '',
	year       INTEGER NOT NULL,
	office_zh  TEXT NOT NULL DEFAULT '',
	office_en  TEXT NOT NULL DEFAULT '',
	status     TEXT NOT NULL CHECK (status IN ('draft', 'open', 'closed')),
	prev_id    TEXT REFERENCES measurements (id),
	created_at TEXT NOT NULL
);

CREATE TABLE districts (
	measurement_id TEXT NOT NULL REFERENCES measurements (id) ON DELETE CASCADE,
	code           TEXT NOT NULL,
	name_zh        TEXT NOT NULL,
	name_en        TEXT NOT NULL DEFAULT '',
	position       INTEGER NOT NULL,
	PRIMARY KEY (measurement_id, code)
);

-- A version's body is the questionnaire JSON; sha256 (hex of the body) lets a
-- reader reuse a parsed copy. frozen_at is set when the first answer to the
-- version is stored; a frozen body never changes.
CREATE TABLE questionnaire_versions (
	measurement_id TEXT NOT NULL REFERENCES measurements (id) ON DELETE CASCADE,
	version        INTEGER NOT NULL CHECK (version >= 1),
	body           TEXT NOT NULL,
	sha256         TEXT NOT NULL,
	frozen_at      TEXT,
	created_at     TEXT NOT NULL,
	PRIMARY KEY (measurement_id, version)
);

-- token_hash is SHA-256 of the token text; the token itself is never stored.
CREATE TABLE invitations (
	id             INTEGER PRIMARY KEY,
	measurement_id TEXT NOT NULL REFERENCES measurements (id) ON DELETE CASCADE,
	token_hash     BLOB NOT NULL UNIQUE,
	case_id        TEXT NOT NULL DEFAULT '',
	disposition    TEXT NOT NULL DEFAULT 'issued',
	created_at     TEXT NOT NULL,
	updated_at     TEXT NOT NULL
);
CREATE INDEX invitations_measurement ON invitations (measurement_id);

-- One response per invitation: the UNIQUE constraint is what stops two tabs
-- on one link from making two responses.
CREATE TABLE responses (
	id             INTEGER PRIMARY KEY,
	invitation_id  INTEGER NOT NULL UNIQUE REFERENCES invitations (id) ON DELETE CASCADE,
	measurement_id TEXT NOT NULL,
	version        INTEGER NOT NULL,
	status         TEXT NOT NULL CHECK (status IN ('in_progress', 'submitted', 'screened_out', 'quota_full')),
	mode           TEXT NOT NULL CHECK (mode IN ('web', 'phone', 'face')),
	interviewer    TEXT NOT NULL DEFAULT '',
	ua_class       TEXT NOT NULL DEFAULT '',
	current_page   TEXT NOT NULL DEFAULT '',
	rev            INTEGER NOT NULL DEFAULT 0, -- +1 on every change to the response, its answers or paradata
	started_at     TEXT NOT NULL,
	updated_at     TEXT NOT NULL,
	submitted_at   TEXT,
	FOREIGN KEY (measurement_id, version) REFERENCES questionnaire_versions (measurement_id, version)
);
CREATE INDEX responses_measurement ON responses (measurement_id, status);

-- One row per value: a multi item has one row per chosen code.
CREATE TABLE answers (
	response_id INTEGER NOT NULL REFERENCES responses (id) ON DELETE CASCADE,
	item_id     TEXT NOT NULL,
	position    INTEGER NOT NULL,
	page_id     TEXT NOT NULL,
	value       TEXT NOT NULL,
	PRIMARY KEY (response_id, item_id, position)
) WITHOUT ROWID;
CREATE INDEX answers_page ON answers (response_id, page_id);

-- Paradata per saved page: total time on the page over all its saves, how
-- many times it was saved, and when. The rowid order is the order in which
-- pages were first saved.
CREATE TABLE page_paradata (
	id             INTEGER PRIMARY KEY,
	response_id    INTEGER NOT NULL REFERENCES responses (id) ON DELETE CASCADE,
	page_id        TEXT NOT NULL,
	elapsed_ms     INTEGER NOT NULL DEFAULT 0,
	saves          INTEGER NOT NULL DEFAULT 1,
	first_saved_at TEXT NOT NULL,
	saved_at       TEXT NOT NULL,
	UNIQUE (response_id, page_id)
);
