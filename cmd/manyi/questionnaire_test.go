package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"manyi/survey"
)

func TestQuestionnaireCommand(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	def := string(survey.DefaultQuestionnaireJSON())
	good := write("good.json", def)
	// Two problems: a scale whose max does not exceed its min, and a
	// missing English title.
	bad := strings.Replace(def, `"max": 10,`, `"max": 1,`, 1)
	bad = strings.Replace(bad, `"en": "Residents' Quality Satisfaction Survey"`, `"en": ""`, 1)
	badPath := write("bad.json", bad)
	syntax := write("syntax.json", "{\n  \"id\": \"x\",,\n}")

	tests := []struct {
		name       string
		args       []string
		code       int
		stdout     []string // lines, exactly
		stderrHas  string
		stdoutHas  string
		stdoutJSON bool
	}{
		{name: "valid", args: []string{"questionnaire", "validate", good}, code: 0, stdout: []string{"ok: 12 pages, 38 items"}},
		{name: "invalid", args: []string{"questionnaire", "validate", badPath}, code: 1, stdout: []string{
			"title.en: English text is required",
			"pages[2].items[0].scale: max must exceed min (min 1, max 1)",
		}, stderrHas: "2 problem(s)"},
		{name: "syntax", args: []string{"questionnaire", "validate", syntax}, code: 1, stdoutHas: "line 2, column 13: invalid JSON"},
		{name: "missing file", args: []string{"questionnaire", "validate", filepath.Join(dir, "none.json")}, code: 2, stderrHas: "no such file"},
		{name: "no file", args: []string{"questionnaire", "validate"}, code: 2, stderrHas: "want exactly one FILE"},
		{name: "two files", args: []string{"questionnaire", "validate", good, good}, code: 2, stderrHas: "want exactly one FILE"},
		{name: "no subcommand", args: []string{"questionnaire"}, code: 2, stderrHas: "usage:"},
		{name: "unknown subcommand", args: []string{"questionnaire", "check", good}, code: 2, stderrHas: `unknown subcommand "check"`},
		{name: "help", args: []string{"questionnaire", "-h"}, code: 0, stdoutHas: "manyi questionnaire validate FILE"},
		{name: "default", args: []string{"questionnaire", "default"}, code: 0, stdoutJSON: true},
		{name: "default with arguments", args: []string{"questionnaire", "default", "x"}, code: 2, stderrHas: "takes no arguments"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(tt.args, &out, &errb)
			if code != tt.code {
				t.Errorf("exit status: got %d, want %d (stdout %q, stderr %q)", code, tt.code, out.String(), errb.String())
			}
			if tt.stdout != nil {
				got := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
				if strings.Join(got, "\n") != strings.Join(tt.stdout, "\n") {
					t.Errorf("stdout: got %q, want %q", got, tt.stdout)
				}
			}
			if tt.stdoutHas != "" && !strings.Contains(out.String(), tt.stdoutHas) {
				t.Errorf("stdout: got %q, want it to contain %q", out.String(), tt.stdoutHas)
			}
			if tt.stderrHas != "" && !strings.Contains(errb.String(), tt.stderrHas) {
				t.Errorf("stderr: got %q, want it to contain %q", errb.String(), tt.stderrHas)
			}
			if tt.stdoutJSON {
				if q, probs := survey.LoadQuestionnaire(out.Bytes()); q == nil || len(probs) > 0 {
					t.Errorf("default output does not load: %v", probs)
				}
			}
		})
	}
}
