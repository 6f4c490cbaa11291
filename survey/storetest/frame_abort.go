package storetest

import (
	"context"
	"fmt"
	"testing"

	"manyi/survey/sampling"
)

func init() {
	register(test{"ImportFrameAbort", testImportFrameAbort}, test{"ImportFrameFailKeepsEarlier", testImportFrameFailKeepsEarlier})
}

// abortUnits is more units than either adapter writes in one chunk
// (50,000), so that the repeated id below lands in a later chunk than the
// one that starts the import.
const abortUnits = 50010

// testImportFrameAbort: an import that fails after its first chunk is in
// (a unit id repeated in a later chunk, refused by the table's key) leaves
// nothing behind, neither units nor sealed contacts nor a frame row, so
// that nothing is written half (issue 10) and the next import starts
// clean.
func testImportFrameAbort(t *testing.T, h *Harness) {
	db, _ := h.fwOpen(t)
	ctx := context.Background()
	fwMeasurement(t, db, "m")
	key := fwKey(t)
	f := &sampling.Frame{Header: []string{sampling.ColID, sampling.ColDistrict, sampling.ColContact}}
	for i := range abortUnits {
		f.Units = append(f.Units, sampling.Unit{ID: fmt.Sprintf("Z%06d", i), District: "d1", Gender: sampling.GenderFemale, AgeBand: "45-59", Row: i + 2, Contact: fwPhone(i)})
	}
	f.Units[abortUnits-5].ID = f.Units[0].ID
	if _, err := db.ImportFrame(ctx, "m", f, 0, key, "big.csv", "office1"); err == nil {
		t.Fatal("an import with a repeated id in its last chunk succeeded")
	}
	for _, table := range []string{"frame_units", "frame_contacts", "frames"} {
		if got := h.Rows(t, db, `SELECT count(*) FROM `+table+` WHERE measurement_id = 'm'`); len(got) != 1 || got[0] != "0" {
			t.Errorf("after the failed import %s holds %v rows, want 0", table, got)
		}
	}
	f.Units[abortUnits-5].ID = "Z999999"
	if sum, err := db.ImportFrame(ctx, "m", f, 0, key, "big.csv", "office1"); err != nil || sum.Units != abortUnits {
		t.Fatalf("the next import: %+v, %v", sum, err)
	}
}

// testImportFrameFailKeepsEarlier: a frame of one chunk that fails (a
// repeated id, refused by the table's key) leaves the earlier frame, its
// units, contacts and summary, as they were.
func testImportFrameFailKeepsEarlier(t *testing.T, h *Harness) {
	db, _ := h.fwOpen(t)
	ctx := context.Background()
	fwMeasurement(t, db, "m")
	key := fwKey(t)
	if _, err := db.ImportFrame(ctx, "m", fwFrame(t, 5), 0, key, "first.csv", "office1"); err != nil {
		t.Fatal(err)
	}
	before := h.Rows(t, db, `SELECT unit_id FROM frame_units WHERE measurement_id = 'm' ORDER BY unit_id`)
	f := fwFrame(t, 8)
	f.Units[len(f.Units)-1].ID = f.Units[0].ID
	if _, err := db.ImportFrame(ctx, "m", f, 0, key, "second.csv", "office1"); err == nil {
		t.Fatal("an import with a repeated id succeeded")
	}
	s, err := db.Frame(ctx, "m")
	if err != nil || s.Source != "first.csv" || s.Units != 10 || s.Contacts != 10 {
		t.Errorf("the frame after a failed import: %+v, %v; want first.csv's 10 units and contacts", s, err)
	}
	if after := h.Rows(t, db, `SELECT unit_id FROM frame_units WHERE measurement_id = 'm' ORDER BY unit_id`); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("units after a failed import %v, want %v", after, before)
	}
	if got := h.Rows(t, db, `SELECT count(*) FROM frame_contacts WHERE measurement_id = 'm'`); len(got) != 1 || got[0] != "10" {
		t.Errorf("contacts after a failed import: %v, want 10", got)
	}
}
