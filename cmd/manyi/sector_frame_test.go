package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"manyi/survey"
	"manyi/survey/secret"
	"manyi/survey/sqlite"
)

// TestSectorListCommands: a service measurement's frame from sector
// lists, through the commands: a whole frame with a bad sector row is
// refused naming the row; two sectors' lists are imported with --sector;
// the draw and the SMS file, which has a sector column.
func TestSectorListCommands(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "manyi.db")
	st, err := sqlite.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	m := &survey.Measurement{
		ID: "svc", City: survey.Text{Zh: "示例市"}, Title: survey.Text{Zh: "示例市 2026 年服务业顾客满意度测评"}, Year: 2026, Status: survey.StatusOpen,
		Districts: []survey.District{{Code: "d1", Name: survey.Text{Zh: "东城区"}}, {Code: "d2", Name: survey.Text{Zh: "西城区"}}},
		Kind:      survey.KindService, Sectors: survey.DefaultSectors(),
	}
	if err := st.CreateMeasurement(context.Background(), m, survey.DefaultServiceQuestionnaire()); err != nil {
		t.Fatal(err)
	}
	st.Close()
	t.Setenv(secret.EnvKey, secret.GenerateKey())
	t.Setenv("MANYI_DB", "")
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	whole := write("whole.csv", "id,district,sector,contact\nw1,d1,retail,13800000001\nw2,d2,hotel,13800000002\n")
	retail := write("retail.csv", "id,district,contact\nr1,东城区,13800000011\nr2,西城区,13800000012\nr3,d1,13800000013\nr4,d2,13800000014\n")
	banking := write("banking.csv", "id,district,sector,contact\nb1,d1,banking,13800000021\nb2,d2,,13800000022\nb3,d9,banking,13800000023\n")
	rejects := filepath.Join(dir, "rejects.csv")
	mixed := write("mixed.csv", "id,district,sector,contact\nx1,d1,banking,13800000031\nx2,d2,retail,13800000032\n")
	plan := write("plan.json", `{"stratum":"district","total":6,"allocation":"proportional"}`)
	sms := filepath.Join(dir, "sms.csv")

	steps := []struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{"whole frame, bad sector", []string{"frame", "import", "--db", db, "--measurement", "svc", "--frame", whole}, 2, "", "第 3 行：行业“hotel”不在本测评的行业之列"},
		{"whole frame, bad sector (en)", []string{"frame", "import", "--db", db, "--measurement", "svc", "--frame", whole, "--lang", "en"}, 2, "", `row 3: unknown sector "hotel"`},
		{"unknown --sector", []string{"frame", "import", "--db", db, "--measurement", "svc", "--frame", retail, "--sector", "nope"}, 2, "", "行业“nope”不是本测评的行业"},
		{"list of another sector", []string{"frame", "import", "--db", db, "--measurement", "svc", "--frame", mixed, "--sector", "banking", "--lang", "en"}, 2, "", `row 3: sector "retail" differs from this list's sector "banking"`},
		{"retail list", []string{"frame", "import", "--db", db, "--measurement", "svc", "--frame", retail, "--sector", "retail"}, 0, "已导入行业“零售”的名单（" + retail + "）：4 个单位（其中 4 个有联系方式，已加密），剔除 0 行；抽样框现共 4 个单位，4 个有联系方式", ""},
		{"banking list", []string{"frame", "import", "--db", db, "--measurement", "svc", "--frame", banking, "--sector", "banking", "--allow-rejects", "--rejects", rejects, "--lang", "en"}, 0,
			"imported Banking's list (" + banking + "): 2 units (2 with contacts, sealed), 1 rows rejected; the frame now has 6 units, 6 with contacts", ""},
		{"draw", []string{"draw", "--db", db, "--measurement", "svc", "--plan", plan, "--seed", "3"}, 0, "主样本 6", ""},
		{"sms", []string{"invitations", "sms", "--db", db, "--measurement", "svc", "--base-url", "https://e.gov.cn", "--out", sms, "--template", "请点击 {link}"}, 0, "已为 6 个样本生成链接", ""},
	}
	for _, s := range steps {
		code, stdout, stderr := runSampleCmd(t, s.args...)
		if code != s.code || !strings.Contains(stdout, s.stdout) || !strings.Contains(stderr, s.stderr) {
			t.Fatalf("%s: exit %d\nstdout %s\nstderr %s\nwant exit %d, stdout with %q, stderr with %q", s.name, code, stdout, stderr, s.code, s.stdout, s.stderr)
		}
	}
	b, err := os.ReadFile(sms)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\ufeff")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 7 || strings.Join(recs[0], ",") != "contact,sector,message" {
		t.Fatalf("sms.csv: %d records, header %v; want 7, contact,sector,message", len(recs), recs[0])
	}
	count := map[string]int{}
	for _, r := range recs[1:] {
		count[r[1]]++
		if want := map[string]string{"1": "retail", "2": "banking"}[r[0][9:10]]; r[1] != want {
			t.Errorf("sms row %s: sector %q, want %q", r[0][:3]+"…", r[1], want)
		}
	}
	if count["retail"] != 4 || count["banking"] != 2 {
		t.Errorf("sms rows per sector %v, want retail 4, banking 2", count)
	}
}
