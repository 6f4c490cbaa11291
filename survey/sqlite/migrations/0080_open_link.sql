-- 0080_open_link: the optional open link of a measurement, for channels
-- without a frame (a poster, a WeChat account). Everyone who opens it gets
-- a fresh invitation; such invitations are marked open_link, and every
-- result reads that mark as a non-probability answer.

-- One open link per measurement. slug is the unguessable part of /o/SLUG
-- (128 random bits); it is made on the first enabling and kept, so
-- disabling and enabling again gives the same printed link. Disabled by
-- default: a measurement without a row has no open link.
CREATE TABLE open_links (
	measurement_id TEXT PRIMARY KEY REFERENCES measurements (id) ON DELETE CASCADE,
	slug           TEXT NOT NULL UNIQUE,
	enabled        INTEGER NOT NULL DEFAULT 0,
	changed_at     TEXT NOT NULL,
	changed_by     TEXT NOT NULL DEFAULT ''
);

-- 1 for an invitation made by a visitor of the open link: not drawn, so
-- without an inclusion probability.
ALTER TABLE invitations ADD COLUMN open_link INTEGER NOT NULL DEFAULT 0;
