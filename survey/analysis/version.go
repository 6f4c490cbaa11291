package analysis

import "time"

// WeightingVersion is one saved weighting specification of a measurement.
// It is declared here, beside WeightingSpec, so that a store can return it
// without importing the workspace (and through it the report's PDF and
// plotting libraries).
type WeightingVersion struct {
	MeasurementID string
	// Version counts from 1; 0 means nothing is saved and Spec is
	// DefaultWeightingSpec.
	Version   int
	Spec      WeightingSpec
	CreatedBy string
	CreatedAt time.Time
}
