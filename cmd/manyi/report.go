package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"manyi/survey"
	"manyi/survey/auth"
	"manyi/survey/workspace"
)

func init() {
	register("report", "write a measurement's report PDF (《市民质量满意度测评情况报告》)", runReport)
}

// runReport implements `manyi report --db PATH --measurement ID --out
// report.pdf [--lang zh|en] [--date YYYY-MM-DD]`: the results with the
// current weighting and index method (and last year's), the office's
// saved conclusions or generated ones, laid out as the report PDF.
func runReport(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := dbFlag(fs)
	id := fs.String("measurement", "", "measurement `id`, e.g. demo-2026")
	out := fs.String("out", "", "PDF `file` to write")
	lang := fs.String("lang", "zh", "report language: zh or en")
	date := fs.String("date", "", "report `date` YYYY-MM-DD printed on the cover (default: the day the approved inputs last changed, so that the same data give the same PDF)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "manyi report: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if *id == "" || *out == "" {
		fmt.Fprintln(stderr, "manyi report: --measurement and --out are required (usage: manyi report --db PATH --measurement ID --out report.pdf [--lang zh|en])")
		return 2
	}
	if *lang != survey.LangZh && *lang != survey.LangEn {
		fmt.Fprintf(stderr, "manyi report: --lang %q: want zh or en\n", *lang)
		return 2
	}
	var reportDate time.Time
	if *date != "" {
		d, err := time.Parse("2006-01-02", *date)
		if err != nil {
			fmt.Fprintf(stderr, "manyi report: --date %q: want YYYY-MM-DD\n", *date)
			return 2
		}
		reportDate = d
	}
	ctx := context.Background()
	st, err := openStore(*db)
	if err != nil {
		return errExit(stderr, "report", err)
	}
	defer st.Close()
	if m, err := st.Measurement(ctx, *id); err == nil && m.IsService() {
		// A service measurement: the CSI report, from the computation of
		// its results page.
		sc, err := workspace.ComputeService(ctx, st, st, *id, nil)
		if err != nil {
			return errExit(stderr, "report", err)
		}
		pdf, err := workspace.ReportService(ctx, st, sc, *lang, reportDate)
		if err != nil {
			return errExit(stderr, "report", err)
		}
		if err := writeFileAtomic(*out, pdf); err != nil {
			return errExit(stderr, "report", err)
		}
		sum := sha256.Sum256(pdf)
		if err := st.Audit(ctx, auth.AuditEntry{User: cliUser, Action: auth.ActionReport, Target: *id, Detail: map[string]any{
			"out": *out, "lang": *lang, "bytes": len(pdf), "sha256": hex.EncodeToString(sum[:]), "kind": "service", "n": sc.Results.N,
		}}); err != nil {
			return errExit(stderr, "report", err)
		}
		o := sc.Results.Overall
		fmt.Fprintf(stdout, "%s: CSI %.2f (95%% CI %.2f–%.2f, n=%d); wrote %s (%d KB)\n", *id, o.Value, o.Lo, o.Hi, sc.Results.N, *out, (len(pdf)+1023)/1024)
		return 0
	}
	pdf, c, err := buildReport(ctx, st, *id, *lang, reportDate)
	if err != nil {
		return errExit(stderr, "report", err)
	}
	if err := writeFileAtomic(*out, pdf); err != nil {
		return errExit(stderr, "report", err)
	}
	sum := sha256.Sum256(pdf)
	if err := st.Audit(ctx, auth.AuditEntry{User: cliUser, Action: auth.ActionReport, Target: *id, Detail: map[string]any{
		"out": *out, "lang": *lang, "bytes": len(pdf), "sha256": hex.EncodeToString(sum[:]),
		"weighting_version": c.Weighting.Version, "method": c.Method.Method, "n": c.Results.N,
	}}); err != nil {
		return errExit(stderr, "report", err)
	}
	fmt.Fprintf(stdout, "%s: overall %.2f (95%% CI %.2f–%.2f, n=%d); wrote %s (%d KB)\n", *id,
		c.Results.Overall.Value, c.Results.Overall.CI[0], c.Results.Overall.CI[1], c.Results.N, *out, (len(pdf)+1023)/1024)
	return 0
}

// buildReport computes the measurement's results and renders its report
// the way the report page does (survey/workspace: the same computation,
// the office's saved conclusions, a report date that is never the clock).
func buildReport(ctx context.Context, st workspace.Store, id, lang string, reportDate time.Time) ([]byte, *workspace.Computed, error) {
	c, err := workspace.Compute(ctx, st, id)
	if err != nil {
		return nil, nil, err
	}
	pdf, err := workspace.Report(ctx, st, c, lang, reportDate)
	if err != nil {
		return nil, nil, err
	}
	return pdf, c, nil
}

// writeFileAtomic writes data to path through a temporary file in the same
// folder, so that a reader never sees half a PDF.
func writeFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".report-*.pdf")
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, bytes.NewReader(data)); err != nil {
		f.Close()
		os.Remove(f.Name())
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return err
	}
	if err := os.Chmod(f.Name(), 0o644); err != nil {
		os.Remove(f.Name())
		return err
	}
	return os.Rename(f.Name(), path)
}
