package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"strings"
)

// A device token marks a browser that has logged in to an account before
// (OWASP's "device cookie" against online guessing). Attempts at the
// account from such a browser are locked out per device rather than per
// address, and are not slowed by the account's name bucket, so an attacker
// hammering the name does not keep its owner out. The token is
// "<id>.<mac>": a random id and an HMAC of the id and the user name under
// the server secret, so it cannot be made or moved to another account.

// NewDeviceToken returns a fresh device token for the account name.
func NewDeviceToken(key []byte, name string) string {
	b := make([]byte, 12)
	rand.Read(b)
	id := base64.RawURLEncoding.EncodeToString(b)
	return id + "." + deviceMAC(key, name, id)
}

// DeviceID returns the id of a device token made for name under key, or
// false when tok is not one (another account's, forged, malformed).
func DeviceID(key []byte, name, tok string) (string, bool) {
	id, mac, ok := strings.Cut(tok, ".")
	if !ok || len(id) != 16 || len(key) == 0 {
		return "", false
	}
	if !hmac.Equal([]byte(mac), []byte(deviceMAC(key, name, id))) {
		return "", false
	}
	return id, true
}

func deviceMAC(key []byte, name, id string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("manyi-device\x00"))
	m.Write([]byte(name))
	m.Write([]byte{0})
	m.Write([]byte(id))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:18])
}
