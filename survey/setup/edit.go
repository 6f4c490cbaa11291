package setup

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"manyi/survey"
)

// The editor's operations change a questionnaire in place; callers work on
// a Clone. They check only what they need to do their work (that the page
// or item exists); everything else is the format's validation, which the
// editor shows next to the item it concerns.

// ErrNoPage and ErrNoItem are what the operations answer for an unknown id.
func errNoPage(id string) error {
	return survey.Errorf(survey.ENOTFOUND, "问卷中没有页面 %s", "the questionnaire has no page %s", id)
}

func errNoItem(id string) error {
	return survey.Errorf(survey.ENOTFOUND, "问卷中没有题目 %s", "the questionnaire has no item %s", id)
}

// FindPage returns the index of the first page with id, or -1.
func FindPage(q *survey.Questionnaire, id string) int {
	for i := range q.Pages {
		if q.Pages[i].ID == id {
			return i
		}
	}
	return -1
}

// FindItem returns the page and item index of the first item with id, or
// -1, -1.
func FindItem(q *survey.Questionnaire, id string) (int, int) {
	for i := range q.Pages {
		for j := range q.Pages[i].Items {
			if q.Pages[i].Items[j].ID == id {
				return i, j
			}
		}
	}
	return -1, -1
}

// MovePage moves a page delta places (-1 up, +1 down), stopping at the
// ends.
func MovePage(q *survey.Questionnaire, id string, delta int) error {
	i := FindPage(q, id)
	if i < 0 {
		return errNoPage(id)
	}
	j := min(max(i+delta, 0), len(q.Pages)-1)
	p := q.Pages[i]
	q.Pages = append(q.Pages[:i], q.Pages[i+1:]...)
	q.Pages = append(q.Pages[:j], append([]survey.Page{p}, q.Pages[j:]...)...)
	return nil
}

// DeletePage removes a page with its items.
func DeletePage(q *survey.Questionnaire, id string) error {
	i := FindPage(q, id)
	if i < 0 {
		return errNoPage(id)
	}
	q.Pages = append(q.Pages[:i], q.Pages[i+1:]...)
	return nil
}

// AddPage inserts p after the page with id after ("" or unknown: at the
// end).
func AddPage(q *survey.Questionnaire, p survey.Page, after string) {
	i := FindPage(q, after)
	if after == "" || i < 0 {
		q.Pages = append(q.Pages, p)
		return
	}
	q.Pages = append(q.Pages[:i+1], append([]survey.Page{p}, q.Pages[i+1:]...)...)
}

// ReplacePage replaces the fields of the page with id by p's, keeping its
// items; a changed id is renamed in every condition that names it.
func ReplacePage(q *survey.Questionnaire, id string, p survey.Page) error {
	i := FindPage(q, id)
	if i < 0 {
		return errNoPage(id)
	}
	p.Items = q.Pages[i].Items
	q.Pages[i] = p
	if p.ID != id {
		renameRefs(q, id, p.ID)
	}
	return nil
}

// MoveItem moves an item delta places (-1 up, +1 down). Past the first or
// last item of its page it moves to the end of the previous page or the
// start of the next one.
func MoveItem(q *survey.Questionnaire, id string, delta int) error {
	pi, ii := FindItem(q, id)
	if pi < 0 {
		return errNoItem(id)
	}
	items := q.Pages[pi].Items
	it := items[ii]
	j := ii + delta
	switch {
	case j >= 0 && j < len(items):
		items[ii], items[j] = items[j], items[ii]
	case j < 0 && pi > 0:
		q.Pages[pi].Items = append(items[:ii], items[ii+1:]...)
		q.Pages[pi-1].Items = append(q.Pages[pi-1].Items, it)
	case j >= len(items) && pi < len(q.Pages)-1:
		q.Pages[pi].Items = append(items[:ii], items[ii+1:]...)
		q.Pages[pi+1].Items = append([]survey.Item{it}, q.Pages[pi+1].Items...)
	}
	return nil
}

// DeleteItem removes an item.
func DeleteItem(q *survey.Questionnaire, id string) error {
	pi, ii := FindItem(q, id)
	if pi < 0 {
		return errNoItem(id)
	}
	q.Pages[pi].Items = append(q.Pages[pi].Items[:ii], q.Pages[pi].Items[ii+1:]...)
	return nil
}

// ReplaceItem replaces the item with id by it; a changed id is renamed in
// every condition that names it.
func ReplaceItem(q *survey.Questionnaire, id string, it survey.Item) error {
	pi, ii := FindItem(q, id)
	if pi < 0 {
		return errNoItem(id)
	}
	q.Pages[pi].Items[ii] = it
	if it.ID != id {
		renameRefs(q, id, it.ID)
	}
	return nil
}

// renameRefs points every condition on item from at item to.
func renameRefs(q *survey.Questionnaire, from, to string) {
	fix := func(c *survey.Condition) {
		if c != nil && c.Item == from {
			c.Item = to
		}
	}
	for i := range q.Pages {
		fix(q.Pages[i].When)
		for j := range q.Pages[i].Items {
			fix(q.Pages[i].Items[j].When)
		}
	}
	for i := range q.ScreenOut {
		fix(&q.ScreenOut[i].When)
	}
}

// FreshID returns prefix, or prefix_2, prefix_3, … — the first not used by
// a page or an item of q.
func FreshID(q *survey.Questionnaire, prefix string) string {
	used := map[string]bool{}
	for _, p := range q.Pages {
		used[p.ID] = true
		for _, it := range p.Items {
			used[it.ID] = true
		}
	}
	id := prefix
	for n := 2; used[id]; n++ {
		id = prefix + "_" + strconv.Itoa(n)
	}
	return id
}

// satisfied and dissatisfied are the default scale ends.
var (
	scaleMinLabel = survey.Text{Zh: "非常不满意", En: "Very dissatisfied"}
	scaleMaxLabel = survey.Text{Zh: "非常满意", En: "Very satisfied"}
	dontKnow      = survey.Choice{Code: "99", Label: survey.Text{Zh: "不清楚/不适用", En: "Don't know / not applicable"}}
)

// NewItem returns a starting item of type typ with a fresh id: a valid
// item the office then edits (a question text to replace, two choices, the
// 1–10 scale with don't know).
func NewItem(q *survey.Questionnaire, typ survey.ItemType) (survey.Item, error) {
	it := survey.Item{
		ID:   FreshID(q, "q_"+string(typ)),
		Type: typ,
		Text: survey.Text{Zh: "新问题（请修改）", En: "New question (edit me)"},
	}
	switch typ {
	case survey.TypeSingle, survey.TypeMulti:
		it.Choices = []survey.Choice{
			{Code: "1", Label: survey.Text{Zh: "选项一", En: "Option one"}},
			{Code: "2", Label: survey.Text{Zh: "选项二", En: "Option two"}},
		}
	case survey.TypeScale:
		dk := dontKnow
		it.Scale = &survey.Scale{Min: 1, Max: 10, MinLabel: scaleMinLabel, MaxLabel: scaleMaxLabel, DontKnow: &dk}
		it.Required = true
	case survey.TypeNumber, survey.TypeText:
	default:
		return survey.Item{}, survey.Errorf(survey.EINVALID, "题型 %q 无效", "item type %q is not one of single, scale, multi, number, text", typ)
	}
	return it, nil
}

// AddItem appends a NewItem of type typ to the page with id and returns
// the new item's id.
func AddItem(q *survey.Questionnaire, pageID string, typ survey.ItemType) (string, error) {
	i := FindPage(q, pageID)
	if i < 0 {
		return "", errNoPage(pageID)
	}
	it, err := NewItem(q, typ)
	if err != nil {
		return "", err
	}
	q.Pages[i].Items = append(q.Pages[i].Items, it)
	return it.ID, nil
}

// Reorder puts the pages and items in the order given: each entry is a
// page id with its item ids. It must name every page and every item of q
// exactly once (drag and drop reorders, it never adds or drops).
func Reorder(q *survey.Questionnaire, order []PageOrder) error {
	pages := map[string]survey.Page{}
	items := map[string]survey.Item{}
	nItems := 0
	for _, p := range q.Pages {
		pages[p.ID] = p
		for _, it := range p.Items {
			items[it.ID] = it
			nItems++
		}
	}
	bad := survey.Errorf(survey.EINVALID, "新的顺序与问卷不符（页面或题目多了、少了或重复），请刷新页面后重试",
		"the new order does not match the questionnaire (pages or items missing, extra or repeated): reload the page and try again")
	if len(pages) != len(q.Pages) || len(items) != nItems || len(order) != len(q.Pages) {
		return bad
	}
	seenP, seenI := map[string]bool{}, map[string]bool{}
	var out []survey.Page
	for _, po := range order {
		p, ok := pages[po.Page]
		if !ok || seenP[po.Page] {
			return bad
		}
		seenP[po.Page] = true
		p.Items = nil
		for _, id := range po.Items {
			it, ok := items[id]
			if !ok || seenI[id] {
				return bad
			}
			seenI[id] = true
			p.Items = append(p.Items, it)
		}
		out = append(out, p)
	}
	if len(seenI) != nItems {
		return bad
	}
	q.Pages = out
	return nil
}

// PageOrder is one page of a Reorder: its id and its items' ids in order.
type PageOrder struct {
	Page  string
	Items []string
}

// ParseOrder reads the order form field: "page=item,item;page=item".
func ParseOrder(s string) []PageOrder {
	var out []PageOrder
	for _, part := range strings.Split(s, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		page, items, _ := strings.Cut(part, "=")
		po := PageOrder{Page: strings.TrimSpace(page)}
		for _, id := range strings.Split(items, ",") {
			if id = strings.TrimSpace(id); id != "" {
				po.Items = append(po.Items, id)
			}
		}
		out = append(out, po)
	}
	return out
}

// problemPath matches the start of a validation path: pages[2].items[4]….
var problemPath = regexp.MustCompile(`^pages\[(\d+)\](?:\.items\[(\d+)\])?(?:\.(.*))?$`)

// Locate splits a validation problem's path into the page and item it
// belongs to and the rest: "pages[2].items[4].scale.min" → 2, 4,
// "scale.min". page is -1 for a path outside the pages (title, domains,
// screen_out), item -1 for one on the page itself.
func Locate(path string) (page, item int, rest string) {
	m := problemPath.FindStringSubmatch(path)
	if m == nil {
		return -1, -1, path
	}
	page, _ = strconv.Atoi(m[1])
	item = -1
	if m[2] != "" {
		item, _ = strconv.Atoi(m[2])
	}
	return page, item, m[3]
}

// ProblemsAt groups problems by where they belong: "page:ID" for a page,
// "item:ID" for an item (by the ids in q), "" for the rest.
func ProblemsAt(q *survey.Questionnaire, probs []survey.Problem) map[string][]survey.Problem {
	out := map[string][]survey.Problem{}
	for _, p := range probs {
		pi, ii, _ := Locate(p.Path)
		key := ""
		switch {
		case pi >= 0 && pi < len(q.Pages) && ii >= 0 && ii < len(q.Pages[pi].Items):
			key = "item:" + q.Pages[pi].Items[ii].ID
		case pi >= 0 && pi < len(q.Pages):
			key = "page:" + q.Pages[pi].ID
		}
		out[key] = append(out[key], p)
	}
	return out
}

// ItemPath returns the validation path prefix of an item ("pages[2].items[4]").
func ItemPath(q *survey.Questionnaire, id string) string {
	pi, ii := FindItem(q, id)
	if pi < 0 {
		return ""
	}
	return fmt.Sprintf("pages[%d].items[%d]", pi, ii)
}

// Problems are the questionnaire's problems for measurement m: the
// format's (Validate) and, for a service measurement, those of its sectors
// (CheckService). A revision without problems is what residents answer.
func Problems(m *survey.Measurement, q *survey.Questionnaire) []survey.Problem {
	probs := q.Validate()
	if m != nil && m.IsService() {
		probs = append(probs, q.CheckService(m.Sectors)...)
	}
	return probs
}
