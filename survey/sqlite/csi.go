package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"manyi/survey"
	"manyi/survey/internal/storekit"
)

var _ survey.SectorWeightStore = (*DB)(nil)

// SectorWeights returns the saved sector weights of a service measurement,
// nil when none were saved.
func (db *DB) SectorWeights(ctx context.Context, measurementID string) (*survey.SectorWeights, error) {
	if _, err := db.Measurement(ctx, measurementID); err != nil {
		return nil, err
	}
	w := &survey.SectorWeights{Weights: map[string]float64{}}
	var at string
	err := db.rdb.QueryRowContext(ctx, `SELECT basis, updated_by, updated_at FROM csi_weight_settings WHERE measurement_id = ?`, measurementID).Scan(&w.Basis, &w.UpdatedBy, &at)
	if err == sql.ErrNoRows {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: sector weights: %w", err)
	}
	if w.UpdatedAt, err = parseTime(at); err != nil {
		return nil, err
	}
	rows, err := db.rdb.QueryContext(ctx, `SELECT sector, weight FROM csi_sector_weights WHERE measurement_id = ?`, measurementID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: sector weights: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var s string
		var v float64
		if err := rows.Scan(&s, &v); err != nil {
			return nil, fmt.Errorf("sqlite: sector weights: %w", err)
		}
		w.Weights[s] = v
	}
	return w, rows.Err()
}

// SetSectorWeights replaces a service measurement's sector weights in one
// transaction. UpdatedAt is set to the store's clock and written back.
func (db *DB) SetSectorWeights(ctx context.Context, measurementID string, w *survey.SectorWeights) error {
	m, err := db.Measurement(ctx, measurementID)
	if err != nil {
		return err
	}
	codes, err := storekit.CheckSectorWeights(m, w)
	if err != nil {
		return err
	}
	w.UpdatedAt = db.now().Truncate(time.Microsecond)
	return db.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.Exec(`DELETE FROM csi_sector_weights WHERE measurement_id = ?`, measurementID); err != nil {
			return fmt.Errorf("sqlite: set sector weights: %w", err)
		}
		for _, c := range codes {
			if _, err := tx.Exec(`INSERT INTO csi_sector_weights (measurement_id, sector, weight) VALUES (?, ?, ?)`, measurementID, c, w.Weights[c]); err != nil {
				return fmt.Errorf("sqlite: set sector weights: %w", err)
			}
		}
		_, err := tx.Exec(`INSERT INTO csi_weight_settings (measurement_id, basis, updated_by, updated_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (measurement_id) DO UPDATE SET basis = excluded.basis, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
			measurementID, w.Basis, w.UpdatedBy, fmtTime(w.UpdatedAt))
		if err != nil {
			return fmt.Errorf("sqlite: set sector weights: %w", err)
		}
		return nil
	})
}
