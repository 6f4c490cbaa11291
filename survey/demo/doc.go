// Package demo is the demo measurement that `manyi serve --demo` and
// `manyi demo` create: 示例市 2026 with six districts and the default
// questionnaire, so that a fresh clone has something to answer. Simulate
// (`manyi demo --responses N`, and `serve --demo` with 2,000) fills it and
// last year's demo-2025 with simulated completed responses, census counts
// and a weighting, so that the results and the report have numbers at once.
package demo
