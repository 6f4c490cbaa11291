package sampling

import (
	"encoding/json"
	"errors"
	"io"
	"math"
	"strings"

	"manyi/survey"
)

// Allocation methods of a Plan.
const (
	Proportional = "proportional" // n_h ∝ N_h
	Equal        = "equal"        // n_h ∝ 1
	Neyman       = "neyman"       // n_h ∝ N_h·S_h, S_h from Plan.SD
	Fixed        = "fixed"        // n_h = Plan.Sizes[h]
	// PerCell gives every sector × district cell Plan.PerCell cases (all of
	// a smaller cell), or spreads Plan.SectorTotals[sector] over the
	// sector's districts in proportion to N_h; see Allocate.
	PerCell = "per_cell"
)

// StratumSectorDistrict is the stratum of a service measurement's
// invitation lists: the cells are sector × district, keyed by SectorCell.
const StratumSectorDistrict = "sector_district"

// DefaultReserveBatches is the number of batches the reserve sample is split
// into when a plan does not say: two lets the office release half the
// reserve, look at the response, and release the rest only if needed.
const DefaultReserveBatches = 2

// Plan is a sampling plan, read from JSON exactly as written in
// docs/FIELDWORK.md:
//
//	{"stratum": "district", "total": 2000, "allocation": "proportional",
//	 "floor": 150, "cap": 600, "reserve": 0.2}
type Plan struct {
	// Stratum is the frame column that defines the strata; "" means
	// ColDistrict. One of district, gender, age_band, sector_district
	// (StratumSectorDistrict).
	Stratum string `json:"stratum"`
	// Total is the main sample size over all strata. For Fixed it may be 0
	// (the sum of Sizes); otherwise it must equal that sum.
	Total int `json:"total"`
	// Allocation is Proportional, Equal, Neyman, Fixed or PerCell.
	Allocation string `json:"allocation"`
	// Floor and Cap bound each stratum's n_h; 0 means no floor / no cap.
	// A stratum with fewer units than the floor takes all its units.
	Floor int `json:"floor,omitempty"`
	Cap   int `json:"cap,omitempty"`
	// Reserve is the reserve sample per stratum as a share of n_h (0.2:
	// round(0.2·n_h) reserve cases), drawn from the units not in the main
	// sample and released in ReserveBatches batches.
	Reserve        float64 `json:"reserve,omitempty"`
	ReserveBatches int     `json:"reserve_batches,omitempty"`
	// SD holds last year's standard deviation per stratum, for Neyman.
	SD map[string]float64 `json:"sd,omitempty"`
	// Sizes holds each stratum's n_h, for Fixed.
	Sizes map[string]int `json:"sizes,omitempty"`
	// Districts optionally lists the known districts: frame rows with any
	// other district are rejected as unknown.
	Districts []string `json:"districts,omitempty"`
	// PerCell is each sector × district cell's n_h, for PerCell; a cell
	// with fewer units takes them all.
	PerCell int `json:"per_cell,omitempty"`
	// SectorTotals optionally gives a sector's total, for PerCell: it is
	// spread over the sector's districts in proportion to N_h, with Floor
	// and Cap per cell, instead of PerCell per cell.
	SectorTotals map[string]int `json:"sector_totals,omitempty"`
}

// SectorCell is the key of a sector × district cell: "retail|d01".
func SectorCell(sector, district string) string { return sector + "|" + district }

// SplitSectorCell splits a SectorCell key; ok is false unless the key has
// exactly one "|" with a sector and a district on either side.
func SplitSectorCell(key string) (sector, district string, ok bool) {
	sector, district, found := strings.Cut(key, "|")
	if !found || sector == "" || district == "" || strings.Contains(district, "|") {
		return "", "", false
	}
	return sector, district, true
}

// StratumValue returns the unit's stratum for the plan column stratum:
// the SectorCell key for StratumSectorDistrict, otherwise u.Field.
func StratumValue(u *Unit, stratum string) string {
	if stratum == StratumSectorDistrict {
		return SectorCell(u.Sector, u.District)
	}
	return u.Field(stratum)
}

// StratumCounts is Frame.Counts for any plan stratum, including
// StratumSectorDistrict (whose cells are only those with units).
func StratumCounts(f *Frame, stratum string) map[string]int {
	if stratum != StratumSectorDistrict {
		return f.Counts(stratum)
	}
	c := make(map[string]int)
	for i := range f.Units {
		c[StratumValue(&f.Units[i], stratum)]++
	}
	return c
}

// ParsePlan reads one plan as JSON, strictly: an unknown field, a value of
// the wrong type or trailing data is an error naming the field. It also
// checks the plan with Validate.
func ParsePlan(r io.Reader) (Plan, error) {
	var p Plan
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return Plan{}, planJSONError(err)
	}
	if dec.More() {
		return Plan{}, survey.Errorf(survey.EINVALID, "抽样方案在 JSON 对象之后还有多余内容", "the plan has extra data after its JSON object")
	}
	if _, err := dec.Token(); err != io.EOF {
		return Plan{}, survey.Errorf(survey.EINVALID, "抽样方案在 JSON 对象之后还有多余内容", "the plan has extra data after its JSON object")
	}
	return p, p.Validate()
}

func planJSONError(err error) error {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	msg := err.Error()
	switch {
	case errors.As(err, &te):
		return survey.Errorf(survey.EINVALID, "抽样方案的字段“%s”类型不对（应为 %s）", "plan field %q has the wrong type (want %s)", te.Field, te.Type.String())
	case errors.As(err, &se):
		return survey.Errorf(survey.EINVALID, "抽样方案不是有效的 JSON（第 %d 字节）：%v", "the plan is not valid JSON (byte %d): %v", se.Offset, se)
	case strings.HasPrefix(msg, "json: unknown field "):
		f := strings.TrimPrefix(msg, "json: unknown field ")
		return survey.Errorf(survey.EINVALID, "抽样方案有未知字段 %s（可用：stratum、total、allocation、floor、cap、reserve、reserve_batches、sd、sizes、districts、per_cell、sector_totals）", "the plan has an unknown field %s (known: stratum, total, allocation, floor, cap, reserve, reserve_batches, sd, sizes, districts, per_cell, sector_totals)", f)
	case errors.Is(err, io.EOF):
		return survey.Errorf(survey.EINVALID, "抽样方案为空", "the plan is empty")
	}
	return survey.Errorf(survey.EINVALID, "抽样方案无法读取：%v", "the plan cannot be read: %v", err)
}

// Validate checks the plan on its own, before any frame is seen.
func (p *Plan) Validate() error {
	bad := func(zh, en string, args ...any) error { return survey.Errorf(survey.EINVALID, zh, en, args...) }
	switch p.Stratum {
	case "", ColDistrict, ColGender, ColAgeBand, StratumSectorDistrict:
	default:
		return bad("stratum“%s”不可用（应为 district、gender、age_band 或 sector_district）", "stratum %q is not usable (want district, gender, age_band or sector_district)", p.Stratum)
	}
	switch p.Allocation {
	case Proportional, Equal, Neyman, Fixed, PerCell:
	case "":
		return bad("抽样方案缺少 allocation（proportional、equal、neyman、fixed 或 per_cell）", "the plan has no allocation (proportional, equal, neyman, fixed or per_cell)")
	default:
		return bad("allocation“%s”未知（应为 proportional、equal、neyman、fixed 或 per_cell）", "unknown allocation %q (want proportional, equal, neyman, fixed or per_cell)", p.Allocation)
	}
	if err := p.validatePerCell(); err != nil {
		return err
	}
	if p.Total < 0 || (p.Total == 0 && p.Allocation != Fixed && p.Allocation != PerCell) {
		return bad("total 必须为正整数", "total must be a positive integer")
	}
	if p.Floor < 0 || p.Cap < 0 {
		return bad("floor 和 cap 不能为负数", "floor and cap must not be negative")
	}
	if p.Cap > 0 && p.Floor > p.Cap {
		return bad("floor（%d）大于 cap（%d）", "floor (%d) is above cap (%d)", p.Floor, p.Cap)
	}
	if p.Reserve < 0 || p.Reserve > 10 || math.IsNaN(p.Reserve) {
		return bad("reserve 必须在 0 到 10 之间（预备样本占主样本的比例）", "reserve must be between 0 and 10 (the reserve as a share of the main sample)")
	}
	if p.ReserveBatches < 0 {
		return bad("reserve_batches 不能为负数", "reserve_batches must not be negative")
	}
	if p.Allocation == Neyman && len(p.SD) == 0 {
		return bad("neyman 分配需要 sd（各层去年的标准差）", "neyman allocation needs sd (each stratum's standard deviation from last year)")
	}
	if p.Allocation != Neyman && len(p.SD) > 0 {
		return bad("只有 neyman 分配使用 sd", "sd is only used by neyman allocation")
	}
	for h, s := range p.SD {
		if s < 0 || math.IsNaN(s) || math.IsInf(s, 0) {
			return bad("层“%s”的 sd 必须是非负数", "sd of stratum %q must be a non-negative number", h)
		}
	}
	if p.Allocation == Fixed && len(p.Sizes) == 0 {
		return bad("fixed 分配需要 sizes（各层样本量）", "fixed allocation needs sizes (each stratum's sample size)")
	}
	if p.Allocation != Fixed && len(p.Sizes) > 0 {
		return bad("只有 fixed 分配使用 sizes", "sizes is only used by fixed allocation")
	}
	sum := 0
	for h, n := range p.Sizes {
		if n < 0 {
			return bad("层“%s”的样本量不能为负数", "size of stratum %q must not be negative", h)
		}
		sum += n
	}
	if p.Allocation == Fixed && p.Total != 0 && p.Total != sum {
		return bad("total（%d）与 sizes 之和（%d）不等", "total (%d) differs from the sum of sizes (%d)", p.Total, sum)
	}
	return nil
}

// validatePerCell checks per_cell and sector_totals.
func (p *Plan) validatePerCell() error {
	bad := func(zh, en string, args ...any) error { return survey.Errorf(survey.EINVALID, zh, en, args...) }
	if len(p.SectorTotals) > 0 && p.Stratum != StratumSectorDistrict {
		return bad("sector_totals 只能用于 stratum sector_district", "sector_totals is only used with stratum sector_district")
	}
	if p.Allocation != PerCell {
		switch {
		case p.PerCell != 0:
			return bad("只有 per_cell 分配使用 per_cell", "per_cell is only used by per_cell allocation")
		case len(p.SectorTotals) > 0:
			return bad("只有 per_cell 分配使用 sector_totals", "sector_totals is only used by per_cell allocation")
		}
		return nil
	}
	if p.Stratum != StratumSectorDistrict {
		return bad("per_cell 分配需要 stratum sector_district（行业 × 区县）", "per_cell allocation needs stratum sector_district (sector × district)")
	}
	if p.PerCell <= 0 {
		return bad("per_cell 必须大于 0（每个行业 × 区县格的样本量）", "per_cell must be > 0 (the sample size of each sector × district cell)")
	}
	for _, s := range sortedKeys(p.SectorTotals) {
		if n := p.SectorTotals[s]; n <= 0 {
			return bad("sector_totals 中行业“%s”的样本量必须大于 0", "sector_totals: the total of sector %q must be > 0", s)
		}
		if s == "" || strings.Contains(s, "|") {
			return bad("sector_totals 中的行业代码“%s”无效", "sector_totals: sector code %q is not valid", s)
		}
	}
	return nil
}

// StratumColumn returns the frame column of the strata: Stratum, or
// ColDistrict when it is empty.
func (p *Plan) StratumColumn() string {
	if p.Stratum == "" {
		return ColDistrict
	}
	return p.Stratum
}

// batches returns the number of reserve batches.
func (p *Plan) batches() int {
	if p.ReserveBatches == 0 {
		return DefaultReserveBatches
	}
	return p.ReserveBatches
}
