package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"manyi/survey"
	"manyi/survey/internal/storekit"
)

// decodeQuestionnaire parses a stored body, reusing the copy parsed earlier
// for the same sha256: every page view needs the questionnaire, and parsing
// it each time would cost more than the rest of the request. Cached copies
// are shared; callers must not modify them.
func (db *DB) decodeQuestionnaire(sum string, body func() (string, error)) (*survey.Questionnaire, error) {
	if q, ok := db.qcache.Load(sum); ok {
		return q.(*survey.Questionnaire), nil
	}
	b, err := body()
	if err != nil {
		return nil, err
	}
	var q survey.Questionnaire
	if err := json.Unmarshal([]byte(b), &q); err != nil {
		return nil, fmt.Errorf("sqlite: stored questionnaire %s: %w", sum, err)
	}
	got, _ := db.qcache.LoadOrStore(sum, &q)
	return got.(*survey.Questionnaire), nil
}

// SetQuestionnaire stores q for the measurement. While the newest version
// has no answers it is replaced in place; once frozen, a changed q becomes
// version+1, which new responses answer. Storing the same questionnaire
// again changes nothing.
func (db *DB) SetQuestionnaire(ctx context.Context, measurementID string, q *survey.Questionnaire) (int, error) {
	if err := storekit.CheckQuestionnaire(q); err != nil {
		return 0, err
	}
	if m, err := db.Measurement(ctx, measurementID); err == nil {
		if err := storekit.CheckServiceQuestionnaire(m, q); err != nil {
			return 0, err
		}
	}
	body, sum, err := storekit.EncodeQuestionnaire(q)
	if err != nil {
		return 0, err
	}
	var version int
	err = db.write(ctx, func(tx *sql.Tx) error {
		var err error
		version, err = db.setQuestionnaireTx(tx, measurementID, body, sum)
		return err
	})
	if err != nil {
		return 0, err
	}
	return version, nil
}

// setQuestionnaireTx is SetQuestionnaire's write inside tx: replace the
// newest version while it is not frozen, else add the next version.
func (db *DB) setQuestionnaireTx(tx *sql.Tx, measurementID, body, sum string) (int, error) {
	var cur int
	var curSum string
	var frozen sql.NullString
	err := tx.QueryRow(`SELECT version, sha256, frozen_at FROM questionnaire_versions
		WHERE measurement_id = ? ORDER BY version DESC LIMIT 1`, measurementID).Scan(&cur, &curSum, &frozen)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, survey.Errorf(survey.ENOTFOUND, "没有编号为 %s 的测评", "no measurement with id %s", measurementID)
	}
	if err != nil {
		return 0, fmt.Errorf("sqlite: questionnaire of %s: %w", measurementID, err)
	}
	switch {
	case curSum == sum:
		return cur, nil
	case !frozen.Valid:
		if _, err := tx.Exec(`UPDATE questionnaire_versions SET body = ?, sha256 = ? WHERE measurement_id = ? AND version = ?`,
			body, sum, measurementID, cur); err != nil {
			return 0, fmt.Errorf("sqlite: replace questionnaire of %s: %w", measurementID, err)
		}
		return cur, nil
	default:
		if _, err := tx.Exec(`INSERT INTO questionnaire_versions (measurement_id, version, body, sha256, created_at) VALUES (?, ?, ?, ?, ?)`,
			measurementID, cur+1, body, sum, fmtTime(db.now())); err != nil {
			return 0, fmt.Errorf("sqlite: new questionnaire version of %s: %w", measurementID, err)
		}
		return cur + 1, nil
	}
}

// Questionnaire returns one version of a measurement's questionnaire
// (ENOTFOUND). Version 0 means the newest. The questionnaire is shared with
// other callers and must not be modified.
func (db *DB) Questionnaire(ctx context.Context, measurementID string, version int) (*survey.QuestionnaireVersion, error) {
	return db.questionnaireVersion(ctx, db.rdb, measurementID, version)
}

func (db *DB) questionnaireVersion(ctx context.Context, qr querier, measurementID string, version int) (*survey.QuestionnaireVersion, error) {
	var v survey.QuestionnaireVersion
	var sum, created string
	var frozen sql.NullString
	var err error
	if version > 0 {
		err = qr.QueryRowContext(ctx, `SELECT version, sha256, frozen_at, created_at FROM questionnaire_versions
			WHERE measurement_id = ? AND version = ?`, measurementID, version).Scan(&v.Version, &sum, &frozen, &created)
	} else {
		err = qr.QueryRowContext(ctx, `SELECT version, sha256, frozen_at, created_at FROM questionnaire_versions
			WHERE measurement_id = ? ORDER BY version DESC LIMIT 1`, measurementID).Scan(&v.Version, &sum, &frozen, &created)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return nil, survey.Errorf(survey.ENOTFOUND, "测评 %s 没有第 %d 版问卷", "measurement %s has no questionnaire version %d", measurementID, version)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: questionnaire %s v%d: %w", measurementID, version, err)
	}
	v.MeasurementID = measurementID
	v.Frozen = frozen.Valid
	if v.CreatedAt, err = parseTime(created); err != nil {
		return nil, err
	}
	v.Q, err = db.decodeQuestionnaire(sum, func() (string, error) {
		var b string
		err := qr.QueryRowContext(ctx, `SELECT body FROM questionnaire_versions WHERE measurement_id = ? AND version = ?`,
			measurementID, v.Version).Scan(&b)
		return b, err
	})
	if err != nil {
		return nil, err
	}
	return &v, nil
}
