package postgres

import (
	"context"
	"database/sql"
	"fmt"

	"manyi/survey/fieldwork"
	"manyi/survey/internal/storekit"
)

var _ fieldwork.OfficeStore = (*DB)(nil)

// DiscardSample deletes the measurement's sample, its cases and their
// invitations so that it can be drawn again. That is allowed only while
// nothing has happened to any case: no link issued, no call attempt, no
// response; otherwise ECONFLICT. The measurement's row lock keeps a link
// issued on another server meanwhile from slipping in between.
func (db *DB) DiscardSample(ctx context.Context, measurementID, by string) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		if err := lockMeasurement(ctx, tx, measurementID); err != nil {
			return err
		}
		if err := storekit.CheckDiscard(ctx, dialect, tx, measurementID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `WITH s AS (DELETE FROM samples WHERE measurement_id = $1),
			c AS (DELETE FROM cases WHERE measurement_id = $1 RETURNING invitation_id)
			DELETE FROM invitations WHERE id IN (SELECT invitation_id FROM c)`, measurementID); err != nil {
			return fmt.Errorf("postgres: discard sample: %w", err)
		}
		return nil
	})
}

// ReleasedBatches returns, per stratum, how many reserve batches are
// released (0 when only the main sample is out).
func (db *DB) ReleasedBatches(ctx context.Context, measurementID string) (map[string]int, error) {
	return storekit.ReleasedBatches(ctx, dialect, db.db, measurementID)
}

// ReleaseStratumBatch releases the next reserve batch of one stratum: its
// cases get invitations, and every released case of the stratum gets the
// probability and weight of the enlarged design (sampling.WeightsReleased).
// Other strata are untouched. It returns the batch released; ECONFLICT
// when the stratum has none left.
func (db *DB) ReleaseStratumBatch(ctx context.Context, measurementID, stratum, by string) (int, error) {
	var batch int
	err := db.write(ctx, func(tx *sql.Tx) error {
		if err := lockMeasurement(ctx, tx, measurementID); err != nil {
			return err
		}
		si, err := sampleInfo(ctx, tx, measurementID)
		if err != nil {
			return err
		}
		sa := si.Alloc.Get(stratum)
		if sa == nil {
			return storekit.ErrNoStratum(stratum)
		}
		r, err := storekit.PlanStratumRelease(ctx, dialect, tx, measurementID, stratum, si, sa)
		if err != nil {
			return err
		}
		if err := applyDesign(ctx, tx, measurementID, r.IDs, r.Design(), db.now()); err != nil {
			return err
		}
		// samples.released stays the batch released in every stratum.
		if err := storekit.SetReleased(ctx, dialect, tx, measurementID, si, r, "greatest"); err != nil {
			return err
		}
		batch = r.Batch
		return nil
	})
	return batch, err
}

// SetArchived archives a measurement (read-only on the staff pages, hidden
// from the default list) or restores it.
func (db *DB) SetArchived(ctx context.Context, id string, archived bool, by string) error {
	if _, err := db.Measurement(ctx, id); err != nil {
		return err
	}
	return db.write(ctx, func(tx *sql.Tx) error {
		return storekit.SetArchived(ctx, dialect, tx, id, archived, by, db.now())
	})
}

// Archive returns the measurement's archive state.
func (db *DB) Archive(ctx context.Context, id string) (fieldwork.ArchiveInfo, error) {
	return storekit.Archive(ctx, dialect, db.db, id)
}

// ArchivedMeasurements returns the ids of the archived measurements.
func (db *DB) ArchivedMeasurements(ctx context.Context) (map[string]bool, error) {
	return storekit.ArchivedMeasurements(ctx, dialect, db.db)
}

// StoredFrameCounts counts the stored frame's units by district code,
// gender and age band (one grouped scan of frame_units).
func (db *DB) StoredFrameCounts(ctx context.Context, measurementID string) (*fieldwork.FrameCounts, error) {
	return storekit.StoredFrameCounts(ctx, dialect, db.db, measurementID)
}
