package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"manyi/survey"
	"manyi/survey/internal/storekit"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// busyTimeout is how long a connection waits for another process's write
// lock (e.g. `manyi demo` run while the server is up) before SQLITE_BUSY.
const busyTimeout = 10 * time.Second

// maxBatch bounds how many queued writes share one commit, so that one
// transaction stays short even under a burst. A variable so that the
// benchmarks can show what group commit buys (maxBatch = 1).
var maxBatch = 128

// synchronous is the SQLite synchronous setting of the writing connection;
// a variable only so that the benchmarks can compare NORMAL.
var synchronous = "FULL"

// DB is the SQLite store. It implements survey.Store; its extra methods
// (Secret, SetMeasurementStatus, …) serve the commands and later features.
// A DB is safe for concurrent use.
type DB struct {
	// Now is the clock; tests replace it before the first call. It returns
	// time.Now by default; stored times are always converted to UTC.
	Now func() time.Time

	path string
	rdb  *sql.DB // read-only pool, deferred transactions
	wdb  *sql.DB // one connection, owned by the writer goroutine

	mu     sync.RWMutex // guards closed against sends on ops
	closed bool
	ops    chan *writeOp
	done   chan struct{}

	schema int // the newest migration version embedded in the binary
	rstmts stmtCache
	wstmts stmtCache
	dcache sync.Map // measurement id → []survey.District (never change once created)
	scache sync.Map // measurement id → []survey.Sector (likewise)
	stats  struct{ commits, writes atomic.Int64 }
	qcache sync.Map // sha256 hex → *survey.Questionnaire, parsed bodies
	// sessions holds the sessions this process wrote last (see
	// sessionCache for why it is coherent); mcache the measurements they
	// belong to, read again after measurementTTL.
	sessions sessionCache
	mcache   sync.Map // measurement id → *measEntry
}

var _ survey.Store = (*DB)(nil)

// writeOp is one write waiting for the writer goroutine.
type writeOp struct {
	fn func(tx *sql.Tx) error
	// after, when set, runs on the writer goroutine once fn's changes are
	// committed and before the caller hears of it; writes update the
	// session cache there, in commit order.
	after func()
	err   chan error
}

// errClosed is returned by writes after Close.
var errClosed = errors.New("sqlite: database is closed")

// Open opens the database file at path, creating it and its folder when
// missing, and applies the migrations it has not seen yet.
func Open(path string) (*DB, error) {
	if path == "" {
		return nil, survey.Errorf(survey.EINVALID, "数据库路径为空", "the database path is empty")
	}
	if strings.ContainsAny(path, "?#") {
		// The driver reads everything after '?' as connection parameters.
		return nil, survey.Errorf(survey.EINVALID, "数据库路径 %q 不能包含 ? 或 #", "the database path %q must not contain ? or #", path)
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("sqlite: create folder for %s: %w", path, err)
		}
	}
	bt := strconv.Itoa(int(busyTimeout / time.Millisecond))
	// synchronous=FULL: a commit returns only after the WAL is on disk, so
	// an acknowledged page survives a power loss, not only a killed
	// process (NORMAL would only promise the latter). Group commit in the
	// writer pays for the fsync; see docs/PERFORMANCE.md.
	wdsn := path + "?_pragma=busy_timeout(" + bt + ")&_pragma=foreign_keys(1)" +
		"&_pragma=journal_mode(WAL)&_pragma=synchronous(" + synchronous + ")&_txlock=immediate"
	// Readers map the file: under a stream of writes every read transaction
	// finds its page cache stale and would otherwise re-read each page with
	// a system call.
	rdsn := path + "?_pragma=busy_timeout(" + bt + ")&_pragma=foreign_keys(1)&_pragma=query_only(1)&_pragma=mmap_size(268435456)"

	wdb, err := sql.Open("sqlite", wdsn)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	// One writing connection: all writes are serialised by the writer
	// goroutine anyway, and one connection keeps its statement cache warm.
	wdb.SetMaxOpenConns(1)
	wdb.SetMaxIdleConns(1)
	wdb.SetConnMaxLifetime(0)
	wdb.SetConnMaxIdleTime(0)

	db := &DB{Now: time.Now, path: path, wdb: wdb, ops: make(chan *writeOp, 4*maxBatch), done: make(chan struct{})}
	if err := db.migrate(context.Background()); err != nil {
		wdb.Close()
		return nil, damagedOr(path, err)
	}

	rdb, err := sql.Open("sqlite", rdsn)
	if err != nil {
		wdb.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	n := 2 * runtime.NumCPU()
	if n < 4 {
		n = 4
	}
	rdb.SetMaxOpenConns(n)
	rdb.SetMaxIdleConns(n)
	rdb.SetConnMaxLifetime(0)
	rdb.SetConnMaxIdleTime(0)
	db.rdb = rdb
	db.rstmts.pool = rdb
	db.wstmts.pool = wdb
	if err := rdb.Ping(); err != nil {
		rdb.Close()
		wdb.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	go db.writer()
	return db, nil
}

// Path returns the database file name given to Open.
func (db *DB) Path() string { return db.path }

// Close waits for queued writes and closes the database.
func (db *DB) Close() error {
	db.mu.Lock()
	if db.closed {
		db.mu.Unlock()
		return nil
	}
	db.closed = true
	close(db.ops)
	db.mu.Unlock()
	<-db.done
	db.rstmts.close()
	db.wstmts.close()
	rerr := db.rdb.Close()
	werr := db.wdb.Close()
	return errors.Join(rerr, werr)
}

// Ping reports whether the database answers and carries every migration
// this binary knows.
func (db *DB) Ping(ctx context.Context) error {
	var v int
	err := db.rdb.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&v)
	if err != nil {
		return fmt.Errorf("sqlite: ping: %w", err)
	}
	if v < db.schema {
		return fmt.Errorf("sqlite: ping: schema version %d, want %d", v, db.schema)
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
			return nil, fmt.Errorf("sqlite: migration %s: name must be NNNN_name.sql", n)
		}
		if len(ms) > 0 && ms[len(ms)-1].version >= v {
			return nil, fmt.Errorf("sqlite: migration %s: version %d repeats or goes back", n, v)
		}
		b, err := migrationFS.ReadFile(n)
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: base, sql: string(b)})
	}
	return ms, nil
}

// migrate applies the migrations not yet recorded, each in its own
// immediate transaction so that two processes opening a new file at once
// apply each migration exactly once.
func (db *DB) migrate(ctx context.Context) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	if _, err := db.wdb.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT NOT NULL,
		applied_at TEXT NOT NULL
	)`); err != nil {
		return fmt.Errorf("sqlite: migrate %s: %w", db.path, err)
	}
	for _, m := range ms {
		if err := db.applyMigration(ctx, m); err != nil {
			return fmt.Errorf("sqlite: migration %s: %w", m.name, err)
		}
		db.schema = m.version
	}
	return nil
}

func (db *DB) applyMigration(ctx context.Context, m migration) error {
	tx, err := db.wdb.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, m.version).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
		m.version, m.name, fmtTime(db.now())); err != nil {
		return err
	}
	return tx.Commit()
}

// write runs fn in a write transaction on the writer goroutine and returns
// once that transaction is committed (or fn failed). fn may be run a second
// time when a shared commit fails, so it must only assign, never append to,
// state outside the transaction.
func (db *DB) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return db.writeThen(ctx, fn, nil)
}

// writeThen is write with a hook that runs on the writer goroutine after
// fn's transaction committed, before write returns (see writeOp.after).
func (db *DB) writeThen(ctx context.Context, fn func(tx *sql.Tx) error, after func()) error {
	op := &writeOp{fn: fn, after: after, err: make(chan error, 1)}
	db.mu.RLock()
	if db.closed {
		db.mu.RUnlock()
		return errClosed
	}
	select {
	case db.ops <- op:
	case <-ctx.Done():
		db.mu.RUnlock()
		return ctx.Err()
	}
	db.mu.RUnlock()
	// Once queued the write will run; wait for it even if ctx ends, so that
	// the caller never reports a failure for a write that was committed.
	return noSpace(<-op.err)
}

// errNoSpace is what a write that failed on a full disk returns: the
// transaction was rolled back whole, so nothing of it is stored, and the
// same write succeeds once there is space again.
var errNoSpace = survey.Errorf(survey.ENOSPACE,
	"磁盘已满，无法保存；已保存的数据完好，腾出空间后即可继续",
	"the disk is full and nothing more can be saved; what was saved is intact, and writes work again once space is freed")

// noSpace turns SQLite's SQLITE_FULL (a write to the database or its WAL
// hit ENOSPC) into errNoSpace, keeping the driver's error for the log.
func noSpace(err error) error {
	var se *sqlite.Error
	if err != nil && errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_FULL {
		return fmt.Errorf("%w (%v)", errNoSpace, err)
	}
	return err
}

// writer commits queued writes: it takes every write waiting when it is
// free, runs them in one transaction with a savepoint each, and commits
// once. Under load the fsync of one commit is shared by many pages.
func (db *DB) writer() {
	defer close(db.done)
	for op := range db.ops {
		batch := []*writeOp{op}
	gather:
		for len(batch) < maxBatch {
			select {
			case op, ok := <-db.ops:
				if !ok {
					break gather
				}
				batch = append(batch, op)
			default:
				break gather
			}
		}
		db.runBatch(batch)
	}
}

// WriteStats reports how many write transactions were committed and how
// many writes they carried; writes/commits is the group-commit factor.
func (db *DB) WriteStats() (commits, writes int64) {
	return db.stats.commits.Load(), db.stats.writes.Load()
}

func (db *DB) runBatch(batch []*writeOp) {
	if len(batch) > 1 {
		errs, err := db.runTogether(batch)
		if err == nil {
			db.stats.commits.Add(1)
			db.stats.writes.Add(int64(len(batch)))
			for i, op := range batch {
				op.err <- errs[i]
			}
			return
		}
		// The shared transaction failed as a whole (not one write's
		// error): run each write alone so that one cannot fail the others.
	}
	for _, op := range batch {
		op.err <- db.runAlone(op)
	}
}

func (db *DB) runAlone(op *writeOp) error {
	tx, err := db.wdb.Begin()
	if err != nil {
		return fmt.Errorf("sqlite: begin: %w", err)
	}
	if err := callOp(op, tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: commit: %w", err)
	}
	db.stats.commits.Add(1)
	db.stats.writes.Add(1)
	db.committed(op)
	return nil
}

func (db *DB) runTogether(batch []*writeOp) ([]error, error) {
	tx, err := db.wdb.Begin()
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	errs := make([]error, len(batch))
	for i, op := range batch {
		if _, err := tx.Exec(`SAVEPOINT w`); err != nil {
			return nil, err
		}
		if errs[i] = callOp(op, tx); errs[i] != nil {
			if _, err := tx.Exec(`ROLLBACK TO w`); err != nil {
				return nil, err
			}
		}
		if _, err := tx.Exec(`RELEASE w`); err != nil {
			return nil, err
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	for i, op := range batch {
		if errs[i] == nil {
			db.committed(op)
		}
	}
	return errs, nil
}

// committed runs on the writer goroutine after op's changes were
// committed: op's hook, or for any write without one (a staff action, a
// command, a new questionnaire version) forgetting every cached session
// and measurement, since it may have changed what they hold.
func (db *DB) committed(op *writeOp) {
	if op.after != nil {
		op.after()
		return
	}
	db.forgetSessions()
}

// callOp runs one write, turning a panic into an error so that a bug in
// one write cannot stop the writer goroutine and hang every other write.
func callOp(op *writeOp, tx *sql.Tx) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("sqlite: write panicked: %v", r)
		}
	}()
	return op.fn(tx)
}

// now is the store's clock in UTC.
func (db *DB) now() time.Time { return db.Now().UTC() }

// timeLayout is fixed width so that stored times sort as text.
const timeLayout = "2006-01-02T15:04:05.000000Z"

func fmtTime(t time.Time) string { return t.UTC().Format(timeLayout) }

func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(timeLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("sqlite: bad stored time %q: %w", s, err)
	}
	return t, nil
}

func parseTimePtr(s sql.NullString) (*time.Time, error) {
	if !s.Valid {
		return nil, nil
	}
	t, err := parseTime(s.String)
	if err != nil {
		return nil, err
	}
	return &t, nil
}

// isConstraint reports whether err is a UNIQUE or PRIMARY KEY violation.
func isConstraint(err error) bool {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	switch se.Code() {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return true
	}
	return false
}

// isForeignKey reports whether err is a FOREIGN KEY violation.
func isForeignKey(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
}

// dialect is how the SQL shared with the PostgreSQL adapter
// (survey/internal/storekit) runs here: ? placeholders, times as
// fixed-width text.
var dialect = &storekit.Dialect{
	Name:         "sqlite",
	TimeArg:      func(t time.Time) any { return fmtTime(t) },
	TimeDest:     func(t *time.Time) any { return textTime{t} },
	NullTimeDest: func(t **time.Time) any { return nullTextTime{t} },
}

// textTime scans a stored time (timeLayout text) into *t.
type textTime struct{ t *time.Time }

// Scan implements sql.Scanner.
func (d textTime) Scan(src any) error {
	var s string
	switch v := src.(type) {
	case string:
		s = v
	case []byte:
		s = string(v)
	default:
		return fmt.Errorf("sqlite: stored time is %T, not text", src)
	}
	t, err := parseTime(s)
	if err != nil {
		return err
	}
	*d.t = t
	return nil
}

// nullTextTime scans a stored nullable time into *t (nil for NULL).
type nullTextTime struct{ t **time.Time }

// Scan implements sql.Scanner.
func (d nullTextTime) Scan(src any) error {
	if src == nil {
		*d.t = nil
		return nil
	}
	var t time.Time
	if err := (textTime{&t}).Scan(src); err != nil {
		return err
	}
	*d.t = &t
	return nil
}
