package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"time"
)

// SessionTokenBytes is a session token's entropy: 256 bits.
const SessionTokenBytes = 32

// sessionTokenLen is the token's text length (unpadded base64url).
var sessionTokenLen = base64.RawURLEncoding.EncodedLen(SessionTokenBytes)

// NewSessionToken returns a fresh session token for the cookie and its
// SHA-256, the only form the store keeps: a copy of the database does not
// let anyone take over a session.
func NewSessionToken() (token string, hash []byte) {
	b := make([]byte, SessionTokenBytes)
	rand.Read(b) // never fails on Linux; a failure crashes the program by design
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, SessionTokenHash(token)
}

// SessionTokenHash returns the stored form of a session token.
func SessionTokenHash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// WellFormedSessionToken reports whether token could be one NewSessionToken
// made, so that junk cookies never reach the database.
func WellFormedSessionToken(token string) bool {
	if len(token) != sessionTokenLen {
		return false
	}
	_, err := base64.RawURLEncoding.Strict().DecodeString(token)
	return err == nil
}

// NewCSRFSecret returns a session's CSRF secret (32 random bytes), stored
// with the session on the server and never sent to the browser as such.
func NewCSRFSecret() []byte {
	b := make([]byte, 32)
	rand.Read(b)
	return b
}

// CSRFToken is a synchronizer token: HMAC-SHA256 keyed with a secret kept on
// the server (a session's CSRF secret, or the server secret for the login
// form) over binding, the thing the form belongs to (the session's hash, or
// the pre-login cookie). A token from one session is worthless in another,
// and the browser never learns the key.
func CSRFToken(key []byte, binding string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("manyi-csrf\x00"))
	m.Write([]byte(binding))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// CheckCSRF reports whether got is CSRFToken(key, binding), in constant
// time. An empty key or token never matches.
func CheckCSRF(key []byte, binding, got string) bool {
	if len(key) == 0 || got == "" {
		return false
	}
	return hmac.Equal([]byte(CSRFToken(key, binding)), []byte(got))
}

// SessionPolicy bounds a session's life. A session ends Idle after its last
// request, and at the latest Max after the login, whatever the activity, so
// that a forgotten browser on a shared office PC does not stay logged in.
type SessionPolicy struct {
	Idle time.Duration
	Max  time.Duration
	// Touch is how stale LastSeen may get before a request writes it again:
	// sliding the expiry on every request would make every page view a write.
	Touch time.Duration
}

// DefaultSessionPolicy: a working day at most, two idle hours.
var DefaultSessionPolicy = SessionPolicy{Idle: 2 * time.Hour, Max: 12 * time.Hour, Touch: time.Minute}

// Expiry returns when a session created at created and last seen at seen
// ends: seen+Idle, but never after created+Max.
func (p SessionPolicy) Expiry(created, seen time.Time) time.Time {
	e := seen.Add(p.Idle)
	if m := created.Add(p.Max); e.After(m) {
		e = m
	}
	return e
}
