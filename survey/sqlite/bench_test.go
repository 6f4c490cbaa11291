package sqlite

import (
	"context"
	"sync/atomic"
	"testing"

	"manyi/survey"
)

// benchSession makes a response with every page of the default
// questionnaire saved (about 40 answers), as at the end of a survey.
func benchSession(b *testing.B) (*DB, string, *survey.Questionnaire) {
	b.Helper()
	db, err := Open(b.TempDir() + "/bench.db")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	ctx := context.Background()
	q := survey.DefaultQuestionnaire()
	m := testMeasurement("m")
	if err := db.CreateMeasurement(ctx, m, q); err != nil {
		b.Fatal(err)
	}
	toks, err := db.CreateInvitations(ctx, "m", 1)
	if err != nil {
		b.Fatal(err)
	}
	for i := range q.Pages {
		p := &q.Pages[i]
		if _, err := db.SavePage(ctx, toks[0], survey.PageSave{PageID: p.ID, Answers: pageAnswers(p), Next: p.ID}); err != nil {
			b.Fatal(err)
		}
	}
	return db, toks[0], q
}

// BenchmarkOpenSession is the read every page view does twice.
func BenchmarkOpenSession(b *testing.B) {
	db, tok, _ := benchSession(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := db.OpenSession(ctx, tok); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkSavePage saves pages of many responses from 128 concurrent
// callers, as residents do; ns/op is the writer's throughput on this disk.
// The sub-benchmarks compare the shipped setting (synchronous=FULL with
// group commit) with FULL committing every page alone and with NORMAL.
func BenchmarkSavePage(b *testing.B) {
	for _, c := range []struct {
		name  string
		sync  string
		batch int
	}{
		{"full-group", "FULL", 128},
		{"full-alone", "FULL", 1},
		{"normal-group", "NORMAL", 128},
	} {
		b.Run(c.name, func(b *testing.B) {
			defer func(s string, n int) { synchronous, maxBatch = s, n }(synchronous, maxBatch)
			synchronous, maxBatch = c.sync, c.batch
			benchSavePage(b)
		})
	}
}

func benchSavePage(b *testing.B) {
	db, _, q := benchSession(b)
	ctx := context.Background()
	toks, err := db.CreateInvitations(ctx, "m", 512)
	if err != nil {
		b.Fatal(err)
	}
	var n atomic.Int64
	c0, w0 := db.WriteStats()
	b.ReportAllocs()
	b.SetParallelism(64) // 64 × GOMAXPROCS callers
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			p := &q.Pages[int(i)%len(q.Pages)]
			if _, err := db.SavePage(ctx, toks[int(i)%len(toks)], survey.PageSave{PageID: p.ID, Answers: pageAnswers(p), Next: p.ID}); err != nil {
				b.Error(err)
				return
			}
		}
	})
	c, w := db.WriteStats()
	b.ReportMetric(float64(w-w0)/float64(c-c0), "writes/commit")
}
