package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, for reading schema_migrations before the store opens
)

func init() {
	register("migrate", "apply the database migrations (--db FILE or postgres:// URL) and print the schema version", runMigrate)
}

// runMigrate handles `manyi migrate --db URL`: it applies the migrations
// the database has not seen (each in its own transaction, as serve does
// at start) and prints which it applied. Run it before starting new
// servers of a new version, so that they do not race to migrate.
func runMigrate(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := dbFlag(fs)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "manyi migrate: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	ctx := context.Background()
	before, err := appliedMigrations(ctx, *db)
	if err != nil {
		return errExit(stderr, "migrate", err)
	}
	if err := migrateStore(*db); err != nil {
		return errExit(stderr, "migrate", err)
	}
	after, err := appliedMigrations(ctx, *db)
	if err != nil {
		return errExit(stderr, "migrate", err)
	}
	seen := map[int]bool{}
	for _, v := range before {
		seen[v] = true
	}
	var applied []string
	for _, v := range after {
		if !seen[v] {
			applied = append(applied, fmt.Sprintf("%04d", v))
		}
	}
	newest := 0
	if len(after) > 0 {
		newest = after[len(after)-1]
	}
	if len(applied) == 0 {
		fmt.Fprintf(stdout, "%s: up to date, schema version %04d\n", redactURL(*db), newest)
		return 0
	}
	fmt.Fprintf(stdout, "%s: applied %d migrations (%s), schema version %04d\n", redactURL(*db), len(applied), strings.Join(applied, " "), newest)
	return 0
}

// appliedMigrations returns the versions recorded in the database's
// schema_migrations, oldest first; none for a SQLite file that does not
// exist yet or a database never migrated.
func appliedMigrations(ctx context.Context, db string) ([]int, error) {
	var (
		raw *sql.DB
		err error
	)
	if isPostgresURL(db) {
		raw, err = sql.Open("pgx", db)
	} else {
		if _, serr := os.Stat(db); serr != nil {
			return nil, nil
		}
		raw, err = sql.Open("sqlite", db+"?_pragma=query_only(1)")
	}
	if err != nil {
		return nil, err
	}
	defer raw.Close()
	var exists bool
	if isPostgresURL(db) {
		err = raw.QueryRowContext(ctx, `SELECT to_regclass('schema_migrations') IS NOT NULL`).Scan(&exists)
	} else {
		err = raw.QueryRowContext(ctx, `SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`).Scan(&exists)
	}
	if err != nil {
		return nil, fmt.Errorf("reading the schema version of %s: %w", redactURL(db), err)
	}
	if !exists {
		return nil, nil
	}
	rows, err := raw.QueryContext(ctx, `SELECT version FROM schema_migrations ORDER BY version`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var vs []int
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		vs = append(vs, v)
	}
	return vs, rows.Err()
}
