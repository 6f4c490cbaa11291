package workspace

import (
	"time"

	"manyi/survey/analysis"
	"manyi/survey/sampling"
)

// The types below are what the workspace's Store returns. They live here,
// not in the adapter that stores them, so that the web and the workspace
// import no adapter (survey/sqlite implements Store with them).

// WeightingVersion is one saved weighting specification of a measurement.
type WeightingVersion struct {
	MeasurementID string
	// Version counts from 1; 0 means nothing is saved and Spec is
	// analysis.DefaultWeightingSpec.
	Version   int
	Spec      analysis.WeightingSpec
	CreatedBy string
	CreatedAt time.Time
}

// FieldworkSummary is what the report says about the fieldwork besides
// the estimates.
type FieldworkSummary struct {
	// Start is the first submitted response's start, End the last
	// submission (zero without responses).
	Start, End time.Time
	// Submitted counts the completed responses before the quality review.
	Submitted int
	// Exclusions counts the responses set aside in the review, by reason.
	Exclusions []ExclusionCount
	// Dispositions are the cases' (or, without a sample, the invitations')
	// dispositions by district code; "" holds those of unknown district.
	Dispositions map[string]sampling.DispositionCounts
}

// ExclusionCount is one review reason and how many responses it removed.
type ExclusionCount struct {
	Reason string
	N      int
}

// ConclusionsVersion is one saved version of a report's conclusions.
type ConclusionsVersion struct {
	MeasurementID string
	Lang          string
	Version       int
	Paragraphs    []string
	CreatedBy     string
	CreatedAt     time.Time
}
