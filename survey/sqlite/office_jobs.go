package sqlite

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
		if _, err := tx.Exec(`INSERT INTO office_jobs (`+jobCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			j.ID, j.MeasurementID, j.Kind, j.User, j.Source, j.Phase, j.Done, j.Total, j.ErrZh, j.ErrEn, j.Input, j.Meta, j.Result,
			fmtTime(now), fmtTime(now)); err != nil {
			return fmt.Errorf("sqlite: create job: %w", err)
		}
		return nil
	})
}

func scanJob(row interface{ Scan(...any) error }) (*fieldwork.Job, error) {
	var j fieldwork.Job
	var created, updated string
	if err := row.Scan(&j.ID, &j.MeasurementID, &j.Kind, &j.User, &j.Source, &j.Phase, &j.Done, &j.Total, &j.ErrZh, &j.ErrEn,
		&j.Input, &j.Meta, &j.Result, &created, &updated); err != nil {
		return nil, err
	}
	var err error
	if j.Created, err = parseTime(created); err != nil {
		return nil, err
	}
	if j.Updated, err = parseTime(updated); err != nil {
		return nil, err
	}
	return &j, nil
}

// Job returns one job.
func (db *DB) Job(ctx context.Context, id string) (*fieldwork.Job, error) {
	j, err := scanJob(db.rdb.QueryRowContext(ctx, `SELECT `+jobCols+` FROM office_jobs WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNoJob(id)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: job %s: %w", id, err)
	}
	return j, nil
}

// LatestJob returns the measurement's newest job of a kind.
func (db *DB) LatestJob(ctx context.Context, measurementID, kind string) (*fieldwork.Job, error) {
	j, err := scanJob(db.rdb.QueryRowContext(ctx, `SELECT `+jobCols+` FROM office_jobs WHERE measurement_id = ? AND kind = ?
		ORDER BY created_at DESC, rowid DESC LIMIT 1`, measurementID, kind))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, survey.Errorf(survey.ENOTFOUND, "测评 %s 没有这类工作", "measurement %s has no job of this kind", measurementID)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: latest job of %s: %w", measurementID, err)
	}
	return j, nil
}

// UpdateJob writes a job's state.
func (db *DB) UpdateJob(ctx context.Context, j *fieldwork.Job) error {
	now := db.now()
	return db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.Exec(`UPDATE office_jobs SET phase = ?, done = ?, total = ?, err_zh = ?, err_en = ?, input = ?, meta = ?, result = ?, updated_at = ?
			WHERE id = ?`, j.Phase, j.Done, j.Total, j.ErrZh, j.ErrEn, j.Input, j.Meta, j.Result, fmtTime(now), j.ID)
		if err != nil {
			return fmt.Errorf("sqlite: update job: %w", err)
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
		if _, err := tx.Exec(`UPDATE office_jobs SET done = ?, total = ?, updated_at = ? WHERE id = ?`, done, total, fmtTime(db.now()), id); err != nil {
			return fmt.Errorf("sqlite: job progress: %w", err)
		}
		return nil
	})
}

// DeleteJob forgets a job.
func (db *DB) DeleteJob(ctx context.Context, id string) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.Exec(`DELETE FROM office_jobs WHERE id = ?`, id); err != nil {
			return fmt.Errorf("sqlite: delete job: %w", err)
		}
		return nil
	})
}

// ExpireJobs deletes the jobs not updated since before.
func (db *DB) ExpireJobs(ctx context.Context, before time.Time) (int, error) {
	var n int64
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.Exec(`DELETE FROM office_jobs WHERE updated_at < ?`, fmtTime(before))
		if err != nil {
			return fmt.Errorf("sqlite: expire jobs: %w", err)
		}
		n, _ = res.RowsAffected()
		return nil
	})
	return int(n), err
}
