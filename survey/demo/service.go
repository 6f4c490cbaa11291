package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"manyi/survey"
	"manyi/survey/csi"
)

// The service demo's measurement ids: this year's (open) and last year's
// (closed), linked for the change on last year.
const (
	ServiceID     = "demo-csi-2026"
	ServicePrevID = "demo-csi-2025"
)

// DefaultServicePerCell is the demo's interviews per sector × district:
// 7 sectors × 6 districts × 70 = 2,940.
const DefaultServicePerCell = 70

// ServiceStore is what SimulateService writes through besides SimStore:
// the sector weights and the quota targets.
type ServiceStore interface {
	SimStore
	survey.SectorWeightStore
	SetQuotaTargets(ctx context.Context, measurementID string, targets map[string]map[string]int) error
}

// ServiceMeasurement returns a fresh copy of the service demo (open):
// seven sectors in the demo's six districts.
func ServiceMeasurement() *survey.Measurement {
	t := func(zh, en string) survey.Text { return survey.Text{Zh: zh, En: en} }
	m := Measurement()
	m.ID = ServiceID
	m.Title = t("示例市 2026 年服务业顾客满意度测评", "Example City 2026 Service-Industry Customer Satisfaction Measurement")
	m.Kind = survey.KindService
	m.Sectors = survey.DefaultSectors()[:7]
	return m
}

// ServicePrevMeasurement is last year's service demo (closed).
func ServicePrevMeasurement() *survey.Measurement {
	m := ServiceMeasurement()
	m.ID = ServicePrevID
	m.Year = 2025
	m.Title = survey.Text{Zh: "示例市 2025 年服务业顾客满意度测评", En: "Example City 2025 Service-Industry Customer Satisfaction Measurement"}
	m.Status = survey.StatusClosed
	return m
}

// serviceQuestionnaire is the CCSI template with the demo's seven sectors.
func serviceQuestionnaire(m *survey.Measurement) *survey.Questionnaire {
	q := survey.DefaultServiceQuestionnaire()
	q.KeepSectors(m.Sectors)
	return q
}

// SimulateService creates the service demo when absent: both years with
// perCell simulated interviews per sector × district (csi.Simulate; last
// year a fifth of a point lower), stored as submitted face-to-face
// intercept interviews of the demo interviewers, the census counts, the
// sector weights (shares of service value added) and this year's quotas
// (perCell + 10 per cell, so the monitor shows a few cells short). A year
// that already has responses keeps them.
func SimulateService(ctx context.Context, db ServiceStore, perCell int, seed uint64) (*SimResult, error) {
	if perCell <= 0 {
		perCell = DefaultServicePerCell
	}
	res := &SimResult{Added: map[string]int{}, Existing: map[string]int{}}
	weights := &survey.SectorWeights{Basis: "示例市 2025 年服务业增加值构成 / 2025 service value added", UpdatedBy: demoUser,
		Weights: map[string]float64{"retail": 0.24, "catering": 0.09, "hotels": 0.05, "tourism": 0.07, "banking": 0.28, "telecoms": 0.12, "transport": 0.15}}
	years := []struct {
		m     *survey.Measurement
		seed  uint64
		shift float64
		start time.Time
	}{
		{ServicePrevMeasurement(), seed*2 + 2025, -0.2, time.Date(2025, 10, 8, 0, 0, 0, 0, time.UTC)},
		{ServiceMeasurement(), seed*2 + 2026, 0, time.Date(2026, 10, 8, 0, 0, 0, 0, time.UTC)},
	}
	for _, y := range years {
		if _, err := ensureWith(ctx, db, y.m, serviceQuestionnaire(y.m)); err != nil {
			return nil, err
		}
		fw, err := db.Fieldwork(ctx, y.m.ID)
		if err != nil {
			return nil, err
		}
		if fw.Submitted > 0 {
			res.Existing[y.m.ID] = fw.Submitted
			continue
		}
		ds := csi.Simulate(csi.SimOptions{Sectors: y.m.Sectors, Districts: y.m.Districts, PerCell: perCell, Seed: y.seed, Shift: y.shift})
		ds.Q = serviceQuestionnaire(y.m)
		for i := range ds.Respondents {
			ds.Respondents[i].Mode = survey.ModeFace
		}
		rng := rand.New(rand.NewPCG(y.seed, 0x637369))
		rs, _ := responses(ds, rng, y.start)
		for i := range rs {
			rs[i].Interviewer = interviewers[i%len(interviewers)]
		}
		if _, err := db.ImportResponses(ctx, y.m.ID, rs); err != nil {
			return nil, fmt.Errorf("demo %s: %w", y.m.ID, err)
		}
		res.Added[y.m.ID] = len(rs)
		if err := db.SetCensus(ctx, y.m.ID, ds.Census, demoUser); err != nil {
			return nil, fmt.Errorf("demo %s census: %w", y.m.ID, err)
		}
		if w, err := db.SectorWeights(ctx, y.m.ID); err != nil {
			return nil, err
		} else if w == nil {
			if err := db.SetSectorWeights(ctx, y.m.ID, weights); err != nil {
				return nil, err
			}
		}
	}
	cur, err := db.Measurement(ctx, ServiceID)
	if err != nil {
		return nil, err
	}
	if cur.PrevID == "" {
		if err := db.SetPrevMeasurement(ctx, ServiceID, ServicePrevID, demoUser); err != nil {
			return nil, err
		}
	}
	if res.Added[ServiceID] > 0 {
		targets := map[string]map[string]int{}
		for _, d := range cur.Districts {
			targets[d.Code] = map[string]int{}
			for _, sc := range cur.Sectors {
				targets[d.Code][sc.Code] = perCell + 10
			}
		}
		if err := db.SetQuotaTargets(ctx, ServiceID, targets); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// ensureWith creates m with q unless it exists.
func ensureWith(ctx context.Context, st survey.Store, m *survey.Measurement, q *survey.Questionnaire) (bool, error) {
	_, err := st.Measurement(ctx, m.ID)
	switch survey.ErrorCode(err) {
	case "":
		return false, nil
	case survey.ENOTFOUND:
	default:
		return false, err
	}
	err = st.CreateMeasurement(ctx, m, q)
	if survey.ErrorCode(err) == survey.ECONFLICT {
		return false, nil
	}
	return err == nil, err
}
