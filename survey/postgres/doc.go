// Package postgres is manyi's second store: the same interfaces as
// survey/sqlite (survey.Store, auth.Store, fieldwork.Store, workspace.Store
// and the rest the web layer and the commands use) on a PostgreSQL
// database, for several `manyi serve` processes sharing one database.
//
// The driver is github.com/jackc/pgx/v5 through its database/sql adapter
// (pgx/v5/stdlib): the SQL stays next to the method that runs it in the
// same database/sql idiom as survey/sqlite, so the two adapters read alike,
// while pgx caches each statement prepared per connection.
//
// Nothing that decides correctness lives in the process: there is no
// session or measurement cache. The only cache is of parsed questionnaire
// bodies keyed by their SHA-256, which can never be stale. Every exported
// write runs in its own transaction (read committed); the read-check-write
// ones take row locks (SELECT ... FOR UPDATE) on what they check — the
// invitation for a resident's save, submit and quota claim, the quota cell
// for its count, the user for the last-office rule — so that writes from
// several processes are serialised where they must be: a quota never goes
// over its target and an invitation never gets two responses. A
// transaction that fails with a serialization failure or a deadlock is
// run again.
//
// Migrations are the embedded files migrations/NNNN_name.sql, applied in
// order when the store opens, each in its own transaction under an
// advisory lock (so that servers starting at once apply each exactly
// once), and recorded in schema_migrations. A migration that has shipped
// is never edited: add the next one.
package postgres
