package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"manyi/survey/auth"
	"manyi/survey/sqlite"
)

// runUserCmd runs `manyi user ARGS` in-process with pw on standard input.
func runUserCmd(t *testing.T, pw string, args ...string) (code int, out, errs string) {
	t.Helper()
	old := stdin
	stdin = strings.NewReader(pw)
	defer func() { stdin = old }()
	var o, e bytes.Buffer
	code = run(append([]string{"user"}, args...), &o, &e)
	return code, o.String(), e.String()
}

func TestUserCommand(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "manyi.db")
	pwFile := filepath.Join(dir, "pw")
	if err := os.WriteFile(pwFile, []byte("Tongji-Chu-2026\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	const secret = "Zhiliang-2026!"
	steps := []struct {
		name     string
		stdin    string
		args     []string
		wantCode int
		wantOut  string // part of stdout
		wantErr  string // part of stderr
	}{
		{"add office", secret + "\n", []string{"add", "--role", "office", "Boss", "--db", db}, 0, "created user boss (office)", ""},
		{"add from file", "", []string{"add", "--db", db, "--role", "statistician", "--password-file", pwFile, "wang.li"}, 0, "created user wang.li (statistician)", ""},
		{"duplicate", secret, []string{"add", "--role", "interviewer", "WANG.LI", "--db", db}, 1, "", "already taken"},
		{"short password", "short\n", []string{"add", "--role", "interviewer", "zhao", "--db", db}, 1, "", "at least 10 characters"},
		{"password with the name", "zhao-2026-abc\n", []string{"add", "--role", "interviewer", "zhao", "--db", db}, 1, "", "must not contain the user name"},
		{"no password", "", []string{"add", "--role", "interviewer", "zhao", "--db", db}, 1, "", "no password was read"},
		{"bad role", secret, []string{"add", "--role", "admin", "zhao", "--db", db}, 1, "", "role \"admin\" is not valid"},
		{"bad name", secret, []string{"add", "--role", "office", "王丽", "--db", db}, 1, "", "must start with a letter"},
		{"bad name chars", secret, []string{"add", "--role", "office", "wang li", "--db", db}, 1, "", "may contain only letters"},
		{"no name", secret, []string{"add", "--role", "office", "--db", db}, 2, "", "exactly one user name"},
		{"interviewer", "Fangyuan-0001\r\n", []string{"add", "--role", "interviewer", "zhao", "--db", db}, 0, "created user zhao (interviewer)", ""},
		{"role", "", []string{"role", "zhao", "--role", "statistician", "--db", db}, 0, "zhao is now statistician", ""},
		{"disable last office", "", []string{"disable", "boss", "--db", db}, 1, "", "last active office account"},
		{"disable", "", []string{"disable", "zhao", "--db", db}, 0, "disabled zhao", ""},
		{"passwd", "Another-pass-2026\n", []string{"passwd", "wang.li", "--db", db}, 0, "password of wang.li changed", ""},
		{"passwd unknown", "Another-pass-2026\n", []string{"passwd", "nobody", "--db", db}, 1, "", "there is no user nobody"},
		{"unlock", "", []string{"unlock", "wang.li", "--db", db}, 0, "lifted every login lock-out of wang.li", ""},
		{"unlock unknown", "", []string{"unlock", "nobody", "--db", db}, 1, "", "there is no user nobody"},
		{"unknown subcommand", "", []string{"remove", "zhao"}, 2, "", "unknown subcommand"},
	}
	for _, s := range steps {
		code, out, errs := runUserCmd(t, s.stdin, s.args...)
		if code != s.wantCode || !strings.Contains(out, s.wantOut) || !strings.Contains(errs, s.wantErr) {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit %d, stdout with %q, stderr with %q",
				s.name, code, out, errs, s.wantCode, s.wantOut, s.wantErr)
		}
		// Nothing secret is ever printed.
		for _, pw := range []string{secret, "Tongji-Chu-2026", "Another-pass-2026", "Fangyuan-0001", "$argon2id"} {
			if strings.Contains(out+errs, pw) {
				t.Errorf("%s: output contains a password or hash", s.name)
			}
		}
	}

	code, out, _ := runUserCmd(t, "", "list", "--db", db)
	if code != 0 {
		t.Fatalf("list: exit %d", code)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	want := []string{"NAME ROLE STATUS CREATED", "boss office active", "wang.li statistician active", "zhao statistician disabled"}
	if len(lines) != len(want) {
		t.Fatalf("list printed %d lines, want %d:\n%s", len(lines), len(want), out)
	}
	for i, w := range want {
		if got := strings.Join(strings.Fields(lines[i]), " "); !strings.HasPrefix(got, w) {
			t.Errorf("list line %d = %q, want it to start with %q", i, got, w)
		}
	}

	st, err := sqlite.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	u, err := st.UserByName(ctx, "wang.li")
	if err != nil {
		t.Fatal(err)
	}
	if ok, _ := auth.VerifyPassword(u.PasswordHash, "Another-pass-2026"); !ok {
		t.Errorf("wang.li's new password does not verify")
	}
	if !strings.HasPrefix(u.PasswordHash, "$argon2id$v=19$m=65536,t=2,p=2$") {
		t.Errorf("stored hash does not use the default parameters: %.32s…", u.PasswordHash)
	}
	es, err := st.AuditLog(ctx, auth.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var acts []string
	for _, e := range es {
		acts = append(acts, e.Action+":"+e.Target)
	}
	if got, want := strings.Join(acts, " "), "user.unlock:wang.li user.password:wang.li user.disable:zhao user.role:zhao user.create:zhao user.create:wang.li user.create:boss"; got != want {
		t.Errorf("audit log = %s, want %s", got, want)
	}
}
