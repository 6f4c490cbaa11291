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

// caseDesign is what the analysis takes from a drawn case.
type caseDesign struct {
	weight, prob float64
	district     string
}

// fieldworkFacts are a measurement's design facts from the fieldwork
// tables: the drawn case behind each invitation, the issued (released)
// cases per district and the responses set aside in review.
type fieldworkFacts struct {
	hasSample bool
	cases     map[int64]caseDesign // by invitation id
	issued    map[string]int
	excluded  map[int64]bool // by response id
}

// fieldworkDesign reads the design facts inside tx.
func fieldworkDesign(ctx context.Context, tx *sql.Tx, measurementID string) (fieldworkFacts, error) {
	f := fieldworkFacts{cases: map[int64]caseDesign{}, excluded: map[int64]bool{}}
	rows, err := tx.QueryContext(ctx, `SELECT c.invitation_id, c.district, c.weight, c.prob, c.released
		FROM cases c JOIN invitations i ON i.id = c.invitation_id WHERE i.measurement_id = $1`, measurementID)
	if err != nil {
		return f, fmt.Errorf("postgres: cases: %w", err)
	}
	for rows.Next() {
		var inv int64
		var c caseDesign
		var rel bool
		if err := rows.Scan(&inv, &c.district, &c.weight, &c.prob, &rel); err != nil {
			rows.Close()
			return f, fmt.Errorf("postgres: cases: %w", err)
		}
		if f.issued == nil {
			f.issued = map[string]int{}
		}
		f.cases[inv] = c
		f.hasSample = true
		if rel {
			f.issued[c.district]++
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return f, fmt.Errorf("postgres: cases: %w", err)
	}
	if f.excluded, err = excludedResponses(ctx, tx, measurementID); err != nil {
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
		if len(fw.issued) > 0 {
			ds.Issued = fw.issued
		}
		// One row per response, its answers aggregated into one string
		// (storekit.AnswerRecords).
		rows, err := tx.QueryContext(ctx, `SELECT r.id, r.invitation_id, r.mode, i.open_link,
				coalesce((SELECT string_agg(a.item_id || chr(31) || octet_length(a.value) || chr(31) || a.value, '' ORDER BY a.item_id, a.position)
					FROM answers a WHERE a.response_id = r.id), '')
			FROM responses r JOIN invitations i ON i.id = r.invitation_id
			WHERE r.measurement_id = $1 AND r.status = $2 ORDER BY r.id`, measurementID, survey.RespSubmitted)
		if err != nil {
			return fmt.Errorf("postgres: load dataset: %w", err)
		}
		defer rows.Close()
		intern := map[string]string{}
		for rows.Next() {
			var (
				id, invitation int64
				mode, records  string
				openLink       bool
			)
			if err := rows.Scan(&id, &invitation, &mode, &openLink, &records); err != nil {
				return fmt.Errorf("postgres: load dataset: %w", err)
			}
			a, err := storekit.AnswerRecords(records, intern)
			if err != nil {
				return fmt.Errorf("postgres: load dataset: response %d: %w", id, err)
			}
			res := analysis.FromResponse(q, &survey.Response{ID: id, Mode: mode, Answers: a})
			if c, ok := fw.cases[invitation]; ok {
				res.DesignWeight, res.InclProb = c.weight, c.prob
				if res.District == "" {
					res.District = c.district
				}
			} else if fw.hasSample || openLink {
				res.NonProbability = true
			}
			res.Excluded = fw.excluded[id]
			ds.Respondents = append(ds.Respondents, res)
		}
		return rows.Err()
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
		var start, end sql.NullTime
		if err := tx.QueryRowContext(ctx, `SELECT count(*), min(started_at), max(submitted_at) FROM responses WHERE measurement_id = $1 AND status = $2`,
			measurementID, survey.RespSubmitted).Scan(&s.Submitted, &start, &end); err != nil {
			return fmt.Errorf("postgres: fieldwork: %w", err)
		}
		if start.Valid {
			s.Start = utc(start.Time)
		}
		if end.Valid {
			s.End = utc(end.Time)
		}
		var err error
		if s.Exclusions, err = exclusionCounts(ctx, tx, measurementID); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT count(*) + count(x.reverted_at) FROM exclusions x JOIN responses r ON r.id = x.response_id WHERE r.measurement_id = $1`,
			measurementID).Scan(&s.ExclusionEvents); err != nil {
			return fmt.Errorf("postgres: exclusion events: %w", err)
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
	if err != nil {
		return nil, fmt.Errorf("postgres: case dispositions: %w", err)
	}
	out := map[string]sampling.DispositionCounts{}
	for rows.Next() {
		var h, d, last string
		var n int
		if err := rows.Scan(&h, &d, &last, &n); err != nil {
			rows.Close()
			return nil, fmt.Errorf("postgres: case dispositions: %w", err)
		}
		c := out[h]
		if err := c.Add(fieldwork.AAPORDisposition(d, last), n); err != nil {
			continue // not an AAPOR input
		}
		out[h] = c
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: case dispositions: %w", err)
	}
	if len(out) > 0 {
		return out, nil
	}
	return invitationDispositions(ctx, tx, measurementID)
}

// invitationDispositions counts the invitations of a measurement by
// disposition, all under the unknown district "".
func invitationDispositions(ctx context.Context, tx *sql.Tx, measurementID string) (map[string]sampling.DispositionCounts, error) {
	rows, err := tx.QueryContext(ctx, `SELECT disposition, count(*) FROM invitations WHERE measurement_id = $1 GROUP BY disposition`, measurementID)
	if err != nil {
		return nil, fmt.Errorf("postgres: dispositions: %w", err)
	}
	defer rows.Close()
	var c sampling.DispositionCounts
	seen := false
	for rows.Next() {
		var d string
		var n int
		if err := rows.Scan(&d, &n); err != nil {
			return nil, fmt.Errorf("postgres: dispositions: %w", err)
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
		return nil, fmt.Errorf("postgres: dispositions: %w", err)
	}
	if !seen {
		return nil, nil
	}
	return map[string]sampling.DispositionCounts{"": c}, nil
}
