package web

import (
	"fmt"
	"math"
	"net/http"
	"net/url"
	"sort"
	"strconv"

	"github.com/labstack/echo/v5"

	"manyi/survey"
	"manyi/survey/fieldwork"
	"manyi/survey/sampling"
)

// monitorPage is the fieldwork monitor.
type monitorPage struct {
	fwLayout
	monitorData
	JSONURL  string
	ScriptJS string
}

// monitorData is what the page shows and monitor.json sends: Values maps
// each live figure's data-k key to its text, so the script can update the
// page in place.
type monitorData struct {
	Sampled   bool              `json:"sampled"`
	Districts []monitorRow      `json:"-"`
	Total     monitorRow        `json:"-"`
	E         string            `json:"-"`
	Cells     []monitorCell     `json:"-"`
	AllowOver bool              `json:"-"`
	Modes     []modeRow         `json:"-"`
	Days      []dayBar          `json:"-"`
	ChartW    int               `json:"-"`
	ChartH    int               `json:"-"`
	Submitted int               `json:"-"`
	Excluded  int               `json:"-"`
	Values    map[string]string `json:"values"`
	Updated   string            `json:"updated"`
	// Sectors is a service measurement's sector × district grid.
	Sectors *sectorGrid `json:"-"`
}

// monitorRow is one district (or the total) of the monitor.
type monitorRow struct {
	Key, Name                              string
	Target, Completes, Shortfall, Released string
	RR1, RR3, COOP1, REF1                  string
}

// monitorCell is one quota cell.
type monitorCell struct {
	Key, District, Cell           string
	Target, Count, Completes, Gap string
}

// modeRow is one interview mode's completes.
type modeRow struct {
	Key, Label, Count, Share string
}

// dayBar is one day's bar of the completes chart, in SVG user units.
type dayBar struct {
	Day      string
	Count    int
	X, Y     float64
	W, H     float64
	LabelX   float64
	ShowText bool
	Label    string // MM-DD under the bar
	ShowDay  bool
}

// pct formats a rate as a percentage with one decimal, "—" for NaN (no
// cases yet).
func pct(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "—"
	}
	return strconv.FormatFloat(100*x, 'f', 1, 64) + "%"
}

// handleMonitor handles GET /app/m/:id/monitor.
func (f *fieldworkPages) handleMonitor(c *echo.Context) error {
	m, err := f.measurement(c)
	if err != nil {
		return err
	}
	l := f.newFWLayout(c, m, "monitor_title", "/app/m/"+m.ID+"/monitor")
	d, err := f.monitorData(c, m, l)
	if err != nil {
		return err
	}
	return f.render(c, http.StatusOK, "fw_monitor.html", monitorPage{
		fwLayout: l, monitorData: *d,
		JSONURL:  "/app/m/" + url.PathEscape(m.ID) + "/monitor.json",
		ScriptJS: f.st.s.assets.url("js/fieldwork.js"),
	})
}

// handleMonitorJSON handles GET /app/m/:id/monitor.json: the live figures
// for the page's script.
func (f *fieldworkPages) handleMonitorJSON(c *echo.Context) error {
	m, err := f.measurement(c)
	if err != nil {
		return err
	}
	l := f.newFWLayout(c, m, "monitor_title", "/app/m/"+m.ID+"/monitor")
	d, err := f.monitorData(c, m, l)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, struct {
		Values  map[string]string `json:"values"`
		Updated string            `json:"updated"`
	}{d.Values, d.Updated})
}

// monitorData computes the monitor's figures: per district the target
// (its quota targets, else its allocated main sample), completes,
// shortfall and AAPOR rates over released cases (sampling.Rates, with e
// estimated from the cases of known eligibility, sampling.EstimateE); the
// quota cells; the mode mix; and completes per day.
func (f *fieldworkPages) monitorData(c *echo.Context, m *survey.Measurement, l fwLayout) (*monitorData, error) {
	ctx := fwCtx(c)
	p, err := f.store.FieldworkProgress(ctx, m.ID)
	if err != nil {
		return nil, err
	}
	d := &monitorData{Values: map[string]string{}, Updated: l.Time(f.st.s.now()), Submitted: p.Submitted, Excluded: p.Excluded}
	targets := map[string]int{}
	for _, q := range p.Quotas.Cells {
		targets[q.District] += q.Target
	}
	// A service plan's strata are sector × district cells: a district's
	// target is the sum of its cells', and each cell's is the grid's
	// target where no quota sets one.
	cellTargets := map[string]int{}
	if len(targets) == 0 {
		if si, err := f.store.Sample(ctx, m.ID); err == nil {
			for _, s := range si.Alloc.Strata {
				if sec, dist, ok := sampling.SplitSectorCell(s.Name); ok {
					targets[dist] += s.SampleN
					cellTargets[dist+"\x00"+sec] = s.SampleN
					continue
				}
				targets[s.Name] = s.SampleN
			}
		} else if survey.ErrorCode(err) != survey.ENOTFOUND {
			return nil, err
		}
	}
	e := sampling.EstimateE(p.Overall.AAPOR())
	d.E = strconv.FormatFloat(e, 'f', 3, 64)
	row := func(key, name string, counts sampling.DispositionCounts, released, target int) monitorRow {
		r := sampling.Rates(counts, e)
		short := target - counts.Complete
		if short < 0 {
			short = 0
		}
		mr := monitorRow{Key: key, Name: name, Target: strconv.Itoa(target), Completes: strconv.Itoa(counts.Complete),
			Shortfall: strconv.Itoa(short), Released: strconv.Itoa(released),
			RR1: pct(r.RR1), RR3: pct(r.RR3), COOP1: pct(r.COOP1), REF1: pct(r.REF1)}
		for k, v := range map[string]string{"target": mr.Target, "completes": mr.Completes, "shortfall": mr.Shortfall, "released": mr.Released,
			"rr1": mr.RR1, "rr3": mr.RR3, "coop1": mr.COOP1, "ref1": mr.REF1} {
			d.Values[key+"."+k] = v
		}
		return mr
	}
	totalTarget, totalReleased := 0, 0
	for _, dp := range p.Districts {
		if dp.Released == 0 && targets[dp.District] == 0 {
			continue // a district outside the sample: nothing to watch
		}
		d.Districts = append(d.Districts, row("d."+dp.District, l.District(dp.District), dp.Counts, dp.Released, targets[dp.District]))
		totalTarget += targets[dp.District]
		totalReleased += dp.Released
		d.Sampled = d.Sampled || dp.Released > 0
	}
	d.Total = row("total", l.M("total"), p.Overall, totalReleased, totalTarget)

	d.AllowOver = p.Quotas.AllowOver
	if err := f.sectorGrid(c, m, l, p.Quotas, cellTargets, d); err != nil {
		return nil, err
	}
	for _, q := range p.Quotas.Cells {
		key := "q." + q.District + "." + q.Cell
		label := cellLabel(q.Cell, l.Lang)
		if sc := m.Sector(q.Cell); sc != nil {
			label = sc.Name.Get(l.Lang) // a service measurement's cells are sector × district
		}
		mc := monitorCell{Key: key, District: l.District(q.District), Cell: label,
			Target: strconv.Itoa(q.Target), Count: strconv.Itoa(q.Count), Completes: strconv.Itoa(q.Completes), Gap: strconv.Itoa(q.Shortfall())}
		d.Values[key+".count"], d.Values[key+".completes"], d.Values[key+".gap"] = mc.Count, mc.Completes, mc.Gap
		d.Cells = append(d.Cells, mc)
	}

	modes := []string{survey.ModeWeb, survey.ModePhone, survey.ModeFace}
	for k := range p.Modes {
		if k != survey.ModeWeb && k != survey.ModePhone && k != survey.ModeFace {
			modes = append(modes, k)
		}
	}
	sort.Strings(modes[3:])
	for _, k := range modes {
		n := p.Modes[k]
		share := math.NaN()
		if p.Submitted > 0 {
			share = float64(n) / float64(p.Submitted)
		}
		mr := modeRow{Key: "mode." + k, Label: fwUI["mode_"+k].Get(l.Lang), Count: strconv.Itoa(n), Share: pct(share)}
		if mr.Label == "" {
			mr.Label = k
		}
		d.Values[mr.Key+".count"], d.Values[mr.Key+".share"] = mr.Count, mr.Share
		d.Modes = append(d.Modes, mr)
	}
	d.Values["submitted"] = fmt.Sprintf(fwUI["submitted_all"].Get(l.Lang), p.Submitted, p.Excluded)
	d.chart(p.PerDay)
	return d, nil
}

// chart lays out the completes-per-day bars: at most the last 60 days,
// slots of at most 48 units from the left, bars scaled to the busiest day,
// a count over each bar and the date (MM-DD) under it when there is room
// (otherwise under the first and last bars only).
func (d *monitorData) chart(days []fieldwork.DayCount) {
	if len(days) > 60 {
		days = days[len(days)-60:]
	}
	d.ChartW, d.ChartH = 640, 180
	if len(days) == 0 {
		return
	}
	maxN := 1
	for _, x := range days {
		maxN = max(maxN, x.Count)
	}
	const top, bottom, left = 16.0, 24.0, 4.0
	slot := min((float64(d.ChartW)-2*left)/float64(len(days)), 48)
	w := slot * 0.75
	plotH := float64(d.ChartH) - top - bottom
	for i, x := range days {
		h := plotH * float64(x.Count) / float64(maxN)
		label := x.Day
		if len(label) == 10 {
			label = label[5:]
		}
		d.Days = append(d.Days, dayBar{
			Day: x.Day, Count: x.Count, Label: label,
			X: left + float64(i)*slot + (slot-w)/2, Y: top + plotH - h, W: w, H: h,
			LabelX: left + float64(i)*slot + slot/2, ShowText: w >= 14,
			ShowDay: slot >= 36 || i == 0 || i == len(days)-1,
		})
	}
}

// cellLabel renders "male|18-29" as "男 18–29".
func cellLabel(cell, lang string) string {
	g, a, _ := cutCell(cell)
	names := map[string]survey.Text{sampling.GenderMale: {Zh: "男", En: "men"}, sampling.GenderFemale: {Zh: "女", En: "women"}}
	if t, ok := names[g]; ok {
		g = t.Get(lang)
	}
	return g + " " + a
}

func cutCell(cell string) (gender, band string, ok bool) {
	for i := 0; i < len(cell); i++ {
		if cell[i] == '|' {
			return cell[:i], cell[i+1:], true
		}
	}
	return cell, "", false
}
