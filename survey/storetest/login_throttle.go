package storetest

import (
	"context"
	"testing"
	"time"

	"manyi/survey"
	"manyi/survey/auth"
)

func init() {
	register(test{"LoginBuckets", testLoginBuckets}, test{"LoginLocks", testLoginLocks})
}

// testLoginBuckets: a take needs a token in every bucket and takes none
// when one is empty; buckets refill with the store's clock; a second
// handle on the same file (another server) sees the same buckets.
func testLoginBuckets(t *testing.T, h *Harness) {
	db, c, ref := h.openAccounts(t)
	ctx := context.Background()
	other, err := h.reopen(t, ref)
	if err != nil {
		t.Fatal(err)
	}
	addr := auth.Bucket{Key: "addr:203.0.113.7", Every: 10 * time.Second, Burst: 3}
	name := auth.Bucket{Key: "name:wang", Every: time.Minute, Burst: 2}
	steps := []struct {
		name    string
		db      Store
		buckets []auth.Bucket
		advance time.Duration
		want    bool
	}{
		{"first", db, []auth.Bucket{addr, name}, 0, true},
		{"second, on the other server", other, []auth.Bucket{addr, name}, 0, true},
		{"name empty", db, []auth.Bucket{addr, name}, 0, false},
		{"the refusal took no address token", other, []auth.Bucket{addr}, 0, true},
		{"address empty now", db, []auth.Bucket{addr}, 0, false},
		{"10 s: one address token back, the name still empty", db, []auth.Bucket{addr, name}, 10 * time.Second, false},
		{"the address token is still there", other, []auth.Bucket{addr}, 0, true},
		{"a minute: the name has a token", db, []auth.Bucket{addr, name}, time.Minute, true},
	}
	for _, s := range steps {
		c.Add(s.advance)
		got, err := s.db.TakeLoginTokens(ctx, s.buckets)
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if got != s.want {
			t.Errorf("%s: TakeLoginTokens = %v, want %v", s.name, got, s.want)
		}
	}
	// Rows idle for an hour are swept by the next take.
	c.Add(2 * time.Hour)
	if ok, _ := db.TakeLoginTokens(ctx, []auth.Bucket{{Key: "addr:x", Every: time.Second, Burst: 1}}); !ok {
		t.Fatal("a new bucket refused")
	}
	if n := h.count(t, db, `SELECT count(*) FROM login_buckets`); n != 1 {
		t.Errorf("login_buckets rows after the sweep = %d, want 1", n)
	}
}

// testLoginLocks: five failures from one source lock that source only;
// the lock survives a reopen; a success clears only its own source;
// UnlockUser and SetPassword clear every source of the name.
func testLoginLocks(t *testing.T, h *Harness) {
	db, c, ref := h.openAccounts(t)
	ctx := context.Background()
	mustAccount(t, db, "wang", auth.RoleStatistician)
	p := auth.DefaultLockout
	attacker, office := auth.AddressSource("198.51.100.9"), auth.DeviceSource("dev-1")
	for i := 1; i <= 5; i++ {
		l, err := db.RecordLoginFailure(ctx, "wang", attacker, p)
		if err != nil {
			t.Fatal(err)
		}
		if locked := auth.Locked(l.LockedUntil, c.Now()); l.Failures != i || locked != (i == 5) {
			t.Fatalf("after failure %d: count %d, locked %v; want %d, %v", i, l.Failures, locked, i, i == 5)
		}
	}
	if _, err := db.RecordLoginFailure(ctx, "wang", office, p); err != nil {
		t.Fatal(err)
	}
	if l, _ := db.LoginLock(ctx, "wang", office); auth.Locked(l.LockedUntil, c.Now()) || l.Failures != 1 {
		t.Errorf("the office's device after the attack: %+v, want one failure, not locked", l)
	}
	// A restart does not unlock.
	db.Close()
	db2, err := h.reopen(t, ref)
	if err != nil {
		t.Fatal(err)
	}
	c.Add(14 * time.Minute)
	l, err := db2.LoginLock(ctx, "WANG", attacker)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 11, 27, 9, 15, 0, 0, time.UTC); l.LockedUntil == nil || !l.LockedUntil.Equal(want) || !auth.Locked(l.LockedUntil, c.Now()) {
		t.Fatalf("after reopen, 14 minutes on: locked until %v, want %v and locked", l.LockedUntil, want)
	}
	locks, err := db2.LoginLocks(ctx)
	if err != nil || len(locks) != 1 || locks[0].Source != attacker || locks[0].Name != "wang" {
		t.Errorf("LoginLocks = %+v, %v; want the attacker's lock only", locks, err)
	}
	if err := db2.RecordLoginSuccess(ctx, "wang", office); err != nil {
		t.Fatal(err)
	}
	if l, _ := db2.LoginLock(ctx, "wang", office); l.Failures != 0 {
		t.Errorf("the device after its success: %d failures, want 0", l.Failures)
	}
	if l, _ := db2.LoginLock(ctx, "wang", attacker); !auth.Locked(l.LockedUntil, c.Now()) {
		t.Errorf("a success from the device lifted the attacker's lock")
	}
	c.Add(time.Minute)
	if locks, _ := db2.LoginLocks(ctx); len(locks) != 0 {
		t.Errorf("15 minutes on: LoginLocks = %+v, want none", locks)
	}

	// UnlockUser clears every source and the name's bucket.
	for range 5 {
		db2.RecordLoginFailure(ctx, "wang", attacker, p)
	}
	nb := auth.DefaultLimits.NameBucket("wang")
	for mustTake(t, db2, nb) {
	}
	if err := db2.UnlockUser(ctx, "Wang"); err != nil {
		t.Fatal(err)
	}
	if l, _ := db2.LoginLock(ctx, "wang", attacker); l.Failures != 0 || l.LockedUntil != nil {
		t.Errorf("after UnlockUser: %+v, want no failures", l)
	}
	if !mustTake(t, db2, nb) {
		t.Errorf("after UnlockUser the name bucket is still empty")
	}
	if err := db2.UnlockUser(ctx, "ghost"); survey.ErrorCode(err) != survey.ENOTFOUND {
		t.Errorf("UnlockUser(ghost) = %v, want ENOTFOUND", err)
	}
	// SetPassword clears the locks too.
	for range 5 {
		db2.RecordLoginFailure(ctx, "wang", attacker, p)
	}
	if err := db2.SetPassword(ctx, "wang", cheapHash(t, "Another-pass-2026")); err != nil {
		t.Fatal(err)
	}
	if l, _ := db2.LoginLock(ctx, "wang", attacker); l.LockedUntil != nil {
		t.Errorf("after SetPassword: %+v, want unlocked", l)
	}
}

func mustTake(t *testing.T, db Store, b auth.Bucket) bool {
	t.Helper()
	ok, err := db.TakeLoginTokens(context.Background(), []auth.Bucket{b})
	if err != nil {
		t.Fatal(err)
	}
	return ok
}
