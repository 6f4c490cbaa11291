package sqlite

import (
	"context"
	"database/sql"

	"manyi/survey/fieldwork"
	"manyi/survey/internal/storekit"
)

// Exclude leaves a submitted response out of the estimates, with a reason.
// The response and its answers stay. A response already excluded is
// ECONFLICT; one that was not submitted is EINVALID.
func (db *DB) Exclude(ctx context.Context, responseID int64, reason, by string) (*fieldwork.Exclusion, error) {
	reason, err := storekit.CheckExclusion(reason, by)
	if err != nil {
		return nil, err
	}
	var id int64
	err = db.write(ctx, func(tx *sql.Tx) error {
		id, err = storekit.Exclude(bg, dialect, tx, responseID, reason, by, db.now(), isConstraint)
		return err
	})
	if err != nil {
		return nil, err
	}
	return storekit.Exclusion(ctx, dialect, db.rdb, id)
}

// Restore reverses the active exclusion of a response (ENOTFOUND when it
// has none), keeping the exclusion on record with who restored it.
func (db *DB) Restore(ctx context.Context, responseID int64, by, note string) (*fieldwork.Exclusion, error) {
	var id int64
	err := db.write(ctx, func(tx *sql.Tx) error {
		var err error
		id, err = storekit.Restore(bg, dialect, tx, responseID, by, note, db.now())
		return err
	})
	if err != nil {
		return nil, err
	}
	return storekit.Exclusion(ctx, dialect, db.rdb, id)
}

// Exclusions returns every exclusion of the measurement's responses,
// reverted ones included, oldest first.
func (db *DB) Exclusions(ctx context.Context, measurementID string) ([]fieldwork.Exclusion, error) {
	return storekit.Exclusions(ctx, dialect, db.rdb, measurementID)
}

// ExcludedResponses returns the ids of the measurement's responses that
// are excluded now: the estimates leave them out.
func (db *DB) ExcludedResponses(ctx context.Context, measurementID string) (map[int64]bool, error) {
	return storekit.ExcludedResponses(ctx, dialect, db.rdb, measurementID)
}

// CompletedResponses returns the measurement's submitted responses with
// their answers and total answering time (the sum of the time on each
// page), in submission order.
func (db *DB) CompletedResponses(ctx context.Context, measurementID string) ([]fieldwork.Completed, error) {
	tx, err := db.rdb.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, dialect.Errorf("completed responses: %w", err)
	}
	defer tx.Rollback()
	return storekit.CompletedResponses(ctx, dialect, tx, measurementID)
}

// progressCases and progressDays are the monitor's queries (for
// storekit.Progress).
const (
	progressCases = `SELECT c.district, c.disposition, ` + lastContactSQL + `, count(*) FROM cases c
		WHERE c.measurement_id = ? AND c.released = 1 GROUP BY 1, 2, 3`
	progressDays = `SELECT mode, substr(submitted_at, 1, 10), count(*) FROM responses
		WHERE measurement_id = ? AND status = 'submitted' GROUP BY mode, substr(submitted_at, 1, 10) ORDER BY 2`
)

// FieldworkProgress gathers the monitor's figures in one read transaction:
// released cases by district and disposition, submitted responses by mode
// and by day, and the quota cells.
func (db *DB) FieldworkProgress(ctx context.Context, measurementID string) (*fieldwork.Progress, error) {
	m, err := db.Measurement(ctx, measurementID)
	if err != nil {
		return nil, err
	}
	p, err := storekit.Progress(ctx, dialect, db.rdb, m, progressCases, progressDays)
	if err != nil {
		return nil, err
	}
	ex, err := db.ExcludedResponses(ctx, measurementID)
	if err != nil {
		return nil, err
	}
	p.Excluded = len(ex)
	if p.Quotas, err = db.Quotas(ctx, measurementID); err != nil {
		return nil, err
	}
	return p, nil
}

// lastContactSQL is storekit.LastContactSQL, the outcome of a case's
// (alias c) latest call attempt that reached anyone.
const lastContactSQL = storekit.LastContactSQL
