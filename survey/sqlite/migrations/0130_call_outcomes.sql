-- Three more call outcomes, so that the AAPOR counts get their non-contacts
-- and other non-interviews from the call record (fieldwork.AAPORDisposition):
-- not_available (someone confirmed the person lives there, the person was not
-- available: AAPOR 2.21), unable (health: 2.32), language (2.33).
-- SQLite cannot change a CHECK constraint, so the table is copied; nothing
-- references call_attempts.
CREATE TABLE call_attempts_new (
	id          INTEGER PRIMARY KEY,
	case_id     INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
	interviewer TEXT NOT NULL,
	at          TEXT NOT NULL,
	outcome     TEXT NOT NULL CHECK (outcome IN ('no_answer', 'busy', 'not_available', 'callback', 'refused',
		'unable', 'language', 'wrong_number', 'completed')),
	callback_at TEXT,
	note        TEXT NOT NULL DEFAULT ''
);
INSERT INTO call_attempts_new (id, case_id, interviewer, at, outcome, callback_at, note)
	SELECT id, case_id, interviewer, at, outcome, callback_at, note FROM call_attempts;
DROP TABLE call_attempts;
ALTER TABLE call_attempts_new RENAME TO call_attempts;
CREATE INDEX call_attempts_case ON call_attempts (case_id, id);
