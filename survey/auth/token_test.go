package auth

import (
	"bytes"
	"testing"
	"time"
)

func TestSessionToken(t *testing.T) {
	tok, h := NewSessionToken()
	if !WellFormedSessionToken(tok) {
		t.Errorf("WellFormedSessionToken(new token) = false, want true")
	}
	if len(tok) != 43 {
		t.Errorf("len(token) = %d, want 43 (32 bytes in base64url)", len(tok))
	}
	if !bytes.Equal(h, SessionTokenHash(tok)) {
		t.Errorf("hash returned differs from SessionTokenHash(token)")
	}
	tok2, _ := NewSessionToken()
	if tok == tok2 {
		t.Errorf("two new tokens are equal")
	}
	for _, bad := range []string{"", "short", tok + "A", tok[:42] + "*"} {
		if WellFormedSessionToken(bad) {
			t.Errorf("WellFormedSessionToken(%q) = true, want false", bad)
		}
	}
}

func TestCSRF(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	other := []byte("fedcba9876543210fedcba9876543210")
	tok := CSRFToken(key, "session-a")
	tests := []struct {
		name    string
		key     []byte
		binding string
		got     string
		want    bool
	}{
		{"right", key, "session-a", tok, true},
		{"other session", key, "session-b", tok, false},
		{"other key", other, "session-a", tok, false},
		{"empty token", key, "session-a", "", false},
		{"empty key", nil, "session-a", CSRFToken(nil, "session-a"), false},
		{"truncated", key, "session-a", tok[:len(tok)-1], false},
	}
	for _, tt := range tests {
		if got := CheckCSRF(tt.key, tt.binding, tt.got); got != tt.want {
			t.Errorf("%s: CheckCSRF = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestSessionExpiry(t *testing.T) {
	p := SessionPolicy{Idle: 2 * time.Hour, Max: 12 * time.Hour}
	t0 := time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)
	tests := []struct {
		seen, want time.Time
	}{
		{t0, t0.Add(2 * time.Hour)},
		{t0.Add(5 * time.Hour), t0.Add(7 * time.Hour)},
		{t0.Add(11 * time.Hour), t0.Add(12 * time.Hour)}, // capped by Max
	}
	for _, tt := range tests {
		if got := p.Expiry(t0, tt.seen); !got.Equal(tt.want) {
			t.Errorf("Expiry(t0, %v) = %v, want %v", tt.seen, got, tt.want)
		}
	}
}
