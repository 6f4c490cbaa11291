// Package sqlite is manyi's store: survey.Store on an SQLite file through
// modernc.org/sqlite (pure Go, no cgo).
//
// The file runs in WAL mode with synchronous=FULL, so a page that was
// acknowledged to a resident survives a killed process and a power loss.
// FULL costs one fsync per commit; to keep hundreds of residents per second
// fast, every write goes to one writer goroutine that commits the writes
// queued while the previous commit was syncing in a single transaction
// (group commit), each write in its own savepoint so that one failing write
// does not undo the others. Reads use a separate pool of read-only
// connections and never wait for the writer.
//
// One server process per file: the session cache (sessionCache) keeps
// the sessions this process last wrote and is coherent only while one
// process writes residents' responses. Commands may run beside the server
// (they write measurements, invitations and settings, which OpenSession
// checks apart); a second server may not (docs/DEPLOY.md: several servers
// share a PostgreSQL database instead). Backup copies a live file.
//
// Migrations are the embedded files migrations/NNNN_name.sql, applied in
// order, each in its own transaction, and recorded in schema_migrations.
// A migration that has shipped is never edited: add the next one.
package sqlite
