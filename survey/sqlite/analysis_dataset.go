package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"manyi/survey"
	"manyi/survey/analysis"
	"manyi/survey/fieldwork"
	"manyi/survey/internal/storekit"
)

// LoadDataset reads what the analysis of a measurement needs, in one read
// transaction (one consistent snapshot): the newest questionnaire, the
// districts, every submitted response with its answers, district (the
// stratum: the answer to the district item), age band, mode and design
// weight, the census and the district population counts. Responses set
// aside in the quality review are included with Excluded set, so that
// counts of exclusions can be reported; analysis.Compute leaves them out.
//
// Design weights come from the drawn case behind a response's invitation
// when the fieldwork tables hold one (weight 1/π, its stratum's issued
// count for the nonresponse adjustment); a response whose invitation has
// no case in a measurement that has a sample, or whose invitation was
// made by the open link (0080), is an open-link answer (NonProbability). Without a sample every weight is left 0, which the
// analysis reads as N_h/n_h from the census district totals (or 1 without
// a census). No contact detail is read.
func (db *DB) LoadDataset(ctx context.Context, measurementID string) (*analysis.Dataset, error) {
	m, err := db.Measurement(ctx, measurementID)
	if err != nil {
		return nil, err
	}
	q, _, err := db.latestQuestionnaire(ctx, measurementID)
	if err != nil {
		return nil, err
	}
	tx, err := db.rdb.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("sqlite: load dataset: %w", err)
	}
	defer tx.Rollback()
	ds := &analysis.Dataset{Q: q, Districts: m.Districts}
	if ds.Census, err = db.census(ctx, tx, measurementID); err != nil {
		return nil, err
	}
	if ds.Census != nil {
		ds.StratumPop, err = ds.Census.Totals([]string{analysis.VarDistrict})
		if err != nil {
			return nil, err
		}
	}
	fw, err := db.fieldworkDesign(ctx, tx, measurementID)
	if err != nil {
		return nil, err
	}
	if len(fw.Issued) > 0 {
		ds.Issued = fw.Issued
	}

	// One streaming query, one row per response in id order, its answers
	// aggregated by SQLite into one string (see answerRecords): 20,000
	// rows instead of the 800,000 of one row per answer, each row costing
	// database/sql a few allocations and locks.
	rows, err := tx.QueryContext(ctx, `SELECT r.id, r.invitation_id, r.mode, i.open_link,
			coalesce((SELECT group_concat(`+answerRecord+`, '' ORDER BY a.item_id, a.position)
				FROM answers a WHERE a.response_id = r.id), '')
		FROM responses r JOIN invitations i ON i.id = r.invitation_id
		WHERE r.measurement_id = ? AND r.status = ? ORDER BY r.id`, measurementID, survey.RespSubmitted)
	if ds.Respondents, err = storekit.DatasetRespondents(dialect, q, rows, err, &fw); err != nil {
		return nil, err
	}
	if ds.Respondents == nil {
		ds.Respondents = []analysis.Respondent{}
	}
	return ds, nil
}

// answerRecord is the SQL of one answer value in the aggregated string
// answerRecords reads: the item id, a unit separator, the value's length
// in bytes, a unit separator, the value. The length (not a separator)
// ends the value, so an open answer may hold any character.
const answerRecord = "a.item_id || '\x1f' || octet_length(a.value) || '\x1f' || a.value"

// Fieldwork summarises the measurement's fieldwork for the report.
func (db *DB) Fieldwork(ctx context.Context, measurementID string) (*fieldwork.Summary, error) {
	if _, err := db.Measurement(ctx, measurementID); err != nil {
		return nil, err
	}
	tx, err := db.rdb.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("sqlite: fieldwork: %w", err)
	}
	defer tx.Rollback()
	s := &fieldwork.Summary{}
	if err := storekit.SubmittedSpan(ctx, dialect, tx, measurementID, s); err != nil {
		return nil, err
	}
	if s.Exclusions, err = db.exclusionCounts(ctx, tx, measurementID); err != nil {
		return nil, err
	}
	if s.ExclusionEvents, err = storekit.ExclusionEvents(ctx, dialect, tx, measurementID); err != nil {
		return nil, err
	}
	if s.Dispositions, err = db.dispositions(ctx, tx, measurementID); err != nil {
		return nil, err
	}
	return s, nil
}
