package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"manyi/survey"
	"manyi/survey/internal/storekit"
)

// answersCols are two columns of a query over responses r: the answers as
// a JSON array of [item, value] pairs in item and position order, and the
// ids of the saved pages in the order first saved. Two aggregated columns
// cost far less than reading forty rows, which with the driver's
// per-column locking was half the time of a page view.
const answersCols = `(SELECT json_group_array(json_array(item_id, value) ORDER BY item_id, position) FROM answers WHERE response_id = r.id),
		(SELECT json_group_array(page_id ORDER BY id) FROM page_paradata WHERE response_id = r.id)`

// decodeAnswers fills r's answers and saved pages from answersCols.
func decodeAnswers(r *survey.Response, answers, pages string) error {
	vals, err := jsonStrings(answers)
	if err != nil || len(vals)%2 != 0 {
		return fmt.Errorf("sqlite: answers of response %d: malformed %.40q", r.ID, answers)
	}
	r.Answers = make(survey.Answers, len(vals)/2)
	for i := 0; i < len(vals); i += 2 {
		r.Answers[vals[i]] = append(r.Answers[vals[i]], vals[i+1])
	}
	if r.PagesDone, err = jsonStrings(pages); err != nil {
		return fmt.Errorf("sqlite: pages of response %d: malformed %.40q", r.ID, pages)
	}
	return nil
}

// jsonStrings returns the string literals of a JSON text made of arrays
// and strings only (what json_group_array of text yields), in order. It is
// a fifth of the cost of encoding/json here, which matters on every page.
func jsonStrings(s string) ([]string, error) {
	var out []string
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '[', ']', ',', ' ', '\n', '\t', '\r':
			continue
		case '"':
		default:
			return nil, fmt.Errorf("unexpected %q at %d", s[i], i)
		}
		escaped := false
		j := i + 1
		for ; j < len(s) && s[j] != '"'; j++ {
			if s[j] == '\\' {
				escaped = true
				j++
			}
		}
		if j >= len(s) {
			return nil, errors.New("unterminated string")
		}
		if !escaped {
			out = append(out, s[i+1:j])
		} else {
			var v string
			if err := json.Unmarshal([]byte(s[i:j+1]), &v); err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		i = j
	}
	return out, nil
}

// rowQuerier is what a pool's statement cache and a write transaction
// share.
type rowQuerier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// poolQuerier runs queries on a pool through its statement cache.
type poolQuerier struct{ c *stmtCache }

// QueryRowContext runs a cached statement on the pool.
func (p poolQuerier) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return p.c.queryRow(ctx, query, args...)
}

// loadResponse reads one response by id with its answers and the pages
// saved so far, in one statement.
func loadResponse(ctx context.Context, q rowQuerier, id int64) (*survey.Response, error) {
	return storekit.ScanResponse(dialect, q.QueryRowContext(ctx, `SELECT `+storekit.ResponseCols+`, `+answersCols+`
		FROM responses r WHERE r.id = ?`, id), decodeAnswers)
}

// Response returns one response by id (ENOTFOUND).
func (db *DB) Response(ctx context.Context, id int64) (*survey.Response, error) {
	return loadResponse(ctx, poolQuerier{&db.rstmts}, id)
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
	// The questionnaire version that applies: the response's, or the
	// newest, which startTx gives a new response.
	version int64
	sha256  string
	frozen  bool
	// The rest of the invitation, for the session cache; disposition is
	// kept up to date by the writes that change it.
	caseID      string
	disposition string
	invCreated  string
	// sector is the sector fixed by a per-sector open link, "" otherwise.
	sector string
}

func lookupLink(tx cachedTx, h []byte) (*link, error) {
	var l link
	err := tx.QueryRowContext(bg, `SELECT i.id, i.measurement_id, m.status, r.id, r.status, r.version,
			v.version, v.sha256, v.frozen_at IS NOT NULL, i.case_id, i.disposition, i.created_at, i.open_sector
		FROM invitations i JOIN measurements m ON m.id = i.measurement_id
		LEFT JOIN responses r ON r.invitation_id = i.id
		JOIN questionnaire_versions v ON v.measurement_id = i.measurement_id
			AND v.version = coalesce(r.version, (SELECT max(version) FROM questionnaire_versions WHERE measurement_id = i.measurement_id))
		WHERE i.token_hash = ?`, h).Scan(&l.invitationID, &l.measurementID, &l.mStatus, &l.respID, &l.respStatus, &l.respVersion,
		&l.version, &l.sha256, &l.frozen, &l.caseID, &l.disposition, &l.invCreated, &l.sector)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, storekit.ErrBadLink()
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: link: %w", err)
	}
	return &l, nil
}

// startInProgress is the common check of a write to a resident's answers:
// the response must not be finished and the measurement must be open; a
// link without a response gets one (mode web), as StartResponse would.
func (db *DB) startInProgress(tx cachedTx, l *link) error {
	if err := storekit.CheckInProgress(l.respStatus, l.mStatus); err != nil {
		return err
	}
	return db.startTx(tx, l, survey.ModeWeb, "")
}

// startTx creates the response of l (newest questionnaire version) when it
// has none and fills l's response fields.
func (db *DB) startTx(tx cachedTx, l *link, mode, uaClass string) error {
	if l.respID.Valid {
		return nil
	}
	now := fmtTime(db.now())
	var id, version int64
	err := tx.QueryRowContext(bg, `INSERT INTO responses (invitation_id, measurement_id, version, status, mode, ua_class, started_at, updated_at)
		SELECT ?, ?, max(version), ?, ?, ?, ?, ? FROM questionnaire_versions WHERE measurement_id = ?
		ON CONFLICT (invitation_id) DO NOTHING
		RETURNING id, version`,
		l.invitationID, l.measurementID, survey.RespInProgress, mode, uaClass, now, now, l.measurementID).Scan(&id, &version)
	if errors.Is(err, sql.ErrNoRows) {
		// Another process started it since lookupLink: use that one.
		err = tx.QueryRowContext(bg, `SELECT id, version FROM responses WHERE invitation_id = ?`, l.invitationID).Scan(&id, &version)
	}
	if err != nil {
		return fmt.Errorf("sqlite: start response: %w", err)
	}
	if _, err := tx.ExecContext(bg, `UPDATE invitations SET disposition = ?, updated_at = ? WHERE id = ? AND disposition = ?`,
		DispStarted, now, l.invitationID, DispIssued); err != nil {
		return fmt.Errorf("sqlite: start response: %w", err)
	}
	if l.disposition == DispIssued {
		l.disposition = DispStarted
	}
	l.respID = sql.NullInt64{Int64: id, Valid: true}
	l.respStatus = sql.NullString{String: survey.RespInProgress, Valid: true}
	l.respVersion = sql.NullInt64{Int64: version, Valid: true}
	return nil
}

// StartResponse returns the invitation's response, creating it when there
// is none. The UNIQUE invitation id makes two tabs (or two processes) that
// start at once share one response.
func (db *DB) StartResponse(ctx context.Context, token, mode, uaClass string) (*survey.Response, error) {
	mode, err := storekit.ResponseMode(mode)
	if err != nil {
		return nil, err
	}
	h, ok := storekit.TokenHash(token)
	if !ok {
		return nil, storekit.ErrBadLink()
	}
	// A response this process wrote is in the session cache: answer from
	// there without queueing behind the writer. Callers have usually just
	// read the session and found no response, so reading it from the
	// database again would cost a read transaction for nothing; the write
	// below finds an existing response as well.
	s, err := db.cachedOpen(ctx, h)
	if err != nil {
		return nil, err
	}
	if s != nil && s.Response != nil {
		return s.Response, nil
	}
	var id int64
	var resp *survey.Response
	l := new(link)
	err = db.writeThen(ctx, func(stx *sql.Tx) error {
		tx := db.wtx(stx)
		found, err := lookupLink(tx, h)
		if err != nil {
			return err
		}
		*l = *found
		if err := storekit.CheckOpen(l.mStatus); err != nil {
			return err
		}
		if err := db.startTx(tx, l, mode, uaClass); err != nil {
			return err
		}
		id = l.respID.Int64
		// Read back inside the transaction: the writer's connection has
		// the pages in its cache, a reader would have to fetch them again.
		resp, err = loadResponse(bg, tx, id)
		return err
	}, db.cacheSession(h, l, &resp))
	if err != nil {
		return nil, err
	}
	return cloneResponse(resp), nil
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
	// Items without a value are unanswered: not stored.
	type row struct {
		item  string
		pos   int
		value string
	}
	elapsed := p.Elapsed.Milliseconds()
	if elapsed < 0 {
		elapsed = 0
	}
	var id int64
	var resp *survey.Response
	l := new(link)
	err := db.writeThen(ctx, func(stx *sql.Tx) error {
		tx := db.wtx(stx)
		found, err := lookupLink(tx, h)
		if err != nil {
			return err
		}
		*l = *found
		if err := db.startInProgress(tx, l); err != nil {
			return err
		}
		id = l.respID.Int64
		version := l.respVersion.Int64
		if version != l.version {
			return fmt.Errorf("sqlite: save page: response %d answers v%d, link found v%d", id, version, l.version)
		}
		sum := l.sha256
		q, err := db.decodeQuestionnaire(sum, func() (string, error) {
			var b string
			err := tx.QueryRowContext(bg, `SELECT body FROM questionnaire_versions WHERE measurement_id = ? AND version = ?`, l.measurementID, version).Scan(&b)
			return b, err
		})
		if err != nil {
			return err
		}
		storekit.FixSector(q, &p, l.sector)
		if err := storekit.CheckPage(q, &p); err != nil {
			return err
		}
		var rows []row
		for item, vs := range p.Answers {
			for i, v := range vs {
				rows = append(rows, row{item, i, v})
			}
		}
		now := fmtTime(db.now())
		if _, err := tx.ExecContext(bg, `DELETE FROM answers WHERE response_id = ? AND page_id = ?`, id, p.PageID); err != nil {
			return fmt.Errorf("sqlite: save page: %w", err)
		}
		if len(rows) > 0 {
			var b strings.Builder
			args := make([]any, 0, 5*len(rows))
			b.WriteString(`INSERT INTO answers (response_id, item_id, position, page_id, value) VALUES `)
			for i, r := range rows {
				if i > 0 {
					b.WriteString(", ")
				}
				b.WriteString("(?, ?, ?, ?, ?)")
				args = append(args, id, r.item, r.pos, p.PageID, r.value)
			}
			// An item answered before under another page id keeps one row
			// per position: the newest save wins.
			b.WriteString(` ON CONFLICT (response_id, item_id, position) DO UPDATE SET page_id = excluded.page_id, value = excluded.value`)
			if _, err := tx.ExecContext(bg, b.String(), args...); err != nil {
				return fmt.Errorf("sqlite: save page: %w", err)
			}
			if !l.frozen {
				if _, err := tx.ExecContext(bg, `UPDATE questionnaire_versions SET frozen_at = ? WHERE measurement_id = ? AND version = ? AND frozen_at IS NULL`,
					now, l.measurementID, version); err != nil {
					return fmt.Errorf("sqlite: freeze questionnaire: %w", err)
				}
			}
		}
		if _, err := tx.ExecContext(bg, `INSERT INTO page_paradata (response_id, page_id, elapsed_ms, saves, first_saved_at, saved_at)
			VALUES (?, ?, ?, 1, ?, ?)
			ON CONFLICT (response_id, page_id) DO UPDATE SET elapsed_ms = elapsed_ms + excluded.elapsed_ms,
				saves = saves + 1, saved_at = excluded.saved_at`, id, p.PageID, elapsed, now, now); err != nil {
			return fmt.Errorf("sqlite: save page paradata: %w", err)
		}
		if _, err := tx.ExecContext(bg, `UPDATE responses SET current_page = CASE WHEN ? = '' THEN current_page ELSE ? END, updated_at = ?, rev = rev + 1 WHERE id = ?`,
			p.Next, p.Next, now, id); err != nil {
			return fmt.Errorf("sqlite: save page: %w", err)
		}
		// Read back inside the transaction: the writer's connection has
		// the pages in its cache, a reader would have to fetch them again.
		resp, err = loadResponse(bg, tx, id)
		return err
	}, db.cacheSession(h, l, &resp))
	if err != nil {
		return nil, err
	}
	return cloneResponse(resp), nil
}

// Finish ends the response with status (submitted, screened out or quota
// full) and records the time. Finishing again with the same status is a
// no-op; a different status on a finished response is ECONFLICT. A
// response that was never started is started and finished at once (a
// quota that is full before the first page).
func (db *DB) Finish(ctx context.Context, token, status string) (*survey.Response, error) {
	if err := storekit.CheckFinishStatus(status); err != nil {
		return nil, err
	}
	h, ok := storekit.TokenHash(token)
	if !ok {
		return nil, storekit.ErrBadLink()
	}
	var id int64
	var resp *survey.Response
	l := new(link)
	err := db.writeThen(ctx, func(stx *sql.Tx) error {
		tx := db.wtx(stx)
		found, err := lookupLink(tx, h)
		if err != nil {
			return err
		}
		*l = *found
		if l.respStatus.Valid && l.respStatus.String == status {
			resp, err = loadResponse(bg, tx, l.respID.Int64)
			return err
		}
		if err := db.startInProgress(tx, l); err != nil {
			return err
		}
		id = l.respID.Int64
		now := fmtTime(db.now())
		if _, err := tx.ExecContext(bg, `UPDATE responses SET status = ?, submitted_at = ?, updated_at = ?, rev = rev + 1 WHERE id = ?`, status, now, now, id); err != nil {
			return fmt.Errorf("sqlite: finish response: %w", err)
		}
		if _, err := tx.ExecContext(bg, `UPDATE invitations SET disposition = ?, updated_at = ? WHERE id = ?`, status, now, l.invitationID); err != nil {
			return fmt.Errorf("sqlite: finish response: %w", err)
		}
		l.disposition = status
		// Read back inside the transaction: the writer's connection has
		// the pages in its cache, a reader would have to fetch them again.
		resp, err = loadResponse(bg, tx, id)
		return err
	}, db.cacheSession(h, l, &resp))
	if err != nil {
		return nil, err
	}
	return cloneResponse(resp), nil
}

// cloneResponse copies r for a caller: the session cache keeps r itself.
func cloneResponse(r *survey.Response) *survey.Response {
	c := *r
	c.Answers = maps.Clone(r.Answers)
	c.PagesDone = slices.Clone(r.PagesDone)
	return &c
}
