package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"manyi/survey"
	"manyi/survey/internal/storekit"
)

// ImportResponses stores finished responses in bulk, each behind a new
// invitation of its own (whose token is discarded: nobody can open it),
// with its answers on the pages they belong to and its page paradata, in
// batches of a few hundred per transaction. Every answer must name an item
// of the measurement's newest questionnaire (which it freezes); an unknown
// item, mode or status is EINVALID naming the response's position. It
// returns the stored responses' ids in input order (those of the batches
// written before an error). Answers and paradata are exactly what the
// resident pages would have stored, so every reader treats them alike.
func (db *DB) ImportResponses(ctx context.Context, measurementID string, rs []survey.ImportedResponse) ([]int64, error) {
	q, version, err := db.latestQuestionnaire(ctx, measurementID)
	if err != nil {
		return nil, err
	}
	return storekit.ImportResponses(q, rs, func(batch []survey.ImportedResponse) ([]int64, error) {
		var got []int64
		err := db.write(ctx, func(tx *sql.Tx) error {
			var err error
			got, err = db.importTx(tx, measurementID, version, q, batch)
			return err
		})
		return got, err
	})
}

// importTx writes one batch.
func (db *DB) importTx(tx *sql.Tx, measurementID string, version int, q *survey.Questionnaire, rs []survey.ImportedResponse) ([]int64, error) {
	ids := make([]int64, 0, len(rs))
	inv, err := tx.Prepare(`INSERT INTO invitations (measurement_id, token_hash, disposition, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: import: %w", err)
	}
	defer inv.Close()
	resp, err := tx.Prepare(`INSERT INTO responses (invitation_id, measurement_id, version, status, mode, interviewer, ua_class, current_page, started_at, updated_at, submitted_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, '', ?, ?, ?)`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: import: %w", err)
	}
	defer resp.Close()
	ans, err := tx.Prepare(`INSERT INTO answers (response_id, item_id, position, page_id, value) VALUES (?, ?, ?, ?, ?)`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: import: %w", err)
	}
	defer ans.Close()
	para, err := tx.Prepare(`INSERT INTO page_paradata (response_id, page_id, elapsed_ms, saves, first_saved_at, saved_at) VALUES (?, ?, ?, 1, ?, ?)`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: import: %w", err)
	}
	defer para.Close()
	for _, r := range rs {
		_, h := storekit.NewToken()
		started := fmtTime(r.StartedAt)
		im := storekit.PlanImport(q, &r)
		updated := fmtTime(im.End)
		var submitted any
		if im.Finished {
			submitted = updated
		}
		res, err := inv.Exec(measurementID, h, im.Disposition, started, updated)
		if err != nil {
			return nil, fmt.Errorf("sqlite: import invitation: %w", err)
		}
		invID, err := res.LastInsertId()
		if err != nil {
			return nil, err
		}
		res, err = resp.Exec(invID, measurementID, version, r.Status, r.Mode, r.Interviewer, r.UAClass, started, updated, submitted)
		if err != nil {
			return nil, fmt.Errorf("sqlite: import response: %w", err)
		}
		id, err := res.LastInsertId()
		if err != nil {
			return nil, err
		}
		ids = append(ids, id)
		for i, pg := range im.Pages {
			el := r.Elapsed[pg.ID]
			for _, it := range pg.Items {
				for pos, v := range r.Answers[it.ID] {
					if _, err := ans.Exec(id, it.ID, pos, pg.ID, v); err != nil {
						return nil, fmt.Errorf("sqlite: import answer %s: %w", it.ID, err)
					}
				}
			}
			if _, err := para.Exec(id, pg.ID, el.Milliseconds(), fmtTime(im.Saved[i]), fmtTime(im.Saved[i])); err != nil {
				return nil, fmt.Errorf("sqlite: import paradata: %w", err)
			}
		}
	}
	if err := storekit.FreezeVersion(bg, dialect, tx, measurementID, version, db.now()); err != nil {
		return nil, err
	}
	return ids, nil
}
