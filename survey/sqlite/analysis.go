package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"

	"manyi/survey"
	"manyi/survey/analysis"
	"manyi/survey/auth"
	"manyi/survey/internal/storekit"
)

// auditTx appends an audit entry inside a write transaction, so that the
// change and its record commit together.
func (db *DB) auditTx(tx *sql.Tx, user, action, target string, detail map[string]any) error {
	return storekit.AuditChange(bg, dialect, tx, db.now(), user, action, target, detail)
}

// measurementExists returns ENOTFOUND when the measurement is unknown.
func measurementExists(tx *sql.Tx, id string) error {
	return storekit.MeasurementExists(bg, dialect, tx, id)
}

// SaveWeighting validates spec and stores it as the measurement's next
// weighting version, which becomes the current one; the change is audited
// (weighting.save) under by. It returns the new version number.
func (db *DB) SaveWeighting(ctx context.Context, measurementID string, spec analysis.WeightingSpec, by string) (int, error) {
	body, err := storekit.WeightingBody(dialect, spec)
	if err != nil {
		return 0, err
	}
	var version int
	err = db.write(ctx, func(tx *sql.Tx) error {
		if err := measurementExists(tx, measurementID); err != nil {
			return err
		}
		v, err := storekit.InsertWeighting(bg, dialect, tx, measurementID, body, by, db.now())
		if err != nil {
			return err
		}
		if err := db.auditTx(tx, by, auth.ActionWeightingSave, measurementID, map[string]any{"version": v, "spec": json.RawMessage(body)}); err != nil {
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
	return storekit.Weighting(ctx, dialect, db.rdb, measurementID, func() error {
		_, err := db.Measurement(ctx, measurementID)
		return err
	})
}

// WeightingVersions lists every saved weighting version, newest first.
func (db *DB) WeightingVersions(ctx context.Context, measurementID string) ([]analysis.WeightingVersion, error) {
	return storekit.WeightingVersions(ctx, dialect, db.rdb, measurementID, 0)
}

// WeightingVersion returns one saved version (ENOTFOUND).
func (db *DB) WeightingVersion(ctx context.Context, measurementID string, version int) (*analysis.WeightingVersion, error) {
	return storekit.WeightingVersion(ctx, dialect, db.rdb, measurementID, version)
}

// ImportCensusCSV reads a census file (analysis.ReadCensusCSV), checks its
// districts against the measurement's and stores it in place of the
// previous census; audited under by. Errors name the row or the district.
func (db *DB) ImportCensusCSV(ctx context.Context, measurementID string, r io.Reader, by string) (*analysis.Census, error) {
	return storekit.ImportCensus(r, func(c *analysis.Census) error { return db.SetCensus(ctx, measurementID, c, by) })
}

// SetCensus replaces the measurement's census counts; every district must
// be one of the measurement's. Audited (weighting.save, what: census).
func (db *DB) SetCensus(ctx context.Context, measurementID string, c *analysis.Census, by string) error {
	if c == nil || len(c.Cells) == 0 {
		return survey.Errorf(survey.EINVALID, "人口普查数据为空", "the census has no cells")
	}
	m, err := db.Measurement(ctx, measurementID)
	if err != nil {
		return err
	}
	if err := storekit.CheckCensus(m, c); err != nil {
		return err
	}
	return db.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.Exec(`DELETE FROM census_cells WHERE measurement_id = ?`, measurementID); err != nil {
			return fmt.Errorf("sqlite: set census: %w", err)
		}
		st, err := tx.Prepare(`INSERT INTO census_cells (measurement_id, district, gender, age_band, count) VALUES (?, ?, ?, ?, ?)`)
		if err != nil {
			return fmt.Errorf("sqlite: set census: %w", err)
		}
		defer st.Close()
		for i, cell := range c.Cells {
			if _, err := st.Exec(measurementID, cell.District, cell.Gender, cell.AgeBand, cell.Count); err != nil {
				if isConstraint(err) {
					return survey.Errorf(survey.EINVALID, "人口普查第 %d 行重复：%s|%s|%s", "census row %d repeats %s|%s|%s", i+1, cell.District, cell.Gender, cell.AgeBand)
				}
				return fmt.Errorf("sqlite: set census: %w", err)
			}
		}
		return db.auditTx(tx, by, auth.ActionWeightingSave, measurementID, map[string]any{"what": "census", "cells": len(c.Cells), "total": c.Total()})
	})
}

// Census returns the measurement's census counts in district, gender and
// age band order, or nil when none was imported.
func (db *DB) Census(ctx context.Context, measurementID string) (*analysis.Census, error) {
	return db.census(ctx, db.rdb, measurementID)
}

func (db *DB) census(ctx context.Context, q querier, measurementID string) (*analysis.Census, error) {
	return storekit.Census(ctx, dialect, q, measurementID, "")
}

// SetIndexMethod validates the method against the measurement's newest
// questionnaire and stores it (last write wins); audited.
func (db *DB) SetIndexMethod(ctx context.Context, measurementID string, m analysis.IndexMethod, by string) error {
	q, _, err := db.latestQuestionnaire(ctx, measurementID)
	if err != nil {
		return err
	}
	body, err := storekit.IndexMethodBody(dialect, q, m)
	if err != nil {
		return err
	}
	return db.write(ctx, func(tx *sql.Tx) error {
		if err := storekit.SetIndexMethod(bg, dialect, tx, measurementID, body, by, db.now()); err != nil {
			return err
		}
		return db.auditTx(tx, by, auth.ActionWeightingSave, measurementID, map[string]any{"what": "index_method", "method": json.RawMessage(body)})
	})
}

// IndexMethod returns the measurement's index method; equal when none was
// set.
func (db *DB) IndexMethod(ctx context.Context, measurementID string) (analysis.IndexMethod, error) {
	return storekit.IndexMethod(ctx, dialect, db.rdb, measurementID)
}

// SetPrevMeasurement links a measurement to last year's (prevID "" removes
// the link); audited (measurement.update). A measurement cannot be its own
// previous year, nor the previous year of its previous year.
func (db *DB) SetPrevMeasurement(ctx context.Context, id, prevID, by string) error {
	if err := storekit.CheckPrevID(id, prevID); err != nil {
		return err
	}
	return db.write(ctx, func(tx *sql.Tx) error {
		if err := measurementExists(tx, id); err != nil {
			return err
		}
		if err := storekit.SetPrev(bg, dialect, tx, id, prevID); err != nil {
			return err
		}
		return db.auditTx(tx, by, auth.ActionMeasurementSet, id, map[string]any{"prev_id": prevID})
	})
}

// SaveConclusions stores the office's edited conclusions for the report
// in lang ("zh" or "en") as the next version; empty paragraphs are
// dropped. Saving no paragraph at all is allowed and means "generate them
// again". Audited (measurement.update).
func (db *DB) SaveConclusions(ctx context.Context, measurementID, lang string, paragraphs []string, by string) (int, error) {
	ps, body, err := storekit.ConclusionParagraphs(lang, paragraphs)
	if err != nil {
		return 0, err
	}
	var version int
	err = db.write(ctx, func(tx *sql.Tx) error {
		if err := measurementExists(tx, measurementID); err != nil {
			return err
		}
		v, err := storekit.InsertConclusions(bg, dialect, tx, measurementID, lang, body, by, db.now())
		if err != nil {
			return err
		}
		if err := db.auditTx(tx, by, auth.ActionMeasurementSet, measurementID, map[string]any{"what": "conclusions", "lang": lang, "version": v, "paragraphs": len(ps)}); err != nil {
			return err
		}
		version = v
		return nil
	})
	return version, err
}

// Conclusions returns the newest saved conclusions in lang, or nil when the
// office has saved none (the report then generates them).
func (db *DB) Conclusions(ctx context.Context, measurementID, lang string) (*survey.ConclusionsVersion, error) {
	return storekit.Conclusions(ctx, dialect, db.rdb, measurementID, lang)
}

// latestQuestionnaire returns the measurement's newest questionnaire
// version (ENOTFOUND for an unknown measurement).
func (db *DB) latestQuestionnaire(ctx context.Context, measurementID string) (*survey.Questionnaire, int, error) {
	var v int
	err := db.rdb.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM questionnaire_versions WHERE measurement_id = ?`, measurementID).Scan(&v)
	if err != nil {
		return nil, 0, fmt.Errorf("sqlite: questionnaire: %w", err)
	}
	if v == 0 {
		return nil, 0, survey.Errorf(survey.ENOTFOUND, "没有编号为 %s 的测评", "no measurement with id %s", measurementID)
	}
	qv, err := db.Questionnaire(ctx, measurementID, v)
	if err != nil {
		return nil, 0, err
	}
	return qv.Q, v, nil
}
