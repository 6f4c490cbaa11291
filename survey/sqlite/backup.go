package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"manyi/survey"
)

// Backup writes a consistent copy of the live database file at path to
// out with VACUUM INTO, while servers keep reading and writing it: the
// copy is one read transaction's snapshot (WAL mode lets writers go on
// meanwhile), compacted, and holds every transaction committed before it
// began. The copy is written beside out under a temporary name, checked
// (PRAGMA integrity_check) and renamed into place, so out is either the
// whole copy or absent. An existing out is ECONFLICT: a backup never
// overwrites another one. The database is not migrated.
func Backup(ctx context.Context, path, out string) error {
	if path == "" || out == "" {
		return survey.Errorf(survey.EINVALID, "备份需要数据库文件和目标文件", "a backup needs the database file and the output file")
	}
	if strings.ContainsAny(path, "?#") {
		return survey.Errorf(survey.EINVALID, "数据库路径 %q 不能包含 ? 或 #", "the database path %q must not contain ? or #", path)
	}
	if _, err := os.Stat(path); err != nil {
		return survey.Errorf(survey.ENOTFOUND, "找不到数据库文件 %s", "there is no database file %s", path)
	}
	if _, err := os.Stat(out); err == nil {
		return survey.Errorf(survey.ECONFLICT, "备份文件 %s 已存在：请换一个文件名", "the backup file %s exists already: choose another name", out)
	}
	dir := filepath.Dir(out)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("sqlite: backup: %w", err)
	}
	tmp := filepath.Join(dir, "."+filepath.Base(out)+".part-"+strconv.FormatInt(time.Now().UnixNano(), 36))
	defer os.Remove(tmp)

	// A connection of its own, not query_only (VACUUM INTO is refused on
	// one), so neither the writer nor the read pool of a server in this
	// process waits for the copy.
	src, err := sql.Open("sqlite", path+"?_pragma=busy_timeout("+strconv.Itoa(int(busyTimeout/time.Millisecond))+")")
	if err != nil {
		return fmt.Errorf("sqlite: backup: open %s: %w", path, err)
	}
	defer src.Close()
	if _, err := src.ExecContext(ctx, `VACUUM INTO ?`, tmp); err != nil {
		return fmt.Errorf("sqlite: backup of %s: %w", path, err)
	}
	if err := checkCopy(ctx, tmp); err != nil {
		return err
	}
	if _, err := os.Stat(out); err == nil {
		return survey.Errorf(survey.ECONFLICT, "备份文件 %s 已存在：请换一个文件名", "the backup file %s exists already: choose another name", out)
	}
	if err := os.Rename(tmp, out); err != nil {
		return fmt.Errorf("sqlite: backup: %w", err)
	}
	return nil
}

// checkCopy runs SQLite's integrity check on a finished copy.
func checkCopy(ctx context.Context, file string) error {
	c, err := sql.Open("sqlite", file+"?_pragma=query_only(1)")
	if err != nil {
		return fmt.Errorf("sqlite: backup: check: %w", err)
	}
	defer c.Close()
	var res string
	if err := c.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&res); err != nil {
		return fmt.Errorf("sqlite: backup: check: %w", err)
	}
	if res != "ok" {
		return errors.New("sqlite: backup: the copy fails its integrity check: " + res)
	}
	return nil
}
