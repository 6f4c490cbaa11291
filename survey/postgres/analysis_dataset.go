package postgres

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

// fieldworkDesign reads the design facts inside tx.
func fieldworkDesign(ctx context.Context, tx *sql.Tx, measurementID string) (storekit.FieldworkFacts, error) {
	f := storekit.FieldworkFacts{Cases: map[int64]storekit.CaseDesign{}, Excluded: map[int64]bool{}}
	rows, err := tx.QueryContext(ctx, `SELECT c.invitation_id, c.district, c.weight, c.prob, c.released
		FROM cases c JOIN invitations i ON i.id = c.invitation_id WHERE i.measurement_id = $1`, measurementID)
	if err != nil {
		return f, fmt.Errorf("postgres: cases: %w", err)
	}
	for rows.Next() {
		var inv int64
		var c storekit.CaseDesign
		var rel bool
		if err := rows.Scan(&inv, &c.District, &c.Weight, &c.Prob, &rel); err != nil {
			rows.Close()
			return f, fmt.Errorf("postgres: cases: %w", err)
		}
		if f.Issued == nil {
			f.Issued = map[string]int{}
		}
		f.Cases[inv] = c
		f.HasSample = true
		if rel {
			f.Issued[c.District]++
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return f, fmt.Errorf("postgres: cases: %w", err)
	}
	if f.Excluded, err = excludedResponses(ctx, tx, measurementID); err != nil {
		return f, err
	}
	return f, nil
}

// LoadDataset reads what the analysis of a measurement needs from one
// snapshot (a repeatable-read transaction): the newest questionnaire, the
// districts, every submitted response with its answers and design facts,
// the census and the district population counts; see survey/sqlite's
// LoadDataset for the rules of the design weights. No contact detail is
// read.
func (db *DB) LoadDataset(ctx context.Context, measurementID string) (*analysis.Dataset, error) {
	m, err := db.Measurement(ctx, measurementID)
	if err != nil {
		return nil, err
	}
	q, _, err := db.latestQuestionnaire(ctx, measurementID)
	if err != nil {
		return nil, err
	}
	ds := &analysis.Dataset{Q: q, Districts: m.Districts}
	err = db.readTx(ctx, func(tx *sql.Tx) error {
		var err error
		if ds.Census, err = census(ctx, tx, measurementID); err != nil {
			return err
		}
		if ds.Census != nil {
			if ds.StratumPop, err = ds.Census.Totals([]string{analysis.VarDistrict}); err != nil {
				return err
			}
		}
		fw, err := fieldworkDesign(ctx, tx, measurementID)
		if err != nil {
			return err
		}
		if len(fw.Issued) > 0 {
			ds.Issued = fw.Issued
		}
		// One row per response, its answers aggregated into one string
		// (storekit.AnswerRecords).
		rows, err := tx.QueryContext(ctx, `SELECT r.id, r.invitation_id, r.mode, i.open_link,
				coalesce((SELECT string_agg(a.item_id || chr(31) || octet_length(a.value) || chr(31) || a.value, '' ORDER BY a.item_id, a.position)
					FROM answers a WHERE a.response_id = r.id), '')
			FROM responses r JOIN invitations i ON i.id = r.invitation_id
			WHERE r.measurement_id = $1 AND r.status = $2 ORDER BY r.id`, measurementID, survey.RespSubmitted)
		ds.Respondents, err = storekit.DatasetRespondents(dialect, q, rows, err, &fw)
		return err
	})
	if err != nil {
		return nil, err
	}
	if ds.Respondents == nil {
		ds.Respondents = []analysis.Respondent{}
	}
	return ds, nil
}

// Fieldwork summarises the measurement's fieldwork for the report.
func (db *DB) Fieldwork(ctx context.Context, measurementID string) (*fieldwork.Summary, error) {
	if _, err := db.Measurement(ctx, measurementID); err != nil {
		return nil, err
	}
	s := &fieldwork.Summary{}
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		if err := storekit.SubmittedSpan(ctx, dialect, tx, measurementID, s); err != nil {
			return err
		}
		var err error
		if s.Exclusions, err = exclusionCounts(ctx, tx, measurementID); err != nil {
			return err
		}
		if s.ExclusionEvents, err = storekit.ExclusionEvents(ctx, dialect, tx, measurementID); err != nil {
			return err
		}
		s.Dispositions, err = dispositions(ctx, tx, measurementID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// exclusionCounts counts the submitted responses set aside in review (and
// not restored) by reason.
func exclusionCounts(ctx context.Context, tx *sql.Tx, measurementID string) ([]fieldwork.ExclusionCount, error) {
	rows, err := tx.QueryContext(ctx, `SELECT x.reason, count(DISTINCT x.response_id) FROM exclusions x JOIN responses r ON r.id = x.response_id
		WHERE r.measurement_id = $1 AND r.status = 'submitted' AND x.reverted_at IS NULL
		GROUP BY x.reason ORDER BY count(DISTINCT x.response_id) DESC, x.reason COLLATE "C"`, measurementID)
	if err != nil {
		return nil, fmt.Errorf("postgres: exclusions: %w", err)
	}
	defer rows.Close()
	var out []fieldwork.ExclusionCount
	for rows.Next() {
		var e fieldwork.ExclusionCount
		if err := rows.Scan(&e.Reason, &e.N); err != nil {
			return nil, fmt.Errorf("postgres: exclusions: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// dispositions counts dispositions by district: the released cases' when
// the measurement has a sample, else the invitations'.
func dispositions(ctx context.Context, tx *sql.Tx, measurementID string) (map[string]sampling.DispositionCounts, error) {
	// The latest call that reached anyone can put an open case in AAPOR's
	// NC or O (fieldwork.AAPORDisposition).
	rows, err := tx.QueryContext(ctx, `SELECT c.district, c.disposition, `+lastContactSQL+`, count(*) FROM cases c JOIN invitations i ON i.id = c.invitation_id
		WHERE i.measurement_id = $1 AND c.released GROUP BY 1, 2, 3`, measurementID)
	out, err := storekit.CaseDispositions(dialect, rows, err)
	if err != nil {
		return nil, err
	}
	if len(out) > 0 {
		return out, nil
	}
	return storekit.InvitationDispositions(ctx, dialect, tx, measurementID)
}
