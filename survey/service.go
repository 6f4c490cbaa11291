package survey

import (
	"context"
	"time"
)

// SectorWeights are the weights the statistician enters to combine the
// sector indices into the city's overall CSI (e.g. each sector's share of
// service value added). Weights need not sum to 1: they are normalized over
// the sectors that have an index. A sector without a weight counts 0.
type SectorWeights struct {
	Basis     string             // where the weights come from, e.g. "2025 年服务业增加值"
	Weights   map[string]float64 // sector code → weight ≥ 0
	UpdatedBy string
	UpdatedAt time.Time
}

// SectorWeightStore keeps a service measurement's sector weights.
// Implemented by survey/sqlite.
type SectorWeightStore interface {
	// SectorWeights returns the saved weights, or nil when none were
	// saved (ENOTFOUND for an unknown measurement).
	SectorWeights(ctx context.Context, measurementID string) (*SectorWeights, error)
	// SetSectorWeights replaces the weights as a whole. EINVALID for a
	// resident measurement, an unknown sector, a negative or non-finite
	// weight, or weights that are all zero.
	SetSectorWeights(ctx context.Context, measurementID string, w *SectorWeights) error
}
