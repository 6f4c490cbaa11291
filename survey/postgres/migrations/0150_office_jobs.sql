-- 0150_office_jobs: the office's long work (a frame upload waiting for
-- "Import clean rows", a file of invitation links) and its progress, in
-- the database so that every server on it sees and carries the same job
-- (issue 10; issue 12). Same table as SQLite's 0150.
CREATE TABLE office_jobs (
	id             text PRIMARY KEY,
	measurement_id text NOT NULL,
	kind           text NOT NULL,
	user_name      text NOT NULL,
	source         text NOT NULL,
	phase          text NOT NULL,
	done           bigint NOT NULL,
	total          bigint NOT NULL,
	err_zh         text NOT NULL,
	err_en         text NOT NULL,
	input          text NOT NULL,
	meta           bytea,
	result         text NOT NULL,
	created_at     timestamptz NOT NULL,
	updated_at     timestamptz NOT NULL
);
CREATE INDEX office_jobs_latest ON office_jobs (measurement_id, kind, created_at);
CREATE INDEX office_jobs_updated ON office_jobs (updated_at);
