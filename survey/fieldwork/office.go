package fieldwork

import (
	"context"
	"fmt"
	"slices"
	"time"

	"manyi/survey"
	"manyi/survey/sampling"
	"manyi/survey/secret"
)

// OfficeStore is what the office's setup pages and the commands `manyi
// frame|draw|invitations|cases` need of a store beyond SetupStore: the
// measurement and its questionnaire (for the open checks), the stored
// frame's counts, a redraw before any link, per-district reserve release,
// the fieldwork status and the archive. The pages (/app/m/:id/frame,
// sample, invitations, cases/assign, fieldwork) and the commands reach the
// store through the functions of this file, so both do the same thing.
type OfficeStore interface {
	SetupStore
	JobStore
	// Measurement returns one measurement (ENOTFOUND).
	Measurement(ctx context.Context, id string) (*survey.Measurement, error)
	// Questionnaire returns a version of the questionnaire, 0 the newest.
	Questionnaire(ctx context.Context, measurementID string, version int) (*survey.QuestionnaireVersion, error)
	// StoredFrameCounts counts the stored frame by district, gender and
	// age band.
	StoredFrameCounts(ctx context.Context, measurementID string) (*FrameCounts, error)
	// DiscardSample deletes the sample so that it can be drawn again;
	// ECONFLICT once any link was issued or any case was worked.
	DiscardSample(ctx context.Context, measurementID, by string) error
	// Sample describes the drawn sample (ENOTFOUND when none).
	Sample(ctx context.Context, measurementID string) (*SampleInfo, error)
	// ReleaseStratumBatch releases the next reserve batch of one stratum.
	ReleaseStratumBatch(ctx context.Context, measurementID, stratum, by string) (int, error)
	// ReleasedBatches returns each stratum's released reserve batches.
	ReleasedBatches(ctx context.Context, measurementID string) (map[string]int, error)
	// Cases returns the cases matching f in drawn order.
	Cases(ctx context.Context, f CaseFilter) ([]*Case, error)
	// SetMeasurementStatus opens or closes fieldwork.
	SetMeasurementStatus(ctx context.Context, id, status string) error
	// SetArchived archives (read-only, hidden from the default list) or
	// restores a measurement.
	SetArchived(ctx context.Context, id string, archived bool, by string) error
	// Archive returns the measurement's archive state (zero when never
	// archived).
	Archive(ctx context.Context, id string) (ArchiveInfo, error)
	// ArchivedMeasurements returns the ids of the archived measurements.
	ArchivedMeasurements(ctx context.Context) (map[string]bool, error)
}

// ArchiveInfo is a measurement's archive state.
type ArchiveInfo struct {
	Archived bool
	At       time.Time
	By       string
}

// Audit actions of the setup steps, the same from a command (user "") and
// from a staff page (the logged-in user).
const (
	ActionFrameImport   = "frame.import"
	ActionFramePurge    = "frame.purge"
	ActionSampleDraw    = "sample.draw"
	ActionSampleDiscard = "sample.discard"
	ActionSampleRelease = "sample.release"
	ActionLinksIssue    = "invitations.issue"
	ActionCasesAssign   = "cases.assign"
	ActionQuotaSet      = "quota.set"
	ActionFieldworkOpen = "fieldwork.open"
	ActionFieldworkEnd  = "fieldwork.close"
	ActionArchive       = "measurement.archive"
	ActionUnarchive     = "measurement.unarchive"
)

// RejectedRows counts the rows with at least one problem (a row may have
// several RowErrors, which ReadFrame returns together).
func RejectedRows(errs []sampling.RowError) int {
	n, last := 0, -1
	for _, e := range errs {
		if e.Row != last {
			n++
			last = e.Row
		}
	}
	return n
}

// errNeedKey is ImportFrame's answer for contacts without a key.
func errNeedKey() error {
	return survey.Errorf(survey.EINVALID, "名单中有联系方式，但服务器未设置密钥 %s（openssl rand -base64 32），无法加密保存",
		"the frame has contacts but %s is not set (openssl rand -base64 32), so they cannot be sealed", secret.EnvKey)
}

// ImportFrame stores the clean rows of a frame read by sampling.ReadFrame
// or ReadFrameFile, with rejected the number of rows left out. Contacts are
// sealed with key; a frame with contacts and no key is refused before
// anything is written.
func ImportFrame(ctx context.Context, st OfficeStore, measurementID string, f *sampling.Frame, rejected int, key *secret.Key, source, by string) (*FrameSummary, error) {
	if key == nil {
		for i := range f.Units {
			if f.Units[i].Contact != "" {
				return nil, errNeedKey()
			}
		}
	}
	if len(f.Units) == 0 {
		return nil, survey.Errorf(survey.EINVALID, "名单中没有合格的行，未导入", "the frame has no clean rows; nothing imported")
	}
	return st.ImportFrame(ctx, measurementID, f, rejected, key, source, by)
}

// ImportSectorFrame stores the clean rows of one sector's customer list
// (read with FrameOptions.Sector), replacing only that sector's earlier
// list; the checks are ImportFrame's.
func ImportSectorFrame(ctx context.Context, st OfficeStore, measurementID, sector string, f *sampling.Frame, rejected int, key *secret.Key, source, by string) (*FrameSummary, error) {
	if key == nil {
		for i := range f.Units {
			if f.Units[i].Contact != "" {
				return nil, errNeedKey()
			}
		}
	}
	if len(f.Units) == 0 {
		return nil, survey.Errorf(survey.EINVALID, "名单中没有合格的行，未导入", "the list has no clean rows; nothing imported")
	}
	return st.ImportSectorFrame(ctx, measurementID, sector, f, rejected, key, source, by)
}

// FrameSectors returns what sampling.FrameOptions needs to read a frame
// for m: a service measurement's sector codes (nil for a residents'
// measurement, whose frame has no sectors) after checking sector, the one
// sector a list is for ("" for a whole frame).
func FrameSectors(m *survey.Measurement, sector string) ([]string, error) {
	if !m.IsService() {
		if sector != "" {
			return nil, survey.Errorf(survey.EINVALID, "测评 %s 是居民测评，没有行业名单", "measurement %s is a residents' measurement; it has no sector lists", m.ID)
		}
		return nil, nil
	}
	if sector != "" && m.Sector(sector) == nil {
		return nil, survey.Errorf(survey.EINVALID, "行业“%s”不是本测评的行业", "sector %q is not one of the measurement's sectors", sector)
	}
	codes := make([]string, len(m.Sectors))
	for i, s := range m.Sectors {
		codes[i] = s.Code
	}
	return codes, nil
}

// FrameCounts is the frame page's summary of a frame: units by district
// (code), gender and age band ("" = not given), and how many have a
// contact. BySectorDistrict counts a service frame's units per
// "sector|district" (the quota cell key's order); it is empty when no unit
// has a sector.
type FrameCounts struct {
	Units            int
	Contacts         int
	ByDistrict       map[string]int
	ByGender         map[string]int
	ByAgeBand        map[string]int
	BySectorDistrict map[string]int `json:",omitempty"`
}

// CountFrame summarises f.
func CountFrame(f *sampling.Frame) FrameCounts {
	c := FrameCounts{Units: len(f.Units), ByDistrict: map[string]int{}, ByGender: map[string]int{}, ByAgeBand: map[string]int{}}
	for _, d := range f.Districts {
		c.ByDistrict[d] = 0
	}
	for i := range f.Units {
		u := &f.Units[i]
		c.ByDistrict[u.District]++
		c.ByGender[u.Gender]++
		c.ByAgeBand[u.AgeBand]++
		if u.Sector != "" {
			if c.BySectorDistrict == nil {
				c.BySectorDistrict = map[string]int{}
			}
			c.BySectorDistrict[u.Sector+"|"+u.District]++
		}
		if u.Contact != "" {
			c.Contacts++
		}
	}
	return c
}

// MaskPhone shows a phone number with its middle hidden, "139****0001":
// enough for a clerk to recognise a row, never the whole number.
func MaskPhone(p string) string {
	r := []rune(p)
	if len(r) < 7 {
		return "****"
	}
	return string(r[:3]) + "****" + string(r[len(r)-4:])
}

// PreviewAllocation applies plan to the stored frame without drawing.
func PreviewAllocation(ctx context.Context, st OfficeStore, measurementID string, plan sampling.Plan) (*sampling.Frame, sampling.Allocation, error) {
	f, err := st.LoadFrame(ctx, measurementID)
	if err != nil {
		return nil, sampling.Allocation{}, err
	}
	a, err := sampling.Allocate(plan, sampling.StratumCounts(f, plan.StratumColumn()))
	return f, a, err
}

// DrawRequest is what drawing a sample needs.
type DrawRequest struct {
	Plan sampling.Plan
	Seed uint64
	// Census, when not nil, sets the quota targets from census counts
	// (district → cell → count); it needs a plan stratified by district.
	Census map[string]map[string]float64
	// Redraw replaces a sample already drawn, which is allowed only before
	// any link is issued (DiscardSample).
	Redraw bool
	By     string
	// Frame is the stored frame when the caller has loaded it already
	// (PreviewAllocation); nil loads it.
	Frame *sampling.Frame
}

// Draw allocates, draws and stores the measurement's sample from its
// stored frame (the one path of `manyi draw` and the sample page).
func Draw(ctx context.Context, st OfficeStore, measurementID string, req DrawRequest) (*SampleInfo, sampling.Allocation, error) {
	if req.Census != nil && req.Plan.StratumColumn() != sampling.ColDistrict {
		return nil, sampling.Allocation{}, survey.Errorf(survey.EINVALID, "按普查数设置配额需要按区县分层的方案", "quota targets from the census need a plan stratified by district")
	}
	f := req.Frame
	var err error
	if f == nil {
		if f, err = st.LoadFrame(ctx, measurementID); err != nil {
			return nil, sampling.Allocation{}, err
		}
	}
	alloc, err := sampling.Allocate(req.Plan, sampling.StratumCounts(f, req.Plan.StratumColumn()))
	if err != nil {
		return nil, alloc, err
	}
	smp, err := sampling.Draw(f, alloc, req.Seed)
	if err != nil {
		return nil, alloc, err
	}
	if req.Redraw {
		if _, err := st.Sample(ctx, measurementID); err == nil {
			if err := st.DiscardSample(ctx, measurementID, req.By); err != nil {
				return nil, alloc, err
			}
		} else if survey.ErrorCode(err) != survey.ENOTFOUND {
			return nil, alloc, err
		}
	}
	info, err := st.SaveSample(ctx, measurementID, req.Plan, smp, f, req.By)
	if err != nil {
		return nil, alloc, err
	}
	if req.Census != nil {
		if err := st.SetQuotaTargets(ctx, measurementID, sampling.QuotaTargets(alloc, req.Census)); err != nil {
			return info, alloc, err
		}
	}
	return info, alloc, nil
}

// ReminderDispositions are the cases a reminder goes to: sent but not
// finished. Completed, refused, screened-out, quota-full and unreachable
// (opted out or bounced) cases never get one.
var ReminderDispositions = []string{sampling.DispSent, sampling.DispOpened, sampling.DispPartial}

// Assignable reports whether a case can be given to an interviewer: it is
// released, not finished or refused, and nobody else is on it unless
// reassign.
func Assignable(c *Case, reassign bool) bool {
	if !c.Released || (!reassign && c.Interviewer != "") {
		return false
	}
	switch c.Disposition {
	case sampling.DispComplete, sampling.DispScreenedOut, sampling.DispQuotaFull, sampling.DispRefused:
		return false
	}
	return true
}

// AssignRequest chooses cases to assign by district and count.
type AssignRequest struct {
	Interviewer string
	District    string // "" all districts
	Limit       int    // 0 all
	Reassign    bool   // also take cases assigned to someone else
	CaseIDs     []int64
}

// Assign gives the chosen cases to an interviewer (`manyi cases assign`
// and the assignment page). It returns how many changed.
func Assign(ctx context.Context, st OfficeStore, measurementID string, req AssignRequest) (int, error) {
	cs, err := st.Cases(ctx, CaseFilter{MeasurementID: measurementID, District: req.District, ReleasedOnly: true, IDs: req.CaseIDs})
	if err != nil {
		return 0, err
	}
	var ids []int64
	for _, c := range cs {
		if !Assignable(c, req.Reassign || len(req.CaseIDs) > 0) || c.Interviewer == req.Interviewer {
			continue
		}
		ids = append(ids, c.ID)
		if req.Limit > 0 && len(ids) == req.Limit {
			break
		}
	}
	if len(ids) == 0 {
		return 0, survey.Errorf(survey.ENOTFOUND, "没有可分配的样本（已启用、未完成、未分配）", "no cases to assign (released, unfinished, unassigned)")
	}
	return st.AssignCases(ctx, measurementID, ids, req.Interviewer)
}

// OpenCheck is one condition for opening fieldwork.
type OpenCheck struct {
	OK     bool
	Label  survey.Text
	Reason survey.Text // why not, when !OK
}

// draftProblems is the questionnaire editor's store (survey/setup): the
// number of problems of its newest save.
type draftProblems interface {
	QuestionnaireDraftProblems(ctx context.Context, measurementID string) (int, error)
}

// OpenChecks lists what opening fieldwork needs: a questionnaire that
// validates and a drawn sample. A service measurement needs no sample: it
// recruits customers by intercept interviews and open links too (a sample
// drawn from sectors' customer lists is optional).
func OpenChecks(ctx context.Context, st OfficeStore, measurementID string) ([]OpenCheck, error) {
	m, err := st.Measurement(ctx, measurementID)
	if err != nil {
		return nil, err
	}
	qc := OpenCheck{Label: survey.Text{Zh: "问卷有效", En: "A valid questionnaire"}}
	qv, err := st.Questionnaire(ctx, measurementID, 0)
	switch {
	case survey.ErrorCode(err) == survey.ENOTFOUND:
		qc.Reason = survey.Text{Zh: "还没有问卷", En: "there is no questionnaire yet"}
	case err != nil:
		return nil, err
	default:
		n := len(qv.Q.Validate())
		// The editor's newest save may have problems while the stored
		// version (the last save without) has none: opening would freeze
		// an older questionnaire than the one the office sees.
		if d, ok := st.(draftProblems); ok && n == 0 {
			if n, err = d.QuestionnaireDraftProblems(ctx, measurementID); err != nil {
				return nil, err
			}
		}
		if n > 0 {
			qc.Reason = survey.Text{Zh: fmt.Sprintf("问卷有 %d 处错误，请先在问卷编辑器中修正", n),
				En: fmt.Sprintf("the questionnaire has %d problems; fix them in the editor first", n)}
		} else {
			qc.OK = true
		}
	}
	sc := OpenCheck{Label: survey.Text{Zh: "已抽取样本", En: "A drawn sample"}}
	if m.IsService() {
		sc = OpenCheck{Label: survey.Text{Zh: "样本（服务业测评可不抽样：拦截访问或公开链接）", En: "A sample (optional for a service measurement: intercept interviews or open links)"}, OK: true}
	} else if _, err := st.Sample(ctx, measurementID); survey.ErrorCode(err) == survey.ENOTFOUND {
		sc.Reason = survey.Text{Zh: "请先抽取样本", En: "draw the sample first"}
	} else if err != nil {
		return nil, err
	} else {
		sc.OK = true
	}
	return []OpenCheck{qc, sc}, nil
}

// OpenFieldwork opens the measurement's fieldwork: residents' links work
// from now on. It refuses while a check fails, naming it.
func OpenFieldwork(ctx context.Context, st OfficeStore, measurementID string) error {
	m, err := st.Measurement(ctx, measurementID)
	if err != nil {
		return err
	}
	if m.Status == survey.StatusOpen {
		return survey.Errorf(survey.ECONFLICT, "实地执行已经开始", "fieldwork is open already")
	}
	checks, err := OpenChecks(ctx, st, measurementID)
	if err != nil {
		return err
	}
	for _, c := range checks {
		if !c.OK {
			return &survey.Error{Code: survey.EINVALID, Message: survey.Text{Zh: "不能开始实地执行：" + c.Reason.Zh, En: "fieldwork cannot open: " + c.Reason.En}}
		}
	}
	return st.SetMeasurementStatus(ctx, measurementID, survey.StatusOpen)
}

// CloseFieldwork closes fieldwork: links answer "this survey has closed"
// and interviewers can no longer record attempts.
func CloseFieldwork(ctx context.Context, st OfficeStore, measurementID string) error {
	m, err := st.Measurement(ctx, measurementID)
	if err != nil {
		return err
	}
	if m.Status != survey.StatusOpen {
		return survey.Errorf(survey.ECONFLICT, "实地执行尚未开始，不能结束", "fieldwork is not open, so it cannot close")
	}
	return st.SetMeasurementStatus(ctx, measurementID, survey.StatusClosed)
}

// PurgeConfirmation is what the office types to purge contacts: the
// measurement's id, so that a slip of the mouse purges nothing.
func PurgeConfirmation(measurementID string) string { return measurementID }

// Purge deletes the measurement's sealed contacts after checking the typed
// confirmation; cases, dispositions and answers stay.
func Purge(ctx context.Context, st OfficeStore, measurementID, typed, by string) (int, error) {
	if typed != PurgeConfirmation(measurementID) {
		return 0, survey.Errorf(survey.EINVALID, "确认文字不对：请输入测评编号 %s", "the confirmation does not match: type the measurement id %s", measurementID)
	}
	return st.PurgeContacts(ctx, measurementID, by)
}

// SortedKeys returns a count map's keys in order, for tables.
func SortedKeys(m map[string]int) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

type progressKey struct{}

// WithProgress returns a context under which long store work (a frame
// import) reports how far it is: fn(done, total) after each step. fn must
// be quick and safe to call from another goroutine.
func WithProgress(ctx context.Context, fn func(done, total int)) context.Context {
	return context.WithValue(ctx, progressKey{}, fn)
}

// ReportProgress calls the progress function of ctx, if any.
func ReportProgress(ctx context.Context, done, total int) {
	if fn, ok := ctx.Value(progressKey{}).(func(done, total int)); ok {
		fn(done, total)
	}
}
