package storekit

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"manyi/survey"
)

// PrepareMeasurement fills m's defaults (status draft, kind resident,
// CreatedAt now when zero, truncated to the microsecond both databases
// keep), checks m and q and returns q's stored form and hash, before a
// store writes anything.
func PrepareMeasurement(m *survey.Measurement, q *survey.Questionnaire, now time.Time) (body, sum string, err error) {
	if m == nil {
		return "", "", survey.Errorf(survey.EINVALID, "测评为空", "the measurement is missing")
	}
	if m.Status == "" {
		m.Status = survey.StatusDraft
	}
	if m.Kind == "" {
		m.Kind = survey.KindResident
	}
	if err := CheckMeasurement(m); err != nil {
		return "", "", err
	}
	if err := CheckQuestionnaire(q); err != nil {
		return "", "", err
	}
	if err := CheckServiceQuestionnaire(m, q); err != nil {
		return "", "", err
	}
	if body, sum, err = EncodeQuestionnaire(q); err != nil {
		return "", "", err
	}
	if m.CreatedAt.IsZero() {
		m.CreatedAt = now
	}
	m.CreatedAt = m.CreatedAt.UTC().Truncate(time.Microsecond) // what the column keeps
	return body, sum, nil
}

// InsertMeasurement writes m (checked by PrepareMeasurement), its
// districts, sectors and questionnaire version 1 inside the caller's write
// transaction; isConstraint and isForeignKey recognise the database's
// unique and foreign-key violations.
func InsertMeasurement(ctx context.Context, d *Dialect, tx Querier, m *survey.Measurement, body, sum string, isConstraint, isForeignKey func(error) bool) error {
	var prev any
	if m.PrevID != "" {
		prev = m.PrevID
	}
	_, err := d.Exec(ctx, tx, `INSERT INTO measurements (id, city_zh, city_en, title_zh, title_en, year, office_zh, office_en, status, prev_id, created_at, kind)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		m.ID, m.City.Zh, m.City.En, m.Title.Zh, m.Title.En, m.Year, m.Office.Zh, m.Office.En, m.Status, prev, d.TimeArg(m.CreatedAt), m.Kind)
	if isConstraint(err) {
		return survey.Errorf(survey.ECONFLICT, "测评 %s 已存在", "measurement %s already exists", m.ID)
	}
	if err != nil {
		if m.PrevID != "" && isForeignKey(err) {
			return survey.Errorf(survey.EINVALID, "上一年的测评 %s 不存在", "last year's measurement %s does not exist", m.PrevID)
		}
		return d.Errorf("create measurement: %w", err)
	}
	for i, dc := range m.Districts {
		if _, err := d.Exec(ctx, tx, `INSERT INTO districts (measurement_id, code, name_zh, name_en, position) VALUES (?, ?, ?, ?, ?)`,
			m.ID, dc.Code, dc.Name.Zh, dc.Name.En, i); err != nil {
			return d.Errorf("create district %s: %w", dc.Code, err)
		}
	}
	for i, sc := range m.Sectors {
		if _, err := d.Exec(ctx, tx, `INSERT INTO sectors (measurement_id, code, name_zh, name_en, position) VALUES (?, ?, ?, ?, ?)`,
			m.ID, sc.Code, sc.Name.Zh, sc.Name.En, i); err != nil {
			return d.Errorf("create sector %s: %w", sc.Code, err)
		}
	}
	if _, err := d.Exec(ctx, tx, `INSERT INTO questionnaire_versions (measurement_id, version, body, sha256, created_at) VALUES (?, 1, ?, ?, ?)`,
		m.ID, body, sum, d.TimeArg(m.CreatedAt)); err != nil {
		return d.Errorf("create questionnaire version: %w", err)
	}
	return nil
}

// MeasurementCols are the columns of measurements that ScanMeasurement
// reads.
const MeasurementCols = `id, city_zh, city_en, title_zh, title_en, year, office_zh, office_en, status, coalesce(prev_id, ''), created_at, kind`

// ScanMeasurement reads one row of MeasurementCols (without districts
// and sectors).
func ScanMeasurement(d *Dialect, sc Scanner) (*survey.Measurement, error) {
	var m survey.Measurement
	err := sc.Scan(&m.ID, &m.City.Zh, &m.City.En, &m.Title.Zh, &m.Title.En, &m.Year, &m.Office.Zh, &m.Office.En, &m.Status, &m.PrevID, d.TimeDest(&m.CreatedAt), &m.Kind)
	if err != nil {
		return nil, err
	}
	return &m, nil
}

// MeasurementRows lists all measurements, newest first, without their
// districts and sectors (the adapter reads those, cached or not).
func MeasurementRows(ctx context.Context, d *Dialect, q Querier) ([]*survey.Measurement, error) {
	rows, err := d.Query(ctx, q, `SELECT `+MeasurementCols+` FROM measurements ORDER BY created_at DESC, year DESC, id`)
	return ScanAll(d, "measurements", rows, err, func(sc Scanner) (*survey.Measurement, error) { return ScanMeasurement(d, sc) })
}

// Districts returns a measurement's districts in their order.
func Districts(ctx context.Context, d *Dialect, q Querier, id string) ([]survey.District, error) {
	rows, err := d.Query(ctx, q, `SELECT code, name_zh, name_en FROM districts WHERE measurement_id = ? ORDER BY position`, id)
	return ScanAll(d, "districts of "+id, rows, err, func(sc Scanner) (survey.District, error) {
		var dc survey.District
		err := sc.Scan(&dc.Code, &dc.Name.Zh, &dc.Name.En)
		return dc, err
	})
}

// Sectors returns a measurement's sectors in their order.
func Sectors(ctx context.Context, d *Dialect, q Querier, id string) ([]survey.Sector, error) {
	rows, err := d.Query(ctx, q, `SELECT code, name_zh, name_en FROM sectors WHERE measurement_id = ? ORDER BY position`, id)
	return ScanAll(d, "sectors of "+id, rows, err, func(sc Scanner) (survey.Sector, error) {
		var s survey.Sector
		err := sc.Scan(&s.Code, &s.Name.Zh, &s.Name.En)
		return s, err
	})
}

// SetStatus sets a measurement's status inside the caller's write
// transaction, refusing an unknown status before anything is written.
func SetStatus(ctx context.Context, d *Dialect, tx Querier, id, status string) error {
	if err := CheckStatus(status); err != nil {
		return err
	}
	res, err := d.Exec(ctx, tx, `UPDATE measurements SET status = ? WHERE id = ?`, status, id)
	if err != nil {
		return d.Errorf("set status of %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNoMeasurement(id)
	}
	return nil
}

// CheckStatus refuses a measurement status other than draft, open and
// closed.
func CheckStatus(status string) error {
	switch status {
	case survey.StatusDraft, survey.StatusOpen, survey.StatusClosed:
		return nil
	}
	return survey.Errorf(survey.EINVALID, "状态 %q 无效（应为 draft、open 或 closed）", "status %q is not draft, open or closed", status)
}

// MeasurementRow returns one measurement without its districts and
// sectors (ENOTFOUND).
func MeasurementRow(ctx context.Context, d *Dialect, q Querier, id string) (*survey.Measurement, error) {
	m, err := ScanMeasurement(d, d.QueryRow(ctx, q, `SELECT `+MeasurementCols+` FROM measurements WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNoMeasurement(id)
	}
	if err != nil {
		return nil, d.Errorf("measurement %s: %w", id, err)
	}
	return m, nil
}
