package sqlite

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
	var at string
	err := db.rdb.QueryRowContext(ctx, `SELECT slug, enabled, changed_at, changed_by FROM open_links WHERE measurement_id = ?`, measurementID).
		Scan(&l.Slug, &l.Enabled, &at, &l.ChangedBy)
	if errors.Is(err, sql.ErrNoRows) {
		return l, nil
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: open link: %w", err)
	}
	if l.ChangedAt, err = parseTime(at); err != nil {
		return nil, err
	}
	err = db.rdb.QueryRowContext(ctx, `SELECT count(*), coalesce(sum(r.status = ?), 0) FROM invitations i
		LEFT JOIN responses r ON r.invitation_id = i.id
		WHERE i.measurement_id = ? AND i.open_link = 1 AND i.open_sector = ''`, survey.RespSubmitted, measurementID).Scan(&l.Started, &l.Submitted)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open link: %w", err)
	}
	return l, nil
}

// SetOpenLink enables or disables the measurement's open link. The first
// enabling makes the slug (128 random bits, like a token); later changes
// keep it. Disabling stops new visitors; responses already started through
// the link go on, since each has its own invitation.
func (db *DB) SetOpenLink(ctx context.Context, measurementID string, enabled bool, by string) (*fieldwork.OpenLink, error) {
	if _, err := db.Measurement(ctx, measurementID); err != nil {
		return nil, err
	}
	slug, _ := storekit.NewToken()
	err := db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT INTO open_links (measurement_id, slug, enabled, changed_at, changed_by) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (measurement_id) DO UPDATE SET enabled = excluded.enabled, changed_at = excluded.changed_at, changed_by = excluded.changed_by`,
			measurementID, slug, enabled, fmtTime(db.now()), by)
		if err != nil {
			return fmt.Errorf("sqlite: set open link: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return db.OpenLink(ctx, measurementID)
}

// StartOpenLink makes a fresh invitation, marked open_link, for a visitor
// of /o/slug and returns its token (shown once, like every token; only its
// hash is kept). The slug may be the measurement's general link or one of
// its per-sector links; the invitation of a sector's link records that
// sector. ENOTFOUND when the slug is unknown, malformed or its link
// disabled; EGONE when the measurement is not open.
func (db *DB) StartOpenLink(ctx context.Context, slug string) (string, error) {
	if _, ok := storekit.TokenHash(slug); !ok {
		return "", storekit.ErrNoOpenLink()
	}
	tok, h := storekit.NewToken()
	err := db.write(ctx, func(tx *sql.Tx) error {
		var mid, sector, status string
		var enabled bool
		err := tx.QueryRow(`SELECT o.measurement_id, o.sector, o.enabled, m.status FROM (`+slugQuery+`) o
			JOIN measurements m ON m.id = o.measurement_id`, slug, slug).Scan(&mid, &sector, &enabled, &status)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && !enabled) {
			return storekit.ErrNoOpenLink()
		}
		if err != nil {
			return fmt.Errorf("sqlite: open link: %w", err)
		}
		if err := storekit.CheckOpen(status); err != nil {
			return err
		}
		now := fmtTime(db.now())
		if _, err := tx.Exec(`INSERT INTO invitations (measurement_id, token_hash, disposition, open_link, open_sector, created_at, updated_at) VALUES (?, ?, ?, 1, ?, ?, ?)`,
			mid, h, DispIssued, sector, now, now); err != nil {
			return fmt.Errorf("sqlite: open link: %w", err)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	return tok, nil
}

// slugQuery finds a slug among the general and the per-sector open links
// (two ? for the slug); the general link's sector is "".
const slugQuery = `SELECT measurement_id, '' AS sector, enabled FROM open_links WHERE slug = ?
	UNION ALL SELECT measurement_id, sector, enabled FROM sector_open_links WHERE slug = ?`

// OpenLinkBySlug returns the enabled open link of slug, general or per
// sector, for the landing page. ENOTFOUND when the slug is unknown,
// malformed or disabled.
func (db *DB) OpenLinkBySlug(ctx context.Context, slug string) (*fieldwork.OpenLink, error) {
	if _, ok := storekit.TokenHash(slug); !ok {
		return nil, storekit.ErrNoOpenLink()
	}
	var mid, sector string
	var enabled bool
	err := db.rdb.QueryRowContext(ctx, slugQuery, slug, slug).Scan(&mid, &sector, &enabled)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !enabled) {
		return nil, storekit.ErrNoOpenLink()
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: open link: %w", err)
	}
	if sector == "" {
		return db.OpenLink(ctx, mid)
	}
	links, err := db.SectorOpenLinks(ctx, mid)
	if err != nil {
		return nil, err
	}
	for i := range links {
		if links[i].Sector == sector {
			return &links[i], nil
		}
	}
	return nil, storekit.ErrNoOpenLink()
}

// SectorOpenLinks returns a service measurement's per-sector open links,
// one per sector in the measurement's order, with their counts (started
// and submitted through each sector's link).
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
	rows, err := db.rdb.QueryContext(ctx, `SELECT sector, slug, enabled, changed_at, changed_by FROM sector_open_links WHERE measurement_id = ?`, measurementID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: sector open links: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var l fieldwork.OpenLink
		var t string
		if err := rows.Scan(&l.Sector, &l.Slug, &l.Enabled, &t, &l.ChangedBy); err != nil {
			return nil, fmt.Errorf("sqlite: sector open links: %w", err)
		}
		i, ok := at[l.Sector]
		if !ok {
			continue // a sector since removed from the measurement
		}
		if l.ChangedAt, err = parseTime(t); err != nil {
			return nil, err
		}
		l.MeasurementID = measurementID
		links[i] = l
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: sector open links: %w", err)
	}
	counts, err := db.rdb.QueryContext(ctx, `SELECT i.open_sector, count(*), coalesce(sum(r.status = ?), 0) FROM invitations i
		LEFT JOIN responses r ON r.invitation_id = i.id
		WHERE i.measurement_id = ? AND i.open_link = 1 AND i.open_sector <> '' GROUP BY i.open_sector`, survey.RespSubmitted, measurementID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: sector open links: %w", err)
	}
	defer counts.Close()
	for counts.Next() {
		var sc string
		var started, submitted int
		if err := counts.Scan(&sc, &started, &submitted); err != nil {
			return nil, fmt.Errorf("sqlite: sector open links: %w", err)
		}
		if i, ok := at[sc]; ok {
			links[i].Started, links[i].Submitted = started, submitted
		}
	}
	if err := counts.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: sector open links: %w", err)
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
		_, err := tx.Exec(`INSERT INTO sector_open_links (measurement_id, sector, slug, enabled, changed_at, changed_by) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (measurement_id, sector) DO UPDATE SET enabled = excluded.enabled, changed_at = excluded.changed_at, changed_by = excluded.changed_by`,
			measurementID, sector, slug, enabled, fmtTime(db.now()), by)
		if err != nil {
			return fmt.Errorf("sqlite: set sector open link: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	links, err := db.SectorOpenLinks(ctx, measurementID)
	if err != nil {
		return nil, err
	}
	for i := range links {
		if links[i].Sector == sector {
			return &links[i], nil
		}
	}
	return nil, fmt.Errorf("sqlite: sector open link %s/%s vanished", measurementID, sector)
}
