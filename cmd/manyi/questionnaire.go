package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"manyi/survey"
	"manyi/survey/auth"
	"manyi/survey/setup"
)

func init() {
	register("questionnaire", "validate a questionnaire file or print the default template", runQuestionnaire)
}

const questionnaireUsage = `usage:
  manyi questionnaire validate FILE   check FILE; print every problem as "path: message" (exit 1) or "ok: …"
  manyi questionnaire default         print the default questionnaire (JSON) to start a new one from
  manyi questionnaire get --measurement ID [--rev N] [--db PATH]
                                      print the measurement's questionnaire (the editor's newest save, or save N)
  manyi questionnaire set --measurement ID [--db PATH] FILE
                                      store FILE as the next save, as "Upload JSON" on the editor page does
  manyi questionnaire default --service   print the CCSI template of a service measurement
The format is described in docs/QUESTIONNAIRE.md.
`

// runQuestionnaire implements "manyi questionnaire". Exit status: 0 valid
// (or printed), 1 the file has problems, 2 usage or read errors.
func runQuestionnaire(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, questionnaireUsage)
		return 2
	}
	switch args[0] {
	case "-h", "--help", "help":
		fmt.Fprint(stdout, questionnaireUsage)
		return 0
	case "validate":
		if len(args) != 2 {
			fmt.Fprint(stderr, "manyi questionnaire validate: want exactly one FILE\n"+questionnaireUsage)
			return 2
		}
		data, err := os.ReadFile(args[1])
		if err != nil {
			fmt.Fprintf(stderr, "manyi questionnaire validate: %v\n", err)
			return 2
		}
		q, probs := survey.LoadQuestionnaire(data)
		if len(probs) > 0 {
			for _, p := range probs {
				fmt.Fprintln(stdout, p.String())
			}
			fmt.Fprintf(stderr, "%s: %d problem(s)\n", args[1], len(probs))
			return 1
		}
		fmt.Fprintf(stdout, "ok: %d pages, %d items\n", len(q.Pages), len(q.Items()))
		return 0
	case "get", "set":
		return runQuestionnaireStore(args, stdout, stderr)
	case "default":
		body := survey.DefaultQuestionnaireJSON()
		switch {
		case len(args) == 2 && args[1] == "--service":
			body = survey.DefaultServiceQuestionnaireJSON()
		case len(args) != 1:
			fmt.Fprint(stderr, "manyi questionnaire default: takes no arguments but --service\n"+questionnaireUsage)
			return 2
		}
		if _, err := stdout.Write(body); err != nil {
			fmt.Fprintf(stderr, "manyi questionnaire default: %v\n", err)
			return 2
		}
		return 0
	}
	fmt.Fprintf(stderr, "manyi questionnaire: unknown subcommand %q\n%s", args[0], questionnaireUsage)
	return 2
}

// runQuestionnaireStore implements "manyi questionnaire get|set": thin
// callers of setup.EncodeJSON and setup.ImportJSON, which the editor's
// Download and Upload JSON use.
func runQuestionnaireStore(args []string, stdout, stderr io.Writer) int {
	sub := args[0]
	fs := flag.NewFlagSet("questionnaire "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	f := newFWFlags(fs)
	rev := fs.Int("rev", 0, "the editor save to print (0: the newest)")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	l := survey.NormLang(*f.lang)
	if *f.measurement == "" || (sub == "set") != (fs.NArg() == 1) || (sub == "get" && fs.NArg() != 0) {
		fmt.Fprint(stderr, "manyi questionnaire "+sub+": wrong arguments\n"+questionnaireUsage)
		return 2
	}
	ctx := context.Background()
	st, err := openStore(*f.db)
	if err != nil {
		return fwErr(stderr, "questionnaire "+sub, l, err)
	}
	defer st.Close()
	if sub == "get" {
		r, err := st.Revision(ctx, *f.measurement, *rev)
		if err != nil {
			return fwErr(stderr, "questionnaire get", l, err)
		}
		if _, err := stdout.Write(setup.EncodeJSON(r.Q)); err != nil {
			return 2
		}
		return 0
	}
	data, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		fmt.Fprintf(stderr, "manyi questionnaire set: %v\n", err)
		return 2
	}
	r, probs, err := setup.ImportJSON(ctx, st, *f.measurement, data, "", -1)
	if err != nil {
		return fwErr(stderr, "questionnaire set", l, err)
	}
	for _, p := range probs {
		fmt.Fprintln(stdout, p.String())
	}
	if r == nil {
		fmt.Fprintf(stderr, "%s: not stored, %d problem(s)\n", fs.Arg(0), len(probs))
		return 1
	}
	if err := st.Audit(ctx, auth.AuditEntry{Action: "questionnaire.save", Target: *f.measurement, Detail: cliDetail("revision", r.Rev, "problems", r.Problems, "version", r.Version)}); err != nil {
		return fwErr(stderr, "questionnaire set", l, err)
	}
	fmt.Fprintf(stdout, "stored as save %d (%d problem(s)); residents answer version %d\n", r.Rev, r.Problems, r.Version)
	if r.Problems > 0 {
		return 1
	}
	return 0
}
