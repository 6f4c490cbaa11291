package web

import (
	"cmp"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v5"

	"manyi/survey"
	"manyi/survey/fieldwork"
	"manyi/survey/sampling"
)

// sampleForm is the sample page's form, by field name: allocation,
// total, floor, cap, reserve, reserve_batches, seed, sizes (fixed: one
// "district n" per line), sd (neyman: one "district sd" per line),
// redraw, action (preview or draw). A service measurement's form is
// stratified by sector × district and adds per_cell (n per cell) and
// sector_totals (one "code=n" per line).
type sampleForm struct {
	Allocation     string
	Total          string
	Floor          string
	Cap            string
	Reserve        string
	ReserveBatches string
	Seed           string
	Sizes          string
	SD             string
	PerCell        string
	SectorTotals   string
}

// sampleSectorUI are the sample page's texts for a service measurement,
// merged into ofUI.
var sampleSectorUI = map[string]survey.Text{
	"sample_intro_service":     {Zh: "服务业测评按行业 × 区县分层：每个行业在每个区县的顾客名单是一格。“每格样本量”给每格抽同样多的样本（名单不足时全取）；也可以为某些行业指定总样本量，按各区县名单人数比例分配，并受每格下限和上限约束。“预览分配”只计算分配表，不抽样；“抽取样本”抽样一次并记录种子。", En: "A service measurement is stratified by sector × district: each sector's customer list in each district is one cell. \"Sample per cell\" draws the same number in every cell (all of a shorter list); a sector may instead get a total, spread over its districts in proportion to their lists, within each cell's floor and cap. \"Preview allocation\" only computes the table; \"Draw sample\" draws once and records the seed."},
	"f_stratum":                {Zh: "分层：", En: "Strata:"},
	"stratum_sector_district":  {Zh: "行业 × 区县（服务业测评固定）", En: "Sector × district (fixed for a service measurement)"},
	"alloc_per_cell":           {Zh: "每格固定样本量", En: "Fixed n per cell"},
	"alloc_proportional_cells": {Zh: "按名单人数比例", En: "Proportional to the lists"},
	"alloc_equal_cells":        {Zh: "各格相等", En: "Equal per cell"},
	"f_per_cell":               {Zh: "每格样本量（每个行业 × 区县）", En: "Sample per cell (each sector × district)"},
	"f_sector_totals":          {Zh: "行业总样本量（可选；每行“行业代码=数量”，按区县名单比例分配；留空则各格都用每格样本量）", En: "Sector totals (optional; one \"code=n\" per line, spread over the districts in proportion to their lists; empty: every cell takes the sample per cell)"},
	"f_total_cells":            {Zh: "主样本量（按格固定时可不填）", En: "Total (main sample; may be left empty for a fixed n per cell)"},
	"f_floor_cells":            {Zh: "每格下限（0 为无）", En: "Floor per cell (0: none)"},
	"f_cap_cells":              {Zh: "每格上限（0 为无）", En: "Cap per cell (0: none)"},
	"col_sector":               {Zh: "行业", En: "Sector"},
	"col_district":             {Zh: "区县", En: "District"},
	"sector_subtotal":          {Zh: "小计", En: "Subtotal"},
	"err_per_cell":             {Zh: "每格样本量必须是大于 0 的整数", En: "the sample per cell must be a whole number above 0"},
	"err_sector_line":          {Zh: "第 %d 行应为“行业代码=数量”，数量为正整数", En: "line %d must be \"code=n\" with n a positive whole number"},
	"err_sector_unknown":       {Zh: "第 %d 行：本测评没有行业“%s”", En: "line %d: this measurement has no sector %q"},
	"err_sector_dup":           {Zh: "第 %d 行：行业“%s”重复", En: "line %d: sector %q is listed twice"},
	"err_sector_alloc":         {Zh: "只有“每格固定样本量”使用行业总样本量", En: "sector totals are only used with a fixed n per cell"},
}

func init() {
	for k, v := range sampleSectorUI {
		ofUI[k] = v
	}
}

// allocRow is one line of the allocation table. In a sector × district
// table Sector names the cell's sector and Name its district; Sub marks
// a sector's subtotal line.
type allocRow struct {
	Name, Sector              string
	Sub                       bool
	FrameN, SampleN, Reserve  int
	Share, Exact, Batches, Bd string
}

// samplePage is the sample page.
type samplePage struct {
	ofLayout
	Form       sampleForm
	Methods    []string
	Sample     *fieldwork.SampleInfo
	Drawn      []allocRow // the stored sample's allocation
	DrawnTot   allocRow
	Preview    []allocRow // "Preview allocation"
	PreviewTot allocRow
	Service    bool // stratified by sector × district, with per_cell
	HasFrame   bool
	CanRedraw  bool
	FieldErr   map[string]string
}

// proposeSeed is a fresh random seed for the form: the office may keep it
// or type another; the one drawn with is stored with the sample and in
// the audit log.
func proposeSeed() string {
	var b [8]byte
	rand.Read(b[:])
	return strconv.FormatUint(binary.LittleEndian.Uint64(b[:])>>1, 10)
}

// allocRows turns an allocation into table rows, districts named; a
// sector × district allocation is listed by sector (in the measurement's
// order) with a subtotal after each sector.
func (l ofLayout) allocRows(a sampling.Allocation) ([]allocRow, allocRow) {
	if a.Stratum == sampling.StratumSectorDistrict {
		return l.cellRows(a)
	}
	var rows []allocRow
	tot := allocRow{Name: l.M("total")}
	for _, s := range a.Strata {
		r := allocRow{Name: districtName(l, s.Name), FrameN: s.FrameN, SampleN: s.SampleN, Reserve: s.Reserve,
			Share: fmt.Sprintf("%.1f%%", 100*s.Share), Exact: strconv.FormatFloat(s.Exact, 'f', 2, 64)}
		var bs []string
		for _, b := range s.Batches {
			bs = append(bs, strconv.Itoa(b))
		}
		r.Batches = strings.Join(bs, " + ")
		if s.Bound != "" {
			r.Bd = l.M("bound_" + s.Bound)
		}
		rows = append(rows, r)
		tot.FrameN += s.FrameN
		tot.SampleN += s.SampleN
		tot.Reserve += s.Reserve
	}
	if a.FrameN > 0 {
		tot.Share = "100%"
	}
	return rows, tot
}

// cellRows is allocRows for a sector × district allocation.
func (l ofLayout) cellRows(a sampling.Allocation) ([]allocRow, allocRow) {
	secOrder, disOrder := map[string]int{}, map[string]int{}
	if m := l.Measurement; m != nil {
		for i, s := range m.Sectors {
			secOrder[s.Code] = i
		}
		for i, d := range m.Districts {
			disOrder[d.Code] = i
		}
	}
	rank := func(m map[string]int, k string) int {
		if i, ok := m[k]; ok {
			return i
		}
		return len(m)
	}
	strata := slices.Clone(a.Strata)
	slices.SortStableFunc(strata, func(x, y sampling.StratumAllocation) int {
		xs, xd, _ := sampling.SplitSectorCell(x.Name)
		ys, yd, _ := sampling.SplitSectorCell(y.Name)
		if c := cmp.Compare(rank(secOrder, xs), rank(secOrder, ys)); c != 0 {
			return c
		}
		if c := strings.Compare(xs, ys); c != 0 {
			return c
		}
		if c := cmp.Compare(rank(disOrder, xd), rank(disOrder, yd)); c != 0 {
			return c
		}
		return strings.Compare(xd, yd)
	})
	var rows []allocRow
	tot := allocRow{Name: l.M("total")}
	var sub *allocRow
	flush := func() {
		if sub != nil {
			rows = append(rows, *sub)
			sub = nil
		}
	}
	prev := ""
	for _, s := range strata {
		sec, dis, _ := sampling.SplitSectorCell(s.Name)
		if sub == nil || sec != prev {
			flush()
			prev = sec
			sub = &allocRow{Sector: l.sectorName(sec), Name: l.M("sector_subtotal"), Sub: true}
		}
		r := allocRow{Sector: l.sectorName(sec), Name: districtName(l, dis), FrameN: s.FrameN, SampleN: s.SampleN, Reserve: s.Reserve,
			Share: fmt.Sprintf("%.1f%%", 100*s.Share), Exact: strconv.FormatFloat(s.Exact, 'f', 2, 64)}
		var bs []string
		for _, b := range s.Batches {
			bs = append(bs, strconv.Itoa(b))
		}
		r.Batches = strings.Join(bs, " + ")
		if s.Bound != "" {
			r.Bd = l.M("bound_" + s.Bound)
		}
		rows = append(rows, r)
		sub.FrameN += s.FrameN
		sub.SampleN += s.SampleN
		sub.Reserve += s.Reserve
		tot.FrameN += s.FrameN
		tot.SampleN += s.SampleN
		tot.Reserve += s.Reserve
	}
	flush()
	if a.FrameN > 0 {
		tot.Share = "100%"
		for i := range rows {
			if rows[i].Sub {
				rows[i].Share = fmt.Sprintf("%.1f%%", 100*float64(rows[i].FrameN)/float64(a.FrameN))
			}
		}
	}
	return rows, tot
}

// sectorName names a sector code of the measurement.
func (l ofLayout) sectorName(code string) string {
	if l.Measurement != nil {
		if s := l.Measurement.Sector(code); s != nil {
			return s.Name.Get(l.Lang)
		}
	}
	return code
}

func (o *officePages) samplePage(c *echo.Context) (samplePage, error) {
	l, m, err := o.layout(c, "sample_title", "/sample")
	if err != nil {
		return samplePage{}, err
	}
	ctx := c.Request().Context()
	v := samplePage{ofLayout: l, Methods: []string{sampling.Proportional, sampling.Equal, sampling.Neyman, sampling.Fixed}, FieldErr: map[string]string{}}
	v.Form = sampleForm{Allocation: sampling.Proportional, Total: "2000", Floor: "150", Reserve: "0.2", ReserveBatches: "2", Seed: proposeSeed()}
	if m.IsService() {
		v.Service = true
		v.Methods = []string{sampling.PerCell, sampling.Proportional, sampling.Equal}
		v.Form = sampleForm{Allocation: sampling.PerCell, PerCell: "30", Floor: "0", Reserve: "0.2", ReserveBatches: "2", Seed: proposeSeed()}
	}
	if _, err := o.store.Frame(ctx, m.ID); err == nil {
		v.HasFrame = true
	} else if survey.ErrorCode(err) != survey.ENOTFOUND {
		return v, err
	}
	si, err := o.store.Sample(ctx, m.ID)
	switch survey.ErrorCode(err) {
	case "":
		v.Sample = si
		v.Drawn, v.DrawnTot = l.allocRows(si.Alloc)
		p := si.Plan
		v.Form = sampleForm{Allocation: p.Allocation, Total: strconv.Itoa(p.Total), Floor: strconv.Itoa(p.Floor), Cap: strconv.Itoa(p.Cap),
			Reserve: strconv.FormatFloat(p.Reserve, 'f', -1, 64), ReserveBatches: strconv.Itoa(max(p.ReserveBatches, 0)), Seed: proposeSeed(),
			Sizes: pairLines(p.Sizes), SD: pairLinesF(p.SD), SectorTotals: sectorLines(p.SectorTotals)}
		if p.Allocation == sampling.PerCell && p.Total == 0 {
			v.Form.Total = ""
		}
		if p.PerCell > 0 {
			v.Form.PerCell = strconv.Itoa(p.PerCell)
		}
		cs, err := o.store.Cases(ctx, fieldwork.CaseFilter{MeasurementID: m.ID})
		if err != nil {
			return v, err
		}
		v.CanRedraw = true
		for _, c := range cs {
			if c.Disposition != sampling.DispNotSent || c.Interviewer != "" {
				v.CanRedraw = false
				break
			}
		}
	case survey.ENOTFOUND:
	default:
		return v, err
	}
	return v, nil
}

func pairLines(m map[string]int) string {
	var b strings.Builder
	for _, k := range fieldwork.SortedKeys(m) {
		fmt.Fprintf(&b, "%s %d\n", k, m[k])
	}
	return b.String()
}

// sectorLines writes sector totals as the form's "code=n" lines.
func sectorLines(m map[string]int) string {
	var b strings.Builder
	for _, k := range fieldwork.SortedKeys(m) {
		fmt.Fprintf(&b, "%s=%d\n", k, m[k])
	}
	return b.String()
}

func pairLinesF(m map[string]float64) string {
	ks := make(map[string]int, len(m))
	for k := range m {
		ks[k] = 0
	}
	var b strings.Builder
	for _, k := range fieldwork.SortedKeys(ks) {
		fmt.Fprintf(&b, "%s %s\n", k, strconv.FormatFloat(m[k], 'f', -1, 64))
	}
	return b.String()
}

// handleSample handles GET /app/m/:id/sample.
func (o *officePages) handleSample(c *echo.Context) error {
	v, err := o.samplePage(c)
	if err != nil {
		return err
	}
	return o.render(c, http.StatusOK, "of_sample.html", v)
}

// parsePlan reads the form into a plan and a seed; problems are per field.
func parseSampleForm(c *echo.Context, lang string, m *survey.Measurement) (sampleForm, sampling.Plan, uint64, map[string]string) {
	f := sampleForm{
		Allocation: strings.TrimSpace(c.FormValue("allocation")), Total: strings.TrimSpace(c.FormValue("total")),
		Floor: strings.TrimSpace(c.FormValue("floor")), Cap: strings.TrimSpace(c.FormValue("cap")),
		Reserve: strings.TrimSpace(c.FormValue("reserve")), ReserveBatches: strings.TrimSpace(c.FormValue("reserve_batches")),
		Seed: strings.TrimSpace(c.FormValue("seed")), Sizes: c.FormValue("sizes"), SD: c.FormValue("sd"),
		PerCell: strings.TrimSpace(c.FormValue("per_cell")), SectorTotals: c.FormValue("sector_totals"),
	}
	errs := map[string]string{}
	bad := func(field string) {
		errs[field] = ofUI["err_whole"].Get(lang)
	}
	num := func(field, s string) int {
		if s == "" {
			return 0
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			bad(field)
		}
		return n
	}
	p := sampling.Plan{Allocation: f.Allocation, Total: num("total", f.Total), Floor: num("floor", f.Floor), Cap: num("cap", f.Cap),
		ReserveBatches: num("reserve_batches", f.ReserveBatches)}
	if f.Reserve != "" {
		r, err := strconv.ParseFloat(f.Reserve, 64)
		if err != nil || r < 0 || r > 1 {
			errs["reserve"] = ofUI["err_share"].Get(lang)
		}
		p.Reserve = r
	}
	code := func(s string) string {
		for _, d := range m.Districts {
			if s == d.Code || s == d.Name.Zh || strings.EqualFold(s, d.Name.En) {
				return d.Code
			}
		}
		return s
	}
	lines := func(field, text string, each func(k, v string) bool) {
		for i, line := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
			line = strings.TrimSpace(line)
			if line == "" {
				continue
			}
			fs := strings.Fields(strings.NewReplacer(",", " ", "，", " ", "\t", " ", ":", " ").Replace(line))
			if len(fs) != 2 || !each(code(fs[0]), fs[1]) {
				errs[field] = fmt.Sprintf(ofUI["err_pair_line"].Get(lang), i+1)
				return
			}
		}
	}
	if p.Allocation == sampling.Fixed {
		p.Sizes = map[string]int{}
		lines("sizes", f.Sizes, func(k, v string) bool {
			n, err := strconv.Atoi(v)
			p.Sizes[k] = n
			return err == nil && n >= 0
		})
	}
	if p.Allocation == sampling.Neyman {
		p.SD = map[string]float64{}
		lines("sd", f.SD, func(k, v string) bool {
			x, err := strconv.ParseFloat(v, 64)
			p.SD[k] = x
			return err == nil && x >= 0
		})
	}
	if m.IsService() {
		p.Stratum = sampling.StratumSectorDistrict
		parseSectorFields(f, &p, m, lang, errs)
	}
	seed, err := strconv.ParseUint(f.Seed, 10, 64)
	if err != nil {
		errs["seed"] = ofUI["err_seed"].Get(lang)
	}
	if len(errs) == 0 {
		if err := p.Validate(); err != nil {
			errs[planErrField(err)] = survey.ErrorMessage(err, lang)
		}
	}
	return f, p, seed, errs
}

// parseSectorFields reads per_cell and sector_totals of a service
// measurement's form into p. Sector totals are "code=n" lines; a sector
// may also be written by its Chinese or English name.
func parseSectorFields(f sampleForm, p *sampling.Plan, m *survey.Measurement, lang string, errs map[string]string) {
	if p.Allocation == sampling.PerCell {
		n, err := strconv.Atoi(f.PerCell)
		if err != nil || n <= 0 {
			errs["per_cell"] = ofUI["err_per_cell"].Get(lang)
		}
		p.PerCell = n
	} else if f.PerCell != "" {
		if n, err := strconv.Atoi(f.PerCell); err != nil || n < 0 {
			errs["per_cell"] = ofUI["err_per_cell"].Get(lang)
		}
	}
	totals := map[string]int{}
	for i, line := range strings.Split(strings.ReplaceAll(f.SectorTotals, "\r\n", "\n"), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		k, v, ok := strings.Cut(strings.ReplaceAll(line, "＝", "="), "=")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		n, err := strconv.Atoi(v)
		if !ok || k == "" || err != nil || n <= 0 {
			errs["sector_totals"] = fmt.Sprintf(ofUI["err_sector_line"].Get(lang), i+1)
			return
		}
		code := ""
		for _, s := range m.Sectors {
			if k == s.Code || k == s.Name.Zh || strings.EqualFold(k, s.Name.En) {
				code = s.Code
			}
		}
		if code == "" {
			errs["sector_totals"] = fmt.Sprintf(ofUI["err_sector_unknown"].Get(lang), i+1, k)
			return
		}
		if _, dup := totals[code]; dup {
			errs["sector_totals"] = fmt.Sprintf(ofUI["err_sector_dup"].Get(lang), i+1, k)
			return
		}
		totals[code] = n
	}
	if len(totals) > 0 {
		if p.Allocation != sampling.PerCell {
			errs["sector_totals"] = ofUI["err_sector_alloc"].Get(lang)
			return
		}
		p.SectorTotals = totals
	}
}

// planErrField is the form field a plan or allocation error is about,
// for the message beside it; "plan" when it is about the whole form.
func planErrField(err error) string {
	msg := survey.ErrorMessage(err, survey.LangEn)
	switch {
	case strings.Contains(msg, "sector_totals"):
		return "sector_totals"
	case strings.Contains(msg, "per_cell must"):
		return "per_cell"
	case strings.HasPrefix(msg, "total "):
		return "total"
	}
	return "plan"
}

// handleSamplePost handles POST /app/m/:id/sample: action=preview shows
// the allocation of the form's plan on the stored frame without drawing
// (nothing changes, so the page is shown directly); action=draw draws
// and stores the sample with the form's seed, audited, then redirects.
// Drawing again needs redraw=1 and is refused once a link was issued.
func (o *officePages) handleSamplePost(c *echo.Context) error {
	v, err := o.samplePage(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	m := v.Measurement
	var plan sampling.Plan
	var seed uint64
	v.Form, plan, seed, v.FieldErr = parseSampleForm(c, v.Lang, m)
	if len(v.FieldErr) > 0 {
		v.Error = ofUI["err_form"].Get(v.Lang)
		if msg, ok := v.FieldErr["plan"]; ok {
			v.Error = msg
		}
		return o.render(c, http.StatusUnprocessableEntity, "of_sample.html", v)
	}
	switch c.FormValue("action") {
	case "preview":
		_, a, err := fieldwork.PreviewAllocation(ctx, o.store, m.ID, plan)
		if err != nil {
			msg, ok := errorText(err, v.Lang)
			if !ok {
				return err
			}
			v.Error = msg
			if f := planErrField(err); f != "plan" && v.Service {
				v.FieldErr[f] = msg
			}
			return o.render(c, statusOfErr(err), "of_sample.html", v)
		}
		v.Preview, v.PreviewTot = v.allocRows(a)
		return o.render(c, http.StatusOK, "of_sample.html", v)
	case "draw":
		redraw := v.Sample != nil && c.FormValue("redraw") == "1"
		if v.Sample != nil && !redraw {
			v.Error = ofUI["err_drawn"].Get(v.Lang)
			return o.render(c, http.StatusConflict, "of_sample.html", v)
		}
		info, a, err := fieldwork.Draw(ctx, o.store, m.ID, fieldwork.DrawRequest{Plan: plan, Seed: seed, Redraw: redraw, By: staffSession(c).User.Name})
		if err != nil {
			msg, ok := errorText(err, v.Lang)
			if !ok {
				return err
			}
			v.Error = msg
			if f := planErrField(err); f != "plan" && v.Service {
				v.FieldErr[f] = msg
			}
			return o.render(c, statusOfErr(err), "of_sample.html", v)
		}
		if err := o.audit(c, fieldwork.ActionSampleDraw, m.ID, map[string]any{"seed": strconv.FormatUint(seed, 10), "cases": info.Cases,
			"main": a.Total, "allocation": plan.Allocation, "redraw": redraw}); err != nil {
			return err
		}
		return c.Redirect(http.StatusSeeOther, setupPath(m.ID, "/sample?done=drawn"))
	}
	return survey.Errorf(survey.EINVALID, "action 应为 preview 或 draw", "action must be preview or draw")
}

// allocView is what the of_alloc template gets; Cells adds the sector
// column of a sector × district table.
type allocView struct {
	L     ofLayout
	Rows  []allocRow
	Total allocRow
	Cells bool
}

// AllocView pairs an allocation table with the page's texts.
func (l ofLayout) AllocView(rows []allocRow, tot allocRow) allocView {
	cells := false
	for _, r := range rows {
		cells = cells || r.Sector != ""
	}
	return allocView{L: l, Rows: rows, Total: tot, Cells: cells}
}

// fieldView is one input of the sample form.
type fieldView struct {
	Name, Label, Value, Type, Err string
}

// Field describes the input name with its label key, value and type.
func (p samplePage) Field(name, labelKey, value, typ string) fieldView {
	return fieldView{Name: name, Label: p.M(labelKey), Value: value, Type: typ, Err: p.FieldErr[name]}
}
