// Package workspace is the statistician's and the office's one path from
// the store to the approved numbers: it loads a measurement, its data, its
// current weighting version and index method (and last year's, for the
// change of every figure), computes the Results with analysis.Compute, and
// renders the report PDF from them. The results page, the web exports and
// the report button call it, so that the page, the analysis folder and the
// PDF carry the same numbers; cmd/manyi's export and report commands do
// the same steps (computeMeasurement, buildReport) and can call it too.
//
// Stamp names what a computation depends on (data, weighting version,
// index method, census, last year's link and data) cheaply, without
// loading the responses, so that a caller can cache Results by it.
//
// The package imports no adapter: Store and EditStore are declared here,
// over types of the domain packages (analysis.WeightingVersion,
// fieldwork.Summary, survey.ConclusionsVersion), so that the stores
// implement them without importing this package and, through it, the
// report's PDF and plotting libraries.
package workspace
