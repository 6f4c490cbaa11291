package postgres

import (
	"context"
	"database/sql"

	"manyi/survey/fieldwork"
	"manyi/survey/internal/storekit"
)

// openLinkCounts counts the invitations started and submitted through a
// measurement's general open link (for storekit.OpenLink).
const openLinkCounts = `SELECT count(*), count(*) FILTER (WHERE r.status = ?) FROM invitations i
		LEFT JOIN responses r ON r.invitation_id = i.id
		WHERE i.measurement_id = ? AND i.open_link AND i.open_sector = ''`

// sectorOpenLinkCounts counts them per sector's link (for
// storekit.SectorOpenLinks).
const sectorOpenLinkCounts = `SELECT i.open_sector, count(*), count(*) FILTER (WHERE r.status = ?) FROM invitations i
		LEFT JOIN responses r ON r.invitation_id = i.id
		WHERE i.measurement_id = ? AND i.open_link AND i.open_sector <> '' GROUP BY i.open_sector`

// OpenLink returns the measurement's open link with its counts. A
// measurement that never had one gets a disabled link without a slug.
func (db *DB) OpenLink(ctx context.Context, measurementID string) (*fieldwork.OpenLink, error) {
	if _, err := db.Measurement(ctx, measurementID); err != nil {
		return nil, err
	}
	return storekit.OpenLink(ctx, dialect, db.db, measurementID, openLinkCounts)
}

// SetOpenLink enables or disables the measurement's open link. The first
// enabling makes the slug (128 random bits, like a token); later changes
// keep it.
func (db *DB) SetOpenLink(ctx context.Context, measurementID string, enabled bool, by string) (*fieldwork.OpenLink, error) {
	if _, err := db.Measurement(ctx, measurementID); err != nil {
		return nil, err
	}
	slug, _ := storekit.NewToken()
	err := db.write(ctx, func(tx *sql.Tx) error {
		return storekit.SetOpenLink(ctx, dialect, tx, measurementID, slug, enabled, by, db.now())
	})
	if err != nil {
		return nil, err
	}
	return db.OpenLink(ctx, measurementID)
}

// StartOpenLink makes a fresh invitation, marked open_link, for a visitor
// of /o/slug and returns its token. The slug may be the general link or a
// per-sector one; the invitation of a sector's link records that sector.
// ENOTFOUND when the slug is unknown, malformed or its link disabled;
// EGONE when the measurement is not open.
func (db *DB) StartOpenLink(ctx context.Context, slug string) (string, error) {
	if _, ok := storekit.TokenHash(slug); !ok {
		return "", storekit.ErrNoOpenLink()
	}
	tok, h := storekit.NewToken()
	err := db.write(ctx, func(tx *sql.Tx) error {
		return storekit.StartOpenLink(ctx, dialect, tx, slug, h, db.now())
	})
	if err != nil {
		return "", err
	}
	return tok, nil
}

// OpenLinkBySlug returns the enabled open link of slug, general or per
// sector, for the landing page. ENOTFOUND when the slug is unknown,
// malformed or disabled.
func (db *DB) OpenLinkBySlug(ctx context.Context, slug string) (*fieldwork.OpenLink, error) {
	if _, ok := storekit.TokenHash(slug); !ok {
		return nil, storekit.ErrNoOpenLink()
	}
	mid, sector, err := storekit.OpenLinkSlug(ctx, dialect, db.db, slug)
	if err != nil {
		return nil, err
	}
	if sector == "" {
		return db.OpenLink(ctx, mid)
	}
	return db.sectorLink(ctx, mid, sector, storekit.ErrNoOpenLink())
}

// sectorLink is one of SectorOpenLinks, or missing when it is not there.
func (db *DB) sectorLink(ctx context.Context, measurementID, sector string, missing error) (*fieldwork.OpenLink, error) {
	links, err := db.SectorOpenLinks(ctx, measurementID)
	if err != nil {
		return nil, err
	}
	return storekit.SectorLink(links, sector, missing)
}

// SectorOpenLinks returns a service measurement's per-sector open links,
// one per sector in the measurement's order, with their counts.
func (db *DB) SectorOpenLinks(ctx context.Context, measurementID string) ([]fieldwork.OpenLink, error) {
	m, err := db.Measurement(ctx, measurementID)
	if err != nil {
		return nil, err
	}
	return storekit.SectorOpenLinks(ctx, dialect, db.db, m, sectorOpenLinkCounts)
}

// SetSectorOpenLink enables or disables one sector's open link of a
// service measurement; the first enabling makes its slug, later changes
// keep it.
func (db *DB) SetSectorOpenLink(ctx context.Context, measurementID, sector string, enabled bool, by string) (*fieldwork.OpenLink, error) {
	m, err := db.Measurement(ctx, measurementID)
	if err != nil {
		return nil, err
	}
	if err := storekit.CheckSectorLink(m, sector); err != nil {
		return nil, err
	}
	slug, _ := storekit.NewToken()
	err = db.write(ctx, func(tx *sql.Tx) error {
		return storekit.SetSectorOpenLink(ctx, dialect, tx, measurementID, sector, slug, enabled, by, db.now())
	})
	if err != nil {
		return nil, err
	}
	return db.sectorLink(ctx, measurementID, sector, dialect.Errorf("sector open link %s/%s vanished", measurementID, sector))
}
