package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"manyi/survey"
	"manyi/survey/postgres"
	"manyi/survey/postgres/pgtest"
	"manyi/survey/sampling"
	"manyi/survey/secret"
	"manyi/survey/sqlite"
)

// opsFixture is a SQLite database with something in most tables: the
// fieldwork test's measurement with its frame imported and a sample
// drawn, the demo's two simulated years (responses, answers, paradata,
// exclusions, census, weighting), and a service measurement "svc" with
// one sector's customer list (sector_lists).
func opsFixture(t *testing.T) string {
	t.Helper()
	db, frame := fwSetup(t)
	dir := filepath.Dir(db)
	t.Setenv(secret.EnvKey, secret.GenerateKey())
	t.Setenv("MANYI_DB", "")
	plan := filepath.Join(dir, "plan.json")
	os.WriteFile(plan, []byte(`{"total": 20, "allocation": "equal", "reserve": 0.2, "reserve_batches": 1}`), 0o600)
	census := filepath.Join(dir, "census.csv")
	var cb strings.Builder
	cb.WriteString("district,gender,age_band,count\n")
	for _, d := range []string{"d1", "d2"} {
		for _, g := range []string{"male", "female"} {
			for _, a := range sampling.AgeBands {
				fmt.Fprintf(&cb, "%s,%s,%s,100\n", d, g, a)
			}
		}
	}
	os.WriteFile(census, []byte(cb.String()), 0o600)
	runOK(t, "frame", "import", "--db", db, "--measurement", "m", "--frame", frame, "--columns", fwColumns)
	runOK(t, "draw", "--db", db, "--measurement", "m", "--plan", plan, "--seed", "7", "--census", census)
	runOK(t, "demo", "--db", db, "--responses", "60")
	st, err := sqlite.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	svc := &survey.Measurement{ID: "svc", City: survey.Text{Zh: "示例市"}, Title: survey.Text{Zh: "示例市服务业测评"}, Year: 2026,
		Districts: []survey.District{{Code: "d1", Name: survey.Text{Zh: "东城区"}}, {Code: "d2", Name: survey.Text{Zh: "西城区"}}},
		Kind:      survey.KindService, Sectors: survey.DefaultSectors()}
	if err := st.CreateMeasurement(context.Background(), svc, survey.DefaultServiceQuestionnaire()); err != nil {
		t.Fatal(err)
	}
	st.Close()
	retail := filepath.Join(dir, "retail.csv")
	os.WriteFile(retail, []byte("id,district,contact\nr1,d1,13800000011\nr2,d2,\n"), 0o600)
	runOK(t, "frame", "import", "--db", db, "--measurement", "svc", "--frame", retail, "--sector", "retail")
	return db
}

// tableCounts counts the rows of every table of a database.
func tableCounts(t *testing.T, driver, dsn string, list string) map[string]int64 {
	t.Helper()
	c, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	rows, err := c.Query(list)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		names = append(names, n)
	}
	rows.Close()
	out := map[string]int64{}
	for _, n := range names {
		var k int64
		if err := c.QueryRow(`SELECT count(*) FROM "` + n + `"`).Scan(&k); err != nil {
			t.Fatal(err)
		}
		out[n] = k
	}
	return out
}

const (
	sqliteTableList = `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%' AND name <> 'schema_migrations'`
	// (answers is a view over responses.answers on PostgreSQL, migration 0180)
	pgTableList = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type IN ('BASE TABLE', 'VIEW') AND table_name <> 'schema_migrations'`
)

// TestCopyToPostgres copies a SQLite database into PostgreSQL with
// `manyi copy` and checks it independently: every table's count on both
// sides, the data read through the PostgreSQL store, new ids continuing
// after the copied ones; a second copy is refused until --replace. It
// then backs the PostgreSQL database up with pg_dump, restores it into a
// new database with pg_restore, and reads the restored one.
func TestCopyToPostgres(t *testing.T) {
	url := pgtest.NewDatabase(t)
	db := opsFixture(t)
	out := runOK(t, "copy", "--from", db, "--to", url)
	if !strings.Contains(out, "counts and checksums match") {
		t.Fatalf("copy output:\n%s", out)
	}
	src := tableCounts(t, "sqlite", db, sqliteTableList)
	dst := tableCounts(t, "pgx", url, pgTableList)
	nonEmpty := 0
	for name, n := range src {
		if d, ok := dst[name]; !ok || d != n {
			t.Errorf("table %s: %d rows in SQLite, %d in PostgreSQL (present %v)", name, n, d, ok)
		}
		if n > 0 {
			nonEmpty++
			if !strings.Contains(out, name) {
				t.Errorf("copy output does not report table %s", name)
			}
		}
	}
	if nonEmpty < 15 {
		t.Errorf("only %d tables of the fixture hold rows; the test should cover most of them", nonEmpty)
	}

	var buf bytes.Buffer
	if code := run([]string{"copy", "--from", db, "--to", url}, &buf, &buf); code == 0 || !strings.Contains(buf.String(), "not empty") {
		t.Errorf("copy into a full database: exit %d, output %q; want a refusal saying it is not empty", code, buf.String())
	}
	runOK(t, "copy", "--replace", "--from", db, "--to", url)
	if got := tableCounts(t, "pgx", url, pgTableList); got["answers"] != src["answers"] {
		t.Errorf("after --replace: %d answers, want %d", got["answers"], src["answers"])
	}

	ctx := context.Background()
	pg, err := postgres.Open(url)
	if err != nil {
		t.Fatal(err)
	}
	ms, err := pg.Measurements(ctx)
	if err != nil || len(ms) < 3 {
		t.Fatalf("Measurements on the copy: %d, %v; want at least m, demo-2026, demo-2025", len(ms), err)
	}
	// A sector list's provenance, its import time included.
	sq, err := sqlite.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	want, err := sq.SectorLists(ctx, "svc")
	sq.Close()
	if err != nil || len(want) != 1 {
		t.Fatalf("SectorLists on SQLite: %+v, %v; want retail's", want, err)
	}
	got, err := pg.SectorLists(ctx, "svc")
	if err != nil || len(got) != 1 || got[0].Source != want[0].Source || got[0].Units != 2 || got[0].Contacts != 1 || !got[0].ImportedAt.Equal(want[0].ImportedAt) {
		t.Errorf("SectorLists on the copy: %+v, %v; want %+v", got, err, want)
	}
	m, err := pg.Measurement(ctx, "demo-2026")
	if err != nil || m.PrevID != "demo-2025" {
		t.Errorf("demo-2026 on the copy: %+v, %v; want it linked to demo-2025", m, err)
	}
	if u, err := pg.UserByName(ctx, "wang"); err != nil || u.Name != "wang" {
		t.Errorf("user wang on the copy: %v, %v", u, err)
	}
	// Identity sequences continue after the copied ids.
	toks, err := pg.CreateInvitations(ctx, "demo-2026", 3)
	if err != nil {
		t.Fatalf("CreateInvitations on the copy: %v", err)
	}
	if _, err := pg.OpenSession(ctx, toks[0]); err != nil {
		t.Errorf("OpenSession of a new invitation on the copy: %v", err)
	}
	pg.Close()

	// pg_dump and pg_restore, as docs/DEPLOY.md says.
	for _, tool := range []string{"pg_dump", "pg_restore"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is not installed (Debian's postgresql-client): %v", tool, err)
		}
	}
	dump := filepath.Join(t.TempDir(), "manyi.dump")
	if b, err := exec.Command("pg_dump", "--format=custom", "--file="+dump, "--dbname="+url).CombinedOutput(); err != nil {
		t.Fatalf("pg_dump: %v\n%s", err, b)
	}
	restored := pgtest.NewDatabase(t)
	if b, err := exec.Command("pg_restore", "--no-owner", "--exit-on-error", "--dbname="+restored, dump).CombinedOutput(); err != nil {
		t.Fatalf("pg_restore: %v\n%s", err, b)
	}
	if got := tableCounts(t, "pgx", restored, pgTableList); got["answers"] != src["answers"] || got["invitations"] != src["invitations"]+3 {
		t.Errorf("restored: %d answers, %d invitations; want %d and %d", got["answers"], got["invitations"], src["answers"], src["invitations"]+3)
	}
	r, err := postgres.Open(restored)
	if err != nil {
		t.Fatalf("opening the restored database: %v", err)
	}
	defer r.Close()
	if _, err := r.OpenSession(ctx, toks[1]); err != nil {
		t.Errorf("OpenSession on the restored database: %v", err)
	}
	if out := runOK(t, "migrate", "--db", restored); !strings.Contains(out, "up to date") {
		t.Errorf("migrate on the restored database: %q, want up to date", out)
	}
}

// TestBackupCommand backs a SQLite database up with `manyi backup`,
// refuses to overwrite the backup, and reads the copy with `manyi
// migrate` (which opens it) and a count.
func TestBackupCommand(t *testing.T) {
	db := filepath.Join(t.TempDir(), "manyi.db")
	t.Setenv("MANYI_DB", "")
	runOK(t, "demo", "--db", db, "--responses", "30")
	out := filepath.Join(t.TempDir(), "b", "manyi-backup.db")
	if got := runOK(t, "backup", "--db", db, "--out", out); !strings.Contains(got, "backed up") {
		t.Errorf("backup output %q", got)
	}
	var buf bytes.Buffer
	if code := run([]string{"backup", "--db", db, "--out", out}, &buf, &buf); code != 1 || !strings.Contains(buf.String(), "exists already") {
		t.Errorf("second backup onto the same file: exit %d, %q", code, buf.String())
	}
	buf.Reset()
	if code := run([]string{"backup", "--db", "postgres://x@127.0.0.1/db", "--out", out + "2"}, &buf, &buf); code != 1 || !strings.Contains(buf.String(), "pg_dump") {
		t.Errorf("backup of a PostgreSQL URL: exit %d, %q; want a pointer to pg_dump", code, buf.String())
	}
	if got := runOK(t, "migrate", "--db", out); !strings.Contains(got, "up to date") {
		t.Errorf("migrate on the backup: %q", got)
	}
	src := tableCounts(t, "sqlite", db, sqliteTableList)
	cp := tableCounts(t, "sqlite", out, sqliteTableList)
	for name, n := range src {
		if cp[name] != n {
			t.Errorf("table %s: %d rows in the database, %d in the backup", name, n, cp[name])
		}
	}
}
