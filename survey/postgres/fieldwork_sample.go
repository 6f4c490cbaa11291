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
	"manyi/survey/sampling"
	"manyi/survey/secret"
)

// lockMeasurement takes the measurement's row lock for the rest of tx:
// the office's setup writes of one measurement (frame, sample, release,
// links) then run one at a time whichever server they reach.
func lockMeasurement(ctx context.Context, tx *sql.Tx, id string) error {
	var one int
	err := tx.QueryRowContext(ctx, `SELECT 1 FROM measurements WHERE id = $1 FOR UPDATE`, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return storekit.ErrNoMeasurement(id)
	}
	if err != nil {
		return fmt.Errorf("postgres: lock measurement %s: %w", id, err)
	}
	return nil
}

// SaveSample stores a sample drawn from the measurement's stored frame
// with plan and s.Seed: the sample, one case per drawn unit (reserve
// included, unreleased), and one invitation per main-sample case. A
// measurement has one sample: drawing again is ECONFLICT.
func (db *DB) SaveSample(ctx context.Context, measurementID string, plan sampling.Plan, s *sampling.Sample, f *sampling.Frame, by string) (*fieldwork.SampleInfo, error) {
	planJSON, allocJSON, err := storekit.SampleJSON(dialect, plan, s)
	if err != nil {
		return nil, err
	}
	design := sampling.Weights(s, 0)
	now := db.now()
	err = db.write(ctx, func(tx *sql.Tx) error {
		if err := lockMeasurement(ctx, tx, measurementID); err != nil {
			return err
		}
		if err := storekit.InsertSample(ctx, dialect, tx, measurementID, "complete", s, planJSON, allocJSON, now, by, isConstraint); err != nil {
			return err
		}
		// All cases in one statement (arrays), then one invitation per
		// released case.
		n := len(s.Cases)
		units, strata, dists, secs := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		batches, pos := make([]int64, n), make([]int64, n)
		probs, weights := make([]float64, n), make([]float64, n)
		rel := make([]bool, n)
		for i, c := range s.Cases {
			d := design[i]
			units[i], strata[i], dists[i], secs[i] = c.ID, c.Stratum, f.Units[c.Unit].District, f.Units[c.Unit].Sector
			batches[i], pos[i], probs[i], weights[i], rel[i] = int64(c.Batch), int64(i), d.Prob, d.Weight, d.Released
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO cases (measurement_id, unit_id, stratum, district, sector, batch, position, prob, weight, released, updated_at)
			SELECT $1, u, s, d, sec, b, p, pr, w, false, $2
			FROM unnest($3::text[], $4::text[], $5::text[], $6::int[], $7::int[], $8::float8[], $9::float8[], $10::text[]) AS t(u, s, d, b, p, pr, w, sec)`,
			measurementID, now, units, strata, dists, batches, pos, probs, weights, secs); err != nil {
			return fmt.Errorf("postgres: save cases: %w", err)
		}
		return releaseCases(ctx, tx, measurementID, nil, now)
	})
	if err != nil {
		return nil, err
	}
	return db.Sample(ctx, measurementID)
}

// releaseCases gives every unreleased case of the measurement among ids
// (nil: the main sample, batch 0) an invitation (a random token, thrown
// away: IssueLinks gives the case a link when it is sent) and marks it
// released. The invitation's open_sector is the case's sector, so a
// sector list's resident has the screener's sector fixed, as through a
// sector's open link.
func releaseCases(ctx context.Context, tx *sql.Tx, measurementID string, ids []int64, now time.Time) error {
	cond, args := `batch = 0`, []any{measurementID}
	if ids != nil {
		cond, args = `id = ANY($2::bigint[])`, append(args, ids)
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, unit_id, sector FROM cases WHERE measurement_id = $1 AND NOT released AND `+cond+` ORDER BY position`, args...)
	if err != nil {
		return fmt.Errorf("postgres: release cases: %w", err)
	}
	ids = nil
	var units, secs []string
	for rows.Next() {
		var id int64
		var u, sec string
		if err := rows.Scan(&id, &u, &sec); err != nil {
			rows.Close()
			return fmt.Errorf("postgres: release cases: %w", err)
		}
		ids, units, secs = append(ids, id), append(units, u), append(secs, sec)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("postgres: release cases: %w", err)
	}
	if len(ids) == 0 {
		return nil
	}
	hashes := make([][]byte, len(ids))
	for i := range hashes {
		_, hashes[i] = storekit.NewToken()
	}
	_, err = tx.ExecContext(ctx, `WITH c AS (SELECT * FROM unnest($1::bigint[], $2::text[], $3::bytea[], $7::text[]) AS t(case_id, unit_id, h, sector)),
		i AS (INSERT INTO invitations (measurement_id, token_hash, case_id, disposition, open_sector, created_at, updated_at)
			SELECT $4, h, unit_id, $5, sector, $6, $6 FROM c RETURNING id, token_hash)
		UPDATE cases SET invitation_id = i.id, released = true
		FROM c JOIN i ON i.token_hash = c.h WHERE cases.id = c.case_id`,
		ids, units, hashes, measurementID, DispIssued, now, secs)
	if err != nil {
		return fmt.Errorf("postgres: invitations of cases: %w", err)
	}
	return nil
}

// Sample returns the measurement's sample (ENOTFOUND when none was drawn).
func (db *DB) Sample(ctx context.Context, measurementID string) (*fieldwork.SampleInfo, error) {
	return sampleInfo(ctx, db.db, measurementID)
}

func sampleInfo(ctx context.Context, q querier, measurementID string) (*fieldwork.SampleInfo, error) {
	return storekit.Sample(ctx, dialect, q, measurementID)
}

// ReleaseBatch releases the next reserve batch: its cases get invitations,
// and every released case of the measurement gets the inclusion
// probability and weight of the enlarged design (sampling.Weights). It
// returns the batch released; ECONFLICT when every batch is out already.
func (db *DB) ReleaseBatch(ctx context.Context, measurementID, by string) (int, error) {
	var batch int
	err := db.write(ctx, func(tx *sql.Tx) error {
		if err := lockMeasurement(ctx, tx, measurementID); err != nil {
			return err
		}
		si, err := sampleInfo(ctx, tx, measurementID)
		if err != nil {
			return err
		}
		r, err := storekit.PlanRelease(ctx, dialect, tx, measurementID, si, si.Released, si.Batches)
		if err != nil {
			return err
		}
		if err := applyDesign(ctx, tx, measurementID, r.IDs, r.Design(), db.now()); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE samples SET released = $1 WHERE measurement_id = $2`, r.Batch, measurementID); err != nil {
			return fmt.Errorf("postgres: release batch: %w", err)
		}
		batch = r.Batch
		return nil
	})
	return batch, err
}

// applyDesign gives the released cases of design (ids[i] the case of
// design[i]) their probability and weight, and releases those not yet
// released.
func applyDesign(ctx context.Context, tx *sql.Tx, measurementID string, ids []int64, design []sampling.Design, now time.Time) error {
	var uids []int64
	var probs, weights []float64
	for i, d := range design {
		if d.Released {
			uids, probs, weights = append(uids, ids[i]), append(probs, d.Prob), append(weights, d.Weight)
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE cases SET prob = t.p, weight = t.w
		FROM unnest($1::bigint[], $2::float8[], $3::float8[]) AS t(id, p, w) WHERE cases.id = t.id`, uids, probs, weights); err != nil {
		return fmt.Errorf("postgres: release batch: %w", err)
	}
	if uids == nil {
		uids = []int64{}
	}
	return releaseCases(ctx, tx, measurementID, uids, now)
}

// Cases returns the cases matching f in drawn order.
func (db *DB) Cases(ctx context.Context, f fieldwork.CaseFilter) ([]*fieldwork.Case, error) {
	return storekit.Cases(ctx, dialect, db.db, f)
}

// Case returns one case (ENOTFOUND).
func (db *DB) Case(ctx context.Context, id int64) (*fieldwork.Case, error) {
	return storekit.Case(ctx, dialect, db.db, id)
}

// CaseContact returns the phone number of a case's unit, opened with key;
// "" when the frame had none or it was purged. Never log it.
func (db *DB) CaseContact(ctx context.Context, caseID int64, key *secret.Key) (string, error) {
	return caseContact(ctx, db.db, key, caseID)
}

// SetDisposition records a disposition the office learned outside the
// questionnaire. A complete case cannot be changed by hand (ECONFLICT),
// and complete is only ever set by a submitted response.
func (db *DB) SetDisposition(ctx context.Context, caseID int64, to, by, note string) error {
	if err := storekit.CheckDisposition(to); err != nil {
		return err
	}
	return db.write(ctx, func(tx *sql.Tx) error {
		return storekit.SetCaseDisposition(ctx, dialect, tx, caseID, to, " FOR UPDATE", db.now(), by, note)
	})
}

// CaseHistory returns a case's disposition changes, oldest first.
func (db *DB) CaseHistory(ctx context.Context, caseID int64) ([]fieldwork.DispositionChange, error) {
	return storekit.CaseHistory(ctx, dialect, db.db, caseID)
}

// IssueLinks gives each selected case a new personal link: the
// invitation's token is replaced (a link sent before stops working) and
// the case moves to sent, with a history entry. The tokens are returned
// once and never stored. Cases whose resident opened the link are never
// selected, so a link in use is never replaced.
func (db *DB) IssueLinks(ctx context.Context, measurementID string, sel fieldwork.LinkSelection, key *secret.Key, by string) ([]fieldwork.IssuedLink, error) {
	// FOR UPDATE OF c, i: a resident opening a link meanwhile waits, and
	// is then refused the replaced token, rather than racing the swap.
	q, args, err := storekit.LinkSelect(measurementID, sel, key, `JOIN invitations i ON i.id = c.invitation_id`)
	if err != nil {
		return nil, err
	}
	q = dialect.Dynamic(q + ` FOR UPDATE OF c, i`)
	var out []fieldwork.IssuedLink
	err = db.write(ctx, func(tx *sql.Tx) error {
		if err := lockMeasurement(ctx, tx, measurementID); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, q, args...)
		picks, err := storekit.LinkPicks(dialect, rows, err)
		if err != nil {
			return err
		}
		links, err := storekit.IssueTokens(picks, sel.WithContact, key)
		if err != nil {
			return err
		}
		now := db.now()
		invs := make([]int64, len(picks))
		hashes := make([][]byte, len(picks))
		hcase := make([]int64, len(picks))
		hfrom, hto, hnote := make([]string, len(picks)), make([]string, len(picks)), make([]string, len(picks))
		for i, p := range picks {
			invs[i], hashes[i] = p.Inv, p.Hash
			hcase[i], hfrom[i], hto[i], hnote[i] = p.Link.CaseID, p.Disp, p.To, p.Note
		}
		if len(links) > 0 {
			if _, err := tx.ExecContext(ctx, `UPDATE invitations SET token_hash = t.h, updated_at = $1
				FROM unnest($2::bigint[], $3::bytea[]) AS t(id, h) WHERE invitations.id = t.id`, now, invs, hashes); err != nil {
				return fmt.Errorf("postgres: issue links: %w", err)
			}
			if _, err := tx.ExecContext(ctx, `UPDATE cases SET disposition = $1, updated_at = $2 WHERE id = ANY($3::bigint[]) AND disposition = $4`,
				sampling.DispSent, now, hcase, sampling.DispNotSent); err != nil {
				return fmt.Errorf("postgres: issue links: %w", err)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO case_history (case_id, from_disp, to_disp, at, by, note)
				SELECT c, f, t, $1, $2, n FROM unnest($3::bigint[], $4::text[], $5::text[], $6::text[]) AS x(c, f, t, n)`,
				now, by, hcase, hfrom, hto, hnote); err != nil {
				return fmt.Errorf("postgres: issue links: %w", err)
			}
		}
		out = links
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// AssignCases assigns cases of the measurement to an interviewer (an
// active account with the interviewer role), or unassigns them when
// interviewer is "". It returns how many cases changed.
func (db *DB) AssignCases(ctx context.Context, measurementID string, caseIDs []int64, interviewer string) (int, error) {
	if len(caseIDs) == 0 {
		return 0, nil
	}
	var n int
	err := db.write(ctx, func(tx *sql.Tx) error {
		name := interviewer
		if interviewer != "" {
			var role string
			err := tx.QueryRowContext(ctx, `SELECT role, name FROM users WHERE lower(name) = lower($1) AND disabled_at IS NULL`, interviewer).Scan(&role, &name)
			if errors.Is(err, sql.ErrNoRows) || (err == nil && role != "interviewer") {
				return survey.Errorf(survey.EINVALID, "“%s”不是在用的访员账号", "%q is not an active interviewer account", interviewer)
			}
			if err != nil {
				return fmt.Errorf("postgres: assign cases: %w", err)
			}
		}
		res, err := tx.ExecContext(ctx, `UPDATE cases SET interviewer = $1, updated_at = $2 WHERE measurement_id = $3 AND id = ANY($4::bigint[])`,
			name, db.now(), measurementID, caseIDs)
		if err != nil {
			return fmt.Errorf("postgres: assign cases: %w", err)
		}
		k, err := res.RowsAffected()
		n = int(k)
		return err
	})
	return n, err
}

// loadCaseForInterviewer reads (and locks) what an interviewer's action on
// a case needs, refusing a case assigned to someone else (EFORBIDDEN).
func loadCaseForInterviewer(ctx context.Context, tx *sql.Tx, caseID int64, interviewer string) (measurementID, disposition string, invitation int64, err error) {
	return storekit.CaseForInterviewer(ctx, dialect, tx, caseID, interviewer, " FOR UPDATE")
}

// RecordAttempt records a call attempt by the case's interviewer and moves
// the case's disposition where the outcome settles it (see survey/sqlite's
// RecordAttempt for the rules). A final disposition never changes.
func (db *DB) RecordAttempt(ctx context.Context, a fieldwork.CallAttempt) (*fieldwork.CallAttempt, error) {
	if err := storekit.CheckAttempt(&a); err != nil {
		return nil, err
	}
	if a.CallbackAt != nil {
		t := a.CallbackAt.UTC().Truncate(time.Microsecond)
		a.CallbackAt = &t
	}
	a.At = db.now()
	err := db.write(ctx, func(tx *sql.Tx) error {
		return storekit.RecordAttempt(ctx, dialect, tx, &a, " FOR UPDATE")
	})
	if err != nil {
		return nil, err
	}
	return &a, nil
}

// Attempts returns a case's call attempts, oldest first.
func (db *DB) Attempts(ctx context.Context, caseID int64) ([]fieldwork.CallAttempt, error) {
	return storekit.Attempts(ctx, dialect, db.db, caseID)
}

// StartInterview starts (or resumes) the interview of a case by its
// interviewer in mode phone or face, and returns a fresh token for the
// questionnaire pages. The case's link is replaced, so the resident's SMS
// link can no longer reach the interviewer's answers; a response the
// resident began on the web is taken over. A finished response is
// ECONFLICT.
func (db *DB) StartInterview(ctx context.Context, caseID int64, interviewer, mode string) (string, *survey.Response, error) {
	if err := storekit.CheckInterviewMode(mode); err != nil {
		return "", nil, err
	}
	var token string
	var resp *survey.Response
	err := db.write(ctx, func(tx *sql.Tx) error {
		_, _, inv, err := loadCaseForInterviewer(ctx, tx, caseID, interviewer)
		if err != nil {
			return err
		}
		tok, h := storekit.NewToken()
		now := db.now()
		if _, err := tx.ExecContext(ctx, `UPDATE invitations SET token_hash = $1, updated_at = $2 WHERE id = $3`, h, now, inv); err != nil {
			return fmt.Errorf("postgres: start interview: %w", err)
		}
		l, err := lockLink(ctx, tx, h)
		if err != nil {
			return err
		}
		if err := storekit.CheckOpen(l.mStatus); err != nil {
			return err
		}
		if l.respStatus.Valid && l.respStatus.String != survey.RespInProgress {
			return storekit.ErrFinished(l.respStatus.String)
		}
		if err := db.startTx(ctx, tx, l, mode, ""); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE responses SET mode = $1, interviewer = $2, updated_at = $3, rev = rev + 1 WHERE id = $4`, mode, interviewer, now, l.respID.Int64); err != nil {
			return fmt.Errorf("postgres: start interview: %w", err)
		}
		token = tok
		resp, err = loadResponse(ctx, tx, l.respID.Int64)
		return err
	})
	if err != nil {
		return "", nil, err
	}
	return token, resp, nil
}
