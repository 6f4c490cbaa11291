// Package report turns the approved results of a measurement into the
// 《市民质量满意度测评情况报告》 PDF that a city attaches to its acceptance
// application.
//
// The package has two halves. model.go holds Model, a pure struct of numbers
// and bilingual texts with no database or statistics behind it, plus the
// plain rules that write the conclusions (GenerateConclusions). pdf.go,
// sections.go, layout.go and charts.go lay a Model out as an A4 report
// (docs/REPORT.md): cover, table of contents with real page numbers, twelve
// numbered sections, numbered tables and figures, running footer
// "第 N 页 共 M 页". Keeping the model pure means
// the only work left to the caller is filling it from the statistician's
// results, and the layout can be tested with synthetic numbers.
//
// Rendering is deterministic: the same Model and Options give a byte-identical
// PDF (dates come from Meta.ReportDate, catalogues are sorted, nothing
// iterates a map or reads the clock).
package report
