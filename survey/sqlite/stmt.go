package sqlite

import (
	"context"
	"database/sql"
	"sync"
	"sync/atomic"
)

// stmtCache keeps one prepared statement per SQL text for a pool. Parsing
// SQL is most of the cost of a small query in SQLite, and database/sql
// does not cache statements itself. A statement is prepared on the pool in
// the background the first time its text is seen (preparing it there and
// then could wait for a connection that the asking transaction's siblings
// hold: a deadlock once the pool is busy); until it is ready the query runs
// unprepared. A transaction re-prepares a cached statement once on its own
// connection, and database/sql keeps it there.
type stmtCache struct {
	pool *sql.DB
	m    sync.Map       // string → *stmtEntry
	wg   sync.WaitGroup // background prepares, awaited by close
}

type stmtEntry struct {
	st    *sql.Stmt
	ready atomic.Bool // st is set
}

// lookup returns the prepared statement for query, or nil while it is not
// ready yet.
func (c *stmtCache) lookup(query string) *sql.Stmt {
	v, loaded := c.m.LoadOrStore(query, &stmtEntry{})
	e := v.(*stmtEntry)
	if e.ready.Load() {
		return e.st
	}
	if !loaded {
		c.wg.Go(func() {
			st, err := c.pool.Prepare(query)
			if err != nil {
				c.m.Delete(query) // try again next time
				return
			}
			e.st = st
			e.ready.Store(true)
		})
	}
	return nil
}

// queryRow runs query on the pool, prepared once it is ready.
func (c *stmtCache) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	if s := c.lookup(query); s != nil {
		return s.QueryRowContext(ctx, args...)
	}
	return c.pool.QueryRowContext(ctx, query, args...)
}

func (c *stmtCache) close() {
	c.wg.Wait()
	c.m.Range(func(k, v any) bool {
		if e := v.(*stmtEntry); e.ready.Load() {
			e.st.Close()
		}
		c.m.Delete(k)
		return true
	})
}

// cachedTx is a transaction whose queries use the cached statements.
type cachedTx struct {
	tx *sql.Tx
	c  *stmtCache
}

// QueryContext runs a cached statement in the transaction.
func (t cachedTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if s := t.c.lookup(query); s != nil {
		return t.tx.StmtContext(ctx, s).QueryContext(ctx, args...)
	}
	return t.tx.QueryContext(ctx, query, args...)
}

// QueryRowContext runs a cached statement in the transaction.
func (t cachedTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if s := t.c.lookup(query); s != nil {
		return t.tx.StmtContext(ctx, s).QueryRowContext(ctx, args...)
	}
	return t.tx.QueryRowContext(ctx, query, args...)
}

// ExecContext runs a cached statement in the transaction.
func (t cachedTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if s := t.c.lookup(query); s != nil {
		return t.tx.StmtContext(ctx, s).ExecContext(ctx, args...)
	}
	return t.tx.ExecContext(ctx, query, args...)
}

// wtx wraps a write transaction handed to a write function so that its
// statements come from the writer's cache.
func (db *DB) wtx(tx *sql.Tx) cachedTx { return cachedTx{tx: tx, c: &db.wstmts} }

// bg is the context of statements inside write functions: once queued, a
// write runs to its end whatever happens to the caller's request.
var bg = context.Background()
