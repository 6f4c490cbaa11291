package auth

import (
	"testing"
	"time"

	"golang.org/x/time/rate"
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

func TestLimiter(t *testing.T) {
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	l := NewLimiter(LimiterConfig{
		PerIP: rate.Every(10 * time.Second), IPBurst: 3,
		PerAccount: rate.Every(time.Minute), AccBurst: 2,
		MaxKeys: 2, Forget: time.Hour,
	})
	l.Now = func() time.Time { return now }
	steps := []struct {
		name     string
		ip, user string
		advance  time.Duration
		want     bool
	}{
		{"first", "10.0.0.1", "wang", 0, true},
		{"second on the name", "10.0.0.1", "wang", 0, true},
		{"name bucket empty", "10.0.0.2", "wang", 0, false},
		{"other name, same ip", "10.0.0.1", "li", 0, true},
		{"ip bucket empty", "10.0.0.1", "zhao", 0, false},
		{"refusals took nothing: ip refills in 10s", "10.0.0.1", "zhao", 10 * time.Second, true},
		{"name refills in a minute", "10.0.0.3", "wang", time.Minute, true},
	}
	for _, s := range steps {
		now = now.Add(s.advance)
		if got := l.Allow(s.ip, s.user); got != s.want {
			t.Errorf("%s: Allow(%s, %s) = %v, want %v", s.name, s.ip, s.user, got, s.want)
		}
	}
	// Over MaxKeys, idle buckets are forgotten.
	now = now.Add(2 * time.Hour)
	l.Allow("10.0.0.9", "new")
	if got := len(l.buckets); got != 2 {
		t.Errorf("buckets after sweep = %d, want 2", got)
	}
}
