package survey

// This file answers the questions the web layer asks while a resident moves
// through the questionnaire: which pages and items show, where Next and Back
// go, how far along they are, whether they are screened out and what is
// still missing before submission.

// Item roles used by analysis and by the web layer (see Item.Role).
const (
	RoleConsent       = "consent"
	RoleAge           = "age"
	RoleAgeBand       = "age_band"
	RoleDistrict      = "district"
	RoleResident      = "resident"
	RoleGender        = "gender"
	RoleEducation     = "education"
	RoleOccupation    = "occupation"
	RoleOverall       = "overall"
	RoleAwareness     = "awareness"
	RoleParticipation = "participation"
	RoleConfidence    = "confidence"
	RoleSuggestion    = "suggestion"
)

// Page kinds (see Page.Kind).
const (
	KindConsent       = "consent"
	KindScreener      = "screener"
	KindDomain        = "domain"
	KindOverall       = "overall"
	KindAwareness     = "awareness"
	KindParticipation = "participation"
	KindConfidence    = "confidence"
	KindSuggestions   = "suggestions"
	KindBackground    = "background"
	KindOther         = "other"
)

// Page returns the page with the id and its index, or nil, -1 when absent.
func (q *Questionnaire) Page(id string) (*Page, int) {
	for i := range q.Pages {
		if q.Pages[i].ID == id {
			return &q.Pages[i], i
		}
	}
	return nil, -1
}

// Item returns the item with the id and the page it is on, or nil, nil.
func (q *Questionnaire) Item(id string) (*Item, *Page) {
	for i := range q.Pages {
		pg := &q.Pages[i]
		for j := range pg.Items {
			if pg.Items[j].ID == id {
				return &pg.Items[j], pg
			}
		}
	}
	return nil, nil
}

// Items returns every item in questionnaire order.
func (q *Questionnaire) Items() []*Item {
	var items []*Item
	for i := range q.Pages {
		for j := range q.Pages[i].Items {
			items = append(items, &q.Pages[i].Items[j])
		}
	}
	return items
}

// VisibleItems returns the page's items whose condition holds, in order.
func (p *Page) VisibleItems(a Answers) []*Item {
	var items []*Item
	for j := range p.Items {
		if p.Items[j].When.Holds(a) {
			items = append(items, &p.Items[j])
		}
	}
	return items
}

// visible reports whether the page shows: its condition holds and it has a
// visible item, except that a consent page always shows when its condition
// holds (it carries the welcome text).
func (p *Page) visible(a Answers) bool {
	if !p.When.Holds(a) {
		return false
	}
	if p.Kind == KindConsent {
		return true
	}
	for j := range p.Items {
		if p.Items[j].When.Holds(a) {
			return true
		}
	}
	return false
}

// VisiblePages returns the pages the resident sees given the answers so far,
// in order.
func (q *Questionnaire) VisiblePages(a Answers) []*Page {
	var pages []*Page
	for i := range q.Pages {
		if q.Pages[i].visible(a) {
			pages = append(pages, &q.Pages[i])
		}
	}
	return pages
}

// NextPage returns the id of the first visible page after current, "" when
// current is the last one (the review page comes next). current "" (the
// start) gives the first visible page; an unknown id is treated as the start,
// so a stale bookmark lands on the first page rather than on the review.
// current itself need not be visible: after an earlier answer changed, Next
// still moves forward from where the resident is.
func (q *Questionnaire) NextPage(current string, a Answers) string {
	_, at := q.Page(current)
	for i := at + 1; i < len(q.Pages); i++ {
		if q.Pages[i].visible(a) {
			return q.Pages[i].ID
		}
	}
	return ""
}

// PrevPage returns the id of the last visible page before current, "" before
// the first. current "" means the review page, after every page, so its Back
// goes to the last visible page; an unknown id gives "".
func (q *Questionnaire) PrevPage(current string, a Answers) string {
	at := len(q.Pages)
	if current != "" {
		if _, at = q.Page(current); at < 0 {
			return ""
		}
	}
	for i := at - 1; i >= 0; i-- {
		if q.Pages[i].visible(a) {
			return q.Pages[i].ID
		}
	}
	return ""
}

// Progress returns current's 1-based position among the visible pages and
// their number, for "page n of total". For "" (the review page, after every
// page) n is total; for a page that is not visible, n is the position it
// would take; for an unknown id n is 0.
func (q *Questionnaire) Progress(current string, a Answers) (n, total int) {
	at := len(q.Pages)
	if current != "" {
		if _, at = q.Page(current); at < 0 {
			n = -1
			at = 0
		}
	}
	for i := range q.Pages {
		if !q.Pages[i].visible(a) {
			continue
		}
		total++
		if i < at {
			n++
		}
	}
	switch {
	case n < 0:
		n = 0
	case at < len(q.Pages):
		n = min(n+1, total)
	}
	return n, total
}

// ScreenedOut reports whether a screen-out rule holds for the answers and
// returns the first such rule's message.
func (q *Questionnaire) ScreenedOut(a Answers) (bool, Text) {
	for i := range q.ScreenOut {
		if q.ScreenOut[i].When.Holds(a) {
			return true, q.ScreenOut[i].Message
		}
	}
	return false, Text{}
}

// Missing returns the visible items without an answer, in order: required
// ones block submission, skipped optional ones are listed on the review page
// so the resident can go back to them.
func (q *Questionnaire) Missing(a Answers) (required, skipped []*Item) {
	for _, pg := range q.VisiblePages(a) {
		for _, it := range pg.VisibleItems(a) {
			if answered(a[it.ID]) {
				continue
			}
			if it.Required {
				required = append(required, it)
			} else {
				skipped = append(skipped, it)
			}
		}
	}
	return required, skipped
}

// Prune returns the answers to items that are visible under a, dropping
// answers to unknown items and to items an earlier change has hidden (they
// must not be analysed or shown on the review page).
func (q *Questionnaire) Prune(a Answers) Answers {
	out := Answers{}
	for _, pg := range q.VisiblePages(a) {
		for _, it := range pg.VisibleItems(a) {
			if vs := a[it.ID]; answered(vs) {
				out[it.ID] = append([]string(nil), vs...)
			}
		}
	}
	return out
}

// DomainItems returns the scale items on the pages of the domain, in order:
// the items whose scores make up the domain index.
func (q *Questionnaire) DomainItems(domainID string) []*Item {
	var items []*Item
	for i := range q.Pages {
		pg := &q.Pages[i]
		if pg.Kind != KindDomain || pg.Domain != domainID {
			continue
		}
		for j := range pg.Items {
			if pg.Items[j].Type == TypeScale {
				items = append(items, &pg.Items[j])
			}
		}
	}
	return items
}

// ItemDomain returns the domain an item belongs to: its page's domain on a
// domain page, otherwise its own Domain field (suggestion items); "" if none.
func (q *Questionnaire) ItemDomain(itemID string) string {
	it, pg := q.Item(itemID)
	switch {
	case it == nil:
		return ""
	case pg.Kind == KindDomain:
		return pg.Domain
	}
	return it.Domain
}

// ItemsByRole returns the items with the role, in order.
func (q *Questionnaire) ItemsByRole(role string) []*Item {
	var items []*Item
	for _, it := range q.Items() {
		if it.Role == role {
			items = append(items, it)
		}
	}
	return items
}

// Domain returns the domain with the id, or nil.
func (q *Questionnaire) Domain(id string) *Domain {
	for i := range q.Domains {
		if q.Domains[i].ID == id {
			return &q.Domains[i]
		}
	}
	return nil
}
