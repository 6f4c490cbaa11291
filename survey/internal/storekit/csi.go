package storekit

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"manyi/survey"
)

// SectorWeights returns the saved sector weights of a service
// measurement, nil when none were saved.
func SectorWeights(ctx context.Context, d *Dialect, q Querier, measurementID string) (*survey.SectorWeights, error) {
	w := &survey.SectorWeights{Weights: map[string]float64{}}
	err := d.QueryRow(ctx, q, `SELECT basis, updated_by, updated_at FROM csi_weight_settings WHERE measurement_id = ?`, measurementID).
		Scan(&w.Basis, &w.UpdatedBy, d.TimeDest(&w.UpdatedAt))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, d.Errorf("sector weights: %w", err)
	}
	rows, err := d.Query(ctx, q, `SELECT sector, weight FROM csi_sector_weights WHERE measurement_id = ?`, measurementID)
	if err != nil {
		return nil, d.Errorf("sector weights: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var s string
		var v float64
		if err := rows.Scan(&s, &v); err != nil {
			return nil, d.Errorf("sector weights: %w", err)
		}
		w.Weights[s] = v
	}
	return w, rows.Err()
}

// ReplaceSectorWeights replaces a measurement's sector weights (codes,
// checked by CheckSectorWeights, in w.Weights) and their basis inside
// the caller's write transaction.
func ReplaceSectorWeights(ctx context.Context, d *Dialect, tx Querier, measurementID string, codes []string, w *survey.SectorWeights) error {
	if _, err := d.Exec(ctx, tx, `DELETE FROM csi_sector_weights WHERE measurement_id = ?`, measurementID); err != nil {
		return d.Errorf("set sector weights: %w", err)
	}
	for _, c := range codes {
		if _, err := d.Exec(ctx, tx, `INSERT INTO csi_sector_weights (measurement_id, sector, weight) VALUES (?, ?, ?)`, measurementID, c, w.Weights[c]); err != nil {
			return d.Errorf("set sector weights: %w", err)
		}
	}
	_, err := d.Exec(ctx, tx, `INSERT INTO csi_weight_settings (measurement_id, basis, updated_by, updated_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (measurement_id) DO UPDATE SET basis = excluded.basis, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
		measurementID, w.Basis, w.UpdatedBy, d.TimeArg(w.UpdatedAt))
	if err != nil {
		return d.Errorf("set sector weights: %w", err)
	}
	return nil
}

// SectorProgress counts the submitted responses of a service measurement
// by the answers to the district and sector items of qn (district code →
// sector code → count); empty when qn has either item missing.
func SectorProgress(ctx context.Context, d *Dialect, q Querier, measurementID string, qn *survey.Questionnaire) (map[string]map[string]int, error) {
	si, ds := qn.SectorItem(), qn.ItemsByRole(survey.RoleDistrict)
	out := map[string]map[string]int{}
	if si == nil || len(ds) == 0 {
		return out, nil
	}
	rows, err := d.Query(ctx, q, `SELECT d.value, s.value, count(*) FROM responses r
		JOIN answers s ON s.response_id = r.id AND s.item_id = ?
		JOIN answers d ON d.response_id = r.id AND d.item_id = ?
		WHERE r.measurement_id = ? AND r.status = ? GROUP BY d.value, s.value`, si.ID, ds[0].ID, measurementID, survey.RespSubmitted)
	if err != nil {
		return nil, d.Errorf("sector progress: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var dc, sc string
		var n int
		if err := rows.Scan(&dc, &sc, &n); err != nil {
			return nil, d.Errorf("sector progress: %w", err)
		}
		if out[dc] == nil {
			out[dc] = map[string]int{}
		}
		out[dc][sc] = n
	}
	return out, rows.Err()
}

// InterceptInvitation stores, inside the caller's write transaction, the
// invitation (token hash h) of an intercept interview of an open
// measurement (ENOTFOUND, or CheckOpen's error), marked open_link;
// openLink is the dialect's true for that column ("1", "true").
func InterceptInvitation(ctx context.Context, d *Dialect, tx Querier, measurementID string, h []byte, openLink string, now time.Time) error {
	var status string
	err := d.QueryRow(ctx, tx, `SELECT status FROM measurements WHERE id = ?`, measurementID).Scan(&status)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNoMeasurement(measurementID)
	}
	if err != nil {
		return d.Errorf("intercept: %w", err)
	}
	if err := CheckOpen(status); err != nil {
		return err
	}
	if _, err := d.Exec(ctx, tx, `INSERT INTO invitations (measurement_id, token_hash, disposition, open_link, created_at, updated_at) VALUES (?, ?, ?, `+openLink+`, ?, ?)`,
		measurementID, h, DispIssued, d.TimeArg(now), d.TimeArg(now)); err != nil {
		return d.Errorf("intercept: %w", err)
	}
	return nil
}

// SetInterceptInterviewer records the interviewer of an intercept's
// response inside the caller's write transaction.
func SetInterceptInterviewer(ctx context.Context, d *Dialect, tx Querier, respID int64, interviewer string, now time.Time) error {
	if _, err := d.Exec(ctx, tx, `UPDATE responses SET interviewer = ?, updated_at = ?, rev = rev + 1 WHERE id = ?`, interviewer, d.TimeArg(now), respID); err != nil {
		return d.Errorf("intercept: %w", err)
	}
	return nil
}
