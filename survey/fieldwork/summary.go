package fieldwork

import (
	"time"

	"manyi/survey/sampling"
)

// Summary is what the report says about the fieldwork besides the
// estimates (the workspace's Store returns it).
type Summary struct {
	// Start is the first submitted response's start, End the last
	// submission (zero without responses).
	Start, End time.Time
	// Submitted counts the completed responses before the quality review.
	Submitted int
	// Exclusions counts the responses set aside in the review, by reason.
	Exclusions []ExclusionCount
	// ExclusionEvents counts every exclusion and every restore ever made
	// (it only grows): it changes whenever the set of excluded responses
	// does, also when the counts by reason end up the same (the results
	// cache's stamp uses it).
	ExclusionEvents int64
	// Dispositions are the cases' (or, without a sample, the invitations')
	// dispositions by district code; "" holds those of unknown district.
	Dispositions map[string]sampling.DispositionCounts
}

// ExclusionCount is one review reason and how many responses it removed.
type ExclusionCount struct {
	Reason string
	N      int
}
