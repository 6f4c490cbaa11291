package storekit

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"manyi/survey"
	"manyi/survey/fieldwork"
	"manyi/survey/sampling"
)

// CheckDiscard refuses, inside the caller's write transaction, to discard
// a measurement's sample when there is none (ENOTFOUND) or when anything
// has happened to a case: a disposition or interviewer set, a history
// entry (IssueLinks records one), a call attempt or a response
// (ECONFLICT).
func CheckDiscard(ctx context.Context, d *Dialect, tx Querier, measurementID string) error {
	var n int
	if err := d.QueryRow(ctx, tx, `SELECT count(*) FROM samples WHERE measurement_id = ?`, measurementID).Scan(&n); err != nil {
		return d.Errorf("discard sample: %w", err)
	}
	if n == 0 {
		return survey.Errorf(survey.ENOTFOUND, "测评 %s 尚未抽样", "measurement %s has no sample yet", measurementID)
	}
	var worked int
	err := d.QueryRow(ctx, tx, `SELECT
		(SELECT count(*) FROM cases WHERE measurement_id = ? AND (disposition <> 'not_sent' OR interviewer <> ''))
		+ (SELECT count(*) FROM case_history h JOIN cases c ON c.id = h.case_id WHERE c.measurement_id = ?)
		+ (SELECT count(*) FROM call_attempts a JOIN cases c ON c.id = a.case_id WHERE c.measurement_id = ?)
		+ (SELECT count(*) FROM responses r JOIN cases c ON c.invitation_id = r.invitation_id WHERE c.measurement_id = ?)`,
		measurementID, measurementID, measurementID, measurementID).Scan(&worked)
	if err != nil {
		return d.Errorf("discard sample: %w", err)
	}
	if worked > 0 {
		return survey.Errorf(survey.ECONFLICT, "已经发出邀请或开始访问，样本不能重抽", "invitations have been issued or cases worked; the sample can no longer be drawn again")
	}
	return nil
}

// ReleasedBatches returns, per stratum, how many reserve batches are
// released (0 when only the main sample is out).
func ReleasedBatches(ctx context.Context, d *Dialect, q Querier, measurementID string) (map[string]int, error) {
	rows, err := d.Query(ctx, q, `SELECT stratum, max(batch) FROM cases WHERE measurement_id = ? AND released GROUP BY stratum`, measurementID)
	if err != nil {
		return nil, d.Errorf("released batches: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var s string
		var b int
		if err := rows.Scan(&s, &b); err != nil {
			return nil, d.Errorf("released batches: %w", err)
		}
		out[s] = b
	}
	return out, rows.Err()
}

// LowestRelease is the reserve batch released in every stratum that has
// reserve batches, once levels (stratum → batches released, next the one
// just released) hold; samples.released keeps it.
func LowestRelease(a sampling.Allocation, levels map[string]int, next int) int {
	low := next
	for _, s := range a.Strata {
		if len(s.Batches) > 0 {
			low = min(low, levels[s.Name])
		}
	}
	return low
}

// Release is what releasing a reserve batch changes, read inside the
// caller's write transaction: the batch, the batches released per
// stratum once it is out, and the cases it concerns (the stratum's, or
// all for the whole sample) in drawn order in Sample.Cases, with each
// one's id and whether it is released already.
type Release struct {
	Batch    int
	Levels   map[string]int
	Sample   *sampling.Sample
	IDs      []int64
	Released []bool
}

// Design is the probability and weight of each case of r.Sample once the
// batch is out (sampling.WeightsReleased).
func (r *Release) Design() []sampling.Design {
	return sampling.WeightsReleased(r.Sample, r.Levels)
}

// PlanRelease reads the release of the sample's next reserve batch
// (si's seed and allocation; released of batches out already), or
// ErrAllReleased when every one is out.
func PlanRelease(ctx context.Context, d *Dialect, tx Querier, measurementID string, si *fieldwork.SampleInfo, released, batches int) (*Release, error) {
	if released >= batches {
		return nil, ErrAllReleased(batches)
	}
	r := &Release{Batch: released + 1, Sample: &sampling.Sample{Seed: si.Seed, Alloc: si.Alloc, Batches: batches}}
	var err error
	if r.IDs, r.Released, err = DrawnCases(ctx, d, tx, measurementID, "", r.Sample); err != nil {
		return nil, err
	}
	// A stratum released further by a stratum's own release keeps its
	// level.
	if r.Levels, err = ReleasedBatches(ctx, d, tx, measurementID); err != nil {
		return nil, err
	}
	for _, st := range si.Alloc.Strata {
		r.Levels[st.Name] = max(r.Levels[st.Name], r.Batch)
	}
	return r, nil
}

// PlanStratumRelease reads the release of the next reserve batch of one
// stratum (allocated sa in si), or ECONFLICT when it has none left.
func PlanStratumRelease(ctx context.Context, d *Dialect, tx Querier, measurementID, stratum string, si *fieldwork.SampleInfo, sa *sampling.StratumAllocation) (*Release, error) {
	levels, err := ReleasedBatches(ctx, d, tx, measurementID)
	if err != nil {
		return nil, err
	}
	next, err := NextStratumBatch(levels, stratum, sa)
	if err != nil {
		return nil, err
	}
	r := &Release{Batch: next, Levels: levels, Sample: &sampling.Sample{Seed: si.Seed, Alloc: si.Alloc, Batches: si.Batches}}
	if r.IDs, r.Released, err = DrawnCases(ctx, d, tx, measurementID, stratum, r.Sample); err != nil {
		return nil, err
	}
	return r, nil
}

// SetReleased records, inside the caller's write transaction, the batch
// released in every stratum after r (LowestRelease) in samples.released,
// which never goes down; greatest is the dialect's two-argument maximum
// ("max", "greatest").
func SetReleased(ctx context.Context, d *Dialect, tx Querier, measurementID string, si *fieldwork.SampleInfo, r *Release, greatest string) error {
	low := LowestRelease(si.Alloc, r.Levels, r.Batch)
	if _, err := d.Exec(ctx, tx, `UPDATE samples SET released = `+greatest+`(released, ?) WHERE measurement_id = ?`, low, measurementID); err != nil {
		return d.Errorf("release batch: %w", err)
	}
	return nil
}

// SetArchived archives (or restores) a measurement inside the caller's
// write transaction.
func SetArchived(ctx context.Context, d *Dialect, tx Querier, id string, archived bool, by string, now time.Time) error {
	var err error
	if archived {
		_, err = d.Exec(ctx, tx, `INSERT INTO measurement_archive (measurement_id, archived_at, archived_by) VALUES (?, ?, ?)
			ON CONFLICT (measurement_id) DO NOTHING`, id, d.TimeArg(now), by)
	} else {
		_, err = d.Exec(ctx, tx, `DELETE FROM measurement_archive WHERE measurement_id = ?`, id)
	}
	if err != nil {
		return d.Errorf("archive %s: %w", id, err)
	}
	return nil
}

// Archive returns the measurement's archive state.
func Archive(ctx context.Context, d *Dialect, q Querier, id string) (fieldwork.ArchiveInfo, error) {
	var a fieldwork.ArchiveInfo
	err := d.QueryRow(ctx, q, `SELECT archived_at, archived_by FROM measurement_archive WHERE measurement_id = ?`, id).Scan(d.TimeDest(&a.At), &a.By)
	if errors.Is(err, sql.ErrNoRows) {
		return fieldwork.ArchiveInfo{}, nil
	}
	if err != nil {
		return fieldwork.ArchiveInfo{}, d.Errorf("archive of %s: %w", id, err)
	}
	a.Archived = true
	return a, nil
}

// ArchivedMeasurements returns the ids of the archived measurements.
func ArchivedMeasurements(ctx context.Context, d *Dialect, q Querier) (map[string]bool, error) {
	rows, err := d.Query(ctx, q, `SELECT measurement_id FROM measurement_archive`)
	ids, err := ScanAll(d, "archived measurements", rows, err, func(sc Scanner) (string, error) {
		var id string
		err := sc.Scan(&id)
		return id, err
	})
	if err != nil {
		return nil, err
	}
	out := make(map[string]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}

// StoredFrameCounts counts the stored frame's units by district code,
// gender and age band (one grouped scan of frame_units), with the
// frame's contacts; ENOTFOUND without a frame.
func StoredFrameCounts(ctx context.Context, d *Dialect, q Querier, measurementID string) (*fieldwork.FrameCounts, error) {
	sum, err := FrameSummary(ctx, d, q, measurementID)
	if err != nil {
		return nil, err
	}
	c := &fieldwork.FrameCounts{Contacts: sum.Contacts, ByDistrict: map[string]int{}, ByGender: map[string]int{}, ByAgeBand: map[string]int{}}
	if err := FrameCounts(ctx, d, q, measurementID, c); err != nil {
		return nil, err
	}
	return c, nil
}

// FrameCounts counts the stored frame's units by district code, gender
// and age band (one grouped scan of frame_units) into c.
func FrameCounts(ctx context.Context, d *Dialect, q Querier, measurementID string, c *fieldwork.FrameCounts) error {
	rows, err := d.Query(ctx, q, `SELECT district, gender, age_band, count(*) FROM frame_units WHERE measurement_id = ? GROUP BY 1, 2, 3`, measurementID)
	if err != nil {
		return d.Errorf("frame counts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var dc, g, a string
		var n int
		if err := rows.Scan(&dc, &g, &a, &n); err != nil {
			return d.Errorf("frame counts: %w", err)
		}
		c.Units += n
		c.ByDistrict[dc] += n
		c.ByGender[g] += n
		c.ByAgeBand[a] += n
	}
	return rows.Err()
}
