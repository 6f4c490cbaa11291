package postgres

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"manyi/survey"
	"manyi/survey/internal/storekit"
)

// Invitation dispositions the store sets; fieldwork adds its own later.
const (
	DispIssued  = storekit.DispIssued  // created, not opened yet
	DispStarted = storekit.DispStarted // a response exists
)

// insertRows runs INSERT INTO head VALUES (...), (...) for rows of n
// columns each, in statements of at most 5000 parameters: one round trip
// per statement rather than per row.
func insertRows(ctx context.Context, tx querier, head, tail string, n int, rows [][]any) error {
	per := 5000 / n
	for len(rows) > 0 {
		k := min(per, len(rows))
		var b strings.Builder
		b.WriteString(head)
		b.WriteString(" VALUES ")
		args := make([]any, 0, k*n)
		for i, r := range rows[:k] {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteByte('(')
			for j := range r {
				if j > 0 {
					b.WriteString(", ")
				}
				fmt.Fprintf(&b, "$%d", len(args)+1)
				args = append(args, r[j])
			}
			b.WriteByte(')')
		}
		b.WriteString(tail)
		if _, err := tx.ExecContext(ctx, b.String(), args...); err != nil {
			return err
		}
		rows = rows[k:]
	}
	return nil
}

// CreateInvitations makes n invitations for the measurement and returns
// their tokens. Only the tokens' hashes are stored.
func (db *DB) CreateInvitations(ctx context.Context, measurementID string, n int) ([]string, error) {
	if err := storekit.CheckInvitationCount(n); err != nil {
		return nil, err
	}
	var tokens []string
	err := db.write(ctx, func(tx *sql.Tx) error {
		var one int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM measurements WHERE id = $1`, measurementID).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return storekit.ErrNoMeasurement(measurementID)
		}
		if err != nil {
			return fmt.Errorf("postgres: create invitations: %w", err)
		}
		now := db.now()
		toks := make([]string, n)
		rows := make([][]any, n)
		for i := range toks {
			tok, h := storekit.NewToken()
			toks[i] = tok
			rows[i] = []any{measurementID, h, DispIssued, now, now}
		}
		if err := insertRows(ctx, tx, `INSERT INTO invitations (measurement_id, token_hash, disposition, created_at, updated_at)`, "", 5, rows); err != nil {
			return fmt.Errorf("postgres: create invitations: %w", err)
		}
		tokens = toks
		return nil
	})
	if err != nil {
		return nil, err
	}
	return tokens, nil
}

// sessionQuery reads everything a page view needs about a token in one
// statement, hence one consistent snapshot: the invitation, its
// measurement with its districts and sectors, the response if any with its
// answers and saved pages, and the questionnaire version that applies (the
// response's, else the newest).
var sessionQuery = storekit.Rebind(storekit.SessionQuery(answersCols, `,
		(SELECT coalesce(json_agg(json_build_array(code, name_zh, name_en) ORDER BY position), '[]')::text FROM districts WHERE measurement_id = i.measurement_id),
		CASE WHEN m.kind = '`+survey.KindService+`' THEN (SELECT coalesce(json_agg(json_build_array(code, name_zh, name_en) ORDER BY position), '[]')::text FROM sectors WHERE measurement_id = i.measurement_id) ELSE '[]' END`))

// OpenSession resolves a token to its invitation, measurement, questionnaire
// (the response's version, or the newest when there is no response yet) and
// response (nil when not started). ENOTFOUND for an unknown or malformed
// token, EGONE when the measurement is closed or not open yet. The
// questionnaire is shared with other callers and must not be modified.
func (db *DB) OpenSession(ctx context.Context, token string) (*survey.Session, error) {
	h, ok := storekit.TokenHash(token)
	if !ok {
		return nil, storekit.ErrBadLink()
	}
	var dists, sectors string
	s, sum, err := storekit.ScanSession(dialect, db.db.QueryRowContext(ctx, sessionQuery, h), decodeAnswers, &dists, &sectors)
	if err != nil {
		return nil, err
	}
	m := s.Measurement
	if m.Districts, err = decodePlaces[survey.District](dists); err != nil {
		return nil, fmt.Errorf("postgres: districts of %s: %w", m.ID, err)
	}
	if m.Sectors, err = decodePlaces[survey.Sector](sectors); err != nil {
		return nil, fmt.Errorf("postgres: sectors of %s: %w", m.ID, err)
	}
	s.Q, err = db.decodeQuestionnaire(sum, func() (string, error) {
		var b string
		err := db.db.QueryRowContext(ctx, `SELECT body FROM questionnaire_versions WHERE sha256 = $1 LIMIT 1`, sum).Scan(&b)
		return b, err
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// Secret returns the server secret (for signing links and CSRF tokens),
// creating a random 32-byte one on first use. Every server on the database
// shares it, so a form made by one is accepted by another.
func (db *DB) Secret(ctx context.Context) ([]byte, error) {
	return storekit.Secret(ctx, dialect, db.db, db.write, ctx)
}

// TokenHash returns the hex SHA-256 of a token, the only form in which the
// store keeps it, for callers that must name a link without keeping it.
func TokenHash(tok string) string { return storekit.TokenHashHex(tok) }

// decodePlaces reads districts or sectors from a JSON array of [code,
// name_zh, name_en] triples in their order; nil for none, as the scans of
// readPlaces give.
func decodePlaces[P survey.District | survey.Sector](j string) ([]P, error) {
	var rows [][3]string
	if err := json.Unmarshal([]byte(j), &rows); err != nil {
		return nil, err
	}
	var out []P
	for _, r := range rows {
		out = append(out, P{Code: r[0], Name: survey.Text{Zh: r[1], En: r[2]}})
	}
	return out, nil
}
