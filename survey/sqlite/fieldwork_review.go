package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"manyi/survey"
	"manyi/survey/fieldwork"
	"manyi/survey/internal/storekit"
)

// Exclude leaves a submitted response out of the estimates, with a reason.
// The response and its answers stay. A response already excluded is
// ECONFLICT; one that was not submitted is EINVALID.
func (db *DB) Exclude(ctx context.Context, responseID int64, reason, by string) (*fieldwork.Exclusion, error) {
	reason, err := storekit.CheckExclusion(reason, by)
	if err != nil {
		return nil, err
	}
	var id int64
	err = db.write(ctx, func(tx *sql.Tx) error {
		var status string
		err := tx.QueryRow(`SELECT status FROM responses WHERE id = ?`, responseID).Scan(&status)
		if errors.Is(err, sql.ErrNoRows) {
			return survey.Errorf(survey.ENOTFOUND, "没有编号为 %d 的问卷", "no response with id %d", responseID)
		}
		if err != nil {
			return fmt.Errorf("sqlite: exclude: %w", err)
		}
		if status != survey.RespSubmitted {
			return survey.Errorf(survey.EINVALID, "问卷 %d 未提交，无需剔除", "response %d was not submitted, so it is not in the estimates anyway", responseID)
		}
		err = tx.QueryRow(`INSERT INTO exclusions (response_id, reason, by, at) VALUES (?, ?, ?, ?) RETURNING id`,
			responseID, reason, by, fmtTime(db.now())).Scan(&id)
		if isConstraint(err) {
			return survey.Errorf(survey.ECONFLICT, "问卷 %d 已被剔除", "response %d is excluded already", responseID)
		}
		if err != nil {
			return fmt.Errorf("sqlite: exclude: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return db.exclusion(ctx, `id = ?`, id)
}

// Restore reverses the active exclusion of a response (ENOTFOUND when it
// has none), keeping the exclusion on record with who restored it.
func (db *DB) Restore(ctx context.Context, responseID int64, by, note string) (*fieldwork.Exclusion, error) {
	var id int64
	err := db.write(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRow(`UPDATE exclusions SET reverted_at = ?, reverted_by = ?, revert_note = ?
			WHERE response_id = ? AND reverted_at IS NULL RETURNING id`, fmtTime(db.now()), by, strings.TrimSpace(note), responseID).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return survey.Errorf(survey.ENOTFOUND, "问卷 %d 没有被剔除", "response %d is not excluded", responseID)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return db.exclusion(ctx, `id = ?`, id)
}

const exclusionSelect = `SELECT id, response_id, reason, by, at, reverted_at, reverted_by, revert_note FROM exclusions`

func scanExclusion(sc interface{ Scan(...any) error }) (*fieldwork.Exclusion, error) {
	var e fieldwork.Exclusion
	var at string
	var rev sql.NullString
	if err := sc.Scan(&e.ID, &e.ResponseID, &e.Reason, &e.By, &at, &rev, &e.RevertedBy, &e.RevertNote); err != nil {
		return nil, err
	}
	var err error
	if e.At, err = parseTime(at); err != nil {
		return nil, err
	}
	if e.RevertedAt, err = parseTimePtr(rev); err != nil {
		return nil, err
	}
	return &e, nil
}

func (db *DB) exclusion(ctx context.Context, where string, args ...any) (*fieldwork.Exclusion, error) {
	e, err := scanExclusion(db.rdb.QueryRowContext(ctx, exclusionSelect+` WHERE `+where, args...))
	if err != nil {
		return nil, fmt.Errorf("sqlite: exclusion: %w", err)
	}
	return e, nil
}

// Exclusions returns every exclusion of the measurement's responses,
// reverted ones included, oldest first.
func (db *DB) Exclusions(ctx context.Context, measurementID string) ([]fieldwork.Exclusion, error) {
	rows, err := db.rdb.QueryContext(ctx, exclusionSelect+` WHERE response_id IN (SELECT id FROM responses WHERE measurement_id = ?) ORDER BY id`, measurementID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: exclusions: %w", err)
	}
	defer rows.Close()
	var out []fieldwork.Exclusion
	for rows.Next() {
		e, err := scanExclusion(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: exclusions: %w", err)
		}
		out = append(out, *e)
	}
	return out, rows.Err()
}

// ExcludedResponses returns the ids of the measurement's responses that
// are excluded now: the estimates leave them out.
func (db *DB) ExcludedResponses(ctx context.Context, measurementID string) (map[int64]bool, error) {
	rows, err := db.rdb.QueryContext(ctx, `SELECT e.response_id FROM exclusions e JOIN responses r ON r.id = e.response_id
		WHERE r.measurement_id = ? AND e.reverted_at IS NULL`, measurementID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: excluded responses: %w", err)
	}
	defer rows.Close()
	out := map[int64]bool{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("sqlite: excluded responses: %w", err)
		}
		out[id] = true
	}
	return out, rows.Err()
}

// CompletedResponses returns the measurement's submitted responses with
// their answers and total answering time (the sum of the time on each
// page), in submission order.
func (db *DB) CompletedResponses(ctx context.Context, measurementID string) ([]fieldwork.Completed, error) {
	tx, err := db.rdb.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("sqlite: completed responses: %w", err)
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT r.id, r.version, r.mode, r.interviewer, r.submitted_at,
			coalesce((SELECT sum(elapsed_ms) FROM page_paradata p WHERE p.response_id = r.id), 0)
		FROM responses r WHERE r.measurement_id = ? AND r.status = 'submitted' ORDER BY r.submitted_at, r.id`, measurementID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: completed responses: %w", err)
	}
	var out []fieldwork.Completed
	idx := map[int64]int{}
	for rows.Next() {
		var c fieldwork.Completed
		var at string
		var ms int64
		if err := rows.Scan(&c.ID, &c.Version, &c.Mode, &c.Interviewer, &at, &ms); err != nil {
			rows.Close()
			return nil, fmt.Errorf("sqlite: completed responses: %w", err)
		}
		if c.SubmittedAt, err = parseTime(at); err != nil {
			rows.Close()
			return nil, err
		}
		c.Seconds = float64(ms) / 1000
		c.Answers = survey.Answers{}
		idx[c.ID] = len(out)
		out = append(out, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: completed responses: %w", err)
	}
	arows, err := tx.QueryContext(ctx, `SELECT a.response_id, a.item_id, a.value FROM answers a JOIN responses r ON r.id = a.response_id
		WHERE r.measurement_id = ? AND r.status = 'submitted' ORDER BY a.response_id, a.item_id, a.position`, measurementID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: completed answers: %w", err)
	}
	defer arows.Close()
	for arows.Next() {
		var id int64
		var item, v string
		if err := arows.Scan(&id, &item, &v); err != nil {
			return nil, fmt.Errorf("sqlite: completed answers: %w", err)
		}
		if i, ok := idx[id]; ok {
			out[i].Answers[item] = append(out[i].Answers[item], v)
		}
	}
	return out, arows.Err()
}

// FieldworkProgress gathers the monitor's figures in one read transaction:
// released cases by district and disposition, submitted responses by mode
// and by day, and the quota cells.
func (db *DB) FieldworkProgress(ctx context.Context, measurementID string) (*fieldwork.Progress, error) {
	m, err := db.Measurement(ctx, measurementID)
	if err != nil {
		return nil, err
	}
	p := &fieldwork.Progress{Modes: map[string]int{}}
	byD := map[string]*fieldwork.DistrictProgress{}
	for _, d := range m.Districts {
		p.Districts = append(p.Districts, fieldwork.DistrictProgress{District: d.Code})
	}
	for i := range p.Districts {
		byD[p.Districts[i].District] = &p.Districts[i]
	}
	rows, err := db.rdb.QueryContext(ctx, `SELECT c.district, c.disposition, `+lastContactSQL+`, count(*) FROM cases c
		WHERE c.measurement_id = ? AND c.released = 1 GROUP BY 1, 2, 3`, measurementID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: progress: %w", err)
	}
	for rows.Next() {
		var d, disp, last string
		var n int
		if err := rows.Scan(&d, &disp, &last, &n); err != nil {
			rows.Close()
			return nil, fmt.Errorf("sqlite: progress: %w", err)
		}
		disp = fieldwork.AAPORDisposition(disp, last)
		dp := byD[d]
		if dp == nil {
			p.Districts = append(p.Districts, fieldwork.DistrictProgress{District: d})
			dp = &p.Districts[len(p.Districts)-1]
			// Re-point the map: append may have moved the slice.
			for i := range p.Districts {
				byD[p.Districts[i].District] = &p.Districts[i]
			}
		}
		if err := dp.Counts.Add(disp, n); err != nil {
			rows.Close()
			return nil, err
		}
		dp.Released += n
		p.Overall.Add(disp, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: progress: %w", err)
	}
	rows, err = db.rdb.QueryContext(ctx, `SELECT mode, substr(submitted_at, 1, 10), count(*) FROM responses
		WHERE measurement_id = ? AND status = 'submitted' GROUP BY mode, substr(submitted_at, 1, 10) ORDER BY 2`, measurementID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: progress: %w", err)
	}
	days := map[string]int{}
	var order []string
	for rows.Next() {
		var mode, day string
		var n int
		if err := rows.Scan(&mode, &day, &n); err != nil {
			rows.Close()
			return nil, fmt.Errorf("sqlite: progress: %w", err)
		}
		p.Modes[mode] += n
		if _, ok := days[day]; !ok {
			order = append(order, day)
		}
		days[day] += n
		p.Submitted += n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: progress: %w", err)
	}
	for _, d := range order {
		p.PerDay = append(p.PerDay, fieldwork.DayCount{Day: d, Count: days[d]})
	}
	ex, err := db.ExcludedResponses(ctx, measurementID)
	if err != nil {
		return nil, err
	}
	p.Excluded = len(ex)
	if p.Quotas, err = db.Quotas(ctx, measurementID); err != nil {
		return nil, err
	}
	return p, nil
}

// lastContactSQL is the outcome of a case's (alias c) latest call attempt
// that reached anyone, "" when none: the input of
// fieldwork.AAPORDisposition. Its list is fieldwork.NoContactOutcomes.
const lastContactSQL = `coalesce((SELECT a.outcome FROM call_attempts a WHERE a.case_id = c.id
	AND a.outcome NOT IN ('no_answer', 'busy') ORDER BY a.id DESC LIMIT 1), '')`
