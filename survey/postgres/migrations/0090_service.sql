-- 0090_service: the measurement kind (residents' quality satisfaction or
-- service-industry customer satisfaction), a service measurement's sectors,
-- and the sector weights the statistician enters for the city's overall CSI.

ALTER TABLE measurements ADD COLUMN kind text NOT NULL DEFAULT 'resident' CHECK (kind IN ('resident', 'service'));

CREATE TABLE sectors (
	measurement_id text NOT NULL REFERENCES measurements (id) ON DELETE CASCADE,
	code           text NOT NULL,
	name_zh        text NOT NULL,
	name_en        text NOT NULL DEFAULT '',
	position       integer NOT NULL,
	PRIMARY KEY (measurement_id, code)
);

-- One row per sector with a weight; basis says where the weights come from
-- (e.g. "2025 service value added"). Replaced as a whole on every save.
CREATE TABLE csi_sector_weights (
	measurement_id text NOT NULL REFERENCES measurements (id) ON DELETE CASCADE,
	sector         text NOT NULL,
	weight         double precision NOT NULL CHECK (weight >= 0),
	PRIMARY KEY (measurement_id, sector)
);

CREATE TABLE csi_weight_settings (
	measurement_id text PRIMARY KEY REFERENCES measurements (id) ON DELETE CASCADE,
	basis          text NOT NULL DEFAULT '',
	updated_by     text NOT NULL DEFAULT '',
	updated_at     timestamptz NOT NULL
);
