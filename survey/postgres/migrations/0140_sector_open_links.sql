-- 0140_sector_open_links: a service measurement's open links per sector
-- (see the SQLite migration of the same number).
CREATE TABLE sector_open_links (
	measurement_id text NOT NULL REFERENCES measurements (id) ON DELETE CASCADE,
	sector         text NOT NULL,
	slug           text NOT NULL UNIQUE,
	enabled        boolean NOT NULL DEFAULT false,
	changed_at     timestamptz NOT NULL,
	changed_by     text NOT NULL DEFAULT '',
	PRIMARY KEY (measurement_id, sector)
);

ALTER TABLE invitations ADD COLUMN open_sector text NOT NULL DEFAULT '';
