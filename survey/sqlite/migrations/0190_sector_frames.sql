-- 0190_sector_frames: a service measurement's frame made of customer lists
-- supplied per sector. frame_units.sector is the unit's sector code ('' in
-- a residents' frame); importing one sector's list replaces only that
-- sector's units (and, by the foreign key, their contacts). cases.sector is
-- the drawn unit's sector, copied to its invitation's open_sector when the
-- case is released, so the screener's sector item is fixed exactly as for
-- a sector's open link.
ALTER TABLE frame_units ADD COLUMN sector TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN sector TEXT NOT NULL DEFAULT '';
-- No index on sector: a sector's replace scans the measurement's units
-- through (measurement_id, unit_id), and a million-unit residents' import
-- does not pay for a second index.
