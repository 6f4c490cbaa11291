package sqlite

import (
	"context"
	"database/sql"

	"manyi/survey"
	"manyi/survey/internal/storekit"
)

// decodeQuestionnaire parses a stored body, reusing the copy parsed earlier
// for the same sha256: every page view needs the questionnaire, and parsing
// it each time would cost more than the rest of the request. Cached copies
// are shared; callers must not modify them.
func (db *DB) decodeQuestionnaire(sum string, body func() (string, error)) (*survey.Questionnaire, error) {
	return storekit.DecodeQuestionnaire(dialect, &db.qcache, sum, body)
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
	return storekit.SetQuestionnaireTx(bg, dialect, tx, measurementID, body, sum, "", db.now())
}

// Questionnaire returns one version of a measurement's questionnaire
// (ENOTFOUND). Version 0 means the newest. The questionnaire is shared with
// other callers and must not be modified.
func (db *DB) Questionnaire(ctx context.Context, measurementID string, version int) (*survey.QuestionnaireVersion, error) {
	return db.questionnaireVersion(ctx, db.rdb, measurementID, version)
}

func (db *DB) questionnaireVersion(ctx context.Context, qr querier, measurementID string, version int) (*survey.QuestionnaireVersion, error) {
	return storekit.QuestionnaireVersion(ctx, dialect, qr, measurementID, version, db.decodeQuestionnaire)
}
