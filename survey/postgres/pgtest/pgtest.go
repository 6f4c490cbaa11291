// Package pgtest gives each test its own PostgreSQL database on the server
// named by MANYI_TEST_POSTGRES, the throw-away cluster that `make test`
// starts through .ci/pgcluster.
//
// Without MANYI_TEST_POSTGRES a test that asks for a database is skipped
// with a message saying how to run it, except under CI=true, where it
// fails: CI must never pass by skipping the PostgreSQL tests.
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
)

// EnvURL is the environment variable holding the server's admin URL.
const EnvURL = "MANYI_TEST_POSTGRES"

// ServerURL returns the admin URL of the test server, skipping the test
// (or failing it under CI=true) when there is none.
func ServerURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv(EnvURL)
	if u != "" {
		return u
	}
	msg := EnvURL + " is not set: no PostgreSQL server for this test; " +
		"run it through `make test` or `.ci/pgcluster go test ./...`, which start a throw-away cluster"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg + " (CI=true: the PostgreSQL tests must run)")
	}
	t.Skip(msg)
	return ""
}

// NewDatabase creates an empty database for the test and returns its URL;
// the database is dropped when the test ends.
func NewDatabase(t testing.TB) string {
	t.Helper()
	admin := ServerURL(t)
	var b [6]byte
	rand.Read(b[:])
	// PostgreSQL names hold 63 bytes: the random part first, then as much
	// of the test's name as fits, to find a database left by a crash.
	name := "manyi_" + hex.EncodeToString(b[:]) + "_" + strings.ToLower(sanitize(t.Name()))
	if len(name) > 63 {
		name = name[:63]
	}
	db, err := sql.Open("pgx", admin)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := db.ExecContext(ctx, `CREATE DATABASE "`+name+`" TEMPLATE template0 ENCODING 'UTF8'`); err != nil {
		t.Fatalf("pgtest: create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", admin)
		if err != nil {
			t.Errorf("pgtest: %v", err)
			return
		}
		defer db.Close()
		// FORCE ends connections a failed test left open.
		if _, err := db.Exec(`DROP DATABASE IF EXISTS "` + name + `" WITH (FORCE)`); err != nil {
			t.Errorf("pgtest: drop database %s: %v", name, err)
		}
	})
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatalf("pgtest: %s: %v", EnvURL, err)
	}
	u.Path = "/" + name
	return u.String()
}

// sanitize keeps letters, digits and underscores of a test name.
func sanitize(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	return b.String()
}
