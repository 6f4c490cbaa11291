package secret

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func testKey(t *testing.T, fill byte) *Key {
	t.Helper()
	k, err := NewKey(bytes.Repeat([]byte{fill}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestRoundTrip(t *testing.T) {
	k := testKey(t, 7)
	for _, pt := range []string{"13800138000", "", "057188886666", "张三 13900000001"} {
		s, err := k.Seal(pt)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(s, pt) && pt != "" {
			t.Errorf("sealed %q contains the plaintext", s)
		}
		got, err := k.Open(s)
		if err != nil || got != pt {
			t.Errorf("Open(Seal(%q)): got %q, %v", pt, got, err)
		}
	}
	a, _ := k.Seal("13800138000")
	b, _ := k.Seal("13800138000")
	if a == b {
		t.Errorf("got the same sealed value twice, want a fresh nonce each time")
	}
}

func TestTamper(t *testing.T) {
	k := testKey(t, 7)
	s, _ := k.Seal("13800138000")
	raw, _ := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(s, prefix))
	cases := map[string]string{
		"no prefix":     strings.TrimPrefix(s, prefix),
		"other version": "v2:" + strings.TrimPrefix(s, prefix),
		"truncated":     s[:len(s)-4],
		"too short":     prefix + "AAAA",
		"not base64":    prefix + "!!!!",
		"empty":         "",
	}
	for i := range raw {
		bad := bytes.Clone(raw)
		bad[i] ^= 0x01
		cases[fmt.Sprintf("bit flipped in byte %d", i)] = prefix + base64.RawURLEncoding.EncodeToString(bad)
	}
	for name, v := range cases {
		if _, err := k.Open(v); !errors.Is(err, ErrOpen) {
			t.Errorf("%s: got %v, want ErrOpen", name, err)
		}
	}
	if _, err := testKey(t, 8).Open(s); !errors.Is(err, ErrOpen) {
		t.Errorf("other key: got %v, want ErrOpen", err)
	}
}

func TestKeyFromEnv(t *testing.T) {
	good := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{1}, 32))
	tests := []struct {
		name, val, want string
	}{
		{"unset", "", "is not set"},
		{"not base64", "***", "not valid base64"},
		{"short", base64.StdEncoding.EncodeToString([]byte("0123456789abcdef")), "got 16"},
		{"good", good, ""},
		{"good unpadded url", base64.RawURLEncoding.EncodeToString(bytes.Repeat([]byte{0xfb}, 32)), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(EnvKey, tt.val)
			k, err := KeyFromEnv()
			if tt.want == "" {
				if err != nil || k == nil {
					t.Fatalf("got %v, want a key", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), EnvKey) {
				t.Fatalf("got %v, want an error naming %s and containing %q", err, EnvKey, tt.want)
			}
			if tt.val != "" && strings.Contains(err.Error(), tt.val) {
				t.Errorf("error %q repeats the key", err)
			}
		})
	}
	// Sealed under the env key, opened under the same key parsed again.
	t.Setenv(EnvKey, good)
	k1, _ := KeyFromEnv()
	k2, _ := ParseKey(good)
	s, _ := k1.Seal("13800138000")
	if got, err := k2.Open(s); err != nil || got != "13800138000" {
		t.Errorf("got %q, %v", got, err)
	}
}

func TestKeyRedacted(t *testing.T) {
	k := testKey(t, 7)
	for _, f := range []string{"%v", "%s", "%+v", "%#v"} {
		if got := fmt.Sprintf(f, k); !strings.Contains(got, "redacted") {
			t.Errorf("%s: got %q, want it redacted", f, got)
		}
	}
	g, err := ParseKey(GenerateKey())
	if err != nil || g == nil {
		t.Errorf("GenerateKey: got %v", err)
	}
	if _, err := NewKey(make([]byte, 16)); err == nil {
		t.Errorf("NewKey(16 bytes): got no error")
	}
}
