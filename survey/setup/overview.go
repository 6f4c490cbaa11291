package setup

import (
	"context"
	"fmt"

	"manyi/survey"
	"manyi/survey/fieldwork"
)

// Step states of the overview checklist.
const (
	StateDone    = "done"    // the step has been done (it may be done again)
	StateTodo    = "todo"    // it can be done now
	StateBlocked = "blocked" // an earlier step is missing; Why says which
	StateOpen    = "open"    // fieldwork is running
	StateClosed  = "closed"  // fieldwork has ended
	StateProblem = "problem" // done, but with problems to fix (the questionnaire)
)

// Step keys, in the order of the life cycle.
const (
	StepQuestionnaire = "questionnaire"
	StepFrame         = "frame"
	StepSample        = "sample"
	StepInvitations   = "invitations"
	StepCases         = "cases"
	StepFieldwork     = "fieldwork"
	StepResults       = "results"
	StepReport        = "report"
)

// Step is one line of the overview checklist.
type Step struct {
	Key    string
	State  string
	Detail survey.Text // what has been done ("12 页，38 题")
	Why    survey.Text // for StateBlocked: what to do first
	Path   string      // the page of the step
}

// Overview is a measurement's life-cycle checklist.
type Overview struct {
	Measurement *survey.Measurement
	Revision    *Revision
	Problems    []survey.Problem // of the newest revision
	Frame       *fieldwork.FrameSummary
	Sample      *fieldwork.SampleInfo
	Counts      *Counts
	Steps       []Step
	// Locked is true once fieldwork has opened: the questionnaire can no
	// longer change.
	Locked bool
}

// Paths of the steps' pages; %s is the measurement id.
var stepPaths = map[string]string{
	StepQuestionnaire: "/app/m/%s/questionnaire",
	StepFrame:         "/app/m/%s/frame",
	StepSample:        "/app/m/%s/sample",
	StepInvitations:   "/app/m/%s/invitations",
	StepCases:         "/app/m/%s/cases/assign",
	StepFieldwork:     "/app/m/%s/fieldwork",
	StepResults:       "/app/m/%s/results",
	StepReport:        "/app/m/%s/report",
}

// StepPath returns the page of a step for measurement id.
func StepPath(key, id string) string { return fmt.Sprintf(stepPaths[key], id) }

// Why-texts of blocked steps.
var (
	whyFrame         = survey.Text{Zh: "请先导入抽样框", En: "import the frame first"}
	whySample        = survey.Text{Zh: "请先抽取样本", En: "draw the sample first"}
	whyQuestionnaire = survey.Text{Zh: "请先修正问卷中的问题", En: "fix the questionnaire's problems first"}
	whyResponses     = survey.Text{Zh: "还没有完成的问卷，请先开始实地执行", En: "there are no completed responses yet: open fieldwork first"}
	whyNoneYet       = survey.Text{Zh: "实地执行已开始，但还没有完成的问卷", En: "fieldwork is open, but no response has been completed yet"}
	whyNoneClosed    = survey.Text{Zh: "实地执行已结束，没有完成的问卷", En: "fieldwork has closed without any completed response"}
	// Notes on a done step that can no longer be done again.
	noteFrameSampled = survey.Text{Zh: "；已抽样，抽样框不能再替换", En: "; sampled, so the frame can no longer be replaced"}
	noteSampleIssued = survey.Text{Zh: "；已发放链接，不能再重抽", En: "; links issued, so it can no longer be redrawn"}
)

// LoadOverview reads a measurement's state from the store and builds its
// checklist.
func LoadOverview(ctx context.Context, st Store, id string) (*Overview, error) {
	m, err := st.Measurement(ctx, id)
	if err != nil {
		return nil, err
	}
	o := &Overview{Measurement: m, Locked: m.Status != survey.StatusDraft}
	if o.Revision, err = st.Revision(ctx, id, 0); err != nil {
		return nil, err
	}
	o.Problems = Problems(m, o.Revision.Q)
	if o.Frame, err = st.Frame(ctx, id); err != nil && survey.ErrorCode(err) != survey.ENOTFOUND {
		return nil, err
	}
	if o.Sample, err = st.Sample(ctx, id); err != nil && survey.ErrorCode(err) != survey.ENOTFOUND {
		return nil, err
	}
	if o.Counts, err = st.SetupCounts(ctx, id); err != nil {
		return nil, err
	}
	o.Steps = Checklist(o)
	return o, nil
}

// Checklist builds the steps from the state gathered in o.
func Checklist(o *Overview) []Step {
	id := o.Measurement.ID
	step := func(key string) Step { return Step{Key: key, Path: StepPath(key, id)} }
	c := o.Counts
	if c == nil {
		c = &Counts{}
	}
	var steps []Step

	s := step(StepQuestionnaire)
	q := o.Revision.Q
	s.Detail = survey.Text{
		Zh: fmt.Sprintf("%d 页，%d 题；第 %d 次保存", len(q.Pages), len(q.Items()), o.Revision.Rev),
		En: fmt.Sprintf("%d pages, %d items; save %d", len(q.Pages), len(q.Items()), o.Revision.Rev),
	}
	if o.Revision.Rev == 0 {
		s.Detail = survey.Text{Zh: fmt.Sprintf("%d 页，%d 题", len(q.Pages), len(q.Items())), En: fmt.Sprintf("%d pages, %d items", len(q.Pages), len(q.Items()))}
	}
	s.State = StateDone
	if len(o.Problems) > 0 {
		s.State = StateProblem
		s.Detail.Zh += fmt.Sprintf("；有 %d 处问题", len(o.Problems))
		s.Detail.En += fmt.Sprintf("; %d problem(s)", len(o.Problems))
	}
	if o.Locked {
		s.Detail.Zh += "；实地执行已开始，问卷已锁定"
		s.Detail.En += "; locked since fieldwork opened"
	}
	steps = append(steps, s)

	s = step(StepFrame)
	if f := o.Frame; f != nil {
		s.State = StateDone
		s.Detail = survey.Text{
			Zh: fmt.Sprintf("%d 人（剔除 %d 行），来自 %s", f.Units, f.Rejected, f.Source),
			En: fmt.Sprintf("%d people (%d rows rejected), from %s", f.Units, f.Rejected, f.Source),
		}
		if f.PurgedAt != nil {
			s.Detail.Zh += "；联系方式已清除"
			s.Detail.En += "; contacts purged"
		}
		if o.Sample != nil {
			s.Detail.Zh += noteFrameSampled.Zh
			s.Detail.En += noteFrameSampled.En
		}
	} else {
		s.State = StateTodo
	}
	steps = append(steps, s)

	s = step(StepSample)
	switch {
	case o.Sample != nil:
		s.State = StateDone
		s.Detail = survey.Text{
			Zh: fmt.Sprintf("%d 个样本（含后备），种子 %d", o.Sample.Cases, o.Sample.Seed),
			En: fmt.Sprintf("%d cases (reserve included), seed %d", o.Sample.Cases, o.Sample.Seed),
		}
		if c.Invited > 0 {
			s.Detail.Zh += noteSampleIssued.Zh
			s.Detail.En += noteSampleIssued.En
		}
	case o.Frame == nil:
		s.State, s.Why = StateBlocked, whyFrame
	default:
		s.State = StateTodo
	}
	steps = append(steps, s)

	s = step(StepInvitations)
	switch {
	case o.Sample == nil:
		s.State, s.Why = StateBlocked, whySample
	case c.Invited > 0:
		s.State = StateDone
		s.Detail = survey.Text{
			Zh: fmt.Sprintf("已为 %d / %d 个放出的样本发放链接", c.Invited, c.Released),
			En: fmt.Sprintf("links issued to %d of %d released cases", c.Invited, c.Released),
		}
	default:
		s.State = StateTodo
	}
	steps = append(steps, s)

	s = step(StepCases)
	switch {
	case o.Sample == nil:
		s.State, s.Why = StateBlocked, whySample
	case c.Assigned > 0:
		s.State = StateDone
		s.Detail = survey.Text{Zh: fmt.Sprintf("%d 个样本已分配给访员", c.Assigned), En: fmt.Sprintf("%d cases assigned to interviewers", c.Assigned)}
	default:
		s.State = StateTodo
		s.Detail = survey.Text{Zh: "仅电话和面访需要", En: "needed for phone and face-to-face interviews only"}
	}
	steps = append(steps, s)

	s = step(StepFieldwork)
	switch o.Measurement.Status {
	case survey.StatusOpen:
		s.State = StateOpen
		s.Detail = survey.Text{Zh: fmt.Sprintf("进行中：已完成 %d 份，进行中 %d 份", c.Submitted, c.InProgress), En: fmt.Sprintf("open: %d completed, %d in progress", c.Submitted, c.InProgress)}
	case survey.StatusClosed:
		s.State = StateClosed
		s.Detail = survey.Text{Zh: fmt.Sprintf("已结束：共完成 %d 份", c.Submitted), En: fmt.Sprintf("closed: %d completed", c.Submitted)}
	default:
		s.Detail = survey.Text{Zh: "尚未开始", En: "not started"}
		switch {
		case len(o.Problems) > 0:
			s.State, s.Why = StateBlocked, whyQuestionnaire
		case o.Sample == nil && !o.Measurement.IsService():
			// A service measurement may run without a sample (intercept
			// interviews, open links), as fieldwork.OpenChecks allows.
			s.State, s.Why = StateBlocked, whySample
		default:
			s.State = StateTodo
		}
	}
	steps = append(steps, s)

	for _, key := range []string{StepResults, StepReport} {
		s = step(key)
		switch {
		case c.Submitted == 0 && o.Measurement.Status == survey.StatusOpen:
			s.State, s.Why = StateBlocked, whyNoneYet
		case c.Submitted == 0 && o.Measurement.Status == survey.StatusClosed:
			s.State, s.Why = StateBlocked, whyNoneClosed
		case c.Submitted == 0:
			s.State, s.Why = StateBlocked, whyResponses
		default:
			s.State = StateDone
			s.Detail = survey.Text{Zh: fmt.Sprintf("基于 %d 份完成的问卷", c.Submitted), En: fmt.Sprintf("from %d completed responses", c.Submitted)}
			if o.Measurement.Status == survey.StatusOpen {
				s.State = StateTodo
				s.Detail.Zh += "（实地执行尚未结束）"
				s.Detail.En += " (fieldwork still open)"
			}
		}
		steps = append(steps, s)
	}
	return steps
}
