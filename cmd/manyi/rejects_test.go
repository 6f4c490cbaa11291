package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"manyi/survey"
	"manyi/survey/secret"
	"manyi/survey/sqlite"
)

// TestRejectsWriteFailure makes the rejects file impossible to write (its
// directory does not exist) and checks that both `manyi frame import` and
// `manyi sample` stop with a message naming the file, exit 1 (a file could
// not be written, docs/FIELDWORK.md) and import or draw nothing. Before the
// fix a shadowed err hid the failure: both went on with --allow-rejects and
// exited 0, and the rejected rows were lost.
func TestRejectsWriteFailure(t *testing.T) {
	db, _ := fwSetup(t)
	dir := filepath.Dir(db)
	bad := filepath.Join(dir, "bad.csv")
	if err := os.WriteFile(bad, []byte("id,district,contact\nA1,东城区,13800000001\nA2,北区,13800000002\nA4,西城区,13800000004\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	rejects := filepath.Join(dir, "no-such-dir", "rejects.csv")
	t.Setenv(secret.EnvKey, secret.GenerateKey())

	for _, lang := range []string{"zh", "en"} {
		code, stdout, stderr := runSampleCmd(t, "frame", "import", "--db", db, "--measurement", "m", "--frame", bad, "--allow-rejects", "--rejects", rejects, "--lang", lang)
		want := map[string]string{"zh": "无法写入被剔除的行", "en": "cannot write the rejected rows"}[lang]
		if code != 1 || !strings.Contains(stderr, rejects) || !strings.Contains(stderr, want) {
			t.Errorf("frame import (%s): exit %d, stdout %q, stderr %q; want 1 and %q naming %s", lang, code, stdout, stderr, want, rejects)
		}
	}
	st, err := sqlite.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	if f, err := st.Frame(context.Background(), "m"); survey.ErrorCode(err) != survey.ENOTFOUND {
		t.Errorf("frame after the failed import: %+v, %v; want none imported", f, err)
	}
	st.Close()

	out := filepath.Join(dir, "sample.csv")
	code, stdout, stderr := runSampleCmd(t, "sample", "--frame", sampleData+"bad_frame.csv", "--plan", sampleData+"plan_small.json", "--seed", "1",
		"--out", out, "--rejects", rejects, "--allow-rejects", "--lang", "en")
	if code != 1 || !strings.Contains(stderr, rejects) || !strings.Contains(stderr, "cannot write the rejected rows") {
		t.Errorf("sample: exit %d, stdout %q, stderr %q; want 1 naming %s", code, stdout, stderr, rejects)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("sample file after the failed rejects write: %v, want none", err)
	}
}
