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
		WHERE i.measurement_id = $2 AND i.open_link`, survey.RespSubmitted, measurementID).Scan(&l.Started, &l.Submitted)
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
// of /o/slug and returns its token. ENOTFOUND when the slug is unknown,
// malformed or its link disabled; EGONE when the measurement is not open.
func (db *DB) StartOpenLink(ctx context.Context, slug string) (string, error) {
	if _, ok := storekit.TokenHash(slug); !ok {
		return "", storekit.ErrNoOpenLink()
	}
	tok, h := storekit.NewToken()
	err := db.write(ctx, func(tx *sql.Tx) error {
		var mid, status string
		var enabled bool
		err := tx.QueryRowContext(ctx, `SELECT o.measurement_id, o.enabled, m.status FROM open_links o
			JOIN measurements m ON m.id = o.measurement_id WHERE o.slug = $1`, slug).Scan(&mid, &enabled, &status)
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
		if _, err := tx.ExecContext(ctx, `INSERT INTO invitations (measurement_id, token_hash, disposition, open_link, created_at, updated_at) VALUES ($1, $2, $3, true, $4, $4)`,
			mid, h, DispIssued, now); err != nil {
			return fmt.Errorf("postgres: open link: %w", err)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	return tok, nil
}

// OpenLinkBySlug returns the enabled open link of slug, for the landing
// page. ENOTFOUND when the slug is unknown, malformed or disabled.
func (db *DB) OpenLinkBySlug(ctx context.Context, slug string) (*fieldwork.OpenLink, error) {
	if _, ok := storekit.TokenHash(slug); !ok {
		return nil, storekit.ErrNoOpenLink()
	}
	var mid string
	var enabled bool
	err := db.db.QueryRowContext(ctx, `SELECT measurement_id, enabled FROM open_links WHERE slug = $1`, slug).Scan(&mid, &enabled)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !enabled) {
		return nil, storekit.ErrNoOpenLink()
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: open link: %w", err)
	}
	return db.OpenLink(ctx, mid)
}
