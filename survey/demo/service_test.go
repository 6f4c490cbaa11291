package demo_test

import (
	"context"
	"path/filepath"
	"testing"

	"manyi/survey/demo"
	"manyi/survey/sqlite"
	"manyi/survey/workspace"
)

func TestSimulateService(t *testing.T) {
	db, err := sqlite.Open(filepath.Join(t.TempDir(), "d.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	res, err := demo.SimulateService(ctx, db, 12, 1)
	if err != nil {
		t.Fatal(err)
	}
	if res.Added[demo.ServiceID] != 7*6*12 || res.Added[demo.ServicePrevID] != 7*6*12 {
		t.Fatalf("added %v", res.Added)
	}
	again, err := demo.SimulateService(ctx, db, 12, 1)
	if err != nil || len(again.Added) != 0 || again.Existing[demo.ServiceID] != 7*6*12 {
		t.Fatalf("second run: %+v, %v", again, err)
	}
	prog, err := db.SectorProgress(ctx, demo.ServiceID)
	if err != nil {
		t.Fatal(err)
	}
	if prog["d1"]["banking"] != 12 || len(prog) != 6 {
		t.Errorf("progress %v", prog)
	}
	c, err := workspace.ComputeService(ctx, db, db, demo.ServiceID, nil)
	if err != nil {
		t.Fatal(err)
	}
	r := c.Results
	if r.N != 7*6*12 || r.OverallChange == nil || r.EqualWeights || c.Prev == nil {
		t.Fatalf("results n %d change %v equal %v", r.N, r.OverallChange, r.EqualWeights)
	}
	for _, s := range r.Sectors {
		if s.Failed != nil {
			t.Errorf("%s: %s", s.Sector.Code, s.Failed.En)
		}
	}
	if r.Overall.Value < 60 || r.Overall.Value > 90 {
		t.Errorf("overall %v", r.Overall)
	}
}
