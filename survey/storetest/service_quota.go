package storetest

import (
	"context"
	"testing"

	"manyi/survey"
)

func init() {
	register(test{"ServiceQuotaBySector", testServiceQuotaBySector},
		test{"InterceptInterview", testInterceptInterview})
}

// serviceFieldwork creates an open service measurement (the default
// sectors and CCSI questionnaire, districts d1 and d2).
func serviceFieldwork(t *testing.T, db Store, id string) *survey.Measurement {
	t.Helper()
	m := fwMeasurement(t, db, id+"-base") // keeps the district names of the fieldwork tests
	m.ID, m.Kind, m.Sectors = id, survey.KindService, survey.DefaultSectors()
	if err := db.CreateMeasurement(context.Background(), m, survey.DefaultServiceQuestionnaire()); err != nil {
		t.Fatalf("CreateMeasurement(%s): %v", id, err)
	}
	return m
}

// serviceScreener answers the service screener: sector, used in the last
// three months, district d1, aged 35.
func serviceScreener(sector string) survey.PageSave {
	return survey.PageSave{PageID: "screener", Answers: survey.Answers{
		"sector": {sector}, "used_recent": {"y"}, "district": {"d1"}, "age": {"35"},
	}}
}

// testServiceQuotaBySector: a service measurement's quota cells are
// sector × district; a gender|age_band cell is refused for it, and a
// resident's sector answer takes a place in its sector's cell until the
// target is reached.
func testServiceQuotaBySector(t *testing.T, h *Harness) {
	db, _ := h.fwOpen(t)
	ctx := context.Background()
	serviceFieldwork(t, db, "svc")
	if err := db.SetQuotaTargets(ctx, "svc", map[string]map[string]int{"d1": {"male|30-44": 2}}); survey.ErrorCode(err) != survey.EINVALID {
		t.Errorf("gender|age cell for a service measurement: %v, want EINVALID", err)
	}
	if err := db.SetQuotaTargets(ctx, "svc", map[string]map[string]int{"d1": {"retail": 2, "banking": 1}}); err != nil {
		t.Fatal(err)
	}
	toks, err := db.CreateInvitations(ctx, "svc", 4)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		sector string
		full   bool
	}{{"retail", false}, {"retail", false}, {"retail", true}, {"banking", false}}
	for i, w := range want {
		if _, err := db.SavePage(ctx, toks[i], serviceScreener(w.sector)); err != nil {
			t.Fatal(err)
		}
		c, err := db.ClaimQuota(ctx, toks[i])
		if err != nil {
			t.Fatal(err)
		}
		if !c.Checked || c.District != "d1" || c.Cell != w.sector || c.Full != w.full {
			t.Errorf("resident %d (%s): claim %+v, want cell d1 %s full=%v", i, w.sector, c, w.sector, w.full)
		}
	}
}

// testInterceptInterview: an intercept interview (no sampled case) gets
// its own link and a response in mode face under the interviewer, counts
// as a non-probability answer, and shows in the sector progress once
// submitted; a closed measurement refuses new ones.
func testInterceptInterview(t *testing.T, h *Harness) {
	db, _ := h.fwOpen(t)
	is, ok := db.(interface {
		StartIntercept(ctx context.Context, measurementID, interviewer string) (string, error)
		SectorProgress(ctx context.Context, measurementID string) (map[string]map[string]int, error)
	})
	if !ok {
		// survey/sqlite gains them with the service measurement's
		// fieldwork (branch csi); fieldwork.InterceptStore then joins
		// Store and this check goes.
		t.Skip("this store has no StartIntercept/SectorProgress (fieldwork.InterceptStore) yet")
	}
	ctx := context.Background()
	serviceFieldwork(t, db, "svc")
	if _, err := is.StartIntercept(ctx, "svc", ""); survey.ErrorCode(err) != survey.EINVALID {
		t.Errorf("StartIntercept without interviewer: %v, want EINVALID", err)
	}
	tok, err := is.StartIntercept(ctx, "svc", "ivw")
	if err != nil {
		t.Fatal(err)
	}
	s, err := db.OpenSession(ctx, tok)
	if err != nil {
		t.Fatal(err)
	}
	if r := s.Response; r == nil || r.Mode != survey.ModeFace || r.Interviewer != "ivw" || r.Status != survey.RespInProgress {
		t.Fatalf("intercept response %+v, want in progress, face, by ivw", r)
	}
	if s.Measurement.Kind != survey.KindService || len(s.Measurement.Sectors) == 0 {
		t.Errorf("session measurement kind %q with %d sectors, want the service measurement", s.Measurement.Kind, len(s.Measurement.Sectors))
	}
	if _, err := db.SavePage(ctx, tok, serviceScreener("banking")); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Finish(ctx, tok, survey.RespSubmitted); err != nil {
		t.Fatal(err)
	}
	p, err := is.SectorProgress(ctx, "svc")
	if err != nil || p["d1"]["banking"] != 1 {
		t.Errorf("SectorProgress: %v, %v; want d1 banking 1", p, err)
	}
	ds, err := db.LoadDataset(ctx, "svc")
	if err != nil || len(ds.Respondents) != 1 || !ds.Respondents[0].NonProbability {
		t.Errorf("dataset: %v; want the one intercept answer as non-probability", err)
	}
	if err := db.SetMeasurementStatus(ctx, "svc", survey.StatusClosed); err != nil {
		t.Fatal(err)
	}
	if _, err := is.StartIntercept(ctx, "svc", "ivw"); survey.ErrorCode(err) != survey.EGONE {
		t.Errorf("StartIntercept when closed: %v, want EGONE", err)
	}
}
