package web

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"net/http"
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
// redraw, action (preview or draw).
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
}

// allocRow is one line of the allocation table.
type allocRow struct {
	Name                      string
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

// allocRows turns an allocation into table rows, districts named.
func (l ofLayout) allocRows(a sampling.Allocation) ([]allocRow, allocRow) {
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

func (o *officePages) samplePage(c *echo.Context) (samplePage, error) {
	l, m, err := o.layout(c, "sample_title", "/sample")
	if err != nil {
		return samplePage{}, err
	}
	ctx := c.Request().Context()
	v := samplePage{ofLayout: l, Methods: []string{sampling.Proportional, sampling.Equal, sampling.Neyman, sampling.Fixed}, FieldErr: map[string]string{}}
	v.Form = sampleForm{Allocation: sampling.Proportional, Total: "2000", Floor: "150", Reserve: "0.2", ReserveBatches: "2", Seed: proposeSeed()}
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
			Sizes: pairLines(p.Sizes), SD: pairLinesF(p.SD)}
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
	seed, err := strconv.ParseUint(f.Seed, 10, 64)
	if err != nil {
		errs["seed"] = ofUI["err_seed"].Get(lang)
	}
	if len(errs) == 0 {
		if err := p.Validate(); err != nil {
			errs["plan"] = survey.ErrorMessage(err, lang)
		}
	}
	return f, p, seed, errs
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

// allocView is what the of_alloc template gets.
type allocView struct {
	L     ofLayout
	Rows  []allocRow
	Total allocRow
}

// AllocView pairs an allocation table with the page's texts.
func (l ofLayout) AllocView(rows []allocRow, tot allocRow) allocView {
	return allocView{L: l, Rows: rows, Total: tot}
}

// fieldView is one input of the sample form.
type fieldView struct {
	Name, Label, Value, Type, Err string
}

// Field describes the input name with its label key, value and type.
func (p samplePage) Field(name, labelKey, value, typ string) fieldView {
	return fieldView{Name: name, Label: p.M(labelKey), Value: value, Type: typ, Err: p.FieldErr[name]}
}
