-- 0190_sector_frames: invitation lists a service sector supplies (issue 11).
-- A frame unit may carry its sector (a bank's customers, the telecom
-- operator's); uploading one sector's list replaces only that sector's
-- units. A case keeps its unit's sector, and its invitation's open_sector
-- is set from it when released, so the screener's sector item is answered
-- with the sector and not asked (as for a sector's open link).
ALTER TABLE frame_units ADD COLUMN sector text NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN sector text NOT NULL DEFAULT '';
