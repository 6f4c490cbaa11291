// Package demo is the demo measurement that `manyi serve --demo` and
// `manyi demo` create: 示例市 2026 with six districts and the default
// questionnaire, so that a fresh clone has something to answer.
package demo
