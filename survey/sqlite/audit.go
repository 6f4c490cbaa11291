package sqlite

import (
	"context"
	"database/sql"

	"manyi/survey/auth"
	"manyi/survey/internal/storekit"
)

// Audit appends e to the audit log. At defaults to the store's clock. The
// entry goes through the writer like any write, so it is on disk when Audit
// returns: an export is logged before its file is sent.
func (db *DB) Audit(ctx context.Context, e auth.AuditEntry) error {
	detail, err := storekit.PrepareAudit(dialect, &e, db.now())
	if err != nil {
		return err
	}
	return db.write(ctx, func(tx *sql.Tx) error {
		return storekit.InsertAudit(bg, dialect, tx, e.At, e.User, e.Action, e.Target, detail, e.IP)
	})
}

// AuditLog returns the entries matching f, newest first.
func (db *DB) AuditLog(ctx context.Context, f auth.AuditFilter) ([]auth.AuditEntry, error) {
	return storekit.AuditLog(ctx, dialect, db.rdb, f)
}
