package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"path/filepath"

	"manyi/survey/analysis"
	"manyi/survey/auth"
	"manyi/survey/workspace"
)

func init() {
	register("export", "write a measurement's analysis export (data.csv, design.json, queries.json, reproduce.R)", runExport)
}

// cliUser is the audit log's name for what the command line does.
const cliUser = "cli"

// runExport implements `manyi export --db PATH --measurement ID --dir DIR`:
// the folder `manyi estimate` reads, computed with the measurement's
// current weighting and index method, exactly as the results page shows
// them (the headline overall index is the query "overall").
func runExport(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := dbFlag(fs)
	id := fs.String("measurement", "", "measurement `id`, e.g. demo-2026")
	dir := fs.String("dir", "", "output `folder` (created when missing)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "manyi export: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if *id == "" || *dir == "" {
		fmt.Fprintln(stderr, "manyi export: --measurement and --dir are required (usage: manyi export --db PATH --measurement ID --dir DIR)")
		return 2
	}
	ctx := context.Background()
	st, err := openStore(*db)
	if err != nil {
		return errExit(stderr, "export", err)
	}
	defer st.Close()
	// The results page's own computation (survey/workspace), so that the
	// export describes exactly the numbers the page shows.
	c, err := workspace.Compute(ctx, st, *id)
	if err != nil {
		return errExit(stderr, "export", err)
	}
	if err := analysis.WriteAnalysisExport(*dir, c.Results); err != nil {
		return errExit(stderr, "export", err)
	}
	abs, err := filepath.Abs(*dir)
	if err != nil {
		abs = *dir
	}
	if err := st.Audit(ctx, auth.AuditEntry{User: cliUser, Action: auth.ActionExport, Target: *id, Detail: map[string]any{
		"kind": "analysis", "dir": abs, "weighting_version": c.Weighting.Version, "method": c.Method.Method, "n": c.Results.N,
	}}); err != nil {
		return errExit(stderr, "export", err)
	}
	fmt.Fprintf(stdout, "%s: overall %.2f (95%% CI %.2f–%.2f, n=%d), weighting v%d, method %s\n", *id,
		c.Results.Overall.Value, c.Results.Overall.CI[0], c.Results.Overall.CI[1], c.Results.N, c.Weighting.Version, c.Method.Method)
	fmt.Fprintf(stdout, "wrote %s: data.csv design.json queries.json reproduce.R\n", *dir)
	fmt.Fprintf(stdout, "check: manyi estimate --data %[1]s --design %[2]s --queries %[3]s --format table\n",
		filepath.Join(*dir, "data.csv"), filepath.Join(*dir, "design.json"), filepath.Join(*dir, "queries.json"))
	return 0
}
