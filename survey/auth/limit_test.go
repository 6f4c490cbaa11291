package auth

import (
	"testing"
	"time"
)

func TestLockoutFail(t *testing.T) {
	p := LockoutPolicy{MaxFailures: 5, LockFor: 15 * time.Minute}
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	var n int
	var until *time.Time
	for i := 1; i <= 4; i++ {
		n, until = p.Fail(n, until, now)
		if n != i || until != nil {
			t.Fatalf("after failure %d: count %d, locked %v; want %d, nil", i, n, until, i)
		}
	}
	n, until = p.Fail(n, until, now)
	if want := now.Add(15 * time.Minute); n != 5 || until == nil || !until.Equal(want) {
		t.Fatalf("after failure 5: count %d, locked until %v; want 5, %v", n, until, want)
	}
	if !Locked(until, now.Add(14*time.Minute)) {
		t.Errorf("Locked 14 minutes later = false, want true")
	}
	// A failure during the lock neither counts nor extends it.
	n2, until2 := p.Fail(n, until, now.Add(10*time.Minute))
	if n2 != 5 || !until2.Equal(*until) {
		t.Errorf("failure while locked: %d, %v; want 5, %v", n2, until2, until)
	}
	if Locked(until, now.Add(15*time.Minute)) {
		t.Errorf("Locked 15 minutes later = true, want false")
	}
	// After the lock ran out, counting starts again from one.
	n3, until3 := p.Fail(n, until, now.Add(16*time.Minute))
	if n3 != 1 || until3 != nil {
		t.Errorf("first failure after the lock: %d, %v; want 1, nil", n3, until3)
	}
}

func TestBucketRefill(t *testing.T) {
	b := Bucket{Key: "addr:x", Every: 10 * time.Second, Burst: 3}
	t0 := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		tokens float64
		after  time.Duration
		want   float64
	}{
		{"unknown bucket is full", -1, 0, 3},
		{"empty, no time", 0, 0, 0},
		{"empty, 5 s: half a token", 0, 5 * time.Second, 0.5},
		{"one, 20 s: three", 1, 20 * time.Second, 3},
		{"never above the burst", 2, time.Hour, 3},
		{"a clock going back adds nothing", 1, -time.Minute, 1},
	}
	for _, tt := range tests {
		if got := b.Refill(tt.tokens, t0, t0.Add(tt.after)); got != tt.want {
			t.Errorf("%s: Refill = %v, want %v", tt.name, got, tt.want)
		}
	}
	l := DefaultLimits
	if a, n := l.AddressBucket("203.0.113.7"), l.NameBucket("wang"); a.Key != "addr:203.0.113.7" || a.Burst != 10 || n.Key != "name:wang" || n.Burst != 5 {
		t.Errorf("buckets %+v %+v", a, n)
	}
}

func TestDeviceToken(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	tok := NewDeviceToken(key, "wang")
	id, ok := DeviceID(key, "wang", tok)
	if !ok || len(id) != 16 {
		t.Fatalf("DeviceID of a fresh token = %q, %v", id, ok)
	}
	if tok2 := NewDeviceToken(key, "wang"); tok2 == tok {
		t.Errorf("two device tokens are the same")
	}
	for name, bad := range map[string]struct{ key, user, tok string }{
		"another account":  {string(key), "li", tok},
		"another key":      {"another-key-0123456789", "wang", tok},
		"changed id":       {string(key), "wang", flip(tok)},
		"no mac":           {string(key), "wang", id},
		"empty":            {string(key), "wang", ""},
		"mac of something": {string(key), "wang", id + ".x"},
	} {
		if _, ok := DeviceID([]byte(bad.key), bad.user, bad.tok); ok {
			t.Errorf("%s: DeviceID accepted it", name)
		}
	}
}

// flip changes the first character of s.
func flip(s string) string {
	if s[0] == 'A' {
		return "B" + s[1:]
	}
	return "A" + s[1:]
}
