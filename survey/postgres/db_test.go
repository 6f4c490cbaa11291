package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"

	"manyi/survey"
	"manyi/survey/postgres/pgtest"
	"manyi/survey/sampling"
	"manyi/survey/storetest"
)

// TestOpenMigratesOnce opens one new database from several goroutines at
// once (servers starting together) and again afterwards: every migration
// is recorded once and Ping is content.
func TestOpenMigratesOnce(t *testing.T) {
	url := pgtest.NewDatabase(t)
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() {
			db, err := Open(url)
			if err == nil {
				err = db.Ping(context.Background())
				db.Close()
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("Open %d: %v", i, err)
		}
	}
	db, err := Open(url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n, max int
	if err := db.db.QueryRow(`SELECT count(*), max(version) FROM schema_migrations`).Scan(&n, &max); err != nil {
		t.Fatal(err)
	}
	if n != len(ms) || max != ms[len(ms)-1].version {
		t.Errorf("schema_migrations: %d rows up to %d, want %d up to %d", n, max, len(ms), ms[len(ms)-1].version)
	}
	if err := db.Ping(context.Background()); err != nil {
		t.Errorf("Ping: %v", err)
	}
}

func TestOpenRefusesNonURL(t *testing.T) {
	for _, u := range []string{"", "./data/manyi.db", "mysql://x"} {
		if _, err := Open(u); survey.ErrorCode(err) != survey.EINVALID {
			t.Errorf("Open(%q): got %v, want EINVALID", u, err)
		}
	}
}

// TestForeignKeysEnforced: a district of a missing measurement is refused.
func TestForeignKeysEnforced(t *testing.T) {
	db, err := Open(pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_, err = db.db.Exec(`INSERT INTO districts (measurement_id, code, name_zh, position) VALUES ('nope', 'x', 'x', 0)`)
	if !isForeignKey(err) {
		t.Fatalf("insert district of a missing measurement: got %v, want a foreign key violation", err)
	}
}

// TestMigrationsFollowSQLite: every migration number of survey/sqlite has
// its PostgreSQL counterpart here (a table added to one store only would
// leave the other without it).
func TestMigrationsFollowSQLite(t *testing.T) {
	have := map[string]bool{}
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		have[strings.SplitN(m.name, "_", 2)[0]] = true
	}
	es, err := os.ReadDir("../sqlite/migrations")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		num, _, _ := strings.Cut(e.Name(), "_")
		if !have[num] {
			t.Errorf("survey/sqlite has migration %s; survey/postgres/migrations has no %s_*.sql", e.Name(), num)
		}
	}
}

// TestImportFrameChunks imports a frame longer than one chunk, every third
// unit without a phone: every unit comes back in file order with its
// district code, and every phone (only those) is stored sealed under its
// own unit.
func TestImportFrameChunks(t *testing.T) {
	db, err := Open(pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	storetest.FieldworkMeasurement(t, db, "m")
	key := storetest.ContactKey(t)
	n := frameChunk + 17
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
	if err := db.db.QueryRow(`SELECT count(*) FROM frame_contacts WHERE measurement_id = 'm'`).Scan(&stored); err != nil || stored != phones {
		t.Errorf("frame_contacts holds %d (%v), want %d", stored, err, phones)
	}
	for _, i := range []int{0, 1, frameChunk - 1, frameChunk, n - 1} {
		var sealed string
		err := db.db.QueryRow(`SELECT sealed FROM frame_contacts WHERE measurement_id = 'm' AND unit_id = $1`, f.Units[i].ID).Scan(&sealed)
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
