-- 0200_sector_lists: where each sector's customer list of a service
-- measurement came from. frames keeps only the latest upload's file,
-- rejected rows and import time; sector_lists keeps them per sector. A
-- sector list's import upserts its sector's row (units and contacts
-- counted for that sector after the insert) in the import's transaction;
-- a whole-frame import deletes the measurement's rows and, for a service
-- frame with sectors, writes one row per sector present with the whole
-- file as source and rejected 0 (a whole file's rejected rows are not
-- attributed to sectors: a rejected row's sector may be the reason it was
-- rejected); a contacts purge sets contacts to 0.
CREATE TABLE sector_lists (
	measurement_id text NOT NULL REFERENCES measurements (id) ON DELETE CASCADE,
	sector         text NOT NULL,
	source         text NOT NULL DEFAULT '',
	units          integer NOT NULL DEFAULT 0,
	rejected       integer NOT NULL DEFAULT 0,
	contacts       integer NOT NULL DEFAULT 0,
	imported_at    timestamptz NOT NULL,
	imported_by    text NOT NULL DEFAULT '',
	PRIMARY KEY (measurement_id, sector)
);
-- Frames imported before this migration: one row per sector with units,
-- its file and importer unknown (''), at the frame's import time.
INSERT INTO sector_lists (measurement_id, sector, source, units, rejected, contacts, imported_at, imported_by)
	SELECT u.measurement_id, u.sector, '', count(*), 0, count(c.unit_id), f.imported_at, ''
	FROM frame_units u
	JOIN frames f ON f.measurement_id = u.measurement_id AND f.complete
	LEFT JOIN frame_contacts c ON c.measurement_id = u.measurement_id AND c.unit_id = u.unit_id
	WHERE u.sector <> ''
	GROUP BY u.measurement_id, u.sector, f.imported_at;
