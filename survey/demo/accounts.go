package demo

import (
	"context"
	"fmt"

	"manyi/survey/auth"
)

// Account is a demo staff account and its published password.
type Account struct {
	Name     string
	Role     auth.Role
	Password string
}

// Accounts are the demo's staff accounts, one per role. Their passwords are
// printed by `manyi serve --demo`: they exist so that a newcomer can log in
// at once, and are only ever created on a database that has no accounts.
var Accounts = []Account{
	{Name: "office", Role: auth.RoleOffice, Password: "manyi-demo-2026"},
	{Name: "stat", Role: auth.RoleStatistician, Password: "manyi-demo-2026"},
	{Name: "ivw", Role: auth.RoleInterviewer, Password: "manyi-demo-2026"},
}

// AccountStore is what EnsureAccounts needs of the store.
type AccountStore interface {
	Users(ctx context.Context) ([]*auth.User, error)
	CreateUser(ctx context.Context, name string, role auth.Role, passwordHash string) (*auth.User, error)
}

// EnsureAccounts creates the demo accounts when the database has no staff
// account at all, and returns the ones it created (none otherwise, so a
// real deployment that ran --demo once never gets demo passwords back).
func EnsureAccounts(ctx context.Context, st AccountStore) ([]Account, error) {
	us, err := st.Users(ctx)
	if err != nil {
		return nil, err
	}
	if len(us) > 0 {
		return nil, nil
	}
	for _, a := range Accounts {
		h, err := auth.HashPassword(a.Password)
		if err != nil {
			return nil, fmt.Errorf("demo account %s: %w", a.Name, err)
		}
		if _, err := st.CreateUser(ctx, a.Name, a.Role, h); err != nil {
			return nil, fmt.Errorf("demo account %s: %w", a.Name, err)
		}
	}
	return Accounts, nil
}
