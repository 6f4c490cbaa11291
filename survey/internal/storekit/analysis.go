package storekit

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"time"

	"manyi/survey"
	"manyi/survey/analysis"
)

// MeasurementExists returns ENOTFOUND when the measurement is unknown.
func MeasurementExists(ctx context.Context, d *Dialect, q Querier, id string) error {
	var one int
	err := d.QueryRow(ctx, q, `SELECT 1 FROM measurements WHERE id = ?`, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNoMeasurement(id)
	}
	if err != nil {
		return d.Errorf("measurement %s: %w", id, err)
	}
	return nil
}

// WeightingBody validates spec and returns its stored form (JSON).
func WeightingBody(d *Dialect, spec analysis.WeightingSpec) ([]byte, error) {
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	body, err := json.Marshal(spec)
	if err != nil {
		return nil, d.Errorf("weighting spec: %w", err)
	}
	return body, nil
}

// InsertWeighting stores spec (JSON) as the measurement's next weighting
// version inside the caller's write transaction, which has made sure the
// measurement exists (and on PostgreSQL holds its row lock, numbering
// concurrent saves one after the other). It returns the version.
func InsertWeighting(ctx context.Context, d *Dialect, tx Querier, measurementID string, spec []byte, by string, now time.Time) (int, error) {
	var v int
	if err := d.QueryRow(ctx, tx, `SELECT coalesce(max(version), 0) + 1 FROM weighting_specs WHERE measurement_id = ?`, measurementID).Scan(&v); err != nil {
		return 0, d.Errorf("save weighting: %w", err)
	}
	if _, err := d.Exec(ctx, tx, `INSERT INTO weighting_specs (measurement_id, version, spec, created_by, created_at) VALUES (?, ?, ?, ?, ?)`,
		measurementID, v, string(spec), by, d.TimeArg(now)); err != nil {
		return 0, d.Errorf("save weighting: %w", err)
	}
	return v, nil
}

// weightingCols are the columns ScanWeighting reads.
const weightingCols = `version, spec, created_by, created_at`

// ScanWeighting reads one weighting version (weightingCols) of the
// measurement; sql.ErrNoRows passes through unwrapped.
func ScanWeighting(d *Dialect, measurementID string, sc Scanner) (*analysis.WeightingVersion, error) {
	w := &analysis.WeightingVersion{MeasurementID: measurementID}
	var spec string
	if err := sc.Scan(&w.Version, &spec, &w.CreatedBy, d.TimeDest(&w.CreatedAt)); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
		return nil, d.Errorf("weighting: %w", err)
	}
	if err := json.Unmarshal([]byte(spec), &w.Spec); err != nil {
		return nil, d.Errorf("weighting %s v%d: bad spec: %w", measurementID, w.Version, err)
	}
	return w, nil
}

// WeightingVersion returns one saved weighting version (ENOTFOUND).
func WeightingVersion(ctx context.Context, d *Dialect, q Querier, measurementID string, version int) (*analysis.WeightingVersion, error) {
	row := d.QueryRow(ctx, q, `SELECT `+weightingCols+` FROM weighting_specs WHERE measurement_id = ? AND version = ?`, measurementID, version)
	w, err := ScanWeighting(d, measurementID, row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, survey.Errorf(survey.ENOTFOUND, "测评 %s 没有第 %d 版加权设置", "measurement %s has no weighting version %d", measurementID, version)
	}
	return w, err
}

// WeightingVersions lists the newest limit saved weighting versions
// (limit ≤ 0: all), newest first.
func WeightingVersions(ctx context.Context, d *Dialect, q Querier, measurementID string, limit int) ([]analysis.WeightingVersion, error) {
	query := `SELECT ` + weightingCols + ` FROM weighting_specs WHERE measurement_id = ? ORDER BY version DESC`
	args := []any{measurementID}
	if limit > 0 {
		query += ` LIMIT ?`
		args = append(args, limit)
	}
	rows, err := d.Query(ctx, q, query, args...)
	if err != nil {
		return nil, d.Errorf("weighting versions: %w", err)
	}
	defer rows.Close()
	var out []analysis.WeightingVersion
	for rows.Next() {
		w, err := ScanWeighting(d, measurementID, rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *w)
	}
	return out, rows.Err()
}

// Weighting returns the current (newest) weighting version; with none
// saved, version 0 holding analysis.DefaultWeightingSpec once exists
// (the adapter's measurement lookup) says the measurement is known.
func Weighting(ctx context.Context, d *Dialect, q Querier, measurementID string, exists func() error) (*analysis.WeightingVersion, error) {
	vs, err := WeightingVersions(ctx, d, q, measurementID, 1)
	if err != nil {
		return nil, err
	}
	if len(vs) == 0 {
		if err := exists(); err != nil {
			return nil, err
		}
		return &analysis.WeightingVersion{MeasurementID: measurementID, Spec: analysis.DefaultWeightingSpec()}, nil
	}
	return &vs[0], nil
}

// Census returns the measurement's census cells in district, gender
// (descending) and age band order, or nil when none was imported; collate
// is "" or the dialect's clause that orders text bytewise.
func Census(ctx context.Context, d *Dialect, q Querier, measurementID, collate string) (*analysis.Census, error) {
	rows, err := d.Query(ctx, q, `SELECT c.district, c.gender, c.age_band, c.count FROM census_cells c
		LEFT JOIN districts d ON d.measurement_id = c.measurement_id AND d.code = c.district
		WHERE c.measurement_id = ? ORDER BY d.position, c.gender`+collate+` DESC, c.age_band`+collate, measurementID)
	cells, err := ScanAll(d, "census", rows, err, func(sc Scanner) (analysis.CensusCell, error) {
		var cell analysis.CensusCell
		err := sc.Scan(&cell.District, &cell.Gender, &cell.AgeBand, &cell.Count)
		return cell, err
	})
	if err != nil || len(cells) == 0 {
		return nil, err
	}
	return &analysis.Census{Cells: cells}, nil
}

// ImportCensus reads a census file (analysis.ReadCensusCSV) and stores it
// with set, the adapter's SetCensus.
func ImportCensus(r io.Reader, set func(*analysis.Census) error) (*analysis.Census, error) {
	c, err := analysis.ReadCensusCSV(r)
	if err != nil {
		return nil, err
	}
	if err := set(c); err != nil {
		return nil, err
	}
	return c, nil
}

// IndexMethodBody validates m against the questionnaire q and returns its
// stored form (JSON).
func IndexMethodBody(d *Dialect, q *survey.Questionnaire, m analysis.IndexMethod) ([]byte, error) {
	if err := m.Validate(q); err != nil {
		return nil, err
	}
	body, err := json.Marshal(m)
	if err != nil {
		return nil, d.Errorf("index method: %w", err)
	}
	return body, nil
}

// SetIndexMethod stores a measurement's index method (JSON) inside the
// caller's write transaction; the last write wins.
func SetIndexMethod(ctx context.Context, d *Dialect, tx Querier, measurementID string, method []byte, by string, now time.Time) error {
	if _, err := d.Exec(ctx, tx, `INSERT INTO index_methods (measurement_id, method, updated_by, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (measurement_id) DO UPDATE SET method = excluded.method, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
		measurementID, string(method), by, d.TimeArg(now)); err != nil {
		return d.Errorf("index method: %w", err)
	}
	return nil
}

// IndexMethod returns the measurement's index method; equal when none was
// set.
func IndexMethod(ctx context.Context, d *Dialect, q Querier, measurementID string) (analysis.IndexMethod, error) {
	var body string
	err := d.QueryRow(ctx, q, `SELECT method FROM index_methods WHERE measurement_id = ?`, measurementID).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return analysis.IndexMethod{Method: analysis.MethodEqual}, nil
	}
	if err != nil {
		return analysis.IndexMethod{}, d.Errorf("index method: %w", err)
	}
	var m analysis.IndexMethod
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		return analysis.IndexMethod{}, d.Errorf("index method of %s: %w", measurementID, err)
	}
	return m, nil
}

// CheckPrevID refuses a measurement as its own previous year (prevID
// "" is no link).
func CheckPrevID(id, prevID string) error {
	if prevID == id && id != "" {
		return survey.Errorf(survey.EINVALID, "测评 %s 不能以自身作为上一年度", "measurement %s cannot be its own previous year", id)
	}
	return nil
}

// SetPrev links measurement id, which the caller's write transaction has
// made sure exists, to last year's prevID ("" removes the link), refusing
// an unknown prevID and two measurements preceding each other.
func SetPrev(ctx context.Context, d *Dialect, tx Querier, id, prevID string) error {
	var prev any
	if prevID != "" {
		var back sql.NullString
		err := d.QueryRow(ctx, tx, `SELECT prev_id FROM measurements WHERE id = ?`, prevID).Scan(&back)
		if errors.Is(err, sql.ErrNoRows) {
			return survey.Errorf(survey.EINVALID, "上一年的测评 %s 不存在", "last year's measurement %s does not exist", prevID)
		}
		if err != nil {
			return d.Errorf("link measurement: %w", err)
		}
		if back.Valid && back.String == id {
			return survey.Errorf(survey.EINVALID, "测评 %s 已以 %s 为上一年度，不能互为上一年度", "measurement %s already has %s as its previous year; they cannot precede each other", prevID, id)
		}
		prev = prevID
	}
	if _, err := d.Exec(ctx, tx, `UPDATE measurements SET prev_id = ? WHERE id = ?`, prev, id); err != nil {
		return d.Errorf("link measurement: %w", err)
	}
	return nil
}

// ConclusionParagraphs checks lang ("zh" or "en") and returns the
// non-empty paragraphs trimmed, as the JSON array a store keeps (an empty
// array means "generate them again").
func ConclusionParagraphs(lang string, paragraphs []string) ([]string, []byte, error) {
	if lang != survey.LangZh && lang != survey.LangEn {
		return nil, nil, survey.Errorf(survey.EINVALID, "语言 %q 无效：应为 zh 或 en", "language %q is not zh or en", lang)
	}
	ps := []string{}
	for _, p := range paragraphs {
		if p = strings.TrimSpace(p); p != "" {
			ps = append(ps, p)
		}
	}
	body, err := json.Marshal(ps)
	if err != nil {
		return nil, nil, err
	}
	return ps, body, nil
}

// InsertConclusions stores paragraphs (JSON) as the next conclusions
// version in lang inside the caller's write transaction, which has made
// sure the measurement exists. It returns the version.
func InsertConclusions(ctx context.Context, d *Dialect, tx Querier, measurementID, lang string, paragraphs []byte, by string, now time.Time) (int, error) {
	var v int
	if err := d.QueryRow(ctx, tx, `SELECT coalesce(max(version), 0) + 1 FROM report_conclusions WHERE measurement_id = ? AND lang = ?`, measurementID, lang).Scan(&v); err != nil {
		return 0, d.Errorf("save conclusions: %w", err)
	}
	if _, err := d.Exec(ctx, tx, `INSERT INTO report_conclusions (measurement_id, lang, version, paragraphs, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		measurementID, lang, v, string(paragraphs), by, d.TimeArg(now)); err != nil {
		return 0, d.Errorf("save conclusions: %w", err)
	}
	return v, nil
}

// Conclusions returns the newest saved conclusions in lang, or nil when the
// office has saved none (the report then generates them).
func Conclusions(ctx context.Context, d *Dialect, q Querier, measurementID, lang string) (*survey.ConclusionsVersion, error) {
	c := &survey.ConclusionsVersion{MeasurementID: measurementID, Lang: lang}
	var body string
	err := d.QueryRow(ctx, q, `SELECT version, paragraphs, created_by, created_at FROM report_conclusions
		WHERE measurement_id = ? AND lang = ? ORDER BY version DESC LIMIT 1`, measurementID, lang).Scan(&c.Version, &body, &c.CreatedBy, d.TimeDest(&c.CreatedAt))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, d.Errorf("conclusions: %w", err)
	}
	if err := json.Unmarshal([]byte(body), &c.Paragraphs); err != nil {
		return nil, d.Errorf("conclusions of %s: %w", measurementID, err)
	}
	return c, nil
}
