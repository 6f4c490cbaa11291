package storetest

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"manyi/survey"
	"manyi/survey/auth"
)

func init() {
	register(test{"CreateUser", testCreateUser}, test{"UserChanges", testUserChanges},
		test{"Sessions", testSessions}, test{"AuditLog", testAuditLog}, test{"LastOfficeConcurrent", testLastOfficeConcurrent})
}

func testCreateUser(t *testing.T, h *Harness) {
	db, _, _ := h.openAccounts(t)
	ctx := context.Background()
	u := mustAccount(t, db, "Wang.Li", auth.RoleStatistician)
	if u.Name != "wang.li" || u.ID == 0 {
		t.Errorf("CreateUser: got name %q id %d, want wang.li and an id", u.Name, u.ID)
	}
	tests := []struct {
		name string
		role auth.Role
		hash string
		code string
	}{
		{"WANG.LI", auth.RoleOffice, "h", survey.ECONFLICT},
		{"x", auth.RoleOffice, "h", survey.EINVALID},
		{"zhao", "root", "h", survey.EINVALID},
		{"zhao", auth.RoleOffice, "", survey.EINVALID},
	}
	for _, tt := range tests {
		_, err := db.CreateUser(ctx, tt.name, tt.role, tt.hash)
		if got := survey.ErrorCode(err); got != tt.code {
			t.Errorf("CreateUser(%q, %q): code %q (%v), want %q", tt.name, tt.role, got, err, tt.code)
		}
	}
	got, err := db.UserByName(ctx, "WANG.li")
	if err != nil || got.ID != u.ID || got.Role != auth.RoleStatistician || !got.CreatedAt.Equal(u.CreatedAt) {
		t.Errorf("UserByName(WANG.li) = %+v, %v; want %+v", got, err, u)
	}
	if _, err := db.UserByName(ctx, "nobody"); survey.ErrorCode(err) != survey.ENOTFOUND {
		t.Errorf("UserByName(nobody): %v, want ENOTFOUND", err)
	}
}

func testUserChanges(t *testing.T, h *Harness) {
	db, _, _ := h.openAccounts(t)
	ctx := context.Background()
	boss := mustAccount(t, db, "boss", auth.RoleOffice)
	mustAccount(t, db, "stat", auth.RoleStatistician)
	mustAccount(t, db, "ivw", auth.RoleInterviewer)

	// The last office account can be neither demoted nor disabled.
	if err := db.SetRole(ctx, "boss", auth.RoleStatistician); survey.ErrorCode(err) != survey.ECONFLICT {
		t.Errorf("SetRole(last office): %v, want ECONFLICT", err)
	}
	if err := db.DisableUser(ctx, "boss"); survey.ErrorCode(err) != survey.ECONFLICT {
		t.Errorf("DisableUser(last office): %v, want ECONFLICT", err)
	}
	if err := db.SetRole(ctx, "stat", auth.RoleOffice); err != nil {
		t.Fatalf("SetRole(stat, office): %v", err)
	}
	if err := db.SetRole(ctx, "boss", auth.RoleStatistician); err != nil {
		t.Errorf("SetRole(boss) with another office account: %v", err)
	}
	if err := db.SetRole(ctx, "nobody", auth.RoleOffice); survey.ErrorCode(err) != survey.ENOTFOUND {
		t.Errorf("SetRole(nobody): %v, want ENOTFOUND", err)
	}

	// Disabling ends the sessions and hides the account from logins.
	tok, _, err := db.CreateSession(ctx, boss.ID, auth.DefaultSessionPolicy)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.DisableUser(ctx, "boss"); err != nil {
		t.Fatalf("DisableUser(boss): %v", err)
	}
	if err := db.DisableUser(ctx, "boss"); err != nil {
		t.Errorf("DisableUser twice: %v, want nil", err)
	}
	if _, err := db.SessionByToken(ctx, tok, auth.DefaultSessionPolicy); survey.ErrorCode(err) != survey.ENOTFOUND {
		t.Errorf("session of a disabled user: %v, want ENOTFOUND", err)
	}
	if _, _, err := db.CreateSession(ctx, boss.ID, auth.DefaultSessionPolicy); survey.ErrorCode(err) != survey.EFORBIDDEN {
		t.Errorf("CreateSession(disabled): %v, want EFORBIDDEN", err)
	}

	us, err := db.Users(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, u := range us {
		names = append(names, u.Name+":"+string(u.Role))
	}
	if got, want := strings.Join(names, " "), "ivw:interviewer stat:office boss:statistician"; got != want {
		t.Errorf("Users = %s, want %s (active first, by name)", got, want)
	}
}

func testSessions(t *testing.T, h *Harness) {
	db, c, _ := h.openAccounts(t)
	ctx := context.Background()
	u := mustAccount(t, db, "stat", auth.RoleStatistician)
	p := auth.SessionPolicy{Idle: 2 * time.Hour, Max: 12 * time.Hour, Touch: time.Minute}
	tok, s, err := db.CreateSession(ctx, u.ID, p)
	if err != nil {
		t.Fatal(err)
	}
	if !auth.WellFormedSessionToken(tok) || len(s.CSRFSecret) != 32 || s.User.Name != "stat" {
		t.Fatalf("CreateSession: token well formed %v, csrf %d bytes, user %v", auth.WellFormedSessionToken(tok), len(s.CSRFSecret), s.User)
	}
	// The token itself is not stored, only its hash.
	// The token itself is not stored, only its hash: no session row
	// holds the token's text.
	for _, r := range h.Rows(t, db, `SELECT * FROM sessions`) {
		if strings.Contains(r, tok) {
			t.Errorf("a session row holds the raw token; want only its hash")
		}
	}

	steps := []struct {
		name     string
		advance  time.Duration
		wantOK   bool
		wantSeen time.Duration // since login, when wantOK
	}{
		{"at once", 0, true, 0},
		{"within Touch: no write", 30 * time.Second, true, 0},
		{"90 minutes: slides", 90 * time.Minute, true, 90*time.Minute + 30*time.Second},
		{"another 110 minutes: still alive thanks to the slide", 110 * time.Minute, true, 200*time.Minute + 30*time.Second},
		{"121 idle minutes: gone", 121 * time.Minute, false, 0},
	}
	start := c.Now()
	for _, st := range steps {
		c.Add(st.advance)
		got, err := db.SessionByToken(ctx, tok, p)
		if (err == nil) != st.wantOK {
			t.Fatalf("%s: SessionByToken error %v, want ok %v", st.name, err, st.wantOK)
		}
		if err != nil {
			if survey.ErrorCode(err) != survey.ENOTFOUND {
				t.Errorf("%s: code %q, want ENOTFOUND", st.name, survey.ErrorCode(err))
			}
			continue
		}
		if want := start.Add(st.wantSeen); !got.LastSeen.Equal(want) {
			t.Errorf("%s: LastSeen %v, want %v", st.name, got.LastSeen, want)
		}
		if got.ID != s.ID || string(got.CSRFSecret) != string(s.CSRFSecret) {
			t.Errorf("%s: session id or CSRF secret changed", st.name)
		}
	}

	// Max caps the slide: a busy session ends 12 hours after login.
	tok2, _, _ := db.CreateSession(ctx, u.ID, p)
	for range 12 {
		c.Add(59 * time.Minute)
		if _, err := db.SessionByToken(ctx, tok2, p); err != nil {
			t.Fatalf("busy session ended early: %v", err)
		}
	}
	c.Add(13 * time.Minute) // 12h01 after login
	if _, err := db.SessionByToken(ctx, tok2, p); survey.ErrorCode(err) != survey.ENOTFOUND {
		t.Errorf("session 12h01 after login: %v, want ENOTFOUND", err)
	}

	// Logout and log out everywhere.
	a, _, _ := db.CreateSession(ctx, u.ID, p)
	b, _, _ := db.CreateSession(ctx, u.ID, p)
	if err := db.DeleteSession(ctx, a); err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteSession(ctx, a); err != nil {
		t.Errorf("DeleteSession twice: %v, want nil", err)
	}
	if _, err := db.SessionByToken(ctx, a, p); err == nil {
		t.Errorf("session after logout still valid")
	}
	if _, err := db.SessionByToken(ctx, b, p); err != nil {
		t.Errorf("other session after one logout: %v", err)
	}
	if err := db.DeleteUserSessions(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SessionByToken(ctx, b, p); err == nil {
		t.Errorf("session after DeleteUserSessions still valid")
	}
	for _, bad := range []string{"", "x", strings.Repeat("A", 43)} {
		if _, err := db.SessionByToken(ctx, bad, p); survey.ErrorCode(err) != survey.ENOTFOUND {
			t.Errorf("SessionByToken(%q): %v, want ENOTFOUND", bad, err)
		}
	}
	// SetRole ends sessions so that a demoted user loses rights at once.
	d, _, _ := db.CreateSession(ctx, u.ID, p)
	if err := db.SetRole(ctx, "stat", auth.RoleInterviewer); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SessionByToken(ctx, d, p); err == nil {
		t.Errorf("session after SetRole still valid")
	}
}

func testAuditLog(t *testing.T, h *Harness) {
	db, c, _ := h.openAccounts(t)
	ctx := context.Background()
	entries := []auth.AuditEntry{
		{User: "boss", Action: auth.ActionUserCreate, Target: "wang", Detail: map[string]any{"role": "statistician"}, IP: "10.0.0.1"},
		{User: "wang", Action: auth.ActionLogin, IP: "10.0.0.2"},
		{User: "wang", Action: auth.ActionExport, Target: "demo-2026", Detail: map[string]any{"format": "csv", "rows": 2000}},
		{User: "wang", Action: auth.ActionWeightingSave, Target: "demo-2026", Detail: map[string]any{"version": 3}},
		{User: "", Action: auth.ActionLoginFailed, IP: "10.0.0.9"},
	}
	for _, e := range entries {
		c.Add(time.Minute)
		if err := db.Audit(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Audit(ctx, auth.AuditEntry{User: "x"}); survey.ErrorCode(err) != survey.EINVALID {
		t.Errorf("Audit without action: %v, want EINVALID", err)
	}
	t0 := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		f    auth.AuditFilter
		want []string // actions, newest first
	}{
		{"all", auth.AuditFilter{}, []string{"login.failed", "weighting.save", "export", "login", "user.create"}},
		{"user", auth.AuditFilter{User: "wang"}, []string{"weighting.save", "export", "login"}},
		{"action", auth.AuditFilter{Action: auth.ActionExport}, []string{"export"}},
		{"target", auth.AuditFilter{Target: "demo-2026"}, []string{"weighting.save", "export"}},
		{"since", auth.AuditFilter{Since: t0.Add(4 * time.Minute)}, []string{"login.failed", "weighting.save"}},
		{"until", auth.AuditFilter{Until: t0.Add(2 * time.Minute)}, []string{"user.create"}},
		{"limit", auth.AuditFilter{Limit: 2}, []string{"login.failed", "weighting.save"}},
		{"page", auth.AuditFilter{BeforeID: 4, Limit: 2}, []string{"export", "login"}},
	}
	for _, tt := range tests {
		es, err := db.AuditLog(ctx, tt.f)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		var got []string
		for _, e := range es {
			got = append(got, e.Action)
		}
		if strings.Join(got, ",") != strings.Join(tt.want, ",") {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
	es, _ := db.AuditLog(ctx, auth.AuditFilter{Action: auth.ActionExport})
	e := es[0]
	if e.User != "wang" || e.Target != "demo-2026" || e.Detail["format"] != "csv" || e.Detail["rows"] != float64(2000) || !e.At.Equal(t0.Add(3*time.Minute)) {
		t.Errorf("export entry = %+v", e)
	}
	// The log is append-only.
	err := h.Exec(db, `UPDATE audit_log SET user_name = 'someone' WHERE id = 1`)
	if err == nil || !strings.Contains(err.Error(), "append-only") {
		t.Errorf("UPDATE audit_log: %v, want the append-only refusal", err)
	}
	err = h.Exec(db, `DELETE FROM audit_log`)
	if err == nil || !strings.Contains(err.Error(), "append-only") {
		t.Errorf("DELETE FROM audit_log: %v, want the append-only refusal", err)
	}
}

// testLastOfficeConcurrent: two office accounts disabling each other at
// once must leave one of them, because the check and the write share one
// transaction (SQLite's writer; PostgreSQL's row locks).
func testLastOfficeConcurrent(t *testing.T, h *Harness) {
	db, _, _ := h.openAccounts(t)
	ctx := context.Background()
	mustAccount(t, db, "office.a", auth.RoleOffice)
	mustAccount(t, db, "office.b", auth.RoleOffice)
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, n := range []string{"office.a", "office.b"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = db.DisableUser(ctx, n)
		}()
	}
	wg.Wait()
	failed := 0
	for _, err := range errs {
		if survey.ErrorCode(err) == survey.ECONFLICT {
			failed++
		} else if err != nil {
			t.Errorf("DisableUser: %v", err)
		}
	}
	if failed != 1 {
		t.Errorf("%d of two concurrent disables were refused, want exactly 1", failed)
	}
}

// cheapHash is a real (cheap) argon2id hash: the store does not care about the
// parameters, and the default ones would make this test slow.
func cheapHash(t *testing.T, pw string) string {
	t.Helper()
	h, err := auth.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}.Hash(pw)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func mustAccount(t *testing.T, db Store, name string, role auth.Role) *auth.User {
	t.Helper()
	u, err := db.CreateUser(context.Background(), name, role, cheapHash(t, "Zhiliang-2026!"))
	if err != nil {
		t.Fatalf("CreateUser(%s): %v", name, err)
	}
	return u
}
