package postgres

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
// A response already excluded is ECONFLICT; one that was not submitted is
// EINVALID.
func (db *DB) Exclude(ctx context.Context, responseID int64, reason, by string) (*fieldwork.Exclusion, error) {
	reason, err := storekit.CheckExclusion(reason, by)
	if err != nil {
		return nil, err
	}
	var id int64
	err = db.write(ctx, func(tx *sql.Tx) error {
		var status string
		err := tx.QueryRowContext(ctx, `SELECT status FROM responses WHERE id = $1`, responseID).Scan(&status)
		if errors.Is(err, sql.ErrNoRows) {
			return survey.Errorf(survey.ENOTFOUND, "没有编号为 %d 的问卷", "no response with id %d", responseID)
		}
		if err != nil {
			return fmt.Errorf("postgres: exclude: %w", err)
		}
		if status != survey.RespSubmitted {
			return survey.Errorf(survey.EINVALID, "问卷 %d 未提交，无需剔除", "response %d was not submitted, so it is not in the estimates anyway", responseID)
		}
		err = tx.QueryRowContext(ctx, `INSERT INTO exclusions (response_id, reason, by, at) VALUES ($1, $2, $3, $4) RETURNING id`,
			responseID, reason, by, db.now()).Scan(&id)
		if isConstraint(err) {
			return survey.Errorf(survey.ECONFLICT, "问卷 %d 已被剔除", "response %d is excluded already", responseID)
		}
		if err != nil {
			return fmt.Errorf("postgres: exclude: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return db.exclusion(ctx, id)
}

// Restore reverses the active exclusion of a response (ENOTFOUND when it
// has none), keeping the exclusion on record with who restored it.
func (db *DB) Restore(ctx context.Context, responseID int64, by, note string) (*fieldwork.Exclusion, error) {
	var id int64
	err := db.write(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `UPDATE exclusions SET reverted_at = $1, reverted_by = $2, revert_note = $3
			WHERE response_id = $4 AND reverted_at IS NULL RETURNING id`, db.now(), by, strings.TrimSpace(note), responseID).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return survey.Errorf(survey.ENOTFOUND, "问卷 %d 没有被剔除", "response %d is not excluded", responseID)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return db.exclusion(ctx, id)
}

const exclusionSelect = `SELECT id, response_id, reason, by, at, reverted_at, reverted_by, revert_note FROM exclusions`

func scanExclusion(sc interface{ Scan(...any) error }) (*fieldwork.Exclusion, error) {
	var e fieldwork.Exclusion
	var rev sql.NullTime
	if err := sc.Scan(&e.ID, &e.ResponseID, &e.Reason, &e.By, &e.At, &rev, &e.RevertedBy, &e.RevertNote); err != nil {
		return nil, err
	}
	e.At = utc(e.At)
	e.RevertedAt = utcPtr(rev)
	return &e, nil
}

func (db *DB) exclusion(ctx context.Context, id int64) (*fieldwork.Exclusion, error) {
	e, err := scanExclusion(db.db.QueryRowContext(ctx, exclusionSelect+` WHERE id = $1`, id))
	if err != nil {
		return nil, fmt.Errorf("postgres: exclusion: %w", err)
	}
	return e, nil
}

// Exclusions returns every exclusion of the measurement's responses,
// reverted ones included, oldest first.
func (db *DB) Exclusions(ctx context.Context, measurementID string) ([]fieldwork.Exclusion, error) {
	rows, err := db.db.QueryContext(ctx, exclusionSelect+` WHERE response_id IN (SELECT id FROM responses WHERE measurement_id = $1) ORDER BY id`, measurementID)
	if err != nil {
		return nil, fmt.Errorf("postgres: exclusions: %w", err)
	}
	defer rows.Close()
	var out []fieldwork.Exclusion
	for rows.Next() {
		e, err := scanExclusion(rows)
		if err != nil {
			return nil, fmt.Errorf("postgres: exclusions: %w", err)
		}
		out = append(out, *e)
	}
	return out, rows.Err()
}

// ExcludedResponses returns the ids of the measurement's responses that
// are excluded now: the estimates leave them out.
func (db *DB) ExcludedResponses(ctx context.Context, measurementID string) (map[int64]bool, error) {
	return excludedResponses(ctx, db.db, measurementID)
}

func excludedResponses(ctx context.Context, q querier, measurementID string) (map[int64]bool, error) {
	rows, err := q.QueryContext(ctx, `SELECT e.response_id FROM exclusions e JOIN responses r ON r.id = e.response_id
		WHERE r.measurement_id = $1 AND e.reverted_at IS NULL`, measurementID)
	if err != nil {
		return nil, fmt.Errorf("postgres: excluded responses: %w", err)
	}
	defer rows.Close()
	out := map[int64]bool{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("postgres: excluded responses: %w", err)
		}
		out[id] = true
	}
	return out, rows.Err()
}

// readTx runs fn in a read-only repeatable-read transaction: every query
// of fn sees one snapshot.
func (db *DB) readTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead})
	if err != nil {
		return fmt.Errorf("postgres: begin read: %w", err)
	}
	defer tx.Rollback()
	return fn(tx)
}

// CompletedResponses returns the measurement's submitted responses with
// their answers and total answering time, in submission order.
func (db *DB) CompletedResponses(ctx context.Context, measurementID string) ([]fieldwork.Completed, error) {
	var out []fieldwork.Completed
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT r.id, r.version, r.mode, r.interviewer, r.submitted_at,
				coalesce((SELECT sum(elapsed_ms) FROM page_paradata p WHERE p.response_id = r.id), 0)
			FROM responses r WHERE r.measurement_id = $1 AND r.status = 'submitted' ORDER BY r.submitted_at, r.id`, measurementID)
		if err != nil {
			return fmt.Errorf("postgres: completed responses: %w", err)
		}
		idx := map[int64]int{}
		for rows.Next() {
			var c fieldwork.Completed
			var ms int64
			if err := rows.Scan(&c.ID, &c.Version, &c.Mode, &c.Interviewer, &c.SubmittedAt, &ms); err != nil {
				rows.Close()
				return fmt.Errorf("postgres: completed responses: %w", err)
			}
			c.SubmittedAt = utc(c.SubmittedAt)
			c.Seconds = float64(ms) / 1000
			c.Answers = survey.Answers{}
			idx[c.ID] = len(out)
			out = append(out, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("postgres: completed responses: %w", err)
		}
		arows, err := tx.QueryContext(ctx, `SELECT a.response_id, a.item_id, a.value FROM answers a JOIN responses r ON r.id = a.response_id
			WHERE r.measurement_id = $1 AND r.status = 'submitted' ORDER BY a.response_id, a.item_id, a.position`, measurementID)
		if err != nil {
			return fmt.Errorf("postgres: completed answers: %w", err)
		}
		defer arows.Close()
		for arows.Next() {
			var id int64
			var item, v string
			if err := arows.Scan(&id, &item, &v); err != nil {
				return fmt.Errorf("postgres: completed answers: %w", err)
			}
			if i, ok := idx[id]; ok {
				out[i].Answers[item] = append(out[i].Answers[item], v)
			}
		}
		return arows.Err()
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// FieldworkProgress gathers the monitor's figures: released cases by
// district and disposition, submitted responses by mode and by day (UTC),
// and the quota cells.
func (db *DB) FieldworkProgress(ctx context.Context, measurementID string) (*fieldwork.Progress, error) {
	m, err := db.Measurement(ctx, measurementID)
	if err != nil {
		return nil, err
	}
	p := &fieldwork.Progress{Modes: map[string]int{}}
	for _, d := range m.Districts {
		p.Districts = append(p.Districts, fieldwork.DistrictProgress{District: d.Code})
	}
	find := func(d string) *fieldwork.DistrictProgress {
		for i := range p.Districts {
			if p.Districts[i].District == d {
				return &p.Districts[i]
			}
		}
		p.Districts = append(p.Districts, fieldwork.DistrictProgress{District: d})
		return &p.Districts[len(p.Districts)-1]
	}
	err = db.readTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT c.district, c.disposition, `+lastContactSQL+`, count(*) FROM cases c
			WHERE c.measurement_id = $1 AND c.released GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`, measurementID)
		if err != nil {
			return fmt.Errorf("postgres: progress: %w", err)
		}
		for rows.Next() {
			var d, disp, last string
			var n int
			if err := rows.Scan(&d, &disp, &last, &n); err != nil {
				rows.Close()
				return fmt.Errorf("postgres: progress: %w", err)
			}
			disp = fieldwork.AAPORDisposition(disp, last)
			dp := find(d)
			if err := dp.Counts.Add(disp, n); err != nil {
				rows.Close()
				return err
			}
			dp.Released += n
			p.Overall.Add(disp, n)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("postgres: progress: %w", err)
		}
		rows, err = tx.QueryContext(ctx, `SELECT mode, to_char(submitted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, count(*) FROM responses
			WHERE measurement_id = $1 AND status = 'submitted' GROUP BY mode, day ORDER BY day, mode`, measurementID)
		if err != nil {
			return fmt.Errorf("postgres: progress: %w", err)
		}
		days := map[string]int{}
		var order []string
		for rows.Next() {
			var mode, day string
			var n int
			if err := rows.Scan(&mode, &day, &n); err != nil {
				rows.Close()
				return fmt.Errorf("postgres: progress: %w", err)
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
			return fmt.Errorf("postgres: progress: %w", err)
		}
		for _, d := range order {
			p.PerDay = append(p.PerDay, fieldwork.DayCount{Day: d, Count: days[d]})
		}
		ex, err := excludedResponses(ctx, tx, measurementID)
		if err != nil {
			return err
		}
		p.Excluded = len(ex)
		return nil
	})
	if err != nil {
		return nil, err
	}
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
