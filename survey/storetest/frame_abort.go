package storetest

import (
	"context"
	"fmt"
	"testing"

	"manyi/survey/sampling"
)

func init() { register(test{"ImportFrameAbort", testImportFrameAbort}) }

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
