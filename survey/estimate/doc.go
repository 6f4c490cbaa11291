// Package estimate runs design-based estimates described by files — the
// data (data.csv), the sampling design (design.json) and the estimates
// wanted (queries.json) — through package stats and produces the answers in
// the shape of the reference cases' expected.json (see
// stats/testdata/estimation/README.md for the formats).
//
// Other Go code (the statistician's results page, the export) builds the
// same Table, Design and Queries in memory and calls Run, so that
// `manyi estimate` on an exported folder prints exactly the page's numbers.
// WriteCSV, WriteDesign and WriteQueries write the files the CLI reads.
//
// Every error names what is wrong and where: the column, the row (counted
// from 1 after the header), the query and the field.
package estimate
