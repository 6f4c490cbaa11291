package postgres

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"manyi/survey"
	"manyi/survey/internal/storekit"
)

// answersCols are two columns of a query over responses r: the answers
// (migration 0180: item id → {"p": page, "v": [values]}) and the ids of
// the saved pages in the order first saved, as a JSON array.
const answersCols = `coalesce(r.answers, '{}')::text,
		(SELECT coalesce(json_agg(page_id ORDER BY id), '[]')::text FROM page_paradata WHERE response_id = r.id)`

// storedAnswer is one item of responses.answers: the page it was saved on
// and its values.
type storedAnswer struct {
	Page   string   `json:"p"`
	Values []string `json:"v"`
}

// decodeAnswers fills r's answers and saved pages from answersCols.
func decodeAnswers(r *survey.Response, answers, pages string) error {
	var stored map[string]storedAnswer
	if err := json.Unmarshal([]byte(answers), &stored); err != nil {
		return fmt.Errorf("postgres: answers of response %d: %w", r.ID, err)
	}
	r.Answers = make(survey.Answers, len(stored))
	for item, a := range stored {
		if len(a.Values) > 0 {
			r.Answers[item] = a.Values
		}
	}
	r.PagesDone = nil
	if err := json.Unmarshal([]byte(pages), &r.PagesDone); err != nil {
		return fmt.Errorf("postgres: pages of response %d: %w", r.ID, err)
	}
	if len(r.PagesDone) == 0 {
		r.PagesDone = nil
	}
	return nil
}

// encodeAnswers is the responses.answers value of one page's answers (the
// items without a value left out).
func encodeAnswers(page string, answers survey.Answers) (string, error) {
	m := make(map[string]storedAnswer, len(answers))
	for item, vs := range answers {
		if len(vs) > 0 {
			m[item] = storedAnswer{Page: page, Values: vs}
		}
	}
	b, err := json.Marshal(m)
	return string(b), err
}

// loadResponse reads one response by id with its answers and the pages
// saved so far, in one statement.
func loadResponse(ctx context.Context, q querier, id int64) (*survey.Response, error) {
	return scanResponse(q.QueryRowContext(ctx, `SELECT `+responseCols+` FROM responses r WHERE r.id = $1`, id))
}

// responseCols are the columns scanResponse reads, of responses r.
const responseCols = storekit.ResponseCols + `, ` + answersCols

// scanResponse reads one row of responseCols (ENOTFOUND for none).
// Columns named in before come first and are scanned into before.
func scanResponse(row *sql.Row, before ...any) (*survey.Response, error) {
	return storekit.ScanResponse(dialect, row, decodeAnswers, before...)
}

// Response returns one response by id (ENOTFOUND).
func (db *DB) Response(ctx context.Context, id int64) (*survey.Response, error) {
	return loadResponse(ctx, db.db, id)
}

// link is what a write needs to know about a token: the invitation, its
// measurement's status and the response, if any.
type link struct {
	invitationID  int64
	measurementID string
	mStatus       string
	respID        sql.NullInt64
	respStatus    sql.NullString
	respVersion   sql.NullInt64
	respMode      sql.NullString
	// The questionnaire version that applies: the response's, or the
	// newest, which startTx gives a new response.
	version     int64
	sha256      string
	frozen      bool
	caseID      string
	disposition string
	// sector is the sector fixed by a per-sector open link, "" otherwise.
	sector string
}

// lockLink locks the invitation of token hash h for the rest of the
// transaction and then reads what the write needs. The lock is what
// serialises writes to one link from several servers: two first pages do
// not make two responses, and a save cannot slip past a submit. It is a
// statement of its own so that the read after it, in a fresh snapshot,
// sees what the lock's previous holder committed.
//
// A link with a response, the common case, takes one statement: it locks
// the invitation and the response rows together, and PostgreSQL reads a
// locked row that changed while it waited again in its newest version
// (READ COMMITTED's re-check of locked rows), so the response's status
// and resume point are those the previous holder committed. The columns
// of the other tables do not change under a resident write (a
// questionnaire version's body is only replaced before its first answer,
// and its frozen flag only turns on).
func lockLink(ctx context.Context, tx *sql.Tx, h []byte) (*link, error) {
	var l link
	err := tx.QueryRowContext(ctx, `SELECT i.id, i.measurement_id, m.status, r.id, r.status, r.version, r.mode,
			v.version, v.sha256, v.frozen_at IS NOT NULL, i.case_id, i.disposition, i.open_sector
		FROM invitations i JOIN measurements m ON m.id = i.measurement_id
		JOIN responses r ON r.invitation_id = i.id
		JOIN questionnaire_versions v ON v.measurement_id = i.measurement_id AND v.version = r.version
		WHERE i.token_hash = $1
		FOR UPDATE OF i, r`, h).Scan(&l.invitationID, &l.measurementID, &l.mStatus, &l.respID, &l.respStatus, &l.respVersion, &l.respMode,
		&l.version, &l.sha256, &l.frozen, &l.caseID, &l.disposition, &l.sector)
	if err == nil {
		return &l, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("postgres: link: %w", err)
	}
	// No response yet (or no such link): lock the invitation alone, then
	// read in a fresh snapshot, which sees a response another server
	// created while this one waited.
	var id int64
	err = tx.QueryRowContext(ctx, `SELECT id FROM invitations WHERE token_hash = $1 FOR UPDATE`, h).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, storekit.ErrBadLink()
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: link: %w", err)
	}
	err = tx.QueryRowContext(ctx, `SELECT i.id, i.measurement_id, m.status, r.id, r.status, r.version, r.mode,
			v.version, v.sha256, v.frozen_at IS NOT NULL, i.case_id, i.disposition, i.open_sector
		FROM invitations i JOIN measurements m ON m.id = i.measurement_id
		LEFT JOIN responses r ON r.invitation_id = i.id
		JOIN questionnaire_versions v ON v.measurement_id = i.measurement_id
			AND v.version = coalesce(r.version, (SELECT max(version) FROM questionnaire_versions WHERE measurement_id = i.measurement_id))
		WHERE i.id = $1`, id).Scan(&l.invitationID, &l.measurementID, &l.mStatus, &l.respID, &l.respStatus, &l.respVersion, &l.respMode,
		&l.version, &l.sha256, &l.frozen, &l.caseID, &l.disposition, &l.sector)
	if err != nil {
		return nil, fmt.Errorf("postgres: link: %w", err)
	}
	return &l, nil
}

// startInProgress is the common check of a write to a resident's answers:
// the response must not be finished and the measurement must be open; a
// link without a response gets one (mode web), as StartResponse would.
func (db *DB) startInProgress(ctx context.Context, tx *sql.Tx, l *link) error {
	if err := storekit.CheckInProgress(l.respStatus, l.mStatus); err != nil {
		return err
	}
	return db.startTx(ctx, tx, l, survey.ModeWeb, "")
}

// startTx creates the response of l (newest questionnaire version) when it
// has none and fills l's response fields.
func (db *DB) startTx(ctx context.Context, tx *sql.Tx, l *link, mode, uaClass string) error {
	if l.respID.Valid {
		return nil
	}
	now := db.now()
	var id, version int64
	err := tx.QueryRowContext(ctx, `INSERT INTO responses (invitation_id, measurement_id, version, status, mode, ua_class, started_at, updated_at)
		SELECT $1, $2, max(version), $3, $4, $5, $6, $6 FROM questionnaire_versions WHERE measurement_id = $2
		ON CONFLICT (invitation_id) DO NOTHING
		RETURNING id, version`,
		l.invitationID, l.measurementID, survey.RespInProgress, mode, uaClass, now).Scan(&id, &version)
	if errors.Is(err, sql.ErrNoRows) {
		err = tx.QueryRowContext(ctx, `SELECT id, version FROM responses WHERE invitation_id = $1`, l.invitationID).Scan(&id, &version)
	}
	if err != nil {
		return fmt.Errorf("postgres: start response: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE invitations SET disposition = $1, updated_at = $2 WHERE id = $3 AND disposition = $4`,
		DispStarted, now, l.invitationID, DispIssued); err != nil {
		return fmt.Errorf("postgres: start response: %w", err)
	}
	if l.disposition == DispIssued {
		l.disposition = DispStarted
	}
	l.respID = sql.NullInt64{Int64: id, Valid: true}
	l.respStatus = sql.NullString{String: survey.RespInProgress, Valid: true}
	l.respVersion = sql.NullInt64{Int64: version, Valid: true}
	l.respMode = sql.NullString{String: mode, Valid: true}
	return nil
}

// StartResponse returns the invitation's response, creating it when there
// is none. The invitation's row lock (and the UNIQUE invitation id behind
// it) makes two servers that start at once share one response.
func (db *DB) StartResponse(ctx context.Context, token, mode, uaClass string) (*survey.Response, error) {
	mode, err := storekit.ResponseMode(mode)
	if err != nil {
		return nil, err
	}
	h, ok := storekit.TokenHash(token)
	if !ok {
		return nil, storekit.ErrBadLink()
	}
	// A started response is only read: one statement, no transaction and
	// no lock (a response, once made, stays; this is the resident's every
	// page view). Only a link without one takes the write below.
	var mStatus string
	var resp *survey.Response
	row := db.db.QueryRowContext(ctx, `SELECT m.status, `+responseCols+`
		FROM invitations i JOIN measurements m ON m.id = i.measurement_id JOIN responses r ON r.invitation_id = i.id
		WHERE i.token_hash = $1`, h)
	resp, err = scanResponse(row, &mStatus)
	switch {
	case err == nil:
		if err := storekit.CheckOpen(mStatus); err != nil {
			return nil, err
		}
		return resp, nil
	case survey.ErrorCode(err) != survey.ENOTFOUND:
		return nil, err
	}
	err = db.write(ctx, func(tx *sql.Tx) error {
		l, err := lockLink(ctx, tx, h)
		if err != nil {
			return err
		}
		if err := storekit.CheckOpen(l.mStatus); err != nil {
			return err
		}
		if err := db.startTx(ctx, tx, l, mode, uaClass); err != nil {
			return err
		}
		resp, err = loadResponse(ctx, tx, l.respID.Int64)
		return err
	})
	if err != nil {
		return nil, err
	}
	return resp, nil
}

// SavePage stores one page's answers, its paradata and the resume point in
// one transaction: the page's earlier answers are replaced, its time on
// page is added up and its save count incremented. A response that does
// not exist yet is started (mode web). Saving to a finished response is
// ECONFLICT and changes nothing; a closed measurement is EGONE. The first
// answer stored freezes the questionnaire version.
func (db *DB) SavePage(ctx context.Context, token string, p survey.PageSave) (*survey.Response, error) {
	h, ok := storekit.TokenHash(token)
	if !ok {
		return nil, storekit.ErrBadLink()
	}
	if err := storekit.CheckPageID(&p); err != nil {
		return nil, err
	}
	elapsed := max(p.Elapsed.Milliseconds(), 0)
	var resp *survey.Response
	err := db.write(ctx, func(tx *sql.Tx) error {
		l, err := lockLink(ctx, tx, h)
		if err != nil {
			return err
		}
		if err := db.startInProgress(ctx, tx, l); err != nil {
			return err
		}
		id := l.respID.Int64
		version := l.respVersion.Int64
		if version != l.version {
			return fmt.Errorf("postgres: save page: response %d answers v%d, link found v%d", id, version, l.version)
		}
		q, err := db.decodeQuestionnaire(l.sha256, func() (string, error) {
			var b string
			err := tx.QueryRowContext(ctx, `SELECT body FROM questionnaire_versions WHERE measurement_id = $1 AND version = $2`, l.measurementID, version).Scan(&b)
			return b, err
		})
		if err != nil {
			return err
		}
		storekit.FixSector(q, &p, l.sector)
		if err := storekit.CheckPage(q, &p); err != nil {
			return err
		}
		page, err := encodeAnswers(p.PageID, p.Answers)
		if err != nil {
			return fmt.Errorf("postgres: save page: %w", err)
		}
		now := db.now()
		if page != "{}" && !l.frozen {
			if _, err := tx.ExecContext(ctx, `UPDATE questionnaire_versions SET frozen_at = $1 WHERE measurement_id = $2 AND version = $3 AND frozen_at IS NULL`,
				now, l.measurementID, version); err != nil {
				return fmt.Errorf("postgres: freeze questionnaire: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO page_paradata (response_id, page_id, elapsed_ms, saves, first_saved_at, saved_at)
			VALUES ($1, $2, $3, 1, $4, $4)
			ON CONFLICT (response_id, page_id) DO UPDATE SET elapsed_ms = page_paradata.elapsed_ms + excluded.elapsed_ms,
				saves = page_paradata.saves + 1, saved_at = excluded.saved_at`, id, p.PageID, elapsed, now); err != nil {
			return fmt.Errorf("postgres: save page paradata: %w", err)
		}
		// The answers, the resume point and the response as saved, in one
		// statement (its subquery sees the paradata above): the page's
		// earlier answers go, and its new ones replace any of the same
		// items saved before.
		resp, err = scanResponse(tx.QueryRowContext(ctx, `UPDATE responses r SET
				answers = (SELECT coalesce(jsonb_object_agg(a.key, a.value), '{}') FROM jsonb_each(r.answers) a WHERE a.value ->> 'p' <> $4) || $5::jsonb,
				current_page = CASE WHEN $1 = '' THEN r.current_page ELSE $1 END, updated_at = $2, rev = r.rev + 1
			WHERE r.id = $3 RETURNING `+responseCols, p.Next, now, id, p.PageID, page))
		return err
	})
	if err != nil {
		return nil, err
	}
	return resp, nil
}

// Finish ends the response with status (submitted, screened out or quota
// full) and records the time. Finishing again with the same status is a
// no-op; a different status on a finished response is ECONFLICT. A
// response that was never started is started and finished at once.
func (db *DB) Finish(ctx context.Context, token, status string) (*survey.Response, error) {
	if err := storekit.CheckFinishStatus(status); err != nil {
		return nil, err
	}
	h, ok := storekit.TokenHash(token)
	if !ok {
		return nil, storekit.ErrBadLink()
	}
	var resp *survey.Response
	err := db.write(ctx, func(tx *sql.Tx) error {
		l, err := lockLink(ctx, tx, h)
		if err != nil {
			return err
		}
		if l.respStatus.Valid && l.respStatus.String == status {
			resp, err = loadResponse(ctx, tx, l.respID.Int64)
			return err
		}
		if err := db.startInProgress(ctx, tx, l); err != nil {
			return err
		}
		id := l.respID.Int64
		if err := finishTx(ctx, tx, db.now(), id, l.invitationID, status); err != nil {
			return err
		}
		resp, err = loadResponse(ctx, tx, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return resp, nil
}

// finishTx ends response id of invitation inv with status.
func finishTx(ctx context.Context, tx *sql.Tx, now time.Time, id, inv int64, status string) error {
	if _, err := tx.ExecContext(ctx, `UPDATE responses SET status = $1, submitted_at = $2, updated_at = $2, rev = rev + 1 WHERE id = $3`, status, now, id); err != nil {
		return fmt.Errorf("postgres: finish response: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE invitations SET disposition = $1, updated_at = $2 WHERE id = $3`, status, now, inv); err != nil {
		return fmt.Errorf("postgres: finish response: %w", err)
	}
	return nil
}
