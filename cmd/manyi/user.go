package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"manyi/survey"
	"manyi/survey/auth"
)

func init() {
	register("user", "manage staff accounts: add, list, passwd, role, disable, unlock", runUser)
}

// stdin is where `manyi user` reads passwords; tests replace it.
var stdin io.Reader = os.Stdin

// userUsage is printed for `manyi user` without a known subcommand.
const userUsage = `usage:
  manyi user add --role office|statistician|interviewer NAME [--db PATH] [--password-file FILE]
  manyi user list [--db PATH]
  manyi user passwd NAME [--db PATH] [--password-file FILE]
  manyi user role --role R NAME [--db PATH]
  manyi user disable NAME [--db PATH]
  manyi user unlock NAME [--db PATH]     lift every login lock-out of NAME
The password is read from the first line of FILE, or of standard input
(e.g. read -rs PW && printf '%s\n' "$PW" | manyi user add ...); it is never
printed. Passwords need at least 10 characters and must not contain the name.`

func runUser(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		io.WriteString(stderr, userUsage+"\n")
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	sub, rest := args[0], args[1:]
	fs := flag.NewFlagSet("user "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := dbFlag(fs)
	var role, pwFile *string
	wantName := true
	switch sub {
	case "add":
		role = fs.String("role", "", "the account's `role`: office, statistician or interviewer")
		pwFile = fs.String("password-file", "", "read the password from the first line of `file` instead of standard input")
	case "passwd":
		pwFile = fs.String("password-file", "", "read the password from the first line of `file` instead of standard input")
	case "role":
		role = fs.String("role", "", "the new `role`: office, statistician or interviewer")
	case "disable", "unlock":
	case "list":
		wantName = false
	default:
		fmt.Fprintf(stderr, "manyi user: unknown subcommand %q\n%s\n", sub, userUsage)
		return 2
	}
	pos, err := parseInterspersed(fs, rest)
	if err != nil {
		return 2
	}
	var name string
	switch {
	case wantName && len(pos) != 1:
		fmt.Fprintf(stderr, "manyi user %s: give exactly one user name (got %d)\n%s\n", sub, len(pos), userUsage)
		return 2
	case !wantName && len(pos) != 0:
		fmt.Fprintf(stderr, "manyi user %s: unexpected argument %q\n", sub, pos[0])
		return 2
	case wantName:
		if name, err = auth.NormalizeUserName(pos[0]); err != nil {
			return errExit(stderr, "user "+sub, err)
		}
	}
	var r auth.Role
	if role != nil {
		if r, err = auth.ParseRole(*role); err != nil {
			return errExit(stderr, "user "+sub, err)
		}
	}
	var password string
	if pwFile != nil {
		if password, err = readPassword(*pwFile); err != nil {
			return errExit(stderr, "user "+sub, err)
		}
		// Check before opening the database so that a weak password costs
		// nothing and changes nothing.
		if err := auth.CheckPassword(name, password); err != nil {
			return errExit(stderr, "user "+sub, err)
		}
	}

	ctx := context.Background()
	st, err := openStore(*db)
	if err != nil {
		return errExit(stderr, "user "+sub, err)
	}
	defer st.Close()
	u := userCmd{st: st, now: time.Now, stdout: stdout}
	switch sub {
	case "add":
		err = u.add(ctx, name, r, password)
	case "passwd":
		err = u.passwd(ctx, name, password)
	case "role":
		err = u.role(ctx, name, r)
	case "disable":
		err = u.disable(ctx, name)
	case "unlock":
		err = u.unlock(ctx, name)
	case "list":
		err = u.list(ctx)
	}
	if err != nil {
		return errExit(stderr, "user "+sub, err)
	}
	return 0
}

// parseInterspersed parses flags that may come before or after the
// positional arguments ("add --role R NAME --db PATH"), which the flag
// package alone stops at the first positional.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// readPassword reads the first line of file, or of stdin when file is "".
func readPassword(file string) (string, error) {
	r := stdin
	if file != "" {
		f, err := os.Open(file)
		if err != nil {
			return "", fmt.Errorf("open password file: %w", err)
		}
		defer f.Close()
		r = f
	}
	line, err := bufio.NewReader(io.LimitReader(r, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password: %w", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", survey.Errorf(survey.EINVALID, "没有读到密码：请在标准输入或 --password-file 文件的第一行给出密码",
			"no password was read: give it on the first line of standard input or of the --password-file file")
	}
	return line, nil
}

// userCmd runs the account subcommands on a store. Each change is written
// to the audit log as done from the command line.
type userCmd struct {
	st     auth.Store
	now    func() time.Time
	stdout io.Writer
}

// cliDetail marks audit entries made with `manyi user`.
func cliDetail(kv ...any) map[string]any {
	d := map[string]any{"via": "cli"}
	for i := 0; i+1 < len(kv); i += 2 {
		d[kv[i].(string)] = kv[i+1]
	}
	return d
}

func (u userCmd) add(ctx context.Context, name string, role auth.Role, password string) error {
	h, err := auth.HashPassword(password)
	if err != nil {
		return err
	}
	if _, err := u.st.CreateUser(ctx, name, role, h); err != nil {
		return err
	}
	if err := u.st.Audit(ctx, auth.AuditEntry{Action: auth.ActionUserCreate, Target: name, Detail: cliDetail("role", string(role))}); err != nil {
		return err
	}
	fmt.Fprintf(u.stdout, "created user %s (%s)\n", name, role)
	return nil
}

func (u userCmd) passwd(ctx context.Context, name, password string) error {
	h, err := auth.HashPassword(password)
	if err != nil {
		return err
	}
	if err := u.st.SetPassword(ctx, name, h); err != nil {
		return err
	}
	if err := u.st.Audit(ctx, auth.AuditEntry{Action: auth.ActionUserPassword, Target: name, Detail: cliDetail()}); err != nil {
		return err
	}
	fmt.Fprintf(u.stdout, "password of %s changed; its sessions and any lock-out were cleared\n", name)
	return nil
}

func (u userCmd) role(ctx context.Context, name string, role auth.Role) error {
	if err := u.st.SetRole(ctx, name, role); err != nil {
		return err
	}
	if err := u.st.Audit(ctx, auth.AuditEntry{Action: auth.ActionUserRole, Target: name, Detail: cliDetail("role", string(role))}); err != nil {
		return err
	}
	fmt.Fprintf(u.stdout, "%s is now %s\n", name, role)
	return nil
}

func (u userCmd) disable(ctx context.Context, name string) error {
	if err := u.st.DisableUser(ctx, name); err != nil {
		return err
	}
	if err := u.st.Audit(ctx, auth.AuditEntry{Action: auth.ActionUserDisable, Target: name, Detail: cliDetail()}); err != nil {
		return err
	}
	fmt.Fprintf(u.stdout, "disabled %s and ended its sessions\n", name)
	return nil
}

func (u userCmd) unlock(ctx context.Context, name string) error {
	if err := u.st.UnlockUser(ctx, name); err != nil {
		return err
	}
	if err := u.st.Audit(ctx, auth.AuditEntry{Action: auth.ActionUserUnlock, Target: name, Detail: cliDetail()}); err != nil {
		return err
	}
	fmt.Fprintf(u.stdout, "lifted every login lock-out of %s\n", name)
	return nil
}

func (u userCmd) list(ctx context.Context) error {
	us, err := u.st.Users(ctx)
	if err != nil {
		return err
	}
	locks, err := u.st.LoginLocks(ctx)
	if err != nil {
		return err
	}
	locked := map[string]int{}
	for _, l := range locks {
		locked[strings.ToLower(l.Name)]++
	}
	tw := tabwriter.NewWriter(u.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tROLE\tSTATUS\tCREATED")
	for _, x := range us {
		status := "active"
		switch {
		case x.Disabled():
			status = "disabled " + x.DisabledAt.UTC().Format(time.DateOnly)
		case locked[x.Name] > 0:
			status = fmt.Sprintf("locked from %d sources", locked[x.Name])
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", x.Name, x.Role, status, x.CreatedAt.UTC().Format(time.DateOnly))
	}
	return tw.Flush()
}
