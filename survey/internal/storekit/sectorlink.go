package storekit

import (
	"slices"

	"manyi/survey"
)

// CheckSectorLink accepts a per-sector open link for m: m must be a
// service measurement and sector one of its sectors.
func CheckSectorLink(m *survey.Measurement, sector string) error {
	if !m.IsService() {
		return ErrNoSectorLinks()
	}
	if !slices.ContainsFunc(m.Sectors, func(s survey.Sector) bool { return s.Code == sector }) {
		return survey.Errorf(survey.EINVALID, "测评没有行业“%s”", "the measurement has no sector %q", sector)
	}
	return nil
}

// FixSector answers the screener's sector item of p with sector, whatever
// the page sent, when the response came through a sector's open link
// (sector != "") and the item is on p's page. The store calls it before
// CheckPage, so the fixed sector is what is stored and what the quota
// claim reads.
func FixSector(q *survey.Questionnaire, p *survey.PageSave, sector string) {
	if sector == "" {
		return
	}
	it := q.SectorItem()
	if it == nil {
		return
	}
	pg, _ := q.Page(p.PageID)
	if pg == nil || !slices.ContainsFunc(pg.Items, func(x survey.Item) bool { return x.ID == it.ID }) {
		return
	}
	// A copy: the caller's map stays as it was.
	ans := make(survey.Answers, len(p.Answers)+1)
	for k, v := range p.Answers {
		ans[k] = v
	}
	ans[it.ID] = []string{sector}
	p.Answers = ans
}

// ErrNoSectorLinks is the answer for per-sector links of a resident
// measurement.
func ErrNoSectorLinks() error {
	return survey.Errorf(survey.EINVALID, "只有服务行业测评才有按行业的公开链接", "only a service measurement has open links per sector")
}
