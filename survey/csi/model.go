package csi

import (
	"manyi/survey"
)

// Path is one arrow of the inner (structural) model, by construct id.
type Path struct {
	From, To string
}

// ModelPaths are the inner model estimated for every sector: the CCSI model
// (GB/T 19038; the ACSI chain with brand image in front). The chain
// expectation → quality → value → satisfaction → complaint/loyalty and its
// direct paths (expectation → value, expectation → satisfaction, quality →
// satisfaction, satisfaction → loyalty, complaint → loyalty) are the ACSI's;
// brand image acts on expectation, perceived quality, satisfaction and
// loyalty, as in the CCSI and ECSI models. docs/CSI.md draws it.
var ModelPaths = []Path{
	{"image", "expectation"},
	{"image", "quality"},
	{"image", "satisfaction"},
	{"image", "loyalty"},
	{"expectation", "quality"},
	{"expectation", "value"},
	{"expectation", "satisfaction"},
	{"quality", "value"},
	{"quality", "satisfaction"},
	{"value", "satisfaction"},
	{"satisfaction", "complaint"},
	{"satisfaction", "loyalty"},
	{"complaint", "loyalty"},
}

// Drivers are the constructs whose total effect on satisfaction is their
// importance in the importance–performance matrix.
var Drivers = []string{"image", "expectation", "quality", "value"}

// constructIndex returns the position of construct id in survey.Constructs.
func constructIndex(id string) int {
	for i, c := range survey.Constructs {
		if c.ID == id {
			return i
		}
	}
	return -1
}

// Thresholds below which the measurement model table flags a figure (the
// usual rules of thumb: Hair et al., A Primer on PLS-SEM).
const (
	MinLoading = 0.7
	MinAVE     = 0.5
	MinCR      = 0.7
	MinAlpha   = 0.7
)
