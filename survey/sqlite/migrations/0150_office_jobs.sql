-- 0150_office_jobs: the office's long work (a frame upload waiting for
-- "Import clean rows", a file of invitation links) and its progress, in
-- the database so that every server on it sees and carries the same job
-- (issue 10; issue 12). Input and result are sealed with the contact key.
CREATE TABLE office_jobs (
	id             TEXT PRIMARY KEY,
	measurement_id TEXT NOT NULL,
	kind           TEXT NOT NULL,
	user_name      TEXT NOT NULL,
	source         TEXT NOT NULL,
	phase          TEXT NOT NULL,
	done           INTEGER NOT NULL,
	total          INTEGER NOT NULL,
	err_zh         TEXT NOT NULL,
	err_en         TEXT NOT NULL,
	input          TEXT NOT NULL,
	meta           BLOB,
	result         TEXT NOT NULL,
	created_at     TEXT NOT NULL,
	updated_at     TEXT NOT NULL
);
CREATE INDEX office_jobs_latest ON office_jobs (measurement_id, kind, created_at);
CREATE INDEX office_jobs_updated ON office_jobs (updated_at);
