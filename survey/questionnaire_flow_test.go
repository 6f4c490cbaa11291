package survey

import (
	"reflect"
	"slices"
	"strings"
	"testing"
)

// flowQ is a small questionnaire with a page condition, item conditions and
// screen-out rules:
//
//	start  (consent)  agree: y/n
//	screen            smoker: y/n; age: 0–120, whole
//	habit  when smoker=y      cigs: number 0–100
//	rate   (domain d)         sat: 1–10 + 99; why: text, when age in [60, 120]
//	later                     late: text, when smoker=y (so the page hides with it)
//	extra                     topics: multi a/b/c, at most 2; note: text ≤ 10
func flowQ(t *testing.T) *Questionnaire {
	t.Helper()
	tx := func(zh, en string) Text { return Text{Zh: zh, En: en} }
	yn := []Choice{{Code: "y", Label: tx("是", "Yes")}, {Code: "n", Label: tx("否", "No")}}
	q := &Questionnaire{
		ID: "flow", Title: tx("测试", "Test"), Welcome: tx("您好", "Hello"), Thanks: tx("谢谢", "Thanks"),
		Domains: []Domain{{ID: "d", Name: tx("领域", "Domain")}},
		Pages: []Page{
			{ID: "start", Kind: KindConsent, Title: tx("开始", "Start"), Items: []Item{
				{ID: "agree", Type: TypeSingle, Required: true, Role: RoleConsent, Text: tx("同意吗？", "Agree?"), Choices: yn},
			}},
			{ID: "screen", Kind: KindScreener, Title: tx("筛选", "Screener"), Items: []Item{
				{ID: "smoker", Type: TypeSingle, Required: true, Text: tx("吸烟吗？", "Smoke?"), Choices: yn},
				{ID: "age", Type: TypeNumber, Required: true, Role: RoleAge, Integer: true, Min: ptr(0.0), Max: ptr(120.0), Text: tx("年龄", "Age")},
			}},
			{ID: "habit", Kind: KindOther, Title: tx("习惯", "Habit"), When: &Condition{Item: "smoker", In: []string{"y"}}, Items: []Item{
				{ID: "cigs", Type: TypeNumber, Required: true, Min: ptr(0.0), Max: ptr(100.0), Text: tx("每天几支？", "How many a day?")},
			}},
			{ID: "rate", Kind: KindDomain, Domain: "d", Title: tx("评价", "Rating"), Items: []Item{
				{ID: "sat", Type: TypeScale, Required: true, Text: tx("满意吗？", "Satisfied?"), Scale: &Scale{
					Min: 1, Max: 10, MinLabel: tx("非常不满意", "Very dissatisfied"), MaxLabel: tx("非常满意", "Very satisfied"),
					DontKnow: &Choice{Code: "99", Label: tx("不清楚/不适用", "Don't know")},
				}},
				{ID: "why", Type: TypeText, Text: tx("为什么？", "Why?"), When: &Condition{Item: "age", Min: ptr(60.0), Max: ptr(120.0)}},
			}},
			{ID: "later", Kind: KindOther, Title: tx("以后", "Later"), Items: []Item{
				{ID: "late", Type: TypeText, Text: tx("还有吗？", "Anything else?"), When: &Condition{Item: "smoker", In: []string{"y"}}},
			}},
			{ID: "extra", Kind: KindOther, Title: tx("其他", "Other"), Items: []Item{
				{ID: "topics", Type: TypeMulti, MaxChoices: 2, Text: tx("关心什么？", "Topics?"), Choices: []Choice{
					{Code: "a", Label: tx("甲", "A")}, {Code: "b", Label: tx("乙", "B")}, {Code: "c", Label: tx("丙", "C")},
				}},
				{ID: "note", Type: TypeText, MaxLength: 10, Text: tx("备注", "Note")},
			}},
		},
		ScreenOut: []ScreenOut{
			{When: Condition{Item: "agree", In: []string{"n"}}, Message: tx("不同意", "declined")},
			{When: Condition{Item: "age", Min: ptr(18.0), Max: ptr(70.0), Not: true}, Message: tx("年龄不符", "age")},
		},
	}
	if probs := q.Validate(); len(probs) > 0 {
		t.Fatalf("flowQ is invalid: %v", probs)
	}
	return q
}

func pageIDs(pages []*Page) []string {
	var ids []string
	for _, p := range pages {
		ids = append(ids, p.ID)
	}
	return ids
}

func itemIDs(items []*Item) []string {
	var ids []string
	for _, it := range items {
		ids = append(ids, it.ID)
	}
	return ids
}

var (
	smoker    = Answers{"agree": {"y"}, "smoker": {"y"}, "age": {"65"}}
	nonSmoker = Answers{"agree": {"y"}, "smoker": {"n"}, "age": {"30"}}
)

func TestVisiblePages(t *testing.T) {
	q := flowQ(t)
	tests := []struct {
		name string
		a    Answers
		want []string
	}{
		{"nothing answered", Answers{}, []string{"start", "screen", "rate", "extra"}},
		{"smoker", smoker, []string{"start", "screen", "habit", "rate", "later", "extra"}},
		{"non-smoker", nonSmoker, []string{"start", "screen", "rate", "extra"}},
	}
	for _, tt := range tests {
		if got := pageIDs(q.VisiblePages(tt.a)); !slices.Equal(got, tt.want) {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
	rate, _ := q.Page("rate")
	if got := itemIDs(rate.VisibleItems(smoker)); !slices.Equal(got, []string{"sat", "why"}) {
		t.Errorf("rate items at 65: got %v, want [sat why]", got)
	}
	if got := itemIDs(rate.VisibleItems(nonSmoker)); !slices.Equal(got, []string{"sat"}) {
		t.Errorf("rate items at 30: got %v, want [sat]", got)
	}
}

func TestNextPrevProgress(t *testing.T) {
	q := flowQ(t)
	tests := []struct {
		current     string
		a           Answers
		next, prev  string
		n, total    int
		description string
	}{
		{"", Answers{}, "start", "extra", 4, 4, "start and review"},
		{"start", Answers{}, "screen", "", 1, 4, "first page"},
		{"screen", smoker, "habit", "start", 2, 6, "smoker goes to habit"},
		{"screen", nonSmoker, "rate", "start", 2, 4, "non-smoker skips habit"},
		{"habit", smoker, "rate", "screen", 3, 6, "habit shows"},
		{"habit", nonSmoker, "rate", "screen", 3, 4, "hidden current page still moves on"},
		{"rate", smoker, "later", "habit", 4, 6, "back to the conditional page"},
		{"rate", nonSmoker, "extra", "screen", 3, 4, "later hidden with its only item"},
		{"extra", nonSmoker, "", "rate", 4, 4, "after the last page comes the review"},
		{"", nonSmoker, "start", "extra", 4, 4, "review"},
		{"nope", nonSmoker, "start", "", 0, 4, "unknown page"},
	}
	for _, tt := range tests {
		if got := q.NextPage(tt.current, tt.a); got != tt.next {
			t.Errorf("%s: NextPage(%q) got %q, want %q", tt.description, tt.current, got, tt.next)
		}
		if got := q.PrevPage(tt.current, tt.a); got != tt.prev {
			t.Errorf("%s: PrevPage(%q) got %q, want %q", tt.description, tt.current, got, tt.prev)
		}
		if n, total := q.Progress(tt.current, tt.a); n != tt.n || total != tt.total {
			t.Errorf("%s: Progress(%q) got %d/%d, want %d/%d", tt.description, tt.current, n, total, tt.n, tt.total)
		}
	}
}

func TestWalkDefaultQuestionnaire(t *testing.T) {
	q := DefaultQuestionnaire()
	a := Answers{}
	var seen []string
	for id := q.NextPage("", a); id != ""; id = q.NextPage(id, a) {
		seen = append(seen, id)
		if len(seen) > len(q.Pages) {
			t.Fatalf("NextPage loops: %v", seen)
		}
		n, total := q.Progress(id, a)
		if n != len(seen) || total != len(q.Pages) {
			t.Errorf("page %s: got progress %d/%d, want %d/%d", id, n, total, len(seen), len(q.Pages))
		}
	}
	if len(seen) != len(q.Pages) {
		t.Errorf("walked %v, want all %d pages", seen, len(q.Pages))
	}
	var back []string
	for id := q.PrevPage("", a); id != ""; id = q.PrevPage(id, a) {
		back = append(back, id)
	}
	slices.Reverse(back)
	if !slices.Equal(back, seen) {
		t.Errorf("walking back: got %v, want %v", back, seen)
	}
}

func TestScreenedOut(t *testing.T) {
	tests := []struct {
		name string
		a    Answers
		out  bool
		msg  string
	}{
		{"nothing yet", Answers{}, false, ""},
		{"consent only", Answers{"consent": {"y"}}, false, ""},
		{"declined", Answers{"consent": {"n"}}, true, "您选择了不参加"},
		{"age 17", Answers{"consent": {"y"}, "age": {"17"}}, true, "18 至 70 周岁"},
		{"age 18", Answers{"consent": {"y"}, "age": {"18"}, "resident": {"y"}}, false, ""},
		{"age 70", Answers{"consent": {"y"}, "age": {"70"}, "resident": {"y"}}, false, ""},
		{"age 71", Answers{"consent": {"y"}, "age": {"71"}}, true, "18 至 70 周岁"},
		{"not resident", Answers{"consent": {"y"}, "age": {"40"}, "resident": {"n"}}, true, "居住满半年"},
		{"first rule wins", Answers{"consent": {"n"}, "age": {"10"}, "resident": {"n"}}, true, "您选择了不参加"},
	}
	q := DefaultQuestionnaire()
	for _, tt := range tests {
		out, msg := q.ScreenedOut(tt.a)
		if out != tt.out || (tt.out && !strings.Contains(msg.Zh, tt.msg)) || (!tt.out && msg != Text{}) {
			t.Errorf("%s: got %t %q, want %t with %q", tt.name, out, msg.Zh, tt.out, tt.msg)
		}
		if out && msg.En == "" {
			t.Errorf("%s: the screen-out message has no English", tt.name)
		}
	}
}

func TestMissing(t *testing.T) {
	q := flowQ(t)
	tests := []struct {
		name              string
		a                 Answers
		required, skipped []string
	}{
		{"smoker at 65", smoker, []string{"cigs", "sat"}, []string{"why", "late", "topics", "note"}},
		{"non-smoker at 30", nonSmoker, []string{"sat"}, []string{"topics", "note"}},
		{"don't know is an answer", nonSmoker.Merge(Answers{"sat": {"99"}, "note": {"ok"}}), nil, []string{"topics"}},
		{"an empty value is no answer", nonSmoker.Merge(Answers{"sat": {""}}), []string{"sat"}, []string{"topics", "note"}},
		{"nothing", Answers{}, []string{"agree", "smoker", "age", "sat"}, []string{"topics", "note"}},
	}
	for _, tt := range tests {
		req, skip := q.Missing(tt.a)
		if got := itemIDs(req); !slices.Equal(got, tt.required) {
			t.Errorf("%s: required got %v, want %v", tt.name, got, tt.required)
		}
		if got := itemIDs(skip); !slices.Equal(got, tt.skipped) {
			t.Errorf("%s: skipped got %v, want %v", tt.name, got, tt.skipped)
		}
	}
}

func TestPrune(t *testing.T) {
	q := flowQ(t)
	a := nonSmoker.Merge(Answers{"cigs": {"5"}, "late": {"x"}, "gone": {"1"}, "sat": {"7"}, "note": {""}})
	want := nonSmoker.Merge(Answers{"sat": {"7"}})
	if got := q.Prune(a); !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestDomainItemsAndRoles(t *testing.T) {
	q := flowQ(t)
	if got := itemIDs(q.DomainItems("d")); !slices.Equal(got, []string{"sat"}) {
		t.Errorf("DomainItems(d): got %v, want [sat] (scale items only)", got)
	}
	if got := q.DomainItems("none"); got != nil {
		t.Errorf("DomainItems(none): got %v, want nil", got)
	}
	if got := itemIDs(q.ItemsByRole(RoleAge)); !slices.Equal(got, []string{"age"}) {
		t.Errorf("ItemsByRole(age): got %v, want [age]", got)
	}
	if it, pg := q.Item("why"); it == nil || pg.ID != "rate" {
		t.Errorf("Item(why): got %v on %v, want it on rate", it, pg)
	}
	if it, pg := q.Item("nope"); it != nil || pg != nil {
		t.Errorf("Item(nope): got %v, %v, want nil, nil", it, pg)
	}
	if pg, i := q.Page("later"); pg == nil || i != 4 {
		t.Errorf("Page(later): got %v, %d, want the page at 4", pg, i)
	}
	if pg, i := q.Page("nope"); pg != nil || i != -1 {
		t.Errorf("Page(nope): got %v, %d, want nil, -1", pg, i)
	}
	if d := q.Domain("d"); d == nil || d.Name.En != "Domain" {
		t.Errorf("Domain(d): got %v", d)
	}
	if got := q.ItemDomain("nope"); got != "" {
		t.Errorf("ItemDomain(nope): got %q, want \"\"", got)
	}
}

// TestSharedQuestionnaire uses one questionnaire from several goroutines, as
// the store's cache does; run with -race it shows the methods only read.
func TestSharedQuestionnaire(t *testing.T) {
	q := DefaultQuestionnaire()
	done := make(chan struct{})
	for g := 0; g < 4; g++ {
		go func() {
			defer func() { done <- struct{}{} }()
			a := Answers{"consent": {"y"}, "age": {"40"}, "district": {"d1"}, "resident": {"y"}}
			for id := q.NextPage("", a); id != ""; id = q.NextPage(id, a) {
				q.Progress(id, a)
				q.ParsePage(id, nil, a)
			}
			q.Missing(a)
			q.ScreenedOut(a)
			q.Validate()
		}()
	}
	for g := 0; g < 4; g++ {
		<-done
	}
}
