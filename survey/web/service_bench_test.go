package web

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"manyi/survey"
	"manyi/survey/auth"
	"manyi/survey/demo"
	"manyi/survey/sqlite"
)

// BenchmarkCSIPageDemo renders the CSI results page of the service demo
// (demo.DefaultServicePerCell = 70 interviews per sector × district: 2,940
// this year and 2,940 last year) through the router, as the statistician:
// "cold" changes the sector weights before each request, so the page
// fits every sector's model with its 200-replicate bootstrap again (both
// years: last year's change needs its fit too); "warm" is every later view
// (the cache stamp and the template). docs/PERFORMANCE.md, section
// "PLS path model…", has the figures.
func BenchmarkCSIPageDemo(b *testing.B) {
	ctx := context.Background()
	db, err := sqlite.Open(filepath.Join(b.TempDir(), "manyi.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	if _, err := demo.SimulateService(ctx, db, 0, 1); err != nil {
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
	get := func(b *testing.B) {
		req := httptest.NewRequest(http.MethodGet, "/app/m/"+demo.ServiceID+"/csi", nil)
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: tok})
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `data-figure="csi"`) {
			b.Fatalf("GET csi: status %d\n%.2000s", rec.Code, rec.Body)
		}
	}
	get(b)
	w, err := db.SectorWeights(ctx, demo.ServiceID)
	if err != nil || w == nil {
		b.Fatal(err)
	}
	b.Run("cold", func(b *testing.B) {
		n := 0
		for b.Loop() {
			b.StopTimer()
			n++
			nw := &survey.SectorWeights{Basis: w.Basis, UpdatedBy: "stat", Weights: map[string]float64{}}
			for k, v := range w.Weights {
				nw.Weights[k] = v
			}
			nw.Weights["retail"] += float64(n) / 1000
			if err := db.SetSectorWeights(ctx, demo.ServiceID, nw); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			get(b)
		}
	})
	b.Run("warm", func(b *testing.B) {
		get(b)
		for b.Loop() {
			get(b)
		}
	})
}
