package survey

import (
	"context"
	"time"
)

// ImportedResponse is one finished response stored in bulk: the demo's
// simulated measurements, or answers collected outside manyi.
type ImportedResponse struct {
	// Status is how the response ended (RespSubmitted when empty),
	// or RespInProgress for a break-off (SubmittedAt is then
	// ignored: the response is left unfinished).
	Status      string
	Mode        string // ModeWeb, ModePhone or ModeFace
	Interviewer string // user name for phone and face interviews
	UAClass     string
	Answers     Answers
	// Elapsed is the time spent on each page, by page id (paradata); the
	// pages visible with the answers are recorded in questionnaire order.
	Elapsed     map[string]time.Duration
	StartedAt   time.Time
	SubmittedAt time.Time
}

// ResponseImporter stores finished responses in bulk (the demo's simulated
// measurements, answers collected outside manyi).
type ResponseImporter interface {
	// ImportResponses stores rs, each behind a new invitation of its own,
	// and returns the stored responses' ids in input order. An answer to
	// an unknown item, or an unknown mode or status, is EINVALID naming
	// the response's position.
	ImportResponses(ctx context.Context, measurementID string, rs []ImportedResponse) ([]int64, error)
}
