package survey

import (
	"fmt"
	"slices"
)

// Construct is one latent variable of the CCSI model.
type Construct struct {
	ID   string
	Name Text
}

// Constructs are the seven constructs of the China customer satisfaction
// index model (GB/T 19038), in the order of the model: brand image →
// expectation → perceived quality → perceived value → satisfaction →
// complaint and loyalty.
var Constructs = []Construct{
	{"image", Text{Zh: "品牌形象", En: "Brand image"}},
	{"expectation", Text{Zh: "顾客预期", En: "Customer expectation"}},
	{"quality", Text{Zh: "感知质量", En: "Perceived quality"}},
	{"value", Text{Zh: "感知价值", En: "Perceived value"}},
	{"satisfaction", Text{Zh: "顾客满意", En: "Customer satisfaction"}},
	{"complaint", Text{Zh: "顾客抱怨", En: "Customer complaints"}},
	{"loyalty", Text{Zh: "顾客忠诚", En: "Customer loyalty"}},
}

// ConstructName returns the name of construct id ("" if unknown).
func ConstructName(id string) Text {
	for _, c := range Constructs {
		if c.ID == id {
			return c.Name
		}
	}
	return Text{}
}

func knownConstruct(id string) bool {
	return slices.ContainsFunc(Constructs, func(c Construct) bool { return c.ID == id })
}

// SectorItem returns the item with role "sector", or nil.
func (q *Questionnaire) SectorItem() *Item {
	for pi := range q.Pages {
		for ii := range q.Pages[pi].Items {
			if q.Pages[pi].Items[ii].Role == "sector" {
				return &q.Pages[pi].Items[ii]
			}
		}
	}
	return nil
}

// ForAnswers returns it as the respondent sees it: when it has a wording
// for the sector answered in ans, a copy with that text; otherwise it
// itself.
func (q *Questionnaire) ForAnswers(it *Item, ans Answers) *Item {
	if len(it.SectorText) == 0 {
		return it
	}
	si := q.SectorItem()
	if si == nil || len(ans[si.ID]) == 0 {
		return it
	}
	for _, st := range it.SectorText {
		if st.Sector == ans[si.ID][0] {
			c := *it
			c.Text = st.Text
			return &c
		}
	}
	return it
}

// ItemsForSector returns the construct items a customer of sector sees, by
// construct, in questionnaire order: items without a condition and items
// whose condition on the sector item holds for sector (a sector's added
// items). Items conditional on other answers count as shown.
func (q *Questionnaire) ItemsForSector(sector string) map[string][]*Item {
	si := q.SectorItem()
	out := map[string][]*Item{}
	shown := func(c *Condition) bool {
		if c == nil || si == nil || c.Item != si.ID {
			return true
		}
		return c.Holds(Answers{si.ID: {sector}})
	}
	for pi := range q.Pages {
		pg := &q.Pages[pi]
		if !shown(pg.When) {
			continue
		}
		for ii := range pg.Items {
			it := &pg.Items[ii]
			if it.Construct == "" || !shown(it.When) {
				continue
			}
			out[it.Construct] = append(out[it.Construct], it)
		}
	}
	return out
}

// CheckService returns the problems of q as the questionnaire of a service
// measurement with the given sectors: a "sector" role item whose choices
// are exactly the sectors, and for every sector at least one scale item of
// each construct. The paths are those of Validate.
func (q *Questionnaire) CheckService(sectors []Sector) []Problem {
	var probs []Problem
	si := q.SectorItem()
	if si == nil {
		return []Problem{{Path: "pages", Message: `a service questionnaire needs a single item with role "sector"`}}
	}
	path := ""
	for pi := range q.Pages {
		for ii := range q.Pages[pi].Items {
			if &q.Pages[pi].Items[ii] == si {
				path = fmt.Sprintf("pages[%d].items[%d]", pi, ii)
			}
		}
	}
	for _, sc := range sectors {
		if !slices.ContainsFunc(si.Choices, func(c Choice) bool { return c.Code == sc.Code }) {
			probs = append(probs, Problem{Path: path + ".choices", Message: fmt.Sprintf("sector %q of the measurement has no choice", sc.Code)})
		}
	}
	for k, c := range si.Choices {
		if !slices.ContainsFunc(sectors, func(s Sector) bool { return s.Code == c.Code }) {
			probs = append(probs, Problem{Path: fmt.Sprintf("%s.choices[%d].code", path, k), Message: fmt.Sprintf("%q is not one of the measurement's sectors", c.Code)})
		}
	}
	for _, sc := range sectors {
		items := q.ItemsForSector(sc.Code)
		for _, c := range Constructs {
			if len(items[c.ID]) == 0 {
				probs = append(probs, Problem{Path: "pages", Message: fmt.Sprintf("sector %q has no item of construct %q", sc.Code, c.ID)})
			}
		}
	}
	return probs
}

// checkCSI validates the construct and sector_text fields of one item.
func (v *validator) checkCSI(p string, it *Item) {
	if it.Construct != "" {
		switch {
		case !knownConstruct(it.Construct):
			v.add(p+".construct", "unknown construct %q (want image, expectation, quality, value, satisfaction, complaint or loyalty)", it.Construct)
		case it.Type != TypeScale:
			v.add(p+".construct", "only scale items measure a construct; this item is %s", it.Type)
		}
	}
	if len(it.SectorText) == 0 {
		return
	}
	si := v.q.SectorItem()
	if si == nil {
		v.add(p+".sector_text", `sector_text needs an item with role "sector"`)
		return
	}
	seen := map[string]bool{}
	for k, st := range it.SectorText {
		sp := fmt.Sprintf("%s.sector_text[%d]", p, k)
		switch {
		case !si.validCode(st.Sector):
			v.add(sp+".sector", "%q is not a choice of the sector item %q", st.Sector, si.ID)
		case seen[st.Sector]:
			v.add(sp+".sector", "sector %q is renamed twice", st.Sector)
		}
		seen[st.Sector] = true
		v.text(sp+".text", st.Text, true)
	}
}

// KeepSectors trims a service questionnaire to the given sectors: the
// sector item keeps only their choices, sector_text entries of other
// sectors go, and a condition on the sector item loses the other codes
// (an item whose condition then names no sector is dropped). It changes q.
func (q *Questionnaire) KeepSectors(sectors []Sector) {
	si := q.SectorItem()
	if si == nil {
		return
	}
	keep := func(code string) bool {
		return slices.ContainsFunc(sectors, func(s Sector) bool { return s.Code == code })
	}
	si.Choices = slices.DeleteFunc(si.Choices, func(c Choice) bool { return !keep(c.Code) })
	sid := si.ID
	trim := func(c *Condition) (drop bool) {
		if c == nil || c.Item != sid {
			return false
		}
		c.In = slices.DeleteFunc(c.In, func(v string) bool { return !keep(v) })
		return len(c.In) == 0 && !c.Not
	}
	for pi := range q.Pages {
		pg := &q.Pages[pi]
		trim(pg.When)
		pg.Items = slices.DeleteFunc(pg.Items, func(it Item) bool { return trim(it.When) })
		for ii := range pg.Items {
			it := &pg.Items[ii]
			it.SectorText = slices.DeleteFunc(it.SectorText, func(st SectorText) bool { return !keep(st.Sector) })
		}
	}
}
