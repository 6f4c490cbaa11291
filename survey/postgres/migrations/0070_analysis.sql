-- 0070_analysis: weighting specifications in versions, census margins, the
-- index method, and the report conclusions in versions. JSON is kept as
-- the text written.

CREATE TABLE weighting_specs (
	measurement_id text NOT NULL REFERENCES measurements (id) ON DELETE CASCADE,
	version        integer NOT NULL CHECK (version >= 1),
	spec           text NOT NULL,
	created_by     text NOT NULL DEFAULT '',
	created_at     timestamptz NOT NULL,
	PRIMARY KEY (measurement_id, version)
);

CREATE TABLE census_cells (
	measurement_id text NOT NULL REFERENCES measurements (id) ON DELETE CASCADE,
	district       text NOT NULL,
	gender         text NOT NULL,
	age_band       text NOT NULL,
	count          double precision NOT NULL CHECK (count >= 0),
	PRIMARY KEY (measurement_id, district, gender, age_band)
);

CREATE TABLE index_methods (
	measurement_id text PRIMARY KEY REFERENCES measurements (id) ON DELETE CASCADE,
	method         text NOT NULL,
	updated_by     text NOT NULL DEFAULT '',
	updated_at     timestamptz NOT NULL
);

CREATE TABLE report_conclusions (
	measurement_id text NOT NULL REFERENCES measurements (id) ON DELETE CASCADE,
	lang           text NOT NULL CHECK (lang IN ('zh', 'en')),
	version        integer NOT NULL CHECK (version >= 1),
	paragraphs     text NOT NULL,
	created_by     text NOT NULL DEFAULT '',
	created_at     timestamptz NOT NULL,
	PRIMARY KEY (measurement_id, lang, version)
);
