// Package analysis turns a measurement's completed responses into the
// statistician's numbers: the weighting (design weights, a nonresponse
// adjustment, calibration to census margins, trimming) with its
// diagnostics, the satisfaction indices with their intervals, the same by
// district, gender, age band, education and mode with each group tested
// against the rest of the city, the change on last year, the drivers and
// the importance–performance matrix, and the exports.
//
// Every number comes from package stats through one path: Compute builds an
// in-memory estimate.Table, estimate.Design and []estimate.Query from the
// Dataset, runs them with estimate.BuildDesign and estimate.RunOn, and reads
// the Results from the answers. WriteAnalysisExport writes that same table,
// design and query list as data.csv, design.json and queries.json, so that
// `manyi estimate` on the folder prints the page's numbers (the headline
// overall index has the query id "overall"). The package is pure: no
// database and no HTTP; see docs/ANALYSIS.md.
package analysis
