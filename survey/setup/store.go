package setup

import (
	"context"
	"time"

	"manyi/survey"
	"manyi/survey/fieldwork"
)

// Revision is one saved state of a measurement's questionnaire in the
// editor. Every save is a new revision with its author and time. A revision
// may have problems (a half-finished edit, English still missing); only a
// valid one becomes the questionnaire residents answer (Version > 0).
type Revision struct {
	MeasurementID string
	Rev           int // 1, 2, …; 0 for the stored version when nothing was saved in the editor
	Q             *survey.Questionnaire
	Problems      int    // the number of validation problems when saved
	Version       int    // the questionnaire version it became, 0 when it had problems
	Author        string // user name; "" when unknown (versions stored by older commands)
	Note          string // what the save did ("item serv_delivery edited")
	CreatedAt     time.Time
}

// Counts are the fieldwork figures the overview checklist needs.
type Counts struct {
	Cases       int // drawn cases, reserve included
	Released    int // cases released to fieldwork
	Invited     int // released cases that have been given a link
	Assigned    int // cases assigned to an interviewer
	Submitted   int // submitted responses (open links included)
	InProgress  int // responses started and not finished
	Invitations int // every invitation link of the measurement, demo and open-link ones included
}

// Store is what this package needs from the store. Methods that write own
// their transaction; errors are *survey.Error with ENOTFOUND, ECONFLICT or
// EINVALID where the caller can act.
type Store interface {
	// CreateMeasurement, Measurement, Measurements and Questionnaire are
	// survey.Store's.
	CreateMeasurement(ctx context.Context, m *survey.Measurement, q *survey.Questionnaire) error
	Measurement(ctx context.Context, id string) (*survey.Measurement, error)
	Measurements(ctx context.Context) ([]*survey.Measurement, error)
	Questionnaire(ctx context.Context, measurementID string, version int) (*survey.QuestionnaireVersion, error)

	RevisionStore

	// Frame returns the imported frame's summary (ENOTFOUND when none).
	Frame(ctx context.Context, measurementID string) (*fieldwork.FrameSummary, error)
	// Sample returns the drawn sample (ENOTFOUND when none).
	Sample(ctx context.Context, measurementID string) (*fieldwork.SampleInfo, error)
	// SetupCounts returns the fieldwork figures of the overview.
	SetupCounts(ctx context.Context, measurementID string) (*Counts, error)
}

// RevisionStore keeps the questionnaire editor's saves. It is its own
// interface so that the store conformance suite (survey/storetest) holds
// every adapter to it.
type RevisionStore interface {
	// SaveRevision stores q as the next revision of the measurement's
	// questionnaire, by author. base is the revision the edit started from:
	// when it is not the newest any more (someone else saved meanwhile)
	// the save is ECONFLICT and changes nothing; base < 0 skips the check.
	// When q has no problems it also becomes the questionnaire residents
	// answer, in the same transaction. Once the measurement is no longer a
	// draft (fieldwork has opened) every save is ECONFLICT.
	SaveRevision(ctx context.Context, measurementID string, q *survey.Questionnaire, author, note string, base int) (*Revision, error)
	// Revision returns one revision (0: the newest). A measurement without
	// saved revisions answers its newest stored questionnaire version as
	// revision 0.
	Revision(ctx context.Context, measurementID string, rev int) (*Revision, error)
	// Revisions lists the revisions newest first, without their
	// questionnaires.
	Revisions(ctx context.Context, measurementID string) ([]Revision, error)
	// QuestionnaireDraftProblems returns the number of problems of the
	// newest revision (0 without any): opening fieldwork checks it
	// (fieldwork.OpenChecks).
	QuestionnaireDraftProblems(ctx context.Context, measurementID string) (int, error)
}
