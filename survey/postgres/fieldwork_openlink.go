package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"manyi/survey"
	"manyi/survey/fieldwork"
	"manyi/survey/internal/storekit"
)

// OpenLink returns the measurement's open link with its counts. A
// measurement that never had one gets a disabled link without a slug.
func (db *DB) OpenLink(ctx context.Context, measurementID string) (*fieldwork.OpenLink, error) {
	if _, err := db.Measurement(ctx, measurementID); err != nil {
		return nil, err
	}
	l := &fieldwork.OpenLink{MeasurementID: measurementID}
	err := db.db.QueryRowContext(ctx, `SELECT slug, enabled, changed_at, changed_by FROM open_links WHERE measurement_id = $1`, measurementID).
		Scan(&l.Slug, &l.Enabled, &l.ChangedAt, &l.ChangedBy)
	if errors.Is(err, sql.ErrNoRows) {
		return l, nil
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: open link: %w", err)
	}
	l.ChangedAt = utc(l.ChangedAt)
	err = db.db.QueryRowContext(ctx, `SELECT count(*), count(*) FILTER (WHERE r.status = $1) FROM invitations i
		LEFT JOIN responses r ON r.invitation_id = i.id
		WHERE i.measurement_id = $2 AND i.open_link AND i.open_sector = ''`, survey.RespSubmitted, measurementID).Scan(&l.Started, &l.Submitted)
	if err != nil {
		return nil, fmt.Errorf("postgres: open link: %w", err)
	}
	return l, nil
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
		_, err := tx.ExecContext(ctx, `INSERT INTO open_links (measurement_id, slug, enabled, changed_at, changed_by) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (measurement_id) DO UPDATE SET enabled = excluded.enabled, changed_at = excluded.changed_at, changed_by = excluded.changed_by`,
			measurementID, slug, enabled, db.now(), by)
		if err != nil {
			return fmt.Errorf("postgres: set open link: %w", err)
		}
		return nil
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
		var mid, sector, status string
		var enabled bool
		err := tx.QueryRowContext(ctx, `SELECT o.measurement_id, o.sector, o.enabled, m.status FROM (`+slugQuery+`) o
			JOIN measurements m ON m.id = o.measurement_id`, slug).Scan(&mid, &sector, &enabled, &status)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && !enabled) {
			return storekit.ErrNoOpenLink()
		}
		if err != nil {
			return fmt.Errorf("postgres: open link: %w", err)
		}
		if err := storekit.CheckOpen(status); err != nil {
			return err
		}
		now := db.now()
		if _, err := tx.ExecContext(ctx, `INSERT INTO invitations (measurement_id, token_hash, disposition, open_link, open_sector, created_at, updated_at) VALUES ($1, $2, $3, true, $4, $5, $5)`,
			mid, h, DispIssued, sector, now); err != nil {
			return fmt.Errorf("postgres: open link: %w", err)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	return tok, nil
}

// slugQuery finds a slug ($1) among the general and the per-sector open
// links; the general link's sector is empty.
const slugQuery = `SELECT measurement_id, '' AS sector, enabled FROM open_links WHERE slug = $1
	UNION ALL SELECT measurement_id, sector, enabled FROM sector_open_links WHERE slug = $1`

// OpenLinkBySlug returns the enabled open link of slug, general or per
// sector, for the landing page. ENOTFOUND when the slug is unknown,
// malformed or disabled.
func (db *DB) OpenLinkBySlug(ctx context.Context, slug string) (*fieldwork.OpenLink, error) {
	if _, ok := storekit.TokenHash(slug); !ok {
		return nil, storekit.ErrNoOpenLink()
	}
	var mid, sector string
	var enabled bool
	err := db.db.QueryRowContext(ctx, slugQuery, slug).Scan(&mid, &sector, &enabled)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !enabled) {
		return nil, storekit.ErrNoOpenLink()
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: open link: %w", err)
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
	for i := range links {
		if links[i].Sector == sector {
			return &links[i], nil
		}
	}
	return nil, missing
}

// SectorOpenLinks returns a service measurement's per-sector open links,
// one per sector in the measurement's order, with their counts.
func (db *DB) SectorOpenLinks(ctx context.Context, measurementID string) ([]fieldwork.OpenLink, error) {
	m, err := db.Measurement(ctx, measurementID)
	if err != nil {
		return nil, err
	}
	if !m.IsService() {
		return nil, storekit.ErrNoSectorLinks()
	}
	links := make([]fieldwork.OpenLink, len(m.Sectors))
	at := map[string]int{}
	for i, sc := range m.Sectors {
		links[i] = fieldwork.OpenLink{MeasurementID: measurementID, Sector: sc.Code}
		at[sc.Code] = i
	}
	rows, err := db.db.QueryContext(ctx, `SELECT sector, slug, enabled, changed_at, changed_by FROM sector_open_links WHERE measurement_id = $1`, measurementID)
	if err != nil {
		return nil, fmt.Errorf("postgres: sector open links: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var l fieldwork.OpenLink
		if err := rows.Scan(&l.Sector, &l.Slug, &l.Enabled, &l.ChangedAt, &l.ChangedBy); err != nil {
			return nil, fmt.Errorf("postgres: sector open links: %w", err)
		}
		i, ok := at[l.Sector]
		if !ok {
			continue // a sector since removed from the measurement
		}
		l.MeasurementID, l.ChangedAt = measurementID, utc(l.ChangedAt)
		links[i] = l
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: sector open links: %w", err)
	}
	counts, err := db.db.QueryContext(ctx, `SELECT i.open_sector, count(*), count(*) FILTER (WHERE r.status = $1) FROM invitations i
		LEFT JOIN responses r ON r.invitation_id = i.id
		WHERE i.measurement_id = $2 AND i.open_link AND i.open_sector <> '' GROUP BY i.open_sector`, survey.RespSubmitted, measurementID)
	if err != nil {
		return nil, fmt.Errorf("postgres: sector open links: %w", err)
	}
	defer counts.Close()
	for counts.Next() {
		var sc string
		var started, submitted int
		if err := counts.Scan(&sc, &started, &submitted); err != nil {
			return nil, fmt.Errorf("postgres: sector open links: %w", err)
		}
		if i, ok := at[sc]; ok {
			links[i].Started, links[i].Submitted = started, submitted
		}
	}
	if err := counts.Err(); err != nil {
		return nil, fmt.Errorf("postgres: sector open links: %w", err)
	}
	return links, nil
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
		_, err := tx.ExecContext(ctx, `INSERT INTO sector_open_links (measurement_id, sector, slug, enabled, changed_at, changed_by) VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (measurement_id, sector) DO UPDATE SET enabled = excluded.enabled, changed_at = excluded.changed_at, changed_by = excluded.changed_by`,
			measurementID, sector, slug, enabled, db.now(), by)
		if err != nil {
			return fmt.Errorf("postgres: set sector open link: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return db.sectorLink(ctx, measurementID, sector, fmt.Errorf("postgres: sector open link %s/%s vanished", measurementID, sector))
}
