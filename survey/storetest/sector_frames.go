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
	register(test{"SectorFrames", testSectorFrames}, test{"SectorListsBackfill", testSectorListsBackfill})
}

// sectorList reads one sector's customer list: n units in d1 and n in
// d2, ids prefixed by the sector, every unit with a phone.
func sectorList(t *testing.T, m *survey.Measurement, sector string, n, phoneFrom int) *sampling.Frame {
	t.Helper()
	var b strings.Builder
	b.WriteString("id,district,contact\n")
	for i := range 2 * n {
		fmt.Fprintf(&b, "%s%03d,%s,%s\n", sector, i, []string{"d1", "d2"}[i%2], fwPhone(phoneFrom+i))
	}
	var codes []string
	for _, s := range m.Sectors {
		codes = append(codes, s.Code)
	}
	f, rowErrs, err := sampling.ReadFrame(strings.NewReader(b.String()), sampling.FrameOptions{
		Districts: []string{"d1", "d2"}, Sectors: codes, Sector: sector})
	if err != nil || len(rowErrs) > 0 {
		t.Fatalf("ReadFrame(%s): %v %v", sector, err, rowErrs)
	}
	return f
}

// wholeServiceFrame reads a whole service frame with a sector column:
// sectors[i] is unit i's sector (d1 and d2 in turn, every unit with a
// phone).
func wholeServiceFrame(t *testing.T, m *survey.Measurement, sectors ...string) *sampling.Frame {
	t.Helper()
	var b strings.Builder
	b.WriteString("id,district,sector,contact\n")
	for i, sec := range sectors {
		fmt.Fprintf(&b, "W%03d,%s,%s,%s\n", i, []string{"d1", "d2"}[i%2], sec, fwPhone(600+i))
	}
	var codes []string
	for _, s := range m.Sectors {
		codes = append(codes, s.Code)
	}
	f, rowErrs, err := sampling.ReadFrame(strings.NewReader(b.String()), sampling.FrameOptions{Districts: []string{"d1", "d2"}, Sectors: codes})
	if err != nil || len(rowErrs) > 0 {
		t.Fatalf("ReadFrame(whole service frame): %v %v", err, rowErrs)
	}
	return f
}

// sectorLists renders the measurement's sector lists as
// "sector source units/rejected/contacts by" strings, failing the test
// on an error or a list without an import time.
func sectorLists(t *testing.T, db Store, measurementID string) []string {
	t.Helper()
	ls, err := db.SectorLists(context.Background(), measurementID)
	if err != nil {
		t.Fatalf("SectorLists(%s): %v", measurementID, err)
	}
	var out []string
	for _, l := range ls {
		if l.ImportedAt.IsZero() {
			t.Errorf("SectorLists(%s): %s has no import time", measurementID, l.Sector)
		}
		out = append(out, fmt.Sprintf("%s %s %d/%d/%d %s", l.Sector, l.Source, l.Units, l.Rejected, l.Contacts, l.ImportedBy))
	}
	return out
}

// checkSectorLists compares the measurement's sector lists with want.
func checkSectorLists(t *testing.T, db Store, measurementID, when string, want ...string) {
	t.Helper()
	if got := sectorLists(t, db, measurementID); strings.Join(got, "; ") != strings.Join(want, "; ") {
		t.Errorf("SectorLists(%s) %s:\n got %q\nwant %q", measurementID, when, got, want)
	}
}

// testSectorFrames: a service measurement's frame is built from sector
// lists; importing one sector's list replaces that sector's units and
// contacts only; counts come by sector × district; a drawn case keeps its
// sector and its invitation has the sector fixed (open_sector), so the
// screener's answer and the quota cell are the list's sector; once drawn,
// a list is refused; a residents' measurement refuses sector lists and its
// frame has no sectors. Each sector's list keeps its own file, rejected
// rows, counts, time and importer (SectorLists); a whole-frame import
// replaces them with one list per sector of the file; a purge zeroes
// their contacts.
func testSectorFrames(t *testing.T, h *Harness) {
	db, ref := h.fwOpen(t)
	ctx := context.Background()
	key := fwKey(t)
	m := serviceFieldwork(t, db, "svc")

	if _, err := db.ImportSectorFrame(ctx, "svc", "retail", sectorList(t, m, "retail", 3, 0), 1, key, "retail.csv", "office1"); err != nil {
		t.Fatalf("ImportSectorFrame(retail): %v", err)
	}
	checkSectorLists(t, db, "svc", "after the retail list", "retail retail.csv 6/1/6 office1")
	if _, err := db.ImportSectorFrame(ctx, "svc", "banking", sectorList(t, m, "banking", 2, 100), 2, key, "banking.csv", "office2"); err != nil {
		t.Fatalf("ImportSectorFrame(banking): %v", err)
	}
	checkSectorLists(t, db, "svc", "after the banking list", "banking banking.csv 4/2/4 office2", "retail retail.csv 6/1/6 office1")
	before, err := db.SectorLists(ctx, "svc")
	if err != nil {
		t.Fatal(err)
	}
	if !before[0].ImportedAt.After(before[1].ImportedAt) {
		t.Errorf("banking's list imported %v, not after retail's %v", before[0].ImportedAt, before[1].ImportedAt)
	}
	// retail again, smaller: banking's units stay.
	sum, err := db.ImportSectorFrame(ctx, "svc", "retail", sectorList(t, m, "retail", 1, 200), 0, key, "retail2.csv", "office1")
	if err != nil {
		t.Fatalf("ImportSectorFrame(retail again): %v", err)
	}
	if sum.Units != 6 || sum.Contacts != 6 || sum.Source != "retail2.csv" {
		t.Errorf("summary after the second retail list: %+v; want 6 units (2 retail + 4 banking), 6 contacts, source retail2.csv", sum)
	}
	if n := h.count(t, db, `SELECT count(*) FROM frame_contacts WHERE unit_id LIKE 'retail%'`); n != 2 {
		t.Errorf("retail contacts after the replace: %d, want 2 (the first list's went with its units)", n)
	}
	cells, err := db.FrameCells(ctx, "svc")
	if err != nil {
		t.Fatal(err)
	}
	want := []fieldwork.FrameCell{{Sector: "banking", District: "d1", Units: 2}, {Sector: "banking", District: "d2", Units: 2}, {Sector: "retail", District: "d1", Units: 1}, {Sector: "retail", District: "d2", Units: 1}}
	if fmt.Sprint(cells) != fmt.Sprint(want) {
		t.Errorf("FrameCells: %v, want %v", cells, want)
	}
	checkSectorLists(t, db, "svc", "after the second retail list", "banking banking.csv 4/2/4 office2", "retail retail2.csv 2/0/2 office1")
	after, err := db.SectorLists(ctx, "svc")
	if err != nil {
		t.Fatal(err)
	}
	if !after[0].ImportedAt.Equal(before[0].ImportedAt) || !after[1].ImportedAt.After(before[0].ImportedAt) {
		t.Errorf("import times after the second retail list: banking %v (was %v), retail %v", after[0].ImportedAt, before[0].ImportedAt, after[1].ImportedAt)
	}

	// Refusals that leave the frame as it was: an unknown sector, a unit
	// of another sector, an id another sector's list has.
	if _, err := db.ImportSectorFrame(ctx, "svc", "nope", sectorList(t, m, "retail", 1, 300), 0, key, "x.csv", "office1"); survey.ErrorCode(err) != survey.EINVALID {
		t.Errorf("ImportSectorFrame(unknown sector): %v, want EINVALID", err)
	}
	if _, err := db.ImportSectorFrame(ctx, "svc", "hotels", sectorList(t, m, "retail", 1, 300), 0, key, "x.csv", "office1"); survey.ErrorCode(err) != survey.EINVALID {
		t.Errorf("ImportSectorFrame(units of another sector): %v, want EINVALID", err)
	}
	dup := sectorList(t, m, "hotels", 1, 300)
	dup.Units[1].ID = "banking000"
	if _, err := db.ImportSectorFrame(ctx, "svc", "hotels", dup, 0, key, "x.csv", "office1"); survey.ErrorCode(err) != survey.EINVALID ||
		!strings.Contains(err.Error(), fmt.Sprintf("list row %d: id \"banking000\" is already in sector \"banking\"'s list", dup.Units[1].Row)) {
		t.Errorf("ImportSectorFrame(id of another list): %v, want EINVALID naming row %d and sector banking", err, dup.Units[1].Row)
	}
	if s, err := db.Frame(ctx, "svc"); err != nil || s.Units != 6 || s.Source != "retail2.csv" {
		t.Errorf("frame after the refused lists: %+v, %v; want it unchanged", s, err)
	}
	checkSectorLists(t, db, "svc", "after the refused lists", "banking banking.csv 4/2/4 office2", "retail retail2.csv 2/0/2 office1")

	// Draw everything; each case keeps its sector, and so does its
	// invitation.
	f, err := db.LoadFrame(ctx, "svc")
	if err != nil {
		t.Fatal(err)
	}
	if c := f.Counts(sampling.ColSector); c["retail"] != 2 || c["banking"] != 4 {
		t.Errorf("LoadFrame sector counts %v, want retail 2, banking 4", c)
	}
	plan := sampling.Plan{Total: 6, Allocation: sampling.Proportional}
	alloc, err := sampling.Allocate(plan, f.Counts(sampling.ColDistrict))
	if err != nil {
		t.Fatal(err)
	}
	s, err := sampling.Draw(f, alloc, 42)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.SaveSample(ctx, "svc", plan, s, f, "office1"); err != nil {
		t.Fatal(err)
	}
	cases, err := db.Cases(ctx, fieldwork.CaseFilter{MeasurementID: "svc"})
	if err != nil || len(cases) != 6 {
		t.Fatalf("Cases: %d, %v; want 6", len(cases), err)
	}
	for _, c := range cases {
		if want := strings.TrimRight(c.UnitID, "0123456789"); c.Sector != want {
			t.Errorf("case %s: sector %q, want %q", c.UnitID, c.Sector, want)
		}
	}
	if n := h.count(t, db, `SELECT count(*) FROM invitations i JOIN cases c ON c.invitation_id = i.id WHERE i.open_sector <> c.sector OR i.open_sector = ''`); n != 0 {
		t.Errorf("%d released cases' invitations without their case's open_sector", n)
	}
	links, err := db.IssueLinks(ctx, "svc", fieldwork.LinkSelection{WithContact: true}, key, "office1")
	if err != nil || len(links) != 6 {
		t.Fatalf("IssueLinks: %d, %v; want 6", len(links), err)
	}
	var tok string
	for _, l := range links {
		if l.Sector == "" || !strings.HasPrefix(l.UnitID, l.Sector) {
			t.Errorf("issued link of %s: sector %q", l.UnitID, l.Sector)
		}
		if l.Sector == "banking" && l.District == "d1" {
			tok = l.Token
		}
	}
	if err := db.SetQuotaTargets(ctx, "svc", map[string]map[string]int{"d1": {"retail": 5, "banking": 5}}); err != nil {
		t.Fatal(err)
	}
	// The customer sends retail; the list said banking.
	sess, err := db.OpenSession(ctx, tok)
	if err != nil {
		t.Fatal(err)
	}
	if sess.Invitation.Sector != "banking" {
		t.Errorf("session invitation sector %q, want banking", sess.Invitation.Sector)
	}
	if _, err := db.SavePage(ctx, tok, serviceScreener("retail")); err != nil {
		t.Fatal(err)
	}
	c, err := db.ClaimQuota(ctx, tok)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Checked || c.District != "d1" || c.Cell != "banking" {
		t.Errorf("claim %+v, want cell d1 banking", c)
	}
	if sess, err = db.OpenSession(ctx, tok); err != nil {
		t.Fatal(err)
	}
	if got := sess.Response.Answers["sector"]; len(got) != 1 || got[0] != "banking" {
		t.Errorf("stored sector answer %v, want [banking]", got)
	}
	if links, err := db.SectorOpenLinks(ctx, "svc"); err == nil {
		for _, l := range links {
			if l.Started != 0 {
				t.Errorf("open link of %s counts %d started; a list invitation is not an open link", l.Sector, l.Started)
			}
		}
	}

	// Drawn: a sector list is refused like a whole frame.
	if _, err := db.ImportSectorFrame(ctx, "svc", "hotels", sectorList(t, m, "hotels", 1, 400), 0, key, "x.csv", "office1"); survey.ErrorCode(err) != survey.ECONFLICT {
		t.Errorf("ImportSectorFrame after the draw: %v, want ECONFLICT", err)
	}
	checkSectorLists(t, db, "svc", "after the refused list once drawn", "banking banking.csv 4/2/4 office2", "retail retail2.csv 2/0/2 office1")
	for _, l := range links {
		if strings.Contains(string(h.stored(t, db, ref)), l.Contact) {
			t.Errorf("a phone number is stored in clear")
			break
		}
	}
	// A purge: every list's contacts are gone, their units stay.
	if n, err := db.PurgeContacts(ctx, "svc", "office1"); err != nil || n != 6 {
		t.Errorf("PurgeContacts: %d, %v; want 6", n, err)
	}
	checkSectorLists(t, db, "svc", "after the purge", "banking banking.csv 4/2/0 office2", "retail retail2.csv 2/0/0 office1")

	// A whole frame replaces the sector lists: one per sector of the file,
	// with the whole file as source and rejected 0 (the frame's 3 rejected
	// rows are not attributed to sectors); a whole frame without a sector
	// column leaves none.
	m2 := serviceFieldwork(t, db, "svc2")
	if _, err := db.ImportSectorFrame(ctx, "svc2", "retail", sectorList(t, m2, "retail", 1, 700), 1, key, "retail.csv", "office1"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ImportFrame(ctx, "svc2", wholeServiceFrame(t, m2, "hotels", "banking", "hotels"), 3, key, "whole.csv", "office2"); err != nil {
		t.Fatalf("ImportFrame(whole service frame): %v", err)
	}
	checkSectorLists(t, db, "svc2", "after a whole frame", "banking whole.csv 1/0/1 office2", "hotels whole.csv 2/0/2 office2")
	if s, err := db.Frame(ctx, "svc2"); err != nil || s.Rejected != 3 || s.Units != 3 {
		t.Errorf("frame after the whole frame: %+v, %v; want 3 units, 3 rejected", s, err)
	}
	if _, err := db.ImportSectorFrame(ctx, "svc2", "hotels", sectorList(t, m2, "hotels", 1, 800), 0, key, "hotels.csv", "office1"); err != nil {
		t.Fatal(err)
	}
	checkSectorLists(t, db, "svc2", "after a list on a whole frame", "banking whole.csv 1/0/1 office2", "hotels hotels.csv 2/0/2 office1")
	if _, err := db.ImportFrame(ctx, "svc2", fwFrame(t, 1), 0, key, "nosectors.csv", "office1"); err != nil {
		t.Fatal(err)
	}
	checkSectorLists(t, db, "svc2", "after a whole frame without sectors")

	// A residents' measurement: no sector lists, and a whole frame's
	// sectors are not stored.
	fwMeasurement(t, db, "res")
	if _, err := db.ImportSectorFrame(ctx, "res", "retail", sectorList(t, m, "retail", 1, 500), 0, key, "x.csv", "office1"); survey.ErrorCode(err) != survey.EINVALID {
		t.Errorf("ImportSectorFrame(residents'): %v, want EINVALID", err)
	}
	rf := fwFrame(t, 2)
	rf.Units[0].Sector = "retail"
	if _, err := db.ImportFrame(ctx, "res", rf, 0, key, "frame.csv", "office1"); err != nil {
		t.Fatal(err)
	}
	cells, err = db.FrameCells(ctx, "res")
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(cells) != fmt.Sprint([]fieldwork.FrameCell{{Sector: "", District: "d1", Units: 2}, {Sector: "", District: "d2", Units: 2}}) {
		t.Errorf("residents' FrameCells: %v, want d1 2, d2 2 without sector", cells)
	}
	checkSectorLists(t, db, "res", "of a residents' frame")
}

// testSectorListsBackfill: migration 0200 gives a frame imported before it
// one sector list per sector with units, its file and importer unknown
// (""), rejected 0, at the frame's import time; a residents' frame gets
// none.
func testSectorListsBackfill(t *testing.T, h *Harness) {
	db, ref := h.fwOpen(t)
	ctx := context.Background()
	key := fwKey(t)
	m := serviceFieldwork(t, db, "svc")
	if _, err := db.ImportSectorFrame(ctx, "svc", "retail", sectorList(t, m, "retail", 2, 0), 1, key, "retail.csv", "office1"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ImportSectorFrame(ctx, "svc", "banking", sectorList(t, m, "banking", 1, 100), 0, key, "banking.csv", "office1"); err != nil {
		t.Fatal(err)
	}
	fwMeasurement(t, db, "res")
	if _, err := db.ImportFrame(ctx, "res", fwFrame(t, 2), 0, key, "frame.csv", "office1"); err != nil {
		t.Fatal(err)
	}
	sum, err := db.Frame(ctx, "svc")
	if err != nil {
		t.Fatal(err)
	}
	// The database as it was before 0200.
	for _, q := range []string{`DROP TABLE sector_lists`, `DELETE FROM schema_migrations WHERE version = 200`} {
		if err := h.Exec(db, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db2, err := h.reopen(t, ref)
	if err != nil {
		t.Fatalf("reopen (migration 0200 again): %v", err)
	}
	checkSectorLists(t, db2, "svc", "after the backfill", "banking  2/0/2 ", "retail  4/0/4 ")
	ls, err := db2.SectorLists(ctx, "svc")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range ls {
		if !l.ImportedAt.Equal(sum.ImportedAt) {
			t.Errorf("backfilled %s list imported %v, want the frame's %v", l.Sector, l.ImportedAt, sum.ImportedAt)
		}
	}
	checkSectorLists(t, db2, "res", "of a residents' frame after the backfill")
}
