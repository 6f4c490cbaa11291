package postgres

import (
	"context"
	"os"
	"strings"
	"sync"
	"testing"

	"manyi/survey"
	"manyi/survey/postgres/pgtest"
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
	n := frameChunk + 17
	storetest.CheckFrameChunks(t, db, db.db, n, []int{0, 1, frameChunk - 1, frameChunk, n - 1})
}
