package demo

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"manyi/survey"
	"manyi/survey/analysis"
	"manyi/survey/fieldwork"
)

// PrevID is the id of the demo's previous year.
const PrevID = "demo-2025"

// DefaultResponses is how many completed responses `manyi serve --demo`
// simulates for each demo year: a typical city sample.
const DefaultResponses = 2000

// demoUser is the audit log's name for what the demo writes.
const demoUser = "demo"

// PrevMeasurement returns a fresh copy of last year's demo measurement
// (status closed).
func PrevMeasurement() *survey.Measurement {
	m := Measurement()
	m.ID = PrevID
	m.Year = 2025
	m.Title = survey.Text{Zh: "示例市 2025 年市民质量满意度测评", En: "Example City 2025 Residents' Quality Satisfaction Measurement"}
	m.Status = survey.StatusClosed
	return m
}

// SimOptions control Simulate.
type SimOptions struct {
	// Responses is the number of completed responses of demo-2026 (0:
	// DefaultResponses); PrevResponses those of demo-2025 (0: the same).
	Responses, PrevResponses int
	// Seed makes the data; the same seed gives the same answers.
	Seed uint64
}

// SimResult says what Simulate stored per measurement id: the responses
// it added, or, for a measurement that already had responses, how many it
// had (and it added none).
type SimResult struct {
	Added    map[string]int
	Existing map[string]int
}

// SimStore is what Simulate writes through: the responses, the review,
// the census and the weighting of a measurement (survey/sqlite's and
// survey/postgres's DB implement it).
type SimStore interface {
	survey.Store
	survey.ResponseImporter
	SetPrevMeasurement(ctx context.Context, id, prevID, by string) error
	Fieldwork(ctx context.Context, id string) (*fieldwork.Summary, error)
	Exclude(ctx context.Context, responseID int64, reason, by string) (*fieldwork.Exclusion, error)
	SetCensus(ctx context.Context, id string, c *analysis.Census, by string) error
	WeightingVersions(ctx context.Context, id string) ([]analysis.WeightingVersion, error)
	SaveWeighting(ctx context.Context, id string, spec analysis.WeightingSpec, by string) (int, error)
}

// Simulate fills the demo with a realistic completed measurement and last
// year's: it creates demo-2025 (closed) and demo-2026 when absent, links
// them, and for each that has no submitted response yet stores simulated
// responses made by analysis.Simulate (response propensities by age and
// district, district effects, don't-knows, suggestions; last year about a
// third of a scale point lower) as real submitted responses behind their
// own invitations, with page paradata, mixed modes (web, phone and face
// with interviewer names), a few speeders and straight-liners for the
// quality review (the speeders already set aside, as a finished review
// would have), break-offs and screen-outs, and the invitations that were
// never answered. It also
// stores the census counts of the six districts and, when none is saved,
// the default weighting (raking on district and gender × age band). It is
// idempotent: a measurement that already has responses keeps them and is
// reported in Existing.
func Simulate(ctx context.Context, db SimStore, o SimOptions) (*SimResult, error) {
	if o.Responses <= 0 {
		o.Responses = DefaultResponses
	}
	if o.PrevResponses <= 0 {
		o.PrevResponses = o.Responses
	}
	if _, err := ensure(ctx, db, PrevMeasurement()); err != nil {
		return nil, err
	}
	if _, err := Ensure(ctx, db); err != nil {
		return nil, err
	}
	cur, err := db.Measurement(ctx, ID)
	if err != nil {
		return nil, err
	}
	if cur.PrevID == "" {
		if err := db.SetPrevMeasurement(ctx, ID, PrevID, demoUser); err != nil {
			return nil, err
		}
	}
	res := &SimResult{Added: map[string]int{}, Existing: map[string]int{}}
	years := []struct {
		id    string
		n     int
		seed  uint64
		shift float64
		start time.Time
	}{
		{PrevID, o.PrevResponses, o.Seed*2 + 2025, -0.3, time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC)},
		{ID, o.Responses, o.Seed*2 + 2026, 0, time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)},
	}
	for _, y := range years {
		fw, err := db.Fieldwork(ctx, y.id)
		if err != nil {
			return nil, err
		}
		if fw.Submitted > 0 {
			res.Existing[y.id] = fw.Submitted
			continue
		}
		ds := analysis.Simulate(analysis.SimOptions{N: y.n, Seed: y.seed, Shift: y.shift})
		rng := rand.New(rand.NewPCG(y.seed, 0x64656d6f))
		rs, speeders := responses(ds, rng, y.start)
		// Break-offs and screen-outs answer the first pages only; they come
		// out of the invitations nobody would otherwise have answered.
		more := analysis.Simulate(analysis.SimOptions{N: len(rs) / 10, Seed: y.seed + 1, Shift: y.shift})
		mrs, _ := responses(more, rng, y.start)
		others := unfinished(more, mrs, rng)
		ids, err := db.ImportResponses(ctx, y.id, append(rs, others...))
		if err != nil {
			return nil, fmt.Errorf("demo %s: %w", y.id, err)
		}
		// The review has set the speeders aside; the straight-liners are
		// left flagged for the statistician to decide.
		for i, sp := range speeders {
			if sp {
				if _, err := db.Exclude(ctx, ids[i], speederReason, demoUser); err != nil {
					return nil, fmt.Errorf("demo %s: %w", y.id, err)
				}
			}
		}
		// The invitations nobody answered, for the response rates.
		issued := 0
		for _, n := range ds.Issued {
			issued += n
		}
		if left := issued - len(rs) - len(others); left > 0 {
			if _, err := db.CreateInvitations(ctx, y.id, left); err != nil {
				return nil, fmt.Errorf("demo %s: %w", y.id, err)
			}
		}
		if err := db.SetCensus(ctx, y.id, ds.Census, demoUser); err != nil {
			return nil, fmt.Errorf("demo %s census: %w", y.id, err)
		}
		if vs, err := db.WeightingVersions(ctx, y.id); err != nil {
			return nil, err
		} else if len(vs) == 0 {
			if _, err := db.SaveWeighting(ctx, y.id, analysis.DefaultWeightingSpec(), demoUser); err != nil {
				return nil, err
			}
		}
		res.Added[y.id] = len(rs)
	}
	return res, nil
}

// ensure creates m with the default questionnaire unless it exists.
func ensure(ctx context.Context, st survey.Store, m *survey.Measurement) (bool, error) {
	_, err := st.Measurement(ctx, m.ID)
	switch survey.ErrorCode(err) {
	case "":
		return false, nil
	case survey.ENOTFOUND:
	default:
		return false, err
	}
	err = st.CreateMeasurement(ctx, m, survey.DefaultQuestionnaire())
	if survey.ErrorCode(err) == survey.ECONFLICT {
		return false, nil
	}
	return err == nil, err
}

// interviewers are the demo's interviewer accounts' names.
var interviewers = []string{"zhang.wei", "li.na", "wang.fang", "liu.yang"}

// speederReason is the review's reason for setting a speeder aside.
const speederReason = "答题时间过短（不足中位时长的三分之一）"

// Shares of speeders and straight-liners: a national survey discarded 8%
// of its answers after review; the demo keeps a visible few.
const (
	speederShare  = 0.02
	straightShare = 0.015
)

// responses turns simulated respondents into stored responses: page
// times of a 5–8 minute interview spread over six weeks of fieldwork,
// and a few speeders and straight-liners.
func responses(ds *analysis.Dataset, rng *rand.Rand, start time.Time) ([]survey.ImportedResponse, []bool) {
	q := ds.Q
	span := 45 * 24 * time.Hour
	out := make([]survey.ImportedResponse, 0, len(ds.Respondents))
	speeders := make([]bool, len(ds.Respondents))
	for i, r := range ds.Respondents {
		a := r.Answers
		speeder := rng.Float64() < speederShare
		speeders[i] = speeder
		if rng.Float64() < straightShare {
			a = straightLine(q, a, rng)
		}
		a = suggestions(q, a, rng)
		el := map[string]time.Duration{}
		total := time.Duration(0)
		for _, pg := range q.VisiblePages(a) {
			sec := 6 + 4*float64(len(pg.Items))
			if pg.Kind == survey.KindDomain {
				sec = 8 + 7*float64(len(pg.Items))
			}
			sec *= math.Exp(rng.NormFloat64() * 0.35)
			if r.Mode != survey.ModeWeb {
				sec *= 1.4 // an interviewer reads every question out
			}
			if speeder {
				sec *= 0.12
			}
			d := time.Duration(sec * float64(time.Second)).Round(time.Millisecond)
			el[pg.ID] = d
			total += d
		}
		// Answers come in during the day, more in the evening.
		day := time.Duration(rng.Float64() * float64(span)).Truncate(24 * time.Hour)
		hour := time.Duration(8+rng.IntN(14)) * time.Hour
		began := start.Add(day + hour + time.Duration(rng.IntN(3600))*time.Second)
		ir := survey.ImportedResponse{
			Status: survey.RespSubmitted, Mode: r.Mode, Answers: a, Elapsed: el,
			StartedAt: began, SubmittedAt: began.Add(total + time.Duration(rng.IntN(20))*time.Second),
		}
		switch r.Mode {
		case survey.ModeWeb:
			ir.UAClass = "mobile"
			if rng.Float64() < 0.2 {
				ir.UAClass = "desktop"
			}
		default:
			ir.Interviewer = interviewers[rng.IntN(len(interviewers))]
			ir.UAClass = "tablet"
			if r.Mode == survey.ModePhone {
				ir.UAClass = "desktop"
			}
		}
		out = append(out, ir)
	}
	return out, speeders
}

// unfinished turns simulated responses into break-offs (about 60%: they
// stop after two to six pages) and screen-outs (too old, or not resident
// for six months).
func unfinished(ds *analysis.Dataset, rs []survey.ImportedResponse, rng *rand.Rand) []survey.ImportedResponse {
	q := ds.Q
	for i := range rs {
		r := &rs[i]
		pages := q.VisiblePages(r.Answers)
		keep := 2 + rng.IntN(5)
		status := survey.RespInProgress
		if rng.Float64() < 0.4 {
			keep, status = 2, survey.RespScreenedOut
		}
		a := survey.Answers{}
		for _, pg := range pages[:min(keep, len(pages))] {
			for _, it := range pg.Items {
				if v, ok := r.Answers[it.ID]; ok {
					a[it.ID] = v
				}
			}
		}
		if status == survey.RespScreenedOut {
			if rng.Float64() < 0.5 {
				a["age"] = []string{fmt.Sprint(71 + rng.IntN(10))}
			} else {
				a["resident"] = []string{"n"}
			}
		}
		r.Answers, r.Status = a, status
	}
	return rs
}

// suggestionPool holds plausible open suggestions per domain, so that the
// demo's counts by domain and its quotes read like a real measurement's.
var suggestionPool = map[string][]string{
	"product": {
		"希望加强对菜市场和超市食品的抽检，并及时公开抽检结果。",
		"网购商品质量参差不齐，建议加大对电商平台的质量监管。",
		"儿童用品和玩具的安全标准要严格执行，家长才能放心。",
		"药店里的保健品宣传夸大，希望加强管理。",
	},
	"construction": {
		"老旧小区电梯经常出故障，希望尽快更新改造。",
		"道路施工周期太长，希望合理安排，减少对出行的影响。",
		"新建住宅墙面开裂、渗水问题较多，建议加强竣工验收。",
		"雨季部分路段积水严重，排水设施需要改造。",
	},
	"service": {
		"小区物业收费和服务不匹配，希望加强对物业公司的考核。",
		"快递丢件和延误时有发生，投诉处理太慢。",
		"医院挂号排队时间长，希望增加线上预约号源。",
		"养老服务机构太少，收费也偏高。",
	},
	"environment": {
		"河道水质近年改善明显，希望继续保持。",
		"冬季雾霾天气仍然较多，建议加强工地扬尘治理。",
		"部分老旧小区垃圾分类设施不足，清运不及时。",
		"希望多建一些街心公园和绿道，方便市民休闲。",
	},
	"public": {
		"投诉电话有时打不通，希望延长服务时间。",
		"政务服务网上办理很方便，希望更多事项能一网通办。",
		"希望公开质量投诉的处理结果，接受群众监督。",
		"消费维权流程繁琐，建议简化手续、限时办结。",
	},
}

// suggestions replaces the simulated open answers by ones about their
// item's domain.
func suggestions(q *survey.Questionnaire, a survey.Answers, rng *rand.Rand) survey.Answers {
	var b survey.Answers
	for _, it := range q.ItemsByRole(survey.RoleSuggestion) {
		pool := suggestionPool[q.ItemDomain(it.ID)]
		if len(a[it.ID]) == 0 || len(pool) == 0 {
			continue
		}
		if b == nil {
			b = make(survey.Answers, len(a))
			for k, v := range a {
				b[k] = v
			}
		}
		b[it.ID] = []string{pool[rng.IntN(len(pool))]}
	}
	if b == nil {
		return a
	}
	return b
}

// straightLine gives one rating to every satisfaction item.
func straightLine(q *survey.Questionnaire, a survey.Answers, rng *rand.Rand) survey.Answers {
	b := make(survey.Answers, len(a))
	for k, v := range a {
		b[k] = v
	}
	v := fmt.Sprint(7 + rng.IntN(4))
	for _, d := range q.Domains {
		for _, it := range q.DomainItems(d.ID) {
			b[it.ID] = []string{v}
		}
	}
	return b
}
