-- 0060_fieldwork: the sampling frame, the drawn sample and its cases, case
-- dispositions with their history, interviewer call attempts, quota cells
-- and data-quality exclusions. Times are UTC text in the store's fixed-width
-- form. Contact details live only in frame_contacts, sealed with
-- MANYI_CONTACT_KEY (survey/secret); no other table or export reads them.

-- One frame per measurement. units counts frame_units; contacts counts the
-- sealed contacts still held (0 after a purge).
CREATE TABLE frames (
	measurement_id     TEXT PRIMARY KEY REFERENCES measurements (id) ON DELETE CASCADE,
	source             TEXT NOT NULL DEFAULT '',
	units              INTEGER NOT NULL DEFAULT 0,
	rejected           INTEGER NOT NULL DEFAULT 0,
	contacts           INTEGER NOT NULL DEFAULT 0,
	complete           INTEGER NOT NULL DEFAULT 0,
	imported_at        TEXT NOT NULL,
	imported_by        TEXT NOT NULL DEFAULT '',
	contacts_purged_at TEXT,
	contacts_purged_by TEXT NOT NULL DEFAULT ''
);

-- district is the measurement's district code; gender and age_band are ''
-- when the frame has no such column.
CREATE TABLE frame_units (
	id             INTEGER PRIMARY KEY,
	measurement_id TEXT NOT NULL REFERENCES frames (measurement_id) ON DELETE CASCADE,
	unit_id        TEXT NOT NULL,
	district       TEXT NOT NULL,
	gender         TEXT NOT NULL DEFAULT '',
	age_band       TEXT NOT NULL DEFAULT '',
	row            INTEGER NOT NULL,
	UNIQUE (measurement_id, unit_id)
);

-- sealed is secret.Seal of the normalized phone number. Kept apart from
-- every answer table so that no join of answers can reach it, and purged
-- after fieldwork.
CREATE TABLE frame_contacts (
	measurement_id TEXT NOT NULL,
	unit_id        TEXT NOT NULL,
	sealed         TEXT NOT NULL,
	PRIMARY KEY (measurement_id, unit_id),
	FOREIGN KEY (measurement_id, unit_id) REFERENCES frame_units (measurement_id, unit_id) ON DELETE CASCADE
) WITHOUT ROWID;

-- One sample per measurement: the seed (text, since a uint64 does not fit
-- SQLite's signed integers), the plan and the allocation as JSON, the number
-- of reserve batches and how many of them have been released.
CREATE TABLE samples (
	measurement_id TEXT PRIMARY KEY REFERENCES measurements (id) ON DELETE CASCADE,
	seed           TEXT NOT NULL,
	plan           TEXT NOT NULL,
	allocation     TEXT NOT NULL,
	batches        INTEGER NOT NULL,
	released       INTEGER NOT NULL DEFAULT 0,
	drawn_at       TEXT NOT NULL,
	drawn_by       TEXT NOT NULL DEFAULT ''
);

-- A drawn case. prob and weight are those of the released design (0 until
-- the case's batch is released); invitation_id is set once the case is
-- released. position is the case's place in the sampling.Sample order.
CREATE TABLE cases (
	id             INTEGER PRIMARY KEY,
	measurement_id TEXT NOT NULL REFERENCES samples (measurement_id) ON DELETE CASCADE,
	unit_id        TEXT NOT NULL,
	stratum        TEXT NOT NULL,
	district       TEXT NOT NULL,
	batch          INTEGER NOT NULL,
	position       INTEGER NOT NULL,
	prob           REAL NOT NULL DEFAULT 0,
	weight         REAL NOT NULL DEFAULT 0,
	released       INTEGER NOT NULL DEFAULT 0,
	invitation_id  INTEGER UNIQUE REFERENCES invitations (id),
	disposition    TEXT NOT NULL DEFAULT 'not_sent' CHECK (disposition IN
		('not_sent', 'sent', 'opened', 'partial', 'complete', 'screened_out', 'refused', 'quota_full', 'unreachable')),
	interviewer    TEXT NOT NULL DEFAULT '',
	updated_at     TEXT NOT NULL,
	UNIQUE (measurement_id, unit_id)
);
CREATE INDEX cases_measurement ON cases (measurement_id, district, disposition);
CREATE INDEX cases_interviewer ON cases (interviewer, measurement_id);

-- Every change of a case's disposition; by is a user name, or 'resident'
-- for changes the resident's own answers caused.
CREATE TABLE case_history (
	id        INTEGER PRIMARY KEY,
	case_id   INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
	from_disp TEXT NOT NULL,
	to_disp   TEXT NOT NULL,
	at        TEXT NOT NULL,
	by        TEXT NOT NULL DEFAULT '',
	note      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX case_history_case ON case_history (case_id, id);

CREATE TABLE call_attempts (
	id          INTEGER PRIMARY KEY,
	case_id     INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
	interviewer TEXT NOT NULL,
	at          TEXT NOT NULL,
	outcome     TEXT NOT NULL CHECK (outcome IN ('no_answer', 'busy', 'refused', 'callback', 'wrong_number', 'completed')),
	callback_at TEXT,
	note        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX call_attempts_case ON call_attempts (case_id, id);

-- allow_over lets cells go over their targets (the office's choice).
CREATE TABLE quota_settings (
	measurement_id TEXT PRIMARY KEY REFERENCES measurements (id) ON DELETE CASCADE,
	allow_over     INTEGER NOT NULL DEFAULT 0
);

-- A quota cell: district code × cell key (sampling.CellKey, "male|18-29").
-- count is the number of residents holding a place: it only grows inside
-- the one write transaction that checks it against target.
CREATE TABLE quota_cells (
	measurement_id TEXT NOT NULL REFERENCES measurements (id) ON DELETE CASCADE,
	district       TEXT NOT NULL,
	cell           TEXT NOT NULL,
	target         INTEGER NOT NULL CHECK (target >= 0),
	count          INTEGER NOT NULL DEFAULT 0 CHECK (count >= 0),
	PRIMARY KEY (measurement_id, district, cell)
) WITHOUT ROWID;

-- The cell a response holds a place in, so that saving the screener again
-- never counts a resident twice; over marks a place taken beyond target.
CREATE TABLE quota_members (
	response_id    INTEGER PRIMARY KEY REFERENCES responses (id) ON DELETE CASCADE,
	measurement_id TEXT NOT NULL,
	district       TEXT NOT NULL,
	cell           TEXT NOT NULL,
	over           INTEGER NOT NULL DEFAULT 0,
	at             TEXT NOT NULL
);
CREATE INDEX quota_members_cell ON quota_members (measurement_id, district, cell);

-- An exclusion is never deleted: restoring sets reverted_at/by, and a new
-- exclusion is a new row. A response is excluded while it has a row with
-- reverted_at NULL (at most one, by the partial unique index).
CREATE TABLE exclusions (
	id          INTEGER PRIMARY KEY,
	response_id INTEGER NOT NULL REFERENCES responses (id) ON DELETE CASCADE,
	reason      TEXT NOT NULL,
	by          TEXT NOT NULL,
	at          TEXT NOT NULL,
	reverted_at TEXT,
	reverted_by TEXT NOT NULL DEFAULT '',
	revert_note TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX exclusions_active ON exclusions (response_id) WHERE reverted_at IS NULL;

-- The resident's own progress moves the case's disposition, inside the
-- store's write that caused it: opening a response (opened), saving a page
-- after the first (partial), finishing (complete, screened out, quota full).
-- A case never moves back from a final disposition this way.
CREATE TRIGGER cases_response_started AFTER INSERT ON responses
BEGIN
	INSERT INTO case_history (case_id, from_disp, to_disp, at, by)
		SELECT id, disposition, 'opened', NEW.started_at, 'resident' FROM cases
		WHERE invitation_id = NEW.invitation_id AND disposition IN ('not_sent', 'sent', 'unreachable');
	UPDATE cases SET disposition = 'opened', updated_at = NEW.started_at
		WHERE invitation_id = NEW.invitation_id AND disposition IN ('not_sent', 'sent', 'unreachable');
END;

CREATE TRIGGER cases_response_partial AFTER INSERT ON page_paradata
WHEN (SELECT count(*) FROM page_paradata WHERE response_id = NEW.response_id) >= 2
BEGIN
	INSERT INTO case_history (case_id, from_disp, to_disp, at, by)
		SELECT c.id, c.disposition, 'partial', NEW.saved_at, 'resident' FROM cases c
		JOIN responses r ON r.invitation_id = c.invitation_id
		WHERE r.id = NEW.response_id AND r.status = 'in_progress' AND c.disposition IN ('not_sent', 'sent', 'opened', 'unreachable');
	UPDATE cases SET disposition = 'partial', updated_at = NEW.saved_at
		WHERE invitation_id = (SELECT invitation_id FROM responses WHERE id = NEW.response_id AND status = 'in_progress')
		AND disposition IN ('not_sent', 'sent', 'opened', 'unreachable');
END;

CREATE TRIGGER cases_response_finished AFTER UPDATE OF status ON responses
WHEN NEW.status <> OLD.status AND NEW.status IN ('submitted', 'screened_out', 'quota_full')
BEGIN
	INSERT INTO case_history (case_id, from_disp, to_disp, at, by)
		SELECT id, disposition,
			CASE NEW.status WHEN 'submitted' THEN 'complete' ELSE NEW.status END,
			NEW.updated_at, CASE WHEN NEW.interviewer = '' THEN 'resident' ELSE NEW.interviewer END
		FROM cases WHERE invitation_id = NEW.invitation_id
			AND disposition <> CASE NEW.status WHEN 'submitted' THEN 'complete' ELSE NEW.status END;
	UPDATE cases SET disposition = CASE NEW.status WHEN 'submitted' THEN 'complete' ELSE NEW.status END,
			updated_at = NEW.updated_at
		WHERE invitation_id = NEW.invitation_id
			AND disposition <> CASE NEW.status WHEN 'submitted' THEN 'complete' ELSE NEW.status END;
END;
