package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"manyi/survey"
	"manyi/survey/auth"
)

// maxAuditLimit bounds one AuditLog page.
const maxAuditLimit = 1000

// Audit appends e to the audit log. At defaults to the store's clock. The
// entry goes through the writer like any write, so it is on disk when Audit
// returns: an export is logged before its file is sent.
func (db *DB) Audit(ctx context.Context, e auth.AuditEntry) error {
	if e.Action == "" {
		return survey.Errorf(survey.EINVALID, "审计记录缺少操作", "the audit entry has no action")
	}
	detail := []byte("{}")
	if len(e.Detail) > 0 {
		b, err := json.Marshal(e.Detail)
		if err != nil {
			return fmt.Errorf("sqlite: audit detail: %w", err)
		}
		detail = b
	}
	at := e.At
	if at.IsZero() {
		at = db.now()
	}
	return db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT INTO audit_log (at, user_name, action, target, detail, ip) VALUES (?, ?, ?, ?, ?, ?)`,
			fmtTime(at), e.User, e.Action, e.Target, string(detail), e.IP)
		if err != nil {
			return fmt.Errorf("sqlite: audit: %w", err)
		}
		return nil
	})
}

// AuditLog returns the entries matching f, newest first.
func (db *DB) AuditLog(ctx context.Context, f auth.AuditFilter) ([]auth.AuditEntry, error) {
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
		add(`at >= ?`, fmtTime(f.Since))
	}
	if !f.Until.IsZero() {
		add(`at < ?`, fmtTime(f.Until))
	}
	if f.BeforeID > 0 {
		add(`id < ?`, f.BeforeID)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	if limit > maxAuditLimit {
		limit = maxAuditLimit
	}
	q := `SELECT id, at, user_name, action, target, detail, ip FROM audit_log`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	q += ` ORDER BY id DESC LIMIT ?`
	args = append(args, limit)
	rows, err := db.rdb.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: audit log: %w", err)
	}
	defer rows.Close()
	var es []auth.AuditEntry
	for rows.Next() {
		var e auth.AuditEntry
		var at, detail string
		if err := rows.Scan(&e.ID, &at, &e.User, &e.Action, &e.Target, &detail, &e.IP); err != nil {
			return nil, fmt.Errorf("sqlite: audit log: %w", err)
		}
		if e.At, err = parseTime(at); err != nil {
			return nil, err
		}
		if detail != "" && detail != "{}" {
			if err := json.Unmarshal([]byte(detail), &e.Detail); err != nil {
				return nil, fmt.Errorf("sqlite: audit entry %d: bad detail: %w", e.ID, err)
			}
		}
		es = append(es, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: audit log: %w", err)
	}
	return es, nil
}
