package analysis

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"manyi/stats"
	"manyi/survey"
	"manyi/survey/estimate"
)

// Calibration methods of a WeightingSpec.
const (
	CalNone         = "none"
	CalPostStratify = "poststratify"
	CalRaking       = "raking"
	CalLinear       = "linear"
)

// Margin variables a WeightingSpec may calibrate on (census columns).
const (
	VarDistrict = "district"
	VarGender   = "gender"
	VarAgeBand  = "age_band"
)

// WeightingSpec is how a measurement's responses are weighted. It is saved
// in versions as JSON; Validate checks it.
type WeightingSpec struct {
	// DesignWeights uses the draw's weights 1/π; false: every respondent 1.
	DesignWeights bool `json:"design_weights"`
	// Nonresponse multiplies the weights of district h by issued_h / n_h
	// (the inverse of its response rate); needs Dataset.Issued.
	Nonresponse bool `json:"nonresponse"`
	// Calibration is none, poststratify, raking or linear.
	Calibration string `json:"calibration"`
	// Margins lists the calibration margins, each a list of census
	// variables (district, gender, age_band): ["gender","age_band"] is the
	// joint margin, [["gender"],["age_band"]] the two separately.
	Margins [][]string `json:"margins,omitempty"`
	// Bounds, when set, is [L, U] on g = calibrated weight / input weight.
	Bounds []float64 `json:"bounds,omitempty"`
	// TrimK caps the input weights at TrimK × their median, spreading the
	// excess over the others, repeated until no weight exceeds the cap;
	// 0: no trimming.
	TrimK float64 `json:"trim_k,omitempty"`
	// Epsilon is the calibration tolerance (0: 1e-10, as R).
	Epsilon float64 `json:"epsilon,omitempty"`
	// MaxIt caps the calibration iterations (0: 100).
	MaxIt int `json:"maxit,omitempty"`
}

// DefaultWeightingSpec returns the default: design weights, raking to
// district and gender × age band, R's tolerance.
func DefaultWeightingSpec() WeightingSpec {
	return WeightingSpec{
		DesignWeights: true,
		Calibration:   CalRaking,
		Margins:       [][]string{{VarDistrict}, {VarGender, VarAgeBand}},
		Epsilon:       1e-10,
		MaxIt:         100,
	}
}

// Validate checks the specification; the *survey.Error carries one
// FieldError per wrong field, named as in the JSON.
func (s WeightingSpec) Validate() error {
	var fields []survey.FieldError
	add := func(field, zh, en string, args ...any) {
		fields = append(fields, survey.FieldError{Field: field, Message: survey.Text{Zh: fmt.Sprintf(zh, args...), En: fmt.Sprintf(en, args...)}})
	}
	switch s.Calibration {
	case CalNone, "":
		if len(s.Margins) > 0 {
			add("margins", "未选择校准方法时不能指定校准边际", "margins need a calibration method")
		}
		if s.Bounds != nil {
			add("bounds", "未选择校准方法时不能指定权数比界限", "bounds need a calibration method")
		}
	case CalPostStratify, CalRaking, CalLinear:
		if len(s.Margins) == 0 {
			add("margins", "请至少选择一个校准边际", "choose at least one calibration margin")
		}
		if s.Calibration == CalPostStratify && len(s.Margins) > 1 {
			add("margins", "事后分层只能使用一个边际（可为交叉边际，如 gender×age_band）", "post-stratification takes one margin (a joint one such as gender×age_band is fine)")
		}
		if s.Calibration == CalPostStratify && s.Bounds != nil {
			add("bounds", "事后分层不能设权数比界限", "post-stratification takes no bounds")
		}
	default:
		add("calibration", "校准方法 %q 无效：应为 none、poststratify、raking 或 linear", "calibration %q is not none, poststratify, raking or linear", s.Calibration)
	}
	for k, m := range s.Margins {
		field := fmt.Sprintf("margins[%d]", k)
		if len(m) == 0 {
			add(field, "边际为空", "the margin is empty")
		}
		seen := map[string]bool{}
		for _, v := range m {
			switch v {
			case VarDistrict, VarGender, VarAgeBand:
			default:
				add(field, "边际变量 %q 无效：应为 district、gender 或 age_band", "margin variable %q is not district, gender or age_band", v)
			}
			if seen[v] {
				add(field, "边际变量 %q 重复", "margin variable %q appears twice", v)
			}
			seen[v] = true
		}
	}
	if s.Bounds != nil {
		if len(s.Bounds) != 2 || !(s.Bounds[0] >= 0 && s.Bounds[0] < 1 && s.Bounds[1] > 1) || math.IsInf(s.Bounds[1], 0) {
			add("bounds", "权数比界限应为 [L, U]，且 0 ≤ L < 1 < U，当前为 %v", "bounds must be [L, U] with 0 ≤ L < 1 < U, got %v", s.Bounds)
		}
	}
	if s.TrimK != 0 && !(s.TrimK > 1 && s.TrimK < 1e6) {
		add("trim_k", "截尾倍数应大于 1（权数上限 = 倍数 × 中位数），当前为 %v", "trim_k must be greater than 1 (cap = trim_k × median weight), got %v", s.TrimK)
	}
	if s.Epsilon < 0 || s.Epsilon > 1e-3 || math.IsNaN(s.Epsilon) {
		add("epsilon", "收敛精度应在 0 与 0.001 之间，当前为 %v", "epsilon must be between 0 and 0.001, got %v", s.Epsilon)
	}
	if s.MaxIt < 0 || s.MaxIt > 10000 {
		add("maxit", "最大迭代次数应在 1 与 10000 之间，当前为 %d", "maxit must be between 1 and 10000, got %d", s.MaxIt)
	}
	if len(fields) == 0 {
		return nil
	}
	var zh, en []string
	for _, f := range fields {
		zh = append(zh, f.Field+"："+f.Message.Zh)
		en = append(en, f.Field+": "+f.Message.En)
	}
	return &survey.Error{Code: survey.EINVALID, Message: survey.Text{Zh: "加权设置有误：" + strings.Join(zh, "；"), En: "weighting: " + strings.Join(en, "; ")}, Fields: fields}
}

// marginColumn maps a census variable to its data.csv column.
var marginColumn = map[string]string{VarDistrict: colDistrict, VarGender: colGender, VarAgeBand: colAgeBand}

// inputWeights returns the weights that enter calibration: design
// weights (or 1), the nonresponse adjustment and trimming, with the number
// of weights capped and the trimming rounds.
func inputWeights(ds *Dataset, rs []Respondent, s WeightingSpec) (w, base []float64, trimmed, rounds int, err error) {
	n := len(rs)
	count := map[string]int{}
	for _, r := range rs {
		count[r.District]++
	}
	w = make([]float64, n)
	base = make([]float64, n)
	for i, r := range rs {
		d := 1.0
		if s.DesignWeights {
			switch {
			case r.DesignWeight > 0:
				d = r.DesignWeight
			case r.InclProb > 0:
				d = 1 / r.InclProb
			case ds.StratumPop[r.District] > 0:
				d = ds.StratumPop[r.District] / float64(count[r.District])
			}
		}
		base[i] = d
		w[i] = d
	}
	if s.Nonresponse {
		if ds.Issued == nil {
			return nil, nil, 0, 0, survey.Errorf(survey.EINVALID, "无响应调整需要各区县的发放样本量，但没有提供", "the nonresponse adjustment needs the number issued per district, and none was given")
		}
		for i, r := range rs {
			iss := ds.Issued[r.District]
			if iss < count[r.District] {
				return nil, nil, 0, 0, survey.Errorf(survey.EINVALID, "无响应调整：区县 %s 的发放数 %d 少于完成数 %d", "nonresponse adjustment: district %s has %d issued but %d completed", r.District, iss, count[r.District])
			}
			w[i] *= float64(iss) / float64(count[r.District])
		}
	}
	if s.TrimK > 0 {
		trimmed, rounds = trim(w, s.TrimK)
	}
	return w, base, trimmed, rounds, nil
}

// trim caps weights at k × median and spreads the excess proportionally
// over the uncapped weights, so the total is kept; the median is taken
// again after each round, until no weight is above the cap (at most 50
// rounds). It returns how many weights were capped and the rounds.
func trim(w []float64, k float64) (capped, rounds int) {
	hit := make([]bool, len(w))
	for rounds = 1; rounds <= 50; rounds++ {
		limit := k * quantile(sortedCopy(w), 0.5)
		excess, rest := 0.0, 0.0
		for i, v := range w {
			if v > limit*(1+1e-12) {
				excess += v - limit
				hit[i] = true
			} else if v < limit {
				rest += v
			}
		}
		if excess == 0 || rest == 0 {
			break
		}
		f := 1 + excess/rest
		for i, v := range w {
			if v > limit {
				w[i] = limit
			} else if v < limit {
				// A weight pushed over the cap is capped next round.
				w[i] = v * f
			}
		}
	}
	for _, h := range hit {
		if h {
			capped++
		}
	}
	return capped, min(rounds, 50)
}

func sortedCopy(x []float64) []float64 {
	s := slices.Clone(x)
	slices.Sort(s)
	return s
}

// quantile returns the type-7 quantile (R's default) of sorted data.
func quantile(s []float64, p float64) float64 {
	if len(s) == 0 {
		return math.NaN()
	}
	h := p * float64(len(s)-1)
	lo := int(math.Floor(h))
	if lo+1 >= len(s) {
		return s[len(s)-1]
	}
	return s[lo] + (h-float64(lo))*(s[lo+1]-s[lo])
}

// calibration returns design.json's calibration block for the spec, after
// checking that every margin can be met: every cell in the sample has a
// census total and every populated census cell has sampled respondents.
// Errors name the margin and the cell.
func calibration(ds *Dataset, rs []Respondent, s WeightingSpec) (*estimate.Calibration, error) {
	if s.Calibration == CalNone || s.Calibration == "" {
		return nil, nil
	}
	if ds.Census == nil {
		return nil, survey.Errorf(survey.EINVALID, "校准需要人口普查边际，但尚未导入", "calibration needs census margins, and none have been imported")
	}
	cal := &estimate.Calibration{Method: s.Calibration, Bounds: s.Bounds, Epsilon: s.Epsilon, MaxIter: s.MaxIt}
	for _, vars := range s.Margins {
		name := strings.Join(vars, "×")
		totals, err := ds.Census.Totals(vars)
		if err != nil {
			return nil, err
		}
		sample := map[string]int{}
		genderID := roleItemID(ds.Q, survey.RoleGender)
		parts := make([]string, len(vars))
		for _, r := range rs {
			for j, v := range vars {
				parts[j] = respondentVar(r, v, genderID)
				if parts[j] == "" {
					return nil, survey.Errorf(survey.EINVALID, "校准边际 %s：答卷 %s 缺少 %s，无法归入任何单元", "calibration margin %s: response %s has no %s, so it falls in no cell", name, r.ID, v)
				}
			}
			sample[strings.Join(parts, "|")]++
		}
		for _, cell := range sortedKeys(sample) {
			if totals[cell] <= 0 {
				return nil, &MarginError{Margin: name, Cell: cell, Reason: survey.Text{
					Zh: fmt.Sprintf("样本中有 %d 份答卷，但人口普查中该单元人数为 0 或缺失", sample[cell]),
					En: fmt.Sprintf("has %d responses but no census count", sample[cell])}}
			}
		}
		kept := map[string]float64{}
		for _, cell := range sortedKeys(totals) {
			t := totals[cell]
			if t > 0 && sample[cell] == 0 {
				return nil, &MarginError{Margin: name, Cell: cell, Reason: survey.Text{
					Zh: fmt.Sprintf("人口普查中有 %.0f 人，但样本中没有答卷，无法达到该目标（可合并单元或改用分开的边际）", t),
					En: fmt.Sprintf("has a census count of %.0f but no responses, so the target cannot be met (merge cells or use separate margins)", t)}}
			}
			if t > 0 {
				kept[cell] = t
			}
		}
		cols := make([]string, len(vars))
		for j, v := range vars {
			cols[j] = marginColumn[v]
		}
		cal.Margins = append(cal.Margins, estimate.Margin{Variables: cols, Totals: kept})
	}
	return cal, nil
}

// respondentVar returns the respondent's value of a census variable.
func respondentVar(r Respondent, v, genderID string) string {
	switch v {
	case VarDistrict:
		return r.District
	case VarGender:
		return first(r.Answers[genderID])
	case VarAgeBand:
		return r.AgeBand
	}
	return ""
}

// MarginError says which calibration margin and cell cannot be met.
type MarginError struct {
	Margin string
	Cell   string
	Reason survey.Text
}

// Error implements error (English, for logs).
func (e *MarginError) Error() string {
	return fmt.Sprintf("calibration margin %s, cell %s: %s", e.Margin, e.Cell, e.Reason.En)
}

// SurveyError returns the error as a *survey.Error for the user, in both
// languages.
func (e *MarginError) SurveyError() *survey.Error {
	return &survey.Error{Code: survey.EINVALID, Message: survey.Text{
		Zh: fmt.Sprintf("校准边际 %s 的单元 %s：%s", e.Margin, e.Cell, e.Reason.Zh),
		En: e.Error()}}
}

// Diagnostics describes the final weights and how well calibration met
// its targets.
type Diagnostics struct {
	// N is the number of respondents weighted.
	N int `json:"n"`
	// Sum is the total of the final weights (the population they stand for).
	Sum float64 `json:"sum"`
	// Min, Q1, Median, Q3 and Max summarise the final weights.
	Min    float64 `json:"min"`
	Q1     float64 `json:"q1"`
	Median float64 `json:"median"`
	Q3     float64 `json:"q3"`
	Max    float64 `json:"max"`
	// Histogram bins the final weights into equal-width bins.
	Histogram []Bin `json:"histogram"`
	// Ratio is Max / Min.
	Ratio float64 `json:"ratio"`
	// Deff is Kish's design effect due to weighting, 1 + CV² = n Σw²/(Σw)².
	Deff float64 `json:"deff"`
	// EffectiveN is (Σw)²/Σw² (stats.EffectiveSampleSize).
	EffectiveN float64 `json:"effective_n"`
	// Margins compares, per calibration margin and cell, the weighted
	// count before calibration, after it and the census target.
	Margins []MarginCheck `json:"margins,omitempty"`
	// Trimmed is how many input weights were capped; TrimRounds the rounds.
	Trimmed    int `json:"trimmed"`
	TrimRounds int `json:"trim_rounds"`
	// Iterations is the calibration's Newton iterations to convergence
	// (stats.Design.CalibrationIterations): 0 for the closed forms
	// (post-stratification, linear without bounds), −1 without
	// calibration. Failing to converge within maxit is an error naming
	// the cell furthest from its target.
	Iterations int `json:"iterations"`
	// Converged says calibration met every target within epsilon (true
	// without calibration).
	Converged bool `json:"converged"`
}

// Bin is one histogram bin [Lo, Hi).
type Bin struct {
	Lo    float64 `json:"lo"`
	Hi    float64 `json:"hi"`
	Count int     `json:"count"`
}

// MarginCheck is one margin's cells.
type MarginCheck struct {
	Margin string      `json:"margin"`
	Cells  []CellCheck `json:"cells"`
}

// CellCheck compares one cell's weighted count with its target.
type CellCheck struct {
	Cell     string  `json:"cell"`
	Target   float64 `json:"target"`
	Before   float64 `json:"before"`
	Achieved float64 `json:"achieved"`
}

// diagnose describes the final weights.
func diagnose(final, input []float64, t *estimate.Table, cal *estimate.Calibration) Diagnostics {
	d := Diagnostics{N: len(final), Iterations: -1, Converged: true}
	if len(final) == 0 {
		return d
	}
	s := sortedCopy(final)
	d.Min, d.Q1, d.Median, d.Q3, d.Max = s[0], quantile(s, 0.25), quantile(s, 0.5), quantile(s, 0.75), s[len(s)-1]
	d.Ratio = d.Max / d.Min
	sum, sum2 := 0.0, 0.0
	for _, v := range final {
		sum += v
		sum2 += v * v
	}
	d.Sum = sum
	d.Deff = float64(len(final)) * sum2 / (sum * sum)
	d.EffectiveN = stats.EffectiveSampleSize(final)
	const bins = 20
	width := (d.Max - d.Min) / bins
	if width == 0 {
		d.Histogram = []Bin{{Lo: d.Min, Hi: d.Max, Count: len(final)}}
	} else {
		d.Histogram = make([]Bin, bins)
		for b := range d.Histogram {
			d.Histogram[b] = Bin{Lo: d.Min + float64(b)*width, Hi: d.Min + float64(b+1)*width}
		}
		for _, v := range final {
			b := min(int((v-d.Min)/width), bins-1)
			d.Histogram[b].Count++
		}
	}
	if cal == nil {
		return d
	}
	for _, m := range cal.Margins {
		cols := make([]*estimate.Column, len(m.Variables))
		for j, v := range m.Variables {
			cols[j] = t.Column(v)
		}
		before, after := map[string]float64{}, map[string]float64{}
		parts := make([]string, len(cols))
		for i := range final {
			for j, c := range cols {
				parts[j] = c.Text(i)
			}
			k := strings.Join(parts, "|")
			before[k] += input[i]
			after[k] += final[i]
		}
		mc := MarginCheck{Margin: strings.Join(m.Variables, "×")}
		for _, cell := range sortedKeys(m.Totals) {
			tgt := m.Totals[cell]
			mc.Cells = append(mc.Cells, CellCheck{Cell: cell, Target: tgt, Before: before[cell], Achieved: after[cell]})
			eps := cal.Epsilon
			if eps == 0 {
				eps = 1e-10
			}
			if math.Abs(after[cell]-tgt)/(1+tgt) > math.Max(eps, 1e-9)*10 {
				d.Converged = false
			}
		}
		d.Margins = append(d.Margins, mc)
	}
	return d
}
