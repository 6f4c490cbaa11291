package sqlite

import (
	"context"
	"testing"

	"manyi/survey"
	"manyi/survey/fieldwork"
)

func serviceMeasurement(id string) *survey.Measurement {
	m := testMeasurement(id)
	m.Kind = survey.KindService
	m.Sectors = []survey.Sector{
		{Code: "retail", Name: survey.Text{Zh: "零售", En: "Retail"}},
		{Code: "banking", Name: survey.Text{Zh: "银行", En: "Banking"}},
	}
	return m
}

// TestServiceQuotaAndIntercept: a service measurement's quota cells are
// sector × district; an intercept interview is claimed like any other
// response and its place counted; a full cell ends the interview.
func TestServiceQuotaAndIntercept(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	m := serviceMeasurement("svc")
	m.Sectors = survey.DefaultSectors()
	m.Districts = []survey.District{{Code: "d1", Name: survey.Text{Zh: "东城区", En: "Dongcheng"}}, {Code: "d2", Name: survey.Text{Zh: "西城区", En: "Xicheng"}}}
	q := survey.DefaultServiceQuestionnaire()
	if err := db.CreateMeasurement(ctx, m, q); err != nil {
		t.Fatal(err)
	}
	if err := db.SetQuotaTargets(ctx, "svc", map[string]map[string]int{"d1": {"male|18-29": 1}}); survey.ErrorCode(err) != survey.EINVALID {
		t.Errorf("a gender cell on a service measurement: %v, want EINVALID", err)
	}
	if err := db.SetQuotaTargets(ctx, "svc", map[string]map[string]int{"d1": {"banking": 1, "retail": 5}}); err != nil {
		t.Fatal(err)
	}
	if err := db.SetMeasurementStatus(ctx, "svc", survey.StatusClosed); err != nil {
		t.Fatal(err)
	}
	if _, err := db.StartIntercept(ctx, "svc", "ivw"); survey.ErrorCode(err) != survey.EGONE {
		t.Errorf("intercept on a closed measurement: %v, want EGONE", err)
	}
	if err := db.SetMeasurementStatus(ctx, "svc", survey.StatusOpen); err != nil {
		t.Fatal(err)
	}
	screener := func(tok, sector string) *fieldwork.QuotaClaim {
		t.Helper()
		if _, err := db.SavePage(ctx, tok, survey.PageSave{PageID: "welcome", Answers: survey.Answers{"consent": {"y"}}, Next: "screener"}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SavePage(ctx, tok, survey.PageSave{PageID: "screener", Answers: survey.Answers{"sector": {sector}, "used_recent": {"y"}, "district": {"d1"}, "age": {"40"}}, Next: "image"}); err != nil {
			t.Fatal(err)
		}
		c, err := db.ClaimQuota(ctx, tok)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	tok1, err := db.StartIntercept(ctx, "svc", "ivw")
	if err != nil {
		t.Fatal(err)
	}
	s, err := db.OpenSession(ctx, tok1)
	if err != nil {
		t.Fatal(err)
	}
	if r := s.Response; r == nil || r.Mode != survey.ModeFace || r.Interviewer != "ivw" || !s.Measurement.IsService() {
		t.Fatalf("intercept response %+v", s.Response)
	}
	if c := screener(tok1, "banking"); !c.Checked || c.Full || c.Cell != "banking" || c.District != "d1" {
		t.Errorf("first banking claim: %+v", c)
	}
	tok2, _ := db.StartIntercept(ctx, "svc", "ivw")
	if c := screener(tok2, "banking"); !c.Full {
		t.Errorf("second banking claim in d1 (target 1): %+v, want full", c)
	}
	tok3, _ := db.StartIntercept(ctx, "svc", "ivw")
	if c := screener(tok3, "retail"); !c.Checked || c.Full {
		t.Errorf("retail claim: %+v", c)
	}
	qs, err := db.Quotas(ctx, "svc")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, c := range qs.Cells {
		got[c.District+"/"+c.Cell] = c.Count
	}
	if got["d1/banking"] != 1 || got["d1/retail"] != 1 {
		t.Errorf("counts %v", got)
	}
}
