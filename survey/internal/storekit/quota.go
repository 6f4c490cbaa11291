package storekit

import (
	"context"
	"database/sql"
	"errors"

	"manyi/survey"
	"manyi/survey/fieldwork"
)

// Quotas returns the measurement's quota cells, by district and cell.
// allowOver is the adapter's query of the measurement's over-quota
// setting (one ?, false when unset); collate is "" or the dialect's
// clause that orders text bytewise.
func Quotas(ctx context.Context, d *Dialect, q Querier, measurementID, allowOver, collate string) (*fieldwork.Quotas, error) {
	qs := &fieldwork.Quotas{}
	if err := d.QueryRow(ctx, q, allowOver, measurementID).Scan(&qs.AllowOver); err != nil {
		return nil, d.Errorf("quotas: %w", err)
	}
	rows, err := d.Query(ctx, q, `SELECT q.district, q.cell, q.target, q.count,
			(SELECT count(*) FROM quota_members m JOIN responses r ON r.id = m.response_id
			 WHERE m.measurement_id = q.measurement_id AND m.district = q.district AND m.cell = q.cell AND r.status = 'submitted')
		FROM quota_cells q WHERE q.measurement_id = ? ORDER BY q.district`+collate+`, q.cell`+collate, measurementID)
	if err != nil {
		return nil, d.Errorf("quotas: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var c fieldwork.QuotaCell
		if err := rows.Scan(&c.District, &c.Cell, &c.Target, &c.Count, &c.Completes); err != nil {
			return nil, d.Errorf("quotas: %w", err)
		}
		qs.Cells = append(qs.Cells, c)
	}
	return qs, rows.Err()
}

// HasQuotaCells reports, inside the caller's transaction, whether the
// measurement has any quota cell.
func HasQuotaCells(ctx context.Context, d *Dialect, tx Querier, measurementID string) (bool, error) {
	var n int
	if err := d.QueryRow(ctx, tx, `SELECT count(*) FROM quota_cells WHERE measurement_id = ?`, measurementID).Scan(&n); err != nil {
		return false, d.Errorf("quota: %w", err)
	}
	return n > 0, nil
}

// ResponseAnswers reads a response's answers inside the caller's
// transaction.
func ResponseAnswers(ctx context.Context, d *Dialect, tx Querier, respID int64) (survey.Answers, error) {
	rows, err := d.Query(ctx, tx, `SELECT item_id, value FROM answers WHERE response_id = ? ORDER BY item_id, position`, respID)
	if err != nil {
		return nil, d.Errorf("answers of response %d: %w", respID, err)
	}
	defer rows.Close()
	ans := survey.Answers{}
	for rows.Next() {
		var item, v string
		if err := rows.Scan(&item, &v); err != nil {
			return nil, d.Errorf("answers of response %d: %w", respID, err)
		}
		ans[item] = append(ans[item], v)
	}
	return ans, rows.Err()
}

// FrameGenderBand reads, inside the caller's transaction, the frame's
// gender and age band of the sampled case of an invitation; both "" for
// an invitation without a case (an open link's).
func FrameGenderBand(ctx context.Context, d *Dialect, tx Querier, invitationID int64) (gender, band string, err error) {
	err = d.QueryRow(ctx, tx, `SELECT u.gender, u.age_band FROM cases c
			JOIN frame_units u ON u.measurement_id = c.measurement_id AND u.unit_id = c.unit_id
			WHERE c.invitation_id = ?`, invitationID).Scan(&gender, &band)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", "", d.Errorf("quota: %w", err)
	}
	return gender, band, nil
}
