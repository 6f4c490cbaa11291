package analysis

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
)

// TestResultsJSONUndefined checks that figures that are not finite are
// written as null and listed under "undefined" with their path, that the
// JSON stays valid, that finite Results are written without the key, and
// that marshalling does not change the Results.
func TestResultsJSONUndefined(t *testing.T) {
	ds := Simulate(SimOptions{N: 300, Seed: 13})
	r := compute(t, ds, DefaultWeightingSpec(), Options{})
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), `"undefined"`) {
		t.Errorf("finite results: got an \"undefined\" key")
	}

	r.Overall.SE = math.NaN()
	r.Domains[1].CI[1] = math.Inf(1)
	r.Groups[0].Rows[0].Cells[0].VsRest.SE = math.Inf(-1)
	b, err = json.Marshal(r)
	if err != nil {
		t.Fatalf("json.Marshal with NaN and Inf: %v", err)
	}
	var back struct {
		Overall struct {
			SE *float64 `json:"se"`
		} `json:"overall"`
		Undefined []Undefined `json:"undefined"`
	}
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatalf("the JSON does not read back: %v", err)
	}
	if back.Overall.SE != nil {
		t.Errorf("overall.se: got %v, want null", *back.Overall.SE)
	}
	want := []string{"overall.se", "domains[1].ci[1]", "groups[0].rows[0].cells[0].vs_rest.se"}
	if len(back.Undefined) != len(want) {
		t.Fatalf("undefined: got %+v, want paths %v", back.Undefined, want)
	}
	for i, p := range want {
		if back.Undefined[i].Path != p || back.Undefined[i].Reason == "" {
			t.Errorf("undefined[%d]: got %+v, want path %q with a reason", i, back.Undefined[i], p)
		}
	}
	if !math.IsNaN(r.Overall.SE) || r.Undefined != nil {
		t.Errorf("marshalling changed the Results")
	}
}
