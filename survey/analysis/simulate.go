package analysis

import (
	"math"
	"math/rand/v2"
	"strconv"

	"manyi/survey"
)

// SimOptions control Simulate.
type SimOptions struct {
	// N is the number of completed responses (0: 1,500).
	N int
	// Seed seeds the generator; the same options give the same data.
	Seed uint64
	// Shift moves every rating by this many scale points (e.g. −0.3 for a
	// worse previous year).
	Shift float64
	// DistrictEffects moves the ratings of each district (d1…d6) by this
	// many scale points; nil: a mild default pattern.
	DistrictEffects []float64
	// OpenLink is the share of responses marked as non-probability (open
	// link) answers.
	OpenLink float64
	// IDPrefix prefixes the response ids (e.g. "2025-").
	IDPrefix string
}

// SimDistricts are the six simulated districts with their population
// aged 18–70.
var SimDistricts = []struct {
	District survey.District
	Pop      float64
}{
	{survey.District{Code: "d1", Name: survey.Text{Zh: "东城区", En: "Dongcheng"}}, 620000},
	{survey.District{Code: "d2", Name: survey.Text{Zh: "西城区", En: "Xicheng"}}, 540000},
	{survey.District{Code: "d3", Name: survey.Text{Zh: "南湖区", En: "Nanhu"}}, 410000},
	{survey.District{Code: "d4", Name: survey.Text{Zh: "北山区", En: "Beishan"}}, 330000},
	{survey.District{Code: "d5", Name: survey.Text{Zh: "清河县", En: "Qinghe County"}}, 260000},
	{survey.District{Code: "d6", Name: survey.Text{Zh: "云溪市", En: "Yunxi City"}}, 190000},
}

// simAgeShare is the population share of each age band, and simRespond
// the relative response propensity (the young answer less: weighting
// matters).
var (
	simAgeShare = []float64{0.22, 0.30, 0.29, 0.19}
	simRespond  = []float64{0.45, 0.8, 1.1, 1.4}
	simAgeEff   = []float64{-0.5, -0.2, 0.15, 0.5} // older residents rate higher
)

// simDomainMean is each domain's mean rating on the 1–10 scale, and
// simOverallW the true influence of each domain on the overall rating.
var (
	simDomainMean = map[string]float64{"product": 8.7, "construction": 8.4, "service": 8.2, "environment": 7.9, "public": 8.3}
	simOverallW   = map[string]float64{"product": 0.3, "construction": 0.15, "service": 0.25, "environment": 0.2, "public": 0.1}
)

var simSuggestions = []string{
	"希望加强食品安全抽检。", "小区物业服务有待提高。", "道路施工时间太长。", "河道水质近年改善明显。",
	"投诉电话有时打不通。", "快递丢件处理慢。", "建议多公开抽检结果。",
}

// Simulate returns a synthetic measurement of the default questionnaire:
// six districts drawn with equal allocation, response propensities that
// rise with age (so calibration to the census changes the estimates),
// district and age effects on satisfaction, item nonresponse and
// don't-knows, background answers, modes, a few open suggestions and the
// census, population and issued counts weighting needs. The demo command
// uses it to fill the demo database.
func Simulate(o SimOptions) *Dataset {
	if o.N <= 0 {
		o.N = 1500
	}
	rng := rand.New(rand.NewPCG(o.Seed, 0x616e616c79736973))
	q := survey.DefaultQuestionnaire()
	eff := o.DistrictEffects
	if eff == nil {
		eff = []float64{0.2, 0.1, 0, -0.1, -0.3, 0.1}
	}
	ds := &Dataset{Q: q, StratumPop: map[string]float64{}, Issued: map[string]int{}, Census: &Census{}}
	for _, d := range SimDistricts {
		ds.Districts = append(ds.Districts, d.District)
		for a, band := range DefaultAgeBands {
			for _, g := range []string{"m", "f"} {
				share := 0.51
				if g == "f" {
					share = 0.49
				}
				ds.Census.Cells = append(ds.Census.Cells, CensusCell{District: d.District.Code, Gender: g, AgeBand: band.Label,
					Count: math.Round(d.Pop * simAgeShare[a] * share)})
			}
		}
	}
	// The census is the population: its district totals are the fpc.
	tot := map[string]float64{}
	for _, c := range ds.Census.Cells {
		tot[c.District] += c.Count
	}
	ds.StratumPop = tot
	// Achieved age mix: population share × propensity.
	mix := make([]float64, len(simAgeShare))
	sum := 0.0
	for a := range mix {
		mix[a] = simAgeShare[a] * simRespond[a]
		sum += mix[a]
	}
	nd := len(SimDistricts)
	var domains []string
	for _, d := range q.Domains {
		domains = append(domains, d.ID)
	}
	for i := 0; i < o.N; i++ {
		h := i % nd
		code := SimDistricts[h].District.Code
		u := rng.Float64() * sum
		a := 0
		for a < len(mix)-1 && u > mix[a] {
			u -= mix[a]
			a++
		}
		band := DefaultAgeBands[a]
		age := band.Min + rng.IntN(band.Max-band.Min+1)
		gender := "m"
		if rng.Float64() < 0.54 { // women answer a little more
			gender = "f"
		}
		person := rng.NormFloat64()*0.9 + eff[h%len(eff)] + simAgeEff[a] + o.Shift
		ans := survey.Answers{
			"consent":  {"y"},
			"age":      {strconv.Itoa(age)},
			"district": {code},
			"resident": {"y"},
			"gender":   {gender},
		}
		dom := map[string]float64{}
		for _, d := range domains {
			de := rng.NormFloat64() * 0.6
			its := q.DomainItems(d)
			s, c := 0.0, 0.0
			for _, it := range its {
				switch r := rng.Float64(); {
				case r < 0.015:
					continue // skipped
				case r < 0.07:
					ans[it.ID] = []string{it.Scale.DontKnow.Code}
					continue
				}
				v := rate(simDomainMean[d]+person+de+rng.NormFloat64()*0.9, it)
				ans[it.ID] = []string{strconv.Itoa(v)}
				s += float64(v)
				c++
			}
			if c > 0 {
				dom[d] = s / c
			} else {
				dom[d] = simDomainMean[d] + person
			}
		}
		ov := 0.0
		for d, w := range simOverallW {
			ov += w * dom[d]
		}
		if ovIt := q.ItemsByRole(survey.RoleOverall); len(ovIt) > 0 {
			if rng.Float64() < 0.02 {
				ans[ovIt[0].ID] = []string{ovIt[0].Scale.DontKnow.Code}
			} else {
				ans[ovIt[0].ID] = []string{strconv.Itoa(rate(ov+0.3+rng.NormFloat64()*0.6, ovIt[0]))}
			}
		}
		for _, it := range q.ItemsByRole(survey.RoleAwareness) {
			p := []float64{0.45 + 0.1*float64(a)/3, 0.3}
			ans[it.ID] = []string{pick(rng, it.Choices, p)}
		}
		for _, it := range q.ItemsByRole(survey.RoleParticipation) {
			ans[it.ID] = []string{pick(rng, it.Choices, []float64{0.25, 0.6})}
		}
		for _, it := range q.ItemsByRole(survey.RoleConfidence) {
			if it.Type == survey.TypeScale {
				ans[it.ID] = []string{strconv.Itoa(rate(8+person*0.8+rng.NormFloat64(), it))}
			}
		}
		for _, it := range q.ItemsByRole(survey.RoleEducation) {
			p := []float64{0.15 + 0.1*float64(a), 0.3, 0.25, 0.22 - 0.05*float64(a)}
			ans[it.ID] = []string{pick(rng, it.Choices, p)}
		}
		for _, it := range q.ItemsByRole(survey.RoleOccupation) {
			ans[it.ID] = []string{it.Choices[rng.IntN(len(it.Choices))].Code}
		}
		if rng.Float64() < 0.12 {
			for _, it := range q.ItemsByRole(survey.RoleSuggestion) {
				if rng.Float64() < 0.3 {
					ans[it.ID] = []string{simSuggestions[rng.IntN(len(simSuggestions))]}
				}
			}
		}
		mode := survey.ModeWeb
		switch r := rng.Float64(); {
		case r < 0.3:
			mode = survey.ModePhone
		case r < 0.5:
			mode = survey.ModeFace
		}
		ds.Respondents = append(ds.Respondents, Respondent{
			ID: o.IDPrefix + strconv.Itoa(i+1), District: code, Mode: mode, Answers: ans,
			AgeBand: AgeBandOf(q, ans, nil), NonProbability: rng.Float64() < o.OpenLink,
		})
	}
	// Equal allocation: n_h completes out of issued_h invitations (response
	// rates 35–50% by district); design weight N_h / issued_h.
	count := map[string]int{}
	for _, r := range ds.Respondents {
		count[r.District]++
	}
	for h, d := range SimDistricts {
		rr := 0.5 - 0.03*float64(h)
		ds.Issued[d.District.Code] = int(math.Round(float64(count[d.District.Code]) / rr))
	}
	for i := range ds.Respondents {
		r := &ds.Respondents[i]
		r.DesignWeight = ds.StratumPop[r.District] / float64(ds.Issued[r.District])
		r.InclProb = 1 / r.DesignWeight
	}
	return ds
}

// rate rounds a latent rating into the item's scale.
func rate(x float64, it *survey.Item) int {
	v := int(math.Round(x))
	return max(it.Scale.Min, min(it.Scale.Max, v))
}

// pick draws a choice with the given probabilities for the first choices
// (the last takes the rest).
func pick(rng *rand.Rand, cs []survey.Choice, p []float64) string {
	u := rng.Float64()
	for k, pk := range p {
		if k >= len(cs)-1 {
			break
		}
		if u < pk {
			return cs[k].Code
		}
		u -= pk
	}
	return cs[len(cs)-1].Code
}
