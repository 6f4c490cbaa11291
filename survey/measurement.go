package survey

import (
	"context"
	"time"
)

// Measurement statuses.
const (
	StatusDraft  = "draft"
	StatusOpen   = "open"
	StatusClosed = "closed"
)

// Response statuses.
const (
	RespInProgress  = "in_progress"
	RespSubmitted   = "submitted"
	RespScreenedOut = "screened_out"
	RespQuotaFull   = "quota_full"
)

// Interview modes.
const (
	ModeWeb   = "web"
	ModePhone = "phone"
	ModeFace  = "face"
)

// Measurement kinds. A resident measurement (市民质量满意度测评) is the
// default; a service measurement (服务业顾客满意度测评) interviews the
// customers of each service sector in each district and is scored with the
// CCSI path model (survey/csi).
const (
	KindResident = "resident"
	KindService  = "service"
)

// Sector is a service sector of a service measurement (零售, 餐饮 …). Its
// code is the answer code of the screener's sector item (role "sector") and
// a quota cell key, so it looks like an id: a lower-case letter, then
// lower-case letters, digits or '_', at most 32.
type Sector struct {
	Code string `json:"code"`
	Name Text   `json:"name"`
}

// DefaultSectors is the sector list a new service measurement starts from;
// the city keeps, drops or adds sectors.
func DefaultSectors() []Sector {
	t := func(zh, en string) Text { return Text{Zh: zh, En: en} }
	return []Sector{
		{Code: "retail", Name: t("零售", "Retail")},
		{Code: "catering", Name: t("餐饮", "Catering")},
		{Code: "hotels", Name: t("住宿", "Hotels")},
		{Code: "tourism", Name: t("旅游", "Tourism")},
		{Code: "banking", Name: t("银行", "Banking")},
		{Code: "telecoms", Name: t("电信", "Telecoms")},
		{Code: "transport", Name: t("公共交通", "Public transport")},
		{Code: "property", Name: t("物业管理", "Property management")},
		{Code: "health", Name: t("医疗卫生", "Health care")},
	}
}

// District is a stratum of the measurement.
type District struct {
	Code string `json:"code"`
	Name Text   `json:"name"`
}

// Measurement is one year's satisfaction measurement of a city.
type Measurement struct {
	ID        string     // e.g. "demo-2026"
	City      Text       // 示例市
	Title     Text       // 示例市 2026 年市民质量满意度测评
	Year      int        //
	Office    Text       // commissioning office
	Status    string     // StatusDraft | StatusOpen | StatusClosed
	Districts []District //
	// Kind is KindResident (the default; "" is stored as it) or
	// KindService.
	Kind string
	// Sectors are a service measurement's sectors, in report order; a
	// resident measurement has none.
	Sectors   []Sector
	PrevID    string // last year's measurement, "" if none
	CreatedAt time.Time
}

// IsService reports whether m is a service-industry customer-satisfaction
// measurement.
func (m *Measurement) IsService() bool { return m.Kind == KindService }

// Sector returns the sector with code c, or nil.
func (m *Measurement) Sector(c string) *Sector {
	for i := range m.Sectors {
		if m.Sectors[i].Code == c {
			return &m.Sectors[i]
		}
	}
	return nil
}

// QuestionnaireVersion is a frozen or editable version of a measurement's
// questionnaire. A version is frozen once its first answer is stored.
type QuestionnaireVersion struct {
	MeasurementID string
	Version       int
	Q             *Questionnaire
	Frozen        bool
	CreatedAt     time.Time
}

// Invitation is one personal link. The token itself is never stored, only
// its SHA-256 hash.
type Invitation struct {
	ID            int64
	MeasurementID string
	CaseID        string // the sampled case, "" for demo links
	Disposition   string
	// Sector is the sector fixed by the per-sector open link the
	// invitation came through, "" otherwise.
	Sector    string
	CreatedAt time.Time
}

// Response is one resident's (or interviewer's) answers to one invitation.
type Response struct {
	ID            int64
	InvitationID  int64
	MeasurementID string
	Version       int    // questionnaire version answered
	Status        string // RespInProgress | RespSubmitted | RespScreenedOut | RespQuotaFull
	Mode          string // ModeWeb | ModePhone | ModeFace
	Interviewer   string // user name, "" for web
	UAClass       string // "mobile", "tablet", "desktop", "bot", "other"
	Answers       Answers
	PagesDone     []string // ids of pages saved, in the order first saved
	CurrentPage   string   // the page to show on resume
	StartedAt     time.Time
	SubmittedAt   *time.Time
}

// PageSave is one page submitted by a resident.
type PageSave struct {
	PageID  string
	Answers Answers       // the page's answers (replaces what the page had)
	Next    string        // page to resume at after this save
	Elapsed time.Duration // time on the page (paradata), 0 when unknown
}

// Session is what a resident link resolves to.
type Session struct {
	Invitation  *Invitation
	Measurement *Measurement
	Q           *Questionnaire
	Response    *Response
}

// Store is the persistence service the web layer and commands use. Methods
// that write own their transaction; errors are *Error with ENOTFOUND,
// ECONFLICT, EGONE or EINVALID where the caller can act, anything else is
// internal.
type Store interface {
	// CreateMeasurement stores m with q as questionnaire version 1. q must be
	// valid. ECONFLICT if the id exists.
	CreateMeasurement(ctx context.Context, m *Measurement, q *Questionnaire) error
	// Measurement returns one measurement (ENOTFOUND).
	Measurement(ctx context.Context, id string) (*Measurement, error)
	// Measurements lists all measurements, newest first.
	Measurements(ctx context.Context) ([]*Measurement, error)
	// SetQuestionnaire stores q for the measurement: it replaces the current
	// version while that is not frozen, otherwise it becomes a new version.
	SetQuestionnaire(ctx context.Context, measurementID string, q *Questionnaire) (version int, err error)
	// Questionnaire returns one version (ENOTFOUND).
	Questionnaire(ctx context.Context, measurementID string, version int) (*QuestionnaireVersion, error)
	// CreateInvitations makes n invitations and returns their tokens (shown
	// once; only hashes are stored).
	CreateInvitations(ctx context.Context, measurementID string, n int) ([]string, error)
	// OpenSession resolves a token: ENOTFOUND for an unknown token, EGONE for
	// a closed measurement. It does not create a response.
	OpenSession(ctx context.Context, token string) (*Session, error)
	// StartResponse returns the invitation's response, creating it (status
	// in progress, current questionnaire version) if there is none. Two calls
	// for one invitation never create two responses.
	StartResponse(ctx context.Context, token, mode, uaClass string) (*Response, error)
	// SavePage stores one page's answers in one transaction. Saving the same
	// page again replaces its answers; saving after submission is ECONFLICT
	// and changes nothing.
	SavePage(ctx context.Context, token string, p PageSave) (*Response, error)
	// Finish ends the response with status (RespSubmitted, RespScreenedOut,
	// RespQuotaFull). Finishing an already finished response with the same
	// status is a no-op; otherwise ECONFLICT.
	Finish(ctx context.Context, token, status string) (*Response, error)
	// Ping reports whether the store is open and migrated (for /healthz).
	Ping(ctx context.Context) error
	// Close releases the database.
	Close() error
}

// SecretStore keeps the server secret that keys the CSRF tokens, made on
// first use. Kept in the database, it is the same for every server on one
// database and across restarts, so a form rendered by one server is
// accepted by another.
type SecretStore interface {
	Secret(ctx context.Context) ([]byte, error)
}
