-- 0080_open_link: the optional open link of a measurement (/o/SLUG), for
-- channels without a frame. Invitations made through it are marked
-- open_link: not drawn, so without an inclusion probability.

CREATE TABLE open_links (
	measurement_id text PRIMARY KEY REFERENCES measurements (id) ON DELETE CASCADE,
	slug           text NOT NULL UNIQUE,
	enabled        boolean NOT NULL DEFAULT false,
	changed_at     timestamptz NOT NULL,
	changed_by     text NOT NULL DEFAULT ''
);

ALTER TABLE invitations ADD COLUMN open_link boolean NOT NULL DEFAULT false;
