// Package sampling is the pure fieldwork logic of a measurement: reading a
// sampling frame from CSV, allocating a total sample over strata, drawing a
// stratified simple random sample (with a reserve released in batches) that
// is reproducible from a seed, quota targets for district × gender × age-band
// cells, and AAPOR outcome rates from case dispositions.
//
// Nothing here touches a database, the network or the clock: the store and
// the web layer call these functions, and `manyi sample` wires them to files.
// Misuse by a programmer (a negative count, e outside [0, 1]) panics with the
// package prefix; bad data from a user returns errors a person can act on, in
// Chinese and English. The formulas, the drawing algorithm and the AAPOR
// mapping are written out in docs/FIELDWORK.md.
package sampling
