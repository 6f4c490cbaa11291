package postgres

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"manyi/survey"
	"manyi/survey/analysis"
	"manyi/survey/auth"
	"manyi/survey/internal/storekit"
)

// auditTx appends an audit entry inside a write transaction, so that the
// change and its record commit together.
func (db *DB) auditTx(ctx context.Context, tx *sql.Tx, user, action, target string, detail map[string]any) error {
	b := []byte("{}")
	if len(detail) > 0 {
		var err error
		if b, err = json.Marshal(detail); err != nil {
			return fmt.Errorf("postgres: audit detail: %w", err)
		}
	}
	return audit(ctx, tx, db.now(), user, action, target, string(b), "")
}

// SaveWeighting validates spec and stores it as the measurement's next
// weighting version, which becomes the current one; the change is audited
// (weighting.save) under by. The measurement's row lock numbers
// concurrent saves from several servers one after the other.
func (db *DB) SaveWeighting(ctx context.Context, measurementID string, spec analysis.WeightingSpec, by string) (int, error) {
	if err := spec.Validate(); err != nil {
		return 0, err
	}
	body, err := json.Marshal(spec)
	if err != nil {
		return 0, fmt.Errorf("postgres: weighting spec: %w", err)
	}
	var version int
	err = db.write(ctx, func(tx *sql.Tx) error {
		if err := lockMeasurement(ctx, tx, measurementID); err != nil {
			return err
		}
		var v int
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) + 1 FROM weighting_specs WHERE measurement_id = $1`, measurementID).Scan(&v); err != nil {
			return fmt.Errorf("postgres: save weighting: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO weighting_specs (measurement_id, version, spec, created_by, created_at) VALUES ($1, $2, $3, $4, $5)`,
			measurementID, v, string(body), by, db.now()); err != nil {
			return fmt.Errorf("postgres: save weighting: %w", err)
		}
		if err := db.auditTx(ctx, tx, by, auth.ActionWeightingSave, measurementID, map[string]any{"version": v, "spec": json.RawMessage(body)}); err != nil {
			return err
		}
		version = v
		return nil
	})
	return version, err
}

// Weighting returns the current (newest) weighting version; with none
// saved it returns version 0 holding analysis.DefaultWeightingSpec.
// ENOTFOUND for an unknown measurement.
func (db *DB) Weighting(ctx context.Context, measurementID string) (*analysis.WeightingVersion, error) {
	vs, err := db.weightingVersions(ctx, measurementID, 1)
	if err != nil {
		return nil, err
	}
	if len(vs) == 0 {
		if _, err := db.Measurement(ctx, measurementID); err != nil {
			return nil, err
		}
		return &analysis.WeightingVersion{MeasurementID: measurementID, Spec: analysis.DefaultWeightingSpec()}, nil
	}
	return &vs[0], nil
}

// WeightingVersions lists every saved weighting version, newest first.
func (db *DB) WeightingVersions(ctx context.Context, measurementID string) ([]analysis.WeightingVersion, error) {
	return db.weightingVersions(ctx, measurementID, 0)
}

// WeightingVersion returns one saved version (ENOTFOUND).
func (db *DB) WeightingVersion(ctx context.Context, measurementID string, version int) (*analysis.WeightingVersion, error) {
	row := db.db.QueryRowContext(ctx, `SELECT version, spec, created_by, created_at FROM weighting_specs WHERE measurement_id = $1 AND version = $2`, measurementID, version)
	w, err := scanWeighting(measurementID, row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, survey.Errorf(survey.ENOTFOUND, "测评 %s 没有第 %d 版加权设置", "measurement %s has no weighting version %d", measurementID, version)
	}
	return w, err
}

// weightingVersions lists the newest limit versions (0: all).
func (db *DB) weightingVersions(ctx context.Context, measurementID string, limit int) ([]analysis.WeightingVersion, error) {
	var lim any
	if limit > 0 {
		lim = limit
	}
	rows, err := db.db.QueryContext(ctx, `SELECT version, spec, created_by, created_at FROM weighting_specs
		WHERE measurement_id = $1 ORDER BY version DESC LIMIT $2`, measurementID, lim)
	if err != nil {
		return nil, fmt.Errorf("postgres: weighting versions: %w", err)
	}
	defer rows.Close()
	var out []analysis.WeightingVersion
	for rows.Next() {
		w, err := scanWeighting(measurementID, rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *w)
	}
	return out, rows.Err()
}

func scanWeighting(measurementID string, sc interface{ Scan(...any) error }) (*analysis.WeightingVersion, error) {
	w := &analysis.WeightingVersion{MeasurementID: measurementID}
	var spec string
	if err := sc.Scan(&w.Version, &spec, &w.CreatedBy, &w.CreatedAt); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
		return nil, fmt.Errorf("postgres: weighting: %w", err)
	}
	w.CreatedAt = utc(w.CreatedAt)
	if err := json.Unmarshal([]byte(spec), &w.Spec); err != nil {
		return nil, fmt.Errorf("postgres: weighting %s v%d: bad spec: %w", measurementID, w.Version, err)
	}
	return w, nil
}

// ImportCensusCSV reads a census file (analysis.ReadCensusCSV), checks its
// districts against the measurement's and stores it in place of the
// previous census; audited under by.
func (db *DB) ImportCensusCSV(ctx context.Context, measurementID string, r io.Reader, by string) (*analysis.Census, error) {
	c, err := analysis.ReadCensusCSV(r)
	if err != nil {
		return nil, err
	}
	if err := db.SetCensus(ctx, measurementID, c, by); err != nil {
		return nil, err
	}
	return c, nil
}

// SetCensus replaces the measurement's census counts; every district must
// be one of the measurement's. Audited (weighting.save, what: census).
func (db *DB) SetCensus(ctx context.Context, measurementID string, c *analysis.Census, by string) error {
	m, err := db.Measurement(ctx, measurementID)
	if err != nil {
		return err
	}
	if err := storekit.CheckCensus(m, c); err != nil {
		return err
	}
	n := len(c.Cells)
	ds, gs, as, counts := make([]string, n), make([]string, n), make([]string, n), make([]float64, n)
	for i, cell := range c.Cells {
		ds[i], gs[i], as[i], counts[i] = cell.District, cell.Gender, cell.AgeBand, cell.Count
	}
	return db.write(ctx, func(tx *sql.Tx) error {
		if err := lockMeasurement(ctx, tx, measurementID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM census_cells WHERE measurement_id = $1`, measurementID); err != nil {
			return fmt.Errorf("postgres: set census: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO census_cells (measurement_id, district, gender, age_band, count)
			SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::float8[])`, measurementID, ds, gs, as, counts); err != nil {
			return fmt.Errorf("postgres: set census: %w", err)
		}
		return db.auditTx(ctx, tx, by, auth.ActionWeightingSave, measurementID, map[string]any{"what": "census", "cells": len(c.Cells), "total": c.Total()})
	})
}

// Census returns the measurement's census counts in district, gender and
// age band order, or nil when none was imported.
func (db *DB) Census(ctx context.Context, measurementID string) (*analysis.Census, error) {
	return census(ctx, db.db, measurementID)
}

func census(ctx context.Context, q querier, measurementID string) (*analysis.Census, error) {
	rows, err := q.QueryContext(ctx, `SELECT c.district, c.gender, c.age_band, c.count FROM census_cells c
		LEFT JOIN districts d ON d.measurement_id = c.measurement_id AND d.code = c.district
		WHERE c.measurement_id = $1 ORDER BY d.position, c.gender COLLATE "C" DESC, c.age_band COLLATE "C"`, measurementID)
	if err != nil {
		return nil, fmt.Errorf("postgres: census: %w", err)
	}
	defer rows.Close()
	var c analysis.Census
	for rows.Next() {
		var cell analysis.CensusCell
		if err := rows.Scan(&cell.District, &cell.Gender, &cell.AgeBand, &cell.Count); err != nil {
			return nil, fmt.Errorf("postgres: census: %w", err)
		}
		c.Cells = append(c.Cells, cell)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: census: %w", err)
	}
	if len(c.Cells) == 0 {
		return nil, nil
	}
	return &c, nil
}

// SetIndexMethod validates the method against the measurement's newest
// questionnaire and stores it (last write wins); audited.
func (db *DB) SetIndexMethod(ctx context.Context, measurementID string, m analysis.IndexMethod, by string) error {
	q, _, err := db.latestQuestionnaire(ctx, measurementID)
	if err != nil {
		return err
	}
	if err := m.Validate(q); err != nil {
		return err
	}
	body, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("postgres: index method: %w", err)
	}
	return db.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO index_methods (measurement_id, method, updated_by, updated_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (measurement_id) DO UPDATE SET method = excluded.method, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
			measurementID, string(body), by, db.now()); err != nil {
			return fmt.Errorf("postgres: index method: %w", err)
		}
		return db.auditTx(ctx, tx, by, auth.ActionWeightingSave, measurementID, map[string]any{"what": "index_method", "method": json.RawMessage(body)})
	})
}

// IndexMethod returns the measurement's index method; equal when none was
// set.
func (db *DB) IndexMethod(ctx context.Context, measurementID string) (analysis.IndexMethod, error) {
	var body string
	err := db.db.QueryRowContext(ctx, `SELECT method FROM index_methods WHERE measurement_id = $1`, measurementID).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return analysis.IndexMethod{Method: analysis.MethodEqual}, nil
	}
	if err != nil {
		return analysis.IndexMethod{}, fmt.Errorf("postgres: index method: %w", err)
	}
	var m analysis.IndexMethod
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		return analysis.IndexMethod{}, fmt.Errorf("postgres: index method of %s: %w", measurementID, err)
	}
	return m, nil
}

// SetPrevMeasurement links a measurement to last year's (prevID "" removes
// the link); audited (measurement.update). A measurement cannot be its own
// previous year, nor the previous year of its previous year.
func (db *DB) SetPrevMeasurement(ctx context.Context, id, prevID, by string) error {
	if prevID == id && id != "" {
		return survey.Errorf(survey.EINVALID, "测评 %s 不能以自身作为上一年度", "measurement %s cannot be its own previous year", id)
	}
	return db.write(ctx, func(tx *sql.Tx) error {
		if err := lockMeasurement(ctx, tx, id); err != nil {
			return err
		}
		var prev any
		if prevID != "" {
			var back sql.NullString
			err := tx.QueryRowContext(ctx, `SELECT prev_id FROM measurements WHERE id = $1`, prevID).Scan(&back)
			if errors.Is(err, sql.ErrNoRows) {
				return survey.Errorf(survey.EINVALID, "上一年的测评 %s 不存在", "last year's measurement %s does not exist", prevID)
			}
			if err != nil {
				return fmt.Errorf("postgres: link measurement: %w", err)
			}
			if back.Valid && back.String == id {
				return survey.Errorf(survey.EINVALID, "测评 %s 已以 %s 为上一年度，不能互为上一年度", "measurement %s already has %s as its previous year; they cannot precede each other", prevID, id)
			}
			prev = prevID
		}
		if _, err := tx.ExecContext(ctx, `UPDATE measurements SET prev_id = $1 WHERE id = $2`, prev, id); err != nil {
			return fmt.Errorf("postgres: link measurement: %w", err)
		}
		return db.auditTx(ctx, tx, by, auth.ActionMeasurementSet, id, map[string]any{"prev_id": prevID})
	})
}

// SaveConclusions stores the office's edited conclusions for the report
// in lang ("zh" or "en") as the next version; empty paragraphs are
// dropped. Audited (measurement.update).
func (db *DB) SaveConclusions(ctx context.Context, measurementID, lang string, paragraphs []string, by string) (int, error) {
	if lang != survey.LangZh && lang != survey.LangEn {
		return 0, survey.Errorf(survey.EINVALID, "语言 %q 无效：应为 zh 或 en", "language %q is not zh or en", lang)
	}
	ps := []string{}
	for _, p := range paragraphs {
		if p = strings.TrimSpace(p); p != "" {
			ps = append(ps, p)
		}
	}
	body, err := json.Marshal(ps)
	if err != nil {
		return 0, err
	}
	var version int
	err = db.write(ctx, func(tx *sql.Tx) error {
		if err := lockMeasurement(ctx, tx, measurementID); err != nil {
			return err
		}
		var v int
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) + 1 FROM report_conclusions WHERE measurement_id = $1 AND lang = $2`, measurementID, lang).Scan(&v); err != nil {
			return fmt.Errorf("postgres: save conclusions: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO report_conclusions (measurement_id, lang, version, paragraphs, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
			measurementID, lang, v, string(body), by, db.now()); err != nil {
			return fmt.Errorf("postgres: save conclusions: %w", err)
		}
		if err := db.auditTx(ctx, tx, by, auth.ActionMeasurementSet, measurementID, map[string]any{"what": "conclusions", "lang": lang, "version": v, "paragraphs": len(ps)}); err != nil {
			return err
		}
		version = v
		return nil
	})
	return version, err
}

// Conclusions returns the newest saved conclusions in lang, or nil when the
// office has saved none.
func (db *DB) Conclusions(ctx context.Context, measurementID, lang string) (*survey.ConclusionsVersion, error) {
	c := &survey.ConclusionsVersion{MeasurementID: measurementID, Lang: lang}
	var body string
	err := db.db.QueryRowContext(ctx, `SELECT version, paragraphs, created_by, created_at FROM report_conclusions
		WHERE measurement_id = $1 AND lang = $2 ORDER BY version DESC LIMIT 1`, measurementID, lang).Scan(&c.Version, &body, &c.CreatedBy, &c.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: conclusions: %w", err)
	}
	c.CreatedAt = utc(c.CreatedAt)
	if err := json.Unmarshal([]byte(body), &c.Paragraphs); err != nil {
		return nil, fmt.Errorf("postgres: conclusions of %s: %w", measurementID, err)
	}
	return c, nil
}

// latestQuestionnaire returns the measurement's newest questionnaire
// version (ENOTFOUND for an unknown measurement).
func (db *DB) latestQuestionnaire(ctx context.Context, measurementID string) (*survey.Questionnaire, int, error) {
	qv, err := db.Questionnaire(ctx, measurementID, 0)
	if survey.ErrorCode(err) == survey.ENOTFOUND {
		return nil, 0, storekit.ErrNoMeasurement(measurementID)
	}
	if err != nil {
		return nil, 0, err
	}
	return qv.Q, qv.Version, nil
}
