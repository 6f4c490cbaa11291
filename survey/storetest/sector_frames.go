package storetest

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"manyi/survey"
	"manyi/survey/fieldwork"
	"manyi/survey/sampling"
)

func init() {
	register(test{"SectorFrames", testSectorFrames})
}

// sectorList reads one sector's customer list of n units per district
// (ids "<sector>-<district>-<i>") as a sector's upload.
func sectorList(t *testing.T, sector string, n int) *sampling.Frame {
	t.Helper()
	var b strings.Builder
	b.WriteString("id,district\n")
	for _, d := range []string{"d1", "d2"} {
		for i := range n {
			fmt.Fprintf(&b, "%s-%s-%02d,%s\n", sector, d, i, d)
		}
	}
	f, errs, err := sampling.ReadFrame(strings.NewReader(b.String()), sampling.FrameOptions{
		Districts: []string{"d1", "d2"}, Sectors: []string{"retail", "banking", "hotels"}, Sector: sector})
	if err != nil || len(errs) > 0 {
		t.Fatalf("sector list %s: %v %v", sector, errs, err)
	}
	return f
}

// testSectorFrames: a service measurement's frame is uploaded one
// sector's list at a time; a sector's second upload replaces only its own
// units, a whole-frame upload replaces all; the counts are by sector ×
// district; a per_cell draw stores each case's sector, the invitation of a
// released case carries it (the screener's sector answer is fixed to it
// and the quota claim counts in its cell); the issued links carry it; and
// nothing can be uploaded once a sample is drawn.
func testSectorFrames(t *testing.T, h *Harness) {
	db, _ := h.fwOpen(t)
	ctx := context.Background()
	serviceFieldwork(t, db, "svc")
	if _, err := db.ImportFrame(ctx, "svc", sectorList(t, "retail", 5), 0, nil, "retail.csv", "office"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ImportFrame(ctx, "svc", sectorList(t, "banking", 4), 1, nil, "banking.csv", "office"); err != nil {
		t.Fatal(err)
	}
	// retail again, shorter: banking stays.
	sum, err := db.ImportFrame(ctx, "svc", sectorList(t, "retail", 3), 0, nil, "retail2.csv", "office")
	if err != nil {
		t.Fatal(err)
	}
	if sum.Units != 14 {
		t.Errorf("units after retail's second list: %d, want 14 (retail 6 + banking 8)", sum.Units)
	}
	c, err := db.StoredFrameCounts(ctx, "svc")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"retail|d1": 3, "retail|d2": 3, "banking|d1": 4, "banking|d2": 4}
	if fmt.Sprint(c.BySectorDistrict) != fmt.Sprint(want) || c.Units != 14 {
		t.Errorf("counts by sector × district: %v (%d units), want %v", c.BySectorDistrict, c.Units, want)
	}
	// A duplicate unit inside a list is refused and leaves the frame as it was.
	f, _, _ := sampling.ReadFrame(strings.NewReader("id,district\nbanking-d1-00,d1\n"), sampling.FrameOptions{Sector: "retail"})
	if _, err := db.ImportFrame(ctx, "svc", f, 0, nil, "bad.csv", "office"); err == nil {
		t.Error("a retail unit with a banking unit's id: no error")
	}
	if c, _ := db.StoredFrameCounts(ctx, "svc"); c.Units != 14 {
		t.Errorf("units after a refused list: %d, want 14", c.Units)
	}

	fr, err := db.LoadFrame(ctx, "svc")
	if err != nil {
		t.Fatal(err)
	}
	plan := sampling.Plan{Stratum: sampling.StratumSectorDistrict, Allocation: sampling.PerCell, PerCell: 2, Reserve: 0.5, ReserveBatches: 1}
	info, alloc, err := fieldwork.Draw(ctx, db, "svc", fieldwork.DrawRequest{Plan: plan, Seed: 7, Frame: fr, By: "office"})
	if err != nil {
		t.Fatal(err)
	}
	if alloc.Total != 8 || len(alloc.Strata) != 4 {
		t.Errorf("allocation: total %d over %d cells, want 8 over 4", alloc.Total, len(alloc.Strata))
	}
	_ = info
	cases, err := db.Cases(ctx, fieldwork.CaseFilter{MeasurementID: "svc"})
	if err != nil {
		t.Fatal(err)
	}
	for _, cs := range cases {
		if !strings.HasPrefix(cs.UnitID, cs.Sector+"-") || cs.Stratum != sampling.SectorCell(cs.Sector, cs.District) {
			t.Errorf("case %s: sector %q, stratum %q", cs.UnitID, cs.Sector, cs.Stratum)
		}
	}
	if _, err := db.ImportFrame(ctx, "svc", sectorList(t, "hotels", 2), 0, nil, "hotels.csv", "office"); survey.ErrorCode(err) != survey.ECONFLICT {
		t.Errorf("a sector list after the draw: %v, want ECONFLICT", err)
	}

	if err := db.SetQuotaTargets(ctx, "svc", map[string]map[string]int{"d1": {"retail": 5, "banking": 5}}); err != nil {
		t.Fatal(err)
	}
	links, err := db.IssueLinks(ctx, "svc", fieldwork.LinkSelection{Districts: []string{"d1"}}, nil, "office")
	if err != nil {
		t.Fatal(err)
	}
	if len(links) != 4 {
		t.Fatalf("links in d1: %d, want 4 (2 retail, 2 banking)", len(links))
	}
	for _, l := range links {
		if l.Sector == "" || !strings.HasPrefix(l.UnitID, l.Sector+"-") {
			t.Errorf("link of %s: sector %q", l.UnitID, l.Sector)
		}
		s, err := db.OpenSession(ctx, l.Token)
		if err != nil {
			t.Fatal(err)
		}
		if s.Invitation.Sector != l.Sector {
			t.Errorf("invitation of %s: sector %q, want %q", l.UnitID, s.Invitation.Sector, l.Sector)
		}
		// The customer sends another sector: the list's sector stands.
		other := "hotels"
		if _, err := db.SavePage(ctx, l.Token, serviceScreener(other)); err != nil {
			t.Fatal(err)
		}
		q, err := db.ClaimQuota(ctx, l.Token)
		if err != nil {
			t.Fatal(err)
		}
		if !q.Checked || q.District != "d1" || q.Cell != l.Sector || q.Full {
			t.Errorf("claim of %s: %+v, want d1 %s with a place", l.UnitID, q, l.Sector)
		}
	}
	var taken int
	qs, err := db.Quotas(ctx, "svc")
	if err != nil {
		t.Fatal(err)
	}
	for _, qc := range qs.Cells {
		taken += qc.Count
		if qc.Count != 2 {
			t.Errorf("cell %s %s: %d places, want 2", qc.District, qc.Cell, qc.Count)
		}
	}
	if taken != 4 {
		t.Errorf("places taken: %d, want 4", taken)
	}

	// A whole-frame upload (sector column) replaces every sector: only
	// before a draw, so on a fresh measurement.
	serviceFieldwork(t, db, "svc2")
	if _, err := db.ImportFrame(ctx, "svc2", sectorList(t, "retail", 2), 0, nil, "retail.csv", "office"); err != nil {
		t.Fatal(err)
	}
	all, errs, err := sampling.ReadFrame(strings.NewReader("id,district,sector\na,d1,banking\nb,d2,hotels\n"), sampling.FrameOptions{Sectors: []string{"retail", "banking", "hotels"}})
	if err != nil || len(errs) > 0 {
		t.Fatal(errs, err)
	}
	if _, err := db.ImportFrame(ctx, "svc2", all, 0, nil, "all.csv", "office"); err != nil {
		t.Fatal(err)
	}
	if c, _ := db.StoredFrameCounts(ctx, "svc2"); fmt.Sprint(c.BySectorDistrict) != fmt.Sprint(map[string]int{"banking|d1": 1, "hotels|d2": 1}) {
		t.Errorf("after a whole frame: %v, want banking|d1 1, hotels|d2 1", c.BySectorDistrict)
	}
}
