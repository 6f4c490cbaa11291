package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"manyi/survey"
	"manyi/survey/auth"
	"manyi/survey/fieldwork"
	"manyi/survey/sampling"
	"manyi/survey/secret"
	"manyi/survey/sqlite"
)

// fwSetup creates a database with an open measurement "m" of districts d1
// (东城区) and d2 (西城区), and a frame file of 30 units per district.
func fwSetup(t *testing.T) (db, frame string) {
	t.Helper()
	dir := t.TempDir()
	db = filepath.Join(dir, "manyi.db")
	st, err := sqlite.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	m := &survey.Measurement{
		ID: "m", City: survey.Text{Zh: "示例市"}, Title: survey.Text{Zh: "示例市 2026 年市民质量满意度测评"}, Year: 2026, Status: survey.StatusOpen,
		Districts: []survey.District{{Code: "d1", Name: survey.Text{Zh: "东城区"}}, {Code: "d2", Name: survey.Text{Zh: "西城区"}}},
	}
	if err := st.CreateMeasurement(context.Background(), m, survey.DefaultQuestionnaire()); err != nil {
		t.Fatal(err)
	}
	h, _ := auth.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}.Hash("Interviewer-pass-2026")
	if _, err := st.CreateUser(context.Background(), "wang", auth.RoleInterviewer, h); err != nil {
		t.Fatal(err)
	}
	st.Close()
	var b strings.Builder
	b.WriteString("\ufeff编号,区县,性别,年龄段,手机\n")
	for i := 0; i < 60; i++ {
		d := []string{"东城区", "西城区"}[i%2]
		fmt.Fprintf(&b, "U%03d,%s,%s,%s,138 0000 %04d\n", i, d, []string{"男", "女"}[i/2%2], sampling.AgeBands[i%4], i)
	}
	frame = filepath.Join(dir, "frame.csv")
	if err := os.WriteFile(frame, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return db, frame
}

const fwColumns = "id=编号,district=区县,gender=性别,age_band=年龄段,contact=手机"

func TestFieldworkCommands(t *testing.T) {
	db, frame := fwSetup(t)
	dir := filepath.Dir(db)
	t.Setenv(secret.EnvKey, secret.GenerateKey())
	t.Setenv("MANYI_DB", "")

	plan := filepath.Join(dir, "plan.json")
	os.WriteFile(plan, []byte(`{"total": 20, "allocation": "equal", "reserve": 0.2, "reserve_batches": 1}`), 0o600)
	census := filepath.Join(dir, "census.csv")
	var cb strings.Builder
	cb.WriteString("district,gender,age_band,count\n")
	for _, d := range []string{"d1", "d2"} {
		for _, g := range []string{"male", "female"} {
			for _, a := range sampling.AgeBands {
				fmt.Fprintf(&cb, "%s,%s,%s,100\n", d, g, a)
			}
		}
	}
	os.WriteFile(census, []byte(cb.String()), 0o600)
	targetsFile := filepath.Join(dir, "targets.csv")
	os.WriteFile(targetsFile, []byte("district,gender,age_band,target\nd1,男,18-29,9\n"), 0o600)

	steps := []struct {
		name     string
		args     []string
		code     int
		stdout   string // substring
		stderr   string // substring
		noStderr bool
	}{
		{"import", []string{"frame", "import", "--db", db, "--measurement", "m", "--frame", frame, "--columns", fwColumns}, 0, "已导入 60 个单位（其中 60 个有联系方式，已加密），剔除 0 行", "", true},
		{"draw without seed", []string{"draw", "--db", db, "--measurement", "m", "--plan", plan}, 2, "", "missing --seed", false},
		{"draw", []string{"draw", "--db", db, "--measurement", "m", "--plan", plan, "--seed", "7", "--census", census}, 0, "已抽取并保存主样本 20、预备样本 4（1 批），种子 7；已为主样本建立 20 个邀请", "", true},
		{"draw twice", []string{"draw", "--db", db, "--measurement", "m", "--plan", plan, "--seed", "8", "--lang", "en"}, 2, "", "already has a sample", false},
		{"sms bad template", []string{"invitations", "sms", "--db", db, "--measurement", "m", "--base-url", "https://e.gov.cn", "--out", filepath.Join(dir, "x.csv"), "--template", "{name} {link}"}, 2, "", "{name}", false},
		{"sms", []string{"invitations", "sms", "--db", db, "--measurement", "m", "--base-url", "https://e.gov.cn", "--out", filepath.Join(dir, "sms.csv"), "--district", "d1",
			"--template", "【{city}】您被随机抽中参加{title}，请点击 {link} 作答，谢谢！"}, 0, "已为 10 个样本生成链接", "10 条短信超过一条短信的长度（70 字）：最长 85 字", false},
		{"qr", []string{"invitations", "qr", "--db", db, "--measurement", "m", "--base-url", "https://e.gov.cn/", "--out", filepath.Join(dir, "sheet.pdf")}, 0, "已为 10 个样本生成链接", "", true},
		{"qr none left", []string{"invitations", "qr", "--db", db, "--measurement", "m", "--base-url", "https://e.gov.cn/", "--out", filepath.Join(dir, "sheet2.pdf"), "--lang", "en"}, 1, "", "no cases to invite", false},
		{"assign", []string{"cases", "assign", "--db", db, "--measurement", "m", "--interviewer", "wang", "--district", "d2", "--limit", "4"}, 0, "已将 4 个样本分配给访员 wang", "", true},
		{"assign nobody", []string{"cases", "assign", "--db", db, "--measurement", "m", "--interviewer", "nobody", "--lang", "en"}, 2, "", "not an active interviewer", false},
		{"release", []string{"cases", "release", "--db", db, "--measurement", "m"}, 0, "已启用预备样本第 1 批", "", true},
		{"release again", []string{"cases", "release", "--db", db, "--measurement", "m", "--lang", "en"}, 2, "", "every reserve batch is released", false},
		{"quota set", []string{"quota", "set", "--db", db, "--measurement", "m", "--targets", targetsFile, "--allow-over", "true"}, 0, "d1,male|18-29,9,0,0,9", "", true},
		{"quota bad", []string{"quota", "set", "--db", db, "--measurement", "m", "--allow-over", "maybe"}, 2, "", "true or false", false},
		{"quota show", []string{"quota", "show", "--db", db, "--measurement", "m", "--lang", "en"}, 0, "over quota allowed: true", "", true},
		{"purge", []string{"frame", "purge", "--db", db, "--measurement", "m"}, 0, "已删除测评 m 的 60 条联系方式", "", true},
		{"import after draw", []string{"frame", "import", "--db", db, "--measurement", "m", "--frame", frame, "--columns", fwColumns, "--lang", "en"}, 2, "", "can no longer be replaced", false},
	}
	for _, s := range steps {
		code, stdout, stderr := runSampleCmd(t, s.args...)
		if code != s.code || !strings.Contains(stdout, s.stdout) || !strings.Contains(stderr, s.stderr) || (s.noStderr && stderr != "") {
			t.Fatalf("%s: exit %d\nstdout %s\nstderr %s\nwant exit %d, stdout with %q, stderr with %q", s.name, code, stdout, stderr, s.code, s.stdout, s.stderr)
		}
	}

	// The SMS file: BOM, header, one row per d1 case with its phone and a
	// link in the message; owner-only.
	fi, err := os.Stat(filepath.Join(dir, "sms.csv"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("sms.csv: %v, mode %v; want 0600", err, fi.Mode().Perm())
	}
	raw, _ := os.ReadFile(filepath.Join(dir, "sms.csv"))
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(raw, []byte("\ufeff")))).ReadAll()
	if err != nil || len(recs) != 11 || recs[0][0] != "contact" {
		t.Fatalf("sms.csv: %d records, %v", len(recs), err)
	}
	st, err := sqlite.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	for _, r := range recs[1:] {
		if !strings.HasPrefix(r[0], "13800000") || !strings.HasPrefix(r[1], "【示例市】您被随机抽中参加示例市 2026 年市民质量满意度测评，请点击 https://e.gov.cn/s/") {
			t.Errorf("sms row %q", r)
		}
		tok := strings.TrimSuffix(strings.Fields(r[1][strings.Index(r[1], "/s/")+3:])[0], "")
		if s, err := st.OpenSession(ctx, tok); err != nil || s.Invitation.MeasurementID != "m" {
			t.Errorf("the link in an SMS does not open: %v", err)
		}
	}
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Fatalf("pdftotext not found (install poppler-utils, or run make test): %v", err)
	}
	txt, err := exec.Command("pdftotext", filepath.Join(dir, "sheet.pdf"), "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(txt), "样本编号 U"); n != 10 || !strings.Contains(string(txt), "西城区") {
		t.Errorf("QR sheet has %d case ids, want 10 d2 cases:\n%s", n, txt)
	}

	cs, err := st.Cases(ctx, fieldwork.CaseFilter{MeasurementID: "m"})
	if err != nil {
		t.Fatal(err)
	}
	disp := map[string]int{}
	assigned := 0
	for _, c := range cs {
		disp[c.Disposition]++
		if c.Interviewer == "wang" {
			assigned++
		}
	}
	if disp[sampling.DispSent] != 20 || disp[sampling.DispNotSent] != 4 || assigned != 4 {
		t.Errorf("dispositions %v, %d assigned; want 20 sent, 4 not sent (reserve), 4 assigned", disp, assigned)
	}
	qs, err := st.Quotas(ctx, "m")
	if err != nil || len(qs.Cells) != 16 {
		t.Fatalf("quota cells %d, %v; want 16 from the census", len(qs.Cells), err)
	}
	total := 0
	for _, c := range qs.Cells {
		total += c.Target
	}
	// The census split the 20 main cases; quota set then raised d1
	// male|18-29 from its census share to 9.
	if total < 20 {
		t.Errorf("quota targets add up to %d, want at least the main sample, 20", total)
	}
	fs, err := st.Frame(ctx, "m")
	if err != nil || fs.Contacts != 0 {
		t.Errorf("frame after purge: %+v, %v", fs, err)
	}
	log, err := st.AuditLog(ctx, auth.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for i := len(log) - 1; i >= 0; i-- {
		actions = append(actions, log[i].Action)
	}
	if got, want := strings.Join(actions, " "), "frame.import sample.draw invitations.issue invitations.issue cases.assign sample.release quota.set frame.purge"; got != want {
		t.Errorf("audit actions\n got %s\nwant %s", got, want)
	}
}

func TestFrameImportErrors(t *testing.T) {
	db, frame := fwSetup(t)
	dir := filepath.Dir(db)
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("id,district,contact\nA1,东城区,13800000001\nA2,北区,13800000002\nA1,西城区,12345\nA4,西城区,13800000004\n"), 0o600)
	rejects := filepath.Join(dir, "rejects.csv")

	t.Setenv(secret.EnvKey, "")
	code, _, stderr := runSampleCmd(t, "frame", "import", "--db", db, "--measurement", "m", "--frame", frame, "--columns", fwColumns)
	if code != 2 || !strings.Contains(stderr, secret.EnvKey) {
		t.Fatalf("no key: exit %d, stderr %q; want 2 naming %s", code, stderr, secret.EnvKey)
	}
	t.Setenv(secret.EnvKey, secret.GenerateKey())
	code, _, stderr = runSampleCmd(t, "frame", "import", "--db", db, "--measurement", "m", "--frame", bad, "--lang", "en")
	if code != 2 || !strings.Contains(stderr, "row 3") || !strings.Contains(stderr, "row 4") || !strings.Contains(stderr, "nothing imported") {
		t.Fatalf("bad rows: exit %d, stderr %q", code, stderr)
	}
	if strings.Contains(stderr, "12345") {
		t.Errorf("stderr repeats a phone number: %q", stderr)
	}
	code, stdout, stderr := runSampleCmd(t, "frame", "import", "--db", db, "--measurement", "m", "--frame", bad, "--allow-rejects", "--rejects", rejects, "--lang", "en")
	if code != 0 || !strings.Contains(stdout, "imported 2 units (2 with contacts, sealed), 2 rows rejected") {
		t.Fatalf("allow rejects: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if fi, err := os.Stat(rejects); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("rejects file: %v", err)
	}
	code, _, stderr = runSampleCmd(t, "frame", "import", "--db", db, "--measurement", "nope", "--frame", bad, "--lang", "en")
	if code != 2 || !strings.Contains(stderr, "nope") {
		t.Errorf("unknown measurement: exit %d, stderr %q", code, stderr)
	}
	code, _, stderr = runSampleCmd(t, "frame", "import", "--db", db, "--frame", bad)
	if code != 2 || !strings.Contains(stderr, "missing --measurement") {
		t.Errorf("no measurement flag: exit %d, stderr %q", code, stderr)
	}
}
