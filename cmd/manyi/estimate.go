package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"manyi/survey/estimate"
)

func init() {
	register("estimate", "design-based estimates from data.csv, design.json and queries.json", runEstimate)
}

// runEstimate implements `manyi estimate --data data.csv --design
// design.json --queries queries.json [--format json|table]`. On any error it
// prints one line on stderr, nothing on stdout, and returns 2.
func runEstimate(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("estimate", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	dataPath := fs.String("data", "", "data file (CSV, UTF-8, header row)")
	designPath := fs.String("design", "", "design file (JSON)")
	queriesPath := fs.String("queries", "", "queries file (JSON)")
	format := fs.String("format", "json", "output format: json or table")
	fail := func(err error) int {
		msg := strings.Join(strings.Fields(err.Error()), " ")
		fmt.Fprintf(stderr, "manyi estimate: %s\n", msg)
		return 2
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(stderr, "usage: manyi estimate --data data.csv --design design.json --queries queries.json [--format json|table]")
			return 0
		}
		return fail(err)
	}
	if fs.NArg() > 0 {
		return fail(fmt.Errorf("unexpected argument %q", fs.Arg(0)))
	}
	for _, f := range []struct{ name, val string }{{"--data", *dataPath}, {"--design", *designPath}, {"--queries", *queriesPath}} {
		if f.val == "" {
			return fail(fmt.Errorf("%s is required (usage: manyi estimate --data data.csv --design design.json --queries queries.json [--format json|table])", f.name))
		}
	}
	if *format != "json" && *format != "table" {
		return fail(fmt.Errorf("--format %q: want json or table", *format))
	}
	var out bytes.Buffer
	if err := estimateFiles(*dataPath, *designPath, *queriesPath, *format, &out); err != nil {
		return fail(err)
	}
	if _, err := stdout.Write(out.Bytes()); err != nil {
		return fail(err)
	}
	return 0
}

// estimateFiles reads the three files, runs the queries and writes the
// answers to out.
func estimateFiles(dataPath, designPath, queriesPath, format string, out *bytes.Buffer) error {
	read := func(path string) ([]byte, error) {
		b, err := os.ReadFile(path)
		if err != nil {
			var pe *os.PathError
			if errors.As(err, &pe) {
				return nil, fmt.Errorf("%s: %v", path, pe.Err)
			}
			return nil, err
		}
		return b, nil
	}
	db, err := read(designPath)
	if err != nil {
		return err
	}
	design, err := estimate.ReadDesign(bytes.NewReader(db))
	if err != nil {
		return fmt.Errorf("%s: %w", designPath, err)
	}
	qb, err := read(queriesPath)
	if err != nil {
		return err
	}
	queries, err := estimate.ReadQueries(bytes.NewReader(qb))
	if err != nil {
		return fmt.Errorf("%s: %w", queriesPath, err)
	}
	cb, err := read(dataPath)
	if err != nil {
		return err
	}
	table, err := estimate.ReadCSV(bytes.NewReader(cb))
	if err != nil {
		return fmt.Errorf("%s: %w", dataPath, err)
	}
	res, err := estimate.Run(table, design, queries)
	if err != nil {
		return err
	}
	if format == "table" {
		return estimate.WriteTable(out, res)
	}
	return estimate.WriteJSON(out, res)
}
