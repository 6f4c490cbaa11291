-- 0110_office_field: the office's archive of measurements. An archived
-- measurement is read-only on the staff pages and hidden from the default
-- list; restoring it deletes its row (the audit log keeps both events).
CREATE TABLE measurement_archive (
	measurement_id text PRIMARY KEY REFERENCES measurements (id) ON DELETE CASCADE,
	archived_at    timestamptz NOT NULL,
	archived_by    text NOT NULL DEFAULT ''
);
