package postgres

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"manyi/survey"
	"manyi/survey/internal/storekit"
)

// importBatch is how many responses one import transaction writes.
const importBatch = 500

// ImportResponses stores finished responses in bulk, each behind a new
// invitation of its own (whose token is discarded), with its answers on
// the pages they belong to and its page paradata, in batches of a few
// hundred per transaction (see survey.ResponseImporter and
// storekit.CheckImported for the rules). It returns the stored responses'
// ids in input order (those of the batches written before an error).
func (db *DB) ImportResponses(ctx context.Context, measurementID string, rs []survey.ImportedResponse) ([]int64, error) {
	q, version, err := db.latestQuestionnaire(ctx, measurementID)
	if err != nil {
		return nil, err
	}
	for i := range rs {
		if err := storekit.CheckImported(q, &rs[i], i+1); err != nil {
			return nil, err
		}
	}
	var ids []int64
	for start := 0; start < len(rs); start += importBatch {
		batch := rs[start:min(start+importBatch, len(rs))]
		var got []int64
		err := db.write(ctx, func(tx *sql.Tx) error {
			var err error
			got, err = db.importTx(ctx, tx, measurementID, version, q, batch)
			return err
		})
		if err != nil {
			return ids, err
		}
		ids = append(ids, got...)
	}
	return ids, nil
}

// importTx writes one batch: an invitation and a response per row (one
// statement each, the answers in the response's row), then all the
// batch's paradata in one statement.
func (db *DB) importTx(ctx context.Context, tx *sql.Tx, measurementID string, version int, q *survey.Questionnaire, rs []survey.ImportedResponse) ([]int64, error) {
	ids := make([]int64, 0, len(rs))
	var pResp, pMs []int64
	var pPage []string
	var pAt []time.Time
	for _, r := range rs {
		_, h := storekit.NewToken()
		pages := q.VisiblePages(r.Answers)
		last := -1
		for i, pg := range pages {
			for _, it := range pg.Items {
				if len(r.Answers[it.ID]) > 0 {
					last = i
				}
			}
		}
		pages = pages[:last+1]
		end := r.SubmittedAt
		if r.Status == survey.RespInProgress {
			end = r.StartedAt
			for _, pg := range pages {
				end = end.Add(r.Elapsed[pg.ID])
			}
		}
		var submitted sql.NullTime
		disp := r.Status
		if r.Status != survey.RespInProgress {
			submitted = sql.NullTime{Time: end.UTC(), Valid: true}
		} else {
			disp = DispStarted
		}
		// The answers, one jsonb value (migration 0180).
		stored := map[string]storedAnswer{}
		for _, pg := range pages {
			for _, it := range pg.Items {
				if vs := r.Answers[it.ID]; len(vs) > 0 {
					stored[it.ID] = storedAnswer{Page: pg.ID, Values: vs}
				}
			}
		}
		answers, err := json.Marshal(stored)
		if err != nil {
			return nil, fmt.Errorf("postgres: import answers: %w", err)
		}
		var id int64
		err = tx.QueryRowContext(ctx, `WITH i AS (INSERT INTO invitations (measurement_id, token_hash, disposition, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5) RETURNING id)
			INSERT INTO responses (invitation_id, measurement_id, version, status, mode, interviewer, ua_class, current_page, started_at, updated_at, submitted_at, answers)
			SELECT i.id, $1, $6, $7, $8, $9, $10, '', $4, $5, $11, $12::jsonb FROM i RETURNING id`,
			measurementID, h, disp, r.StartedAt.UTC(), end.UTC(), version, r.Status, r.Mode, r.Interviewer, r.UAClass, submitted, string(answers)).Scan(&id)
		if err != nil {
			return nil, fmt.Errorf("postgres: import response: %w", err)
		}
		ids = append(ids, id)
		at := r.StartedAt
		for _, pg := range pages {
			el := r.Elapsed[pg.ID]
			at = at.Add(el)
			if at.After(end) {
				at = end
			}
			pResp, pPage, pMs, pAt = append(pResp, id), append(pPage, pg.ID), append(pMs, el.Milliseconds()), append(pAt, at.UTC())
		}
	}
	if len(pResp) > 0 {
		if _, err := tx.ExecContext(ctx, `INSERT INTO page_paradata (response_id, page_id, elapsed_ms, saves, first_saved_at, saved_at)
			SELECT r, p, e, 1, a, a FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::timestamptz[]) AS t(r, p, e, a)`, pResp, pPage, pMs, pAt); err != nil {
			return nil, fmt.Errorf("postgres: import paradata: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE questionnaire_versions SET frozen_at = $1 WHERE measurement_id = $2 AND version = $3 AND frozen_at IS NULL`,
		db.now(), measurementID, version); err != nil {
		return nil, fmt.Errorf("postgres: freeze questionnaire: %w", err)
	}
	return ids, nil
}
