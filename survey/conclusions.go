package survey

import "time"

// ConclusionsVersion is one saved version of a report's conclusions, the
// paragraphs the office writes under the numbers.
type ConclusionsVersion struct {
	MeasurementID string
	Lang          string
	Version       int
	Paragraphs    []string
	CreatedBy     string
	CreatedAt     time.Time
}
