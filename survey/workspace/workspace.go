package workspace

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"manyi/survey"
	"manyi/survey/analysis"
	"manyi/survey/report"
	"manyi/survey/sqlite"
)

// Store is what the workspace reads; *sqlite.DB implements it.
type Store interface {
	Measurement(ctx context.Context, id string) (*survey.Measurement, error)
	LoadDataset(ctx context.Context, id string) (*analysis.Dataset, error)
	Weighting(ctx context.Context, id string) (*sqlite.WeightingVersion, error)
	IndexMethod(ctx context.Context, id string) (analysis.IndexMethod, error)
	Census(ctx context.Context, id string) (*analysis.Census, error)
	Fieldwork(ctx context.Context, id string) (*sqlite.FieldworkSummary, error)
	Conclusions(ctx context.Context, id, lang string) (*sqlite.ConclusionsVersion, error)
}

var _ Store = (*sqlite.DB)(nil)

// Computed is a measurement's results with what they were computed from.
type Computed struct {
	Measurement *survey.Measurement
	Dataset     *analysis.Dataset
	Weighting   *sqlite.WeightingVersion
	Method      analysis.IndexMethod
	Results     *analysis.Results
	// Prev is last year's, nil without a linked previous measurement.
	Prev *report.PrevYear
	// Stamp is Stamp's value taken before the data were read: the
	// Results are at least as new as it says.
	Stamp string
}

// loaded is one measurement's inputs before computing.
type loaded struct {
	meas   *survey.Measurement
	ds     *analysis.Dataset
	w      *sqlite.WeightingVersion
	method analysis.IndexMethod
}

// DatasetLoader loads a measurement's dataset: Store.LoadDataset, or a
// cache in front of it (keyed by DataStamp), since reading 20,000
// responses costs seconds while a new weighting version needs none of it.
type DatasetLoader func(ctx context.Context, id string) (*analysis.Dataset, error)

func load(ctx context.Context, st Store, id string, datasets DatasetLoader) (*loaded, error) {
	m, err := st.Measurement(ctx, id)
	if err != nil {
		return nil, err
	}
	ds, err := datasets(ctx, id)
	if err != nil {
		return nil, err
	}
	w, err := st.Weighting(ctx, id)
	if err != nil {
		return nil, err
	}
	method, err := st.IndexMethod(ctx, id)
	if err != nil {
		return nil, err
	}
	return &loaded{meas: m, ds: ds, w: w, method: method}, nil
}

// Compute loads a measurement and computes its results with its current
// weighting and index method, and last year's with theirs (so that every
// figure carries its change): the steps of `manyi export` and `manyi
// report`. An error of last year's computation names last year.
func Compute(ctx context.Context, st Store, id string) (*Computed, error) {
	return ComputeWith(ctx, st, id, st.LoadDataset)
}

// ComputeWith is Compute with the datasets (this year's and last year's)
// read through datasets.
func ComputeWith(ctx context.Context, st Store, id string, datasets DatasetLoader) (*Computed, error) {
	stamp, err := Stamp(ctx, st, id)
	if err != nil {
		return nil, err
	}
	l, err := load(ctx, st, id, datasets)
	if err != nil {
		return nil, err
	}
	c := &Computed{Measurement: l.meas, Dataset: l.ds, Weighting: l.w, Method: l.method, Stamp: stamp}
	opt := analysis.Options{Method: l.method}
	if l.meas.PrevID != "" {
		p, err := load(ctx, st, l.meas.PrevID, datasets)
		if err != nil {
			return nil, err
		}
		pr, err := analysis.Compute(p.ds, p.w.Spec, analysis.Options{Method: p.method})
		if err != nil {
			return nil, lastYear(p.meas.ID, err)
		}
		c.Prev = &report.PrevYear{Measurement: p.meas, Results: pr, Dataset: p.ds}
		opt.PrevResults = pr
	}
	if c.Results, err = analysis.Compute(l.ds, l.w.Spec, opt); err != nil {
		return nil, err
	}
	return c, nil
}

// lastYear prefixes an error with the previous measurement's id.
func lastYear(id string, err error) error {
	var se *survey.Error
	if errors.As(err, &se) {
		return &survey.Error{Code: se.Code, Message: survey.Text{Zh: "上一年度（" + id + "）：" + se.Message.Zh, En: "last year (" + id + "): " + se.Message.En}}
	}
	return fmt.Errorf("last year (%s): %w", id, err)
}

// Trial computes c's data with another weighting specification and index
// method (last year's Results reused), without saving anything: the
// weighting page checks a specification this way before it becomes the
// current version, so that a margin that cannot be met is shown and not
// saved.
func Trial(c *Computed, spec analysis.WeightingSpec, method analysis.IndexMethod) (*analysis.Results, error) {
	opt := analysis.Options{Method: method}
	if c.Prev != nil {
		opt.PrevResults = c.Prev.Results
	}
	return analysis.Compute(c.Dataset, spec, opt)
}

// dataParts is what a measurement's dataset depends on.
type dataParts struct {
	ID        string
	Census    *analysis.Census
	Submitted int
	Start     time.Time
	End       time.Time
	Excluded  []sqlite.ExclusionCount
}

// stampParts is what a computation depends on besides the dataset.
type stampParts struct {
	Data      string
	Weighting int
	Spec      analysis.WeightingSpec
	Method    analysis.IndexMethod
	Prev      string `json:",omitempty"`
}

// hash is a short hex SHA-256 of v's JSON.
func hash(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("workspace: stamp: %w", err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:12]), nil
}

// DataStamp returns a short hash of what a measurement's dataset depends
// on: the number and times of its submitted responses, the exclusions of
// the quality review and the census. It reads aggregates, never the
// answers. (Submitted responses are never edited, so their count and
// times change whenever the set does.)
func DataStamp(ctx context.Context, st Store, id string) (string, error) {
	census, err := st.Census(ctx, id)
	if err != nil {
		return "", err
	}
	fw, err := st.Fieldwork(ctx, id)
	if err != nil {
		return "", err
	}
	return hash(dataParts{ID: id, Census: census, Submitted: fw.Submitted, Start: fw.Start, End: fw.End, Excluded: fw.Exclusions})
}

// Stamp returns a short hash of everything a measurement's Results depend
// on that can change: its DataStamp, the current weighting version and its
// spec, the index method, and the same for last year. It costs a few
// small queries, cheap enough for every page view, so that cached Results
// are never stale.
func Stamp(ctx context.Context, st Store, id string) (string, error) {
	var parts []stampParts
	// This year and last year: Compute reads no further back.
	for depth := 0; depth < 2 && id != ""; depth++ {
		m, err := st.Measurement(ctx, id)
		if err != nil {
			return "", err
		}
		data, err := DataStamp(ctx, st, id)
		if err != nil {
			return "", err
		}
		w, err := st.Weighting(ctx, id)
		if err != nil {
			return "", err
		}
		method, err := st.IndexMethod(ctx, id)
		if err != nil {
			return "", err
		}
		parts = append(parts, stampParts{Data: data, Weighting: w.Version, Spec: w.Spec, Method: method, Prev: m.PrevID})
		id = m.PrevID
	}
	return hash(parts)
}

// Report renders c's report PDF in lang ("zh" or "en") with the office's
// saved conclusions in that language (generated ones when none are
// saved). A zero date means the latest of the last submission, the
// current weighting version and the saved conclusions: a date that moves
// only when the numbers or the words can, so the same data give the same
// bytes.
func Report(ctx context.Context, st Store, c *Computed, lang string, date time.Time) ([]byte, error) {
	in, err := ReportInput(ctx, st, c, lang, date)
	if err != nil {
		return nil, err
	}
	m, err := report.Build(in)
	if err != nil {
		return nil, err
	}
	return report.Render(m, report.Options{Lang: lang})
}

// ReportInput gathers what report.Build needs besides c: the fieldwork
// summary, the exclusions and the saved conclusions (see Report for the
// date).
func ReportInput(ctx context.Context, st Store, c *Computed, lang string, date time.Time) (report.BuildInput, error) {
	id := c.Measurement.ID
	fw, err := st.Fieldwork(ctx, id)
	if err != nil {
		return report.BuildInput{}, err
	}
	concl, err := st.Conclusions(ctx, id, lang)
	if err != nil {
		return report.BuildInput{}, err
	}
	in := report.BuildInput{
		Measurement: c.Measurement, Results: c.Results, Dataset: c.Dataset, Prev: c.Prev,
		Dispositions: fw.Dispositions, Collected: fw.Submitted,
		FieldStart: day(fw.Start), FieldEnd: day(fw.End), Lang: lang,
	}
	for _, e := range fw.Exclusions {
		in.Exclusions = append(in.Exclusions, report.Exclusion{Rule: survey.Text{Zh: e.Reason, En: e.Reason}, N: e.N})
	}
	if concl != nil && len(concl.Paragraphs) > 0 {
		in.Conclusions = concl.Paragraphs
	}
	if date.IsZero() {
		date = fw.End
		if c.Weighting.CreatedAt.After(date) {
			date = c.Weighting.CreatedAt
		}
		if concl != nil && concl.CreatedAt.After(date) {
			date = concl.CreatedAt
		}
	}
	in.ReportDate = day(date)
	return in, nil
}

// day truncates a time to its UTC date.
func day(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
