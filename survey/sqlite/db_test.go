package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"testing"
	"time"

	"manyi/survey"
	"manyi/survey/storetest"
)

// openTest opens a fresh database file in t.TempDir with a fixed clock.
func openTest(t *testing.T) (*DB, string) {
	t.Helper()
	return openClocked(t, filepath.Join(t.TempDir(), "sub", "manyi.db"), time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC))
}

// openClocked opens the database file path with a clock that starts at
// start and moves one second on at every reading.
func openClocked(t *testing.T, path string, start time.Time) (*DB, string) {
	t.Helper()
	db, err := Open(path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	clock := start
	var mu sync.Mutex
	db.Now = func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		clock = clock.Add(time.Second)
		return clock
	}
	return db, path
}

// The fixtures of the conformance suite serve this package's own tests.
var (
	testMeasurement = storetest.TestMeasurement
	pageAnswers     = storetest.PageAnswers
	wantCode        = storetest.WantCode
)

// seed creates an open measurement with the default questionnaire and n
// invitations, returning their tokens.
func seed(t *testing.T, db *DB, id string, n int) []string {
	t.Helper()
	return storetest.Seed(t, db, id, n)
}

func TestOpenMigratesOnceAndSetsPragmas(t *testing.T) {
	db, path := openTest(t)
	ctx := context.Background()
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	for i := 0; i < 2; i++ { // reopening must not apply anything twice
		db, err = Open(path)
		if err != nil {
			t.Fatalf("reopen %d: %v", i, err)
		}
		var n int
		if err := db.rdb.QueryRow(`SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != len(ms) {
			t.Errorf("reopen %d: got %d migrations recorded, want %d", i, n, len(ms))
		}
		if err := db.Ping(ctx); err != nil {
			t.Errorf("Ping: %v", err)
		}
		db.Close()
	}
	db, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, c := range []struct {
		name   string
		pool   *sql.DB
		pragma string
		want   string
	}{
		{"writer journal", db.wdb, "journal_mode", "wal"},
		{"writer synchronous", db.wdb, "synchronous", "2"}, // FULL
		{"writer foreign keys", db.wdb, "foreign_keys", "1"},
		{"writer busy timeout", db.wdb, "busy_timeout", "10000"},
		{"reader journal", db.rdb, "journal_mode", "wal"},
		{"reader foreign keys", db.rdb, "foreign_keys", "1"},
		{"reader query only", db.rdb, "query_only", "1"},
	} {
		var got string
		if err := c.pool.QueryRow("PRAGMA " + c.pragma).Scan(&got); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got != c.want {
			t.Errorf("%s: PRAGMA %s got %q, want %q", c.name, c.pragma, got, c.want)
		}
	}
}

func TestOpenRefusesBadPath(t *testing.T) {
	for _, p := range []string{"", filepath.Join(t.TempDir(), "a?b.db")} {
		if _, err := Open(p); survey.ErrorCode(err) != survey.EINVALID {
			t.Errorf("Open(%q): got %v, want EINVALID", p, err)
		}
	}
}

func TestForeignKeysEnforced(t *testing.T) {
	db, _ := openTest(t)
	err := db.write(context.Background(), func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT INTO districts (measurement_id, code, name_zh, position) VALUES ('nope', 'x', 'x', 0)`)
		return err
	})
	if !isForeignKey(err) {
		t.Fatalf("insert district of a missing measurement: got %v, want a foreign key violation", err)
	}
}

// TestInvitationTokensAreOnlyStoredHashed reads the raw database files
// for the token text (the conformance suite checks the tokens and the
// rows themselves).
func TestInvitationTokensAreOnlyStoredHashed(t *testing.T) {
	db, path := openTest(t)
	ctx := context.Background()
	toks := seed(t, db, "m", 50)
	// Start some, so responses exist too, then look at the raw bytes.
	for _, tok := range toks[:5] {
		if _, err := db.StartResponse(ctx, tok, survey.ModeWeb, "mobile"); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	var raw []byte
	for _, f := range []string{path, path + "-wal", path + "-shm"} {
		b, err := os.ReadFile(f)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
		raw = append(raw, b...)
	}
	if len(raw) == 0 {
		t.Fatal("database files are empty")
	}
	for _, tok := range toks {
		if bytes.Contains(raw, []byte(tok)) {
			t.Fatalf("token text found in the database files, want only its hash")
		}
	}
	if !bytes.Contains(raw, []byte("测试市")) {
		t.Errorf("sanity: the measurement's city is not in the raw bytes; the search would prove nothing")
	}
}

// paradata reads one page's paradata row.
func paradata(t *testing.T, db *DB, respID int64, page string) (elapsed, saves int) {
	t.Helper()
	err := db.rdb.QueryRow(`SELECT elapsed_ms, saves FROM page_paradata WHERE response_id = ? AND page_id = ?`, respID, page).Scan(&elapsed, &saves)
	if err != nil {
		t.Fatalf("paradata of %s: %v", page, err)
	}
	return elapsed, saves
}

// dump returns every row of the response tables, to compare before/after.
func dump(t *testing.T, db *DB) string {
	t.Helper()
	var out bytes.Buffer
	for _, q := range []string{
		`SELECT id, status, current_page, updated_at, coalesce(submitted_at, '') FROM responses ORDER BY id`,
		`SELECT response_id, item_id, position, page_id, value FROM answers ORDER BY 1, 2, 3`,
		`SELECT response_id, page_id, elapsed_ms, saves, saved_at FROM page_paradata ORDER BY id`,
		`SELECT id, disposition, updated_at FROM invitations ORDER BY id`,
	} {
		for _, row := range storetest.SQLRows(t, db.rdb, q) {
			out.WriteString(row + "\n")
		}
	}
	return out.String()
}

// TestBatchedWritesAreIsolated queues many writes at once, some of which
// fail, and checks that the failures did not undo or block the others
// sharing their commit.
func TestBatchedWritesAreIsolated(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	toks := seed(t, db, "m", 60)
	q := survey.DefaultQuestionnaire()
	p0 := &q.Pages[0]
	for _, tok := range toks[:20] {
		if _, err := db.Finish(ctx, tok, survey.RespSubmitted); err != nil {
			t.Fatal(err)
		}
	}
	// Hold the writer so that all the saves queue up behind one write.
	release := make(chan struct{})
	held := make(chan error, 1)
	go func() {
		held <- db.write(ctx, func(*sql.Tx) error { <-release; return nil })
	}()
	for len(db.ops) > 0 { // wait until the writer has taken the holding write
		time.Sleep(time.Millisecond)
	}
	time.Sleep(10 * time.Millisecond)
	commits0, writes0 := db.WriteStats()
	var wg sync.WaitGroup
	errs := make([]error, len(toks))
	for i, tok := range toks {
		wg.Go(func() {
			_, errs[i] = db.SavePage(ctx, tok, survey.PageSave{PageID: p0.ID, Answers: pageAnswers(p0), Next: q.Pages[1].ID})
		})
	}
	for len(db.ops) < len(toks) {
		time.Sleep(time.Millisecond)
	}
	close(release)
	wg.Wait()
	if err := <-held; err != nil {
		t.Fatal(err)
	}
	commits, writes := db.WriteStats()
	// The holding write's commit, then one shared commit for the 60 saves.
	if c, w := commits-commits0, writes-writes0; c != 2 || w != 61 {
		t.Errorf("group commit: got %d commits for %d writes, want 2 for 61", c, w)
	}
	for i, err := range errs {
		want := ""
		if i < 20 {
			want = survey.ECONFLICT
		}
		wantCode(t, "SavePage", err, want)
	}
	var n int
	if err := db.rdb.QueryRow(`SELECT count(DISTINCT response_id) FROM answers`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 40 {
		t.Errorf("responses with answers: got %d, want 40", n)
	}
}

func TestClosedDBRefusesWrites(t *testing.T) {
	db, _ := openTest(t)
	db.Close()
	if err := db.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := db.CreateInvitations(context.Background(), "m", 1); !errors.Is(err, errClosed) {
		t.Errorf("write after Close: got %v, want errClosed", err)
	}
}

func TestJSONStrings(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
		bad  bool
	}{
		{in: `[]`, want: nil},
		{in: `[["a","1"],["b","x y"]]`, want: []string{"a", "1", "b", "x y"}},
		{in: `["p1","p2"]`, want: []string{"p1", "p2"}},
		{in: `[["t","say \"hi\", [ok]\\n\u0001 中文\/"]]`, want: []string{"t", "say \"hi\", [ok]\\n\x01 中文/"}},
		{in: `[["t","line\nbreak"]]`, want: []string{"t", "line\nbreak"}},
		{in: `[1]`, bad: true},
		{in: `["open`, bad: true},
		{in: `["bad \q"]`, bad: true},
	} {
		got, err := jsonStrings(c.in)
		if (err != nil) != c.bad || !reflect.DeepEqual(got, c.want) {
			t.Errorf("jsonStrings(%s): got %q, %v; want %q, error %v", c.in, got, err, c.want, c.bad)
		}
	}
}
