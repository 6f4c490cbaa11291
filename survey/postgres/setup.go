package postgres

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

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
		var status string
		err := tx.QueryRowContext(ctx, `SELECT status FROM measurements WHERE id = $1 FOR UPDATE`, measurementID).Scan(&status)
		if errors.Is(err, sql.ErrNoRows) {
			return storekit.ErrNoMeasurement(measurementID)
		}
		if err != nil {
			return fmt.Errorf("postgres: save revision: %w", err)
		}
		if status != survey.StatusDraft {
			return survey.Errorf(survey.ECONFLICT, "实地执行已开始，问卷已锁定，不能再修改（答案需要保持可比）",
				"fieldwork has opened, so the questionnaire is locked: answers must stay comparable")
		}
		var latest int
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(revision), 0) FROM questionnaire_revisions WHERE measurement_id = $1`, measurementID).Scan(&latest); err != nil {
			return fmt.Errorf("postgres: save revision: %w", err)
		}
		if base >= 0 && base != latest {
			return survey.Errorf(survey.ECONFLICT, "问卷已被他人修改（现为第 %d 次保存，您的修改基于第 %d 次），请重新打开后再改",
				"someone else saved the questionnaire meanwhile (save %d; your edit started from save %d): open it again and redo the change", latest, base)
		}
		r.Version = 0
		if problems == 0 {
			if r.Version, err = db.setQuestionnaireTx(ctx, tx, measurementID, body, sum); err != nil {
				return err
			}
		}
		r.Rev = latest + 1
		_, err = tx.ExecContext(ctx, `INSERT INTO questionnaire_revisions (measurement_id, revision, body, sha256, problems, version, author, note, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, measurementID, r.Rev, body, sum, problems, r.Version, author, note, r.CreatedAt)
		if err != nil {
			return fmt.Errorf("postgres: save revision: %w", err)
		}
		return nil
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
	r := &setup.Revision{MeasurementID: measurementID}
	var body string
	var err error
	const cols = `revision, body, problems, version, author, note, created_at`
	if rev > 0 {
		err = db.db.QueryRowContext(ctx, `SELECT `+cols+` FROM questionnaire_revisions WHERE measurement_id = $1 AND revision = $2`, measurementID, rev).
			Scan(&r.Rev, &body, &r.Problems, &r.Version, &r.Author, &r.Note, &r.CreatedAt)
	} else {
		err = db.db.QueryRowContext(ctx, `SELECT `+cols+` FROM questionnaire_revisions WHERE measurement_id = $1 ORDER BY revision DESC LIMIT 1`, measurementID).
			Scan(&r.Rev, &body, &r.Problems, &r.Version, &r.Author, &r.Note, &r.CreatedAt)
	}
	if errors.Is(err, sql.ErrNoRows) {
		if rev > 0 {
			return nil, survey.Errorf(survey.ENOTFOUND, "测评 %s 没有第 %d 次保存的问卷", "measurement %s has no questionnaire save %d", measurementID, rev)
		}
		v, err := db.Questionnaire(ctx, measurementID, 0)
		if err != nil {
			return nil, err
		}
		return &setup.Revision{MeasurementID: measurementID, Q: setup.Clone(v.Q), Version: v.Version, CreatedAt: v.CreatedAt}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: revision %s/%d: %w", measurementID, rev, err)
	}
	var q survey.Questionnaire
	if err := json.Unmarshal([]byte(body), &q); err != nil {
		return nil, fmt.Errorf("postgres: stored revision %s/%d: %w", measurementID, r.Rev, err)
	}
	r.Q = &q
	r.CreatedAt = utc(r.CreatedAt)
	return r, nil
}

// Revisions lists a measurement's editor revisions, newest first, without
// their questionnaires.
func (db *DB) Revisions(ctx context.Context, measurementID string) ([]setup.Revision, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT revision, problems, version, author, note, created_at FROM questionnaire_revisions
		WHERE measurement_id = $1 ORDER BY revision DESC`, measurementID)
	if err != nil {
		return nil, fmt.Errorf("postgres: revisions: %w", err)
	}
	defer rows.Close()
	var rs []setup.Revision
	for rows.Next() {
		r := setup.Revision{MeasurementID: measurementID}
		if err := rows.Scan(&r.Rev, &r.Problems, &r.Version, &r.Author, &r.Note, &r.CreatedAt); err != nil {
			return nil, fmt.Errorf("postgres: revisions: %w", err)
		}
		r.CreatedAt = utc(r.CreatedAt)
		rs = append(rs, r)
	}
	return rs, rows.Err()
}

// SetupCounts returns the fieldwork figures of the overview checklist from
// one snapshot.
func (db *DB) SetupCounts(ctx context.Context, measurementID string) (*setup.Counts, error) {
	var c setup.Counts
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT count(*), count(*) FILTER (WHERE released),
				count(*) FILTER (WHERE released AND invitation_id IS NOT NULL), count(*) FILTER (WHERE interviewer <> '')
			FROM cases WHERE measurement_id = $1`, measurementID).Scan(&c.Cases, &c.Released, &c.Invited, &c.Assigned)
		if err != nil {
			return fmt.Errorf("postgres: setup counts: %w", err)
		}
		err = tx.QueryRowContext(ctx, `SELECT count(*) FILTER (WHERE status = 'submitted'), count(*) FILTER (WHERE status = 'in_progress')
			FROM responses WHERE measurement_id = $1`, measurementID).Scan(&c.Submitted, &c.InProgress)
		if err != nil {
			return fmt.Errorf("postgres: setup counts: %w", err)
		}
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM invitations WHERE measurement_id = $1`, measurementID).Scan(&c.Invitations); err != nil {
			return fmt.Errorf("postgres: setup counts: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// QuestionnaireDraftProblems returns the number of problems of the
// editor's newest save (0 when nothing was saved in the editor), so that
// fieldwork does not open while the questionnaire the office sees has
// problems.
func (db *DB) QuestionnaireDraftProblems(ctx context.Context, measurementID string) (int, error) {
	var n int
	err := db.db.QueryRowContext(ctx, `SELECT problems FROM questionnaire_revisions WHERE measurement_id = $1 ORDER BY revision DESC LIMIT 1`, measurementID).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("postgres: draft problems: %w", err)
	}
	return n, nil
}
