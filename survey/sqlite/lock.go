package sqlite

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"manyi/survey"
)

// LockServer makes path's server process the only one: it takes an
// exclusive flock(2) on the file path+".lock" beside the database and
// writes its process id there. A second `manyi serve` on the same file
// gets ECONFLICT naming the process that holds it. One process per file is
// what the store's in-process session cache assumes (see sessionCache);
// the short-lived commands (`manyi frame import`, …) do not take the lock.
// The kernel drops the lock when the process ends, SIGKILL included, so a
// crash never leaves a stale lock; the file itself stays and is reused.
func LockServer(path string) (release func() error, err error) {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("sqlite: create folder for %s: %w", path, err)
		}
	}
	name := path + ".lock"
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("sqlite: lock file: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		b, _ := os.ReadFile(name)
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			pid := strings.TrimSpace(string(b))
			if _, perr := strconv.Atoi(pid); perr != nil {
				pid = "?"
			}
			return nil, survey.Errorf(survey.ECONFLICT,
				"另一个 manyi serve（进程 %s）正在使用数据库 %s（锁文件 %s）；一个 SQLite 文件只能由一个服务进程使用，请先停止它，多台服务器请用 PostgreSQL",
				"another manyi serve (process %s) is using the database %s (lock file %s); one SQLite file serves one server process: stop it first, or use PostgreSQL for several servers",
				pid, path, name)
		}
		return nil, fmt.Errorf("sqlite: lock %s: %w", name, err)
	}
	if err := f.Truncate(0); err == nil {
		f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return func() error {
		f.Truncate(0)
		return f.Close() // closing the descriptor drops the lock
	}, nil
}

// QuickCheck runs SQLite's PRAGMA quick_check over the whole file (pages,
// b-trees, record formats; not index contents) and returns EINTERNAL with a
// plain message naming the first problem when the file is damaged. `manyi
// serve` runs it before it listens, so a damaged file stops the start
// instead of failing residents' pages one by one.
func (db *DB) QuickCheck(ctx context.Context) error {
	rows, err := db.rdb.QueryContext(ctx, `PRAGMA quick_check(5)`)
	if err != nil {
		return damaged(db.path, err.Error())
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return damaged(db.path, err.Error())
		}
		if s != "ok" {
			problems = append(problems, s)
		}
	}
	if err := rows.Err(); err != nil {
		return damaged(db.path, err.Error())
	}
	if len(problems) > 0 {
		return damaged(db.path, strings.Join(problems, "; "))
	}
	return nil
}

func damaged(path, detail string) error {
	detail = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(detail), "*** in database main ***"))
	detail = strings.Join(strings.Fields(strings.ReplaceAll(detail, "\n", "; ")), " ")
	if r := []rune(detail); len(r) > 300 {
		detail = string(r[:300]) + "…"
	}
	return survey.Errorf(survey.EINTERNAL,
		"数据库文件 %s 已损坏（%s）；请停止使用它，并从备份恢复",
		"the database file %s is damaged (%s); stop using it and restore it from a backup",
		path, detail)
}

// damagedOr turns SQLite's "not a database" and "malformed" errors into
// the plain damaged-file message, and returns other errors as they are.
func damagedOr(path string, err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT:
			return fmt.Errorf("%w: %v", damaged(path, sqlite.ErrorCodeString[se.Code()]), err)
		}
	}
	return err
}
