package fieldwork

import (
	"context"

	"manyi/survey/sampling"
	"manyi/survey/secret"
)

// SetupStore keeps what the office prepares before and during fieldwork:
// the frame, the drawn sample and its reserve batches, the interviewers'
// assignments, the personal links and the quota targets. The commands
// (and the setup pages) use it; errors are *survey.Error where the caller
// can act.
type SetupStore interface {
	// ImportFrame stores f for the measurement, its contacts sealed with
	// key (nil only when no unit has one); rejected is the number of rows
	// left out at import. A unit of an unknown district is EINVALID
	// naming its row.
	ImportFrame(ctx context.Context, measurementID string, f *sampling.Frame, rejected int, key *secret.Key, source, by string) (*FrameSummary, error)
	// ImportSectorFrame stores f as one sector's customer list of a
	// service measurement, in one transaction: that sector's earlier units
	// and contacts are replaced, other sectors' units stay. Refused
	// (ECONFLICT) once a sample is drawn, as ImportFrame is; EINVALID for a
	// residents' measurement or a sector it does not have.
	ImportSectorFrame(ctx context.Context, measurementID, sector string, f *sampling.Frame, rejected int, key *secret.Key, source, by string) (*FrameSummary, error)
	// FrameCells returns the stored frame's units per sector × district
	// (sector "" for a residents' frame), ordered by sector and district.
	FrameCells(ctx context.Context, measurementID string) ([]FrameCell, error)
	// SectorLists returns where each sector's list of the stored frame
	// came from, one SectorList per sector with units, ordered by sector
	// code (none for a residents' frame or a service frame without
	// sectors).
	SectorLists(ctx context.Context, measurementID string) ([]SectorList, error)
	// LoadFrame reads the frame back for sampling.Draw, contacts left out.
	LoadFrame(ctx context.Context, measurementID string) (*sampling.Frame, error)
	// Frame returns the imported frame's summary (ENOTFOUND).
	Frame(ctx context.Context, measurementID string) (*FrameSummary, error)
	// FrameDistricts returns the names a frame may use for the
	// measurement's districts and the map from each to its code.
	FrameDistricts(ctx context.Context, measurementID string) ([]string, map[string]string, error)
	// PurgeContacts deletes every contact of the frame and returns how
	// many were deleted.
	PurgeContacts(ctx context.Context, measurementID, by string) (int, error)
	// SaveSample stores a sample drawn from the stored frame: one case per
	// drawn unit, one invitation per main-sample case. Drawing again is
	// ECONFLICT.
	SaveSample(ctx context.Context, measurementID string, plan sampling.Plan, s *sampling.Sample, f *sampling.Frame, by string) (*SampleInfo, error)
	// ReleaseBatch releases the next reserve batch and returns its number;
	// ECONFLICT when every batch is out.
	ReleaseBatch(ctx context.Context, measurementID, by string) (int, error)
	// AssignCases assigns cases to an interviewer ("" unassigns) and
	// returns how many changed.
	AssignCases(ctx context.Context, measurementID string, caseIDs []int64, interviewer string) (int, error)
	// IssueLinks gives each selected case a new personal link and returns
	// the tokens, once.
	IssueLinks(ctx context.Context, measurementID string, sel LinkSelection, key *secret.Key, by string) ([]IssuedLink, error)
	// SetQuotaTargets sets the targets of the given cells (district code
	// → cell key → target), adding missing cells.
	SetQuotaTargets(ctx context.Context, measurementID string, targets map[string]map[string]int) error
	// SetQuotaAllowOver says whether the cells may go over their targets.
	SetQuotaAllowOver(ctx context.Context, measurementID string, allow bool) error
}
