package sqlite

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"manyi/survey"
	"manyi/survey/sampling"
	"manyi/survey/secret"
)

// fwOpen opens a fresh database with a fixed, advancing clock.
func fwOpen(t *testing.T) (*DB, string) {
	t.Helper()
	return openClocked(t, filepath.Join(t.TempDir(), "fw.db"), time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC))
}

// fileBytes returns the database file and its WAL, to search for what
// must never be stored in clear.
func fileBytes(t *testing.T, path string) []byte {
	t.Helper()
	var all []byte
	for _, p := range []string{path, path + "-wal"} {
		b, err := os.ReadFile(p)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		all = append(all, b...)
	}
	return all
}

// BenchmarkImportFrame stores a 100,000-unit frame with sealed contacts
// and reads it back for drawing.
func BenchmarkImportFrame(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("id,district,gender,age_band,contact\n")
	for i := 0; i < 100000; i++ {
		fmt.Fprintf(&sb, "U%07d,%s,男,30-44,139%08d\n", i, []string{"d1", "d2"}[i%2], i)
	}
	f, _, err := sampling.ReadFrame(strings.NewReader(sb.String()), sampling.FrameOptions{})
	if err != nil {
		b.Fatal(err)
	}
	k, _ := secret.ParseKey(secret.GenerateKey())
	for b.Loop() {
		b.StopTimer()
		dir := b.TempDir()
		db, err := Open(filepath.Join(dir, "bench.db"))
		if err != nil {
			b.Fatal(err)
		}
		m := &survey.Measurement{ID: "m", City: survey.Text{Zh: "示例市"}, Title: survey.Text{Zh: "测评"}, Year: 2026, Status: survey.StatusOpen,
			Districts: []survey.District{{Code: "d1", Name: survey.Text{Zh: "东城区"}}, {Code: "d2", Name: survey.Text{Zh: "西城区"}}}}
		if err := db.CreateMeasurement(context.Background(), m, survey.DefaultQuestionnaire()); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if _, err := db.ImportFrame(context.Background(), "m", f, 0, k, "", ""); err != nil {
			b.Fatal(err)
		}
		if _, err := db.LoadFrame(context.Background(), "m"); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		db.Close()
		b.StartTimer()
	}
}
