package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
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
		_, err := tx.Exec(`INSERT INTO measurements (id, city_zh, city_en, title_zh, title_en, year, office_zh, office_en, status, prev_id, created_at, kind)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			m.ID, m.City.Zh, m.City.En, m.Title.Zh, m.Title.En, m.Year, m.Office.Zh, m.Office.En, m.Status, prev, fmtTime(m.CreatedAt), m.Kind)
		if isConstraint(err) {
			return survey.Errorf(survey.ECONFLICT, "测评 %s 已存在", "measurement %s already exists", m.ID)
		}
		if err != nil {
			if m.PrevID != "" && isForeignKey(err) {
				return survey.Errorf(survey.EINVALID, "上一年的测评 %s 不存在", "last year's measurement %s does not exist", m.PrevID)
			}
			return fmt.Errorf("sqlite: create measurement: %w", err)
		}
		for i, d := range m.Districts {
			if _, err := tx.Exec(`INSERT INTO districts (measurement_id, code, name_zh, name_en, position) VALUES (?, ?, ?, ?, ?)`,
				m.ID, d.Code, d.Name.Zh, d.Name.En, i); err != nil {
				return fmt.Errorf("sqlite: create district %s: %w", d.Code, err)
			}
		}
		for i, sc := range m.Sectors {
			if _, err := tx.Exec(`INSERT INTO sectors (measurement_id, code, name_zh, name_en, position) VALUES (?, ?, ?, ?, ?)`,
				m.ID, sc.Code, sc.Name.Zh, sc.Name.En, i); err != nil {
				return fmt.Errorf("sqlite: create sector %s: %w", sc.Code, err)
			}
		}
		_, err = tx.Exec(`INSERT INTO questionnaire_versions (measurement_id, version, body, sha256, created_at) VALUES (?, 1, ?, ?, ?)`,
			m.ID, body, sum, fmtTime(m.CreatedAt))
		if err != nil {
			return fmt.Errorf("sqlite: create questionnaire version: %w", err)
		}
		return nil
	})
}

// querier is what *sql.DB, *sql.Tx and *sql.Conn share.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Measurement returns one measurement with its districts (ENOTFOUND).
func (db *DB) Measurement(ctx context.Context, id string) (*survey.Measurement, error) {
	return db.getMeasurement(ctx, db.rdb, id)
}

const measurementCols = `id, city_zh, city_en, title_zh, title_en, year, office_zh, office_en, status, coalesce(prev_id, ''), created_at, kind`

func scanMeasurement(sc interface{ Scan(...any) error }) (*survey.Measurement, error) {
	var m survey.Measurement
	var created string
	err := sc.Scan(&m.ID, &m.City.Zh, &m.City.En, &m.Title.Zh, &m.Title.En, &m.Year, &m.Office.Zh, &m.Office.En, &m.Status, &m.PrevID, &created, &m.Kind)
	if err != nil {
		return nil, err
	}
	if m.CreatedAt, err = parseTime(created); err != nil {
		return nil, err
	}
	return &m, nil
}

func (db *DB) getMeasurement(ctx context.Context, q querier, id string) (*survey.Measurement, error) {
	m, err := scanMeasurement(q.QueryRowContext(ctx, `SELECT `+measurementCols+` FROM measurements WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, survey.Errorf(survey.ENOTFOUND, "没有编号为 %s 的测评", "no measurement with id %s", id)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: measurement %s: %w", id, err)
	}
	if m.Districts, err = db.districts(ctx, q, id); err != nil {
		return nil, err
	}
	if m.Sectors, err = db.sectors(ctx, q, m); err != nil {
		return nil, err
	}
	return m, nil
}

// districts returns a measurement's districts. They never change once the
// measurement is created, so they are read once per process and copied
// out of the cache.
func (db *DB) districts(ctx context.Context, q querier, id string) ([]survey.District, error) {
	if ds, ok := db.dcache.Load(id); ok {
		return slices.Clone(ds.([]survey.District)), nil
	}
	rows, err := q.QueryContext(ctx, `SELECT code, name_zh, name_en FROM districts WHERE measurement_id = ? ORDER BY position`, id)
	if err != nil {
		return nil, fmt.Errorf("sqlite: districts of %s: %w", id, err)
	}
	defer rows.Close()
	var ds []survey.District
	for rows.Next() {
		var d survey.District
		if err := rows.Scan(&d.Code, &d.Name.Zh, &d.Name.En); err != nil {
			return nil, fmt.Errorf("sqlite: districts of %s: %w", id, err)
		}
		ds = append(ds, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: districts of %s: %w", id, err)
	}
	if len(ds) > 0 { // an empty list may be a measurement not yet committed
		db.dcache.Store(id, slices.Clone(ds))
	}
	return ds, nil
}

// sectors returns a service measurement's sectors (nil for a resident
// one, without a query). Like districts they never change, so they are
// cached per process.
func (db *DB) sectors(ctx context.Context, q querier, m *survey.Measurement) ([]survey.Sector, error) {
	if m.Kind != survey.KindService {
		return nil, nil
	}
	if ss, ok := db.scache.Load(m.ID); ok {
		return slices.Clone(ss.([]survey.Sector)), nil
	}
	rows, err := q.QueryContext(ctx, `SELECT code, name_zh, name_en FROM sectors WHERE measurement_id = ? ORDER BY position`, m.ID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: sectors of %s: %w", m.ID, err)
	}
	defer rows.Close()
	var ss []survey.Sector
	for rows.Next() {
		var sc survey.Sector
		if err := rows.Scan(&sc.Code, &sc.Name.Zh, &sc.Name.En); err != nil {
			return nil, fmt.Errorf("sqlite: sectors of %s: %w", m.ID, err)
		}
		ss = append(ss, sc)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: sectors of %s: %w", m.ID, err)
	}
	if len(ss) > 0 {
		db.scache.Store(m.ID, slices.Clone(ss))
	}
	return ss, nil
}

// Measurements lists all measurements with their districts, newest first.
func (db *DB) Measurements(ctx context.Context) ([]*survey.Measurement, error) {
	rows, err := db.rdb.QueryContext(ctx, `SELECT `+measurementCols+` FROM measurements ORDER BY created_at DESC, year DESC, id`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: measurements: %w", err)
	}
	var ms []*survey.Measurement
	for rows.Next() {
		m, err := scanMeasurement(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("sqlite: measurements: %w", err)
		}
		ms = append(ms, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: measurements: %w", err)
	}
	for _, m := range ms {
		if m.Districts, err = db.districts(ctx, db.rdb, m.ID); err != nil {
			return nil, err
		}
		if m.Sectors, err = db.sectors(ctx, db.rdb, m); err != nil {
			return nil, err
		}
	}
	return ms, nil
}

// SetMeasurementStatus opens, closes or reopens a measurement. Links of a
// closed measurement answer EGONE.
func (db *DB) SetMeasurementStatus(ctx context.Context, id, status string) error {
	switch status {
	case survey.StatusDraft, survey.StatusOpen, survey.StatusClosed:
	default:
		return survey.Errorf(survey.EINVALID, "状态 %q 无效（应为 draft、open 或 closed）", "status %q is not draft, open or closed", status)
	}
	return db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.Exec(`UPDATE measurements SET status = ? WHERE id = ?`, status, id)
		if err != nil {
			return fmt.Errorf("sqlite: set status of %s: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return survey.Errorf(survey.ENOTFOUND, "没有编号为 %s 的测评", "no measurement with id %s", id)
		}
		return nil
	})
}
