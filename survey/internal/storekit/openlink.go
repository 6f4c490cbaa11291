package storekit

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"manyi/survey"
	"manyi/survey/fieldwork"
)

// OpenLink returns the measurement's open link with its counts, read by
// the adapter's counts query (two ?: the submitted status and the
// measurement; it yields started and submitted through the general
// link). A measurement that never had one gets a disabled link without
// a slug.
func OpenLink(ctx context.Context, d *Dialect, q Querier, measurementID, counts string) (*fieldwork.OpenLink, error) {
	l := &fieldwork.OpenLink{MeasurementID: measurementID}
	err := d.QueryRow(ctx, q, `SELECT slug, enabled, changed_at, changed_by FROM open_links WHERE measurement_id = ?`, measurementID).
		Scan(&l.Slug, &l.Enabled, d.TimeDest(&l.ChangedAt), &l.ChangedBy)
	if errors.Is(err, sql.ErrNoRows) {
		return l, nil
	}
	if err != nil {
		return nil, d.Errorf("open link: %w", err)
	}
	if err := d.QueryRow(ctx, q, counts, survey.RespSubmitted, measurementID).Scan(&l.Started, &l.Submitted); err != nil {
		return nil, d.Errorf("open link: %w", err)
	}
	return l, nil
}

// SetOpenLink enables or disables the measurement's open link inside the
// caller's write transaction; slug is used when the link is new, later
// changes keep the stored one.
func SetOpenLink(ctx context.Context, d *Dialect, tx Querier, measurementID, slug string, enabled bool, by string, now time.Time) error {
	_, err := d.Exec(ctx, tx, `INSERT INTO open_links (measurement_id, slug, enabled, changed_at, changed_by) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (measurement_id) DO UPDATE SET enabled = excluded.enabled, changed_at = excluded.changed_at, changed_by = excluded.changed_by`,
		measurementID, slug, enabled, d.TimeArg(now), by)
	if err != nil {
		return d.Errorf("set open link: %w", err)
	}
	return nil
}

// slugQuery finds a slug among the general and the per-sector open links
// (two ? for the slug); the general link's sector is "".
const slugQuery = `SELECT measurement_id, '' AS sector, enabled FROM open_links WHERE slug = ?
	UNION ALL SELECT measurement_id, sector, enabled FROM sector_open_links WHERE slug = ?`

// OpenLinkSlug returns the measurement and sector ("" for the general
// link) of the enabled open link slug. ErrNoOpenLink when the slug is
// unknown or its link disabled.
func OpenLinkSlug(ctx context.Context, d *Dialect, q Querier, slug string) (measurementID, sector string, err error) {
	var enabled bool
	err = d.QueryRow(ctx, q, slugQuery, slug, slug).Scan(&measurementID, &sector, &enabled)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !enabled) {
		return "", "", ErrNoOpenLink()
	}
	if err != nil {
		return "", "", d.Errorf("open link: %w", err)
	}
	return measurementID, sector, nil
}

// StartOpenLink makes, inside the caller's write transaction, a fresh
// invitation marked open_link (its token's stored form h) for a visitor
// of the open link slug; the invitation of a sector's link records that
// sector. ErrNoOpenLink when the slug is unknown or its link disabled;
// EGONE when the measurement is not open.
func StartOpenLink(ctx context.Context, d *Dialect, tx Querier, slug string, h []byte, now time.Time) error {
	var mid, sector, status string
	var enabled bool
	err := d.QueryRow(ctx, tx, `SELECT o.measurement_id, o.sector, o.enabled, m.status FROM (`+slugQuery+`) o
			JOIN measurements m ON m.id = o.measurement_id`, slug, slug).Scan(&mid, &sector, &enabled, &status)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !enabled) {
		return ErrNoOpenLink()
	}
	if err != nil {
		return d.Errorf("open link: %w", err)
	}
	if err := CheckOpen(status); err != nil {
		return err
	}
	if _, err := d.Exec(ctx, tx, `INSERT INTO invitations (measurement_id, token_hash, disposition, open_link, open_sector, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		mid, h, DispIssued, true, sector, d.TimeArg(now), d.TimeArg(now)); err != nil {
		return d.Errorf("open link: %w", err)
	}
	return nil
}

// SectorOpenLinks returns the per-sector open links of the service
// measurement m, one per sector in m's order, with their counts read by
// the adapter's counts query (two ?: the submitted status and the
// measurement; it yields sector, started and submitted per sector's
// link).
func SectorOpenLinks(ctx context.Context, d *Dialect, q Querier, m *survey.Measurement, counts string) ([]fieldwork.OpenLink, error) {
	if !m.IsService() {
		return nil, ErrNoSectorLinks()
	}
	links := make([]fieldwork.OpenLink, len(m.Sectors))
	at := map[string]int{}
	for i, sc := range m.Sectors {
		links[i] = fieldwork.OpenLink{MeasurementID: m.ID, Sector: sc.Code}
		at[sc.Code] = i
	}
	rows, err := d.Query(ctx, q, `SELECT sector, slug, enabled, changed_at, changed_by FROM sector_open_links WHERE measurement_id = ?`, m.ID)
	if err != nil {
		return nil, d.Errorf("sector open links: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var l fieldwork.OpenLink
		if err := rows.Scan(&l.Sector, &l.Slug, &l.Enabled, d.TimeDest(&l.ChangedAt), &l.ChangedBy); err != nil {
			return nil, d.Errorf("sector open links: %w", err)
		}
		i, ok := at[l.Sector]
		if !ok {
			continue // a sector since removed from the measurement
		}
		l.MeasurementID = m.ID
		links[i] = l
	}
	if err := rows.Err(); err != nil {
		return nil, d.Errorf("sector open links: %w", err)
	}
	cs, err := d.Query(ctx, q, counts, survey.RespSubmitted, m.ID)
	if err != nil {
		return nil, d.Errorf("sector open links: %w", err)
	}
	defer cs.Close()
	for cs.Next() {
		var sc string
		var started, submitted int
		if err := cs.Scan(&sc, &started, &submitted); err != nil {
			return nil, d.Errorf("sector open links: %w", err)
		}
		if i, ok := at[sc]; ok {
			links[i].Started, links[i].Submitted = started, submitted
		}
	}
	if err := cs.Err(); err != nil {
		return nil, d.Errorf("sector open links: %w", err)
	}
	return links, nil
}

// SetSectorOpenLink enables or disables one sector's open link inside the
// caller's write transaction; slug is used when the link is new, later
// changes keep the stored one.
func SetSectorOpenLink(ctx context.Context, d *Dialect, tx Querier, measurementID, sector, slug string, enabled bool, by string, now time.Time) error {
	_, err := d.Exec(ctx, tx, `INSERT INTO sector_open_links (measurement_id, sector, slug, enabled, changed_at, changed_by) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (measurement_id, sector) DO UPDATE SET enabled = excluded.enabled, changed_at = excluded.changed_at, changed_by = excluded.changed_by`,
		measurementID, sector, slug, enabled, d.TimeArg(now), by)
	if err != nil {
		return d.Errorf("set sector open link: %w", err)
	}
	return nil
}

// SectorLink is the link of sector among links, or missing when it is not
// there.
func SectorLink(links []fieldwork.OpenLink, sector string, missing error) (*fieldwork.OpenLink, error) {
	for i := range links {
		if links[i].Sector == sector {
			return &links[i], nil
		}
	}
	return nil, missing
}
