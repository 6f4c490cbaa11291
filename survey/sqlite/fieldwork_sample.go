package sqlite

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

// SaveSample stores a sample drawn from the measurement's stored frame
// (LoadFrame) with plan and s.Seed: the sample, one case per drawn unit
// (reserve included, unreleased), and one invitation per main-sample case.
// A measurement has one sample: drawing again is ECONFLICT. The
// invitations' tokens are not kept (only their hashes ever are); links are
// issued later by IssueLinks or StartInterview, which replace the token.
func (db *DB) SaveSample(ctx context.Context, measurementID string, plan sampling.Plan, s *sampling.Sample, f *sampling.Frame, by string) (*fieldwork.SampleInfo, error) {
	planJSON, allocJSON, err := storekit.SampleJSON(dialect, plan, s)
	if err != nil {
		return nil, err
	}
	design := sampling.Weights(s, 0)
	at := db.now()
	now := fmtTime(at)
	err = db.write(ctx, func(tx *sql.Tx) error {
		if err := storekit.InsertSample(bg, dialect, tx, measurementID, "complete = 1", s, planJSON, allocJSON, at, by, isConstraint); err != nil {
			return err
		}
		cst, err := tx.Prepare(`INSERT INTO cases (measurement_id, unit_id, stratum, district, sector, batch, position, prob, weight, released, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer cst.Close()
		for i, c := range s.Cases {
			d := design[i]
			u := &f.Units[c.Unit]
			rel := 0
			if d.Released {
				rel = 1
			}
			res, err := cst.Exec(measurementID, c.ID, c.Stratum, u.District, u.Sector, c.Batch, i, d.Prob, d.Weight, rel, now)
			if err != nil {
				return fmt.Errorf("sqlite: save case %s: %w", c.ID, err)
			}
			if d.Released {
				id, err := res.LastInsertId()
				if err != nil {
					return err
				}
				if err := releaseCase(tx, measurementID, id, c.ID, now); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return db.Sample(ctx, measurementID)
}

// releaseCase creates the invitation of a case. Its token is random and
// thrown away: IssueLinks gives the case a link when it is sent. The
// invitation's open_sector is the case's sector, so a sector list's
// resident has the screener's sector fixed, as through a sector's open
// link.
func releaseCase(tx *sql.Tx, measurementID string, caseID int64, unitID, now string) error {
	_, h := storekit.NewToken()
	var inv int64
	err := tx.QueryRow(`INSERT INTO invitations (measurement_id, token_hash, case_id, disposition, open_sector, created_at, updated_at)
		VALUES (?, ?, ?, ?, (SELECT sector FROM cases WHERE id = ?), ?, ?) RETURNING id`, measurementID, h, unitID, DispIssued, caseID, now, now).Scan(&inv)
	if err != nil {
		return fmt.Errorf("sqlite: invitation of case %s: %w", unitID, err)
	}
	if _, err := tx.Exec(`UPDATE cases SET invitation_id = ?, released = 1 WHERE id = ?`, inv, caseID); err != nil {
		return fmt.Errorf("sqlite: invitation of case %s: %w", unitID, err)
	}
	return nil
}

// Sample returns the measurement's sample (ENOTFOUND when none was drawn).
func (db *DB) Sample(ctx context.Context, measurementID string) (*fieldwork.SampleInfo, error) {
	return storekit.Sample(ctx, dialect, db.rdb, measurementID)
}

// ReleaseBatch releases the next reserve batch: its cases get invitations,
// and every released case of the measurement gets the inclusion probability
// and weight of the enlarged design (sampling.Weights). It returns the
// batch released; ECONFLICT when every batch is out already.
func (db *DB) ReleaseBatch(ctx context.Context, measurementID, by string) (int, error) {
	si, err := db.Sample(ctx, measurementID)
	if err != nil {
		return 0, err
	}
	var batch int
	err = db.write(ctx, func(tx *sql.Tx) error {
		var released, batches int
		if err := tx.QueryRow(`SELECT released, batches FROM samples WHERE measurement_id = ?`, measurementID).Scan(&released, &batches); err != nil {
			return fmt.Errorf("sqlite: release batch: %w", err)
		}
		r, err := storekit.PlanRelease(bg, dialect, tx, measurementID, si, released, batches)
		if err != nil {
			return err
		}
		if err := applyDesign(tx, measurementID, r, fmtTime(db.now())); err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE samples SET released = ? WHERE measurement_id = ?`, r.Batch, measurementID); err != nil {
			return fmt.Errorf("sqlite: release batch: %w", err)
		}
		batch = r.Batch
		return nil
	})
	return batch, err
}

// applyDesign gives the released cases of r's design their probability
// and weight, and releases those not yet released.
func applyDesign(tx *sql.Tx, measurementID string, r *storekit.Release, now string) error {
	for i, d := range r.Design() {
		if !d.Released {
			continue
		}
		if _, err := tx.Exec(`UPDATE cases SET prob = ?, weight = ? WHERE id = ?`, d.Prob, d.Weight, r.IDs[i]); err != nil {
			return fmt.Errorf("sqlite: release batch: %w", err)
		}
		if !r.Released[i] {
			if err := releaseCase(tx, measurementID, r.IDs[i], r.Sample.Cases[i].ID, now); err != nil {
				return err
			}
		}
	}
	return nil
}

// Cases returns the cases matching f in drawn order.
func (db *DB) Cases(ctx context.Context, f fieldwork.CaseFilter) ([]*fieldwork.Case, error) {
	return storekit.Cases(ctx, dialect, db.rdb, f)
}

// Case returns one case (ENOTFOUND).
func (db *DB) Case(ctx context.Context, id int64) (*fieldwork.Case, error) {
	return storekit.Case(ctx, dialect, db.rdb, id)
}

// CaseContact returns the phone number of a case's unit, opened with key;
// "" when the frame had none or it was purged. It is for the interviewer's
// screen and the SMS export only: never log it.
func (db *DB) CaseContact(ctx context.Context, caseID int64, key *secret.Key) (string, error) {
	return caseContact(ctx, db.rdb, key, caseID)
}

// setDisposition moves a case to disposition to and records the change
// (storekit.SetDisposition).
func setDisposition(tx *sql.Tx, caseID int64, from, to string, at time.Time, by, note string) error {
	return storekit.SetDisposition(bg, dialect, tx, caseID, from, to, at, by, note)
}

// SetDisposition records a disposition the office learned outside the
// questionnaire: an SMS that bounced (unreachable), a refusal by letter, an
// invitation sent by another channel. A complete case cannot be changed
// by hand (ECONFLICT), and complete is only ever set by a submitted
// response.
func (db *DB) SetDisposition(ctx context.Context, caseID int64, to, by, note string) error {
	if err := storekit.CheckDisposition(to); err != nil {
		return err
	}
	return db.write(ctx, func(tx *sql.Tx) error {
		return storekit.SetCaseDisposition(bg, dialect, tx, caseID, to, "", db.now(), by, note)
	})
}

// CaseHistory returns a case's disposition changes, oldest first.
func (db *DB) CaseHistory(ctx context.Context, caseID int64) ([]fieldwork.DispositionChange, error) {
	return storekit.CaseHistory(ctx, dialect, db.rdb, caseID)
}

// IssueLinks gives each selected case a new personal link: the
// invitation's token is replaced (a link sent before stops working) and
// the case moves to sent, with a history entry. The tokens are returned
// once and never stored. Cases whose resident opened the link are never
// selected, so a link in use is never replaced.
func (db *DB) IssueLinks(ctx context.Context, measurementID string, sel fieldwork.LinkSelection, key *secret.Key, by string) ([]fieldwork.IssuedLink, error) {
	q, args, err := storekit.LinkSelect(measurementID, sel, key, "")
	if err != nil {
		return nil, err
	}
	var out []fieldwork.IssuedLink
	err = db.write(ctx, func(tx *sql.Tx) error {
		if err := storekit.MeasurementExists(bg, dialect, tx, measurementID); err != nil {
			return err
		}
		rows, err := tx.Query(q, args...)
		picks, err := storekit.LinkPicks(dialect, rows, err)
		if err != nil {
			return err
		}
		links, err := storekit.IssueTokens(picks, sel.WithContact, key)
		if err != nil {
			return err
		}
		at := db.now()
		now := fmtTime(at)
		for _, p := range picks {
			if _, err := tx.Exec(`UPDATE invitations SET token_hash = ?, updated_at = ? WHERE id = ?`, p.Hash, now, p.Inv); err != nil {
				return fmt.Errorf("sqlite: issue links: %w", err)
			}
			if p.Disp == sampling.DispNotSent {
				if err := setDisposition(tx, p.Link.CaseID, p.Disp, p.To, at, by, p.Note); err != nil {
					return err
				}
				continue
			}
			// A re-issue (sent stays sent) or a reminder (opened, partial
			// stay): the history records the new link only.
			if _, err := tx.Exec(`INSERT INTO case_history (case_id, from_disp, to_disp, at, by, note) VALUES (?, ?, ?, ?, ?, ?)`,
				p.Link.CaseID, p.Disp, p.To, now, by, p.Note); err != nil {
				return fmt.Errorf("sqlite: issue links: %w", err)
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
		if interviewer != "" {
			var role string
			err := tx.QueryRow(`SELECT role FROM users WHERE name = ? AND disabled_at IS NULL`, interviewer).Scan(&role)
			if errors.Is(err, sql.ErrNoRows) || (err == nil && role != "interviewer") {
				return survey.Errorf(survey.EINVALID, "“%s”不是在用的访员账号", "%q is not an active interviewer account", interviewer)
			}
			if err != nil {
				return fmt.Errorf("sqlite: assign cases: %w", err)
			}
			// Store the account's own spelling of the name.
			if err := tx.QueryRow(`SELECT name FROM users WHERE name = ?`, interviewer).Scan(&interviewer); err != nil {
				return fmt.Errorf("sqlite: assign cases: %w", err)
			}
		}
		args := []any{interviewer, fmtTime(db.now()), measurementID}
		for _, id := range caseIDs {
			args = append(args, id)
		}
		res, err := tx.Exec(`UPDATE cases SET interviewer = ?, updated_at = ? WHERE measurement_id = ? AND id IN (`+inList(len(caseIDs))+`)`, args...)
		if err != nil {
			return fmt.Errorf("sqlite: assign cases: %w", err)
		}
		k, err := res.RowsAffected()
		n = int(k)
		return err
	})
	return n, err
}

// loadCaseForInterviewer reads what an interviewer's action on a case
// needs, refusing a case assigned to someone else (EFORBIDDEN).
func loadCaseForInterviewer(tx *sql.Tx, caseID int64, interviewer string) (measurementID, disposition string, invitation int64, err error) {
	return storekit.CaseForInterviewer(bg, dialect, tx, caseID, interviewer, "")
}

// RecordAttempt records a call attempt by the case's interviewer and moves
// the case's disposition where the outcome settles it: refused → refused,
// wrong number → unreachable, call-back → opened (reached, eligibility not
// yet known), no answer or busy → sent. Completed is recorded only for a
// case whose questionnaire was submitted. A final disposition (complete,
// screened out, quota full) never changes.
func (db *DB) RecordAttempt(ctx context.Context, a fieldwork.CallAttempt) (*fieldwork.CallAttempt, error) {
	if err := storekit.CheckAttempt(&a); err != nil {
		return nil, err
	}
	a.At = db.now()
	err := db.write(ctx, func(tx *sql.Tx) error {
		return storekit.RecordAttempt(bg, dialect, tx, &a, "")
	})
	if err != nil {
		return nil, err
	}
	return &a, nil
}

// Attempts returns a case's call attempts, oldest first.
func (db *DB) Attempts(ctx context.Context, caseID int64) ([]fieldwork.CallAttempt, error) {
	return storekit.Attempts(ctx, dialect, db.rdb, caseID)
}

// StartInterview starts (or resumes) the interview of a case by its
// interviewer in mode phone or face, and returns a fresh token for the
// questionnaire pages. The case's link is replaced, so the resident's SMS
// link can no longer reach the interviewer's answers; a response the
// resident began on the web is taken over, and the response records the
// mode and the interviewer. A finished response is ECONFLICT.
func (db *DB) StartInterview(ctx context.Context, caseID int64, interviewer, mode string) (string, *survey.Response, error) {
	if err := storekit.CheckInterviewMode(mode); err != nil {
		return "", nil, err
	}
	var token string
	var respID int64
	err := db.write(ctx, func(stx *sql.Tx) error {
		_, _, inv, err := loadCaseForInterviewer(stx, caseID, interviewer)
		if err != nil {
			return err
		}
		tx := db.wtx(stx)
		tok, h := storekit.NewToken()
		now := fmtTime(db.now())
		if _, err := tx.ExecContext(bg, `UPDATE invitations SET token_hash = ?, updated_at = ? WHERE id = ?`, h, now, inv); err != nil {
			return fmt.Errorf("sqlite: start interview: %w", err)
		}
		l, err := lookupLink(tx, h)
		if err != nil {
			return err
		}
		if err := storekit.CheckOpen(l.mStatus); err != nil {
			return err
		}
		if l.respStatus.Valid && l.respStatus.String != survey.RespInProgress {
			return storekit.ErrFinished(l.respStatus.String)
		}
		if err := db.startTx(tx, l, mode, ""); err != nil {
			return err
		}
		if _, err := tx.ExecContext(bg, `UPDATE responses SET mode = ?, interviewer = ?, updated_at = ?, rev = rev + 1 WHERE id = ?`, mode, interviewer, now, l.respID.Int64); err != nil {
			return fmt.Errorf("sqlite: start interview: %w", err)
		}
		token, respID = tok, l.respID.Int64
		return nil
	})
	if err != nil {
		return "", nil, err
	}
	r, err := db.Response(ctx, respID)
	if err != nil {
		return "", nil, err
	}
	return token, r, nil
}
