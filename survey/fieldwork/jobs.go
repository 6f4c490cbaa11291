package fieldwork

import (
	"context"
	"time"
)

// A Job is one piece of the office's long work (a frame upload read,
// checked and imported; a file of invitation links) kept in the store, so
// that every server behind one database shows its progress and carries
// its next step: the office's "Import clean rows" may reach another
// server than the upload did (issue 12).
type Job struct {
	ID            string
	MeasurementID string
	Kind          string // JobFrame, JobLinks
	User          string
	Source        string // the uploaded file's name, the download's name
	Phase         string
	Done, Total   int64
	// Err is the job's failure as the page shows it, Chinese and English.
	ErrZh, ErrEn string
	// Input is what the job reads (the uploaded file), sealed with the
	// contact key: it holds phone numbers.
	Input string
	// Meta is the job's findings as JSON (counts, rejected rows).
	Meta []byte
	// Result is the job's product (the link file), sealed: it holds
	// invitation tokens and phone numbers.
	Result  string
	Created time.Time
	Updated time.Time
}

// Kinds of job.
const (
	JobFrame = "frame"
	JobLinks = "links"
)

// JobStore keeps the office's jobs.
type JobStore interface {
	// CreateJob stores a new job (Created and Updated set by the store).
	CreateJob(ctx context.Context, j *Job) error
	// Job returns one job (ENOTFOUND).
	Job(ctx context.Context, id string) (*Job, error)
	// LatestJob returns the measurement's newest job of a kind
	// (ENOTFOUND).
	LatestJob(ctx context.Context, measurementID, kind string) (*Job, error)
	// UpdateJob writes j's phase, progress, error, input, meta and
	// result (ENOTFOUND when it was deleted).
	UpdateJob(ctx context.Context, j *Job) error
	// SetJobProgress writes a job's progress only.
	SetJobProgress(ctx context.Context, id string, done, total int64) error
	// DeleteJob forgets a job.
	DeleteJob(ctx context.Context, id string) error
	// ExpireJobs deletes the jobs not updated since before and returns
	// how many.
	ExpireJobs(ctx context.Context, before time.Time) (int, error)
}
