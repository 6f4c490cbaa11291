package workspace

import (
	"context"
	"sync"

	"manyi/survey"
	"manyi/survey/csi"
)

// ServiceComputed is a service measurement's CSI with what it was
// computed from.
type ServiceComputed struct {
	Measurement *survey.Measurement
	Prev        *survey.Measurement // last year's, nil if none
	Weights     *survey.SectorWeights
	Results     *csi.Results
	Stamp       string
}

// ServiceCache keeps computed CSIs by stamp (the bootstrap costs a second
// or two); safe for concurrent use. The zero value is ready.
type ServiceCache struct {
	mu sync.Mutex
	m  map[string]*ServiceComputed
}

// ComputeService computes a service measurement's CSI (csi.Compute) with
// the saved sector weights, and last year's for the change: the one path
// of the results page, the report page and `manyi report`. With a cache,
// a result whose data, census and weights have not changed is reused.
func ComputeService(ctx context.Context, st Store, ws survey.SectorWeightStore, id string, cache *ServiceCache) (*ServiceComputed, error) {
	m, err := st.Measurement(ctx, id)
	if err != nil {
		return nil, err
	}
	if !m.IsService() {
		return nil, survey.Errorf(survey.EINVALID, "测评 %s 不是服务业顾客满意度测评", "measurement %s is not a service measurement", id)
	}
	stamp, err := serviceStamp(ctx, st, ws, m)
	if err != nil {
		return nil, err
	}
	if cache != nil {
		cache.mu.Lock()
		c := cache.m[stamp]
		cache.mu.Unlock()
		if c != nil {
			return c, nil
		}
	}
	out := &ServiceComputed{Measurement: m, Stamp: stamp}
	var prev *csi.Results
	if m.PrevID != "" {
		pm, err := st.Measurement(ctx, m.PrevID)
		if err != nil {
			return nil, lastYear(m.PrevID, err)
		}
		if pm.IsService() {
			pr, err := computeOne(ctx, st, ws, pm, nil)
			if err != nil {
				return nil, lastYear(m.PrevID, err)
			}
			out.Prev, prev = pm, pr
		}
	}
	if out.Weights, err = ws.SectorWeights(ctx, id); err != nil {
		return nil, err
	}
	if out.Results, err = computeOne(ctx, st, ws, m, prev); err != nil {
		return nil, err
	}
	if cache != nil {
		cache.mu.Lock()
		if cache.m == nil || len(cache.m) > 16 {
			cache.m = map[string]*ServiceComputed{}
		}
		cache.m[stamp] = out
		cache.mu.Unlock()
	}
	return out, nil
}

func computeOne(ctx context.Context, st Store, ws survey.SectorWeightStore, m *survey.Measurement, prev *csi.Results) (*csi.Results, error) {
	ds, err := st.LoadDataset(ctx, m.ID)
	if err != nil {
		return nil, err
	}
	w, err := ws.SectorWeights(ctx, m.ID)
	if err != nil {
		return nil, err
	}
	return csi.Compute(csi.Input{Measurement: m, Dataset: ds, Weights: w, Prev: prev})
}

// serviceStamp hashes what the CSI depends on: both years' DataStamps and
// sector weights.
func serviceStamp(ctx context.Context, st Store, ws survey.SectorWeightStore, m *survey.Measurement) (string, error) {
	var parts []any
	for _, id := range []string{m.ID, m.PrevID} {
		if id == "" {
			continue
		}
		ds, err := DataStamp(ctx, st, id)
		if err != nil {
			return "", err
		}
		w, err := ws.SectorWeights(ctx, id)
		if err != nil {
			return "", err
		}
		parts = append(parts, ds, w)
	}
	return hash(parts)
}
