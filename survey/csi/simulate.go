package csi

import (
	"math"
	"math/rand/v2"
	"strconv"

	"manyi/survey"
	"manyi/survey/analysis"
)

// SimOptions control Simulate.
type SimOptions struct {
	Sectors   []survey.Sector   // default: the first 7 of survey.DefaultSectors
	Districts []survey.District // default: analysis.SimDistricts
	// PerCell is the number of interviews per sector × district (default
	// 70: 7 × 6 × 70 = 2,940).
	PerCell int
	Seed    uint64
	// Shift moves every sector's mean rating (e.g. −0.15 for last year).
	Shift float64
}

// simLevel is each sector's mean rating on 1–10 (Fuzhou-like 75–85 indices).
var simLevel = map[string]float64{
	"retail": 7.9, "catering": 7.7, "hotels": 8.1, "tourism": 7.8, "banking": 8.3,
	"telecoms": 7.4, "transport": 7.9, "property": 7.1, "health": 7.6,
}

// Simulate returns synthetic completed interviews of the default service
// questionnaire: latent constructs drawn from the CCSI model with positive
// paths (satisfaction lowering complaints), items loading 0.75–0.9 on their
// construct (one quality item at 0.5, so the table shows a flag), sector
// and district levels, 3% don't-know answers, gender and age, and a census
// for the weighting. The demo stores them as responses.
func Simulate(o SimOptions) *analysis.Dataset {
	if o.Sectors == nil {
		o.Sectors = survey.DefaultSectors()[:7]
	}
	if o.Districts == nil {
		for _, d := range analysis.SimDistricts {
			o.Districts = append(o.Districts, d.District)
		}
	}
	if o.PerCell <= 0 {
		o.PerCell = 70
	}
	rng := rand.New(rand.NewPCG(o.Seed, 0x63736921))
	q := survey.DefaultServiceQuestionnaire()
	ds := &analysis.Dataset{Q: q, Districts: o.Districts, Census: &analysis.Census{}}
	for k, d := range o.Districts {
		pop := 400000.0
		if k < len(analysis.SimDistricts) {
			pop = analysis.SimDistricts[k].Pop
		}
		for a, band := range analysis.DefaultAgeBands {
			share := []float64{0.24, 0.3, 0.28, 0.18}[a]
			for _, g := range []string{"m", "f"} {
				ds.Census.Cells = append(ds.Census.Cells, analysis.CensusCell{District: d.Code, Gender: g, AgeBand: band.Label, Count: math.Round(pop * share / 2)})
			}
		}
	}
	lambda := map[string]float64{"qual_premises": 0.5}
	id := 0
	for _, sc := range o.Sectors {
		items := q.ItemsForSector(sc.Code)
		level, ok := simLevel[sc.Code]
		if !ok {
			level = 7.7
		}
		for k, d := range o.Districts {
			dEff := []float64{0.15, 0.05, 0, -0.05, -0.2, 0.1}[k%6]
			for n := 0; n < o.PerCell; n++ {
				id++
				eta := simLatent(rng)
				a := survey.Answers{
					"consent": {"y"}, "sector": {sc.Code}, "used_recent": {"y"}, "district": {d.Code},
				}
				age := 18 + rng.IntN(53)
				a["age"] = []string{strconv.Itoa(age)}
				a["gender"] = []string{[]string{"m", "f"}[rng.IntN(2)]}
				a["education"] = []string{[]string{"junior", "senior", "college", "college", "postgrad"}[rng.IntN(5)]}
				for ci, c := range survey.Constructs {
					for j, it := range items[c.ID] {
						l, ok := lambda[it.ID]
						if !ok {
							l = 0.9 - 0.05*float64(j%3)
						}
						z := l*eta[ci] + math.Sqrt(1-l*l)*rng.NormFloat64()
						mu := level + o.Shift + dEff
						if c.ID == "complaint" {
							mu = 11 - mu + 0.8 // a high rating is more complaint
						}
						x := int(math.Round(mu + 1.5*z))
						x = min(max(x, 1), 10)
						v := strconv.Itoa(x)
						if rng.Float64() < 0.03 {
							v = "99"
						}
						a[it.ID] = []string{v}
					}
				}
				ds.Respondents = append(ds.Respondents, analysis.Respondent{
					ID: strconv.Itoa(id), District: d.Code, Mode: survey.ModeFace, Answers: a,
					AgeBand: analysis.AgeBandOf(q, a, nil),
				})
			}
		}
	}
	return ds
}

// simLatent draws the seven constructs (unit variance) from the CCSI paths.
func simLatent(rng *rand.Rand) [7]float64 {
	e := func(r2 float64) float64 { return math.Sqrt(1-r2) * rng.NormFloat64() }
	var y [7]float64
	y[0] = rng.NormFloat64()                                     // image
	y[1] = 0.6*y[0] + e(0.36)                                    // expectation
	y[2] = 0.35*y[0] + 0.4*y[1] + e(0.45)                        // quality
	y[3] = 0.25*y[1] + 0.55*y[2] + e(0.5)                        // value
	y[4] = 0.15*y[0] + 0.05*y[1] + 0.45*y[2] + 0.3*y[3] + e(0.7) // satisfaction
	y[5] = -0.55*y[4] + e(0.3)                                   // complaint
	y[6] = 0.2*y[0] + 0.5*y[4] - 0.2*y[5] + e(0.55)              // loyalty
	return y
}
