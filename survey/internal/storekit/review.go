package storekit

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"manyi/survey"
	"manyi/survey/fieldwork"
)

// Exclude records, inside the caller's write transaction, that the
// submitted response responseID is left out of the estimates (reason
// checked by CheckExclusion) and returns the exclusion's id. The
// response and its answers stay. ENOTFOUND for an unknown response,
// EINVALID for one not submitted, ECONFLICT (isConstraint: the adapter's
// UNIQUE test) for one excluded already.
func Exclude(ctx context.Context, d *Dialect, tx Querier, responseID int64, reason, by string, now time.Time, isConstraint func(error) bool) (int64, error) {
	var status string
	err := d.QueryRow(ctx, tx, `SELECT status FROM responses WHERE id = ?`, responseID).Scan(&status)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, survey.Errorf(survey.ENOTFOUND, "没有编号为 %d 的问卷", "no response with id %d", responseID)
	}
	if err != nil {
		return 0, d.Errorf("exclude: %w", err)
	}
	if status != survey.RespSubmitted {
		return 0, survey.Errorf(survey.EINVALID, "问卷 %d 未提交，无需剔除", "response %d was not submitted, so it is not in the estimates anyway", responseID)
	}
	var id int64
	err = d.QueryRow(ctx, tx, `INSERT INTO exclusions (response_id, reason, by, at) VALUES (?, ?, ?, ?) RETURNING id`,
		responseID, reason, by, d.TimeArg(now)).Scan(&id)
	if isConstraint(err) {
		return 0, survey.Errorf(survey.ECONFLICT, "问卷 %d 已被剔除", "response %d is excluded already", responseID)
	}
	if err != nil {
		return 0, d.Errorf("exclude: %w", err)
	}
	return id, nil
}

// Restore reverses, inside the caller's write transaction, the active
// exclusion of a response (ENOTFOUND when it has none), keeping it on
// record with who restored it and why; it returns the exclusion's id.
func Restore(ctx context.Context, d *Dialect, tx Querier, responseID int64, by, note string, now time.Time) (int64, error) {
	var id int64
	err := d.QueryRow(ctx, tx, `UPDATE exclusions SET reverted_at = ?, reverted_by = ?, revert_note = ?
			WHERE response_id = ? AND reverted_at IS NULL RETURNING id`, d.TimeArg(now), by, strings.TrimSpace(note), responseID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, survey.Errorf(survey.ENOTFOUND, "问卷 %d 没有被剔除", "response %d is not excluded", responseID)
	}
	return id, err
}

// exclusionSelect reads the columns scanExclusion takes.
const exclusionSelect = `SELECT id, response_id, reason, by, at, reverted_at, reverted_by, revert_note FROM exclusions`

// scanExclusion reads one row of exclusionSelect.
func scanExclusion(d *Dialect, sc Scanner) (*fieldwork.Exclusion, error) {
	var e fieldwork.Exclusion
	if err := sc.Scan(&e.ID, &e.ResponseID, &e.Reason, &e.By, d.TimeDest(&e.At), d.NullTimeDest(&e.RevertedAt), &e.RevertedBy, &e.RevertNote); err != nil {
		return nil, err
	}
	return &e, nil
}

// Exclusion returns the exclusion with id.
func Exclusion(ctx context.Context, d *Dialect, q Querier, id int64) (*fieldwork.Exclusion, error) {
	e, err := scanExclusion(d, d.QueryRow(ctx, q, exclusionSelect+` WHERE id = ?`, id))
	if err != nil {
		return nil, d.Errorf("exclusion: %w", err)
	}
	return e, nil
}

// Exclusions returns every exclusion of the measurement's responses,
// reverted ones included, oldest first.
func Exclusions(ctx context.Context, d *Dialect, q Querier, measurementID string) ([]fieldwork.Exclusion, error) {
	rows, err := d.Query(ctx, q, exclusionSelect+` WHERE response_id IN (SELECT id FROM responses WHERE measurement_id = ?) ORDER BY id`, measurementID)
	if err != nil {
		return nil, d.Errorf("exclusions: %w", err)
	}
	defer rows.Close()
	var out []fieldwork.Exclusion
	for rows.Next() {
		e, err := scanExclusion(d, rows)
		if err != nil {
			return nil, d.Errorf("exclusions: %w", err)
		}
		out = append(out, *e)
	}
	return out, rows.Err()
}

// ExcludedResponses returns the ids of the measurement's responses that
// are excluded now: the estimates leave them out.
func ExcludedResponses(ctx context.Context, d *Dialect, q Querier, measurementID string) (map[int64]bool, error) {
	rows, err := d.Query(ctx, q, `SELECT e.response_id FROM exclusions e JOIN responses r ON r.id = e.response_id
		WHERE r.measurement_id = ? AND e.reverted_at IS NULL`, measurementID)
	if err != nil {
		return nil, d.Errorf("excluded responses: %w", err)
	}
	defer rows.Close()
	out := map[int64]bool{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, d.Errorf("excluded responses: %w", err)
		}
		out[id] = true
	}
	return out, rows.Err()
}

// CompletedResponses returns the measurement's submitted responses with
// their answers and total answering time (the sum of the time on each
// page), in submission order. tx is the adapter's read transaction, so
// that both queries see one state.
func CompletedResponses(ctx context.Context, d *Dialect, tx Querier, measurementID string) ([]fieldwork.Completed, error) {
	rows, err := d.Query(ctx, tx, `SELECT r.id, r.version, r.mode, r.interviewer, r.submitted_at,
			coalesce((SELECT sum(elapsed_ms) FROM page_paradata p WHERE p.response_id = r.id), 0)
		FROM responses r WHERE r.measurement_id = ? AND r.status = 'submitted' ORDER BY r.submitted_at, r.id`, measurementID)
	if err != nil {
		return nil, d.Errorf("completed responses: %w", err)
	}
	var out []fieldwork.Completed
	idx := map[int64]int{}
	for rows.Next() {
		var c fieldwork.Completed
		var ms int64
		if err := rows.Scan(&c.ID, &c.Version, &c.Mode, &c.Interviewer, d.TimeDest(&c.SubmittedAt), &ms); err != nil {
			rows.Close()
			return nil, d.Errorf("completed responses: %w", err)
		}
		c.Seconds = float64(ms) / 1000
		c.Answers = survey.Answers{}
		idx[c.ID] = len(out)
		out = append(out, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, d.Errorf("completed responses: %w", err)
	}
	arows, err := d.Query(ctx, tx, `SELECT a.response_id, a.item_id, a.value FROM answers a JOIN responses r ON r.id = a.response_id
		WHERE r.measurement_id = ? AND r.status = 'submitted' ORDER BY a.response_id, a.item_id, a.position`, measurementID)
	if err != nil {
		return nil, d.Errorf("completed answers: %w", err)
	}
	defer arows.Close()
	for arows.Next() {
		var id int64
		var item, v string
		if err := arows.Scan(&id, &item, &v); err != nil {
			return nil, d.Errorf("completed answers: %w", err)
		}
		if i, ok := idx[id]; ok {
			out[i].Answers[item] = append(out[i].Answers[item], v)
		}
	}
	return out, arows.Err()
}

// LastContactSQL is the outcome of a case's (alias c) latest call attempt
// that reached anyone, "" when none: the input of
// fieldwork.AAPORDisposition. Its list is fieldwork.NoContactOutcomes.
const LastContactSQL = `coalesce((SELECT a.outcome FROM call_attempts a WHERE a.case_id = c.id
	AND a.outcome NOT IN ('no_answer', 'busy') ORDER BY a.id DESC LIMIT 1), '')`

// Progress reads the monitor's case and response figures of m into a new
// Progress: released cases by district and disposition (the adapter's
// casesQuery, one ? for the measurement, yielding district, disposition,
// last contact and count), and submitted responses by mode and by day
// (daysQuery, one ?, yielding mode, day and count in day order). Districts
// not among m's are added after m's. The caller adds the exclusions and
// the quota cells.
func Progress(ctx context.Context, d *Dialect, q Querier, m *survey.Measurement, casesQuery, daysQuery string) (*fieldwork.Progress, error) {
	p := &fieldwork.Progress{Modes: map[string]int{}}
	for _, dc := range m.Districts {
		p.Districts = append(p.Districts, fieldwork.DistrictProgress{District: dc.Code})
	}
	find := func(dc string) *fieldwork.DistrictProgress {
		for i := range p.Districts {
			if p.Districts[i].District == dc {
				return &p.Districts[i]
			}
		}
		p.Districts = append(p.Districts, fieldwork.DistrictProgress{District: dc})
		return &p.Districts[len(p.Districts)-1]
	}
	rows, err := d.Query(ctx, q, casesQuery, m.ID)
	if err != nil {
		return nil, d.Errorf("progress: %w", err)
	}
	for rows.Next() {
		var dc, disp, last string
		var n int
		if err := rows.Scan(&dc, &disp, &last, &n); err != nil {
			rows.Close()
			return nil, d.Errorf("progress: %w", err)
		}
		disp = fieldwork.AAPORDisposition(disp, last)
		dp := find(dc)
		if err := dp.Counts.Add(disp, n); err != nil {
			rows.Close()
			return nil, err
		}
		dp.Released += n
		p.Overall.Add(disp, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, d.Errorf("progress: %w", err)
	}
	rows, err = d.Query(ctx, q, daysQuery, m.ID)
	if err != nil {
		return nil, d.Errorf("progress: %w", err)
	}
	days := map[string]int{}
	var order []string
	for rows.Next() {
		var mode, day string
		var n int
		if err := rows.Scan(&mode, &day, &n); err != nil {
			rows.Close()
			return nil, d.Errorf("progress: %w", err)
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
		return nil, d.Errorf("progress: %w", err)
	}
	for _, dc := range order {
		p.PerDay = append(p.PerDay, fieldwork.DayCount{Day: dc, Count: days[dc]})
	}
	return p, nil
}
