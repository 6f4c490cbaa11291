package pgtest

import (
	"database/sql"
	"testing"
)

func TestNewDatabase(t *testing.T) {
	u := NewDatabase(t)
	db, err := sql.Open("pgx", u)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var name string
	if err := db.QueryRow(`SELECT current_database()`).Scan(&name); err != nil {
		t.Fatal(err)
	}
	if len(name) < 10 || name[:6] != "manyi_" {
		t.Errorf("database %q, want manyi_…", name)
	}
}
