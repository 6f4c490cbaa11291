package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"manyi/survey/fieldwork"
	"manyi/survey/internal/storekit"
)

// DB keeps what the office's setup pages and commands change.
var _ fieldwork.OfficeStore = (*DB)(nil)

// DiscardSample deletes the measurement's sample, its cases and their
// invitations so that it can be drawn again. That is allowed only while
// nothing has happened to any case: no link issued (IssueLinks records a
// history entry), no call attempt, no response; otherwise ECONFLICT. The
// drawn seed is kept in the audit log by the caller.
func (db *DB) DiscardSample(ctx context.Context, measurementID, by string) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		if err := storekit.CheckDiscard(bg, dialect, tx, measurementID); err != nil {
			return err
		}
		rows, err := tx.Query(`SELECT invitation_id FROM cases WHERE measurement_id = ? AND invitation_id IS NOT NULL`, measurementID)
		if err != nil {
			return fmt.Errorf("sqlite: discard sample: %w", err)
		}
		var invs []any
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return fmt.Errorf("sqlite: discard sample: %w", err)
			}
			invs = append(invs, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("sqlite: discard sample: %w", err)
		}
		if _, err := tx.Exec(`DELETE FROM samples WHERE measurement_id = ?`, measurementID); err != nil {
			return fmt.Errorf("sqlite: discard sample: %w", err)
		}
		for start := 0; start < len(invs); start += 500 {
			part := invs[start:min(start+500, len(invs))]
			if _, err := tx.Exec(`DELETE FROM invitations WHERE id IN (`+inList(len(part))+`)`, part...); err != nil {
				return fmt.Errorf("sqlite: discard sample: %w", err)
			}
		}
		return nil
	})
}

// ReleasedBatches returns, per stratum, how many reserve batches are
// released (0 when only the main sample is out).
func (db *DB) ReleasedBatches(ctx context.Context, measurementID string) (map[string]int, error) {
	return storekit.ReleasedBatches(ctx, dialect, db.rdb, measurementID)
}

// ReleaseStratumBatch releases the next reserve batch of one stratum (a
// district, for a plan stratified by district): its cases get
// invitations, and every released case of the stratum gets the
// probability and weight of the enlarged design
// (sampling.WeightsReleased). Other strata are untouched. It returns the
// batch released; ECONFLICT when the stratum has none left.
func (db *DB) ReleaseStratumBatch(ctx context.Context, measurementID, stratum, by string) (int, error) {
	si, err := db.Sample(ctx, measurementID)
	if err != nil {
		return 0, err
	}
	sa := si.Alloc.Get(stratum)
	if sa == nil {
		return 0, storekit.ErrNoStratum(stratum)
	}
	var batch int
	err = db.write(ctx, func(tx *sql.Tx) error {
		r, err := storekit.PlanStratumRelease(bg, dialect, tx, measurementID, stratum, si, sa)
		if err != nil {
			return err
		}
		if err := applyDesign(tx, measurementID, r, fmtTime(db.now())); err != nil {
			return err
		}
		// samples.released stays the batch released in every stratum.
		if err := storekit.SetReleased(bg, dialect, tx, measurementID, si, r, "max"); err != nil {
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
		return storekit.SetArchived(bg, dialect, tx, id, archived, by, db.now())
	})
}

// Archive returns the measurement's archive state.
func (db *DB) Archive(ctx context.Context, id string) (fieldwork.ArchiveInfo, error) {
	return storekit.Archive(ctx, dialect, db.rdb, id)
}

// ArchivedMeasurements returns the ids of the archived measurements.
func (db *DB) ArchivedMeasurements(ctx context.Context) (map[string]bool, error) {
	return storekit.ArchivedMeasurements(ctx, dialect, db.rdb)
}

// StoredFrameCounts counts the stored frame's units by district code,
// gender and age band (one grouped scan of frame_units).
func (db *DB) StoredFrameCounts(ctx context.Context, measurementID string) (*fieldwork.FrameCounts, error) {
	return storekit.StoredFrameCounts(ctx, dialect, db.rdb, measurementID)
}
