package storekit

import "manyi/survey"

// CheckQuotaCell accepts a sector code as the quota cell of a service
// measurement (its quotas are sector × district) and gender|age_band
// otherwise.
func CheckQuotaCell(m *survey.Measurement, c string) error {
	if !m.IsService() {
		return CheckCellKey(c)
	}
	if m.Sector(c) == nil {
		return survey.Errorf(survey.EINVALID, "配额格“%s”不是本测评的行业代码（服务业测评的配额按 行业 × 区县）", "quota cell %q is not a sector code of the measurement (a service measurement's quotas are sector × district)", c)
	}
	return nil
}

// SectorCell returns the quota cell of a service questionnaire's answers:
// the sector answered, and ok; ok is false for a questionnaire without a
// sector item (a resident one: the cell is gender × age band).
func SectorCell(q *survey.Questionnaire, ans survey.Answers) (cell string, ok bool) {
	si := q.SectorItem()
	if si == nil {
		return "", false
	}
	if v := ans[si.ID]; len(v) > 0 {
		return v[0], true
	}
	return "", true
}
