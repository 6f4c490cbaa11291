package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"time"

	"manyi/survey"
)

// idPattern is what a measurement id may look like: it appears in URLs and
// file names, so lower-case letters, digits, '-' and '_'.
var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)

// checkMeasurement returns the problems of m that the store cannot accept.
func checkMeasurement(m *survey.Measurement) error {
	var fields []survey.FieldError
	add := func(field, zh, en string) {
		fields = append(fields, survey.FieldError{Field: field, Message: survey.Text{Zh: zh, En: en}})
	}
	if !idPattern.MatchString(m.ID) {
		add("id", "编号只能包含小写字母、数字、- 和 _（最多 64 个字符）", "the id may only contain lower-case letters, digits, - and _ (at most 64 characters)")
	}
	if m.City.Zh == "" {
		add("city", "请填写城市名称", "the city name is missing")
	}
	if m.Title.Zh == "" {
		add("title", "请填写测评名称", "the title is missing")
	}
	if m.Year < 2000 || m.Year > 2100 {
		add("year", "年份应在 2000–2100 之间", "the year must be from 2000 to 2100")
	}
	switch m.Status {
	case survey.StatusDraft, survey.StatusOpen, survey.StatusClosed:
	default:
		add("status", "状态应为 draft、open 或 closed", "the status must be draft, open or closed")
	}
	seen := map[string]bool{}
	for i, d := range m.Districts {
		f := fmt.Sprintf("districts[%d]", i)
		switch {
		case d.Code == "":
			add(f, "区县代码为空", "the district code is empty")
		case seen[d.Code]:
			add(f, "区县代码 "+d.Code+" 重复", "the district code "+d.Code+" appears twice")
		}
		seen[d.Code] = true
		if d.Name.Zh == "" {
			add(f, "区县名称为空", "the district name is empty")
		}
	}
	if len(fields) == 0 {
		return nil
	}
	return &survey.Error{
		Code: survey.EINVALID,
		Message: survey.Text{
			Zh: "测评信息有误：" + fields[0].Field + " " + fields[0].Message.Zh,
			En: "the measurement is not valid: " + fields[0].Field + ": " + fields[0].Message.En,
		},
		Fields: fields,
	}
}

// checkQuestionnaire refuses a questionnaire with problems, naming the first
// few with their paths.
func checkQuestionnaire(q *survey.Questionnaire) error {
	if q == nil {
		return survey.Errorf(survey.EINVALID, "问卷为空", "the questionnaire is missing")
	}
	probs := q.Validate()
	if len(probs) == 0 {
		return nil
	}
	msg := ""
	for i, p := range probs {
		if i == 3 {
			msg += fmt.Sprintf("; … (%d in all)", len(probs))
			break
		}
		if i > 0 {
			msg += "; "
		}
		msg += p.String()
	}
	return survey.Errorf(survey.EINVALID, "问卷有误：%s", "the questionnaire is not valid: %s", msg)
}

func errNoMeasurement(id string) error {
	return survey.Errorf(survey.ENOTFOUND, "没有编号为 %s 的测评", "no measurement with id %s", id)
}

// CreateMeasurement stores m with q as questionnaire version 1. An empty
// status becomes draft and a zero CreatedAt the current time; both are
// written back to m.
func (db *DB) CreateMeasurement(ctx context.Context, m *survey.Measurement, q *survey.Questionnaire) error {
	if m == nil {
		return survey.Errorf(survey.EINVALID, "测评为空", "the measurement is missing")
	}
	if m.Status == "" {
		m.Status = survey.StatusDraft
	}
	if err := checkMeasurement(m); err != nil {
		return err
	}
	if err := checkQuestionnaire(q); err != nil {
		return err
	}
	body, sum, err := encodeQuestionnaire(q)
	if err != nil {
		return err
	}
	if m.CreatedAt.IsZero() {
		m.CreatedAt = db.now()
	}
	m.CreatedAt = m.CreatedAt.UTC().Truncate(time.Microsecond) // what the column keeps
	return db.write(ctx, func(tx *sql.Tx) error {
		var prev any
		if m.PrevID != "" {
			prev = m.PrevID
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO measurements (id, city_zh, city_en, title_zh, title_en, year, office_zh, office_en, status, prev_id, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
			m.ID, m.City.Zh, m.City.En, m.Title.Zh, m.Title.En, m.Year, m.Office.Zh, m.Office.En, m.Status, prev, m.CreatedAt)
		if isConstraint(err) {
			return survey.Errorf(survey.ECONFLICT, "测评 %s 已存在", "measurement %s already exists", m.ID)
		}
		if err != nil {
			if m.PrevID != "" && isForeignKey(err) {
				return survey.Errorf(survey.EINVALID, "上一年的测评 %s 不存在", "last year's measurement %s does not exist", m.PrevID)
			}
			return fmt.Errorf("postgres: create measurement: %w", err)
		}
		for i, d := range m.Districts {
			if _, err := tx.ExecContext(ctx, `INSERT INTO districts (measurement_id, code, name_zh, name_en, position) VALUES ($1, $2, $3, $4, $5)`,
				m.ID, d.Code, d.Name.Zh, d.Name.En, i); err != nil {
				return fmt.Errorf("postgres: create district %s: %w", d.Code, err)
			}
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO questionnaire_versions (measurement_id, version, body, sha256, created_at) VALUES ($1, 1, $2, $3, $4)`,
			m.ID, body, sum, m.CreatedAt)
		if err != nil {
			return fmt.Errorf("postgres: create questionnaire version: %w", err)
		}
		return nil
	})
}

// querier is what *sql.DB and *sql.Tx share.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// Measurement returns one measurement with its districts (ENOTFOUND).
func (db *DB) Measurement(ctx context.Context, id string) (*survey.Measurement, error) {
	return getMeasurement(ctx, db.db, id)
}

const measurementCols = `id, city_zh, city_en, title_zh, title_en, year, office_zh, office_en, status, coalesce(prev_id, ''), created_at`

func scanMeasurement(sc interface{ Scan(...any) error }) (*survey.Measurement, error) {
	var m survey.Measurement
	err := sc.Scan(&m.ID, &m.City.Zh, &m.City.En, &m.Title.Zh, &m.Title.En, &m.Year, &m.Office.Zh, &m.Office.En, &m.Status, &m.PrevID, &m.CreatedAt)
	if err != nil {
		return nil, err
	}
	m.CreatedAt = utc(m.CreatedAt)
	return &m, nil
}

func getMeasurement(ctx context.Context, q querier, id string) (*survey.Measurement, error) {
	m, err := scanMeasurement(q.QueryRowContext(ctx, `SELECT `+measurementCols+` FROM measurements WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNoMeasurement(id)
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: measurement %s: %w", id, err)
	}
	if m.Districts, err = districts(ctx, q, id); err != nil {
		return nil, err
	}
	return m, nil
}

// districts returns a measurement's districts in their order.
func districts(ctx context.Context, q querier, id string) ([]survey.District, error) {
	rows, err := q.QueryContext(ctx, `SELECT code, name_zh, name_en FROM districts WHERE measurement_id = $1 ORDER BY position`, id)
	if err != nil {
		return nil, fmt.Errorf("postgres: districts of %s: %w", id, err)
	}
	defer rows.Close()
	var ds []survey.District
	for rows.Next() {
		var d survey.District
		if err := rows.Scan(&d.Code, &d.Name.Zh, &d.Name.En); err != nil {
			return nil, fmt.Errorf("postgres: districts of %s: %w", id, err)
		}
		ds = append(ds, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: districts of %s: %w", id, err)
	}
	return ds, nil
}

// Measurements lists all measurements with their districts, newest first.
func (db *DB) Measurements(ctx context.Context) ([]*survey.Measurement, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT `+measurementCols+` FROM measurements ORDER BY created_at DESC, year DESC, id`)
	if err != nil {
		return nil, fmt.Errorf("postgres: measurements: %w", err)
	}
	var ms []*survey.Measurement
	for rows.Next() {
		m, err := scanMeasurement(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("postgres: measurements: %w", err)
		}
		ms = append(ms, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: measurements: %w", err)
	}
	for _, m := range ms {
		if m.Districts, err = districts(ctx, db.db, m.ID); err != nil {
			return nil, err
		}
	}
	return ms, nil
}

// SetMeasurementStatus opens, closes or reopens a measurement. Links of a
// closed measurement answer EGONE on every server at once: nothing caches
// the status.
func (db *DB) SetMeasurementStatus(ctx context.Context, id, status string) error {
	switch status {
	case survey.StatusDraft, survey.StatusOpen, survey.StatusClosed:
	default:
		return survey.Errorf(survey.EINVALID, "状态 %q 无效（应为 draft、open 或 closed）", "status %q is not draft, open or closed", status)
	}
	return db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE measurements SET status = $1 WHERE id = $2`, status, id)
		if err != nil {
			return fmt.Errorf("postgres: set status of %s: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errNoMeasurement(id)
		}
		return nil
	})
}
