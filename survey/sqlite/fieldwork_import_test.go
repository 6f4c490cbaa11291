package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"testing"

	"manyi/survey/sampling"
	"manyi/survey/storetest"
)

// TestImportFrameChunks imports a frame longer than one chunk, whose
// last INSERT group is partial and where every third unit has no phone:
// every unit comes back in file order with its district code, every
// phone (and only those) is stored sealed under its own unit, and the
// writer connection gets its page cache size back.
func TestImportFrameChunks(t *testing.T) {
	db, _ := fwOpen(t)
	ctx := context.Background()
	storetest.FieldworkMeasurement(t, db, "m")
	key := storetest.ContactKey(t)

	n := frameChunk + unitsPerInsert*2 + 17
	f := &sampling.Frame{Header: []string{sampling.ColID, sampling.ColDistrict, sampling.ColContact}}
	phones := 0
	for i := range n {
		u := sampling.Unit{ID: fmt.Sprintf("Z%06d", i), District: []string{"东城区", "d2"}[i%2], Gender: sampling.GenderFemale, AgeBand: "45-59", Row: i + 2}
		if i%3 != 0 {
			u.Contact = storetest.Phone(i)
			phones++
		}
		f.Units = append(f.Units, u)
	}
	sum, err := db.ImportFrame(ctx, "m", f, 0, key, "big.csv", "office1")
	if err != nil {
		t.Fatal(err)
	}
	if sum.Units != n || sum.Contacts != phones {
		t.Errorf("summary %d units, %d contacts; want %d, %d", sum.Units, sum.Contacts, n, phones)
	}
	got, err := db.LoadFrame(ctx, "m")
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Units) != n {
		t.Fatalf("LoadFrame: %d units, want %d", len(got.Units), n)
	}
	for i, u := range got.Units {
		want := []string{"d1", "d2"}[i%2]
		if u.ID != f.Units[i].ID || u.Row != i+2 || u.District != want || u.Gender != sampling.GenderFemale || u.AgeBand != "45-59" {
			t.Fatalf("unit %d: got %+v, want id %s row %d district %s", i, u, f.Units[i].ID, i+2, want)
		}
	}
	var stored int
	if err := db.rdb.QueryRow(`SELECT count(*) FROM frame_contacts WHERE measurement_id = 'm'`).Scan(&stored); err != nil || stored != phones {
		t.Errorf("frame_contacts holds %d (%v), want %d", stored, err, phones)
	}
	// Units at group and chunk edges, with and without a phone.
	for _, i := range []int{0, 1, unitsPerInsert - 1, unitsPerInsert, frameChunk - 1, frameChunk, n - 2, n - 1} {
		var sealed string
		err := db.rdb.QueryRow(`SELECT sealed FROM frame_contacts WHERE measurement_id = 'm' AND unit_id = ?`, f.Units[i].ID).Scan(&sealed)
		if i%3 == 0 {
			if err != sql.ErrNoRows {
				t.Errorf("unit %d has no phone but a stored contact (%v)", i, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("unit %d: %v", i, err)
		}
		if p, err := key.Open(sealed); err != nil || p != storetest.Phone(i) {
			t.Errorf("unit %d: contact opens to another number (%v)", i, err)
		}
	}
}
