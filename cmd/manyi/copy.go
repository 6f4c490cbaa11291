package main

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"manyi/survey"
	"manyi/survey/postgres"
)

func init() {
	register("copy", "copy a whole SQLite database into PostgreSQL (--from FILE --to postgres://...), verified table by table", runCopy)
}

// runCopy handles `manyi copy --from FILE --to URL [--replace]`: it moves
// every table of a SQLite database into a PostgreSQL one, so that a city
// can grow from the embedded default to several servers. Both sides are
// migrated first, so their tables match; the copy runs in one PostgreSQL
// transaction and is verified before it commits: for every table the
// number of rows and a checksum over every row's values (in a form both
// databases share: times in UTC to the microsecond, flags as true/false)
// must be equal on both sides, or nothing is kept. A target that holds
// any row is refused unless --replace says to empty it first.
//
// The source must not change during the copy: stop the servers, or copy
// a backup (`manyi backup`).
func runCopy(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("copy", flag.ContinueOnError)
	fs.SetOutput(stderr)
	from := fs.String("from", "", "the SQLite database `file` to copy")
	to := fs.String("to", "", "the PostgreSQL database `URL` (postgres://user@host/db) to copy into")
	replace := fs.Bool("replace", false, "empty a target that holds data before copying (its data are lost)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "manyi copy: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if *from == "" || *to == "" {
		fmt.Fprintln(stderr, "manyi copy: --from FILE and --to postgres://... are both required")
		return 2
	}
	if isPostgresURL(*from) || !isPostgresURL(*to) {
		fmt.Fprintln(stderr, "manyi copy: copies a SQLite file (--from) into PostgreSQL (--to postgres://...)")
		return 2
	}
	res, err := copyDatabase(context.Background(), *from, *to, *replace)
	if err != nil {
		return errExit(stderr, "copy", err)
	}
	for _, t := range res {
		fmt.Fprintf(stdout, "%-28s %9d rows  sha256 %s  ok\n", t.Name, t.Rows, t.Sum[:16])
	}
	fmt.Fprintf(stdout, "copied %d tables from %s to %s; counts and checksums match\n", len(res), *from, redactURL(*to))
	return 0
}

// copiedTable is what copyDatabase verified of one table.
type copiedTable struct {
	Name string
	Rows int64
	Sum  string // hex SHA-256 over the sorted rows' hashes
}

// pgColumn is a column of the target table.
type pgColumn struct {
	name, typ string
	identity  bool // an identity or serial column: its sequence is moved past the copied ids
}

// pgTable is a target table with what the copy needs to know of it.
type pgTable struct {
	name    string
	cols    map[string]pgColumn
	refs    []string // tables its foreign keys point to (itself excluded)
	selfFK  []string // columns of foreign keys to itself: filled in after the rows
	primary []string // primary key columns
	source  string   // the source table, when its name is not name's (copyAnswers)
}

// copyDatabase copies every table of the SQLite file into PostgreSQL and
// verifies it (see runCopy).
func copyDatabase(ctx context.Context, from, to string, replace bool) ([]copiedTable, error) {
	// Migrate the source so that both sides are at this binary's schema.
	if err := migrateStore(from); err != nil {
		return nil, err
	}
	src, err := sql.Open("sqlite", from+"?_pragma=query_only(1)&_pragma=busy_timeout(10000)")
	if err != nil {
		return nil, err
	}
	defer src.Close()
	src.SetMaxOpenConns(1)
	// One read transaction: every table is read from the same snapshot.
	stx, err := src.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", from, err)
	}
	defer stx.Rollback()

	pg, err := postgres.Open(to)
	if err != nil {
		return nil, err
	}
	defer pg.Close()
	conn, err := pg.SQL().Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	var out []copiedTable
	err = conn.Raw(func(dc any) error {
		pc := dc.(*stdlib.Conn).Conn()
		out, err = copyInto(ctx, stx, pc, replace)
		return err
	})
	return out, err
}

// copyInto does copyDatabase's work on a source transaction and a target
// connection, all in one target transaction.
func copyInto(ctx context.Context, stx *sql.Tx, pc *pgx.Conn, replace bool) ([]copiedTable, error) {
	srcTables, err := sqliteTables(ctx, stx)
	if err != nil {
		return nil, err
	}
	tx, err := pc.Begin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(ctx)
	dst, err := pgTables(ctx, tx)
	if err != nil {
		return nil, err
	}
	// Every source table and column must have its counterpart.
	var missing []string
	for name, cols := range srcTables {
		t, ok := dst[name]
		if !ok && name == "answers" {
			continue // PostgreSQL keeps them in responses.answers: copyAnswers
		}
		if !ok {
			missing = append(missing, "table "+name)
			continue
		}
		for _, c := range cols {
			if _, ok := t.cols[c]; !ok {
				missing = append(missing, "column "+name+"."+c)
			}
		}
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		return nil, survey.Errorf(survey.EINVALID, "PostgreSQL 数据库缺少 SQLite 数据库中的 %s：两边的版本不一致",
			"the PostgreSQL database lacks the SQLite database's %s: the two schemas differ", strings.Join(missing, ", "))
	}
	// Refuse a target with data unless told.
	var full []string
	for name := range dst {
		var n int64
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM `+pgx.Identifier{name}.Sanitize()).Scan(&n); err != nil {
			return nil, err
		}
		if n > 0 {
			full = append(full, fmt.Sprintf("%s (%d rows)", name, n))
		}
	}
	if len(full) > 0 {
		if !replace {
			slices.Sort(full)
			return nil, survey.Errorf(survey.ECONFLICT, "目标数据库不是空的：%s；确认要覆盖时加 --replace",
				"the target database is not empty: %s; add --replace to empty it first", strings.Join(full, ", "))
		}
		var names []string
		for name := range dst {
			names = append(names, pgx.Identifier{name}.Sanitize())
		}
		slices.Sort(names)
		if _, err := tx.Exec(ctx, `TRUNCATE `+strings.Join(names, ", ")+` RESTART IDENTITY CASCADE`); err != nil {
			return nil, fmt.Errorf("emptying the target: %w", err)
		}
	}
	order, err := copyOrder(dst)
	if err != nil {
		return nil, err
	}
	var out []copiedTable
	for _, name := range order {
		cols, ok := srcTables[name]
		if !ok {
			continue // a table only PostgreSQL has stays empty
		}
		t := dst[name]
		res, err := copyTable(ctx, stx, tx, t, cols)
		if err != nil {
			return nil, fmt.Errorf("table %s: %w", name, err)
		}
		out = append(out, res)
	}
	if cols, ok := srcTables["answers"]; ok && dst["answers"] == nil {
		res, err := copyAnswers(ctx, stx, tx, cols)
		if err != nil {
			return nil, fmt.Errorf("table answers: %w", err)
		}
		out = append(out, res)
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, err
	}
	return out, nil
}

// sqliteTables lists the source's tables and their columns, without
// SQLite's own tables and the migration record (the target keeps its own).
func sqliteTables(ctx context.Context, stx *sql.Tx) (map[string][]string, error) {
	rows, err := stx.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table'
		AND name NOT LIKE 'sqlite\_%' ESCAPE '\' AND name <> 'schema_migrations' ORDER BY name`)
	if err != nil {
		return nil, err
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return nil, err
		}
		names = append(names, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := map[string][]string{}
	for _, n := range names {
		rows, err := stx.QueryContext(ctx, `SELECT name FROM pragma_table_info(?) ORDER BY cid`, n)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var c string
			if err := rows.Scan(&c); err != nil {
				rows.Close()
				return nil, err
			}
			out[n] = append(out[n], c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// pgTables reads the target's tables of the current schema: columns and
// types, foreign keys and primary keys.
func pgTables(ctx context.Context, tx pgx.Tx) (map[string]*pgTable, error) {
	out := map[string]*pgTable{}
	rows, err := tx.Query(ctx, `SELECT c.table_name, c.column_name, c.data_type,
			c.is_identity = 'YES' OR coalesce(c.column_default, '') LIKE 'nextval(%'
		FROM information_schema.columns c JOIN information_schema.tables t
			ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
		WHERE c.table_schema = current_schema() AND c.table_name <> 'schema_migrations'`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var tn string
		var c pgColumn
		if err := rows.Scan(&tn, &c.name, &c.typ, &c.identity); err != nil {
			rows.Close()
			return nil, err
		}
		t := out[tn]
		if t == nil {
			t = &pgTable{name: tn, cols: map[string]pgColumn{}}
			out[tn] = t
		}
		t.cols[c.name] = c
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = tx.Query(ctx, `SELECT con.contype::text, cl.relname, coalesce(ref.relname, ''),
			ARRAY(SELECT a.attname::text FROM unnest(con.conkey) k JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k)
		FROM pg_constraint con JOIN pg_class cl ON cl.oid = con.conrelid
			JOIN pg_namespace ns ON ns.oid = cl.relnamespace
			LEFT JOIN pg_class ref ON ref.oid = con.confrelid
		WHERE ns.nspname = current_schema() AND con.contype IN ('f', 'p')`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var kind, tn, ref string
		var cols []string
		if err := rows.Scan(&kind, &tn, &ref, &cols); err != nil {
			return nil, err
		}
		t := out[tn]
		if t == nil {
			continue
		}
		switch {
		case kind == "p":
			t.primary = cols
		case ref == tn:
			t.selfFK = append(t.selfFK, cols...)
		default:
			t.refs = append(t.refs, ref)
		}
	}
	return out, rows.Err()
}

// copyOrder orders the tables so that each comes after the tables its
// foreign keys point to.
func copyOrder(ts map[string]*pgTable) ([]string, error) {
	var names []string
	for n := range ts {
		names = append(names, n)
	}
	slices.Sort(names)
	state := map[string]int{} // 1 visiting, 2 done
	var out []string
	var visit func(n string) error
	visit = func(n string) error {
		switch state[n] {
		case 1:
			return fmt.Errorf("foreign keys form a cycle through %s", n)
		case 2:
			return nil
		}
		state[n] = 1
		if t := ts[n]; t != nil {
			for _, r := range t.refs {
				if err := visit(r); err != nil {
					return err
				}
			}
		}
		state[n] = 2
		out = append(out, n)
		return nil
	}
	for _, n := range names {
		if err := visit(n); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// copyTable copies one table's rows with COPY, fills its foreign keys to
// itself afterwards, moves its id sequences past the copied ids, and
// checks that the rows read back match the source's in count and
// checksum.
func copyTable(ctx context.Context, stx *sql.Tx, tx pgx.Tx, t *pgTable, cols []string) (copiedTable, error) {
	quoted := make([]string, len(cols))
	for i, c := range cols {
		quoted[i] = `"` + strings.ReplaceAll(c, `"`, `""`) + `"`
	}
	source := t.name
	if t.source != "" {
		source = t.source
	}
	rows, err := stx.QueryContext(ctx, `SELECT `+strings.Join(quoted, ", ")+` FROM "`+source+`"`)
	if err != nil {
		return copiedTable{}, err
	}
	defer rows.Close()
	self := map[int]bool{}
	for i, c := range cols {
		if slices.Contains(t.selfFK, c) {
			self[i] = true
		}
	}
	var (
		srcHashes [][32]byte
		later     [][]any // rows with a foreign key to their own table
		convErr   error
		n         int64
	)
	raw := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range raw {
		ptrs[i] = &raw[i]
	}
	next := func() ([]any, error) {
		if !rows.Next() {
			return nil, rows.Err()
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		vals := make([]any, len(cols))
		for i, c := range cols {
			v, err := toPG(raw[i], t.cols[c].typ)
			if err != nil {
				convErr = fmt.Errorf("row %d, column %s: %w", n+1, c, err)
				return nil, convErr
			}
			vals[i] = v
		}
		srcHashes = append(srcHashes, rowHash(vals, cols, t))
		n++
		if len(self) > 0 {
			keep := false
			for i := range self {
				keep = keep || vals[i] != nil
			}
			if keep {
				later = append(later, slices.Clone(vals))
				for i := range self {
					vals[i] = nil
				}
			}
		}
		return vals, nil
	}
	src := pgx.CopyFromFunc(func() ([]any, error) { return next() })
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{t.name}, cols, src); err != nil {
		if convErr != nil {
			return copiedTable{}, convErr
		}
		return copiedTable{}, err
	}
	if err := fillSelfRefs(ctx, tx, t, cols, self, later); err != nil {
		return copiedTable{}, err
	}
	for _, c := range cols {
		if !t.cols[c].identity {
			continue
		}
		q := fmt.Sprintf(`SELECT setval(pg_get_serial_sequence(%s, %s), coalesce((SELECT max(%s) FROM %s), 0) + 1, false)`,
			pgQuoteLiteral(pgx.Identifier{t.name}.Sanitize()), pgQuoteLiteral(c), pgx.Identifier{c}.Sanitize(), pgx.Identifier{t.name}.Sanitize())
		if _, err := tx.Exec(ctx, q); err != nil {
			return copiedTable{}, fmt.Errorf("sequence of %s: %w", c, err)
		}
	}
	// Read the rows back and compare.
	back, err := tx.Query(ctx, `SELECT `+strings.Join(quoted, ", ")+` FROM `+pgx.Identifier{t.name}.Sanitize())
	if err != nil {
		return copiedTable{}, err
	}
	defer back.Close()
	var dstHashes [][32]byte
	for back.Next() {
		vals, err := back.Values()
		if err != nil {
			return copiedTable{}, err
		}
		dstHashes = append(dstHashes, rowHash(vals, cols, t))
	}
	if err := back.Err(); err != nil {
		return copiedTable{}, err
	}
	srcSum, dstSum := tableSum(srcHashes), tableSum(dstHashes)
	if len(dstHashes) != len(srcHashes) || srcSum != dstSum {
		return copiedTable{}, fmt.Errorf("verification failed: %d rows (sha256 %s) in SQLite, %d rows (sha256 %s) in PostgreSQL; nothing was kept",
			len(srcHashes), srcSum[:16], len(dstHashes), dstSum[:16])
	}
	return copiedTable{Name: t.name, Rows: n, Sum: srcSum}, nil
}

// answerCols are the columns of SQLite's answers table and of
// PostgreSQL's answers view (migration 0180), with the view's types.
var answerCols = map[string]pgColumn{
	"response_id": {name: "response_id", typ: "bigint"},
	"item_id":     {name: "item_id", typ: "text"},
	"position":    {name: "position", typ: "integer"},
	"page_id":     {name: "page_id", typ: "text"},
	"value":       {name: "value", typ: "text"},
}

// copyAnswers copies SQLite's answers table, one row per value, into
// PostgreSQL's one jsonb value per response (responses.answers, migration
// 0180): the rows go into a temporary table with COPY, become each
// response's value in one UPDATE, and are verified twice: the temporary
// table against the source (copyTable), then the answers view, which
// reads the jsonb values back as rows, against the same checksum.
func copyAnswers(ctx context.Context, stx *sql.Tx, tx pgx.Tx, cols []string) (copiedTable, error) {
	for _, c := range cols {
		if _, ok := answerCols[c]; !ok {
			return copiedTable{}, fmt.Errorf("column %s has no place in PostgreSQL's responses.answers", c)
		}
	}
	if _, err := tx.Exec(ctx, `CREATE TEMPORARY TABLE copy_answers
		(response_id bigint, item_id text, position integer, page_id text, value text) ON COMMIT DROP`); err != nil {
		return copiedTable{}, err
	}
	tmp := &pgTable{name: "copy_answers", cols: answerCols, source: "answers"}
	res, err := copyTable(ctx, stx, tx, tmp, cols)
	if err != nil {
		return copiedTable{}, err
	}
	// An item is on one page: its page is that of its first value.
	if _, err := tx.Exec(ctx, `UPDATE responses r SET answers = a.answers
		FROM (SELECT response_id, jsonb_object_agg(item_id, jsonb_build_object('p', page_id, 'v', vals)) AS answers
			FROM (SELECT response_id, item_id, (array_agg(page_id ORDER BY position))[1] AS page_id,
					jsonb_agg(value ORDER BY position) AS vals
				FROM copy_answers GROUP BY response_id, item_id) i
			GROUP BY response_id) a
		WHERE r.id = a.response_id`); err != nil {
		return copiedTable{}, err
	}
	quoted := make([]string, len(cols))
	for i, c := range cols {
		quoted[i] = pgx.Identifier{c}.Sanitize()
	}
	back, err := tx.Query(ctx, `SELECT `+strings.Join(quoted, ", ")+` FROM answers`)
	if err != nil {
		return copiedTable{}, err
	}
	defer back.Close()
	view := &pgTable{name: "answers", cols: answerCols}
	var hashes [][32]byte
	for back.Next() {
		vals, err := back.Values()
		if err != nil {
			return copiedTable{}, err
		}
		hashes = append(hashes, rowHash(vals, cols, view))
	}
	if err := back.Err(); err != nil {
		return copiedTable{}, err
	}
	if sum := tableSum(hashes); int64(len(hashes)) != res.Rows || sum != res.Sum {
		return copiedTable{}, fmt.Errorf("verification failed: %d rows (sha256 %s) in SQLite, %d rows (sha256 %s) in PostgreSQL's responses.answers; nothing was kept",
			res.Rows, res.Sum[:16], len(hashes), sum[:16])
	}
	res.Name = "answers"
	return res, nil
}

// fillSelfRefs sets, after a table's rows are in, the columns of its
// foreign keys to itself (a measurement's previous year), which COPY left
// empty because the row referred to may have come later.
func fillSelfRefs(ctx context.Context, tx pgx.Tx, t *pgTable, cols []string, self map[int]bool, later [][]any) error {
	if len(later) == 0 {
		return nil
	}
	if len(t.primary) == 0 {
		return fmt.Errorf("a foreign key to itself needs a primary key")
	}
	var set, where []string
	var setIdx, keyIdx []int
	for i := range cols {
		if self[i] {
			setIdx = append(setIdx, i)
			set = append(set, fmt.Sprintf("%s = $%d", pgx.Identifier{cols[i]}.Sanitize(), len(setIdx)))
		}
	}
	for _, k := range t.primary {
		i := slices.Index(cols, k)
		if i < 0 {
			return fmt.Errorf("primary key column %s is not copied", k)
		}
		keyIdx = append(keyIdx, i)
		where = append(where, fmt.Sprintf("%s = $%d", pgx.Identifier{k}.Sanitize(), len(setIdx)+len(keyIdx)))
	}
	q := `UPDATE ` + pgx.Identifier{t.name}.Sanitize() + ` SET ` + strings.Join(set, ", ") + ` WHERE ` + strings.Join(where, " AND ")
	for _, r := range later {
		var args []any
		for _, i := range setIdx {
			args = append(args, r[i])
		}
		for _, i := range keyIdx {
			args = append(args, r[i])
		}
		if _, err := tx.Exec(ctx, q, args...); err != nil {
			return err
		}
	}
	return nil
}

// pgQuoteLiteral quotes s as an SQL string literal.
func pgQuoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// sqliteTimeLayouts are the forms times take in the SQLite file: the
// store's own (UTC, microseconds) and SQLite's CURRENT_TIMESTAMP.
var sqliteTimeLayouts = []string{"2006-01-02T15:04:05.000000Z", time.RFC3339Nano, "2006-01-02 15:04:05", "2006-01-02 15:04:05.999999999", "2006-01-02"}

// toPG converts a value read from SQLite to the Go value of the target
// column's PostgreSQL type. SQLite is dynamically typed, so a value is
// converted by what the target holds, not by what SQLite declared.
func toPG(v any, typ string) (any, error) {
	if v == nil {
		return nil, nil
	}
	if b, ok := v.([]byte); ok && typ != "bytea" {
		v = string(b)
	}
	switch typ {
	case "timestamp with time zone", "timestamp without time zone", "date":
		switch x := v.(type) {
		case time.Time:
			return x.UTC(), nil
		case string:
			for _, l := range sqliteTimeLayouts {
				if t, err := time.Parse(l, x); err == nil {
					return t.UTC(), nil
				}
			}
			return nil, fmt.Errorf("%q is not a time", x)
		}
	case "boolean":
		switch x := v.(type) {
		case int64:
			return x != 0, nil
		case bool:
			return x, nil
		case string:
			return strconv.ParseBool(x)
		}
	case "bytea":
		switch x := v.(type) {
		case []byte:
			return slices.Clone(x), nil
		case string:
			return []byte(x), nil
		}
	case "smallint", "integer", "bigint":
		switch x := v.(type) {
		case int64:
			return x, nil
		case float64:
			if x != math.Trunc(x) {
				return nil, fmt.Errorf("%v is not a whole number", x)
			}
			return int64(x), nil
		case string:
			return strconv.ParseInt(x, 10, 64)
		case bool:
			if x {
				return int64(1), nil
			}
			return int64(0), nil
		}
	case "double precision", "real", "numeric":
		switch x := v.(type) {
		case float64:
			return x, nil
		case int64:
			return float64(x), nil
		case string:
			return strconv.ParseFloat(x, 64)
		}
	case "text", "character varying", "character", "json", "jsonb":
		switch x := v.(type) {
		case string:
			return x, nil
		case int64:
			return strconv.FormatInt(x, 10), nil
		case float64:
			return strconv.FormatFloat(x, 'g', -1, 64), nil
		case time.Time:
			return x.UTC().Format("2006-01-02T15:04:05.000000Z"), nil
		}
	default:
		return nil, fmt.Errorf("the column type %s is not handled by manyi copy", typ)
	}
	return nil, fmt.Errorf("a %T cannot go into a %s column", v, typ)
}

// rowHash hashes a row's values in a form both databases give alike.
func rowHash(vals []any, cols []string, t *pgTable) [32]byte {
	h := sha256.New()
	for i, v := range vals {
		s := canonical(v, t.cols[cols[i]].typ)
		fmt.Fprintf(h, "%d:%s;", len(s), s)
	}
	var out [32]byte
	h.Sum(out[:0])
	return out
}

// canonical is one value as the checksum sees it.
func canonical(v any, typ string) string {
	if v == nil {
		return "\x00NULL"
	}
	if typ == "json" || typ == "jsonb" {
		var x any
		if s, ok := v.(string); ok {
			if json.Unmarshal([]byte(s), &x) != nil {
				return "s" + s
			}
		} else {
			x = v
		}
		b, _ := json.Marshal(x)
		return "j" + string(b)
	}
	switch x := v.(type) {
	case time.Time:
		return "t" + x.UTC().Format("2006-01-02T15:04:05.000000Z")
	case bool:
		return "b" + strconv.FormatBool(x)
	case []byte:
		return "x" + hex.EncodeToString(x)
	case int16:
		return "i" + strconv.FormatInt(int64(x), 10)
	case int32:
		return "i" + strconv.FormatInt(int64(x), 10)
	case int64:
		return "i" + strconv.FormatInt(x, 10)
	case float32:
		return "f" + strconv.FormatFloat(float64(x), 'g', -1, 64)
	case float64:
		return "f" + strconv.FormatFloat(x, 'g', -1, 64)
	case string:
		return "s" + x
	}
	return fmt.Sprintf("?%T:%v", v, v)
}

// tableSum is the hex SHA-256 of a table's sorted row hashes: the same
// for the same rows in any order.
func tableSum(hs [][32]byte) string {
	slices.SortFunc(hs, func(a, b [32]byte) int { return strings.Compare(string(a[:]), string(b[:])) })
	h := sha256.New()
	for _, x := range hs {
		h.Write(x[:])
	}
	return hex.EncodeToString(h.Sum(nil))
}
