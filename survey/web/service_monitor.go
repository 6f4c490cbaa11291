package web

import (
	"strconv"

	"github.com/labstack/echo/v5"

	"manyi/survey"
	"manyi/survey/fieldwork"
)

// sectorGrid is the monitor's sector × district table of a service
// measurement: submitted interviews per cell against the cell's quota
// target, or its allocated sample when a drawn plan and no quota sets it.
type sectorGrid struct {
	Sectors []string
	Rows    []sectorGridRow
	Total   sectorGridRow
}

type sectorGridRow struct {
	District string
	Cells    []sectorGridCell
}

type sectorGridCell struct {
	Key, Completes, Target string
	Short                  bool // below target
}

// sectorGrid fills d.Sectors for a service measurement (live values keyed
// "s.<district>.<sector>"); planned holds the drawn plan's sample per
// cell, keyed district + "\x00" + sector.
func (f *fieldworkPages) sectorGrid(c *echo.Context, m *survey.Measurement, l fwLayout, qs *fieldwork.Quotas, planned map[string]int, d *monitorData) error {
	svc := f.st.s.service
	if !m.IsService() || svc == nil {
		return nil
	}
	counts, err := svc.SectorProgress(fwCtx(c), m.ID)
	if err != nil {
		return err
	}
	target := map[string]int{} // the drawn plan's cells, unless a quota sets them
	for k, n := range planned {
		target[k] = n
	}
	for _, q := range qs.Cells {
		target[q.District+"\x00"+q.Cell] = q.Target
	}
	g := &sectorGrid{Total: sectorGridRow{District: l.M("total")}}
	tot := make([]int, len(m.Sectors))
	totT := make([]int, len(m.Sectors))
	for _, sc := range m.Sectors {
		g.Sectors = append(g.Sectors, sc.Name.Get(l.Lang))
	}
	for _, dist := range m.Districts {
		row := sectorGridRow{District: dist.Name.Get(l.Lang)}
		for k, sc := range m.Sectors {
			n, t := counts[dist.Code][sc.Code], target[dist.Code+"\x00"+sc.Code]
			tot[k] += n
			totT[k] += t
			cell := sectorGridCell{Key: "s." + dist.Code + "." + sc.Code, Completes: strconv.Itoa(n), Short: t > 0 && n < t}
			if t > 0 {
				cell.Target = strconv.Itoa(t)
			}
			d.Values[cell.Key] = cell.Completes
			row.Cells = append(row.Cells, cell)
		}
		g.Rows = append(g.Rows, row)
	}
	for k, sc := range m.Sectors {
		cell := sectorGridCell{Key: "s.total." + sc.Code, Completes: strconv.Itoa(tot[k]), Short: totT[k] > 0 && tot[k] < totT[k]}
		if totT[k] > 0 {
			cell.Target = strconv.Itoa(totT[k])
		}
		d.Values[cell.Key] = cell.Completes
		g.Total.Cells = append(g.Total.Cells, cell)
	}
	d.Sectors = g
	return nil
}
