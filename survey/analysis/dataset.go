package analysis

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"

	"manyi/survey"
)

// Dataset is what the analysis reads: one measurement's questionnaire, its
// districts (the strata), the completed and non-excluded responses, and
// the population figures weighting needs.
type Dataset struct {
	// Q is the questionnaire the responses answered.
	Q *survey.Questionnaire
	// Districts lists the strata in display order.
	Districts []survey.District
	// Respondents holds one entry per completed response. Entries with
	// Excluded set (quality review) are left out of every figure.
	Respondents []Respondent
	// StratumPop is the population count of each district (the fpc); nil
	// or incomplete: sampling with replacement is assumed.
	StratumPop map[string]float64
	// Census holds the calibration targets; nil: no calibration possible.
	Census *Census
	// Issued is the number of invitations issued per district, for the
	// nonresponse adjustment; nil: that adjustment is not possible.
	Issued map[string]int
}

// Respondent is one completed response with what the design needs. It
// carries no contact details.
type Respondent struct {
	// ID identifies the response (its database id as text).
	ID string
	// District is the stratum code (a survey.District code).
	District string
	// PSU is the primary sampling unit; "" means the respondent is its own.
	PSU string
	// DesignWeight is 1/π from the draw; 0 means N_h/n_h, or 1 when the
	// district's population is unknown.
	DesignWeight float64
	// InclProb is the inclusion probability π from the draw (0 unknown).
	InclProb float64
	// Mode is survey.ModeWeb, ModePhone or ModeFace.
	Mode string
	// Answers are the response's answers.
	Answers survey.Answers
	// AgeBand is the age band derived from the age item (AgeBandOf); ""
	// means unknown.
	AgeBand string
	// NonProbability marks an answer through an open link (not drawn):
	// counted and flagged in the results.
	NonProbability bool
	// Excluded marks a response the quality review set aside.
	Excluded bool
}

// DefaultAgeBands are DOMAIN.md's quota cells for residents aged 18–70.
var DefaultAgeBands = []AgeBand{{"18-29", 18, 29}, {"30-44", 30, 44}, {"45-59", 45, 59}, {"60-70", 60, 70}}

// AgeBand is a closed range of ages with its label.
type AgeBand struct {
	Label    string
	Min, Max int
}

// AgeBandOf returns the label of the band holding the respondent's age
// (the answer to the item with role "age"; an item with role "age_band"
// is used as it is), or "" when the age is missing or outside every band.
func AgeBandOf(q *survey.Questionnaire, a survey.Answers, bands []AgeBand) string {
	if bands == nil {
		bands = DefaultAgeBands
	}
	if its := q.ItemsByRole(survey.RoleAgeBand); len(its) > 0 {
		if v := first(a[its[0].ID]); v != "" {
			return v
		}
	}
	its := q.ItemsByRole(survey.RoleAge)
	if len(its) == 0 {
		return ""
	}
	x, err := strconv.ParseFloat(strings.TrimSpace(first(a[its[0].ID])), 64)
	if err != nil {
		return ""
	}
	age := int(math.Floor(x))
	for _, b := range bands {
		if age >= b.Min && age <= b.Max {
			return b.Label
		}
	}
	return ""
}

func first(vs []string) string {
	if len(vs) == 0 {
		return ""
	}
	return vs[0]
}

// used returns the respondents that are not excluded.
func (ds *Dataset) used() []Respondent {
	out := make([]Respondent, 0, len(ds.Respondents))
	for _, r := range ds.Respondents {
		if !r.Excluded {
			out = append(out, r)
		}
	}
	return out
}

// roleItemID returns the id of the (first) item with the role, or "".
func roleItemID(q *survey.Questionnaire, role string) string {
	if its := q.ItemsByRole(role); len(its) > 0 {
		return its[0].ID
	}
	return ""
}

// roleValue returns the respondent's answer to the item with the role.
func roleValue(q *survey.Questionnaire, a survey.Answers, role string) string {
	its := q.ItemsByRole(role)
	if len(its) == 0 {
		return ""
	}
	return first(a[its[0].ID])
}

// Census holds population counts by district × gender × age band: the
// calibration targets.
type Census struct {
	Cells []CensusCell
}

// CensusCell is one row of the census file.
type CensusCell struct {
	District, Gender, AgeBand string
	Count                     float64
}

// ReadCensusCSV reads a census file with the header
// district,gender,age_band,count (any column order, a UTF-8 BOM allowed).
// Errors name the row (counted from 1 after the header) and the column, in
// Chinese and English.
func ReadCensusCSV(r io.Reader) (*Census, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err == io.EOF {
		return nil, survey.Errorf(survey.EINVALID, "人口普查文件为空：需要表头 district,gender,age_band,count", "the census file is empty: want the header district,gender,age_band,count")
	}
	if err != nil {
		return nil, survey.Errorf(survey.EINVALID, "人口普查文件表头无法读取：%v", "census file header: %v", err)
	}
	col := map[string]int{}
	for j, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		col[h] = j
	}
	for _, need := range []string{"district", "gender", "age_band", "count"} {
		if _, ok := col[need]; !ok {
			return nil, survey.Errorf(survey.EINVALID, "人口普查文件缺少列 %q（需要 district,gender,age_band,count）", "the census file has no column %q (want district,gender,age_band,count)", need)
		}
	}
	c := &Census{}
	seen := map[string]int{}
	for row := 1; ; row++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, survey.Errorf(survey.EINVALID, "人口普查文件第 %d 行：%v", "census file row %d: %v", row, pe.Err)
			}
			return nil, err
		}
		get := func(name string) string {
			j := col[name]
			if j >= len(rec) {
				return ""
			}
			return strings.TrimSpace(rec[j])
		}
		cell := CensusCell{District: get("district"), Gender: get("gender"), AgeBand: get("age_band")}
		for _, f := range []struct{ name, v string }{{"district", cell.District}, {"gender", cell.Gender}, {"age_band", cell.AgeBand}} {
			if f.v == "" {
				return nil, survey.Errorf(survey.EINVALID, "人口普查文件第 %d 行：%s 列为空", "census file row %d: column %s is empty", row, f.name)
			}
		}
		n, err := strconv.ParseFloat(get("count"), 64)
		if err != nil || n < 0 || math.IsInf(n, 0) || math.IsNaN(n) {
			return nil, survey.Errorf(survey.EINVALID, "人口普查文件第 %d 行：count 列 %q 不是非负数", "census file row %d: column count %q is not a non-negative number", row, get("count"))
		}
		cell.Count = n
		key := cell.District + "|" + cell.Gender + "|" + cell.AgeBand
		if prev, dup := seen[key]; dup {
			return nil, survey.Errorf(survey.EINVALID, "人口普查文件第 %d 行：%s 与第 %d 行重复", "census file row %d: %s repeats row %d", row, key, prev)
		}
		seen[key] = row
		c.Cells = append(c.Cells, cell)
	}
	if len(c.Cells) == 0 {
		return nil, survey.Errorf(survey.EINVALID, "人口普查文件没有数据行", "the census file has no data rows")
	}
	return c, nil
}

// Totals returns the population count of every cell of the margin over the
// variables (any of "district", "gender", "age_band", in the given order),
// the cell named by joining the values with "|" as design.json does.
func (c *Census) Totals(vars []string) (map[string]float64, error) {
	out := map[string]float64{}
	parts := make([]string, len(vars))
	for _, cell := range c.Cells {
		for j, v := range vars {
			switch v {
			case "district":
				parts[j] = cell.District
			case "gender":
				parts[j] = cell.Gender
			case "age_band":
				parts[j] = cell.AgeBand
			default:
				return nil, fmt.Errorf("unknown margin variable %q", v)
			}
		}
		out[strings.Join(parts, "|")] += cell.Count
	}
	return out, nil
}

// Total returns the population size.
func (c *Census) Total() float64 {
	t := 0.0
	for _, cell := range c.Cells {
		t += cell.Count
	}
	return t
}

// sortedKeys returns a map's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// FromResponse returns the Respondent of a submitted response: its id,
// mode and answers, the district from the item with role "district" and
// the age band from the age item (DefaultAgeBands). The caller adds the
// draw's design weight, inclusion probability and PSU, and the flags.
func FromResponse(q *survey.Questionnaire, r *survey.Response) Respondent {
	return Respondent{
		ID:       strconv.FormatInt(r.ID, 10),
		District: roleValue(q, r.Answers, survey.RoleDistrict),
		Mode:     r.Mode,
		Answers:  r.Answers,
		AgeBand:  AgeBandOf(q, r.Answers, nil),
	}
}
