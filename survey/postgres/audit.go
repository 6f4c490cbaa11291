package postgres

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

// Audit appends e to the audit log. At defaults to the store's clock.
func (db *DB) Audit(ctx context.Context, e auth.AuditEntry) error {
	if e.Action == "" {
		return survey.Errorf(survey.EINVALID, "审计记录缺少操作", "the audit entry has no action")
	}
	detail := []byte("{}")
	if len(e.Detail) > 0 {
		b, err := json.Marshal(e.Detail)
		if err != nil {
			return fmt.Errorf("postgres: audit detail: %w", err)
		}
		detail = b
	}
	at := e.At
	if at.IsZero() {
		at = db.now()
	}
	return db.write(ctx, func(tx *sql.Tx) error {
		return audit(ctx, tx, at, e.User, e.Action, e.Target, string(detail), e.IP)
	})
}

// audit appends one entry inside a transaction.
func audit(ctx context.Context, tx *sql.Tx, at any, user, action, target, detail, ip string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO audit_log (at, user_name, action, target, detail, ip) VALUES ($1, $2, $3, $4, $5, $6)`,
		at, user, action, target, detail, ip)
	if err != nil {
		return fmt.Errorf("postgres: audit: %w", err)
	}
	return nil
}

// AuditLog returns the entries matching f, newest first.
func (db *DB) AuditLog(ctx context.Context, f auth.AuditFilter) ([]auth.AuditEntry, error) {
	var where []string
	var args []any
	add := func(cond string, arg any) {
		args = append(args, arg)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if f.User != "" {
		add(`user_name = $%d`, f.User)
	}
	if f.Action != "" {
		add(`action = $%d`, f.Action)
	}
	if f.Target != "" {
		add(`target = $%d`, f.Target)
	}
	if !f.Since.IsZero() {
		add(`at >= $%d`, f.Since.UTC())
	}
	if !f.Until.IsZero() {
		add(`at < $%d`, f.Until.UTC())
	}
	if f.BeforeID > 0 {
		add(`id < $%d`, f.BeforeID)
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
	args = append(args, limit)
	q += fmt.Sprintf(` ORDER BY id DESC LIMIT $%d`, len(args))
	rows, err := db.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: audit log: %w", err)
	}
	defer rows.Close()
	var es []auth.AuditEntry
	for rows.Next() {
		var e auth.AuditEntry
		var detail string
		if err := rows.Scan(&e.ID, &e.At, &e.User, &e.Action, &e.Target, &detail, &e.IP); err != nil {
			return nil, fmt.Errorf("postgres: audit log: %w", err)
		}
		e.At = utc(e.At)
		if detail != "" && detail != "{}" {
			if err := json.Unmarshal([]byte(detail), &e.Detail); err != nil {
				return nil, fmt.Errorf("postgres: audit entry %d: bad detail: %w", e.ID, err)
			}
		}
		es = append(es, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: audit log: %w", err)
	}
	return es, nil
}
