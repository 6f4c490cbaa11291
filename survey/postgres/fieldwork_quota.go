package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

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
			if _, err := tx.ExecContext(ctx, `INSERT INTO quota_cells (measurement_id, district, cell, target) VALUES ($1, $2, $3, $4)
				ON CONFLICT (measurement_id, district, cell) DO UPDATE SET target = excluded.target`, measurementID, r.District, r.Cell, r.Target); err != nil {
				return fmt.Errorf("postgres: set quota targets: %w", err)
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
		_, err := tx.ExecContext(ctx, `INSERT INTO quota_settings (measurement_id, allow_over) VALUES ($1, $2)
			ON CONFLICT (measurement_id) DO UPDATE SET allow_over = excluded.allow_over`, measurementID, allow)
		return err
	})
}

// allowOverSQL reads whether the measurement's cells may go over their
// targets (for storekit.Quotas).
const allowOverSQL = `SELECT coalesce((SELECT allow_over FROM quota_settings WHERE measurement_id = ?), false)`

// Quotas returns the measurement's quota cells, by district and cell.
func (db *DB) Quotas(ctx context.Context, measurementID string) (*fieldwork.Quotas, error) {
	return storekit.Quotas(ctx, dialect, db.db, measurementID, allowOverSQL, ` COLLATE "C"`)
}

// ClaimQuota is the quota check at the screener, for the response of
// token once its screener page is saved. In one transaction it locks the
// invitation (as every resident write does), works out the resident's
// cell from the answers (gender and age band fall back to the frame's
// values for a sampled case), locks the cell's row (SELECT ... FOR
// UPDATE), and takes a place only if the count is below target or
// over-quota is allowed; otherwise the response ends as quota full in the
// same transaction. Claims from any number of servers on one cell thus
// run one after the other, each seeing the count its predecessor
// committed: a cell never goes over its target. Saving the screener again
// is idempotent; changing the answers moves the place to the new cell.
func (db *DB) ClaimQuota(ctx context.Context, token string) (*fieldwork.QuotaClaim, error) {
	h, ok := storekit.TokenHash(token)
	if !ok {
		return nil, storekit.ErrBadLink()
	}
	var out *fieldwork.QuotaClaim
	err := db.write(ctx, func(tx *sql.Tx) error {
		l, err := lockLink(ctx, tx, h)
		if err != nil {
			return err
		}
		if !l.respID.Valid {
			return survey.Errorf(survey.ECONFLICT, "尚未开始作答", "the response has not been started")
		}
		if l.respStatus.String != survey.RespInProgress {
			return storekit.ErrFinished(l.respStatus.String)
		}
		has, err := storekit.HasQuotaCells(ctx, dialect, tx, l.measurementID)
		if err != nil {
			return err
		}
		if !has {
			out = &fieldwork.QuotaClaim{}
			return nil
		}
		ans, err := storekit.ResponseAnswers(ctx, dialect, tx, l.respID.Int64)
		if err != nil {
			return err
		}
		q, err := db.decodeQuestionnaire(l.sha256, func() (string, error) {
			var b string
			err := tx.QueryRowContext(ctx, `SELECT body FROM questionnaire_versions WHERE measurement_id = $1 AND version = $2`, l.measurementID, l.respVersion.Int64).Scan(&b)
			return b, err
		})
		if err != nil {
			return err
		}
		ds, err := districts(ctx, tx, l.measurementID)
		if err != nil {
			return err
		}
		fGender, fBand, err := storekit.FrameGenderBand(ctx, dialect, tx, l.invitationID)
		if err != nil {
			return err
		}
		district, cell := storekit.QuotaCell(q, ans, ds, fGender, fBand)
		if cell == "" {
			out = &fieldwork.QuotaClaim{}
			return nil
		}
		now := db.now()
		claim, err := claimCell(ctx, tx, l.measurementID, l.respID.Int64, district, cell, now)
		if err != nil {
			return err
		}
		if claim.Full {
			if err := finishTx(ctx, tx, now, l.respID.Int64, l.invitationID, survey.RespQuotaFull); err != nil {
				return err
			}
		}
		out = claim
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// claimCell takes a place in a cell for a response, inside the caller's
// transaction, holding the cell's row lock from the read of its count to
// the increment.
func claimCell(ctx context.Context, tx *sql.Tx, measurementID string, respID int64, district, cell string, now time.Time) (*fieldwork.QuotaClaim, error) {
	claim := &fieldwork.QuotaClaim{Checked: true, District: district, Cell: cell}
	var oldD, oldC string
	err := tx.QueryRowContext(ctx, `SELECT district, cell FROM quota_members WHERE response_id = $1`, respID).Scan(&oldD, &oldC)
	held := err == nil
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("postgres: quota: %w", err)
	}
	var target, count int
	err = tx.QueryRowContext(ctx, `SELECT target, count FROM quota_cells WHERE measurement_id = $1 AND district = $2 AND cell = $3 FOR UPDATE`,
		measurementID, district, cell).Scan(&target, &count)
	if errors.Is(err, sql.ErrNoRows) {
		// No cell for this combination: no quota applies to it.
		return &fieldwork.QuotaClaim{District: district, Cell: cell}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: quota: %w", err)
	}
	switch {
	case held && oldD == district && oldC == cell:
		return claim, nil // the screener saved again: the place is held
	case held:
		// The answers changed: give the old place back first.
		if _, err := tx.ExecContext(ctx, `UPDATE quota_cells SET count = count - 1 WHERE measurement_id = $1 AND district = $2 AND cell = $3 AND count > 0`, measurementID, oldD, oldC); err != nil {
			return nil, fmt.Errorf("postgres: quota: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM quota_members WHERE response_id = $1`, respID); err != nil {
			return nil, fmt.Errorf("postgres: quota: %w", err)
		}
	}
	var allowOver bool
	if err := tx.QueryRowContext(ctx, `SELECT coalesce((SELECT allow_over FROM quota_settings WHERE measurement_id = $1), false)`, measurementID).Scan(&allowOver); err != nil {
		return nil, fmt.Errorf("postgres: quota: %w", err)
	}
	if count >= target && !allowOver {
		claim.Full = true
		return claim, nil
	}
	claim.Over = count >= target
	if _, err := tx.ExecContext(ctx, `UPDATE quota_cells SET count = count + 1 WHERE measurement_id = $1 AND district = $2 AND cell = $3`, measurementID, district, cell); err != nil {
		return nil, fmt.Errorf("postgres: quota: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO quota_members (response_id, measurement_id, district, cell, over, at) VALUES ($1, $2, $3, $4, $5, $6)`,
		respID, measurementID, district, cell, claim.Over, now); err != nil {
		return nil, fmt.Errorf("postgres: quota: %w", err)
	}
	return claim, nil
}
