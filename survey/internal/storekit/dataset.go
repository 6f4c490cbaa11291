package storekit

import (
	"context"
	"database/sql"
	"time"

	"manyi/survey"
	"manyi/survey/analysis"
	"manyi/survey/fieldwork"
	"manyi/survey/sampling"
)

// CaseDesign is what the analysis takes from a drawn case.
type CaseDesign struct {
	Weight, Prob  float64
	District, PSU string
}

// FieldworkFacts are a measurement's design facts from the fieldwork
// tables: the drawn case behind each invitation, the issued (released)
// cases per district and the responses set aside in review.
type FieldworkFacts struct {
	HasSample bool
	Cases     map[int64]CaseDesign // by invitation id
	Issued    map[string]int
	Excluded  map[int64]bool // by response id
}

// DatasetRespondents reads the submitted responses of a dataset query
// (id, invitation id, mode, open link, answers as AnswerRecords), closing
// rows, into respondents of q with the design facts of fw: a response
// with a drawn case has its weight, probability and PSU (and its district
// when the answers give none); one without, in a measurement with a
// sample or through the open link, is NonProbability.
func DatasetRespondents(d *Dialect, q *survey.Questionnaire, rows *sql.Rows, err error, fw *FieldworkFacts) ([]analysis.Respondent, error) {
	if err != nil {
		return nil, d.Errorf("load dataset: %w", err)
	}
	defer rows.Close()
	// Item ids repeat across responses: intern them so that 20,000
	// responses share one string per item.
	intern := map[string]string{}
	var out []analysis.Respondent
	for rows.Next() {
		var (
			id, invitation int64
			mode, records  string
			openLink       bool
		)
		if err := rows.Scan(&id, &invitation, &mode, &openLink, &records); err != nil {
			return nil, d.Errorf("load dataset: %w", err)
		}
		a, err := AnswerRecords(records, intern)
		if err != nil {
			return nil, d.Errorf("load dataset: response %d: %w", id, err)
		}
		res := analysis.FromResponse(q, &survey.Response{ID: id, Mode: mode, Answers: a})
		if c, ok := fw.Cases[invitation]; ok {
			res.DesignWeight, res.InclProb, res.PSU = c.Weight, c.Prob, c.PSU
			if res.District == "" {
				res.District = c.District
			}
		} else if fw.HasSample || openLink {
			res.NonProbability = true
		}
		res.Excluded = fw.Excluded[id]
		out = append(out, res)
	}
	if err := rows.Err(); err != nil {
		return nil, d.Errorf("load dataset: %w", err)
	}
	return out, nil
}

// SubmittedSpan sets s's count of submitted responses and the span from
// the first start to the last submission, inside the caller's read
// transaction.
func SubmittedSpan(ctx context.Context, d *Dialect, tx Querier, measurementID string, s *fieldwork.Summary) error {
	var start, end *time.Time
	if err := d.QueryRow(ctx, tx, `SELECT count(*), min(started_at), max(submitted_at) FROM responses WHERE measurement_id = ? AND status = ?`,
		measurementID, survey.RespSubmitted).Scan(&s.Submitted, d.NullTimeDest(&start), d.NullTimeDest(&end)); err != nil {
		return d.Errorf("fieldwork: %w", err)
	}
	if start != nil {
		s.Start = *start
	}
	if end != nil {
		s.End = *end
	}
	return nil
}

// ExclusionEvents counts the measurement's exclusions and restorations,
// inside the caller's read transaction.
func ExclusionEvents(ctx context.Context, d *Dialect, tx Querier, measurementID string) (int64, error) {
	var n int64
	if err := d.QueryRow(ctx, tx, `SELECT count(*) + count(x.reverted_at) FROM exclusions x JOIN responses r ON r.id = x.response_id WHERE r.measurement_id = ?`,
		measurementID).Scan(&n); err != nil {
		return 0, d.Errorf("exclusion events: %w", err)
	}
	return n, nil
}

// CaseDispositions reads the rows of an adapter's case disposition query
// (district, disposition, last contact, count), closing rows, into AAPOR
// counts by district (fieldwork.AAPORDisposition).
func CaseDispositions(d *Dialect, rows *sql.Rows, err error) (map[string]sampling.DispositionCounts, error) {
	if err != nil {
		return nil, d.Errorf("case dispositions: %w", err)
	}
	defer rows.Close()
	out := map[string]sampling.DispositionCounts{}
	for rows.Next() {
		var h, disp, last string
		var n int
		if err := rows.Scan(&h, &disp, &last, &n); err != nil {
			return nil, d.Errorf("case dispositions: %w", err)
		}
		c := out[h]
		if err := c.Add(fieldwork.AAPORDisposition(disp, last), n); err != nil {
			continue // not an AAPOR input
		}
		out[h] = c
	}
	if err := rows.Err(); err != nil {
		return nil, d.Errorf("case dispositions: %w", err)
	}
	return out, nil
}

// InvitationDispositions counts the invitations of a measurement by
// disposition, all under the unknown district "", inside the caller's
// read transaction; nil when none is a rate input.
func InvitationDispositions(ctx context.Context, d *Dialect, tx Querier, measurementID string) (map[string]sampling.DispositionCounts, error) {
	rows, err := d.Query(ctx, tx, `SELECT disposition, count(*) FROM invitations WHERE measurement_id = ? GROUP BY disposition ORDER BY disposition`, measurementID)
	if err != nil {
		return nil, d.Errorf("dispositions: %w", err)
	}
	defer rows.Close()
	var c sampling.DispositionCounts
	seen := false
	for rows.Next() {
		var disp string
		var n int
		if err := rows.Scan(&disp, &n); err != nil {
			return nil, d.Errorf("dispositions: %w", err)
		}
		fd, ok := InvitationDisposition[disp]
		if !ok {
			fd = disp
		}
		if err := c.Add(fd, n); err != nil {
			continue // a disposition a later feature added: not a rate input
		}
		seen = true
	}
	if err := rows.Err(); err != nil {
		return nil, d.Errorf("dispositions: %w", err)
	}
	if !seen {
		return nil, nil
	}
	return map[string]sampling.DispositionCounts{"": c}, nil
}
