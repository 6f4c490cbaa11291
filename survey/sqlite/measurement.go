package sqlite

import (
	"context"
	"database/sql"
	"slices"

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
		return storekit.InsertMeasurement(bg, dialect, tx, m, body, sum, isConstraint, isForeignKey)
	})
}

// querier is what *sql.DB, *sql.Tx, *sql.Conn and cachedTx share.
type querier = storekit.Querier

// Measurement returns one measurement with its districts (ENOTFOUND).
func (db *DB) Measurement(ctx context.Context, id string) (*survey.Measurement, error) {
	return db.getMeasurement(ctx, db.rdb, id)
}

func (db *DB) getMeasurement(ctx context.Context, q querier, id string) (*survey.Measurement, error) {
	m, err := storekit.MeasurementRow(ctx, dialect, q, id)
	if err != nil {
		return nil, err
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
	ds, err := storekit.Districts(ctx, dialect, q, id)
	if err != nil {
		return nil, err
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
	ss, err := storekit.Sectors(ctx, dialect, q, m.ID)
	if err != nil {
		return nil, err
	}
	if len(ss) > 0 {
		db.scache.Store(m.ID, slices.Clone(ss))
	}
	return ss, nil
}

// Measurements lists all measurements with their districts, newest first.
func (db *DB) Measurements(ctx context.Context) ([]*survey.Measurement, error) {
	ms, err := storekit.MeasurementRows(ctx, dialect, db.rdb)
	if err != nil {
		return nil, err
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
	if err := storekit.CheckStatus(status); err != nil {
		return err
	}
	return db.write(ctx, func(tx *sql.Tx) error {
		return storekit.SetStatus(bg, dialect, tx, id, status)
	})
}
