package secret

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"os"
	"strings"
)

// EnvKey is the environment variable holding the contact key: the standard
// base64 encoding of 32 random bytes (e.g. `openssl rand -base64 32`).
const EnvKey = "MANYI_CONTACT_KEY"

// prefix marks the format of a sealed value, so a later key rotation or
// algorithm can be told apart from this one.
const prefix = "v1:"

// ErrNoKey is returned by KeyFromEnv when the variable is unset or empty.
var ErrNoKey = errors.New("secret: " + EnvKey + " is not set; set it to the base64 of 32 random bytes (openssl rand -base64 32)")

// ErrOpen is returned by Open for a value that is not one this key sealed:
// malformed, truncated, tampered with, or sealed under another key.
var ErrOpen = errors.New("secret: cannot open sealed value: malformed, tampered with or sealed under another key")

// Key seals and opens contact details. It is safe for concurrent use.
type Key struct {
	aead cipher.AEAD
}

// KeyFromEnv reads the key from MANYI_CONTACT_KEY.
func KeyFromEnv() (*Key, error) {
	v := os.Getenv(EnvKey)
	if strings.TrimSpace(v) == "" {
		return nil, ErrNoKey
	}
	return ParseKey(v)
}

// ParseKey decodes a base64 key (standard or URL alphabet, padded or not)
// of exactly 32 bytes. The error never repeats the value.
func ParseKey(b64 string) (*Key, error) {
	s := strings.TrimSpace(b64)
	var raw []byte
	var err error
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if raw, err = enc.DecodeString(s); err == nil {
			break
		}
	}
	if err != nil {
		return nil, errors.New("secret: " + EnvKey + " is not valid base64; it must be the base64 of 32 random bytes")
	}
	if len(raw) != 32 {
		return nil, errors.New("secret: " + EnvKey + " must decode to 32 bytes (AES-256), got " + itoa(len(raw)))
	}
	return NewKey(raw)
}

// NewKey makes a Key from 32 raw bytes.
func NewKey(raw []byte) (*Key, error) {
	if len(raw) != 32 {
		return nil, errors.New("secret: key must be 32 bytes (AES-256), got " + itoa(len(raw)))
	}
	block, err := aes.NewCipher(raw)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Key{aead: aead}, nil
}

// GenerateKey returns a new random key in the form MANYI_CONTACT_KEY takes.
func GenerateKey() string {
	var b [32]byte
	rand.Read(b[:])
	return base64.StdEncoding.EncodeToString(b[:])
}

// Seal encrypts plaintext with a fresh random 96-bit nonce and returns
// "v1:" followed by the URL-safe base64 of nonce ‖ ciphertext ‖ tag. Two
// seals of the same value differ, so equal phone numbers cannot be spotted
// in the database.
func (k *Key) Seal(plaintext string) (string, error) {
	nonce := make([]byte, k.aead.NonceSize(), k.aead.NonceSize()+len(plaintext)+k.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return "", errors.New("secret: no randomness for a nonce")
	}
	out := k.aead.Seal(nonce, nonce, []byte(plaintext), []byte(prefix))
	return prefix + base64.RawURLEncoding.EncodeToString(out), nil
}

// Open decrypts a value made by Seal under the same key. Any other value
// (tampered, truncated, other key) gives ErrOpen.
func (k *Key) Open(sealed string) (string, error) {
	rest, ok := strings.CutPrefix(sealed, prefix)
	if !ok {
		return "", ErrOpen
	}
	b, err := base64.RawURLEncoding.DecodeString(rest)
	if err != nil || len(b) < k.aead.NonceSize()+k.aead.Overhead() {
		return "", ErrOpen
	}
	n := k.aead.NonceSize()
	pt, err := k.aead.Open(nil, b[:n], b[n:], []byte(prefix))
	if err != nil {
		return "", ErrOpen
	}
	return string(pt), nil
}

// String keeps the key out of logs and error messages.
func (k *Key) String() string { return "[redacted]" }

// GoString keeps the key out of %#v.
func (k *Key) GoString() string { return "secret.Key{[redacted]}" }

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}
