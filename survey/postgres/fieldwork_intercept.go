package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"manyi/survey"
	"manyi/survey/internal/storekit"
)

// StartIntercept makes an invitation for an intercept interview (marked
// open_link: it is not drawn, so every result counts it as a
// non-probability answer) and starts its response in mode face under the
// interviewer, in one transaction.
func (db *DB) StartIntercept(ctx context.Context, measurementID, interviewer string) (string, error) {
	if interviewer == "" {
		return "", survey.Errorf(survey.EINVALID, "缺少访员", "the interviewer is missing")
	}
	tok, h := storekit.NewToken()
	err := db.write(ctx, func(tx *sql.Tx) error {
		var status string
		err := tx.QueryRowContext(ctx, `SELECT status FROM measurements WHERE id = $1`, measurementID).Scan(&status)
		if errors.Is(err, sql.ErrNoRows) {
			return storekit.ErrNoMeasurement(measurementID)
		}
		if err != nil {
			return fmt.Errorf("postgres: intercept: %w", err)
		}
		if err := storekit.CheckOpen(status); err != nil {
			return err
		}
		now := db.now()
		if _, err := tx.ExecContext(ctx, `INSERT INTO invitations (measurement_id, token_hash, disposition, open_link, created_at, updated_at) VALUES ($1, $2, $3, true, $4, $4)`,
			measurementID, h, DispIssued, now); err != nil {
			return fmt.Errorf("postgres: intercept: %w", err)
		}
		l, err := lockLink(ctx, tx, h)
		if err != nil {
			return err
		}
		if err := db.startTx(ctx, tx, l, survey.ModeFace, "tablet"); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE responses SET interviewer = $1, updated_at = $2, rev = rev + 1 WHERE id = $3`, interviewer, now, l.respID.Int64); err != nil {
			return fmt.Errorf("postgres: intercept: %w", err)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	return tok, nil
}

// SectorProgress counts the submitted responses of a service measurement
// by the answers to its district and sector items (district code → sector
// code → count).
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
	rows, err := db.db.QueryContext(ctx, `SELECT d.value, s.value, count(*) FROM responses r
		JOIN answers s ON s.response_id = r.id AND s.item_id = $1
		JOIN answers d ON d.response_id = r.id AND d.item_id = $2
		WHERE r.measurement_id = $3 AND r.status = $4 GROUP BY d.value, s.value`, si.ID, ds[0].ID, measurementID, survey.RespSubmitted)
	if err != nil {
		return nil, fmt.Errorf("postgres: sector progress: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var d, s string
		var n int
		if err := rows.Scan(&d, &s, &n); err != nil {
			return nil, fmt.Errorf("postgres: sector progress: %w", err)
		}
		if out[d] == nil {
			out[d] = map[string]int{}
		}
		out[d][s] = n
	}
	return out, rows.Err()
}
