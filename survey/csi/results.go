package csi

import (
	"manyi/survey"
	"manyi/survey/analysis"
)

// Estimate is a figure with its standard error and 95% interval.
type Estimate struct {
	Value float64 `json:"value"`
	SE    float64 `json:"se"`
	Lo    float64 `json:"lo"`
	Hi    float64 `json:"hi"`
}

// Change is a figure's change on last year: Diff = this − last, SE from
// independent samples (√(SE₁² + SE₀²)), Z = Diff / SE, P two-sided under
// the normal, Significant when P < 0.05.
type Change struct {
	Prev        float64 `json:"prev"`
	Diff        float64 `json:"diff"`
	SE          float64 `json:"se"`
	Z           float64 `json:"z"`
	P           float64 `json:"p"`
	Significant bool    `json:"significant"`
}

// Results is a service measurement's CSI.
type Results struct {
	// Overall is the city's CSI: the sector satisfaction indices combined
	// with the normalized sector weights, SE √(Σ a_s² SE_s²) (the sectors
	// are independent samples), interval ± 1.96 SE.
	Overall Estimate `json:"overall"`
	// OverallChange is the change on last year, nil without last year.
	OverallChange *Change `json:"overall_change,omitempty"`
	// Weights are the normalized sector weights used (sector code →
	// share); WeightsBasis says where they come from; EqualWeights is set
	// when the statistician saved none and every sector counts the same.
	Weights      map[string]float64 `json:"weights"`
	WeightsBasis string             `json:"weights_basis,omitempty"`
	EqualWeights bool               `json:"equal_weights"`
	Sectors      []*SectorResult    `json:"sectors"`
	// Districts compares districts: each district's CSI over the sectors
	// (the same sector weights, normalized over the sectors with answers
	// there).
	Districts []DistrictCSI `json:"districts"`
	N         int           `json:"n"`
	Reps      int           `json:"reps"`
	Seed      uint64        `json:"seed"`
	Notes     []survey.Text `json:"notes,omitempty"`
}

// SectorResult is one sector's fitted CCSI model.
type SectorResult struct {
	Sector survey.Sector `json:"sector"`
	N      int           `json:"n"`
	// Failed, when set, says why the sector has no model (too few
	// answers, a construct without variance …); the other fields are then
	// empty.
	Failed *survey.Text `json:"failed,omitempty"`
	// CSI is the satisfaction construct's index with bootstrap SE and
	// percentile interval.
	CSI    Estimate `json:"csi"`
	Change *Change  `json:"change,omitempty"`
	// Constructs: every construct's index, R², and total effect on
	// satisfaction (for the drivers), in model order.
	Constructs []ConstructResult `json:"constructs"`
	Paths      []PathResult      `json:"paths"`
	// Blocks is the measurement model table.
	Blocks []BlockQuality `json:"blocks"`
	GoF    float64        `json:"gof"`
	// IPM is the importance–performance matrix of the drivers: importance
	// is the driver's share of the positive total effects on satisfaction.
	IPM      []analysis.Importance `json:"ipm"`
	IPMChart string                `json:"ipm_chart"`
	// Districts are the sector's CSI by district (design-based SE of the
	// mean satisfaction score, outer weights fixed).
	Districts []DistrictCSI `json:"districts"`
	// Weighting says how the sector's respondents were weighted.
	Weighting survey.Text `json:"weighting"`
	// Iterations of the PLS algorithm; BootFailed replicates left out.
	Iterations int `json:"iterations"`
	BootFailed int `json:"boot_failed"`
}

// ConstructResult is one construct of a sector's model.
type ConstructResult struct {
	ID    string      `json:"id"`
	Name  survey.Text `json:"name"`
	Index Estimate    `json:"index"`
	R2    float64     `json:"r2"`
	// Effect is the total effect on satisfaction (0 for satisfaction
	// and the constructs after it).
	Effect Estimate `json:"effect"`
	Change *Change  `json:"change,omitempty"`
}

// PathResult is one path coefficient with its bootstrap SE and interval.
type PathResult struct {
	From        string   `json:"from"`
	To          string   `json:"to"`
	Coef        Estimate `json:"coef"`
	Significant bool     `json:"significant"` // the percentile interval excludes 0
}

// BlockQuality is one construct's row of the measurement model table.
type BlockQuality struct {
	Construct string        `json:"construct"`
	Name      survey.Text   `json:"name"`
	Alpha     float64       `json:"alpha"`
	CR        float64       `json:"cr"`
	AVE       float64       `json:"ave"`
	LowAlpha  bool          `json:"low_alpha"`
	LowCR     bool          `json:"low_cr"`
	LowAVE    bool          `json:"low_ave"`
	Items     []ItemLoading `json:"items"`
	Missing   int           `json:"missing"` // answers replaced (don't know or skipped)
}

// ItemLoading is one indicator.
type ItemLoading struct {
	ID         string      `json:"id"`
	Text       survey.Text `json:"text"`
	Loading    float64     `json:"loading"`
	Weight     float64     `json:"weight"`
	LowLoading bool        `json:"low_loading"`
}

// DistrictCSI is a district's CSI.
type DistrictCSI struct {
	District survey.District `json:"district"`
	N        int             `json:"n"`
	CSI      Estimate        `json:"csi"`
	// Diff is the district's CSI minus the sector's (or the city's).
	Diff float64 `json:"diff"`
}

// Sector returns the result of sector code, or nil.
func (r *Results) Sector(code string) *SectorResult {
	for _, s := range r.Sectors {
		if s.Sector.Code == code {
			return s
		}
	}
	return nil
}

// Construct returns the sector's result for construct id, or nil.
func (s *SectorResult) Construct(id string) *ConstructResult {
	for i := range s.Constructs {
		if s.Constructs[i].ID == id {
			return &s.Constructs[i]
		}
	}
	return nil
}
