package survey

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// pageKinds lists the page kinds a questionnaire may use, in the order
// DOMAIN.md gives its blocks.
var pageKinds = []string{"consent", "screener", "domain", "overall", "awareness", "participation", "confidence", "suggestions", "background", "other"}

// roleTypes lists the analysis roles an item may carry and the item types each
// allows. A role in uniqueRoles may be used by one item only.
var roleTypes = map[string][]ItemType{
	"consent":       {TypeSingle},
	"age":           {TypeNumber},
	"age_band":      {TypeSingle},
	"district":      {TypeSingle},
	"resident":      {TypeSingle},
	"gender":        {TypeSingle},
	"education":     {TypeSingle},
	"occupation":    {TypeSingle},
	"overall":       {TypeScale},
	"awareness":     {TypeSingle},
	"participation": {TypeSingle},
	"confidence":    {TypeScale, TypeSingle},
	"suggestion":    {TypeText},
	"sector":        {TypeSingle},
}

// uniqueRoles are the roles analysis reads from exactly one item: weighting
// cells, strata and the overall item. Awareness, participation and
// suggestion items may repeat.
var uniqueRoles = []string{"consent", "age", "age_band", "district", "resident", "gender", "education", "occupation", "overall", "confidence", "sector"}

var (
	idPattern   = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	codePattern = regexp.MustCompile(`^[A-Za-z0-9_.-]+$`)
)

// Length limits keep ids usable as form fields and URL parts.
const (
	maxIDLen   = 64
	maxCodeLen = 32
	// DefaultMaxLength is the rune limit of a text item whose MaxLength is 0.
	DefaultMaxLength = 500
)

// Validate checks the whole questionnaire and returns every problem, in
// document order, each with the path of the offending field (0-based
// indices, e.g. "pages[2].items[4].scale"). A nil result means valid.
func (q *Questionnaire) Validate() []Problem {
	v := &validator{q: q, ids: map[string]string{}, pageOf: map[string]int{}, roles: map[string]string{}}
	v.run()
	return v.probs
}

type validator struct {
	q      *Questionnaire
	probs  []Problem
	ids    map[string]string // page and item ids → path of first use
	pageOf map[string]int    // item id → page index
	roles  map[string]string // unique role → path of first item
}

func (v *validator) add(path, format string, args ...any) {
	v.probs = append(v.probs, Problem{Path: path, Message: fmt.Sprintf(format, args...)})
}

func (v *validator) run() {
	q := v.q
	if q.ID == "" {
		v.add("id", "id is required")
	} else {
		v.checkIDFormat("id", q.ID)
	}
	v.text("title", q.Title, true)
	v.text("welcome", q.Welcome, true)
	v.text("thanks", q.Thanks, true)

	domainIDs := map[string]bool{}
	for i, d := range q.Domains {
		p := fmt.Sprintf("domains[%d]", i)
		switch {
		case d.ID == "":
			v.add(p+".id", "id is required")
		case domainIDs[d.ID]:
			v.add(p+".id", "duplicate domain id %q", d.ID)
		default:
			v.checkIDFormat(p+".id", d.ID)
		}
		domainIDs[d.ID] = true
		v.text(p+".name", d.Name, true)
		if d.Weight < 0 {
			v.add(p+".weight", "weight must not be negative (0 means equal weights)")
		}
	}

	if len(q.Pages) == 0 {
		v.add("pages", "a questionnaire needs at least one page")
	}
	// Collect ids first so that a condition naming a later item is reported
	// as "later", not "unknown".
	for i := range q.Pages {
		pg := &q.Pages[i]
		v.claimID(fmt.Sprintf("pages[%d].id", i), pg.ID)
		for j := range pg.Items {
			it := &pg.Items[j]
			path := fmt.Sprintf("pages[%d].items[%d].id", i, j)
			if v.claimID(path, it.ID) {
				v.pageOf[it.ID] = i
			}
		}
	}

	domainsUsed := map[string]bool{}
	for i := range q.Pages {
		v.page(i, domainIDs, domainsUsed)
	}
	for i, d := range q.Domains {
		if d.ID != "" && !domainsUsed[d.ID] {
			v.add(fmt.Sprintf("domains[%d].id", i), "domain %q has no page of kind \"domain\"", d.ID)
		}
	}

	for i, so := range q.ScreenOut {
		p := fmt.Sprintf("screen_out[%d]", i)
		v.condition(p+".when", &so.When, len(q.Pages))
		v.text(p+".message", so.Message, true)
	}
}

// claimID records a page or item id, reporting missing, malformed and
// duplicate ids; it reports whether the id is usable.
func (v *validator) claimID(path, id string) bool {
	if id == "" {
		v.add(path, "id is required")
		return false
	}
	if !v.checkIDFormat(path, id) {
		return false
	}
	if first, dup := v.ids[id]; dup {
		v.add(path, "duplicate id %q (first used at %s; page and item ids share one namespace)", id, strings.TrimSuffix(first, ".id"))
		return false
	}
	v.ids[id] = path
	return true
}

func (v *validator) checkIDFormat(path, id string) bool {
	if !idPattern.MatchString(id) || len(id) > maxIDLen {
		v.add(path, "id %q must be a lower-case letter followed by lower-case letters, digits or _ (at most %d)", id, maxIDLen)
		return false
	}
	return true
}

// text checks that both languages are present; an optional text may be
// empty but not half filled.
func (v *validator) text(path string, t Text, required bool) {
	zh, en := strings.TrimSpace(t.Zh) != "", strings.TrimSpace(t.En) != ""
	if !required && !zh && !en {
		return
	}
	if !zh {
		v.add(path+".zh", "Chinese text is required")
	}
	if !en {
		v.add(path+".en", "English text is required")
	}
}

func (v *validator) page(i int, domainIDs, domainsUsed map[string]bool) {
	pg := &v.q.Pages[i]
	p := fmt.Sprintf("pages[%d]", i)
	switch {
	case pg.Kind == "":
		v.add(p+".kind", "kind is required (one of %s)", strings.Join(pageKinds, ", "))
	case !slices.Contains(pageKinds, pg.Kind):
		v.add(p+".kind", "unknown kind %q (want one of %s)", pg.Kind, strings.Join(pageKinds, ", "))
	}
	switch {
	case pg.Kind == "domain" && pg.Domain == "":
		v.add(p+".domain", "a page of kind \"domain\" needs the id of its domain")
	case pg.Kind == "domain" && !domainIDs[pg.Domain]:
		v.add(p+".domain", "unknown domain %q (not in domains)", pg.Domain)
	case pg.Kind == "domain":
		domainsUsed[pg.Domain] = true
	case pg.Domain != "":
		v.add(p+".domain", "only a page of kind \"domain\" has a domain")
	}
	v.text(p+".title", pg.Title, true)
	v.text(p+".intro", pg.Intro, false)
	if pg.When != nil {
		v.condition(p+".when", pg.When, i)
	}
	if len(pg.Items) == 0 {
		v.add(p+".items", "a page needs at least one item")
	}
	scales := 0
	for j := range pg.Items {
		v.item(i, j, domainIDs)
		if pg.Items[j].Type == TypeScale {
			scales++
		}
	}
	if pg.Kind == "domain" && len(pg.Items) > 0 && scales == 0 {
		v.add(p+".items", "a domain page needs at least one scale item")
	}
}

func (v *validator) item(i, j int, domainIDs map[string]bool) {
	pg := &v.q.Pages[i]
	it := &pg.Items[j]
	p := fmt.Sprintf("pages[%d].items[%d]", i, j)
	v.text(p+".text", it.Text, true)
	v.text(p+".help", it.Help, false)
	v.text(p+".instruction", it.Instruct, false)

	switch it.Type {
	case "":
		v.add(p+".type", "type is required (single, scale, multi, number or text)")
	case TypeSingle, TypeMulti:
		v.choices(p, it)
	case TypeScale:
		v.scale(p, it)
	case TypeNumber:
		if it.Min != nil && it.Max != nil && *it.Min > *it.Max {
			v.add(p+".min", "min %s exceeds max %s", fmtNum(*it.Min), fmtNum(*it.Max))
		}
	case TypeText:
		if it.MaxLength < 0 {
			v.add(p+".max_length", "max_length must not be negative (0 means %d)", DefaultMaxLength)
		}
	default:
		v.add(p+".type", "unknown type %q (want single, scale, multi, number or text)", it.Type)
	}
	known := it.Type == TypeSingle || it.Type == TypeMulti || it.Type == TypeScale || it.Type == TypeNumber || it.Type == TypeText
	if known {
		if len(it.Choices) > 0 && it.Type != TypeSingle && it.Type != TypeMulti {
			v.add(p+".choices", "only single and multi items have choices")
		}
		if it.Scale != nil && it.Type != TypeScale {
			v.add(p+".scale", "only scale items have a scale")
		}
		if it.Type != TypeNumber {
			if it.Min != nil {
				v.add(p+".min", "only number items have min (a scale item uses scale.min)")
			}
			if it.Max != nil {
				v.add(p+".max", "only number items have max (a scale item uses scale.max)")
			}
			if it.Integer {
				v.add(p+".integer", "only number items can be integer")
			}
		}
		if it.Type != TypeText && it.MaxLength != 0 {
			v.add(p+".max_length", "only text items have max_length")
		}
		if it.Type != TypeMulti && (it.MinChoices != 0 || it.MaxChoices != 0) {
			v.add(p+".min_choices", "only multi items have min_choices and max_choices")
		}
	}

	if it.Role != "" {
		types, ok := roleTypes[it.Role]
		switch {
		case !ok:
			v.add(p+".role", "unknown role %q", it.Role)
		case known && !slices.Contains(types, it.Type):
			v.add(p+".role", "role %q needs an item of type %s, not %s", it.Role, joinTypes(types), it.Type)
		}
		if slices.Contains(uniqueRoles, it.Role) {
			if first, dup := v.roles[it.Role]; dup {
				v.add(p+".role", "role %q is already used by %s; only one item may have it", it.Role, first)
			} else {
				v.roles[it.Role] = p
			}
		}
	}
	if it.Domain != "" {
		switch {
		case pg.Kind == "domain":
			v.add(p+".domain", "items on a domain page take the page's domain; remove this field")
		case !domainIDs[it.Domain]:
			v.add(p+".domain", "unknown domain %q (not in domains)", it.Domain)
		}
	}
	if it.When != nil {
		v.condition(p+".when", it.When, i)
	}
	v.checkCSI(p, it)
}

func joinTypes(ts []ItemType) string {
	s := make([]string, len(ts))
	for i, t := range ts {
		s[i] = string(t)
	}
	return strings.Join(s, " or ")
}

func (v *validator) choices(p string, it *Item) {
	min := 2
	if it.Type == TypeMulti {
		min = 1
	}
	if len(it.Choices) < min {
		v.add(p+".choices", "a %s item needs at least %d choices", it.Type, min)
	}
	seen := map[string]int{}
	for k, c := range it.Choices {
		cp := fmt.Sprintf("%s.choices[%d]", p, k)
		v.code(cp+".code", c.Code)
		if first, dup := seen[c.Code]; dup && c.Code != "" {
			v.add(cp+".code", "duplicate code %q (also choices[%d])", c.Code, first)
		} else {
			seen[c.Code] = k
		}
		v.text(cp+".label", c.Label, true)
	}
	if it.Type == TypeMulti {
		n := len(it.Choices)
		switch {
		case it.MinChoices < 0:
			v.add(p+".min_choices", "min_choices must not be negative")
		case it.MinChoices > n:
			v.add(p+".min_choices", "min_choices %d exceeds the %d choices", it.MinChoices, n)
		}
		switch {
		case it.MaxChoices < 0:
			v.add(p+".max_choices", "max_choices must not be negative (0 means no limit)")
		case it.MaxChoices > 0 && it.MaxChoices < it.MinChoices:
			v.add(p+".max_choices", "max_choices %d is below min_choices %d", it.MaxChoices, it.MinChoices)
		}
	}
}

func (v *validator) code(path, code string) {
	switch {
	case code == "":
		v.add(path, "code is required")
	case !codePattern.MatchString(code) || len(code) > maxCodeLen:
		v.add(path, "code %q must be letters, digits, _, . or - (at most %d)", code, maxCodeLen)
	}
}

func (v *validator) scale(p string, it *Item) {
	s := it.Scale
	if s == nil {
		v.add(p+".scale", "a scale item needs a scale (min, max and their labels)")
		return
	}
	sp := p + ".scale"
	if s.Max <= s.Min {
		v.add(sp, "max must exceed min (min %d, max %d)", s.Min, s.Max)
	} else if s.Max-s.Min > 100 {
		v.add(sp, "a scale has at most 101 points (min %d, max %d)", s.Min, s.Max)
	}
	v.text(sp+".min_label", s.MinLabel, true)
	v.text(sp+".max_label", s.MaxLabel, true)
	if dk := s.DontKnow; dk != nil {
		v.code(sp+".dont_know.code", dk.Code)
		if n, err := strconv.Atoi(dk.Code); err == nil && n >= s.Min && n <= s.Max {
			v.add(sp+".dont_know.code", "the don't-know code %q lies inside the scale %d–%d; use a code outside it, e.g. \"99\"", dk.Code, s.Min, s.Max)
		}
		v.text(sp+".dont_know.label", dk.Label, true)
	}
}

// condition checks a condition used on page index at (a page's or an item's
// When: the item must be on an earlier page) or, with at == len(pages), a
// screen-out rule (any item).
func (v *validator) condition(p string, c *Condition, at int) {
	if c.Item == "" {
		v.add(p+".item", "item is required")
		return
	}
	pi, ok := v.pageOf[c.Item]
	if !ok {
		if _, isPage := v.ids[c.Item]; isPage {
			v.add(p+".item", "%q is a page, not an item", c.Item)
		} else {
			v.add(p+".item", "unknown item %q", c.Item)
		}
		return
	}
	switch {
	case pi == at:
		v.add(p+".item", "item %q is on the same page; a condition may only use answers from earlier pages", c.Item)
		return
	case pi > at:
		v.add(p+".item", "item %q is on a later page; a condition may only use answers from earlier pages", c.Item)
		return
	}
	if len(c.In) == 0 && c.Min == nil && c.Max == nil {
		v.add(p, "a condition needs in, min or max")
		return
	}
	it, _ := v.q.Item(c.Item)
	if c.Min != nil || c.Max != nil {
		if it.Type != TypeNumber && it.Type != TypeScale {
			v.add(p, "min and max apply to number and scale items; %q is %s", c.Item, it.Type)
		}
		if c.Min != nil && c.Max != nil && *c.Min > *c.Max {
			v.add(p+".min", "min %s exceeds max %s", fmtNum(*c.Min), fmtNum(*c.Max))
		}
		// Holds does not know the item, so a numeric don't-know code would
		// count as a rating inside an open range ("min 6" matches 99).
		if it.Type == TypeScale && it.Scale != nil && it.Scale.DontKnow != nil {
			if x, ok := parseNumber(it.Scale.DontKnow.Code); ok && (c.Min == nil || x >= *c.Min) && (c.Max == nil || x <= *c.Max) {
				v.add(p, "the range includes the don't-know code %q of item %q; give a max inside the scale", it.Scale.DontKnow.Code, c.Item)
			}
		}
	}
	for k, val := range c.In {
		if !it.validCode(val) {
			v.add(fmt.Sprintf("%s.in[%d]", p, k), "%q is not an answer item %q can have", val, c.Item)
		}
	}
}

// validCode reports whether val could be an answer to it, for conditions.
func (it *Item) validCode(val string) bool {
	switch it.Type {
	case TypeSingle, TypeMulti:
		return slices.ContainsFunc(it.Choices, func(c Choice) bool { return c.Code == val })
	case TypeScale:
		if it.Scale == nil {
			return true // reported on the item
		}
		if it.Scale.DontKnow != nil && val == it.Scale.DontKnow.Code {
			return true
		}
		n, err := strconv.Atoi(val)
		return err == nil && n >= it.Scale.Min && n <= it.Scale.Max
	case TypeNumber:
		_, ok := parseNumber(val)
		return ok
	}
	return true
}

func fmtNum(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }
