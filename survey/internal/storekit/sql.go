package storekit

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"manyi/survey"
)

// Scanner is what *sql.Row and *sql.Rows share: the scan functions here
// read one row of either.
type Scanner interface {
	Scan(dest ...any) error
}

// Querier is what *sql.DB and *sql.Tx share (and the SQLite adapter's
// cached transaction): the shared loaders run on a pool or inside the
// caller's transaction alike.
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// Dialect is what the shared SQL of this package needs to know of the
// adapter that runs it: how placeholders are written, how a time is
// stored and read back, and the prefix of its errors. Each adapter has
// one Dialect value; the SQL text shared here is written with ? and
// ANSI SQL that both databases take.
type Dialect struct {
	// Name prefixes the adapter's internal errors ("sqlite", "postgres").
	Name string
	// Dollar is set when the database numbers its placeholders ($1, $2).
	Dollar bool
	// TimeArg is the stored form of a time, as a query argument.
	TimeArg func(t time.Time) any
	// TimeDest is a scan destination that reads a stored time into *t,
	// in UTC.
	TimeDest func(t *time.Time) any
	// NullTimeDest reads a stored nullable time into *t (nil for NULL),
	// in UTC.
	NullTimeDest func(t **time.Time) any

	rebound sync.Map // SQL text with ? → SQL text with $n
}

// SQL returns query in the dialect's placeholders: with Dollar each ?
// outside quotes becomes $1, $2, … in order. The rewrite is done once per
// text and cached, so a shared query costs a map lookup.
func (d *Dialect) SQL(query string) string {
	if !d.Dollar {
		return query
	}
	if v, ok := d.rebound.Load(query); ok {
		return v.(string)
	}
	r := Rebind(query)
	d.rebound.Store(query, r)
	return r
}

// Rebind rewrites the ? placeholders of query to $1, $2, …, leaving
// string literals ('…'), quoted identifiers ("…") and comments alone.
func Rebind(query string) string {
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case c == '\'' || c == '"':
			j := strings.IndexByte(query[i+1:], c)
			if j < 0 {
				b.WriteString(query[i:])
				return b.String()
			}
			b.WriteString(query[i : i+j+2])
			i += j + 1
		case c == '-' && i+1 < len(query) && query[i+1] == '-':
			j := strings.IndexByte(query[i:], '\n')
			if j < 0 {
				b.WriteString(query[i:])
				return b.String()
			}
			b.WriteString(query[i : i+j+1])
			i += j
		case c == '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// Errorf is fmt.Errorf with the dialect's prefix ("sqlite: …"), for
// internal errors that only reach the log.
func (d *Dialect) Errorf(format string, args ...any) error {
	return fmt.Errorf(d.Name+": "+format, args...)
}

// Query runs query (with ? placeholders) on q.
func (d *Dialect) Query(ctx context.Context, q Querier, query string, args ...any) (*sql.Rows, error) {
	return q.QueryContext(ctx, d.SQL(query), args...)
}

// QueryRow runs query (with ? placeholders) on q.
func (d *Dialect) QueryRow(ctx context.Context, q Querier, query string, args ...any) *sql.Row {
	return q.QueryRowContext(ctx, d.SQL(query), args...)
}

// Exec runs query (with ? placeholders) on q.
func (d *Dialect) Exec(ctx context.Context, q Querier, query string, args ...any) (sql.Result, error) {
	return q.ExecContext(ctx, d.SQL(query), args...)
}

// NullTimeArg is the stored form of an optional time: NULL for nil.
func (d *Dialect) NullTimeArg(t *time.Time) any {
	if t == nil {
		return nil
	}
	return d.TimeArg(*t)
}

// ScanAll reads every row of rows with scan, closing rows, and wraps a
// failure as what went wrong with the dialect's prefix.
func ScanAll[T any](d *Dialect, what string, rows *sql.Rows, err error, scan func(Scanner) (T, error)) ([]T, error) {
	if err != nil {
		return nil, d.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			if survey.ErrorCode(err) != survey.EINTERNAL {
				return nil, err
			}
			return nil, d.Errorf("%s: %w", what, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, d.Errorf("%s: %w", what, err)
	}
	return out, nil
}

// Dynamic is SQL for a text built at run time (an IN list of any
// length): rebound each time, never cached.
func (d *Dialect) Dynamic(query string) string {
	if !d.Dollar {
		return query
	}
	return Rebind(query)
}
