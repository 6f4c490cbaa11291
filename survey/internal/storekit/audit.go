package storekit

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"manyi/survey"
	"manyi/survey/auth"
)

// MaxAuditLimit bounds one AuditLog page.
const MaxAuditLimit = 1000

// AuditDetail is the stored form of an audit entry's detail: a JSON
// object, "{}" when there is none.
func AuditDetail(d *Dialect, detail map[string]any) (string, error) {
	if len(detail) == 0 {
		return "{}", nil
	}
	b, err := json.Marshal(detail)
	if err != nil {
		return "", d.Errorf("audit detail: %w", err)
	}
	return string(b), nil
}

// PrepareAudit checks e before it is stored and returns its stored
// detail; a zero At becomes now.
func PrepareAudit(d *Dialect, e *auth.AuditEntry, now time.Time) (string, error) {
	if e.Action == "" {
		return "", survey.Errorf(survey.EINVALID, "审计记录缺少操作", "the audit entry has no action")
	}
	if e.At.IsZero() {
		e.At = now
	}
	return AuditDetail(d, e.Detail)
}

// InsertAudit appends one entry (detail in its stored form) inside the
// caller's write transaction, so that a change and its record commit
// together.
func InsertAudit(ctx context.Context, d *Dialect, tx Querier, at time.Time, user, action, target, detail, ip string) error {
	if _, err := d.Exec(ctx, tx, `INSERT INTO audit_log (at, user_name, action, target, detail, ip) VALUES (?, ?, ?, ?, ?, ?)`,
		d.TimeArg(at), user, action, target, detail, ip); err != nil {
		return d.Errorf("audit: %w", err)
	}
	return nil
}

// AuditChange appends an entry of a change by user, with detail, inside
// the caller's write transaction (InsertAudit, no address).
func AuditChange(ctx context.Context, d *Dialect, tx Querier, at time.Time, user, action, target string, detail map[string]any) error {
	b, err := AuditDetail(d, detail)
	if err != nil {
		return err
	}
	return InsertAudit(ctx, d, tx, at, user, action, target, b, "")
}

// AuditLog returns the entries matching f, newest first, at most f.Limit
// (100 when unset, never more than MaxAuditLimit).
func AuditLog(ctx context.Context, d *Dialect, q Querier, f auth.AuditFilter) ([]auth.AuditEntry, error) {
	var where []string
	var args []any
	add := func(cond string, arg any) {
		where = append(where, cond)
		args = append(args, arg)
	}
	if f.User != "" {
		add(`user_name = ?`, f.User)
	}
	if f.Action != "" {
		add(`action = ?`, f.Action)
	}
	if f.Target != "" {
		add(`target = ?`, f.Target)
	}
	if !f.Since.IsZero() {
		add(`at >= ?`, d.TimeArg(f.Since.UTC()))
	}
	if !f.Until.IsZero() {
		add(`at < ?`, d.TimeArg(f.Until.UTC()))
	}
	if f.BeforeID > 0 {
		add(`id < ?`, f.BeforeID)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	limit = min(limit, MaxAuditLimit)
	query := `SELECT id, at, user_name, action, target, detail, ip FROM audit_log`
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, ` AND `)
	}
	query += ` ORDER BY id DESC LIMIT ?`
	args = append(args, limit)
	// At most 2⁶ texts (which filters are set), so caching them is bounded.
	rows, err := d.Query(ctx, q, query, args...)
	return ScanAll(d, "audit log", rows, err, func(s Scanner) (auth.AuditEntry, error) {
		var e auth.AuditEntry
		var detail string
		if err := s.Scan(&e.ID, d.TimeDest(&e.At), &e.User, &e.Action, &e.Target, &detail, &e.IP); err != nil {
			return e, err
		}
		if detail != "" && detail != "{}" {
			if err := json.Unmarshal([]byte(detail), &e.Detail); err != nil {
				return e, fmt.Errorf("audit entry %d: bad detail: %w", e.ID, err)
			}
		}
		return e, nil
	})
}
