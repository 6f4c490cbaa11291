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
	return storekit.ImportResponses(q, rs, func(batch []survey.ImportedResponse) ([]int64, error) {
		var got []int64
		err := db.write(ctx, func(tx *sql.Tx) error {
			var err error
			got, err = db.importTx(ctx, tx, measurementID, version, q, batch)
			return err
		})
		return got, err
	})
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
		im := storekit.PlanImport(q, &r)
		var submitted sql.NullTime
		if im.Finished {
			submitted = sql.NullTime{Time: im.End.UTC(), Valid: true}
		}
		// The answers, one jsonb value (migration 0180).
		stored := map[string]storedAnswer{}
		for _, pg := range im.Pages {
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
			measurementID, h, im.Disposition, r.StartedAt.UTC(), im.End.UTC(), version, r.Status, r.Mode, r.Interviewer, r.UAClass, submitted, string(answers)).Scan(&id)
		if err != nil {
			return nil, fmt.Errorf("postgres: import response: %w", err)
		}
		ids = append(ids, id)
		for i, pg := range im.Pages {
			pResp, pPage, pMs, pAt = append(pResp, id), append(pPage, pg.ID), append(pMs, r.Elapsed[pg.ID].Milliseconds()), append(pAt, im.Saved[i].UTC())
		}
	}
	if len(pResp) > 0 {
		if _, err := tx.ExecContext(ctx, `INSERT INTO page_paradata (response_id, page_id, elapsed_ms, saves, first_saved_at, saved_at)
			SELECT r, p, e, 1, a, a FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::timestamptz[]) AS t(r, p, e, a)`, pResp, pPage, pMs, pAt); err != nil {
			return nil, fmt.Errorf("postgres: import paradata: %w", err)
		}
	}
	if err := storekit.FreezeVersion(ctx, dialect, tx, measurementID, version, db.now()); err != nil {
		return nil, err
	}
	return ids, nil
}
