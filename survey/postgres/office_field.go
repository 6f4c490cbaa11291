package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"manyi/survey"
	"manyi/survey/fieldwork"
	"manyi/survey/sampling"
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
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM samples WHERE measurement_id = $1`, measurementID).Scan(&n); err != nil {
			return fmt.Errorf("postgres: discard sample: %w", err)
		}
		if n == 0 {
			return survey.Errorf(survey.ENOTFOUND, "测评 %s 尚未抽样", "measurement %s has no sample yet", measurementID)
		}
		var worked int
		err := tx.QueryRowContext(ctx, `SELECT
			(SELECT count(*) FROM cases WHERE measurement_id = $1 AND (disposition <> 'not_sent' OR interviewer <> ''))
			+ (SELECT count(*) FROM case_history h JOIN cases c ON c.id = h.case_id WHERE c.measurement_id = $1)
			+ (SELECT count(*) FROM call_attempts a JOIN cases c ON c.id = a.case_id WHERE c.measurement_id = $1)
			+ (SELECT count(*) FROM responses r JOIN cases c ON c.invitation_id = r.invitation_id WHERE c.measurement_id = $1)`,
			measurementID).Scan(&worked)
		if err != nil {
			return fmt.Errorf("postgres: discard sample: %w", err)
		}
		if worked > 0 {
			return survey.Errorf(survey.ECONFLICT, "已经发出邀请或开始访问，样本不能重抽", "invitations have been issued or cases worked; the sample can no longer be drawn again")
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
	return releasedBatches(ctx, db.db, measurementID)
}

func releasedBatches(ctx context.Context, q querier, measurementID string) (map[string]int, error) {
	rows, err := q.QueryContext(ctx, `SELECT stratum, max(batch) FROM cases WHERE measurement_id = $1 AND released GROUP BY stratum`, measurementID)
	if err != nil {
		return nil, fmt.Errorf("postgres: released batches: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var s string
		var b int
		if err := rows.Scan(&s, &b); err != nil {
			return nil, fmt.Errorf("postgres: released batches: %w", err)
		}
		out[s] = b
	}
	return out, rows.Err()
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
			return survey.Errorf(survey.ENOTFOUND, "样本中没有层“%s”", "the sample has no stratum %q", stratum)
		}
		levels, err := releasedBatches(ctx, tx, measurementID)
		if err != nil {
			return err
		}
		next := levels[stratum] + 1
		if next > len(sa.Batches) {
			return survey.Errorf(survey.ECONFLICT, "“%s”的预备样本已全部启用（共 %d 批）", "every reserve batch of %q is released already (%d batches)", stratum, len(sa.Batches))
		}
		levels[stratum] = next
		rows, err := tx.QueryContext(ctx, `SELECT id, unit_id, stratum, batch FROM cases WHERE measurement_id = $1 AND stratum = $2 ORDER BY position`, measurementID, stratum)
		if err != nil {
			return fmt.Errorf("postgres: release batch: %w", err)
		}
		smp := &sampling.Sample{Seed: si.Seed, Alloc: si.Alloc, Batches: si.Batches}
		var ids []int64
		for rows.Next() {
			var c sampling.Case
			var id int64
			if err := rows.Scan(&id, &c.ID, &c.Stratum, &c.Batch); err != nil {
				rows.Close()
				return fmt.Errorf("postgres: release batch: %w", err)
			}
			c.Unit = -1
			smp.Cases = append(smp.Cases, c)
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("postgres: release batch: %w", err)
		}
		if err := applyDesign(ctx, tx, measurementID, ids, sampling.WeightsReleased(smp, levels), db.now()); err != nil {
			return err
		}
		// samples.released stays the batch released in every stratum.
		low := next
		for _, s := range si.Alloc.Strata {
			if len(s.Batches) > 0 {
				low = min(low, levels[s.Name])
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE samples SET released = greatest(released, $1) WHERE measurement_id = $2`, low, measurementID); err != nil {
			return fmt.Errorf("postgres: release batch: %w", err)
		}
		batch = next
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
		var err error
		if archived {
			_, err = tx.ExecContext(ctx, `INSERT INTO measurement_archive (measurement_id, archived_at, archived_by) VALUES ($1, $2, $3)
				ON CONFLICT (measurement_id) DO NOTHING`, id, db.now(), by)
		} else {
			_, err = tx.ExecContext(ctx, `DELETE FROM measurement_archive WHERE measurement_id = $1`, id)
		}
		if err != nil {
			return fmt.Errorf("postgres: archive %s: %w", id, err)
		}
		return nil
	})
}

// Archive returns the measurement's archive state.
func (db *DB) Archive(ctx context.Context, id string) (fieldwork.ArchiveInfo, error) {
	var a fieldwork.ArchiveInfo
	err := db.db.QueryRowContext(ctx, `SELECT archived_at, archived_by FROM measurement_archive WHERE measurement_id = $1`, id).Scan(&a.At, &a.By)
	if errors.Is(err, sql.ErrNoRows) {
		return fieldwork.ArchiveInfo{}, nil
	}
	if err != nil {
		return a, fmt.Errorf("postgres: archive of %s: %w", id, err)
	}
	a.Archived = true
	a.At = utc(a.At)
	return a, nil
}

// ArchivedMeasurements returns the ids of the archived measurements.
func (db *DB) ArchivedMeasurements(ctx context.Context) (map[string]bool, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT measurement_id FROM measurement_archive`)
	if err != nil {
		return nil, fmt.Errorf("postgres: archived measurements: %w", err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out[id] = true
	}
	return out, rows.Err()
}

// StoredFrameCounts counts the stored frame's units by district code,
// gender and age band (one grouped scan of frame_units).
func (db *DB) StoredFrameCounts(ctx context.Context, measurementID string) (*fieldwork.FrameCounts, error) {
	sum, err := db.Frame(ctx, measurementID)
	if err != nil {
		return nil, err
	}
	c := &fieldwork.FrameCounts{Contacts: sum.Contacts, ByDistrict: map[string]int{}, ByGender: map[string]int{}, ByAgeBand: map[string]int{}}
	rows, err := db.db.QueryContext(ctx, `SELECT district, gender, age_band, count(*) FROM frame_units WHERE measurement_id = $1 GROUP BY 1, 2, 3`, measurementID)
	if err != nil {
		return nil, fmt.Errorf("postgres: frame counts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var d, g, a string
		var n int
		if err := rows.Scan(&d, &g, &a, &n); err != nil {
			return nil, fmt.Errorf("postgres: frame counts: %w", err)
		}
		c.Units += n
		c.ByDistrict[d] += n
		c.ByGender[g] += n
		c.ByAgeBand[a] += n
	}
	return c, rows.Err()
}
