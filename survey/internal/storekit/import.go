package storekit

import (
	"context"
	"time"

	"manyi/survey"
)

// ImportBatch is how many responses one import transaction writes: about
// 40,000 rows, a few hundred milliseconds, so the writer never holds the
// database long while residents answer.
const ImportBatch = 500

// ImportResponses checks every response of rs against q
// (CheckImported), then writes them in batches of ImportBatch through
// write (one transaction each) and returns the stored ids in input
// order: on an error, those of the batches written before it.
func ImportResponses(q *survey.Questionnaire, rs []survey.ImportedResponse, write func(batch []survey.ImportedResponse) ([]int64, error)) ([]int64, error) {
	for i := range rs {
		if err := CheckImported(q, &rs[i], i+1); err != nil {
			return nil, err
		}
	}
	var ids []int64
	for start := 0; start < len(rs); start += ImportBatch {
		got, err := write(rs[start:min(start+ImportBatch, len(rs))])
		if err != nil {
			return ids, err
		}
		ids = append(ids, got...)
	}
	return ids, nil
}

// Imported is how an imported response is stored: its pages in
// questionnaire order up to the last one answered, each saved once at a
// time that adds up the elapsed times (Saved), the time it ended (its
// submission, or for one in progress its start plus the pages' elapsed
// times), and its invitation's disposition.
type Imported struct {
	Pages       []*survey.Page
	Saved       []time.Time // by page
	End         time.Time
	Disposition string
	// Finished is set for a response that is not in progress: it has a
	// submission time, End.
	Finished bool
}

// PlanImport returns how r, a response to q, is stored.
func PlanImport(q *survey.Questionnaire, r *survey.ImportedResponse) *Imported {
	pages := q.VisiblePages(r.Answers)
	last := -1
	for i, pg := range pages {
		for _, it := range pg.Items {
			if len(r.Answers[it.ID]) > 0 {
				last = i
			}
		}
	}
	im := &Imported{Pages: pages[:last+1], End: r.SubmittedAt, Disposition: r.Status, Finished: true}
	if r.Status == survey.RespInProgress {
		im.End = r.StartedAt
		for _, pg := range im.Pages {
			im.End = im.End.Add(r.Elapsed[pg.ID])
		}
		im.Disposition, im.Finished = DispStarted, false
	}
	at := r.StartedAt
	for _, pg := range im.Pages {
		at = at.Add(r.Elapsed[pg.ID])
		if at.After(im.End) {
			at = im.End
		}
		im.Saved = append(im.Saved, at)
	}
	return im
}

// FreezeVersion freezes a questionnaire version, if it is not yet,
// inside the caller's write transaction.
func FreezeVersion(ctx context.Context, d *Dialect, tx Querier, measurementID string, version int, now time.Time) error {
	if _, err := d.Exec(ctx, tx, `UPDATE questionnaire_versions SET frozen_at = ? WHERE measurement_id = ? AND version = ? AND frozen_at IS NULL`,
		d.TimeArg(now), measurementID, version); err != nil {
		return d.Errorf("freeze questionnaire: %w", err)
	}
	return nil
}
