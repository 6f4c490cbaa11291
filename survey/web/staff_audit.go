package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v5"

	"manyi/survey"
	"manyi/survey/auth"
)

// auditPageSize is how many entries one audit page shows.
const auditPageSize = 100

// auditPage is the office's view of the audit log.
type auditPage struct {
	staffLayout
	Filter  auditForm
	Actions []string
	Entries []auditRow
	Older   string // URL of the next (older) page, "" on the last
	Error   string
}

// auditForm is the filter as typed, shown back in the form.
type auditForm struct {
	User, Action, Target, Since, Until string
}

// auditRow is one entry as shown.
type auditRow struct {
	At, User, Action, Target, Detail, IP string
}

// asSurveyError is errors.As for *survey.Error.
func asSurveyError(err error, se **survey.Error) bool { return errors.As(err, se) }

// parseDay reads a YYYY-MM-DD date as the start of that day in China time.
func parseDay(s, field string) (time.Time, error) {
	t, err := time.ParseInLocation(time.DateOnly, s, chinaTime)
	if err != nil {
		return time.Time{}, survey.Errorf(survey.EINVALID, "%s 应为 年-月-日 格式的日期，如 2026-11-27", "%s must be a date like 2026-11-27", field)
	}
	return t, nil
}

// handleAudit handles GET /app/audit.
func (st *staff) handleAudit(c *echo.Context) error {
	sess := staffSession(c)
	lang := language(c)
	q := c.Request().URL.Query()
	v := auditPage{
		staffLayout: st.newStaffLayout(c, sess, staffUI["audit_title"].Get(lang), "/app/audit"),
		Filter: auditForm{
			User: strings.TrimSpace(q.Get("user")), Action: q.Get("action"), Target: strings.TrimSpace(q.Get("target")),
			Since: strings.TrimSpace(q.Get("since")), Until: strings.TrimSpace(q.Get("until")),
		},
		Actions: auth.Actions(),
	}
	f := auth.AuditFilter{User: strings.ToLower(v.Filter.User), Action: v.Filter.Action, Target: v.Filter.Target, Limit: auditPageSize}
	var err error
	if v.Filter.Since != "" {
		f.Since, err = parseDay(v.Filter.Since, staffUI["since"].Get(lang))
	}
	if err == nil && v.Filter.Until != "" {
		var t time.Time
		t, err = parseDay(v.Filter.Until, staffUI["until"].Get(lang))
		f.Until = t.AddDate(0, 0, 1) // the whole last day
	}
	if b := q.Get("before"); err == nil && b != "" {
		if f.BeforeID, err = strconv.ParseInt(b, 10, 64); err != nil || f.BeforeID < 1 {
			err = survey.Errorf(survey.EINVALID, "页码参数 before 无效", "the paging parameter before is not valid")
		}
	}
	if err != nil {
		var se *survey.Error
		if !asSurveyError(err, &se) {
			return err
		}
		v.Error = se.Message.Get(lang)
		return st.render(c, http.StatusUnprocessableEntity, "staff_audit.html", v)
	}
	es, err := st.accounts.AuditLog(c.Request().Context(), f)
	if err != nil {
		return err
	}
	for _, e := range es {
		user := e.User
		if user == "" {
			user = "—"
		}
		v.Entries = append(v.Entries, auditRow{
			At: v.Time(e.At), User: user, Action: e.Action, Target: e.Target, Detail: formatDetail(e.Detail), IP: e.IP,
		})
	}
	if len(es) == auditPageSize {
		next := url.Values{}
		for k, vals := range q {
			if k != "before" {
				next[k] = vals
			}
		}
		next.Set("before", strconv.FormatInt(es[len(es)-1].ID, 10))
		v.Older = "/app/audit?" + next.Encode()
	}
	return st.render(c, http.StatusOK, "staff_audit.html", v)
}

// formatDetail shows a detail object as "key=value" pairs in key order.
func formatDetail(d map[string]any) string {
	keys := make([]string, 0, len(d))
	for k := range d {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s=%v", k, d[k])
	}
	return strings.Join(parts, " ")
}
