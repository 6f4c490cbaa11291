package fieldwork

import (
	"context"
	"time"
)

// OpenLink is a measurement's open link, /o/Slug: anyone who opens it
// while it is enabled gets a fresh invitation, goes through the same
// screener and quota check as a sampled resident, and is counted as a
// non-probability answer in every result. A measurement has none until it
// is first enabled (Slug is then ""); the slug is kept when it is
// disabled, so a printed link works again when it is re-enabled.
type OpenLink struct {
	MeasurementID string
	// Sector is the sector code of a service measurement's per-sector
	// link, "" for the measurement's one general link. A response started
	// through a sector's link has that sector fixed: the screener's sector
	// item is answered with it and cannot be changed, so the quota claim
	// counts against that sector × the district the customer gives.
	Sector    string
	Slug      string
	Enabled   bool
	ChangedAt time.Time
	ChangedBy string
	// Started counts the invitations made through the link; Submitted
	// those whose response was submitted.
	Started, Submitted int
}

// InterceptStore starts intercept interviews: an interviewer on a tablet
// stops a customer (at a shop, a bank branch, a station) and interviews
// them face to face without a sampled case. Each interview gets its own
// invitation and response (mode face, the interviewer recorded), goes
// through the screener and quota check like any other, and is counted as
// a non-probability answer.
type InterceptStore interface {
	// StartIntercept makes the invitation and starts its response, and
	// returns the token of the interviewer's pages. EGONE when the
	// measurement is not open.
	StartIntercept(ctx context.Context, measurementID, interviewer string) (string, error)
	// SectorProgress counts a service measurement's submitted responses
	// by district and sector (district code → sector code → count), from
	// the screener's answers, for the monitor.
	SectorProgress(ctx context.Context, measurementID string) (map[string]map[string]int, error)
}
