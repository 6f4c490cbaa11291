package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"manyi/survey"
	"manyi/survey/demo"
)

// fwtComplete submits a response with every page answered by answers and
// the given time on each page.
func fwtComplete(t *testing.T, e *staffEnv, q *survey.Questionnaire, onPage time.Duration, rating string) int64 {
	t.Helper()
	ctx := context.Background()
	toks, err := e.db.CreateInvitations(ctx, demo.ID, 1)
	if err != nil {
		t.Fatal(err)
	}
	a := survey.Answers{}
	for id := q.NextPage("", a); id != ""; id = q.NextPage(id, a) {
		form := validAnswers(q, id, a)
		ans := survey.Answers{}
		for k, v := range form {
			if rating != "" && v[0] == "8" {
				v = []string{rating}
			}
			ans[k] = v
			a[k] = v
		}
		if _, err := e.db.SavePage(ctx, toks[0], survey.PageSave{PageID: id, Answers: ans, Next: q.NextPage(id, a), Elapsed: onPage}); err != nil {
			t.Fatal(err)
		}
	}
	r, err := e.db.Finish(ctx, toks[0], survey.RespSubmitted)
	if err != nil {
		t.Fatal(err)
	}
	return r.ID
}

func TestQualityReview(t *testing.T) {
	e := newStaffEnv(t, "")
	q := survey.DefaultQuestionnaire()
	var normal []int64
	for i, r := range []string{"7", "6", "9"} {
		normal = append(normal, fwtComplete(t, e, q, time.Duration(40+i)*time.Second, r))
	}
	fast := fwtComplete(t, e, q, 2*time.Second, "5")
	c := e.client("10.3.0.1")
	c.login("stat")
	page := "/app/m/" + demo.ID + "/quality"
	rec := c.get(page)
	body := rec.Body.String()
	if rec.Code != http.StatusOK {
		t.Fatalf("quality page: status %d\n%s", rec.Code, body)
	}
	row := body[strings.Index(body, fmt.Sprintf(`id="r-%d"`, fast)):]
	row = row[:strings.Index(row, "</tr>")]
	if !strings.Contains(row, "不到中位数") || !strings.Contains(row, "所有评分题答案相同") {
		t.Errorf("the speeder's row lacks its speeder and straight-lining flags:\n%s", row)
	}
	for _, id := range normal {
		r := body[strings.Index(body, fmt.Sprintf(`id="r-%d"`, id)):]
		if r = r[:strings.Index(r, "</tr>")]; strings.Contains(r, "不到中位数") {
			t.Errorf("response %d, answered at the usual pace, is flagged as a speeder", id)
		}
	}
	if !strings.Contains(body, "已提交 4 份") {
		t.Errorf("summary missing: %s", body)
	}
	// Every response gives one rating to all items: each is a
	// straight-liner, so all four are listed.
	for _, id := range normal {
		if !strings.Contains(body, fmt.Sprintf(`id="r-%d"`, id)) {
			t.Errorf("straight-liner %d is not listed", id)
		}
	}
	csrf := csrfOf(t, body)
	ex := fmt.Sprintf("%s/%d/exclude", page, fast)
	if rec := c.post(ex, url.Values{"csrf": {csrf}, "reason": {"  "}}); rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "请填写剔除理由") {
		t.Errorf("exclude without a reason: status %d, want 422 asking for one", rec.Code)
	}
	if rec := c.post(ex, url.Values{"csrf": {csrf}, "reason": {"答题过快"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("exclude: status %d\n%s", rec.Code, rec.Body)
	}
	if rec := c.post(ex, url.Values{"csrf": {csrf}, "reason": {"again"}}); rec.Code != http.StatusConflict {
		t.Errorf("exclude twice: status %d, want 409", rec.Code)
	}
	ids, _ := e.db.ExcludedResponses(context.Background(), demo.ID)
	if !ids[fast] || len(ids) != 1 {
		t.Errorf("excluded %v, want only %d", ids, fast)
	}
	body = c.get(page + "?done=excluded&resp=" + fmt.Sprint(fast)).Body.String()
	if !strings.Contains(body, "答题过快") || !strings.Contains(body, "由 stat 剔除") || !strings.Contains(body, fmt.Sprintf("问卷 %d 已剔除", fast)) {
		t.Errorf("the page does not show the exclusion with who and why")
	}
	if rec := c.post(fmt.Sprintf("%s/%d/restore", page, fast), url.Values{"csrf": {csrf}, "note": {"核实为有效"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("restore: status %d\n%s", rec.Code, rec.Body)
	}
	if rec := c.post(fmt.Sprintf("%s/%d/restore", page, fast), url.Values{"csrf": {csrf}}); rec.Code != http.StatusConflict {
		t.Errorf("restore twice: status %d, want 409", rec.Code)
	}
	if ids, _ := e.db.ExcludedResponses(context.Background(), demo.ID); len(ids) != 0 {
		t.Errorf("excluded after restore: %v", ids)
	}
	if rec := c.post(fmt.Sprintf("%s/%d/exclude", page, 999999), url.Values{"csrf": {csrf}, "reason": {"x"}}); rec.Code != http.StatusNotFound {
		t.Errorf("exclude an unknown response: status %d, want 404", rec.Code)
	}
	acts := strings.Join(e.auditActions(), " ")
	for _, want := range []string{fmt.Sprintf("response.exclude:stat:response:%d", fast), fmt.Sprintf("response.restore:stat:response:%d", fast)} {
		if !strings.Contains(acts, want) {
			t.Errorf("audit log lacks %q: %s", want, acts)
		}
	}
}
