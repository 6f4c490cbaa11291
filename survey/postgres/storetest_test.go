package postgres

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"manyi/survey"
	"manyi/survey/postgres/pgtest"
	"manyi/survey/storetest"
	"manyi/survey/workspace"
)

// harness opens stores on fresh databases of the test server.
var harness = storetest.Harness{
	New: func(t *testing.T) string { return pgtest.NewDatabase(t) },
	Open: func(ref string, now func() time.Time) (storetest.Store, error) {
		db, err := Open(ref)
		if err != nil {
			return nil, err
		}
		db.Now = now
		return db, nil
	},
	Rows: func(t *testing.T, s storetest.Store, query string) []string {
		t.Helper()
		return storetest.SQLRows(t, s.(*DB).db, query)
	},
	Exec: func(s storetest.Store, query string) error {
		return s.(*DB).write(context.Background(), func(tx *sql.Tx) error {
			_, err := tx.Exec(query)
			return err
		})
	},
}

// TestConformance runs the stores' conformance suite on PostgreSQL.
func TestConformance(t *testing.T) { storetest.Run(t, harness) }

// The store is the workspace's, the importer's and the whole product's:
// checked here, since survey/workspace imports no adapter.
var (
	_ workspace.EditStore     = (*DB)(nil)
	_ survey.ResponseImporter = (*DB)(nil)
	_ storetest.Store         = (*DB)(nil)
)
