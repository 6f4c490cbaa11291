package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"manyi/survey"
	"manyi/survey/analysis"
	"manyi/survey/fieldwork"
	"manyi/survey/internal/storekit"
	"manyi/survey/sampling"
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
	if len(fw.issued) > 0 {
		ds.Issued = fw.issued
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
	if err != nil {
		return nil, fmt.Errorf("sqlite: load dataset: %w", err)
	}
	defer rows.Close()
	// Item ids repeat across responses: intern them so that 20,000
	// responses share one string per item.
	intern := map[string]string{}
	for rows.Next() {
		var (
			id, invitation int64
			mode, records  string
			openLink       bool
		)
		if err := rows.Scan(&id, &invitation, &mode, &openLink, &records); err != nil {
			return nil, fmt.Errorf("sqlite: load dataset: %w", err)
		}
		a, err := storekit.AnswerRecords(records, intern)
		if err != nil {
			return nil, fmt.Errorf("sqlite: load dataset: response %d: %w", id, err)
		}
		res := analysis.FromResponse(q, &survey.Response{ID: id, Mode: mode, Answers: a})
		if c, ok := fw.cases[invitation]; ok {
			res.DesignWeight, res.InclProb, res.PSU = c.weight, c.prob, c.psu
			if res.District == "" {
				res.District = c.district
			}
		} else if fw.hasSample || openLink {
			res.NonProbability = true
		}
		res.Excluded = fw.excluded[id]
		ds.Respondents = append(ds.Respondents, res)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: load dataset: %w", err)
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
	var start, end sql.NullString
	if err := tx.QueryRowContext(ctx, `SELECT count(*), min(started_at), max(submitted_at) FROM responses WHERE measurement_id = ? AND status = ?`,
		measurementID, survey.RespSubmitted).Scan(&s.Submitted, &start, &end); err != nil {
		return nil, fmt.Errorf("sqlite: fieldwork: %w", err)
	}
	if start.Valid {
		if s.Start, err = parseTime(start.String); err != nil {
			return nil, err
		}
	}
	if end.Valid {
		if s.End, err = parseTime(end.String); err != nil {
			return nil, err
		}
	}
	if s.Exclusions, err = db.exclusionCounts(ctx, tx, measurementID); err != nil {
		return nil, err
	}
	if err := tx.QueryRowContext(ctx, `SELECT count(*) + count(x.reverted_at) FROM exclusions x JOIN responses r ON r.id = x.response_id WHERE r.measurement_id = ?`,
		measurementID).Scan(&s.ExclusionEvents); err != nil {
		return nil, fmt.Errorf("sqlite: exclusion events: %w", err)
	}
	if s.Dispositions, err = db.dispositions(ctx, tx, measurementID); err != nil {
		return nil, err
	}
	return s, nil
}

// invitationDispositions counts the invitations of a measurement by
// disposition, all under the unknown district "".
func invitationDispositions(ctx context.Context, tx *sql.Tx, measurementID string) (map[string]sampling.DispositionCounts, error) {
	rows, err := tx.QueryContext(ctx, `SELECT disposition, count(*) FROM invitations WHERE measurement_id = ? GROUP BY disposition ORDER BY disposition`, measurementID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: dispositions: %w", err)
	}
	defer rows.Close()
	var c sampling.DispositionCounts
	seen := false
	for rows.Next() {
		var d string
		var n int
		if err := rows.Scan(&d, &n); err != nil {
			return nil, fmt.Errorf("sqlite: dispositions: %w", err)
		}
		fd, ok := storekit.InvitationDisposition[d]
		if !ok {
			fd = d
		}
		if err := c.Add(fd, n); err != nil {
			continue // a disposition a later feature added: not a rate input
		}
		seen = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: dispositions: %w", err)
	}
	if !seen {
		return nil, nil
	}
	return map[string]sampling.DispositionCounts{"": c}, nil
}
