package setup

import (
	"bytes"
	"strings"
	"testing"

	"manyi/survey"
	"manyi/survey/fieldwork"
)

func TestLocate(t *testing.T) {
	tests := []struct {
		path       string
		page, item int
		rest       string
	}{
		{"pages[2].items[4].scale.min", 2, 4, "scale.min"},
		{"pages[3].items[0]", 3, 0, ""},
		{"pages[1].title.en", 1, -1, "title.en"},
		{"pages[0]", 0, -1, ""},
		{"title.en", -1, -1, "title.en"},
		{"screen_out[1].when.item", -1, -1, "screen_out[1].when.item"},
	}
	for _, tt := range tests {
		p, i, r := Locate(tt.path)
		if p != tt.page || i != tt.item || r != tt.rest {
			t.Errorf("Locate(%q) = %d, %d, %q; want %d, %d, %q", tt.path, p, i, r, tt.page, tt.item, tt.rest)
		}
	}
}

func TestEditOperations(t *testing.T) {
	q := survey.DefaultQuestionnaire()
	n := len(q.Pages)
	if err := MovePage(q, "welcome", -1); err != nil || q.Pages[0].ID != "welcome" {
		t.Errorf("moving the first page up: %v, first %s", err, q.Pages[0].ID)
	}
	MovePage(q, "welcome", 1)
	if q.Pages[1].ID != "welcome" || len(q.Pages) != n {
		t.Errorf("move down: %s", q.Pages[1].ID)
	}
	MovePage(q, "welcome", -1)
	// An item past its page's top goes to the end of the page before.
	first := q.Pages[1].Items[0].ID
	MoveItem(q, first, -1)
	if last := q.Pages[0].Items[len(q.Pages[0].Items)-1].ID; last != first {
		t.Errorf("item moved to %s, want the end of page 0", last)
	}
	MoveItem(q, first, 1)
	if q.Pages[1].Items[0].ID != first {
		t.Errorf("item did not move back")
	}
	id, err := AddItem(q, "general", survey.TypeMulti)
	if err != nil || id != "q_multi" {
		t.Fatalf("AddItem: %q, %v", id, err)
	}
	if id2, _ := AddItem(q, "general", survey.TypeMulti); id2 != "q_multi_2" {
		t.Errorf("second new multi id %q", id2)
	}
	if _, err := AddItem(q, "general", "colour"); survey.ErrorCode(err) != survey.EINVALID {
		t.Errorf("bad type: %v", err)
	}
	if probs := q.Validate(); len(probs) != 0 {
		t.Errorf("new items are not valid: %v", probs)
	}
	it, _ := q.Item("age")
	c := *it
	c.ID = "age_years"
	if err := ReplaceItem(q, "age", c); err != nil {
		t.Fatal(err)
	}
	for _, so := range q.ScreenOut {
		if so.When.Item == "age" {
			t.Errorf("screen-out still on age")
		}
	}
	if len(q.Validate()) != 0 {
		t.Errorf("renaming broke the questionnaire: %v", q.Validate())
	}
	if err := DeleteItem(q, "nope"); survey.ErrorCode(err) != survey.ENOTFOUND {
		t.Errorf("DeleteItem unknown: %v", err)
	}
	AddPage(q, survey.Page{ID: "extra", Kind: "other", Title: survey.Text{Zh: "补充", En: "More"}}, "welcome")
	if q.Pages[1].ID != "extra" {
		t.Errorf("AddPage after welcome: %s", q.Pages[1].ID)
	}
	at := ProblemsAt(q, q.Validate())
	if len(at["page:extra"]) != 1 {
		t.Errorf("an empty page's problem: %v", at)
	}
	DeletePage(q, "extra")
	if FindPage(q, "extra") >= 0 {
		t.Errorf("page not deleted")
	}
}

func TestReorder(t *testing.T) {
	q := survey.DefaultQuestionnaire()
	var b strings.Builder
	for i := len(q.Pages) - 1; i >= 0; i-- {
		p := q.Pages[i]
		b.WriteString(p.ID + "=")
		for j := len(p.Items) - 1; j >= 0; j-- {
			b.WriteString(p.Items[j].ID + ",")
		}
		b.WriteString(";")
	}
	r := Clone(q)
	if err := Reorder(r, ParseOrder(b.String())); err != nil {
		t.Fatal(err)
	}
	if r.Pages[0].ID != q.Pages[len(q.Pages)-1].ID || len(r.Items()) != len(q.Items()) {
		t.Errorf("reorder: first page %s", r.Pages[0].ID)
	}
	for _, bad := range []string{"", "welcome=consent", b.String() + "welcome=consent"} {
		if err := Reorder(Clone(q), ParseOrder(bad)); survey.ErrorCode(err) != survey.EINVALID {
			t.Errorf("Reorder(%.20q): %v, want EINVALID", bad, err)
		}
	}
}

func TestJSONRoundTrip(t *testing.T) {
	q := survey.DefaultQuestionnaire()
	q.Pages[2].Items[0].Help = survey.Text{Zh: "只有中文"} // a problem
	data := EncodeJSON(q)
	got, probs, ok := DecodeJSON(data)
	if !ok || len(probs) != 1 || !bytes.Equal(EncodeJSON(got), data) {
		t.Errorf("round trip: ok %v, %d problems, same %v", ok, len(probs), bytes.Equal(EncodeJSON(got), data))
	}
	for _, bad := range []string{"{", `{"id": "x", "colour": 1}`, `[]`, ``} {
		if q, probs, ok := DecodeJSON([]byte(bad)); ok || q != nil || len(probs) == 0 {
			t.Errorf("DecodeJSON(%q): ok %v, %d problems", bad, ok, len(probs))
		}
	}
}

func TestChecklist(t *testing.T) {
	m := &survey.Measurement{ID: "m1", Status: survey.StatusDraft}
	o := &Overview{Measurement: m, Revision: &Revision{Rev: 1, Q: survey.DefaultQuestionnaire()}}
	state := func(o *Overview) map[string]string {
		out := map[string]string{}
		for _, s := range Checklist(o) {
			out[s.Key] = s.State + ":" + s.Why.En
		}
		return out
	}
	got := state(o)
	if got[StepSample] != "blocked:import the frame first" || got[StepInvitations] != "blocked:draw the sample first" ||
		got[StepFieldwork] != "blocked:draw the sample first" || got[StepFrame] != "todo:" || got[StepQuestionnaire] != "done:" {
		t.Errorf("empty measurement: %v", got)
	}
	o.Frame = &fieldwork.FrameSummary{Units: 10}
	o.Sample = &fieldwork.SampleInfo{Cases: 5}
	o.Counts = &Counts{Released: 5, Invited: 5}
	if got := state(o); got[StepFieldwork] != "todo:" || got[StepInvitations] != "done:" || got[StepCases] != "todo:" {
		t.Errorf("drawn and invited: %v", got)
	}
	o.Problems = []survey.Problem{{Path: "title.en", Message: "x"}}
	if got := state(o); got[StepFieldwork] != "blocked:fix the questionnaire's problems first" || got[StepQuestionnaire] != "problem:" {
		t.Errorf("with problems: %v", got)
	}
	m.Status = survey.StatusOpen
	o.Counts.Submitted = 3
	if got := state(o); got[StepFieldwork] != "open:" || got[StepResults] != "todo:" {
		t.Errorf("open: %v", got)
	}
	m.Status = survey.StatusClosed
	if got := state(o); got[StepFieldwork] != "closed:" || got[StepReport] != "done:" {
		t.Errorf("closed: %v", got)
	}
}

// Every step that cannot be done yet says why, in both languages, and a
// done step that can no longer be done again says so in its detail.
func TestChecklistWhy(t *testing.T) {
	m := &survey.Measurement{ID: "m1", Status: survey.StatusDraft}
	o := &Overview{Measurement: m, Revision: &Revision{Rev: 1, Q: survey.DefaultQuestionnaire()}}
	check := func(name string) map[string]Step {
		t.Helper()
		out := map[string]Step{}
		for _, s := range Checklist(o) {
			if (s.State == StateBlocked) != (s.Why.Zh != "" && s.Why.En != "") {
				t.Errorf("%s: step %s is %s with why %+v", name, s.Key, s.State, s.Why)
			}
			out[s.Key] = s
		}
		return out
	}
	got := check("empty")
	for _, k := range []string{StepSample, StepInvitations, StepCases, StepFieldwork, StepResults, StepReport} {
		if got[k].State != StateBlocked {
			t.Errorf("empty: %s is %s, want blocked", k, got[k].State)
		}
	}
	if got[StepResults].Why.En != whyResponses.En {
		t.Errorf("results before fieldwork: %q", got[StepResults].Why.En)
	}
	o.Frame = &fieldwork.FrameSummary{Units: 10}
	o.Sample = &fieldwork.SampleInfo{Cases: 5}
	o.Counts = &Counts{Released: 5, Invited: 5}
	m.Status = survey.StatusOpen
	got = check("open, nothing completed")
	if got[StepResults].Why.En != whyNoneYet.En || got[StepReport].Why.Zh != whyNoneYet.Zh {
		t.Errorf("open without responses: %+v", got[StepResults].Why)
	}
	if !strings.Contains(got[StepFrame].Detail.En, "can no longer be replaced") || !strings.Contains(got[StepFrame].Detail.Zh, "不能再替换") {
		t.Errorf("frame detail after the draw: %+v", got[StepFrame].Detail)
	}
	if !strings.Contains(got[StepSample].Detail.En, "can no longer be redrawn") || !strings.Contains(got[StepSample].Detail.Zh, "不能再重抽") {
		t.Errorf("sample detail after links: %+v", got[StepSample].Detail)
	}
	m.Status = survey.StatusClosed
	if got = check("closed, nothing completed"); got[StepResults].Why.En != whyNoneClosed.En {
		t.Errorf("closed without responses: %+v", got[StepResults].Why)
	}
	// A service measurement may open fieldwork without a sample.
	svc := &survey.Measurement{ID: "s1", Kind: survey.KindService, Status: survey.StatusDraft}
	o = &Overview{Measurement: svc, Revision: &Revision{Rev: 1, Q: survey.DefaultServiceQuestionnaire()}}
	if got = check("service"); got[StepFieldwork].State != StateTodo || got[StepInvitations].State != StateBlocked {
		t.Errorf("service without a sample: fieldwork %s, invitations %s", got[StepFieldwork].State, got[StepInvitations].State)
	}
}

// TestParseSectors checks that sector lists are read like district lists
// and that every problem speaks of sectors, with a sector example, and
// names its line, in both languages.
func TestParseSectors(t *testing.T) {
	ss, errs := ParseSectors("banking | 银行 | Banking\r\nretail\t零售\n\nhealth 医疗卫生 Health care\n")
	if len(errs) != 0 || len(ss) != 3 || ss[0].Code != "banking" || ss[1].Name.En != "" || ss[2].Name.En != "Health care" {
		t.Fatalf("got %+v %+v", ss, errs)
	}
	_, errs = ParseSectors("banking 银行\nhotels\nBank 银行\nbanking again")
	want := []survey.FieldError{
		{Field: "sectors", Message: survey.Text{
			Zh: "第 2 行：请写出行业代码和名称，例如“banking 银行 Banking”",
			En: `line 2: give the sector code and name, e.g. "banking 银行 Banking"`}},
		{Field: "sectors", Message: survey.Text{
			Zh: "第 3 行：行业代码“Bank”应以小写字母开头，只含小写字母、数字和 _（最多 32 个字符）",
			En: `line 3: the sector code "Bank" must start with a lower-case letter and contain only lower-case letters, digits and _ (at most 32)`}},
		{Field: "sectors", Message: survey.Text{
			Zh: "第 4 行：行业代码“banking”与第 1 行重复",
			En: `line 4: the sector code "banking" is also on line 1`}},
	}
	if len(errs) != len(want) {
		t.Fatalf("errors %+v, want %+v", errs, want)
	}
	for i := range want {
		if errs[i] != want[i] {
			t.Errorf("error %d: got %+v, want %+v", i, errs[i], want[i])
		}
	}
	// A district list keeps its own example and wider codes.
	ds, errs := ParseDistricts("D.1 东城区\nx")
	if len(ds) != 1 || len(errs) != 1 || errs[0].Field != "districts" || !strings.Contains(errs[0].Message.Zh, "d1 东城区 Dongcheng") || !strings.Contains(errs[0].Message.En, "district code") {
		t.Errorf("districts: %+v %+v", ds, errs)
	}
}
