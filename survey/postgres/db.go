package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver

	"manyi/survey"
	"manyi/survey/internal/storekit"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// migrationLock is the advisory lock key held while migrating ("manyi" in
// ASCII), so that servers starting at once apply each migration once.
const migrationLock = 0x6d616e7969

// maxRetries bounds how often a transaction is run again after a
// serialization failure or a deadlock.
const maxRetries = 8

// DB is the PostgreSQL store. A DB is safe for concurrent use, and any
// number of processes may share one database.
type DB struct {
	// Now is the clock; tests replace it before the first call. Stored
	// times are always UTC.
	Now func() time.Time

	url    string
	db     *sql.DB
	schema int      // the newest migration version embedded in the binary
	qcache sync.Map // sha256 hex → *survey.Questionnaire (content-addressed)
}

var _ survey.Store = (*DB)(nil)

// IsURL reports whether a --db value names a PostgreSQL database
// (postgres:// or postgresql://) rather than an SQLite file.
func IsURL(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

// Open connects to the database at url (postgres://user@host/db) and
// applies the migrations it has not seen yet.
func Open(url string) (*DB, error) {
	if !IsURL(url) {
		return nil, survey.Errorf(survey.EINVALID, "PostgreSQL 地址应以 postgres:// 开头", "a PostgreSQL URL starts with postgres://")
	}
	sdb, err := sql.Open("pgx", url)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	sdb.SetMaxOpenConns(32)
	sdb.SetMaxIdleConns(32)
	sdb.SetConnMaxIdleTime(5 * time.Minute)
	db := &DB{Now: time.Now, url: url, db: sdb}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := sdb.PingContext(ctx); err != nil {
		sdb.Close()
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	if err := db.migrate(ctx); err != nil {
		sdb.Close()
		return nil, err
	}
	return db, nil
}

// SQL returns the connection pool, for the commands that copy or check a
// whole database (manyi copy, migrate) and for tests.
func (db *DB) SQL() *sql.DB { return db.db }

// Close closes the connection pool.
func (db *DB) Close() error { return db.db.Close() }

// Ping reports whether the database answers and carries every migration
// this binary knows.
func (db *DB) Ping(ctx context.Context) error {
	var v int
	err := db.db.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&v)
	if err != nil {
		return fmt.Errorf("postgres: ping: %w", err)
	}
	if v < db.schema {
		return fmt.Errorf("postgres: ping: schema version %d, want %d", v, db.schema)
	}
	return nil
}

// migration is one embedded migrations/NNNN_name.sql file.
type migration struct {
	version int
	name    string
	sql     string
}

func migrations() ([]migration, error) {
	names, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var ms []migration
	for _, n := range names {
		base := strings.TrimSuffix(filepath.Base(n), ".sql")
		num, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("postgres: migration %s: name must be NNNN_name.sql", n)
		}
		if len(ms) > 0 && ms[len(ms)-1].version >= v {
			return nil, fmt.Errorf("postgres: migration %s: version %d repeats or goes back", n, v)
		}
		b, err := migrationFS.ReadFile(n)
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: base, sql: string(b)})
	}
	return ms, nil
}

// Migrations returns the versions of the embedded migrations, in order.
func Migrations() ([]int, error) {
	ms, err := migrations()
	if err != nil {
		return nil, err
	}
	vs := make([]int, len(ms))
	for i, m := range ms {
		vs[i] = m.version
	}
	return vs, nil
}

// migrate applies the migrations not yet recorded, each in its own
// transaction holding the advisory lock.
func (db *DB) migrate(ctx context.Context) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	err = db.lockedTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version    integer PRIMARY KEY,
			name       text NOT NULL,
			applied_at timestamptz NOT NULL
		)`)
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	for _, m := range ms {
		err := db.lockedTx(ctx, func(tx *sql.Tx) error {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = $1`, m.version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			if _, err := tx.ExecContext(ctx, m.sql); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`,
				m.version, m.name, db.now())
			return err
		})
		if err != nil {
			return fmt.Errorf("postgres: migration %s: %w", m.name, err)
		}
		db.schema = m.version
	}
	return nil
}

// lockedTx runs fn in a transaction holding the migration lock.
func (db *DB) lockedTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(migrationLock)); err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// write runs fn in a read-committed transaction and commits it. fn may be
// run again when PostgreSQL reports a serialization failure or a deadlock,
// so it must only assign, never append to, state outside the transaction.
// The transaction runs to its end even when ctx is cancelled once it has
// started, so that a caller never reports a failure for a committed write.
func (db *DB) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	ctx = context.WithoutCancel(ctx)
	for attempt := 0; ; attempt++ {
		err := db.tryWrite(ctx, fn)
		if err == nil || !retryable(err) || attempt == maxRetries {
			return err
		}
		// Back off a little, with jitter, so the contenders spread out.
		time.Sleep(time.Duration(1+rand.IntN(5<<attempt)) * time.Millisecond)
	}
}

func (db *DB) tryWrite(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("postgres: begin: %w", err)
	}
	defer tx.Rollback()
	if err := callFn(fn, tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("postgres: commit: %w", err)
	}
	return nil
}

// callFn runs one write, turning a panic into an error.
func callFn(fn func(tx *sql.Tx) error, tx *sql.Tx) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("postgres: write panicked: %v", r)
		}
	}()
	return fn(tx)
}

// now is the store's clock in UTC, at the microsecond PostgreSQL keeps.
func (db *DB) now() time.Time { return db.Now().UTC().Truncate(time.Microsecond) }

// utc returns t in UTC (the driver gives local times).
func utc(t time.Time) time.Time { return t.UTC() }

// utcPtr returns a stored nullable time as a pointer in UTC.
func utcPtr(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}

// nullTime is the stored form of an optional time.
func nullTime(t *time.Time) sql.NullTime {
	if t == nil {
		return sql.NullTime{}
	}
	return sql.NullTime{Time: t.UTC(), Valid: true}
}

// pgCode returns the SQLSTATE of err, "" when it is not a server error.
func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

// retryable reports a serialization failure or a deadlock.
func retryable(err error) bool {
	switch pgCode(err) {
	case "40001", "40P01":
		return true
	}
	return false
}

// isConstraint reports whether err is a UNIQUE or PRIMARY KEY violation.
func isConstraint(err error) bool { return pgCode(err) == "23505" }

// isForeignKey reports whether err is a FOREIGN KEY violation.
func isForeignKey(err error) bool { return pgCode(err) == "23503" }

// dialect is how the SQL shared with the SQLite adapter
// (survey/internal/storekit) runs here: $n placeholders, times as
// timestamptz read back in UTC.
var dialect = &storekit.Dialect{
	Name:         "postgres",
	Dollar:       true,
	TimeArg:      func(t time.Time) any { return t },
	TimeDest:     func(t *time.Time) any { return utcTime{t} },
	NullTimeDest: func(t **time.Time) any { return nullUTCTime{t} },
}

// utcTime scans a timestamptz into *t in UTC.
type utcTime struct{ t *time.Time }

// Scan implements sql.Scanner.
func (d utcTime) Scan(src any) error {
	v, ok := src.(time.Time)
	if !ok {
		return fmt.Errorf("postgres: stored time is %T, not a time", src)
	}
	*d.t = v.UTC()
	return nil
}

// nullUTCTime scans a nullable timestamptz into *t (nil for NULL).
type nullUTCTime struct{ t **time.Time }

// Scan implements sql.Scanner.
func (d nullUTCTime) Scan(src any) error {
	if src == nil {
		*d.t = nil
		return nil
	}
	var t time.Time
	if err := (utcTime{&t}).Scan(src); err != nil {
		return err
	}
	*d.t = &t
	return nil
}
