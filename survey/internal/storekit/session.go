package storekit

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"time"

	"manyi/survey"
)

// MaxInvitations bounds one CreateInvitations call, keeping its
// transaction short enough not to stall residents' pages.
const MaxInvitations = 100000

// CheckInvitationCount refuses a number of invitations to create outside
// 1–MaxInvitations.
func CheckInvitationCount(n int) error {
	if n < 1 || n > MaxInvitations {
		return survey.Errorf(survey.EINVALID, "邀请数量应在 1–%d 之间，而不是 %d", "the number of invitations must be from 1 to %d, not %d", MaxInvitations, n)
	}
	return nil
}

// ResponseMode returns the mode a response is started in: mode, web when
// it is "", or EINVALID for an unknown one.
func ResponseMode(mode string) (string, error) {
	if mode == "" {
		mode = survey.ModeWeb
	}
	switch mode {
	case survey.ModeWeb, survey.ModePhone, survey.ModeFace:
	default:
		return "", survey.Errorf(survey.EINVALID, "访问方式 %q 无效", "mode %q is not web, phone or face", mode)
	}
	return mode, nil
}

// CheckPageID refuses a page save without a page id.
func CheckPageID(p *survey.PageSave) error {
	if p.PageID == "" {
		return survey.Errorf(survey.EINVALID, "缺少页面编号", "the page id is missing")
	}
	return nil
}

// CheckFinishStatus accepts the statuses a response can end with.
func CheckFinishStatus(status string) error {
	if status == survey.RespSubmitted || status == survey.RespScreenedOut || status == survey.RespQuotaFull {
		return nil
	}
	return survey.Errorf(survey.EINVALID, "结束状态 %q 无效", "%q is not a finishing status", status)
}

// CheckInProgress is the common check of a write to a resident's
// answers, given the link's response status (NULL: none yet) and its
// measurement's: the response must not be finished and the measurement
// must be open.
func CheckInProgress(respStatus sql.NullString, mStatus string) error {
	if respStatus.Valid && respStatus.String != survey.RespInProgress {
		return ErrFinished(respStatus.String)
	}
	return CheckOpen(mStatus)
}

// ErrNoResponse is the answer for a response that was not started.
func ErrNoResponse() error {
	return survey.Errorf(survey.ENOTFOUND, "尚未开始作答", "the response has not been started")
}

// ResponseCols are the columns of responses r that ScanResponse reads
// before the adapter's two answer columns.
const ResponseCols = `r.id, r.invitation_id, r.measurement_id, r.version, r.status, r.mode, r.interviewer,
		r.ua_class, r.current_page, r.started_at, r.submitted_at`

// DecodeAnswers is the adapter's reading of its two answer columns (the
// answers and the saved pages, as its query gives them) into r.
type DecodeAnswers func(r *survey.Response, answers, pages string) error

// ScanResponse reads one row of ResponseCols and the adapter's two answer
// columns (ErrNoResponse for none). Columns the query names before them
// are scanned into before.
func ScanResponse(d *Dialect, row Scanner, decode DecodeAnswers, before ...any) (*survey.Response, error) {
	var r survey.Response
	var answers, pages string
	err := row.Scan(append(before, &r.ID, &r.InvitationID, &r.MeasurementID, &r.Version, &r.Status, &r.Mode,
		&r.Interviewer, &r.UAClass, &r.CurrentPage, d.TimeDest(&r.StartedAt), d.NullTimeDest(&r.SubmittedAt), &answers, &pages)...)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNoResponse()
	}
	if err != nil {
		return nil, d.Errorf("response: %w", err)
	}
	if err := decode(&r, answers, pages); err != nil {
		return nil, err
	}
	return &r, nil
}

// SessionQuery is the statement that reads everything a page view needs
// about a token (one ?, its hash) in one statement, hence one consistent
// snapshot without a transaction: the invitation, its measurement, the
// response if any with its answers and saved pages (the adapter's
// answers, two columns over responses r), and the questionnaire version
// that applies (the response's, else the newest). more are the adapter's
// further columns, after those ScanSession reads.
func SessionQuery(answers, more string) string {
	return `SELECT i.id, i.measurement_id, i.case_id, i.disposition, i.created_at, i.open_sector,
		m.city_zh, m.city_en, m.title_zh, m.title_en, m.year, m.office_zh, m.office_en, m.status, coalesce(m.prev_id, ''), m.created_at, m.kind,
		r.id, r.version, r.status, r.mode, r.interviewer, r.ua_class, r.current_page, r.started_at, r.submitted_at,
		` + answers + `,
		v.version, v.sha256` + more + `
	FROM invitations i
	JOIN measurements m ON m.id = i.measurement_id
	LEFT JOIN responses r ON r.invitation_id = i.id
	JOIN questionnaire_versions v ON v.measurement_id = i.measurement_id
		AND v.version = coalesce(r.version, (SELECT max(version) FROM questionnaire_versions WHERE measurement_id = i.measurement_id))
	WHERE i.token_hash = ?`
}

// ScanSession reads the row of a SessionQuery into a session without its
// questionnaire, whose SHA-256 it returns, and without the measurement's
// districts and sectors, which the adapter adds; more receive the
// adapter's further columns. An unknown token is ErrBadLink, a
// measurement that is not open CheckOpen's error.
func ScanSession(d *Dialect, row Scanner, decode DecodeAnswers, more ...any) (s *survey.Session, sum string, err error) {
	var (
		inv                     survey.Invitation
		m                       survey.Measurement
		rid, rversion           sql.NullInt64
		rstatus, rmode, rinterv sql.NullString
		rua, rpage              sql.NullString
		rstarted, rsubmitted    *time.Time
		answers, pages          string
		version                 int
	)
	err = row.Scan(append([]any{&inv.ID, &inv.MeasurementID, &inv.CaseID, &inv.Disposition, d.TimeDest(&inv.CreatedAt), &inv.Sector,
		&m.City.Zh, &m.City.En, &m.Title.Zh, &m.Title.En, &m.Year, &m.Office.Zh, &m.Office.En, &m.Status, &m.PrevID, d.TimeDest(&m.CreatedAt), &m.Kind,
		&rid, &rversion, &rstatus, &rmode, &rinterv, &rua, &rpage, d.NullTimeDest(&rstarted), d.NullTimeDest(&rsubmitted),
		&answers, &pages, &version, &sum}, more...)...)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", ErrBadLink()
	}
	if err != nil {
		return nil, "", d.Errorf("open session: %w", err)
	}
	if err := CheckOpen(m.Status); err != nil {
		return nil, "", err
	}
	m.ID = inv.MeasurementID
	s = &survey.Session{Invitation: &inv, Measurement: &m}
	if rid.Valid {
		r := &survey.Response{
			ID: rid.Int64, InvitationID: inv.ID, MeasurementID: m.ID, Version: int(rversion.Int64),
			Status: rstatus.String, Mode: rmode.String, Interviewer: rinterv.String, UAClass: rua.String,
			CurrentPage: rpage.String, SubmittedAt: rsubmitted,
		}
		if rstarted != nil {
			r.StartedAt = *rstarted
		}
		if err := decode(r, answers, pages); err != nil {
			return nil, "", err
		}
		s.Response = r
	}
	return s, sum, nil
}

// Secret returns the server secret (for signing links and CSRF tokens)
// read from q, creating a random 32-byte one on first use through write,
// the adapter's write transaction (whose statements run under txCtx).
func Secret(ctx context.Context, d *Dialect, q Querier, write func(context.Context, func(*sql.Tx) error) error, txCtx context.Context) ([]byte, error) {
	var v string
	err := d.QueryRow(ctx, q, `SELECT value FROM settings WHERE key = 'secret'`).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		b := make([]byte, 32)
		rand.Read(b)
		err = write(ctx, func(tx *sql.Tx) error {
			_, err := d.Exec(txCtx, tx, `INSERT INTO settings (key, value) VALUES ('secret', ?) ON CONFLICT (key) DO NOTHING`, hex.EncodeToString(b))
			return err
		})
		if err != nil {
			return nil, d.Errorf("create secret: %w", err)
		}
		// Another process or server may have won the insert: read what
		// is stored.
		err = d.QueryRow(ctx, q, `SELECT value FROM settings WHERE key = 'secret'`).Scan(&v)
	}
	if err != nil {
		return nil, d.Errorf("secret: %w", err)
	}
	b, err := hex.DecodeString(v)
	if err != nil || len(b) < 16 {
		return nil, d.Errorf("stored secret is malformed")
	}
	return b, nil
}
