package sqlite

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"manyi/survey"
)

// TestBackupDuringWrites backs a database up while residents keep saving
// pages, restores the copy in place of a lost file and reads it: every
// page acknowledged before the backup started is in the copy, the copy
// passes its integrity check, and a backup never overwrites another.
func TestBackupDuringWrites(t *testing.T) {
	db, path := openTest(t)
	ctx := context.Background()
	toks := seed(t, db, "m", 400)
	q := survey.DefaultQuestionnaire()
	p := &q.Pages[0]

	var (
		saved atomic.Int64 // pages acknowledged, in token order
		stop  = make(chan struct{})
		wg    sync.WaitGroup
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for _, tok := range toks {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := db.SavePage(ctx, tok, survey.PageSave{PageID: p.ID, Answers: pageAnswers(p)}); err != nil {
				t.Errorf("SavePage: %v", err)
				return
			}
			saved.Add(1)
		}
	}()
	for saved.Load() < 50 {
		if t.Failed() {
			t.FailNow()
		}
		time.Sleep(time.Millisecond)
	}
	before := saved.Load()
	out := filepath.Join(t.TempDir(), "backups", "manyi-backup.db")
	if err := Backup(ctx, path, out); err != nil {
		t.Fatalf("Backup: %v", err)
	}
	close(stop)
	wg.Wait()
	if err := Backup(ctx, path, out); survey.ErrorCode(err) != survey.ECONFLICT {
		t.Errorf("Backup onto an existing file: got %v, want ECONFLICT", err)
	}
	if err := Backup(ctx, filepath.Join(t.TempDir(), "none.db"), out+"2"); survey.ErrorCode(err) != survey.ENOTFOUND {
		t.Errorf("Backup of a missing file: got %v, want ENOTFOUND", err)
	}

	// Restore: the copy becomes the database file of a fresh folder, as
	// docs/DEPLOY.md says (stop the server, put the copy in place).
	restored := filepath.Join(t.TempDir(), "restored.db")
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(restored, b, 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := Open(restored)
	if err != nil {
		t.Fatalf("Open(restored): %v", err)
	}
	defer r.Close()
	if err := r.Ping(ctx); err != nil {
		t.Fatalf("Ping(restored): %v", err)
	}
	var n int64
	if err := r.rdb.QueryRowContext(ctx, `SELECT count(*) FROM responses`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n < before {
		t.Errorf("restored copy holds %d responses, want at least the %d acknowledged before the backup", n, before)
	}
	for i, tok := range toks[:before] {
		s, err := r.OpenSession(ctx, tok)
		if err != nil {
			t.Fatalf("OpenSession(restored, #%d): %v", i, err)
		}
		if s.Response == nil || len(s.Response.Answers) == 0 {
			t.Fatalf("restored response #%d has no answers", i)
		}
	}
	t.Logf("%d pages acknowledged before the backup, %d responses in the copy, %d saved in all", before, n, saved.Load())
}
