package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"manyi/survey/storetest"
)

// TestConformance runs the stores' conformance suite on SQLite.
func TestConformance(t *testing.T) {
	storetest.Run(t, storetest.Harness{
		New: func(t *testing.T) string { return filepath.Join(t.TempDir(), "sub", "manyi.db") },
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
			return storetest.SQLRows(t, s.(*DB).rdb, query)
		},
		Raw: func(t *testing.T, s storetest.Store, ref string) []byte { return fileBytes(t, ref) },
		Exec: func(s storetest.Store, query string) error {
			return s.(*DB).write(context.Background(), func(tx *sql.Tx) error {
				_, err := tx.Exec(query)
				return err
			})
		},
	})
}
