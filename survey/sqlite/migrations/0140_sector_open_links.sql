-- 0140_sector_open_links: a service measurement's open links per sector.
-- Each sector may have its own link (/o/SLUG, the slug unique across both
-- link tables since both are 128 random bits); an invitation made through
-- one records its sector in open_sector, and the screener's sector item is
-- answered with it and cannot be changed.
CREATE TABLE sector_open_links (
	measurement_id TEXT NOT NULL REFERENCES measurements (id) ON DELETE CASCADE,
	sector         TEXT NOT NULL,
	slug           TEXT NOT NULL UNIQUE,
	enabled        INTEGER NOT NULL DEFAULT 0,
	changed_at     TEXT NOT NULL,
	changed_by     TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (measurement_id, sector)
);

-- The sector fixed by the link the invitation came through; '' otherwise.
ALTER TABLE invitations ADD COLUMN open_sector TEXT NOT NULL DEFAULT '';
