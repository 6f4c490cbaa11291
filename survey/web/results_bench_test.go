package web

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"manyi/survey/analysis"
	"manyi/survey/auth"
	"manyi/survey/demo"
	"manyi/survey/report"
	"manyi/survey/sqlite"
	"manyi/survey/workspace"
)

// BenchmarkResultsPage20k renders the results page of a measurement with
// 20,000 simulated responses (and a linked last year of 20,000) through
// the router, as the statistician: "cold" drops every cache before each
// request (reading both years' responses and analysis.Compute of both),
// "reweighted" drops only the computed results, as a new weighting
// version does (the datasets and last year's results stay cached) when no earlier results are
// kept, "updating" is a view while that recomputation runs (the previous
// results are shown) and "warm" is every later view
// (the stamp queries and the template). docs/PERFORMANCE.md, section "Results page", has the figures.
func BenchmarkResultsPage20k(b *testing.B) {
	ctx := context.Background()
	db, get := benchStaffPage(b, "/app/m/demo-2026/results", func(db *sqlite.DB) error {
		if _, err := demo.Ensure(ctx, db); err != nil {
			return err
		}
		fillResults(b, db, 20000, 20000)
		return nil
	}, func(body string) bool { return overallOnPage.FindString(body) != "" })
	get(b) // the first request builds the state
	w := findWork(b, db)
	b.Run("cold", func(b *testing.B) {
		for b.Loop() {
			w.forget(demo.ID)
			w.mu.Lock()
			w.datasets, w.dsOrder, w.latest = map[string]*analysis.Dataset{}, nil, map[string]*workEntry{}
			w.prevs, w.prevOrder = map[string]*report.PrevYear{}, nil
			w.mu.Unlock()
			get(b)
		}
	})
	b.Run("reweighted", func(b *testing.B) {
		get(b) // the datasets are cached
		for b.Loop() {
			w.forget(demo.ID)
			w.mu.Lock()
			w.latest = map[string]*workEntry{}
			w.mu.Unlock()
			get(b)
		}
	})
	// "updating" is the view while a recomputation runs: the previous
	// results, marked, after at most viewWait.
	b.Run("updating", func(b *testing.B) {
		get(b)
		for b.Loop() {
			w.forget(demo.ID)
			get(b)
			b.StopTimer()
			if _, err := w.computed(ctx, demo.ID); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
		}
	})
	b.Run("warm", func(b *testing.B) {
		size := get(b) // the first request warms the cache
		b.SetBytes(int64(size))
		for b.Loop() {
			get(b)
		}
	})
}

// benchStaffPage opens a fresh SQLite store, fills it with fill, starts the
// router on it and signs in a statistician; get requests path as that
// statistician, fails the benchmark unless the page is 200 and ok(body),
// and returns the page's size.
func benchStaffPage(b *testing.B, path string, fill func(*sqlite.DB) error, ok func(body string) bool) (*sqlite.DB, func(*testing.B) int) {
	b.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(filepath.Join(b.TempDir(), "manyi.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	if err := fill(db); err != nil {
		b.Fatal(err)
	}
	cfg := storeConfig(db)
	cfg.Log, cfg.Secret = slog.New(slog.DiscardHandler), []byte("bench-secret-0123456789abcdef")
	srv, err := New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	h, err := auth.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}.Hash("Bench-pass-2026")
	if err != nil {
		b.Fatal(err)
	}
	u, err := db.CreateUser(ctx, "stat", auth.RoleStatistician, h)
	if err != nil {
		b.Fatal(err)
	}
	tok, _, err := db.CreateSession(ctx, u.ID, auth.DefaultSessionPolicy)
	if err != nil {
		b.Fatal(err)
	}
	get := func(b *testing.B) int {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: tok})
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK || !ok(rec.Body.String()) {
			b.Fatalf("GET %s: status %d\n%.2000s", path, rec.Code, rec.Body)
		}
		return rec.Body.Len()
	}
	return db, get
}

// findWork returns the results state that serves db.
func findWork(tb testing.TB, db *sqlite.DB) *work {
	tb.Helper()
	var w *work
	works.Range(func(k, v any) bool {
		if x := v.(*work); x.store == workspace.EditStore(db) {
			w = x
		}
		return w == nil
	})
	if w == nil {
		tb.Fatal("the server has no results state")
	}
	return w
}
