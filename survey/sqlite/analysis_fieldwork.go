package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"manyi/survey/fieldwork"
	"manyi/survey/internal/storekit"
	"manyi/survey/sampling"
)

// The fieldwork tables (migration 0060_fieldwork) are read here without
// being owned here: a table is used only when it has the columns named
// here, so that a schema change there degrades to "an undrawn sample with
// nothing excluded" instead of failing every analysis. A case's district
// (not its stratum, which may be another frame column) is the analysis
// stratum.
var (
	casesTable      = fieldworkTable{names: []string{"cases"}, cols: []string{"invitation_id", "district", "weight", "disposition"}}
	exclusionsTable = fieldworkTable{names: []string{"exclusions"}, cols: []string{"response_id", "reason", "reverted_at"}}
)

// fieldworkTable is a table the analysis can read when present.
type fieldworkTable struct {
	names []string
	cols  []string
}

// find returns the name of the first candidate table that has every
// needed column and which optional columns it has, or "".
func (ft fieldworkTable) find(ctx context.Context, q querier, optional ...string) (string, map[string]bool, error) {
	for _, name := range ft.names {
		rows, err := q.QueryContext(ctx, `SELECT name FROM pragma_table_info(?)`, name)
		if err != nil {
			return "", nil, fmt.Errorf("sqlite: schema: %w", err)
		}
		have := map[string]bool{}
		for rows.Next() {
			var c string
			if err := rows.Scan(&c); err != nil {
				rows.Close()
				return "", nil, fmt.Errorf("sqlite: schema: %w", err)
			}
			have[c] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return "", nil, fmt.Errorf("sqlite: schema: %w", err)
		}
		ok := len(have) > 0
		for _, c := range ft.cols {
			ok = ok && have[c]
		}
		if ok {
			opt := map[string]bool{}
			for _, c := range optional {
				opt[c] = have[c]
			}
			return name, opt, nil
		}
	}
	return "", nil, nil
}

// fieldworkDesign reads the design facts; without fieldwork tables they
// are empty.
func (db *DB) fieldworkDesign(ctx context.Context, tx *sql.Tx, measurementID string) (storekit.FieldworkFacts, error) {
	f := storekit.FieldworkFacts{Cases: map[int64]storekit.CaseDesign{}, Excluded: map[int64]bool{}}
	cases, opt, err := casesTable.find(ctx, tx, "prob", "psu", "released")
	if err != nil {
		return f, err
	}
	if cases != "" {
		prob, psu, released := "0", "''", "1"
		if opt["prob"] {
			prob = "coalesce(c.prob, 0)"
		}
		if opt["psu"] {
			psu = "coalesce(c.psu, '')"
		}
		if opt["released"] {
			released = "c.released"
		}
		rows, err := tx.QueryContext(ctx, `SELECT c.invitation_id, c.district, coalesce(c.weight, 0), `+prob+`, `+psu+`, `+released+`
			FROM `+cases+` c JOIN invitations i ON i.id = c.invitation_id WHERE i.measurement_id = ?`, measurementID)
		if err != nil {
			return f, fmt.Errorf("sqlite: cases: %w", err)
		}
		f.Issued = map[string]int{}
		for rows.Next() {
			var inv int64
			var c storekit.CaseDesign
			var rel bool
			if err := rows.Scan(&inv, &c.District, &c.Weight, &c.Prob, &c.PSU, &rel); err != nil {
				rows.Close()
				return f, fmt.Errorf("sqlite: cases: %w", err)
			}
			f.Cases[inv] = c
			f.HasSample = true
			if rel {
				f.Issued[c.District]++
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return f, fmt.Errorf("sqlite: cases: %w", err)
		}
	}
	excl, _, err := exclusionsTable.find(ctx, tx)
	if err != nil || excl == "" {
		return f, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT DISTINCT x.response_id FROM `+excl+` x JOIN responses r ON r.id = x.response_id
		WHERE r.measurement_id = ? AND x.reverted_at IS NULL`, measurementID)
	if err != nil {
		return f, fmt.Errorf("sqlite: exclusions: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return f, fmt.Errorf("sqlite: exclusions: %w", err)
		}
		f.Excluded[id] = true
	}
	return f, rows.Err()
}

// exclusionCounts counts the submitted responses set aside in review (and
// not restored) by reason.
func (db *DB) exclusionCounts(ctx context.Context, tx *sql.Tx, measurementID string) ([]fieldwork.ExclusionCount, error) {
	excl, _, err := exclusionsTable.find(ctx, tx)
	if err != nil || excl == "" {
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT x.reason, count(DISTINCT x.response_id) FROM `+excl+` x JOIN responses r ON r.id = x.response_id
		WHERE r.measurement_id = ? AND r.status = 'submitted' AND x.reverted_at IS NULL
		GROUP BY x.reason ORDER BY count(DISTINCT x.response_id) DESC, x.reason`, measurementID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: exclusions: %w", err)
	}
	defer rows.Close()
	var out []fieldwork.ExclusionCount
	for rows.Next() {
		var e fieldwork.ExclusionCount
		if err := rows.Scan(&e.Reason, &e.N); err != nil {
			return nil, fmt.Errorf("sqlite: exclusions: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// dispositions counts dispositions by district: the drawn cases' when the
// measurement has a sample, else the invitations'.
func (db *DB) dispositions(ctx context.Context, tx *sql.Tx, measurementID string) (map[string]sampling.DispositionCounts, error) {
	cases, opt, err := casesTable.find(ctx, tx, "released")
	if err != nil {
		return nil, err
	}
	if cases != "" {
		released := ""
		if opt["released"] {
			released = " AND c.released"
		}
		// The latest call that reached anyone can put an open case in
		// AAPOR's NC or O (fieldwork.AAPORDisposition).
		rows, err := tx.QueryContext(ctx, `SELECT c.district, c.disposition, `+lastContactSQL+`, count(*) FROM `+cases+` c JOIN invitations i ON i.id = c.invitation_id
			WHERE i.measurement_id = ?`+released+` GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`, measurementID)
		out, err := storekit.CaseDispositions(dialect, rows, err)
		if err != nil {
			return nil, err
		}
		if len(out) > 0 {
			return out, nil
		}
	}
	return storekit.InvitationDispositions(ctx, dialect, tx, measurementID)
}
