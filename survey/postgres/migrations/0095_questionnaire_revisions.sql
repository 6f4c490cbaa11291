-- 0095_questionnaire_revisions: every save of the questionnaire editor, with
-- who and when. A revision may have problems (a half-finished edit); a
-- revision without problems also became questionnaire version `version`
-- (questionnaire_versions), the one residents answer.
CREATE TABLE questionnaire_revisions (
	measurement_id text NOT NULL REFERENCES measurements (id) ON DELETE CASCADE,
	revision       integer NOT NULL CHECK (revision >= 1),
	body           text NOT NULL,
	sha256         text NOT NULL,
	problems       integer NOT NULL DEFAULT 0,
	version        integer NOT NULL DEFAULT 0, -- 0 when it had problems
	author         text NOT NULL DEFAULT '',
	note           text NOT NULL DEFAULT '',
	created_at     timestamptz NOT NULL,
	PRIMARY KEY (measurement_id, revision)
);
