package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v5"

	"manyi/survey"
	"manyi/survey/auth"
	"manyi/survey/fieldwork"
)

// maxCasesShown bounds the case list of the assignment page; the district
// filter narrows it.
const maxCasesShown = 500

// assignDistrict is one district's line of the assignment summary.
type assignDistrict struct {
	Code, Name           string
	Released, Open, Free int // released; not finished; not finished and unassigned
	ByInterviewer        map[string]int
}

// assignCase is one case of the list.
type assignCase struct {
	ID                               int64
	UnitID, District, Disp, Assigned string
	Attempts                         int
}

// assignPage is the case assignment page.
type assignPage struct {
	ofLayout
	Interviewers []string
	Districts    []assignDistrict
	Cases        []assignCase
	MoreCases    int
	Filter       string
	HasSample    bool
	Totals       map[string]int // interviewer → unfinished cases assigned
}

func (o *officePages) assignPage(c *echo.Context) (assignPage, error) {
	l, m, err := o.layout(c, "assign_title", "/cases/assign")
	if err != nil {
		return assignPage{}, err
	}
	ctx := c.Request().Context()
	v := assignPage{ofLayout: l, Filter: c.QueryParam("district"), Totals: map[string]int{}}
	us, err := o.st.accounts.Users(ctx)
	if err != nil {
		return v, err
	}
	for _, u := range us {
		if u.Role == auth.RoleInterviewer && !u.Disabled() {
			v.Interviewers = append(v.Interviewers, u.Name)
		}
	}
	if _, err := o.store.Sample(ctx, m.ID); survey.ErrorCode(err) == survey.ENOTFOUND {
		return v, nil
	} else if err != nil {
		return v, err
	}
	v.HasSample = true
	cs, err := o.store.Cases(ctx, fieldwork.CaseFilter{MeasurementID: m.ID, ReleasedOnly: true})
	if err != nil {
		return v, err
	}
	idx := map[string]int{}
	for _, d := range m.Districts {
		idx[d.Code] = len(v.Districts)
		v.Districts = append(v.Districts, assignDistrict{Code: d.Code, Name: d.Name.Get(l.Lang), ByInterviewer: map[string]int{}})
	}
	for _, cs := range cs {
		i, ok := idx[cs.District]
		if !ok {
			continue
		}
		d := &v.Districts[i]
		d.Released++
		open := fieldwork.Assignable(cs, true)
		if open {
			d.Open++
			if cs.Interviewer == "" {
				d.Free++
			} else {
				d.ByInterviewer[cs.Interviewer]++
				v.Totals[cs.Interviewer]++
			}
		}
		if open && (v.Filter == "" || v.Filter == cs.District) {
			if len(v.Cases) < maxCasesShown {
				v.Cases = append(v.Cases, assignCase{ID: cs.ID, UnitID: cs.UnitID, District: d.Name, Disp: l.Disp(cs.Disposition),
					Assigned: cs.Interviewer, Attempts: cs.Attempts})
			} else {
				v.MoreCases++
			}
		}
	}
	return v, nil
}

// handleAssign handles GET /app/m/:id/cases/assign (?district= filters
// the case list).
func (o *officePages) handleAssign(c *echo.Context) error {
	v, err := o.assignPage(c)
	if err != nil {
		return err
	}
	return o.render(c, http.StatusOK, "of_assign.html", v)
}

func (o *officePages) assignFailed(c *echo.Context, err error) error {
	msg, ok := errorText(err, language(c))
	if !ok {
		return err
	}
	v, perr := o.assignPage(c)
	if perr != nil {
		return perr
	}
	v.Error = msg
	return o.render(c, statusOfErr(err), "of_assign.html", v)
}

// handleAssignCount handles POST /app/m/:id/cases/assign: fields
// interviewer, district ("" all), count (0 or empty: all) and reassign=1
// (also take cases assigned to someone else). Cases are taken in drawn
// order; finished and refused ones never.
func (o *officePages) handleAssignCount(c *echo.Context) error {
	id := c.Param("id")
	req := fieldwork.AssignRequest{Interviewer: strings.TrimSpace(c.FormValue("interviewer")), District: strings.TrimSpace(c.FormValue("district")),
		Reassign: c.FormValue("reassign") == "1"}
	if req.Interviewer == "" {
		return o.assignFailed(c, survey.Errorf(survey.EINVALID, "请选择访员", "choose an interviewer"))
	}
	if s := strings.TrimSpace(c.FormValue("count")); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return o.assignFailed(c, survey.Errorf(survey.EINVALID, "数量应为 0 或正整数", "count must be 0 or a positive whole number"))
		}
		req.Limit = n
	}
	n, err := fieldwork.Assign(c.Request().Context(), o.store, id, req)
	if err != nil {
		return o.assignFailed(c, err)
	}
	if err := o.audit(c, fieldwork.ActionCasesAssign, id, map[string]any{"interviewer": req.Interviewer, "cases": n, "district": req.District, "reassign": req.Reassign}); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, setupPath(id, "/cases/assign?done=assigned&n="+strconv.Itoa(n)))
}

// handleAssignSelected handles POST /app/m/:id/cases/assign/selected:
// the cases ticked (field case, repeatable) go to interviewer; an empty
// interviewer takes them back (unassigned). This is one-by-one assignment
// and reassignment.
func (o *officePages) handleAssignSelected(c *echo.Context) error {
	id := c.Param("id")
	form, err := c.FormValues()
	if err != nil {
		return err
	}
	var ids []int64
	for _, s := range form["case"] {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			return o.assignFailed(c, survey.Errorf(survey.EINVALID, "样本编号 %q 无效", "case %q is not valid", s))
		}
		ids = append(ids, n)
	}
	if len(ids) == 0 {
		return o.assignFailed(c, survey.Errorf(survey.EINVALID, "请勾选要分配的样本", "tick the cases to assign"))
	}
	who := strings.TrimSpace(form.Get("interviewer"))
	ctx := c.Request().Context()
	cs, err := o.store.Cases(ctx, fieldwork.CaseFilter{MeasurementID: id, ReleasedOnly: true, IDs: ids})
	if err != nil {
		return err
	}
	var ok []int64
	for _, cs := range cs {
		if fieldwork.Assignable(cs, true) {
			ok = append(ok, cs.ID)
		}
	}
	if len(ok) == 0 {
		return o.assignFailed(c, survey.Errorf(survey.EINVALID, "勾选的样本都已完成或拒访，不能分配", "the ticked cases are all finished or refused"))
	}
	n, err := o.store.AssignCases(ctx, id, ok, who)
	if err != nil {
		return o.assignFailed(c, err)
	}
	if err := o.audit(c, fieldwork.ActionCasesAssign, id, map[string]any{"interviewer": who, "cases": n, "selected": true}); err != nil {
		return err
	}
	q := url.Values{"done": {"assigned"}, "n": {strconv.Itoa(n)}}
	if d := form.Get("filter"); d != "" {
		q.Set("district", d)
	}
	return c.Redirect(http.StatusSeeOther, setupPath(id, "/cases/assign?"+q.Encode()))
}
