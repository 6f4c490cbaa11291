package storekit

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"sync"
	"time"

	"manyi/survey"
)

// DecodeQuestionnaire parses a stored body (read by body only when
// needed), reusing the copy in cache (sha256 hex → *survey.Questionnaire)
// parsed earlier for the same sha256. Cached copies are shared; callers
// must not modify them.
func DecodeQuestionnaire(d *Dialect, cache *sync.Map, sum string, body func() (string, error)) (*survey.Questionnaire, error) {
	if q, ok := cache.Load(sum); ok {
		return q.(*survey.Questionnaire), nil
	}
	b, err := body()
	if err != nil {
		return nil, err
	}
	var q survey.Questionnaire
	if err := json.Unmarshal([]byte(b), &q); err != nil {
		return nil, d.Errorf("stored questionnaire %s: %w", sum, err)
	}
	got, _ := cache.LoadOrStore(sum, &q)
	return got.(*survey.Questionnaire), nil
}

// SetQuestionnaireTx stores a questionnaire's encoded body and sum for
// the measurement inside the caller's write transaction: it replaces the
// newest version while that is not frozen, else adds the next version
// (created at now), and returns the version. The same sum again changes
// nothing. lock is "" or the dialect's row-lock clause (" FOR UPDATE")
// for the newest version's row.
func SetQuestionnaireTx(ctx context.Context, d *Dialect, tx Querier, measurementID, body, sum, lock string, now time.Time) (int, error) {
	var cur int
	var curSum string
	var frozen any
	err := d.QueryRow(ctx, tx, `SELECT version, sha256, frozen_at FROM questionnaire_versions
		WHERE measurement_id = ? ORDER BY version DESC LIMIT 1`+lock, measurementID).Scan(&cur, &curSum, &frozen)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, ErrNoMeasurement(measurementID)
	}
	if err != nil {
		return 0, d.Errorf("questionnaire of %s: %w", measurementID, err)
	}
	switch {
	case curSum == sum:
		return cur, nil
	case frozen == nil:
		if _, err := d.Exec(ctx, tx, `UPDATE questionnaire_versions SET body = ?, sha256 = ? WHERE measurement_id = ? AND version = ?`,
			body, sum, measurementID, cur); err != nil {
			return 0, d.Errorf("replace questionnaire of %s: %w", measurementID, err)
		}
		return cur, nil
	default:
		if _, err := d.Exec(ctx, tx, `INSERT INTO questionnaire_versions (measurement_id, version, body, sha256, created_at) VALUES (?, ?, ?, ?, ?)`,
			measurementID, cur+1, body, sum, d.TimeArg(now)); err != nil {
			return 0, d.Errorf("new questionnaire version of %s: %w", measurementID, err)
		}
		return cur + 1, nil
	}
}

// QuestionnaireVersion returns one version of a measurement's
// questionnaire (ENOTFOUND), 0 for the newest, with its body parsed by
// decode (the adapter's cached DecodeQuestionnaire).
func QuestionnaireVersion(ctx context.Context, d *Dialect, q Querier, measurementID string, version int, decode func(sum string, body func() (string, error)) (*survey.Questionnaire, error)) (*survey.QuestionnaireVersion, error) {
	var v survey.QuestionnaireVersion
	var sum string
	var frozen any
	var err error
	if version > 0 {
		err = d.QueryRow(ctx, q, `SELECT version, sha256, frozen_at, created_at FROM questionnaire_versions
			WHERE measurement_id = ? AND version = ?`, measurementID, version).Scan(&v.Version, &sum, &frozen, d.TimeDest(&v.CreatedAt))
	} else {
		err = d.QueryRow(ctx, q, `SELECT version, sha256, frozen_at, created_at FROM questionnaire_versions
			WHERE measurement_id = ? ORDER BY version DESC LIMIT 1`, measurementID).Scan(&v.Version, &sum, &frozen, d.TimeDest(&v.CreatedAt))
	}
	if errors.Is(err, sql.ErrNoRows) {
		return nil, survey.Errorf(survey.ENOTFOUND, "测评 %s 没有第 %d 版问卷", "measurement %s has no questionnaire version %d", measurementID, version)
	}
	if err != nil {
		return nil, d.Errorf("questionnaire %s v%d: %w", measurementID, version, err)
	}
	v.MeasurementID = measurementID
	v.Frozen = frozen != nil
	v.Q, err = decode(sum, func() (string, error) {
		var b string
		err := d.QueryRow(ctx, q, `SELECT body FROM questionnaire_versions WHERE measurement_id = ? AND version = ?`,
			measurementID, v.Version).Scan(&b)
		return b, err
	})
	if err != nil {
		return nil, err
	}
	return &v, nil
}
