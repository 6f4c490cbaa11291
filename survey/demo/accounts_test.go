package demo

import (
	"context"
	"path/filepath"
	"testing"

	"manyi/survey/auth"
	"manyi/survey/sqlite"
)

func TestEnsureAccounts(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, a := range Accounts {
		if err := auth.CheckPassword(a.Name, a.Password); err != nil {
			t.Errorf("demo password of %s is refused by the policy: %v", a.Name, err)
		}
	}
	got, err := EnsureAccounts(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(Accounts) {
		t.Fatalf("created %d accounts, want %d", len(got), len(Accounts))
	}
	for _, a := range Accounts {
		u, err := db.UserByName(ctx, a.Name)
		if err != nil {
			t.Fatalf("user %s: %v", a.Name, err)
		}
		if u.Role != a.Role {
			t.Errorf("user %s: role %s, want %s", a.Name, u.Role, a.Role)
		}
		if ok, err := auth.VerifyPassword(u.PasswordHash, a.Password); err != nil || !ok {
			t.Errorf("user %s: demo password does not verify (%v)", a.Name, err)
		}
	}
	again, err := EnsureAccounts(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if len(again) != 0 {
		t.Errorf("second call created %d accounts, want none", len(again))
	}
}
