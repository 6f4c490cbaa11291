package storekit

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"manyi/survey"
	"manyi/survey/fieldwork"
)

// jobCols are the columns of office_jobs, in ScanJob's order.
const jobCols = `id, measurement_id, kind, user_name, source, phase, done, total, err_zh, err_en, input, meta, result, created_at, updated_at`

// ErrNoJob is the answer for a job that is not (or no longer) stored.
func ErrNoJob(id string) error {
	return survey.Errorf(survey.ENOTFOUND, "这项工作已不存在（%s），请重新开始", "this job is gone (%s); start it again", id)
}

// InsertJob stores a new job, created and updated at now, inside the
// caller's write transaction.
func InsertJob(ctx context.Context, d *Dialect, tx Querier, j *fieldwork.Job, now time.Time) error {
	if _, err := d.Exec(ctx, tx, `INSERT INTO office_jobs (`+jobCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		j.ID, j.MeasurementID, j.Kind, j.User, j.Source, j.Phase, j.Done, j.Total, j.ErrZh, j.ErrEn, j.Input, j.Meta, j.Result,
		d.TimeArg(now), d.TimeArg(now)); err != nil {
		return d.Errorf("create job: %w", err)
	}
	return nil
}

// scanJob reads one office_jobs row (jobCols); timeDest is the scan
// destination of its two times (the adapter's).
func scanJob(row Scanner, timeDest func(*time.Time) any) (*fieldwork.Job, error) {
	var j fieldwork.Job
	if err := row.Scan(&j.ID, &j.MeasurementID, &j.Kind, &j.User, &j.Source, &j.Phase, &j.Done, &j.Total, &j.ErrZh, &j.ErrEn,
		&j.Input, &j.Meta, &j.Result, timeDest(&j.Created), timeDest(&j.Updated)); err != nil {
		return nil, err
	}
	return &j, nil
}

// Job returns one job (ErrNoJob); timeDest as for scanJob.
func Job(ctx context.Context, d *Dialect, q Querier, id string, timeDest func(*time.Time) any) (*fieldwork.Job, error) {
	j, err := scanJob(d.QueryRow(ctx, q, `SELECT `+jobCols+` FROM office_jobs WHERE id = ?`, id), timeDest)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNoJob(id)
	}
	if err != nil {
		return nil, d.Errorf("job %s: %w", id, err)
	}
	return j, nil
}

// LatestJob returns the measurement's newest job of a kind (ENOTFOUND);
// tiebreak is "" or the adapter's ORDER BY term after created_at for jobs
// created at the same time (", rowid DESC"); timeDest as for scanJob.
func LatestJob(ctx context.Context, d *Dialect, q Querier, measurementID, kind, tiebreak string, timeDest func(*time.Time) any) (*fieldwork.Job, error) {
	j, err := scanJob(d.QueryRow(ctx, q, `SELECT `+jobCols+` FROM office_jobs WHERE measurement_id = ? AND kind = ?
		ORDER BY created_at DESC`+tiebreak+` LIMIT 1`, measurementID, kind), timeDest)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, survey.Errorf(survey.ENOTFOUND, "测评 %s 没有这类工作", "measurement %s has no job of this kind", measurementID)
	}
	if err != nil {
		return nil, d.Errorf("latest job of %s: %w", measurementID, err)
	}
	return j, nil
}

// UpdateJob writes a job's state, updated at now, inside the caller's
// write transaction (ErrNoJob when it is gone) and sets j.Updated.
func UpdateJob(ctx context.Context, d *Dialect, tx Querier, j *fieldwork.Job, now time.Time) error {
	res, err := d.Exec(ctx, tx, `UPDATE office_jobs SET phase = ?, done = ?, total = ?, err_zh = ?, err_en = ?, input = ?, meta = ?, result = ?, updated_at = ?
			WHERE id = ?`, j.Phase, j.Done, j.Total, j.ErrZh, j.ErrEn, j.Input, j.Meta, j.Result, d.TimeArg(now), j.ID)
	if err != nil {
		return d.Errorf("update job: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNoJob(j.ID)
	}
	j.Updated = now
	return nil
}

// SetJobProgress writes a job's progress, updated at now, inside the
// caller's write transaction.
func SetJobProgress(ctx context.Context, d *Dialect, tx Querier, id string, done, total int64, now time.Time) error {
	if _, err := d.Exec(ctx, tx, `UPDATE office_jobs SET done = ?, total = ?, updated_at = ? WHERE id = ?`, done, total, d.TimeArg(now), id); err != nil {
		return d.Errorf("job progress: %w", err)
	}
	return nil
}

// DeleteJob forgets a job inside the caller's write transaction.
func DeleteJob(ctx context.Context, d *Dialect, tx Querier, id string) error {
	if _, err := d.Exec(ctx, tx, `DELETE FROM office_jobs WHERE id = ?`, id); err != nil {
		return d.Errorf("delete job: %w", err)
	}
	return nil
}

// ExpireJobs deletes the jobs not updated since before inside the
// caller's write transaction and returns how many went.
func ExpireJobs(ctx context.Context, d *Dialect, tx Querier, before time.Time) (int64, error) {
	res, err := d.Exec(ctx, tx, `DELETE FROM office_jobs WHERE updated_at < ?`, d.TimeArg(before))
	if err != nil {
		return 0, d.Errorf("expire jobs: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}
