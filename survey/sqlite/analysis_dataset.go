package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"manyi/survey"
	"manyi/survey/analysis"
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

	type resp struct {
		id, invitation int64
		mode           string
		openLink       bool
	}
	rows, err := tx.QueryContext(ctx, `SELECT r.id, r.invitation_id, r.mode, i.open_link FROM responses r
		JOIN invitations i ON i.id = r.invitation_id
		WHERE r.measurement_id = ? AND r.status = ? ORDER BY r.id`, measurementID, survey.RespSubmitted)
	if err != nil {
		return nil, fmt.Errorf("sqlite: load dataset: %w", err)
	}
	var rs []resp
	for rows.Next() {
		var r resp
		if err := rows.Scan(&r.id, &r.invitation, &r.mode, &r.openLink); err != nil {
			rows.Close()
			return nil, fmt.Errorf("sqlite: load dataset: %w", err)
		}
		rs = append(rs, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: load dataset: %w", err)
	}
	answers, err := loadAnswers(ctx, tx, measurementID)
	if err != nil {
		return nil, err
	}
	ds.Respondents = make([]analysis.Respondent, 0, len(rs))
	for _, r := range rs {
		a := answers[r.id]
		if a == nil {
			a = survey.Answers{}
		}
		res := analysis.FromResponse(q, &survey.Response{ID: r.id, Mode: r.mode, Answers: a})
		if c, ok := fw.cases[r.invitation]; ok {
			res.DesignWeight, res.InclProb, res.PSU = c.weight, c.prob, c.psu
			if res.District == "" {
				res.District = c.district
			}
		} else if fw.hasSample || r.openLink {
			res.NonProbability = true
		}
		res.Excluded = fw.excluded[r.id]
		ds.Respondents = append(ds.Respondents, res)
	}
	return ds, nil
}

// loadAnswers reads the answers of every submitted response of the
// measurement in one pass, response by response.
func loadAnswers(ctx context.Context, tx *sql.Tx, measurementID string) (map[int64]survey.Answers, error) {
	rows, err := tx.QueryContext(ctx, `SELECT a.response_id, a.item_id, a.value FROM answers a
		JOIN responses r ON r.id = a.response_id
		WHERE r.measurement_id = ? AND r.status = ?
		ORDER BY a.response_id, a.item_id, a.position`, measurementID, survey.RespSubmitted)
	if err != nil {
		return nil, fmt.Errorf("sqlite: load answers: %w", err)
	}
	defer rows.Close()
	out := map[int64]survey.Answers{}
	var cur survey.Answers
	last := int64(-1)
	// Item ids repeat across responses: intern them so that 20,000
	// responses share one string per item.
	intern := map[string]string{}
	for rows.Next() {
		var id int64
		var item, value string
		if err := rows.Scan(&id, &item, &value); err != nil {
			return nil, fmt.Errorf("sqlite: load answers: %w", err)
		}
		if s, ok := intern[item]; ok {
			item = s
		} else {
			intern[item] = item
		}
		if id != last {
			cur = survey.Answers{}
			out[id] = cur
			last = id
		}
		cur[item] = append(cur[item], value)
	}
	return out, rows.Err()
}

// FieldworkSummary is what the report says about the fieldwork besides
// the estimates.
type FieldworkSummary struct {
	// Start is the first submitted response's start, End the last
	// submission (zero without responses).
	Start, End time.Time
	// Submitted counts the completed responses before the quality review.
	Submitted int
	// Exclusions counts the responses set aside in the review, by reason.
	Exclusions []ExclusionCount
	// Dispositions are the cases' (or, without a sample, the invitations')
	// dispositions by district code; "" holds those of unknown district.
	Dispositions map[string]sampling.DispositionCounts
}

// ExclusionCount is one review reason and how many responses it removed.
type ExclusionCount struct {
	Reason string
	N      int
}

// Fieldwork summarises the measurement's fieldwork for the report.
func (db *DB) Fieldwork(ctx context.Context, measurementID string) (*FieldworkSummary, error) {
	if _, err := db.Measurement(ctx, measurementID); err != nil {
		return nil, err
	}
	tx, err := db.rdb.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("sqlite: fieldwork: %w", err)
	}
	defer tx.Rollback()
	s := &FieldworkSummary{}
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
	if s.Dispositions, err = db.dispositions(ctx, tx, measurementID); err != nil {
		return nil, err
	}
	return s, nil
}

// invitationDisposition maps the store's own invitation dispositions (a
// measurement without a drawn sample) to the fieldwork's.
var invitationDisposition = map[string]string{
	DispIssued:               sampling.DispSent,
	DispStarted:              sampling.DispPartial,
	survey.RespSubmitted:     sampling.DispComplete,
	survey.RespScreenedOut:   sampling.DispScreenedOut,
	survey.RespQuotaFull:     sampling.DispQuotaFull,
	sampling.DispRefused:     sampling.DispRefused,
	sampling.DispUnreachable: sampling.DispUnreachable,
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
		fd, ok := invitationDisposition[d]
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
