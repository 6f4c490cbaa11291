package postgres

import (
	"context"
	"database/sql"
	"fmt"

	"manyi/survey/fieldwork"
	"manyi/survey/internal/storekit"
)

// Exclude leaves a submitted response out of the estimates, with a reason.
// A response already excluded is ECONFLICT; one that was not submitted is
// EINVALID.
func (db *DB) Exclude(ctx context.Context, responseID int64, reason, by string) (*fieldwork.Exclusion, error) {
	reason, err := storekit.CheckExclusion(reason, by)
	if err != nil {
		return nil, err
	}
	var id int64
	err = db.write(ctx, func(tx *sql.Tx) error {
		id, err = storekit.Exclude(ctx, dialect, tx, responseID, reason, by, db.now(), isConstraint)
		return err
	})
	if err != nil {
		return nil, err
	}
	return storekit.Exclusion(ctx, dialect, db.db, id)
}

// Restore reverses the active exclusion of a response (ENOTFOUND when it
// has none), keeping the exclusion on record with who restored it.
func (db *DB) Restore(ctx context.Context, responseID int64, by, note string) (*fieldwork.Exclusion, error) {
	var id int64
	err := db.write(ctx, func(tx *sql.Tx) error {
		var err error
		id, err = storekit.Restore(ctx, dialect, tx, responseID, by, note, db.now())
		return err
	})
	if err != nil {
		return nil, err
	}
	return storekit.Exclusion(ctx, dialect, db.db, id)
}

// Exclusions returns every exclusion of the measurement's responses,
// reverted ones included, oldest first.
func (db *DB) Exclusions(ctx context.Context, measurementID string) ([]fieldwork.Exclusion, error) {
	return storekit.Exclusions(ctx, dialect, db.db, measurementID)
}

// ExcludedResponses returns the ids of the measurement's responses that
// are excluded now: the estimates leave them out.
func (db *DB) ExcludedResponses(ctx context.Context, measurementID string) (map[int64]bool, error) {
	return excludedResponses(ctx, db.db, measurementID)
}

func excludedResponses(ctx context.Context, q querier, measurementID string) (map[int64]bool, error) {
	return storekit.ExcludedResponses(ctx, dialect, q, measurementID)
}

// readTx runs fn in a read-only repeatable-read transaction: every query
// of fn sees one snapshot.
func (db *DB) readTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead})
	if err != nil {
		return fmt.Errorf("postgres: begin read: %w", err)
	}
	defer tx.Rollback()
	return fn(tx)
}

// CompletedResponses returns the measurement's submitted responses with
// their answers and total answering time, in submission order.
func (db *DB) CompletedResponses(ctx context.Context, measurementID string) ([]fieldwork.Completed, error) {
	var out []fieldwork.Completed
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = storekit.CompletedResponses(ctx, dialect, tx, measurementID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// progressCases and progressDays are the monitor's queries (for
// storekit.Progress).
const (
	progressCases = `SELECT c.district, c.disposition, ` + lastContactSQL + `, count(*) FROM cases c
			WHERE c.measurement_id = ? AND c.released GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`
	progressDays = `SELECT mode, to_char(submitted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, count(*) FROM responses
			WHERE measurement_id = ? AND status = 'submitted' GROUP BY mode, day ORDER BY day, mode`
)

// FieldworkProgress gathers the monitor's figures: released cases by
// district and disposition, submitted responses by mode and by day (UTC),
// and the quota cells.
func (db *DB) FieldworkProgress(ctx context.Context, measurementID string) (*fieldwork.Progress, error) {
	m, err := db.Measurement(ctx, measurementID)
	if err != nil {
		return nil, err
	}
	var p *fieldwork.Progress
	err = db.readTx(ctx, func(tx *sql.Tx) error {
		var err error
		if p, err = storekit.Progress(ctx, dialect, tx, m, progressCases, progressDays); err != nil {
			return err
		}
		ex, err := excludedResponses(ctx, tx, measurementID)
		if err != nil {
			return err
		}
		p.Excluded = len(ex)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if p.Quotas, err = db.Quotas(ctx, measurementID); err != nil {
		return nil, err
	}
	return p, nil
}

// lastContactSQL is storekit.LastContactSQL, the outcome of a case's
// (alias c) latest call attempt that reached anyone.
const lastContactSQL = storekit.LastContactSQL
