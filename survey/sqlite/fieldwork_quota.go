package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"manyi/survey"
	"manyi/survey/fieldwork"
	"manyi/survey/internal/storekit"
)

// SetQuotaTargets sets the targets of the given cells (district code →
// cell key → target), adding cells that do not exist; other cells keep
// theirs. A target below the places already taken is allowed (the cell is
// then full), never negative.
func (db *DB) SetQuotaTargets(ctx context.Context, measurementID string, targets map[string]map[string]int) error {
	m, err := db.Measurement(ctx, measurementID)
	if err != nil {
		return err
	}
	rows, err := storekit.QuotaTargets(m, targets)
	if err != nil {
		return err
	}
	return db.write(ctx, func(tx *sql.Tx) error {
		for _, r := range rows {
			if _, err := tx.Exec(`INSERT INTO quota_cells (measurement_id, district, cell, target) VALUES (?, ?, ?, ?)
				ON CONFLICT (measurement_id, district, cell) DO UPDATE SET target = excluded.target`, measurementID, r.District, r.Cell, r.Target); err != nil {
				return fmt.Errorf("sqlite: set quota targets: %w", err)
			}
		}
		return nil
	})
}

// SetQuotaAllowOver says whether the measurement's cells may go over their
// targets.
func (db *DB) SetQuotaAllowOver(ctx context.Context, measurementID string, allow bool) error {
	if _, err := db.Measurement(ctx, measurementID); err != nil {
		return err
	}
	return db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT INTO quota_settings (measurement_id, allow_over) VALUES (?, ?)
			ON CONFLICT (measurement_id) DO UPDATE SET allow_over = excluded.allow_over`, measurementID, allow)
		return err
	})
}

// allowOverSQL reads whether the measurement's cells may go over their
// targets (for storekit.Quotas).
const allowOverSQL = `SELECT coalesce((SELECT allow_over FROM quota_settings WHERE measurement_id = ?), 0)`

// Quotas returns the measurement's quota cells, by district and cell.
func (db *DB) Quotas(ctx context.Context, measurementID string) (*fieldwork.Quotas, error) {
	return storekit.Quotas(ctx, dialect, db.rdb, measurementID, allowOverSQL, "")
}

// ClaimQuota is the quota check at the screener, for the response of
// token once its screener page is saved. In ONE write transaction it
// works out the resident's cell from the answers (district, gender, age
// or age band by item role; gender and age band fall back to the frame's
// values for a sampled case), reads the cell's count, and takes a place
// only if the count is below target or over-quota is allowed. Otherwise
// the response ends with status quota full, in the same transaction, so
// under any concurrency a cell never goes over its target. Saving the
// screener again is idempotent; changing the answers moves the place to
// the new cell.
func (db *DB) ClaimQuota(ctx context.Context, token string) (*fieldwork.QuotaClaim, error) {
	h, ok := storekit.TokenHash(token)
	if !ok {
		return nil, storekit.ErrBadLink()
	}
	var out *fieldwork.QuotaClaim
	err := db.writeThen(ctx, func(stx *sql.Tx) error {
		tx := db.wtx(stx)
		l, err := lookupLink(tx, h)
		if err != nil {
			return err
		}
		if !l.respID.Valid {
			return survey.Errorf(survey.ECONFLICT, "尚未开始作答", "the response has not been started")
		}
		if l.respStatus.String != survey.RespInProgress {
			return storekit.ErrFinished(l.respStatus.String)
		}
		has, err := storekit.HasQuotaCells(bg, dialect, tx, l.measurementID)
		if err != nil {
			return err
		}
		if !has {
			out = &fieldwork.QuotaClaim{}
			return nil
		}
		ans, err := storekit.ResponseAnswers(bg, dialect, tx, l.respID.Int64)
		if err != nil {
			return err
		}
		var sum string
		if err := tx.QueryRowContext(bg, `SELECT sha256 FROM questionnaire_versions WHERE measurement_id = ? AND version = ?`,
			l.measurementID, l.respVersion.Int64).Scan(&sum); err != nil {
			return fmt.Errorf("sqlite: quota: %w", err)
		}
		q, err := db.decodeQuestionnaire(sum, func() (string, error) {
			var b string
			err := tx.QueryRowContext(bg, `SELECT body FROM questionnaire_versions WHERE measurement_id = ? AND version = ?`, l.measurementID, l.respVersion.Int64).Scan(&b)
			return b, err
		})
		if err != nil {
			return err
		}
		districts, err := db.districts(bg, tx, l.measurementID)
		if err != nil {
			return err
		}
		fGender, fBand, err := storekit.FrameGenderBand(bg, dialect, tx, l.invitationID)
		if err != nil {
			return err
		}
		district, cell := storekit.QuotaCell(q, ans, districts, fGender, fBand)
		if cell == "" {
			out = &fieldwork.QuotaClaim{}
			return nil
		}
		claim, err := claimCell(stx, l.measurementID, l.respID.Int64, district, cell, fmtTime(db.now()))
		if err != nil {
			return err
		}
		if claim.Full {
			now := fmtTime(db.now())
			if _, err := tx.ExecContext(bg, `UPDATE responses SET status = ?, submitted_at = ?, updated_at = ?, rev = rev + 1 WHERE id = ?`,
				survey.RespQuotaFull, now, now, l.respID.Int64); err != nil {
				return fmt.Errorf("sqlite: quota full: %w", err)
			}
			if _, err := tx.ExecContext(bg, `UPDATE invitations SET disposition = ?, updated_at = ? WHERE id = ?`, survey.RespQuotaFull, now, l.invitationID); err != nil {
				return fmt.Errorf("sqlite: quota full: %w", err)
			}
		}
		out = claim
		return nil
	}, db.forgetSession(h))
	if err != nil {
		return nil, err
	}
	return out, nil
}

// claimCell takes a place in a cell for a response, inside the caller's
// write transaction: the read of count and its increment cannot be split
// by another writer.
func claimCell(tx *sql.Tx, measurementID string, respID int64, district, cell, now string) (*fieldwork.QuotaClaim, error) {
	claim := &fieldwork.QuotaClaim{Checked: true, District: district, Cell: cell}
	var target, count int
	err := tx.QueryRow(`SELECT target, count FROM quota_cells WHERE measurement_id = ? AND district = ? AND cell = ?`, measurementID, district, cell).Scan(&target, &count)
	if errors.Is(err, sql.ErrNoRows) {
		// No cell for this combination: no quota applies to it.
		return &fieldwork.QuotaClaim{District: district, Cell: cell}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: quota: %w", err)
	}
	var oldD, oldC string
	err = tx.QueryRow(`SELECT district, cell FROM quota_members WHERE response_id = ?`, respID).Scan(&oldD, &oldC)
	switch {
	case err == nil && oldD == district && oldC == cell:
		return claim, nil // the screener saved again: the place is held
	case err == nil:
		// The answers changed: give the old place back first.
		if _, err := tx.Exec(`UPDATE quota_cells SET count = count - 1 WHERE measurement_id = ? AND district = ? AND cell = ? AND count > 0`, measurementID, oldD, oldC); err != nil {
			return nil, fmt.Errorf("sqlite: quota: %w", err)
		}
		if _, err := tx.Exec(`DELETE FROM quota_members WHERE response_id = ?`, respID); err != nil {
			return nil, fmt.Errorf("sqlite: quota: %w", err)
		}
	case !errors.Is(err, sql.ErrNoRows):
		return nil, fmt.Errorf("sqlite: quota: %w", err)
	}
	var allowOver bool
	if err := tx.QueryRow(`SELECT coalesce((SELECT allow_over FROM quota_settings WHERE measurement_id = ?), 0)`, measurementID).Scan(&allowOver); err != nil {
		return nil, fmt.Errorf("sqlite: quota: %w", err)
	}
	if count >= target && !allowOver {
		claim.Full = true
		return claim, nil
	}
	claim.Over = count >= target
	if _, err := tx.Exec(`UPDATE quota_cells SET count = count + 1 WHERE measurement_id = ? AND district = ? AND cell = ?`, measurementID, district, cell); err != nil {
		return nil, fmt.Errorf("sqlite: quota: %w", err)
	}
	if _, err := tx.Exec(`INSERT INTO quota_members (response_id, measurement_id, district, cell, over, at) VALUES (?, ?, ?, ?, ?, ?)`,
		respID, measurementID, district, cell, claim.Over, now); err != nil {
		return nil, fmt.Errorf("sqlite: quota: %w", err)
	}
	return claim, nil
}
