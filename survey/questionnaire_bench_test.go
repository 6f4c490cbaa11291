package survey

import (
	"net/url"
	"testing"
)

// BenchmarkParsePage parses a full domain page of the default questionnaire,
// the work done on every page a resident submits.
func BenchmarkParsePage(b *testing.B) {
	q := DefaultQuestionnaire()
	prior := Answers{"consent": {"y"}, "age": {"40"}, "district": {"d2"}, "resident": {"y"}}
	form := url.Values{"_csrf": {"x"}, "prod_food": {"8"}, "prod_farm": {"7"}, "prod_medicine": {"99"}, "prod_daily": {"9"}, "prod_durable": {"6"}}
	for b.Loop() {
		if _, errs := q.ParsePage("product", form, prior); errs != nil {
			b.Fatal(errs)
		}
	}
}

// BenchmarkNextPage moves from the screener with a full set of answers.
func BenchmarkNextPage(b *testing.B) {
	q := DefaultQuestionnaire()
	a := Answers{"consent": {"y"}, "age": {"40"}, "district": {"d2"}, "resident": {"y"}}
	for b.Loop() {
		if q.NextPage("screener", a) != "product" {
			b.Fatal("wrong page")
		}
	}
}

// BenchmarkDefaultQuestionnaire decodes the embedded template (a fresh copy).
func BenchmarkDefaultQuestionnaire(b *testing.B) {
	for b.Loop() {
		DefaultQuestionnaire()
	}
}

// BenchmarkLoadQuestionnaire is the strict load and validation of the
// default template, as `manyi questionnaire validate` does it.
func BenchmarkLoadQuestionnaire(b *testing.B) {
	data := DefaultQuestionnaireJSON()
	for b.Loop() {
		if _, probs := LoadQuestionnaire(data); probs != nil {
			b.Fatal(probs)
		}
	}
}
