package web

import (
	"context"
	"strings"
	"testing"

	"manyi/survey"
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
	db, get := benchStaffPage(b, "/app/m/"+demo.ServiceID+"/csi", func(db *sqlite.DB) error {
		_, err := demo.SimulateService(ctx, db, 0, 1)
		return err
	}, func(body string) bool { return strings.Contains(body, `data-figure="csi"`) })
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
