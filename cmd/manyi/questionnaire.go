package main

import (
	"fmt"
	"io"
	"os"

	"manyi/survey"
)

func init() {
	register("questionnaire", "validate a questionnaire file or print the default template", runQuestionnaire)
}

const questionnaireUsage = `usage:
  manyi questionnaire validate FILE   check FILE; print every problem as "path: message" (exit 1) or "ok: …"
  manyi questionnaire default         print the default questionnaire (JSON) to start a new one from
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
