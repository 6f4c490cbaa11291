package sqlite

import (
	"context"
	"database/sql"

	"manyi/survey"
	"manyi/survey/fieldwork"
	"manyi/survey/internal/storekit"
)

var _ fieldwork.InterceptStore = (*DB)(nil)

// StartIntercept makes an invitation for an intercept interview (marked
// open_link: it is not drawn, so every result counts it as a
// non-probability answer) and starts its response in mode face under the
// interviewer, in one write transaction.
func (db *DB) StartIntercept(ctx context.Context, measurementID, interviewer string) (string, error) {
	if interviewer == "" {
		return "", survey.Errorf(survey.EINVALID, "缺少访员", "the interviewer is missing")
	}
	tok, h := storekit.NewToken()
	err := db.write(ctx, func(stx *sql.Tx) error {
		now := db.now()
		if err := storekit.InterceptInvitation(bg, dialect, stx, measurementID, h, "1", now); err != nil {
			return err
		}
		tx := db.wtx(stx)
		l, err := lookupLink(tx, h)
		if err != nil {
			return err
		}
		if err := db.startTx(tx, l, survey.ModeFace, "tablet"); err != nil {
			return err
		}
		return storekit.SetInterceptInterviewer(bg, dialect, tx, l.respID.Int64, interviewer, now)
	})
	if err != nil {
		return "", err
	}
	return tok, nil
}

// SectorProgress counts the submitted responses of a service measurement
// by the answers to its district and sector items (the newest
// questionnaire's; the items keep their ids across versions).
func (db *DB) SectorProgress(ctx context.Context, measurementID string) (map[string]map[string]int, error) {
	q, _, err := db.latestQuestionnaire(ctx, measurementID)
	if err != nil {
		return nil, err
	}
	return storekit.SectorProgress(ctx, dialect, db.rdb, measurementID, q)
}
