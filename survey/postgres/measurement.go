package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"manyi/survey"
	"manyi/survey/internal/storekit"
)

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
	if m.Kind == "" {
		m.Kind = survey.KindResident
	}
	if err := storekit.CheckMeasurement(m); err != nil {
		return err
	}
	if err := storekit.CheckQuestionnaire(q); err != nil {
		return err
	}
	if err := storekit.CheckServiceQuestionnaire(m, q); err != nil {
		return err
	}
	body, sum, err := storekit.EncodeQuestionnaire(q)
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
		_, err := tx.ExecContext(ctx, `INSERT INTO measurements (id, city_zh, city_en, title_zh, title_en, year, office_zh, office_en, status, prev_id, created_at, kind)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
			m.ID, m.City.Zh, m.City.En, m.Title.Zh, m.Title.En, m.Year, m.Office.Zh, m.Office.En, m.Status, prev, m.CreatedAt, m.Kind)
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
		for i, sc := range m.Sectors {
			if _, err := tx.ExecContext(ctx, `INSERT INTO sectors (measurement_id, code, name_zh, name_en, position) VALUES ($1, $2, $3, $4, $5)`,
				m.ID, sc.Code, sc.Name.Zh, sc.Name.En, i); err != nil {
				return fmt.Errorf("postgres: create sector %s: %w", sc.Code, err)
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

const measurementCols = `id, city_zh, city_en, title_zh, title_en, year, office_zh, office_en, status, coalesce(prev_id, ''), created_at, kind`

func scanMeasurement(sc interface{ Scan(...any) error }) (*survey.Measurement, error) {
	var m survey.Measurement
	err := sc.Scan(&m.ID, &m.City.Zh, &m.City.En, &m.Title.Zh, &m.Title.En, &m.Year, &m.Office.Zh, &m.Office.En, &m.Status, &m.PrevID, &m.CreatedAt, &m.Kind)
	if err != nil {
		return nil, err
	}
	m.CreatedAt = utc(m.CreatedAt)
	return &m, nil
}

func getMeasurement(ctx context.Context, q querier, id string) (*survey.Measurement, error) {
	m, err := scanMeasurement(q.QueryRowContext(ctx, `SELECT `+measurementCols+` FROM measurements WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, storekit.ErrNoMeasurement(id)
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: measurement %s: %w", id, err)
	}
	if err := readPlaces(ctx, q, m); err != nil {
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

// readPlaces fills m's districts and, for a service measurement, its
// sectors.
func readPlaces(ctx context.Context, q querier, m *survey.Measurement) error {
	var err error
	if m.Districts, err = districts(ctx, q, m.ID); err != nil {
		return err
	}
	if m.Kind != survey.KindService {
		return nil
	}
	rows, err := q.QueryContext(ctx, `SELECT code, name_zh, name_en FROM sectors WHERE measurement_id = $1 ORDER BY position`, m.ID)
	if err != nil {
		return fmt.Errorf("postgres: sectors of %s: %w", m.ID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var sc survey.Sector
		if err := rows.Scan(&sc.Code, &sc.Name.Zh, &sc.Name.En); err != nil {
			return fmt.Errorf("postgres: sectors of %s: %w", m.ID, err)
		}
		m.Sectors = append(m.Sectors, sc)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("postgres: sectors of %s: %w", m.ID, err)
	}
	return nil
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
		if err := readPlaces(ctx, db.db, m); err != nil {
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
			return storekit.ErrNoMeasurement(id)
		}
		return nil
	})
}
