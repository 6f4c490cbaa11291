package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"manyi/survey"
	"manyi/survey/fieldwork"
)

var _ fieldwork.JobStore = (*DB)(nil)

const jobCols = `id, measurement_id, kind, user_name, source, phase, done, total, err_zh, err_en, input, meta, result, created_at, updated_at`

func errNoJob(id string) error {
	return survey.Errorf(survey.ENOTFOUND, "这项工作已不存在（%s），请重新开始", "this job is gone (%s); start it again", id)
}

// CreateJob stores a new job.
func (db *DB) CreateJob(ctx context.Context, j *fieldwork.Job) error {
	now := db.now()
	j.Created, j.Updated = now, now
	return db.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO office_jobs (`+jobCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
			j.ID, j.MeasurementID, j.Kind, j.User, j.Source, j.Phase, j.Done, j.Total, j.ErrZh, j.ErrEn, j.Input, j.Meta, j.Result,
			now, now); err != nil {
			return fmt.Errorf("postgres: create job: %w", err)
		}
		return nil
	})
}

func scanJob(row interface{ Scan(...any) error }) (*fieldwork.Job, error) {
	var j fieldwork.Job
	if err := row.Scan(&j.ID, &j.MeasurementID, &j.Kind, &j.User, &j.Source, &j.Phase, &j.Done, &j.Total, &j.ErrZh, &j.ErrEn,
		&j.Input, &j.Meta, &j.Result, &j.Created, &j.Updated); err != nil {
		return nil, err
	}
	return &j, nil
}

// Job returns one job.
func (db *DB) Job(ctx context.Context, id string) (*fieldwork.Job, error) {
	j, err := scanJob(db.db.QueryRowContext(ctx, `SELECT `+jobCols+` FROM office_jobs WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNoJob(id)
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: job %s: %w", id, err)
	}
	return j, nil
}

// LatestJob returns the measurement's newest job of a kind.
func (db *DB) LatestJob(ctx context.Context, measurementID, kind string) (*fieldwork.Job, error) {
	j, err := scanJob(db.db.QueryRowContext(ctx, `SELECT `+jobCols+` FROM office_jobs WHERE measurement_id = $1 AND kind = $2
		ORDER BY created_at DESC LIMIT 1`, measurementID, kind))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, survey.Errorf(survey.ENOTFOUND, "测评 %s 没有这类工作", "measurement %s has no job of this kind", measurementID)
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: latest job of %s: %w", measurementID, err)
	}
	return j, nil
}

// UpdateJob writes a job's state.
func (db *DB) UpdateJob(ctx context.Context, j *fieldwork.Job) error {
	now := db.now()
	return db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE office_jobs SET phase = $1, done = $2, total = $3, err_zh = $4, err_en = $5, input = $6, meta = $7, result = $8, updated_at = $9
			WHERE id = $10`, j.Phase, j.Done, j.Total, j.ErrZh, j.ErrEn, j.Input, j.Meta, j.Result, now, j.ID)
		if err != nil {
			return fmt.Errorf("postgres: update job: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errNoJob(j.ID)
		}
		j.Updated = now
		return nil
	})
}

// SetJobProgress writes a job's progress.
func (db *DB) SetJobProgress(ctx context.Context, id string, done, total int64) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE office_jobs SET done = $1, total = $2, updated_at = $3 WHERE id = $4`, done, total, db.now(), id); err != nil {
			return fmt.Errorf("postgres: job progress: %w", err)
		}
		return nil
	})
}

// DeleteJob forgets a job.
func (db *DB) DeleteJob(ctx context.Context, id string) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM office_jobs WHERE id = $1`, id); err != nil {
			return fmt.Errorf("postgres: delete job: %w", err)
		}
		return nil
	})
}

// ExpireJobs deletes the jobs not updated since before.
func (db *DB) ExpireJobs(ctx context.Context, before time.Time) (int, error) {
	var n int64
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM office_jobs WHERE updated_at < $1`, before)
		if err != nil {
			return fmt.Errorf("postgres: expire jobs: %w", err)
		}
		n, _ = res.RowsAffected()
		return nil
	})
	return int(n), err
}
