// Package stats is manyi's design-based estimation engine: complex sampling
// designs (strata, multistage clusters, weights, finite population
// corrections), calibration (post-stratification, raking, linear/GREG with
// bounds), Taylor-linearization and replicate-weight variances, and the
// estimates a city satisfaction report needs (means, totals, ratios,
// proportions, the composite satisfaction index, regression, domains and
// contrasts) with Wald, logit and Korn–Graubard intervals and design effects.
//
// Every figure is meant to agree with R's survey package (Lumley, 4.1-1); each
// estimator's doc comment names the R function it matches and gives the
// formula. The package is pure computation on gonum: no files, no database.
//
// Typical use builds a design once, calibrates it once, and then asks for many
// estimates:
//
//	d, err := stats.NewDesign(stats.DesignSpec{Strata: district, Stages: []stats.Stage{{IDs: psu, FPC: npsu}}, Weights: w, Nest: true})
//	cd, err := d.Calibrate(stats.Calibration{Method: stats.Raking, Margins: margins})
//	idx, err := cd.Index(items, stats.Whole())                          // overall index
//	byDist, err := cd.Index(items, stats.Groups{Code: district, Len: 12}) // one estimate per district
//	diff := stats.Contrast(byDist[1], byDist[4])                        // D2 − D5, covariance counted
//	lo, hi := diff.Wald(0.95, math.Inf(1))                              // or float64(cd.DegF()) for t
//
// Missing values are NaN in numeric inputs and are dropped as a domain: the
// strata, clusters and calibration stay those of the full sample, as R does
// with na.rm = TRUE. Linearization work is linear in the number of rows; no
// n×n matrix is ever formed.
//
// FitPLS and BootstrapPLS estimate PLS path models (the CCSI customer-
// satisfaction model) as R's plspm 0.4.9 does, with sampling weights,
// missing answers and a design bootstrap; see docs/PLS.md.
//
// Misuse (slices of the wrong length, codes out of range) panics with a
// "stats:" prefix; bad data (a lonely PSU under LonelyFail, an empty domain,
// a calibration target that cannot be met) returns an error.
package stats
