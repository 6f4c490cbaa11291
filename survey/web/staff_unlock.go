package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v5"

	"manyi/survey/auth"
)

// securityRoutes are the staff routes of issue 13's hardening.
func (st *staff) securityRoutes() []staffRoute {
	return []staffRoute{
		{http.MethodPost, "/app/users/:name/unlock", false, auth.PermManageUsers, st.handleUserUnlock},
	}
}

// lockSummary is what the users page says of an account's lock-outs: how
// many sources (addresses or devices) are locked out, and until when the
// last of them is.
type lockSummary struct {
	Sources int
	Until   time.Time
}

// loginLocks returns the lock-outs in force, by lower-case user name.
func (st *staff) loginLocks(c *echo.Context) (map[string]lockSummary, error) {
	ls, err := st.accounts.LoginLocks(c.Request().Context())
	if err != nil {
		return nil, err
	}
	out := map[string]lockSummary{}
	for _, l := range ls {
		k := strings.ToLower(l.Name)
		s := out[k]
		s.Sources++
		if l.LockedUntil != nil && l.LockedUntil.After(s.Until) {
			s.Until = *l.LockedUntil
		}
		out[k] = s
	}
	return out, nil
}

// handleUserUnlock handles POST /app/users/:name/unlock: the office lifts
// every lock-out of the account (from any address or device) and resets
// the slow-down on its name; audited.
func (st *staff) handleUserUnlock(c *echo.Context) error {
	v := usersPage{FormFor: c.Param("name")}
	name, err := st.targetUser(c, false)
	if err != nil {
		return st.usersFail(c, v, err)
	}
	locks, err := st.loginLocks(c)
	if err != nil {
		return err
	}
	if err := st.accounts.UnlockUser(c.Request().Context(), name); err != nil {
		return st.usersFail(c, v, err)
	}
	if err := st.audit(c, staffSession(c).User.Name, auth.ActionUserUnlock, name, map[string]any{"sources": locks[name].Sources}); err != nil {
		return err
	}
	return usersDone(c, "unlocked", name)
}
