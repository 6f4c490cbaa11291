package auth

import (
	"strings"
	"testing"
)

// fast are cheap parameters for tests that hash many times; one test uses
// DefaultParams.
var fast = Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

func TestHashVerify(t *testing.T) {
	h, err := fast.Hash("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Errorf("hash = %q, want the PHC prefix $argon2id$v=19$m=64,t=1,p=1$", h)
	}
	tests := []struct {
		pw   string
		want bool
	}{
		{"correct horse battery", true},
		{"correct horse batterY", false},
		{"", false},
		{strings.Repeat("x", MaxPasswordLen+1), false},
	}
	for _, tt := range tests {
		got, err := VerifyPassword(h, tt.pw)
		if err != nil || got != tt.want {
			t.Errorf("VerifyPassword(h, %.20q) = %v, %v; want %v, nil", tt.pw, got, err, tt.want)
		}
	}
	h2, _ := fast.Hash("correct horse battery")
	if h == h2 {
		t.Errorf("two hashes of one password are equal; the salt is not random")
	}
}

// TestVerifyKnownVector checks against the output of the reference argon2
// CLI (P-H-C/phc-winner-argon2): echo -n password | argon2 somesalt -id -t 2 -m 16 -p 4 -l 32 -e.
func TestVerifyKnownVector(t *testing.T) {
	const h = "$argon2id$v=19$m=65536,t=2,p=4$c29tZXNhbHQ$GpZ3sK/oH9p7VIiV56G/64Zo/8GaUw434IimaPqxwCo"
	ok, err := VerifyPassword(h, "password")
	if err != nil || !ok {
		t.Errorf("VerifyPassword(reference vector, \"password\") = %v, %v; want true, nil", ok, err)
	}
}

func TestVerifyMalformed(t *testing.T) {
	for _, h := range []string{
		"",
		"plain",
		"$2a$10$abcdefghijklmnopqrstuv", // bcrypt
		"$argon2i$v=19$m=64,t=1,p=1$c29tZXNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", // argon2i
		"$argon2id$v=16$m=64,t=1,p=1$c29tZXNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=19$m=99999999,t=1,p=1$c29tZXNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", // 95 GiB
		"$argon2id$v=19$m=64,t=1,p=1$!!$aGFzaGhhc2hoYXNoaGFzaA",
	} {
		if ok, err := VerifyPassword(h, "password"); ok || err == nil {
			t.Errorf("VerifyPassword(%q) = %v, %v; want false and an error", h, ok, err)
		}
	}
}

func TestNeedsRehash(t *testing.T) {
	h, _ := fast.Hash("correct horse battery")
	if !NeedsRehash(h, DefaultParams) {
		t.Errorf("NeedsRehash(m=64 hash, DefaultParams) = false, want true")
	}
	if NeedsRehash(h, fast) {
		t.Errorf("NeedsRehash(h, its own params) = true, want false")
	}
}

func TestDefaultParams(t *testing.T) {
	h, err := HashPassword("Zhiliang-2026!")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=65536,t=2,p=2$") {
		t.Errorf("HashPassword = %q, want m=65536,t=2,p=2", h)
	}
	if ok, err := VerifyPassword(h, "Zhiliang-2026!"); !ok || err != nil {
		t.Errorf("VerifyPassword(default hash) = %v, %v; want true, nil", ok, err)
	}
}

func TestCheckPassword(t *testing.T) {
	tests := []struct {
		name, pw string
		wantErr  string // part of the English message, "" for none
	}{
		{"wang.li", "Zhiliang-2026!", ""},
		{"wang.li", "长城长江黄河泰山华山", ""}, // 10 characters, 30 bytes
		{"wang.li", "short1!", "at least 10 characters"},
		{"wang.li", "wang.li2026!!", "user name"},
		{"wang.li", "WANG.LI-abcdef", "user name"},
		{"abcdefghij", "jihgfedcba", "user name"},
		{"wang.li", "aaaaaaaaaaaa", "one character repeated"},
		{"wang.li", "1234567890", "too common"},
		{"wang.li", "Password123", "too common"},
		{"wang.li", "password1234!", "too common"},
		{"wang.li", "line\nbreak123", "control characters"},
		{"wang.li", strings.Repeat("ab", 200), "longer than"},
	}
	for _, tt := range tests {
		err := CheckPassword(tt.name, tt.pw)
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("CheckPassword(%q, %.20q) = %v, want nil", tt.name, tt.pw, err)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("CheckPassword(%q, %.20q) = %v, want an error containing %q", tt.name, tt.pw, err, tt.wantErr)
		}
	}
}

func TestNormalizeUserName(t *testing.T) {
	tests := []struct {
		in, want string
		wantErr  bool
	}{
		{"wang.li", "wang.li", false},
		{" Zhang_San ", "zhang_san", false},
		{"li-4", "li-4", false},
		{"ab", "", true},
		{strings.Repeat("a", 33), "", true},
		{"4li", "", true},
		{"王丽", "", true},
		{"wang li", "", true},
		{"a/b/c", "", true},
	}
	for _, tt := range tests {
		got, err := NormalizeUserName(tt.in)
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("NormalizeUserName(%q) = %q, %v; want %q, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

// BenchmarkHash measures one DefaultParams hash: the cost of a login.
func BenchmarkHash(b *testing.B) {
	for b.Loop() {
		if _, err := HashPassword("Zhiliang-2026!"); err != nil {
			b.Fatal(err)
		}
	}
}
