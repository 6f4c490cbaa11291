package postgres

import (
	"context"
	"database/sql"

	"manyi/survey"
	"manyi/survey/internal/storekit"
)

// CreateMeasurement stores m with q as questionnaire version 1. An empty
// status becomes draft and a zero CreatedAt the current time; both are
// written back to m.
func (db *DB) CreateMeasurement(ctx context.Context, m *survey.Measurement, q *survey.Questionnaire) error {
	body, sum, err := storekit.PrepareMeasurement(m, q, db.now())
	if err != nil {
		return err
	}
	return db.write(ctx, func(tx *sql.Tx) error {
		return storekit.InsertMeasurement(ctx, dialect, tx, m, body, sum, isConstraint, isForeignKey)
	})
}

// querier is what *sql.DB and *sql.Tx share.
type querier = storekit.Querier

// Measurement returns one measurement with its districts (ENOTFOUND).
func (db *DB) Measurement(ctx context.Context, id string) (*survey.Measurement, error) {
	return getMeasurement(ctx, db.db, id)
}

func getMeasurement(ctx context.Context, q querier, id string) (*survey.Measurement, error) {
	m, err := storekit.MeasurementRow(ctx, dialect, q, id)
	if err != nil {
		return nil, err
	}
	if err := readPlaces(ctx, q, m); err != nil {
		return nil, err
	}
	return m, nil
}

// districts returns a measurement's districts in their order.
func districts(ctx context.Context, q querier, id string) ([]survey.District, error) {
	return storekit.Districts(ctx, dialect, q, id)
}

// readPlaces fills m's districts and, for a service measurement, its
// sectors. Nothing is cached: every server reads the same rows.
func readPlaces(ctx context.Context, q querier, m *survey.Measurement) error {
	var err error
	if m.Districts, err = districts(ctx, q, m.ID); err != nil {
		return err
	}
	if m.Kind != survey.KindService {
		return nil
	}
	m.Sectors, err = storekit.Sectors(ctx, dialect, q, m.ID)
	return err
}

// Measurements lists all measurements with their districts, newest first.
func (db *DB) Measurements(ctx context.Context) ([]*survey.Measurement, error) {
	ms, err := storekit.MeasurementRows(ctx, dialect, db.db)
	if err != nil {
		return nil, err
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
	if err := storekit.CheckStatus(status); err != nil {
		return err
	}
	return db.write(ctx, func(tx *sql.Tx) error {
		return storekit.SetStatus(ctx, dialect, tx, id, status)
	})
}
