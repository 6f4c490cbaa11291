package sqlite

import (
	"context"
	"fmt"
	"testing"

	"manyi/survey/sampling"
	"manyi/survey/storetest"
)

// TestImportFrameAbort: an import that fails in its second chunk (a unit
// id repeated there, refused by the table's key) leaves nothing behind,
// neither units nor sealed contacts nor a frame row, so that nothing is
// written half (issue 10) and the next import starts clean.
func TestImportFrameAbort(t *testing.T) {
	db, _ := fwOpen(t)
	ctx := context.Background()
	storetest.FieldworkMeasurement(t, db, "m")
	key := storetest.ContactKey(t)
	n := frameChunk + 10
	f := &sampling.Frame{Header: []string{sampling.ColID, sampling.ColDistrict, sampling.ColContact}}
	for i := range n {
		f.Units = append(f.Units, sampling.Unit{ID: fmt.Sprintf("Z%06d", i), District: "d1", Gender: sampling.GenderFemale, AgeBand: "45-59", Row: i + 2, Contact: storetest.Phone(i)})
	}
	f.Units[frameChunk+5].ID = f.Units[0].ID
	if _, err := db.ImportFrame(ctx, "m", f, 0, key, "big.csv", "office1"); err == nil {
		t.Fatal("an import with a repeated id in its second chunk succeeded")
	}
	for _, table := range []string{"frame_units", "frame_contacts", "frames"} {
		var k int
		if err := db.rdb.QueryRow(`SELECT count(*) FROM ` + table + ` WHERE measurement_id = 'm'`).Scan(&k); err != nil || k != 0 {
			t.Errorf("after the failed import %s holds %d rows (%v), want 0", table, k, err)
		}
	}
	f.Units[frameChunk+5].ID = "Z999999"
	if sum, err := db.ImportFrame(ctx, "m", f, 0, key, "big.csv", "office1"); err != nil || sum.Units != n {
		t.Fatalf("the next import: %+v, %v", sum, err)
	}
}
