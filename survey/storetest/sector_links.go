package storetest

import (
	"context"
	"testing"

	"manyi/survey"
)

func init() {
	register(test{"SectorOpenLinks", testSectorOpenLinks})
}

// testSectorOpenLinks: a service measurement has one open link per
// sector, off by default; an invitation made through a sector's link
// records the sector, the screener's sector answer is that sector whatever
// the customer sends, and the quota claim counts against it; two sectors'
// links are independent (slugs, counts, on/off, quota cells); a resident
// measurement and an unknown sector are refused.
func testSectorOpenLinks(t *testing.T, h *Harness) {
	db, _ := h.fwOpen(t)
	ctx := context.Background()
	fwMeasurement(t, db, "res")
	if _, err := db.SectorOpenLinks(ctx, "res"); survey.ErrorCode(err) != survey.EINVALID {
		t.Errorf("SectorOpenLinks of a resident measurement: %v, want EINVALID", err)
	}
	if _, err := db.SetSectorOpenLink(ctx, "res", "retail", true, "office"); survey.ErrorCode(err) != survey.EINVALID {
		t.Errorf("SetSectorOpenLink of a resident measurement: %v, want EINVALID", err)
	}
	m := serviceFieldwork(t, db, "svc")
	links, err := db.SectorOpenLinks(ctx, "svc")
	if err != nil {
		t.Fatal(err)
	}
	if len(links) != len(m.Sectors) {
		t.Fatalf("SectorOpenLinks: %d links, want one per sector (%d)", len(links), len(m.Sectors))
	}
	for i, l := range links {
		if l.Sector != m.Sectors[i].Code || l.Enabled || l.Slug != "" {
			t.Errorf("link %d before any change: %+v, want sector %s, off, no slug", i, l, m.Sectors[i].Code)
		}
	}
	if _, err := db.SetSectorOpenLink(ctx, "svc", "nope", true, "office"); survey.ErrorCode(err) != survey.EINVALID {
		t.Errorf("SetSectorOpenLink of an unknown sector: %v, want EINVALID", err)
	}
	retail, err := db.SetSectorOpenLink(ctx, "svc", "retail", true, "office")
	if err != nil {
		t.Fatal(err)
	}
	banking, err := db.SetSectorOpenLink(ctx, "svc", "banking", true, "office")
	if err != nil {
		t.Fatal(err)
	}
	if !retail.Enabled || retail.Slug == "" || retail.ChangedBy != "office" || banking.Slug == retail.Slug {
		t.Fatalf("enabled links: retail %+v, banking %+v; want on, own slugs, changed by office", retail, banking)
	}
	if l, err := db.OpenLinkBySlug(ctx, banking.Slug); err != nil || l.Sector != "banking" || l.MeasurementID != "svc" {
		t.Errorf("OpenLinkBySlug(banking): %+v, %v; want svc's banking link", l, err)
	}
	if err := db.SetQuotaTargets(ctx, "svc", map[string]map[string]int{"d1": {"retail": 1, "banking": 1}}); err != nil {
		t.Fatal(err)
	}

	// Through retail's link, the customer sends banking: the stored
	// answer and the claimed cell are retail.
	start := func(slug string) string {
		t.Helper()
		tok, err := db.StartOpenLink(ctx, slug)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	claim := func(tok, send, wantCell string, wantFull bool) {
		t.Helper()
		s, err := db.OpenSession(ctx, tok)
		if err != nil {
			t.Fatal(err)
		}
		if s.Invitation.Sector != wantCell {
			t.Errorf("invitation sector %q, want %q", s.Invitation.Sector, wantCell)
		}
		if _, err := db.SavePage(ctx, tok, serviceScreener(send)); err != nil {
			t.Fatal(err)
		}
		c, err := db.ClaimQuota(ctx, tok)
		if err != nil {
			t.Fatal(err)
		}
		if !c.Checked || c.District != "d1" || c.Cell != wantCell || c.Full != wantFull {
			t.Errorf("claim %+v, want cell d1 %s full=%v", c, wantCell, wantFull)
		}
		if s, err = db.OpenSession(ctx, tok); err != nil {
			t.Fatal(err)
		}
		if got := s.Response.Answers["sector"]; len(got) != 1 || got[0] != wantCell {
			t.Errorf("stored sector answer %v, want [%s]", got, wantCell)
		}
	}
	r1 := start(retail.Slug)
	claim(r1, "banking", "retail", false)
	claim(start(retail.Slug), "retail", "retail", true) // d1 retail is full
	b1 := start(banking.Slug)
	claim(b1, "retail", "banking", false) // banking's cell is its own
	if _, err := db.Finish(ctx, r1, survey.RespSubmitted); err != nil {
		t.Fatal(err)
	}

	links, err = db.SectorOpenLinks(ctx, "svc")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][2]int{}
	for _, l := range links {
		got[l.Sector] = [2]int{l.Started, l.Submitted}
	}
	if got["retail"] != [2]int{2, 1} || got["banking"] != [2]int{1, 0} || got["hotels"] != [2]int{0, 0} {
		t.Errorf("started, submitted by sector: %v; want retail 2 1, banking 1 0, hotels 0 0", got)
	}
	if g, err := db.OpenLink(ctx, "svc"); err != nil || g.Started != 0 || g.Slug != "" {
		t.Errorf("general link: %+v, %v; want untouched (no slug, 0 started)", g, err)
	}
	ds, err := db.LoadDataset(ctx, "svc")
	if err != nil || len(ds.Respondents) != 1 || !ds.Respondents[0].NonProbability {
		t.Errorf("dataset: %v; want the one submitted sector-link answer as non-probability", err)
	}

	// Off for retail: its slug stops working, banking's goes on; on again
	// gives the same slug.
	if _, err := db.SetSectorOpenLink(ctx, "svc", "retail", false, "office"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.OpenLinkBySlug(ctx, retail.Slug); survey.ErrorCode(err) != survey.ENOTFOUND {
		t.Errorf("OpenLinkBySlug(retail off): %v, want ENOTFOUND", err)
	}
	if _, err := db.StartOpenLink(ctx, retail.Slug); survey.ErrorCode(err) != survey.ENOTFOUND {
		t.Errorf("StartOpenLink(retail off): %v, want ENOTFOUND", err)
	}
	if _, err := db.StartOpenLink(ctx, banking.Slug); err != nil {
		t.Errorf("StartOpenLink(banking) with retail off: %v", err)
	}
	again, err := db.SetSectorOpenLink(ctx, "svc", "retail", true, "office2")
	if err != nil || again.Slug != retail.Slug || !again.Enabled || again.ChangedBy != "office2" {
		t.Errorf("retail on again: %+v, %v; want the same slug, on, by office2", again, err)
	}
}
