package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMeasurementCommand: create a measurement, then get its questionnaire
// and set it back unchanged (the editor's round trip from the command line).
func TestMeasurementCommand(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "m.db")
	ds := filepath.Join(dir, "d.txt")
	os.WriteFile(ds, []byte("d1 | 东城区 | Dongcheng\nd2 西城区\n"), 0o644)
	run := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := commands[args[0]].run(args[1:], &out, &errb)
		return code, out.String(), errb.String()
	}
	if code, out, errs := run("measurement", "create", "--db", db, "--title", "测试", "--city", "示例市", "--year", "2027", "--districts", ds); code != 0 || out != "m2027\n" {
		t.Fatalf("create: %d %q %q", code, out, errs)
	}
	if code, _, errs := run("measurement", "create", "--db", db, "--title", "", "--city", "示例市", "--year", "2027", "--districts", ds); code != 2 || !strings.Contains(errs, "title") {
		t.Errorf("create without a title: %d %q", code, errs)
	}
	code, q1, _ := run("questionnaire", "get", "--db", db, "--measurement", "m2027")
	if code != 0 || !strings.Contains(q1, `"code": "d2"`) {
		t.Fatalf("get: %d", code)
	}
	f := filepath.Join(dir, "q.json")
	os.WriteFile(f, []byte(q1), 0o644)
	if code, out, errs := run("questionnaire", "set", "--db", db, "--measurement", "m2027", f); code != 0 || !strings.Contains(out, "save 2") {
		t.Errorf("set: %d %q %q", code, out, errs)
	}
	if _, q2, _ := run("questionnaire", "get", "--db", db, "--measurement", "m2027"); q2 != q1 {
		t.Errorf("get after set differs")
	}
}
