package csi

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/stat/distuv"

	"manyi/stats"
	"manyi/survey"
	"manyi/survey/analysis"
	"manyi/survey/sampling"
)

// Defaults of Input.
const (
	DefaultReps = 200
	DefaultSeed = 20260101
	// MinSectorN is the fewest answers a sector needs for its model.
	MinSectorN = 30
)

// Input is what Compute reads.
type Input struct {
	Measurement *survey.Measurement
	// Dataset holds the completed responses (excluded ones are left out)
	// and the census counts used as weighting targets (nil: unweighted).
	Dataset *analysis.Dataset
	// Weights are the statistician's sector weights; nil means equal.
	Weights *survey.SectorWeights
	// Prev is last year's results (Compute on last year's input), nil if
	// none: then no change is reported.
	Prev *Results
	// Reps bootstrap replicates (0: DefaultReps), Seed (0: DefaultSeed),
	// Workers (0: all cores).
	Reps    int
	Seed    uint64
	Workers int
}

// Compute fits the CCSI model per sector and combines the sectors into the
// city's CSI. For every sector with at least MinSectorN answers it
//
//  1. weights the sector's respondents: raking (stats, the residents'
//     calibration) to the census shares of the districts present in the
//     sector, and to the gender × age-band shares when every respondent's
//     gender and age band are known; without a census every respondent
//     weighs 1;
//  2. fits the PLS path model (stats.FitPLS: ModelPaths, mode A blocks of
//     the items the sector's customers saw, path scheme, standardized
//     indicators, don't know as missing replaced by the respondent's mean
//     of the block) and the construct indices on 0–100 from the 1–10 items;
//  3. bootstraps it (stats.BootstrapPLS: Reps replicates resampling
//     respondents — or their PSUs — within districts) for SEs and 95%
//     percentile intervals of indices, paths and total effects.
//
// A sector that fails (too few answers, a construct without variance, a
// model that does not converge) is reported with its reason and left out
// of the overall CSI. Compute errs only on unusable input.
func Compute(in Input) (*Results, error) {
	m, ds := in.Measurement, in.Dataset
	if m == nil || ds == nil || ds.Q == nil {
		return nil, survey.Errorf(survey.EINVALID, "缺少测评或数据", "the measurement or its data are missing")
	}
	if !m.IsService() {
		return nil, survey.Errorf(survey.EINVALID, "测评 %s 不是服务业顾客满意度测评", "measurement %s is not a service measurement", m.ID)
	}
	q := ds.Q
	si := q.SectorItem()
	if si == nil {
		return nil, survey.Errorf(survey.EINVALID, "问卷没有行业题（role sector）", `the questionnaire has no sector item (role "sector")`)
	}
	reps, seed := in.Reps, in.Seed
	if reps == 0 {
		reps = DefaultReps
	}
	if seed == 0 {
		seed = DefaultSeed
	}
	res := &Results{Reps: reps, Seed: seed}
	genderItem := ""
	if its := q.ItemsByRole(survey.RoleGender); len(its) > 0 {
		genderItem = its[0].ID
	}
	bySector := map[string][]analysis.Respondent{}
	other := 0
	for _, r := range ds.Respondents {
		if r.Excluded {
			continue
		}
		code := ""
		if v := r.Answers[si.ID]; len(v) > 0 {
			code = v[0]
		}
		if m.Sector(code) == nil {
			other++
			continue
		}
		bySector[code] = append(bySector[code], r)
	}
	if other > 0 {
		res.Notes = append(res.Notes, survey.Text{
			Zh: fmt.Sprintf("%d 份答卷未选本测评的行业，未计入。", other),
			En: fmt.Sprintf("%d responses name no sector of the measurement and are left out.", other),
		})
	}
	for si, sc := range m.Sectors {
		rs := bySector[sc.Code]
		res.N += len(rs)
		sr := fitSector(in, sc, rs, genderItem, seed+uint64(si)*7919, reps)
		res.Sectors = append(res.Sectors, sr)
	}
	combine(in, res)
	return res, nil
}

// fitSector fits one sector.
func fitSector(in Input, sc survey.Sector, rs []analysis.Respondent, genderItem string, seed uint64, reps int) *SectorResult {
	sr := &SectorResult{Sector: sc, N: len(rs)}
	fail := func(zh, en string) *SectorResult {
		sr.Failed = &survey.Text{Zh: zh, En: en}
		return sr
	}
	if len(rs) < MinSectorN {
		return fail(fmt.Sprintf("只有 %d 份有效答卷（至少需要 %d 份），未建模。", len(rs), MinSectorN),
			fmt.Sprintf("only %d responses (at least %d are needed); no model.", len(rs), MinSectorN))
	}
	q := in.Dataset.Q
	items := q.ItemsForSector(sc.Code)
	// Columns block after block, in model order; an item nobody in the
	// sector answered is left out of its block.
	var x [][]float64
	var blocks []stats.PLSBlock
	var blockItems [][]*survey.Item
	for _, c := range survey.Constructs {
		b := stats.PLSBlock{Name: c.ID, Mode: stats.PLSModeA}
		var its []*survey.Item
		for _, it := range items[c.ID] {
			col, any := column(it, rs)
			if !any {
				continue
			}
			b.Indicators = append(b.Indicators, len(x))
			x = append(x, col)
			its = append(its, it)
		}
		if len(its) == 0 {
			return fail(fmt.Sprintf("构念“%s”没有作答的题目，未建模。", c.Name.Zh), fmt.Sprintf("construct %q has no answered item; no model.", c.Name.En))
		}
		blocks = append(blocks, b)
		blockItems = append(blockItems, its)
	}
	model := stats.PLSModel{Blocks: blocks, Scheme: stats.PLSPath, Standardize: true, Missing: stats.PLSMeanReplace, IndexScale: [2]float64{1, 10}}
	for _, p := range ModelPaths {
		model.Paths = append(model.Paths, [2]int{constructIndex(p.From), constructIndex(p.To)})
	}
	w, how := sectorWeights(in, rs, genderItem)
	sr.Weighting = how
	fit, err := stats.FitPLS(x, w, model)
	if err != nil {
		return fail("模型无法估计："+err.Error(), "the model cannot be estimated: "+err.Error())
	}
	strata, psu := bootDesign(in.Dataset, rs)
	boot, err := stats.BootstrapPLS(x, w, model, stats.PLSDesign{Strata: strata, PSU: psu}, stats.PLSBootOptions{Reps: reps, Seed: seed, Workers: in.Workers})
	if err != nil {
		return fail("自助法无法计算："+err.Error(), "the bootstrap failed: "+err.Error())
	}
	sr.Iterations, sr.BootFailed, sr.GoF = fit.Iterations, boot.Failed, fit.GoF
	sat := constructIndex("satisfaction")
	for b, c := range survey.Constructs {
		cr := ConstructResult{ID: c.ID, Name: c.Name, R2: fit.R2[b]}
		if fit.Indices != nil && boot.Index != nil {
			cr.Index = bootEstimate(boot.Index[b])
		}
		cr.Effect = bootEstimate(boot.TotalEffects[sat][b])
		sr.Constructs = append(sr.Constructs, cr)
		bq := BlockQuality{Construct: c.ID, Name: c.Name, Alpha: fit.CronbachAlpha[b], CR: fit.CompositeReliability[b], AVE: fit.AVE[b], Missing: fit.Imputed[b]}
		bq.LowAlpha, bq.LowCR, bq.LowAVE = bq.Alpha < MinAlpha, bq.CR < MinCR, bq.AVE < MinAVE
		for j, it := range blockItems[b] {
			il := ItemLoading{ID: it.ID, Text: it.Text, Loading: fit.Loadings[b][j], Weight: fit.OuterWeights[b][j]}
			il.LowLoading = il.Loading < MinLoading
			bq.Items = append(bq.Items, il)
		}
		sr.Blocks = append(sr.Blocks, bq)
	}
	sr.CSI = sr.Constructs[sat].Index
	for k, p := range ModelPaths {
		e := bootEstimate(boot.Paths[k])
		sr.Paths = append(sr.Paths, PathResult{From: p.From, To: p.To, Coef: e, Significant: e.Lo > 0 || e.Hi < 0})
	}
	sr.IPM, sr.IPMChart = ipm(sr)
	sr.Districts = districtCSI(in.Dataset, rs, w, fit, sat)
	return sr
}

// column reads one item's answers as ratings; don't know, skipped and
// out-of-scale answers are NaN. any reports whether some row answered.
func column(it *survey.Item, rs []analysis.Respondent) (col []float64, any bool) {
	col = make([]float64, len(rs))
	for i, r := range rs {
		col[i] = math.NaN()
		v := r.Answers[it.ID]
		if len(v) == 0 || it.Scale == nil {
			continue
		}
		x, err := strconv.Atoi(strings.TrimSpace(v[0]))
		if err != nil || x < it.Scale.Min || x > it.Scale.Max {
			continue
		}
		col[i] = float64(x)
		any = true
	}
	return col, any
}

// bootEstimate turns a bootstrap summary into an Estimate.
func bootEstimate(b stats.PLSBootStat) Estimate {
	return Estimate{Value: b.Estimate, SE: b.SE, Lo: b.Lo, Hi: b.Hi}
}

// bootDesign numbers the districts (strata) and PSUs of the sector's
// respondents; a respondent without a PSU is its own.
func bootDesign(ds *analysis.Dataset, rs []analysis.Respondent) (strata, psu []int) {
	strata, psu = make([]int, len(rs)), make([]int, len(rs))
	sIdx, pIdx := map[string]int{}, map[string]int{}
	for i, r := range rs {
		s, ok := sIdx[r.District]
		if !ok {
			s = len(sIdx)
			sIdx[r.District] = s
		}
		strata[i] = s
		key := r.District + "\x00" + r.PSU
		if r.PSU == "" {
			key = "\x01" + strconv.Itoa(i)
		}
		p, ok := pIdx[key]
		if !ok {
			p = len(pIdx)
			pIdx[key] = p
		}
		psu[i] = p
	}
	return strata, psu
}

// sectorWeights rakes a sector's respondents to the census: district
// shares over the districts present, and gender × age band when known for
// everyone. It returns nil (every row 1) without a census.
func sectorWeights(in Input, rs []analysis.Respondent, genderItem string) ([]float64, survey.Text) {
	cen := in.Dataset.Census
	none := survey.Text{Zh: "未加权（没有人口数据）", En: "unweighted (no census figures)"}
	if cen == nil || len(cen.Cells) == 0 {
		return nil, none
	}
	n := float64(len(rs))
	distPop, cellPop := map[string]float64{}, map[string]float64{}
	for _, c := range cen.Cells {
		distPop[c.District] += c.Count
		if g, ok := sampling.NormalizeGender(c.Gender); ok && g != "" {
			cellPop[sampling.CellKey(g, c.AgeBand)] += c.Count
		}
	}
	dists, cells := make([]int, len(rs)), make([]int, len(rs))
	var dLabels, cLabels []string
	dPos, cPos := map[string]int{}, map[string]int{}
	allCells := true
	for i, r := range rs {
		d := r.District
		if distPop[d] <= 0 {
			return nil, survey.Text{Zh: "未加权（区县 " + d + " 没有人口数据）", En: "unweighted (district " + d + " has no census figure)"}
		}
		if _, ok := dPos[d]; !ok {
			dPos[d] = len(dLabels)
			dLabels = append(dLabels, d)
		}
		dists[i] = dPos[d]
		g := genderOf(in.Dataset.Q, r, genderItem)
		key := sampling.CellKey(g, r.AgeBand)
		if g == "" || r.AgeBand == "" || cellPop[key] <= 0 {
			allCells = false
			continue
		}
		if _, ok := cPos[key]; !ok {
			cPos[key] = len(cLabels)
			cLabels = append(cLabels, key)
		}
		cells[i] = cPos[key]
	}
	shares := func(labels []string, pop map[string]float64) []float64 {
		t := 0.0
		for _, l := range labels {
			t += pop[l]
		}
		out := make([]float64, len(labels))
		for k, l := range labels {
			out[k] = n * pop[l] / t
		}
		return out
	}
	margins := []stats.Margin{{Name: "district", Cells: dists, Labels: dLabels, Totals: shares(dLabels, distPop)}}
	how := survey.Text{Zh: "按区县人口比例加权（耙权）", En: "raked to the districts' population shares"}
	if allCells {
		margins = append(margins, stats.Margin{Name: "gender|age_band", Cells: cells, Labels: cLabels, Totals: shares(cLabels, cellPop)})
		how = survey.Text{Zh: "按区县及性别×年龄段人口比例加权（耙权）", En: "raked to the population shares of districts and gender × age band"}
	}
	for len(margins) > 0 {
		d, err := designOf(len(rs)).Calibrate(stats.Calibration{Method: stats.Raking, Margins: margins})
		if err == nil {
			return slices.Clone(d.Weights()), how
		}
		margins = margins[:len(margins)-1]
		how = survey.Text{Zh: "按区县人口比例加权（性别×年龄段无法加权）", En: "raked to the districts' population shares (gender × age band could not be met)"}
	}
	return nil, none
}

// designOf is an equal-weight design of n rows, each its own PSU.
func designOf(n int) *stats.Design {
	w := make([]float64, n)
	for i := range w {
		w[i] = 1
	}
	d, err := stats.NewDesign(stats.DesignSpec{Weights: w})
	if err != nil {
		panic("csi: equal-weight design: " + err.Error())
	}
	return d
}

// genderOf reads a respondent's gender (male, female or "").
func genderOf(q *survey.Questionnaire, r analysis.Respondent, item string) string {
	if item == "" || len(r.Answers[item]) == 0 {
		return ""
	}
	v := r.Answers[item][0]
	if g, ok := sampling.NormalizeGender(v); ok && g != "" {
		return g
	}
	if it, _ := q.Item(item); it != nil {
		for _, c := range it.Choices {
			if c.Code == v {
				for _, s := range []string{c.Label.Zh, c.Label.En} {
					if g, ok := sampling.NormalizeGender(s); ok && g != "" {
						return g
					}
				}
			}
		}
	}
	return ""
}

// ipm builds the importance–performance matrix of the drivers: importance
// is the driver's share of the positive total effects on satisfaction,
// performance its index.
func ipm(sr *SectorResult) ([]analysis.Importance, string) {
	var xs []analysis.Importance
	sum := 0.0
	for _, id := range Drivers {
		c := sr.Construct(id)
		x := analysis.Importance{ID: id, Label: c.Name, Coef: c.Effect.Value, SE: c.Effect.SE, Score: c.Index.Value}
		if x.Coef > 0 {
			sum += x.Coef
		} else {
			x.Negative = true
		}
		xs = append(xs, x)
	}
	for i := range xs {
		if !xs[i].Negative && sum > 0 {
			xs[i].Share = xs[i].Coef / sum
		}
	}
	share := func(x analysis.Importance) float64 { return x.Share }
	analysis.Zones(xs, share)
	title := survey.Text{Zh: sr.Sector.Name.Zh + "：重要性—表现矩阵", En: sr.Sector.Name.En + ": importance–performance"}
	return xs, analysis.IPAChart(xs, share, title)
}

// districtCSI is the sector's satisfaction index by district: the weighted
// mean of the respondents' satisfaction scores (stats IndexScores) with a
// design-based SE (strata = districts, the outer weights held fixed).
func districtCSI(ds *analysis.Dataset, rs []analysis.Respondent, w []float64, fit *stats.PLSResult, sat int) []DistrictCSI {
	scores, err := fit.IndexScores(1, 10)
	if err != nil {
		return nil
	}
	y := scores[sat]
	strata, psu := bootDesign(ds, rs)
	d, err := stats.NewDesign(stats.DesignSpec{Strata: strata, Stages: []stats.Stage{{IDs: psu}}, Weights: w, Lonely: stats.LonelyAdjust})
	if err != nil {
		return nil
	}
	all, err := d.Mean(y, stats.Whole())
	if err != nil {
		return nil
	}
	var out []DistrictCSI
	for _, dist := range ds.Districts {
		in := make([]bool, len(rs))
		k := 0
		for i, r := range rs {
			if r.District == dist.Code {
				in[i] = true
				k++
			}
		}
		if k == 0 {
			continue
		}
		es, err := d.Mean(y, stats.Subset(in))
		if err != nil || len(es) == 0 {
			continue
		}
		e := normalEstimate(es[0].Value, es[0].SE)
		out = append(out, DistrictCSI{District: dist, N: k, CSI: e, Diff: e.Value - all[0].Value})
	}
	return out
}

func normalEstimate(v, se float64) Estimate {
	return Estimate{Value: v, SE: se, Lo: v - z95*se, Hi: v + z95*se}
}

// z95 is the normal 97.5% quantile.
var z95 = distuv.UnitNormal.Quantile(0.975)

// change compares a figure with last year's from independent samples.
func change(now, prev Estimate) *Change {
	c := &Change{Prev: prev.Value, Diff: now.Value - prev.Value, SE: math.Hypot(now.SE, prev.SE)}
	if c.SE > 0 {
		c.Z = c.Diff / c.SE
		c.P = 2 * distuv.UnitNormal.Survival(math.Abs(c.Z))
		c.Significant = c.P < 0.05
	} else {
		c.P = math.NaN()
	}
	return c
}

// combine computes the overall CSI, the district comparison and the
// changes on last year.
func combine(in Input, res *Results) {
	var ok []*SectorResult
	for _, s := range res.Sectors {
		if s.Failed == nil {
			ok = append(ok, s)
		}
	}
	raw := map[string]float64{}
	if in.Weights != nil && len(in.Weights.Weights) > 0 {
		res.WeightsBasis = in.Weights.Basis
		for _, s := range ok {
			raw[s.Sector.Code] = in.Weights.Weights[s.Sector.Code]
		}
	} else {
		res.EqualWeights = true
		for _, s := range ok {
			raw[s.Sector.Code] = 1
		}
	}
	t := 0.0
	for _, v := range raw {
		t += v
	}
	res.Weights = map[string]float64{}
	if t > 0 {
		v, vv := 0.0, 0.0
		for _, s := range ok {
			a := raw[s.Sector.Code] / t
			res.Weights[s.Sector.Code] = a
			v += a * s.CSI.Value
			vv += a * a * s.CSI.SE * s.CSI.SE
		}
		res.Overall = normalEstimate(v, math.Sqrt(vv))
	} else {
		res.Overall = Estimate{Value: math.NaN(), SE: math.NaN(), Lo: math.NaN(), Hi: math.NaN()}
		res.Notes = append(res.Notes, survey.Text{Zh: "没有可合成的行业指数，全市指数无法计算。", En: "no sector index to combine; the city's CSI cannot be computed."})
	}
	// District comparison over sectors.
	for _, d := range in.Measurement.Districts {
		v, vv, aw, n := 0.0, 0.0, 0.0, 0
		for _, s := range ok {
			for _, dc := range s.Districts {
				if dc.District.Code == d.Code {
					a := res.Weights[s.Sector.Code]
					v += a * dc.CSI.Value
					vv += a * a * dc.CSI.SE * dc.CSI.SE
					aw += a
					n += dc.N
				}
			}
		}
		if aw == 0 {
			continue
		}
		e := normalEstimate(v/aw, math.Sqrt(vv)/aw)
		res.Districts = append(res.Districts, DistrictCSI{District: d, N: n, CSI: e, Diff: e.Value - res.Overall.Value})
	}
	sort.SliceStable(res.Districts, func(i, j int) bool { return res.Districts[i].CSI.Value > res.Districts[j].CSI.Value })
	if in.Prev == nil {
		return
	}
	if !math.IsNaN(in.Prev.Overall.Value) && !math.IsNaN(res.Overall.Value) {
		res.OverallChange = change(res.Overall, in.Prev.Overall)
	}
	for _, s := range ok {
		p := in.Prev.Sector(s.Sector.Code)
		if p == nil || p.Failed != nil {
			continue
		}
		s.Change = change(s.CSI, p.CSI)
		for i := range s.Constructs {
			if pc := p.Construct(s.Constructs[i].ID); pc != nil {
				s.Constructs[i].Change = change(s.Constructs[i].Index, pc.Index)
			}
		}
	}
}
