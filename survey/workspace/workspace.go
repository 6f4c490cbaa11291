package workspace

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"manyi/survey"
	"manyi/survey/analysis"
	"manyi/survey/fieldwork"
	"manyi/survey/report"
	"manyi/survey/sampling"
)

// Store is what the workspace reads; *DB implements it.
type Store interface {
	Measurement(ctx context.Context, id string) (*survey.Measurement, error)
	LoadDataset(ctx context.Context, id string) (*analysis.Dataset, error)
	Weighting(ctx context.Context, id string) (*analysis.WeightingVersion, error)
	IndexMethod(ctx context.Context, id string) (analysis.IndexMethod, error)
	Census(ctx context.Context, id string) (*analysis.Census, error)
	Fieldwork(ctx context.Context, id string) (*fieldwork.Summary, error)
	Conclusions(ctx context.Context, id, lang string) (*survey.ConclusionsVersion, error)
	// Sample is the drawn sample; ENOTFOUND when none was drawn.
	Sample(ctx context.Context, id string) (*fieldwork.SampleInfo, error)
}

// EditStore is Store with the writes of the statistician's pages (the
// results, weighting, export and report pages of survey/web): the
// weighting versions, the census, the index method and the report's
// conclusions, each audited as by.
type EditStore interface {
	Store
	Measurements(ctx context.Context) ([]*survey.Measurement, error)
	WeightingVersions(ctx context.Context, id string) ([]analysis.WeightingVersion, error)
	SaveWeighting(ctx context.Context, id string, spec analysis.WeightingSpec, by string) (int, error)
	ImportCensusCSV(ctx context.Context, id string, r io.Reader, by string) (*analysis.Census, error)
	SetIndexMethod(ctx context.Context, id string, m analysis.IndexMethod, by string) error
	SaveConclusions(ctx context.Context, id, lang string, paragraphs []string, by string) (int, error)
}

// Computed is a measurement's results with what they were computed from.
type Computed struct {
	Measurement *survey.Measurement
	Dataset     *analysis.Dataset
	Weighting   *analysis.WeightingVersion
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
	w      *analysis.WeightingVersion
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
	return ComputeCached(ctx, st, id, datasets, nil)
}

// PrevCache keeps last year's computation between computations of this
// year: last year's data and weighting rarely change while this year's
// do, and computing it is half of a recomputation. Get and Put are keyed
// by last year's own stamp (see ComputeCached); a PrevCache must be safe
// for concurrent use.
type PrevCache interface {
	Get(key string) (*report.PrevYear, bool)
	Put(key string, p *report.PrevYear)
}

// ComputeCached is ComputeWith with last year's computation taken from
// prev (nil: computed every time) when last year's stamp, that of its
// data, weighting and method, is unchanged.
func ComputeCached(ctx context.Context, st Store, id string, datasets DatasetLoader, prev PrevCache) (*Computed, error) {
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
		if c.Prev, err = computePrev(ctx, st, l.meas.PrevID, datasets, prev); err != nil {
			return nil, err
		}
		opt.PrevResults = c.Prev.Results
	}
	if c.Results, err = analysis.Compute(l.ds, l.w.Spec, opt); err != nil {
		return nil, err
	}
	return c, nil
}

// computePrev computes last year's results (id), through cache when
// one is given: its key is last year's own stamp (data, weighting version
// and spec, method), read before the data so that a change while
// computing makes the next key differ.
func computePrev(ctx context.Context, st Store, id string, datasets DatasetLoader, cache PrevCache) (*report.PrevYear, error) {
	var key string
	if cache != nil {
		parts, _, err := stampOf(ctx, st, id)
		if err != nil {
			return nil, err
		}
		if key, err = hash(parts); err != nil {
			return nil, err
		}
		if p, ok := cache.Get(key); ok {
			return p, nil
		}
	}
	p, err := load(ctx, st, id, datasets)
	if err != nil {
		return nil, err
	}
	pr, err := analysis.Compute(p.ds, p.w.Spec, analysis.Options{Method: p.method})
	if err != nil {
		return nil, lastYear(p.meas.ID, err)
	}
	py := &report.PrevYear{Measurement: p.meas, Results: pr, Dataset: p.ds}
	if cache != nil {
		cache.Put(key, py)
	}
	return py, nil
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
	Excluded  []fieldwork.ExclusionCount
	// ExclusionEvents changes with every exclusion and restore, even when
	// the counts by reason come out the same.
	ExclusionEvents int64 `json:",omitempty"`
	// Released is the number of reserve batches released: each release
	// changes the design weights and the issued counts.
	Released int `json:",omitempty"`
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
// the quality review, the census and the reserve batches released. Every
// part is read from the store, so a change made through another server
// changes the stamp of this one. It reads aggregates, never the
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
	released := 0
	switch si, err := st.Sample(ctx, id); survey.ErrorCode(err) {
	case "":
		released = si.Released
	case survey.ENOTFOUND:
	default:
		return "", err
	}
	return hash(dataParts{ID: id, Census: census, Submitted: fw.Submitted, Start: fw.Start, End: fw.End, Excluded: fw.Exclusions, ExclusionEvents: fw.ExclusionEvents, Released: released})
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
		p, prev, err := stampOf(ctx, st, id)
		if err != nil {
			return "", err
		}
		parts = append(parts, p)
		id = prev
	}
	return hash(parts)
}

// stampOf returns what one measurement's own Results depend on, and its
// previous measurement's id.
func stampOf(ctx context.Context, st Store, id string) (stampParts, string, error) {
	m, err := st.Measurement(ctx, id)
	if err != nil {
		return stampParts{}, "", err
	}
	data, err := DataStamp(ctx, st, id)
	if err != nil {
		return stampParts{}, "", err
	}
	w, err := st.Weighting(ctx, id)
	if err != nil {
		return stampParts{}, "", err
	}
	method, err := st.IndexMethod(ctx, id)
	if err != nil {
		return stampParts{}, "", err
	}
	return stampParts{Data: data, Weighting: w.Version, Spec: w.Spec, Method: method, Prev: m.PrevID}, m.PrevID, nil
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
// summary, the exclusions, the saved conclusions and, when the drawn
// sample is stratified by district, its allocation (the district table's
// targets; see Report for the date).
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
	si, err := st.Sample(ctx, id)
	switch {
	case survey.ErrorCode(err) == survey.ENOTFOUND:
		// No sample drawn: the table has no targets.
	case err != nil:
		return report.BuildInput{}, err
	case si.Plan.StratumColumn() == sampling.ColDistrict:
		// report.Build reads the allocation's strata as district codes;
		// a sample stratified by gender or age has no district targets.
		in.Allocation = &si.Alloc
	}
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
