package storekit

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"manyi/survey"
	"manyi/survey/fieldwork"
	"manyi/survey/sampling"
)

// InList is n placeholders separated by commas, for an IN (…) list.
func InList(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// ErrNoSample is the answer for a measurement without a drawn sample.
func ErrNoSample(measurementID string) error {
	return survey.Errorf(survey.ENOTFOUND, "测评 %s 尚未抽样", "measurement %s has no sample yet", measurementID)
}

// Sample returns the measurement's sample (ENOTFOUND when none was drawn).
func Sample(ctx context.Context, d *Dialect, q Querier, measurementID string) (*fieldwork.SampleInfo, error) {
	var si fieldwork.SampleInfo
	var seed, plan, alloc string
	err := d.QueryRow(ctx, q, `SELECT measurement_id, seed, plan, allocation, batches, released, drawn_at, drawn_by,
			(SELECT count(*) FROM cases WHERE measurement_id = s.measurement_id)
		FROM samples s WHERE measurement_id = ?`, measurementID).Scan(&si.MeasurementID, &seed, &plan, &alloc, &si.Batches, &si.Released, d.TimeDest(&si.DrawnAt), &si.DrawnBy, &si.Cases)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNoSample(measurementID)
	}
	if err != nil {
		return nil, d.Errorf("sample: %w", err)
	}
	if si.Seed, err = strconv.ParseUint(seed, 10, 64); err != nil {
		return nil, d.Errorf("sample: bad seed %q", seed)
	}
	if err := json.Unmarshal([]byte(plan), &si.Plan); err != nil {
		return nil, d.Errorf("sample plan: %w", err)
	}
	if err := json.Unmarshal([]byte(alloc), &si.Alloc); err != nil {
		return nil, d.Errorf("sample allocation: %w", err)
	}
	return &si, nil
}

// CaseSelect reads the columns ScanCase takes: a case with its unit's
// gender and age band, its call record summary and its response.
const CaseSelect = `SELECT c.id, c.measurement_id, c.unit_id, c.stratum, c.district, c.sector, coalesce(u.gender, ''), coalesce(u.age_band, ''),
		c.batch, c.prob, c.weight, c.released, coalesce(c.invitation_id, 0), c.disposition, c.interviewer, c.updated_at,
		(SELECT count(*) FROM call_attempts a WHERE a.case_id = c.id),
		coalesce((SELECT outcome FROM call_attempts a WHERE a.case_id = c.id ORDER BY id DESC LIMIT 1), ''),
		(SELECT callback_at FROM call_attempts a WHERE a.case_id = c.id ORDER BY id DESC LIMIT 1),
		coalesce(r.id, 0), coalesce(r.mode, '')
	FROM cases c
	LEFT JOIN frame_units u ON u.measurement_id = c.measurement_id AND u.unit_id = c.unit_id
	LEFT JOIN responses r ON r.invitation_id = c.invitation_id`

// ScanCase reads one row of CaseSelect.
func ScanCase(d *Dialect, sc Scanner) (*fieldwork.Case, error) {
	var c fieldwork.Case
	if err := sc.Scan(&c.ID, &c.MeasurementID, &c.UnitID, &c.Stratum, &c.District, &c.Sector, &c.Gender, &c.AgeBand,
		&c.Batch, &c.Prob, &c.Weight, &c.Released, &c.InvitationID, &c.Disposition, &c.Interviewer, d.TimeDest(&c.UpdatedAt),
		&c.Attempts, &c.LastOutcome, d.NullTimeDest(&c.CallbackAt), &c.ResponseID, &c.ResponseMode); err != nil {
		return nil, err
	}
	return &c, nil
}

// Cases returns the cases matching f in drawn order.
func Cases(ctx context.Context, d *Dialect, q Querier, f fieldwork.CaseFilter) ([]*fieldwork.Case, error) {
	where := []string{`c.measurement_id = ?`}
	args := []any{f.MeasurementID}
	if f.Interviewer != "" {
		where = append(where, `c.interviewer = ?`)
		args = append(args, f.Interviewer)
	}
	if f.District != "" {
		where = append(where, `c.district = ?`)
		args = append(args, f.District)
	}
	if f.Disposition != "" {
		where = append(where, `c.disposition = ?`)
		args = append(args, f.Disposition)
	}
	if f.ReleasedOnly {
		where = append(where, `c.released`)
	}
	if len(f.IDs) > 0 {
		where = append(where, `c.id IN (`+InList(len(f.IDs))+`)`)
		for _, id := range f.IDs {
			args = append(args, id)
		}
	}
	query := CaseSelect + ` WHERE ` + strings.Join(where, ` AND `) + ` ORDER BY c.position`
	if f.Limit > 0 {
		query += ` LIMIT ?`
		args = append(args, f.Limit)
	}
	if len(f.IDs) > 0 {
		// A text per list length: rebind without filling the cache.
		query = d.Dynamic(query)
	} else {
		query = d.SQL(query)
	}
	rows, err := q.QueryContext(ctx, query, args...)
	return ScanAll(d, "cases", rows, err, func(sc Scanner) (*fieldwork.Case, error) { return ScanCase(d, sc) })
}

// Case returns one case (ENOTFOUND).
func Case(ctx context.Context, d *Dialect, q Querier, id int64) (*fieldwork.Case, error) {
	c, err := ScanCase(d, d.QueryRow(ctx, q, CaseSelect+` WHERE c.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNoCase(id)
	}
	if err != nil {
		return nil, d.Errorf("case %d: %w", id, err)
	}
	return c, nil
}

// ErrNoCase is the answer for an unknown case id.
func ErrNoCase(id int64) error {
	return survey.Errorf(survey.ENOTFOUND, "没有编号为 %d 的样本", "no case with id %d", id)
}

// CaseHistory returns a case's disposition changes, oldest first.
func CaseHistory(ctx context.Context, d *Dialect, q Querier, caseID int64) ([]fieldwork.DispositionChange, error) {
	rows, err := d.Query(ctx, q, `SELECT id, case_id, from_disp, to_disp, at, by, note FROM case_history WHERE case_id = ? ORDER BY id`, caseID)
	return ScanAll(d, "case history", rows, err, func(sc Scanner) (fieldwork.DispositionChange, error) {
		var h fieldwork.DispositionChange
		err := sc.Scan(&h.ID, &h.CaseID, &h.From, &h.To, d.TimeDest(&h.At), &h.By, &h.Note)
		return h, err
	})
}

// Attempts returns a case's call attempts, oldest first.
func Attempts(ctx context.Context, d *Dialect, q Querier, caseID int64) ([]fieldwork.CallAttempt, error) {
	rows, err := d.Query(ctx, q, `SELECT id, case_id, interviewer, at, outcome, callback_at, note FROM call_attempts WHERE case_id = ? ORDER BY id`, caseID)
	return ScanAll(d, "attempts", rows, err, func(sc Scanner) (fieldwork.CallAttempt, error) {
		var a fieldwork.CallAttempt
		err := sc.Scan(&a.ID, &a.CaseID, &a.Interviewer, d.TimeDest(&a.At), &a.Outcome, d.NullTimeDest(&a.CallbackAt), &a.Note)
		return a, err
	})
}

// CheckDisposition refuses a disposition the office cannot set by hand:
// an unknown one, and complete, which only a submitted response sets.
func CheckDisposition(to string) error {
	if !slices.Contains(sampling.Dispositions, to) {
		return survey.Errorf(survey.EINVALID, "未知的样本状态“%s”", "unknown disposition %q", to)
	}
	if to == sampling.DispComplete {
		return survey.Errorf(survey.EINVALID, "“完成”只能由提交的问卷产生", "complete is set only by a submitted questionnaire")
	}
	return nil
}

// ErrCaseComplete refuses to change a complete case's disposition by
// hand.
func ErrCaseComplete(caseID int64) error {
	return survey.Errorf(survey.ECONFLICT, "样本 %d 已完成，状态不能再改", "case %d is complete; its disposition cannot change", caseID)
}

// CaseForInterviewer reads, inside the caller's write transaction, the
// case an interviewer records a call or starts an interview for: its
// measurement, disposition and invitation. It refuses an unknown case
// (ENOTFOUND), a closed measurement and an unreleased case (ECONFLICT)
// and a case assigned to someone else (EFORBIDDEN). lock is "" or the
// dialect's row-lock clause (" FOR UPDATE").
func CaseForInterviewer(ctx context.Context, d *Dialect, tx Querier, caseID int64, interviewer, lock string) (measurementID, disposition string, invitation int64, err error) {
	var assigned string
	var inv sql.NullInt64
	err = d.QueryRow(ctx, tx, `SELECT measurement_id, disposition, invitation_id, interviewer FROM cases WHERE id = ?`+lock, caseID).
		Scan(&measurementID, &disposition, &inv, &assigned)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", 0, ErrNoCase(caseID)
	}
	if err != nil {
		return "", "", 0, d.Errorf("case %d: %w", caseID, err)
	}
	var status string
	if err := d.QueryRow(ctx, tx, `SELECT status FROM measurements WHERE id = ?`, measurementID).Scan(&status); err != nil {
		return "", "", 0, d.Errorf("case %d: %w", caseID, err)
	}
	if status == survey.StatusClosed {
		return "", "", 0, survey.Errorf(survey.ECONFLICT, "本次测评的实地执行已结束，不能再记录拨打或开始访问", "fieldwork of this measurement has closed; no more calls or interviews can be recorded")
	}
	if !strings.EqualFold(assigned, interviewer) || interviewer == "" {
		return "", "", 0, survey.Errorf(survey.EFORBIDDEN, "样本 %d 没有分配给您", "case %d is not assigned to you", caseID)
	}
	if !inv.Valid {
		return "", "", 0, survey.Errorf(survey.ECONFLICT, "样本 %d 尚未启用", "case %d has not been released", caseID)
	}
	return measurementID, disposition, inv.Int64, nil
}

// CheckInterviewMode accepts the modes of an interviewer's interview.
func CheckInterviewMode(mode string) error {
	if mode != survey.ModePhone && mode != survey.ModeFace {
		return survey.Errorf(survey.EINVALID, "访问方式应为电话或面访，而不是“%s”", "the interview mode must be phone or face, not %q", mode)
	}
	return nil
}

// DrawnCases reads a measurement's cases (of one stratum; "" for all) in
// their drawn order into smp.Cases, for sampling.WeightsReleased, and
// returns each case's id and whether it is released already.
func DrawnCases(ctx context.Context, d *Dialect, tx Querier, measurementID, stratum string, smp *sampling.Sample) (ids []int64, released []bool, err error) {
	q, args := `SELECT id, unit_id, stratum, batch, released FROM cases WHERE measurement_id = ?`, []any{measurementID}
	if stratum != "" {
		q += ` AND stratum = ?`
		args = append(args, stratum)
	}
	rows, err := d.Query(ctx, tx, q+` ORDER BY position`, args...)
	if err != nil {
		return nil, nil, d.Errorf("release batch: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var c sampling.Case
		var id int64
		var rel bool
		if err := rows.Scan(&id, &c.ID, &c.Stratum, &c.Batch, &rel); err != nil {
			return nil, nil, d.Errorf("release batch: %w", err)
		}
		c.Unit = -1 // not needed: Weights reads strata and batches only
		smp.Cases = append(smp.Cases, c)
		ids = append(ids, id)
		released = append(released, rel)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, d.Errorf("release batch: %w", err)
	}
	return ids, released, nil
}

// NextStratumBatch returns the reserve batch of stratum (allocated sa)
// to release next, given the batches released per stratum (levels, which
// it moves on), or ECONFLICT when every one is out.
func NextStratumBatch(levels map[string]int, stratum string, sa *sampling.StratumAllocation) (int, error) {
	next := levels[stratum] + 1
	if next > len(sa.Batches) {
		return 0, survey.Errorf(survey.ECONFLICT, "“%s”的预备样本已全部启用（共 %d 批）", "every reserve batch of %q is released already (%d batches)", stratum, len(sa.Batches))
	}
	levels[stratum] = next
	return next, nil
}

// ErrNoStratum is the answer for a stratum the sample does not have.
func ErrNoStratum(stratum string) error {
	return survey.Errorf(survey.ENOTFOUND, "样本中没有层“%s”", "the sample has no stratum %q", stratum)
}

// ErrAllReleased refuses a release when every reserve batch is out.
func ErrAllReleased(batches int) error {
	return survey.Errorf(survey.ECONFLICT, "预备样本已全部启用（共 %d 批）", "every reserve batch is released already (%d batches)", batches)
}

// ErrSampleDrawn refuses to draw a measurement's sample a second time.
func ErrSampleDrawn(measurementID string) error {
	return survey.Errorf(survey.ECONFLICT, "测评 %s 已经抽过样本（种子已记录），不能重抽", "measurement %s already has a sample (its seed is recorded); it cannot be drawn again", measurementID)
}

// SampleJSON is a drawn sample's plan and allocation as stored.
func SampleJSON(d *Dialect, plan sampling.Plan, s *sampling.Sample) (planJSON, allocJSON string, err error) {
	p, err := json.Marshal(plan)
	if err != nil {
		return "", "", d.Errorf("save sample: %w", err)
	}
	a, err := json.Marshal(s.Alloc)
	if err != nil {
		return "", "", d.Errorf("save sample: %w", err)
	}
	return string(p), string(a), nil
}

// InsertSample stores a drawn sample's row (none released) inside the
// caller's write transaction, after checking that the measurement has a
// complete frame (ENOTFOUND); a second sample is ErrSampleDrawn.
// complete is the dialect's condition on frames.complete ("complete = 1",
// "complete"); isConstraint tells the adapter's unique violation.
func InsertSample(ctx context.Context, d *Dialect, tx Querier, measurementID, complete string, s *sampling.Sample, planJSON, allocJSON string, now time.Time, by string, isConstraint func(error) bool) error {
	var n int
	if err := d.QueryRow(ctx, tx, `SELECT count(*) FROM frames WHERE measurement_id = ? AND `+complete, measurementID).Scan(&n); err != nil {
		return d.Errorf("save sample: %w", err)
	}
	if n == 0 {
		return survey.Errorf(survey.ENOTFOUND, "测评 %s 尚未导入抽样框", "measurement %s has no frame yet", measurementID)
	}
	_, err := d.Exec(ctx, tx, `INSERT INTO samples (measurement_id, seed, plan, allocation, batches, released, drawn_at, drawn_by) VALUES (?, ?, ?, ?, ?, 0, ?, ?)`,
		measurementID, strconv.FormatUint(s.Seed, 10), planJSON, allocJSON, s.Batches, d.TimeArg(now), by)
	if isConstraint(err) {
		return ErrSampleDrawn(measurementID)
	}
	if err != nil {
		return d.Errorf("save sample: %w", err)
	}
	return nil
}

// SetDisposition moves a case to disposition to at time at and records
// the change, inside the caller's write transaction. Moving to the same
// disposition records nothing.
func SetDisposition(ctx context.Context, d *Dialect, tx Querier, caseID int64, from, to string, at time.Time, by, note string) error {
	if from == to {
		return nil
	}
	if _, err := d.Exec(ctx, tx, `UPDATE cases SET disposition = ?, updated_at = ? WHERE id = ?`, to, d.TimeArg(at), caseID); err != nil {
		return d.Errorf("disposition of case %d: %w", caseID, err)
	}
	if _, err := d.Exec(ctx, tx, `INSERT INTO case_history (case_id, from_disp, to_disp, at, by, note) VALUES (?, ?, ?, ?, ?, ?)`,
		caseID, from, to, d.TimeArg(at), by, note); err != nil {
		return d.Errorf("disposition history of case %d: %w", caseID, err)
	}
	return nil
}

// SetCaseDisposition is SetDisposition by hand, inside the caller's
// write transaction: an unknown case is ENOTFOUND, a complete one
// ErrCaseComplete. lock is "" or the dialect's row-lock clause
// (" FOR UPDATE") for reading the case's disposition.
func SetCaseDisposition(ctx context.Context, d *Dialect, tx Querier, caseID int64, to, lock string, at time.Time, by, note string) error {
	var from string
	err := d.QueryRow(ctx, tx, `SELECT disposition FROM cases WHERE id = ?`+lock, caseID).Scan(&from)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNoCase(caseID)
	}
	if err != nil {
		return d.Errorf("set disposition: %w", err)
	}
	if from == sampling.DispComplete {
		return ErrCaseComplete(caseID)
	}
	return SetDisposition(ctx, d, tx, caseID, from, to, at, by, note)
}

// RecordAttempt stores a checked call attempt (a.At set) of the case's
// interviewer inside the caller's write transaction, sets a.ID and moves
// the case's disposition as AttemptDisposition settles it. lock is as for
// CaseForInterviewer.
func RecordAttempt(ctx context.Context, d *Dialect, tx Querier, a *fieldwork.CallAttempt, lock string) error {
	_, disp, _, err := CaseForInterviewer(ctx, d, tx, a.CaseID, a.Interviewer, lock)
	if err != nil {
		return err
	}
	if a.Outcome == fieldwork.OutcomeCompleted && disp != sampling.DispComplete {
		return ErrCompletedUnsubmitted(a.CaseID)
	}
	var id int64
	if err := d.QueryRow(ctx, tx, `INSERT INTO call_attempts (case_id, interviewer, at, outcome, callback_at, note) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
		a.CaseID, a.Interviewer, d.TimeArg(a.At), a.Outcome, d.NullTimeArg(a.CallbackAt), a.Note).Scan(&id); err != nil {
		return d.Errorf("record attempt: %w", err)
	}
	a.ID = id
	to, final := AttemptDisposition(disp, a.Outcome)
	if final {
		return nil
	}
	return SetDisposition(ctx, d, tx, a.CaseID, disp, to, a.At, a.Interviewer, "call: "+a.Outcome)
}
