package fieldwork

import (
	"context"
	"strconv"
	"strings"
	"time"

	"manyi/survey"
	"manyi/survey/sampling"
	"manyi/survey/secret"
)

// Store keeps the fieldwork state. Methods that write own their
// transaction; errors are *survey.Error where the caller can act.
type Store interface {
	// Sample returns the measurement's sample (ENOTFOUND when none).
	Sample(ctx context.Context, measurementID string) (*SampleInfo, error)
	// Cases returns the cases matching f in drawn order.
	Cases(ctx context.Context, f CaseFilter) ([]*Case, error)
	// Case returns one case (ENOTFOUND).
	Case(ctx context.Context, id int64) (*Case, error)
	// CaseContact opens the phone number of a case ("" when none).
	CaseContact(ctx context.Context, caseID int64, key *secret.Key) (string, error)
	// CaseHistory returns a case's disposition changes, oldest first.
	CaseHistory(ctx context.Context, caseID int64) ([]DispositionChange, error)
	// Attempts returns a case's call attempts, oldest first.
	Attempts(ctx context.Context, caseID int64) ([]CallAttempt, error)
	// RecordAttempt records a call attempt by the case's interviewer.
	RecordAttempt(ctx context.Context, a CallAttempt) (*CallAttempt, error)
	// StartInterview starts or resumes a case's interview in interviewer
	// mode and returns a fresh token for the questionnaire pages.
	StartInterview(ctx context.Context, caseID int64, interviewer, mode string) (string, *survey.Response, error)
	QuotaClaimer
	// Quotas returns the quota cells.
	Quotas(ctx context.Context, measurementID string) (*Quotas, error)
	// FieldworkProgress gathers the monitor's figures.
	FieldworkProgress(ctx context.Context, measurementID string) (*Progress, error)
	// CompletedResponses returns the submitted responses for the quality
	// checks.
	CompletedResponses(ctx context.Context, measurementID string) ([]Completed, error)
	// Exclude leaves a response out of the estimates, with a reason.
	Exclude(ctx context.Context, responseID int64, reason, by string) (*Exclusion, error)
	// Restore reverses a response's exclusion.
	Restore(ctx context.Context, responseID int64, by, note string) (*Exclusion, error)
	// Exclusions returns every exclusion of the measurement, oldest first.
	Exclusions(ctx context.Context, measurementID string) ([]Exclusion, error)
}

// QuotaClaimer is the atomic quota check at the screener: the resident
// pages need it of the store alone (web.Config.Quotas).
type QuotaClaimer interface {
	// ClaimQuota checks the quota cell of the token's response once its
	// screener is saved and, when the cell is full, ends the response as
	// quota full in the same transaction; concurrent claims never
	// overshoot a cell's target.
	ClaimQuota(ctx context.Context, token string) (*QuotaClaim, error)
}

// OpenLinkStore keeps a measurement's open link (/o/:slug), the address
// anyone may answer through.
type OpenLinkStore interface {
	// OpenLink returns the measurement's link (disabled, without a slug,
	// when never switched on).
	OpenLink(ctx context.Context, measurementID string) (*OpenLink, error)
	// SetOpenLink switches the link on (making its slug the first time)
	// or off; audited as by.
	SetOpenLink(ctx context.Context, measurementID string, enabled bool, by string) (*OpenLink, error)
	// OpenLinkBySlug returns the enabled link of slug; ENOTFOUND when
	// the slug is unknown or its link disabled.
	OpenLinkBySlug(ctx context.Context, slug string) (*OpenLink, error)
	// StartOpenLink makes a fresh invitation through an enabled link and
	// returns its token (ENOTFOUND as OpenLinkBySlug; EGONE when the
	// measurement is not open).
	StartOpenLink(ctx context.Context, slug string) (string, error)
	// SectorOpenLinks returns a service measurement's per-sector links,
	// one per sector in the measurement's order (disabled, without a slug,
	// when never switched on); EINVALID for a resident measurement.
	SectorOpenLinks(ctx context.Context, measurementID string) ([]OpenLink, error)
	// SetSectorOpenLink switches one sector's link on (making its slug the
	// first time) or off; audited as by. EINVALID for a resident
	// measurement or a sector it does not have.
	SetSectorOpenLink(ctx context.Context, measurementID, sector string, enabled bool, by string) (*OpenLink, error)
}

// FrameSummary describes a measurement's stored frame.
type FrameSummary struct {
	MeasurementID string
	Source        string // the file name it came from
	Units         int
	Rejected      int // rows left out at import (--allow-rejects)
	Contacts      int // sealed contacts still held; 0 after a purge
	ImportedAt    time.Time
	ImportedBy    string
	PurgedAt      *time.Time
	PurgedBy      string
}

// FrameCell is the number of a stored frame's units in one sector ×
// district cell.
type FrameCell struct {
	Sector   string // sector code, "" in a residents' frame
	District string // district code
	Units    int
}

// SectorList is where one sector's customer list of a service
// measurement's frame came from. A sector list's import (ImportSectorFrame)
// records its own file, rejected rows, time and importer; a whole-frame
// import records one SectorList per sector present in the file, each with
// the whole file as Source and Rejected 0 (the file's rejected rows are
// not attributed to sectors; the frame's summary has them).
type SectorList struct {
	Sector     string // sector code
	Source     string // the file name it came from ("" when not recorded)
	Units      int    // the sector's units in the frame
	Rejected   int    // rows left out at this list's import
	Contacts   int    // sealed contacts still held; 0 after a purge
	ImportedAt time.Time
	ImportedBy string
}

// SampleInfo describes a measurement's drawn sample.
type SampleInfo struct {
	MeasurementID string
	Seed          uint64
	Plan          sampling.Plan
	Alloc         sampling.Allocation
	Batches       int // reserve batches drawn
	Released      int // reserve batches released so far
	Cases         int // all drawn cases, reserve included
	DrawnAt       time.Time
	DrawnBy       string
}

// Case is one drawn case with its fieldwork state.
type Case struct {
	ID            int64
	MeasurementID string
	UnitID        string // the frame id
	Stratum       string
	District      string // district code
	Sector        string // the unit's sector code; "" in a residents' measurement
	Gender        string // from the frame, "" when unknown
	AgeBand       string // from the frame, "" when unknown
	Batch         int    // 0 main sample, 1, 2, … reserve batches
	Prob, Weight  float64
	Released      bool
	InvitationID  int64 // 0 until released
	Disposition   string
	Interviewer   string
	UpdatedAt     time.Time
	Attempts      int
	LastOutcome   string     // outcome of the latest call attempt, ""
	CallbackAt    *time.Time // of the latest attempt, when it was a call-back
	ResponseID    int64      // 0 when no response
	ResponseMode  string
}

// DispositionChange is one entry of a case's disposition history.
type DispositionChange struct {
	ID       int64
	CaseID   int64
	From, To string
	At       time.Time
	By       string // user name, or "resident"
	Note     string
}

// Call attempt outcomes an interviewer records.
const (
	OutcomeNoAnswer    = "no_answer"
	OutcomeBusy        = "busy"
	OutcomeRefused     = "refused"
	OutcomeCallback    = "callback"
	OutcomeWrongNumber = "wrong_number"
	OutcomeCompleted   = "completed"
	// OutcomeNotAvailable: someone answered and confirmed that the sampled
	// person lives there, but the person could not come to the phone.
	OutcomeNotAvailable = "not_available"
	// OutcomeUnable: the person cannot be interviewed (illness, a physical
	// or mental condition).
	OutcomeUnable = "unable"
	// OutcomeLanguage: the person cannot be interviewed in the languages
	// the interviewers speak.
	OutcomeLanguage = "language"
)

// Outcomes lists the call outcomes in the order the interviewer page shows
// them.
var Outcomes = []string{OutcomeNoAnswer, OutcomeBusy, OutcomeNotAvailable, OutcomeCallback, OutcomeRefused, OutcomeUnable, OutcomeLanguage, OutcomeWrongNumber, OutcomeCompleted}

// NoContactOutcomes are the outcomes of calls that reached nobody; they
// never change what an earlier call learnt about the case.
var NoContactOutcomes = []string{OutcomeNoAnswer, OutcomeBusy}

// AAPORDisposition is the disposition the AAPOR counts use for a case of
// stored disposition disp whose latest call that reached someone (the
// latest attempt whose outcome is not in NoContactOutcomes; "" when none)
// had the outcome lastContact. A case still open (not sent, sent, opened,
// unreachable) becomes sampling.DispNonContact after not_available
// (AAPOR 2.21, respondent never available) and sampling.DispOther after
// unable or language (AAPOR 2.32, 2.33); anything else keeps disp, since a
// later call-back, refusal or wrong number says more than an earlier one.
func AAPORDisposition(disp, lastContact string) string {
	switch disp {
	case sampling.DispNotSent, sampling.DispSent, sampling.DispOpened, sampling.DispUnreachable:
	default:
		return disp
	}
	switch lastContact {
	case OutcomeNotAvailable:
		return sampling.DispNonContact
	case OutcomeUnable, OutcomeLanguage:
		return sampling.DispOther
	}
	return disp
}

// CallAttempt is one call (or visit) an interviewer made for a case.
type CallAttempt struct {
	ID          int64
	CaseID      int64
	Interviewer string
	At          time.Time
	Outcome     string
	CallbackAt  *time.Time // the agreed time, for OutcomeCallback
	Note        string
}

// CaseFilter selects cases. Zero fields do not filter.
type CaseFilter struct {
	MeasurementID string // required
	Interviewer   string
	District      string
	Disposition   string
	ReleasedOnly  bool
	IDs           []int64
	Limit         int // 0: no limit
}

// LinkSelection chooses the cases IssueLinks gives links to. Only released
// cases are ever chosen, and only cases whose resident has not started
// unless Dispositions names opened or partial (a reminder: the new link
// resumes the same response, the old one stops working).
type LinkSelection struct {
	// Dispositions to include: not_sent and/or sent (resending replaces
	// the link sent before), and for a reminder opened and partial.
	// Empty means not_sent only.
	Dispositions []string
	Districts    []string // empty: all
	CaseIDs      []int64  // empty: all
	// Batches keeps cases of these batches only (0 the main sample, 1, 2,
	// … reserve batches); empty: every released batch.
	Batches []int
	// WithContact keeps only cases whose unit has a contact, and opens it
	// (the SMS export); without it contacts are not read (the QR sheet).
	WithContact bool
	Limit       int // 0: no limit
}

// IssuedLink is a case's fresh token, shown once.
type IssuedLink struct {
	CaseID   int64
	UnitID   string
	District string
	Sector   string // the case's sector code, "" in a residents' measurement
	Token    string
	Contact  string // with LinkSelection.WithContact; secret, never log it
}

// QuotaCell is one district × gender × age-band cell.
type QuotaCell struct {
	District  string // district code
	Cell      string // sampling.CellKey, "male|18-29"
	Target    int
	Count     int // places taken at the screener (in progress or finished)
	Completes int // of those, submitted questionnaires
}

// Shortfall is how many completes the cell still lacks.
func (c QuotaCell) Shortfall() int { return max(c.Target-c.Completes, 0) }

// Quotas is a measurement's quota table.
type Quotas struct {
	AllowOver bool // cells may go over target
	Cells     []QuotaCell
}

// QuotaClaim is the result of the quota check at the screener.
type QuotaClaim struct {
	// Checked is false when no quota applies: the measurement has no cells,
	// the resident's cell has none, or the answers (and the frame) do not
	// tell the district, gender and age band.
	Checked  bool
	District string
	Cell     string
	// Full is true when the cell was full: the response is now finished as
	// quota full and the resident is to be thanked.
	Full bool
	// Over is true when the place was taken beyond target (over-quota
	// allowed).
	Over bool
}

// QuotaCellOf reads a resident's district code, gender and age band from
// the answers by item role: "district" (a choice whose code is a district
// code, or whose label is a district's name), "gender" (code or label
// 男/女/male/female/m/f), "age" (a number, banded by sampling.AgeBand) or
// "age_band" (code or label like 18-29). Anything it cannot tell is "".
func QuotaCellOf(q *survey.Questionnaire, ans survey.Answers, districts []survey.District) (district, gender, ageBand string) {
	for pi := range q.Pages {
		for ii := range q.Pages[pi].Items {
			it := &q.Pages[pi].Items[ii]
			vs := ans[it.ID]
			if len(vs) == 0 || vs[0] == "" {
				continue
			}
			v := vs[0]
			label := func() []string {
				for _, c := range it.Choices {
					if c.Code == v {
						return []string{v, c.Label.Zh, c.Label.En}
					}
				}
				return []string{v}
			}
			switch it.Role {
			case "district":
				for _, s := range label() {
					for _, d := range districts {
						if s != "" && (s == d.Code || s == d.Name.Zh || strings.EqualFold(s, d.Name.En)) {
							district = d.Code
						}
					}
					if district != "" {
						break
					}
				}
			case "gender":
				for _, s := range label() {
					if g, ok := sampling.NormalizeGender(s); ok {
						gender = g
						break
					}
				}
			case "age":
				if a, err := strconv.Atoi(strings.TrimSpace(v)); err == nil {
					ageBand = sampling.AgeBand(a)
				}
			case "age_band":
				for _, s := range label() {
					if b, ok := sampling.NormalizeAgeBand(s); ok {
						ageBand = b
						break
					}
				}
			}
		}
	}
	return district, gender, ageBand
}

// Exclusion is a statistician's decision to leave a response out of the
// estimates. It is never deleted: restoring records who and when.
type Exclusion struct {
	ID         int64
	ResponseID int64
	Reason     string
	By         string
	At         time.Time
	RevertedAt *time.Time
	RevertedBy string
	RevertNote string
}

// Active reports whether the exclusion is in force.
func (e Exclusion) Active() bool { return e.RevertedAt == nil }

// Completed is a submitted response with what the quality checks need.
type Completed struct {
	ID          int64
	Version     int
	Mode        string
	Interviewer string
	SubmittedAt time.Time
	Seconds     float64 // total time on pages; 0 when unknown
	Answers     survey.Answers
}

// DistrictProgress is one district's line of the fieldwork monitor.
type DistrictProgress struct {
	District string
	Counts   sampling.DispositionCounts // released cases by disposition
	Released int
}

// DayCount is the completes submitted on one day (UTC date).
type DayCount struct {
	Day   string // 2006-01-02
	Count int
}

// Progress is what the fieldwork monitor shows.
type Progress struct {
	Districts []DistrictProgress // measurement district order
	Overall   sampling.DispositionCounts
	Modes     map[string]int // submitted responses by mode (open links included)
	PerDay    []DayCount     // submitted responses per day, oldest first
	Quotas    *Quotas
	Submitted int // every submitted response, sampled or not
	Excluded  int
}
