package main

import (
	"flag"
	"io"
	"net/url"
	"strings"

	"manyi/survey"
	"manyi/survey/auth"
	"manyi/survey/demo"
	"manyi/survey/fieldwork"
	"manyi/survey/postgres"
	"manyi/survey/setup"
	"manyi/survey/sqlite"
	"manyi/survey/workspace"
)

// store is every store interface the server and the subcommands use. Each
// adapter's DB implements all of it; openStore picks the adapter by the
// --db value, so that serve and every subcommand accept the same
// addresses.
type store interface {
	survey.Store
	survey.SecretStore
	survey.ResponseImporter
	auth.Store
	fieldwork.Store
	fieldwork.SetupStore
	fieldwork.OfficeStore
	fieldwork.OpenLinkStore
	workspace.EditStore
	setup.Store
	demo.SimStore
	survey.SectorWeightStore
	fieldwork.InterceptStore
}

// The adapters implement the whole of store; a missing method fails the
// build here rather than a subcommand at run time.
var (
	_ store = (*sqlite.DB)(nil)
	_ store = (*postgres.DB)(nil)
)

// isPostgresURL reports whether a --db value names a PostgreSQL database
// (postgres:// or postgresql://) rather than a SQLite file.
func isPostgresURL(db string) bool {
	l := strings.ToLower(db)
	return strings.HasPrefix(l, "postgres://") || strings.HasPrefix(l, "postgresql://")
}

// openStore opens the store named by db, migrating it: a postgres:// or
// postgresql:// URL opens PostgreSQL, anything else is a SQLite file
// (created when missing).
func openStore(db string) (store, error) {
	if isPostgresURL(db) {
		return postgres.Open(db)
	}
	return sqlite.Open(db)
}

// redactURL returns a database address fit for a log line or an error:
// a URL's password is replaced by "xxxxx".
func redactURL(db string) string {
	if !isPostgresURL(db) {
		return db
	}
	u, err := url.Parse(db)
	if err != nil {
		return "postgres://(unparsable URL)"
	}
	return u.Redacted()
}

// dbUsage is the --db flag's help, the same in every subcommand.
const dbUsage = "database: a SQLite `file` (created when missing) or a postgres:// URL (env MANYI_DB)"

// dbFlag defines the --db flag of a subcommand.
func dbFlag(fs *flag.FlagSet) *string {
	return fs.String("db", envOr("MANYI_DB", "./data/manyi.db"), dbUsage)
}

// migrateStore opens the adapter named by db, which applies the
// migrations it has not seen, and closes it again. Unlike openStore it
// needs no store interface, only the schema.
func migrateStore(db string) error {
	var c io.Closer
	var err error
	if isPostgresURL(db) {
		c, err = postgres.Open(db)
	} else {
		c, err = sqlite.Open(db)
	}
	if err != nil {
		return err
	}
	return c.Close()
}
