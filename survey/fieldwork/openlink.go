package fieldwork

import "time"

// OpenLink is a measurement's open link, /o/Slug: anyone who opens it
// while it is enabled gets a fresh invitation, goes through the same
// screener and quota check as a sampled resident, and is counted as a
// non-probability answer in every result. A measurement has none until it
// is first enabled (Slug is then ""); the slug is kept when it is
// disabled, so a printed link works again when it is re-enabled.
type OpenLink struct {
	MeasurementID string
	Slug          string
	Enabled       bool
	ChangedAt     time.Time
	ChangedBy     string
	// Started counts the invitations made through the link; Submitted
	// those whose response was submitted.
	Started, Submitted int
}
