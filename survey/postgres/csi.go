package postgres

import (
	"context"
	"database/sql"
	"manyi/survey"
	"time"

	"manyi/survey/internal/storekit"
)

var _ survey.SectorWeightStore = (*DB)(nil)

// SectorWeights returns the saved sector weights of a service measurement,
// nil when none were saved.
func (db *DB) SectorWeights(ctx context.Context, measurementID string) (*survey.SectorWeights, error) {
	if _, err := db.Measurement(ctx, measurementID); err != nil {
		return nil, err
	}
	return storekit.SectorWeights(ctx, dialect, db.db, measurementID)
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
		return storekit.ReplaceSectorWeights(ctx, dialect, tx, measurementID, codes, w)
	})
}
