package main

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"manyi/survey"
	"manyi/survey/fieldwork"
	"manyi/survey/sampling"
)

func init() {
	register("sample", "draw a stratified sample from a frame CSV and a plan JSON", runSample)
}

// runSample implements `manyi sample`: it reads the frame and the plan,
// prints the allocation table on stdout, draws, and writes one CSV row per
// drawn case. Problems go to stderr one per line; bad input exits 2, a
// failure to read or write files exits 1. See docs/FIELDWORK.md.
func runSample(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("sample", flag.ContinueOnError)
	fs.SetOutput(stderr)
	framePath := fs.String("frame", "", "frame CSV (id,district[,gender,age_band,contact]), UTF-8 with or without BOM")
	planPath := fs.String("plan", "", "sampling plan JSON")
	seed := fs.Uint64("seed", 0, "random seed (record it: the same seed gives the same sample)")
	outPath := fs.String("out", "", "sample CSV to write: id,stratum,prob,weight,batch")
	rejectsPath := fs.String("rejects", "", "write rejected frame rows to this CSV")
	allowRejects := fs.Bool("allow-rejects", false, "draw from the clean rows when some rows are bad (needs --rejects)")
	columns := fs.String("columns", "", "frame header names, e.g. id=编号,district=区县,contact=手机")
	lang := fs.String("lang", survey.LangZh, "language of messages: zh or en")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: manyi sample --frame frame.csv --plan plan.json --seed N --out sample.csv [--rejects rejects.csv] [--allow-rejects]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	seedSet := false
	fs.Visit(func(f *flag.Flag) { seedSet = seedSet || f.Name == "seed" })
	var missing []string
	for _, m := range []struct {
		ok   bool
		name string
	}{{*framePath != "", "--frame"}, {*planPath != "", "--plan"}, {seedSet, "--seed"}, {*outPath != "", "--out"}} {
		if !m.ok {
			missing = append(missing, m.name)
		}
	}
	if len(missing) > 0 || fs.NArg() > 0 {
		if len(missing) > 0 {
			fmt.Fprintf(stderr, "manyi sample: missing %s\n", strings.Join(missing, ", "))
		} else {
			fmt.Fprintf(stderr, "manyi sample: unexpected argument %q\n", fs.Arg(0))
		}
		fs.Usage()
		return 2
	}
	if *allowRejects && *rejectsPath == "" {
		fmt.Fprintln(stderr, "manyi sample: --allow-rejects needs --rejects, so the rejected rows are kept somewhere")
		return 2
	}
	l := survey.NormLang(*lang)
	colMap, err := sampleColumns(*columns)
	if err != nil {
		fmt.Fprintf(stderr, "manyi sample: --columns: %v\n", err)
		return 2
	}

	plan, code, ok := readPlanFile("sample", *planPath, l, stderr)
	if !ok {
		return code
	}

	ff, err := os.Open(*framePath)
	if err != nil {
		fmt.Fprintf(stderr, "manyi sample: %v\n", err)
		return 1
	}
	frame, rowErrs, _, err := sampling.ReadFrameFile(ff, sampling.FrameOptions{Columns: colMap, Districts: plan.Districts, AnySector: plan.Stratum == sampling.StratumSectorDistrict})
	ff.Close()
	if err != nil {
		if survey.ErrorCode(err) == survey.EINVALID {
			fmt.Fprintf(stderr, "%s: %s\n", *framePath, survey.ErrorMessage(err, l))
			return 2
		}
		fmt.Fprintf(stderr, "manyi sample: reading %s: %v\n", *framePath, err)
		return 1
	}
	if len(rowErrs) > 0 {
		for _, e := range rowErrs {
			fmt.Fprintf(stderr, "%s: %s\n", *framePath, e.Line(l))
		}
		rows := fieldwork.RejectedRows(rowErrs)
		if *rejectsPath != "" && !writeRejectsFile("sample", *rejectsPath, frame.Header, rowErrs, l, stderr) {
			return 1
		}
		if !*allowRejects {
			fmt.Fprintln(stderr, sampleMsg(l, fmt.Sprintf("%s：%d 行有问题，未抽样（修正后重试，或用 --allow-rejects --rejects 文件 只用合格的行）", *framePath, rows),
				fmt.Sprintf("%s: %d bad rows; nothing drawn (fix them, or use --allow-rejects --rejects FILE to draw from the clean rows)", *framePath, rows)))
			return 2
		}
		fmt.Fprintln(stderr, sampleMsg(l, fmt.Sprintf("%s：%d 行被剔除，已写入 %s；从 %d 个合格的行中抽样", *framePath, rows, *rejectsPath, len(frame.Units)),
			fmt.Sprintf("%s: %d rows rejected and written to %s; drawing from the %d clean rows", *framePath, rows, *rejectsPath, len(frame.Units))))
	}

	alloc, err := sampling.Allocate(plan, sampling.StratumCounts(frame, plan.StratumColumn()))
	if err != nil {
		fmt.Fprintf(stderr, "%s: %s\n", *planPath, survey.ErrorMessage(err, l))
		return 2
	}
	if err := sampling.WriteTable(stdout, alloc); err != nil {
		return 1
	}
	smp, err := sampling.Draw(frame, alloc, *seed)
	if err != nil {
		fmt.Fprintf(stderr, "manyi sample: %s\n", survey.ErrorMessage(err, l))
		return 2
	}
	data, err := sampleCSV(smp)
	if err == nil {
		err = sampleWriteFile(*outPath, data, 0o644)
	}
	if err != nil {
		fmt.Fprintf(stderr, "manyi sample: writing %s: %v\n", *outPath, err)
		return 1
	}
	reserve := 0
	for _, c := range smp.Cases {
		if c.Batch > 0 {
			reserve++
		}
	}
	fmt.Fprintln(stdout, sampleMsg(l, fmt.Sprintf("已抽取主样本 %d、预备样本 %d（%d 批），种子 %d，写入 %s", alloc.Total, reserve, smp.Batches, *seed, *outPath),
		fmt.Sprintf("drew %d main and %d reserve cases (%d batches), seed %d, written to %s", alloc.Total, reserve, smp.Batches, *seed, *outPath)))
	return 0
}

// sampleCSV renders the sample: id,stratum,prob,weight,batch in the order
// of Draw, numbers in their shortest exact decimal form so the same seed
// gives the same bytes everywhere.
func sampleCSV(s *sampling.Sample) ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write([]string{"id", "stratum", "prob", "weight", "batch"})
	for _, c := range s.Cases {
		w.Write([]string{c.ID, c.Stratum, strconv.FormatFloat(c.Prob, 'f', -1, 64), strconv.FormatFloat(c.Weight, 'f', -1, 64), strconv.Itoa(c.Batch)})
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

// sampleColumns reads "id=编号,district=区县" into a column mapping.
func sampleColumns(s string) (map[string]string, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	m := map[string]string{}
	for _, part := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(part, "=")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if !ok || k == "" || v == "" {
			return nil, fmt.Errorf("%q is not column=header", part)
		}
		m[k] = v
	}
	return m, nil
}

// writeRejectsFile writes the rejected frame rows to path (mode 0600: the
// rows repeat the frame's phone numbers) for the command cmd. A failure is
// said on stderr, naming the file, and it returns false: the caller then
// stops with exit 1 before importing or drawing, so no rejected row is lost
// unseen.
func writeRejectsFile(cmd, path string, header []string, rowErrs []sampling.RowError, lang string, stderr io.Writer) bool {
	var buf bytes.Buffer
	err := sampling.WriteRejects(&buf, header, rowErrs)
	if err == nil {
		err = sampleWriteFile(path, buf.Bytes(), 0o600)
	}
	if err != nil {
		fmt.Fprintf(stderr, "manyi %s: %s\n", cmd, sampleMsg(lang,
			fmt.Sprintf("无法写入被剔除的行 %s：%v；未做任何更改", path, err),
			fmt.Sprintf("cannot write the rejected rows to %s: %v; nothing was changed", path, err)))
		return false
	}
	return true
}

func sampleMsg(lang, zh, en string) string { return survey.Text{Zh: zh, En: en}.Get(lang) }

// sampleWriteFile writes data to a temporary file beside path and renames
// it, so a failed run never leaves half a sample behind.
func sampleWriteFile(path string, data []byte, perm os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(tmp)
	_, err = bw.Write(data)
	if err == nil {
		err = bw.Flush()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), perm)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}

// readPlanFile reads and checks a sampling plan file for the command cmd.
// On failure it has printed one line and code is the exit status: 1 when
// the file cannot be read, 2 when the plan is wrong.
func readPlanFile(cmd, path, lang string, stderr io.Writer) (plan sampling.Plan, code int, ok bool) {
	f, err := os.Open(path)
	if err != nil {
		fmt.Fprintf(stderr, "manyi %s: %v\n", cmd, err)
		return plan, 1, false
	}
	defer f.Close()
	plan, err = sampling.ParsePlan(f)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %s\n", path, survey.ErrorMessage(err, lang))
		return plan, 2, false
	}
	return plan, 0, true
}
