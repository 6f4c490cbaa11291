package postgres

import (
	"context"
	"database/sql"
	"time"

	"manyi/survey/fieldwork"
	"manyi/survey/internal/storekit"
)

var _ fieldwork.JobStore = (*DB)(nil)

// jobTime is how a job's times are read: in UTC, as every other time.
func jobTime(t *time.Time) any { return dialect.TimeDest(t) }

// CreateJob stores a new job.
func (db *DB) CreateJob(ctx context.Context, j *fieldwork.Job) error {
	now := db.now()
	j.Created, j.Updated = now, now
	return db.write(ctx, func(tx *sql.Tx) error {
		return storekit.InsertJob(ctx, dialect, tx, j, now)
	})
}

// Job returns one job.
func (db *DB) Job(ctx context.Context, id string) (*fieldwork.Job, error) {
	return storekit.Job(ctx, dialect, db.db, id, jobTime)
}

// LatestJob returns the measurement's newest job of a kind.
func (db *DB) LatestJob(ctx context.Context, measurementID, kind string) (*fieldwork.Job, error) {
	return storekit.LatestJob(ctx, dialect, db.db, measurementID, kind, "", jobTime)
}

// UpdateJob writes a job's state.
func (db *DB) UpdateJob(ctx context.Context, j *fieldwork.Job) error {
	now := db.now()
	return db.write(ctx, func(tx *sql.Tx) error {
		return storekit.UpdateJob(ctx, dialect, tx, j, now)
	})
}

// SetJobProgress writes a job's progress.
func (db *DB) SetJobProgress(ctx context.Context, id string, done, total int64) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		return storekit.SetJobProgress(ctx, dialect, tx, id, done, total, db.now())
	})
}

// DeleteJob forgets a job.
func (db *DB) DeleteJob(ctx context.Context, id string) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		return storekit.DeleteJob(ctx, dialect, tx, id)
	})
}

// ExpireJobs deletes the jobs not updated since before.
func (db *DB) ExpireJobs(ctx context.Context, before time.Time) (int, error) {
	var n int64
	err := db.write(ctx, func(tx *sql.Tx) error {
		var err error
		n, err = storekit.ExpireJobs(ctx, dialect, tx, before)
		return err
	})
	return int(n), err
}
