package postgres

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
func (db *DB) auditTx(ctx context.Context, tx *sql.Tx, user, action, target string, detail map[string]any) error {
	return storekit.AuditChange(ctx, dialect, tx, db.now(), user, action, target, detail)
}

// SaveWeighting validates spec and stores it as the measurement's next
// weighting version, which becomes the current one; the change is audited
// (weighting.save) under by. The measurement's row lock numbers
// concurrent saves from several servers one after the other.
func (db *DB) SaveWeighting(ctx context.Context, measurementID string, spec analysis.WeightingSpec, by string) (int, error) {
	body, err := storekit.WeightingBody(dialect, spec)
	if err != nil {
		return 0, err
	}
	var version int
	err = db.write(ctx, func(tx *sql.Tx) error {
		if err := lockMeasurement(ctx, tx, measurementID); err != nil {
			return err
		}
		v, err := storekit.InsertWeighting(ctx, dialect, tx, measurementID, body, by, db.now())
		if err != nil {
			return err
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
	return storekit.Weighting(ctx, dialect, db.db, measurementID, func() error {
		_, err := db.Measurement(ctx, measurementID)
		return err
	})
}

// WeightingVersions lists every saved weighting version, newest first.
func (db *DB) WeightingVersions(ctx context.Context, measurementID string) ([]analysis.WeightingVersion, error) {
	return storekit.WeightingVersions(ctx, dialect, db.db, measurementID, 0)
}

// WeightingVersion returns one saved version (ENOTFOUND).
func (db *DB) WeightingVersion(ctx context.Context, measurementID string, version int) (*analysis.WeightingVersion, error) {
	return storekit.WeightingVersion(ctx, dialect, db.db, measurementID, version)
}

// ImportCensusCSV reads a census file (analysis.ReadCensusCSV), checks its
// districts against the measurement's and stores it in place of the
// previous census; audited under by.
func (db *DB) ImportCensusCSV(ctx context.Context, measurementID string, r io.Reader, by string) (*analysis.Census, error) {
	return storekit.ImportCensus(r, func(c *analysis.Census) error { return db.SetCensus(ctx, measurementID, c, by) })
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
	return storekit.Census(ctx, dialect, q, measurementID, ` COLLATE "C"`)
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
		if err := storekit.SetIndexMethod(ctx, dialect, tx, measurementID, body, by, db.now()); err != nil {
			return err
		}
		return db.auditTx(ctx, tx, by, auth.ActionWeightingSave, measurementID, map[string]any{"what": "index_method", "method": json.RawMessage(body)})
	})
}

// IndexMethod returns the measurement's index method; equal when none was
// set.
func (db *DB) IndexMethod(ctx context.Context, measurementID string) (analysis.IndexMethod, error) {
	return storekit.IndexMethod(ctx, dialect, db.db, measurementID)
}

// SetPrevMeasurement links a measurement to last year's (prevID "" removes
// the link); audited (measurement.update). A measurement cannot be its own
// previous year, nor the previous year of its previous year.
func (db *DB) SetPrevMeasurement(ctx context.Context, id, prevID, by string) error {
	if err := storekit.CheckPrevID(id, prevID); err != nil {
		return err
	}
	return db.write(ctx, func(tx *sql.Tx) error {
		if err := lockMeasurement(ctx, tx, id); err != nil {
			return err
		}
		if err := storekit.SetPrev(ctx, dialect, tx, id, prevID); err != nil {
			return err
		}
		return db.auditTx(ctx, tx, by, auth.ActionMeasurementSet, id, map[string]any{"prev_id": prevID})
	})
}

// SaveConclusions stores the office's edited conclusions for the report
// in lang ("zh" or "en") as the next version; empty paragraphs are
// dropped. Audited (measurement.update).
func (db *DB) SaveConclusions(ctx context.Context, measurementID, lang string, paragraphs []string, by string) (int, error) {
	ps, body, err := storekit.ConclusionParagraphs(lang, paragraphs)
	if err != nil {
		return 0, err
	}
	var version int
	err = db.write(ctx, func(tx *sql.Tx) error {
		if err := lockMeasurement(ctx, tx, measurementID); err != nil {
			return err
		}
		v, err := storekit.InsertConclusions(ctx, dialect, tx, measurementID, lang, body, by, db.now())
		if err != nil {
			return err
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
// office has saved none (the report then generates them).
func (db *DB) Conclusions(ctx context.Context, measurementID, lang string) (*survey.ConclusionsVersion, error) {
	return storekit.Conclusions(ctx, dialect, db.db, measurementID, lang)
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
