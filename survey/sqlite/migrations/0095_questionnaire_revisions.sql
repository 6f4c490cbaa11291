-- 0095_questionnaire_revisions: every save of the questionnaire editor, with
-- who and when. A revision may have problems (a half-finished edit); a
-- revision without problems also became questionnaire version `version`
-- (questionnaire_versions), the one residents answer.
CREATE TABLE questionnaire_revisions (
	measurement_id TEXT NOT NULL REFERENCES measurements (id) ON DELETE CASCADE,
	revision       INTEGER NOT NULL CHECK (revision >= 1),
	body           TEXT NOT NULL,
	sha256         TEXT NOT NULL,
	problems       INTEGER NOT NULL DEFAULT 0,
	version        INTEGER NOT NULL DEFAULT 0, -- 0 when it had problems
	author         TEXT NOT NULL DEFAULT '',
	note           TEXT NOT NULL DEFAULT '',
	created_at     TEXT NOT NULL,
	PRIMARY KEY (measurement_id, revision)
);
