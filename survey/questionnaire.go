package survey

// This file is the contract of the questionnaire format (docs/QUESTIONNAIRE.md).
// The JSON form of these types is the file format; see the doc for a schema.

// ItemType is the kind of answer an item takes.
type ItemType string

// Item types.
const (
	TypeSingle ItemType = "single" // one of Choices
	TypeScale  ItemType = "scale"  // an integer Scale.Min..Scale.Max, or the don't-know code
	TypeMulti  ItemType = "multi"  // any number of Choices (Min/MaxChoices optional)
	TypeNumber ItemType = "number" // a number in [Min, Max]
	TypeText   ItemType = "text"   // free text up to MaxLength runes
)

// Choice is one answer option of a single or multi item.
type Choice struct {
	Code  string `json:"code"`
	Label Text   `json:"label"`
}

// Scale describes a 1–N rating. DontKnow, when set, is an extra choice (code
// outside [Min, Max], e.g. "99", label 不清楚/不适用) that is item nonresponse.
type Scale struct {
	Min      int     `json:"min"`
	Max      int     `json:"max"`
	MinLabel Text    `json:"min_label"`
	MaxLabel Text    `json:"max_label"`
	DontKnow *Choice `json:"dont_know,omitempty"`
}

// Condition shows a page or item only when the answer to an earlier item is
// one of In (codes, or for numbers their decimal text), or, for numbers,
// lies in [Min, Max]. Not inverts it.
type Condition struct {
	Item string   `json:"item"`
	In   []string `json:"in,omitempty"`
	Min  *float64 `json:"min,omitempty"`
	Max  *float64 `json:"max,omitempty"`
	Not  bool     `json:"not,omitempty"`
}

// Item is one question.
type Item struct {
	ID         string     `json:"id"`
	Type       ItemType   `json:"type"`
	Required   bool       `json:"required"`
	Text       Text       `json:"text"`
	Help       Text       `json:"help,omitempty"`        // shown to residents under the question
	Instruct   Text       `json:"instruction,omitempty"` // shown to interviewers only
	Choices    []Choice   `json:"choices,omitempty"`
	Scale      *Scale     `json:"scale,omitempty"`
	Min        *float64   `json:"min,omitempty"`        // number
	Max        *float64   `json:"max,omitempty"`        // number
	Integer    bool       `json:"integer,omitempty"`    // number: whole numbers only (age)
	MaxLength  int        `json:"max_length,omitempty"` // text, in runes; 0 means 500
	MinChoices int        `json:"min_choices,omitempty"`
	MaxChoices int        `json:"max_choices,omitempty"`
	When       *Condition `json:"when,omitempty"`
	// Role tags the item for analysis: "overall", "awareness", "participation",
	// "confidence", "suggestion", "district", "gender", "age", "age_band",
	// "education", "occupation", "resident", "consent"; empty for others.
	Role string `json:"role,omitempty"`
	// Domain links a suggestion item (or any non-domain-page item) to the
	// satisfaction domain it is about, so open answers can be counted by
	// domain. Items on a "domain" page take their page's domain instead.
	Domain string `json:"domain,omitempty"`
	// Construct names the CCSI construct a scale item measures (image,
	// expectation, quality, value, satisfaction, complaint, loyalty) in a
	// service measurement's questionnaire; empty for other items.
	Construct string `json:"construct,omitempty"`
	// SectorText renames the item for the customers of one sector (the
	// answer to the "sector" role item): 网点环境 for banks instead of 服务环境.
	SectorText []SectorText `json:"sector_text,omitempty"`
}

// SectorText is an item's wording for one sector.
type SectorText struct {
	Sector string `json:"sector"`
	Text   Text   `json:"text"`
}

// Page is one screen of the questionnaire. Kind is "consent", "screener",
// "domain", "overall", "awareness", "participation", "confidence",
// "suggestions", "background" or "other"; a "domain" page carries Domain, the
// satisfaction domain id its scale items belong to.
type Page struct {
	ID     string     `json:"id"`
	Kind   string     `json:"kind"`
	Domain string     `json:"domain,omitempty"`
	Title  Text       `json:"title"`
	Intro  Text       `json:"intro,omitempty"`
	When   *Condition `json:"when,omitempty"`
	Items  []Item     `json:"items"`
}

// Domain is a satisfaction domain (产品质量 …) with the ids of its items and
// its expert weight (used by the `expert` index method; 0 means equal).
type Domain struct {
	ID     string  `json:"id"`
	Name   Text    `json:"name"`
	Weight float64 `json:"weight,omitempty"`
}

// ScreenOut ends the interview as screened out when the condition holds
// (e.g. age outside 18–70, not resident).
type ScreenOut struct {
	When    Condition `json:"when"`
	Message Text      `json:"message"`
}

// Questionnaire is a whole questionnaire definition. Its methods only read
// it, so one *Questionnaire may be shared by concurrent requests; callers
// that want to change one start from DefaultQuestionnaire or a decoded copy.
type Questionnaire struct {
	ID        string      `json:"id"`
	Title     Text        `json:"title"`
	Welcome   Text        `json:"welcome"`
	Thanks    Text        `json:"thanks"`
	Domains   []Domain    `json:"domains"`
	Pages     []Page      `json:"pages"`
	ScreenOut []ScreenOut `json:"screen_out,omitempty"`
}

// Answers maps an item id to its answer values: one value for single, scale,
// number and text items, any number for multi items. A scale item's value is
// the rating ("7") or the don't-know code ("99").
type Answers map[string][]string

// Problem is one thing wrong with a questionnaire file, at a path such as
// "pages[2].items[4].scale".
type Problem struct {
	Path    string
	Message string
}

// String renders "path: message".
func (p Problem) String() string { return p.Path + ": " + p.Message }
