package storekit

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"

	"manyi/survey"
	"manyi/survey/setup"
)

// NextRevision checks, inside the caller's write transaction, that the
// measurement exists and is still a draft and that the editor's edit
// started from the newest revision (base < 0: any), and returns that
// newest revision. lock is "" or the dialect's row-lock clause
// (" FOR UPDATE"), which makes two editors saving at once take turns.
func NextRevision(ctx context.Context, d *Dialect, tx Querier, measurementID, lock string, base int) (int, error) {
	var status string
	err := d.QueryRow(ctx, tx, `SELECT status FROM measurements WHERE id = ?`+lock, measurementID).Scan(&status)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, ErrNoMeasurement(measurementID)
	}
	if err != nil {
		return 0, d.Errorf("save revision: %w", err)
	}
	if status != survey.StatusDraft {
		return 0, survey.Errorf(survey.ECONFLICT, "实地执行已开始，问卷已锁定，不能再修改（答案需要保持可比）",
			"fieldwork has opened, so the questionnaire is locked: answers must stay comparable")
	}
	var latest int
	if err := d.QueryRow(ctx, tx, `SELECT coalesce(max(revision), 0) FROM questionnaire_revisions WHERE measurement_id = ?`, measurementID).Scan(&latest); err != nil {
		return 0, d.Errorf("save revision: %w", err)
	}
	if base >= 0 && base != latest {
		return 0, survey.Errorf(survey.ECONFLICT, "问卷已被他人修改（现为第 %d 次保存，您的修改基于第 %d 次），请重新打开后再改",
			"someone else saved the questionnaire meanwhile (save %d; your edit started from save %d): open it again and redo the change", latest, base)
	}
	return latest, nil
}

// InsertRevision stores r (its Rev, Problems, Version, Author, Note and
// CreatedAt set) with q's stored form body and hash sum.
func InsertRevision(ctx context.Context, d *Dialect, tx Querier, r *setup.Revision, body, sum string) error {
	_, err := d.Exec(ctx, tx, `INSERT INTO questionnaire_revisions (measurement_id, revision, body, sha256, problems, version, author, note, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, r.MeasurementID, r.Rev, body, sum, r.Problems, r.Version, r.Author, r.Note, d.TimeArg(r.CreatedAt))
	if err != nil {
		return d.Errorf("save revision: %w", err)
	}
	return nil
}

// Revision returns one editor revision (0: the newest). Without any,
// latest (the adapter's newest stored questionnaire version) is
// revision 0.
func Revision(ctx context.Context, d *Dialect, q Querier, measurementID string, rev int, latest func() (*survey.QuestionnaireVersion, error)) (*setup.Revision, error) {
	r := &setup.Revision{MeasurementID: measurementID}
	var body string
	var row *sql.Row
	const cols = `revision, body, problems, version, author, note, created_at`
	if rev > 0 {
		row = d.QueryRow(ctx, q, `SELECT `+cols+` FROM questionnaire_revisions WHERE measurement_id = ? AND revision = ?`, measurementID, rev)
	} else {
		row = d.QueryRow(ctx, q, `SELECT `+cols+` FROM questionnaire_revisions WHERE measurement_id = ? ORDER BY revision DESC LIMIT 1`, measurementID)
	}
	err := row.Scan(&r.Rev, &body, &r.Problems, &r.Version, &r.Author, &r.Note, d.TimeDest(&r.CreatedAt))
	if errors.Is(err, sql.ErrNoRows) {
		if rev > 0 {
			return nil, survey.Errorf(survey.ENOTFOUND, "测评 %s 没有第 %d 次保存的问卷", "measurement %s has no questionnaire save %d", measurementID, rev)
		}
		v, err := latest()
		if err != nil {
			return nil, err
		}
		return &setup.Revision{MeasurementID: measurementID, Q: setup.Clone(v.Q), Version: v.Version, CreatedAt: v.CreatedAt}, nil
	}
	if err != nil {
		return nil, d.Errorf("revision %s/%d: %w", measurementID, rev, err)
	}
	var qn survey.Questionnaire
	if err := json.Unmarshal([]byte(body), &qn); err != nil {
		return nil, d.Errorf("stored revision %s/%d: %w", measurementID, r.Rev, err)
	}
	r.Q = &qn
	return r, nil
}

// Revisions lists a measurement's editor revisions, newest first, without
// their questionnaires.
func Revisions(ctx context.Context, d *Dialect, q Querier, measurementID string) ([]setup.Revision, error) {
	rows, err := d.Query(ctx, q, `SELECT revision, problems, version, author, note, created_at FROM questionnaire_revisions
		WHERE measurement_id = ? ORDER BY revision DESC`, measurementID)
	return ScanAll(d, "revisions", rows, err, func(sc Scanner) (setup.Revision, error) {
		r := setup.Revision{MeasurementID: measurementID}
		err := sc.Scan(&r.Rev, &r.Problems, &r.Version, &r.Author, &r.Note, d.TimeDest(&r.CreatedAt))
		return r, err
	})
}

// SetupCounts returns the fieldwork figures of the overview checklist;
// tx is a read transaction, so that they come from one snapshot.
func SetupCounts(ctx context.Context, d *Dialect, tx Querier, measurementID string) (*setup.Counts, error) {
	var c setup.Counts
	err := d.QueryRow(ctx, tx, `SELECT count(*), count(*) FILTER (WHERE released),
			count(*) FILTER (WHERE released AND invitation_id IS NOT NULL), count(*) FILTER (WHERE interviewer <> '')
		FROM cases WHERE measurement_id = ?`, measurementID).Scan(&c.Cases, &c.Released, &c.Invited, &c.Assigned)
	if err != nil {
		return nil, d.Errorf("setup counts: %w", err)
	}
	err = d.QueryRow(ctx, tx, `SELECT count(*) FILTER (WHERE status = 'submitted'), count(*) FILTER (WHERE status = 'in_progress')
		FROM responses WHERE measurement_id = ?`, measurementID).Scan(&c.Submitted, &c.InProgress)
	if err != nil {
		return nil, d.Errorf("setup counts: %w", err)
	}
	if err := d.QueryRow(ctx, tx, `SELECT count(*) FROM invitations WHERE measurement_id = ?`, measurementID).Scan(&c.Invitations); err != nil {
		return nil, d.Errorf("setup counts: %w", err)
	}
	return &c, nil
}

// DraftProblems returns the number of problems of the editor's newest
// save (0 when nothing was saved in the editor).
func DraftProblems(ctx context.Context, d *Dialect, q Querier, measurementID string) (int, error) {
	var n int
	err := d.QueryRow(ctx, q, `SELECT problems FROM questionnaire_revisions WHERE measurement_id = ? ORDER BY revision DESC LIMIT 1`, measurementID).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, d.Errorf("draft problems: %w", err)
	}
	return n, nil
}
