package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"manyi/survey"
	"manyi/survey/sqlite"
)

func init() {
	register("backup", "write a consistent copy of a live SQLite database (--db FILE --out FILE); PostgreSQL: pg_dump", runBackup)
}

// runBackup handles `manyi backup --db PATH --out FILE`: a consistent
// online copy of a SQLite database while servers keep using it
// (sqlite.Backup, VACUUM INTO). A PostgreSQL database is backed up with
// its own pg_dump (docs/DEPLOY.md).
func runBackup(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := dbFlag(fs)
	out := fs.String("out", "", "the backup `file` to write; must not exist")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "manyi backup: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if *out == "" {
		fmt.Fprintln(stderr, "manyi backup: --out FILE is required")
		return 2
	}
	if isPostgresURL(*db) {
		return errExit(stderr, "backup", survey.Errorf(survey.EINVALID,
			"PostgreSQL 数据库请用 pg_dump 备份（见 docs/DEPLOY.md）：pg_dump -Fc -f 备份文件 %s",
			"back a PostgreSQL database up with pg_dump (see docs/DEPLOY.md): pg_dump -Fc -f FILE %s", redactURL(*db)))
	}
	start := time.Now()
	if err := sqlite.Backup(context.Background(), *db, *out); err != nil {
		return errExit(stderr, "backup", err)
	}
	var size int64
	if fi, err := os.Stat(*out); err == nil {
		size = fi.Size()
	}
	fmt.Fprintf(stdout, "backed up %s to %s (%d bytes, %s)\n", *db, *out, size, time.Since(start).Round(time.Millisecond))
	return 0
}
