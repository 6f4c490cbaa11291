package postgres

import (
	"context"
	"database/sql"

	"manyi/survey"
	"manyi/survey/internal/storekit"
	"manyi/survey/setup"
)

var _ setup.Store = (*DB)(nil)

// SaveRevision stores q as the next editor revision of the measurement's
// questionnaire (see setup.Store). A revision without problems also becomes
// the questionnaire residents answer, in the same transaction. The
// measurement's row lock makes two editors saving at once on two servers
// take turns, so the second is refused as based on an old revision.
func (db *DB) SaveRevision(ctx context.Context, measurementID string, q *survey.Questionnaire, author, note string, base int) (*setup.Revision, error) {
	if q == nil {
		return nil, survey.Errorf(survey.EINVALID, "问卷为空", "the questionnaire is missing")
	}
	m, err := db.Measurement(ctx, measurementID)
	if err != nil {
		return nil, err
	}
	problems := len(setup.Problems(m, q))
	body, sum, err := storekit.EncodeQuestionnaire(q)
	if err != nil {
		return nil, err
	}
	r := &setup.Revision{MeasurementID: measurementID, Problems: problems, Author: author, Note: note, CreatedAt: db.now()}
	err = db.write(ctx, func(tx *sql.Tx) error {
		latest, err := storekit.NextRevision(ctx, dialect, tx, measurementID, " FOR UPDATE", base)
		if err != nil {
			return err
		}
		r.Version = 0 // fn may run again
		if problems == 0 {
			if r.Version, err = db.setQuestionnaireTx(ctx, tx, measurementID, body, sum); err != nil {
				return err
			}
		}
		r.Rev = latest + 1
		return storekit.InsertRevision(ctx, dialect, tx, r, body, sum)
	})
	if err != nil {
		return nil, err
	}
	r.Q = q
	return r, nil
}

// Revision returns one editor revision (0: the newest). Without any, the
// newest stored questionnaire version is revision 0.
func (db *DB) Revision(ctx context.Context, measurementID string, rev int) (*setup.Revision, error) {
	return storekit.Revision(ctx, dialect, db.db, measurementID, rev, func() (*survey.QuestionnaireVersion, error) {
		return db.Questionnaire(ctx, measurementID, 0)
	})
}

// Revisions lists a measurement's editor revisions, newest first, without
// their questionnaires.
func (db *DB) Revisions(ctx context.Context, measurementID string) ([]setup.Revision, error) {
	return storekit.Revisions(ctx, dialect, db.db, measurementID)
}

// SetupCounts returns the fieldwork figures of the overview checklist from
// one snapshot.
func (db *DB) SetupCounts(ctx context.Context, measurementID string) (*setup.Counts, error) {
	var c *setup.Counts
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		var err error
		c, err = storekit.SetupCounts(ctx, dialect, tx, measurementID)
		return err
	})
	return c, err
}

// QuestionnaireDraftProblems returns the number of problems of the
// editor's newest save (0 when nothing was saved in the editor), so that
// fieldwork does not open while the questionnaire the office sees has
// problems.
func (db *DB) QuestionnaireDraftProblems(ctx context.Context, measurementID string) (int, error) {
	return storekit.DraftProblems(ctx, dialect, db.db, measurementID)
}
