// Package auth is the staff side's security policy, with no database and no
// HTTP: the roles and the one table of what each role may do (Can), password
// rules and argon2id hashing, session and CSRF tokens, the login rate limiter
// and the lock-out policy, and the types and Store interface of accounts,
// sessions and the audit log.
//
// Adapters implement or use it: survey/sqlite implements Store (the login
// limiter's buckets and the lock-outs live in the database, through
// LoginThrottle, so that a restart does not reset them and several servers
// share them), survey/web checks Can on every staff route, and cmd/manyi
// creates accounts. Keeping the policy here means the web pages, the command
// line and the tests all read the same table.
package auth
