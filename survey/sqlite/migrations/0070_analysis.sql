-- 0070_analysis: what the statistician and the office decide about a
-- measurement's numbers: weighting specifications in versions, census
-- margins, the index method, and the report conclusions in versions. The
-- link to last year's measurement is measurements.prev_id (0001).
-- Times are UTC text in the store's fixed-width form.

-- A weighting specification is never edited: saving makes a new version,
-- and the newest version is the current one. spec is the JSON of
-- analysis.WeightingSpec.
CREATE TABLE weighting_specs (
	measurement_id TEXT NOT NULL REFERENCES measurements (id) ON DELETE CASCADE,
	version        INTEGER NOT NULL CHECK (version >= 1),
	spec           TEXT NOT NULL,
	created_by     TEXT NOT NULL DEFAULT '',
	created_at     TEXT NOT NULL,
	PRIMARY KEY (measurement_id, version)
);

-- Census counts by district × gender × age band: the calibration targets.
-- An import replaces all cells of the measurement.
CREATE TABLE census_cells (
	measurement_id TEXT NOT NULL REFERENCES measurements (id) ON DELETE CASCADE,
	district       TEXT NOT NULL,
	gender         TEXT NOT NULL,
	age_band       TEXT NOT NULL,
	count          REAL NOT NULL CHECK (count >= 0),
	PRIMARY KEY (measurement_id, district, gender, age_band)
) WITHOUT ROWID;

-- The index method (analysis.IndexMethod JSON); last write wins, the audit
-- log keeps the history.
CREATE TABLE index_methods (
	measurement_id TEXT PRIMARY KEY REFERENCES measurements (id) ON DELETE CASCADE,
	method         TEXT NOT NULL,
	updated_by     TEXT NOT NULL DEFAULT '',
	updated_at     TEXT NOT NULL
);

-- The conclusions of the report as the office edited them, per language,
-- in versions (newest is current). paragraphs is a JSON array of strings.
CREATE TABLE report_conclusions (
	measurement_id TEXT NOT NULL REFERENCES measurements (id) ON DELETE CASCADE,
	lang           TEXT NOT NULL CHECK (lang IN ('zh', 'en')),
	version        INTEGER NOT NULL CHECK (version >= 1),
	paragraphs     TEXT NOT NULL,
	created_by     TEXT NOT NULL DEFAULT '',
	created_at     TEXT NOT NULL,
	PRIMARY KEY (measurement_id, lang, version)
);
