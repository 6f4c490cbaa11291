package storetest

import (
	"context"
	"reflect"
	"testing"

	"manyi/survey"
)

func init() {
	register(test{"ServiceMeasurementRoundTrip", testServiceMeasurementRoundTrip},
		test{"ServiceMeasurementInvalid", testServiceMeasurementInvalid}, test{"SectorWeights", testSectorWeights})
}

func serviceMeasurement(id string) *survey.Measurement {
	m := testMeasurement(id)
	m.Kind = survey.KindService
	m.Sectors = []survey.Sector{
		{Code: "retail", Name: survey.Text{Zh: "零售", En: "Retail"}},
		{Code: "banking", Name: survey.Text{Zh: "银行", En: "Banking"}},
	}
	return m
}

func testServiceMeasurementRoundTrip(t *testing.T, h *Harness) {
	db, _ := h.openTest(t)
	ctx := context.Background()
	q := survey.DefaultQuestionnaire()
	r := testMeasurement("res-2026")
	if err := db.CreateMeasurement(ctx, r, q); err != nil {
		t.Fatal(err)
	}
	if r.Kind != survey.KindResident {
		t.Errorf("empty kind written back as %q, want resident", r.Kind)
	}
	m := serviceMeasurement("svc-2026")
	if err := db.CreateMeasurement(ctx, m, q); survey.ErrorCode(err) != survey.EINVALID {
		t.Fatalf("resident questionnaire for a service measurement: %v, want EINVALID", err)
	}
	m.Sectors = survey.DefaultSectors()
	sq := survey.DefaultServiceQuestionnaire()
	if err := db.CreateMeasurement(ctx, m, sq); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SetQuestionnaire(ctx, m.ID, q); survey.ErrorCode(err) != survey.EINVALID {
		t.Errorf("SetQuestionnaire with the resident template: %v, want EINVALID", err)
	}
	got, err := db.Measurement(ctx, "svc-2026")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, m) {
		t.Errorf("Measurement: got %+v, want %+v", got, m)
	}
	gr, err := db.Measurement(ctx, "res-2026")
	if err != nil {
		t.Fatal(err)
	}
	if gr.Kind != survey.KindResident || gr.Sectors != nil || gr.IsService() {
		t.Errorf("resident measurement read back as kind %q sectors %v", gr.Kind, gr.Sectors)
	}
	list, err := db.Measurements(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range list {
		if x.ID == "svc-2026" && !reflect.DeepEqual(x.Sectors, m.Sectors) {
			t.Errorf("Measurements: sectors %v, want %v", x.Sectors, m.Sectors)
		}
	}
}

func testServiceMeasurementInvalid(t *testing.T, h *Harness) {
	db, _ := h.openTest(t)
	ctx := context.Background()
	q := survey.DefaultQuestionnaire()
	cases := []struct {
		name  string
		edit  func(m *survey.Measurement)
		field string
	}{
		{"no sectors", func(m *survey.Measurement) { m.Sectors = nil }, "sectors"},
		{"resident with sectors", func(m *survey.Measurement) { m.Kind = survey.KindResident }, "sectors"},
		{"unknown kind", func(m *survey.Measurement) { m.Kind = "other" }, "kind"},
		{"bad code", func(m *survey.Measurement) { m.Sectors[1].Code = "Bank ing" }, "sectors[1]"},
		{"repeated code", func(m *survey.Measurement) { m.Sectors[1].Code = "retail" }, "sectors[1]"},
		{"no name", func(m *survey.Measurement) { m.Sectors[0].Name.Zh = "" }, "sectors[0]"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := serviceMeasurement("bad")
			c.edit(m)
			err := db.CreateMeasurement(ctx, m, q)
			e, ok := err.(*survey.Error)
			if !ok || e.Code != survey.EINVALID || len(e.Fields) == 0 || e.Fields[0].Field != c.field {
				t.Fatalf("got %v, want EINVALID on %s", err, c.field)
			}
			if _, err := db.Measurement(ctx, "bad"); survey.ErrorCode(err) != survey.ENOTFOUND {
				t.Errorf("a refused measurement was stored: %v", err)
			}
		})
	}
}

func testSectorWeights(t *testing.T, h *Harness) {
	db, _ := h.openTest(t)
	ctx := context.Background()
	q := survey.DefaultQuestionnaire()
	svc := serviceMeasurement("svc")
	svc.Sectors = survey.DefaultSectors()[4:]
	sq := survey.DefaultServiceQuestionnaire()
	sq.Pages[1].Items[0].Choices = sq.Pages[1].Items[0].Choices[4:]
	if err := db.CreateMeasurement(ctx, svc, sq); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateMeasurement(ctx, testMeasurement("res"), q); err != nil {
		t.Fatal(err)
	}
	if w, err := db.SectorWeights(ctx, "svc"); err != nil || w != nil {
		t.Fatalf("before any save: %v, %v; want nil, nil", w, err)
	}
	w := &survey.SectorWeights{Basis: "2025 增加值", Weights: map[string]float64{"telecoms": 0.6, "banking": 0.4}, UpdatedBy: "stat"}
	if err := db.SetSectorWeights(ctx, "svc", w); err != nil {
		t.Fatal(err)
	}
	got, err := db.SectorWeights(ctx, "svc")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, w) {
		t.Errorf("got %+v, want %+v", got, w)
	}
	// A save replaces the whole set.
	if err := db.SetSectorWeights(ctx, "svc", &survey.SectorWeights{Weights: map[string]float64{"banking": 1}}); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.SectorWeights(ctx, "svc"); len(got.Weights) != 1 || got.Weights["banking"] != 1 || got.Basis != "" {
		t.Errorf("after replace: %+v", got)
	}
	bad := []struct {
		name string
		id   string
		w    map[string]float64
	}{
		{"resident", "res", map[string]float64{"retail": 1}},
		{"unknown sector", "svc", map[string]float64{"hotels": 1}},
		{"negative", "svc", map[string]float64{"telecoms": -1, "banking": 2}},
		{"all zero", "svc", map[string]float64{"telecoms": 0}},
	}
	for _, c := range bad {
		if err := db.SetSectorWeights(ctx, c.id, &survey.SectorWeights{Weights: c.w}); survey.ErrorCode(err) != survey.EINVALID {
			t.Errorf("%s: got %v, want EINVALID", c.name, err)
		}
	}
	if got, _ := db.SectorWeights(ctx, "svc"); got.Weights["banking"] != 1 || len(got.Weights) != 1 {
		t.Errorf("a refused save changed the weights: %+v", got)
	}
	if _, err := db.SectorWeights(ctx, "nope"); survey.ErrorCode(err) != survey.ENOTFOUND {
		t.Errorf("unknown measurement: %v", err)
	}
}
