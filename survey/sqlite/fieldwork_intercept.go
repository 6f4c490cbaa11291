package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"manyi/survey"
	"manyi/survey/fieldwork"
	"manyi/survey/internal/storekit"
)

var _ fieldwork.InterceptStore = (*DB)(nil)

// StartIntercept makes an invitation for an intercept interview (marked
// open_link: it is not drawn, so every result counts it as a
// non-probability answer) and starts its response in mode face under the
// interviewer, in one write transaction.
func (db *DB) StartIntercept(ctx context.Context, measurementID, interviewer string) (string, error) {
	if interviewer == "" {
		return "", survey.Errorf(survey.EINVALID, "缺少访员", "the interviewer is missing")
	}
	tok, h := storekit.NewToken()
	err := db.write(ctx, func(stx *sql.Tx) error {
		var status string
		if err := stx.QueryRow(`SELECT status FROM measurements WHERE id = ?`, measurementID).Scan(&status); err == sql.ErrNoRows {
			return survey.Errorf(survey.ENOTFOUND, "没有编号为 %s 的测评", "no measurement with id %s", measurementID)
		} else if err != nil {
			return fmt.Errorf("sqlite: intercept: %w", err)
		}
		if err := storekit.CheckOpen(status); err != nil {
			return err
		}
		now := fmtTime(db.now())
		if _, err := stx.Exec(`INSERT INTO invitations (measurement_id, token_hash, disposition, open_link, created_at, updated_at) VALUES (?, ?, ?, 1, ?, ?)`,
			measurementID, h, DispIssued, now, now); err != nil {
			return fmt.Errorf("sqlite: intercept: %w", err)
		}
		tx := db.wtx(stx)
		l, err := lookupLink(tx, h)
		if err != nil {
			return err
		}
		if err := db.startTx(tx, l, survey.ModeFace, "tablet"); err != nil {
			return err
		}
		if _, err := tx.ExecContext(bg, `UPDATE responses SET interviewer = ?, updated_at = ?, rev = rev + 1 WHERE id = ?`, interviewer, now, l.respID.Int64); err != nil {
			return fmt.Errorf("sqlite: intercept: %w", err)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	return tok, nil
}

// SectorProgress counts the submitted responses of a service measurement
// by the answers to its district and sector items (the newest
// questionnaire's; the items keep their ids across versions).
func (db *DB) SectorProgress(ctx context.Context, measurementID string) (map[string]map[string]int, error) {
	q, _, err := db.latestQuestionnaire(ctx, measurementID)
	if err != nil {
		return nil, err
	}
	si, ds := q.SectorItem(), q.ItemsByRole(survey.RoleDistrict)
	out := map[string]map[string]int{}
	if si == nil || len(ds) == 0 {
		return out, nil
	}
	rows, err := db.rdb.QueryContext(ctx, `SELECT d.value, s.value, count(*) FROM responses r
		JOIN answers s ON s.response_id = r.id AND s.item_id = ?
		JOIN answers d ON d.response_id = r.id AND d.item_id = ?
		WHERE r.measurement_id = ? AND r.status = ? GROUP BY d.value, s.value`, si.ID, ds[0].ID, measurementID, survey.RespSubmitted)
	if err != nil {
		return nil, fmt.Errorf("sqlite: sector progress: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var d, s string
		var n int
		if err := rows.Scan(&d, &s, &n); err != nil {
			return nil, fmt.Errorf("sqlite: sector progress: %w", err)
		}
		if out[d] == nil {
			out[d] = map[string]int{}
		}
		out[d][s] = n
	}
	return out, rows.Err()
}
