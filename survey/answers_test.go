package survey

import (
	"math"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

func TestConditionHolds(t *testing.T) {
	a := Answers{
		"district": {"d2"},
		"age":      {"30"},
		"topics":   {"a", "c"},
		"sat":      {"99"},
		"blank":    {""},
		"note":     {"hello"},
	}
	tests := []struct {
		name string
		c    *Condition
		want bool
	}{
		{"nil holds", nil, true},
		{"code in", &Condition{Item: "district", In: []string{"d1", "d2"}}, true},
		{"code not in", &Condition{Item: "district", In: []string{"d1"}}, false},
		{"not inverts", &Condition{Item: "district", In: []string{"d1"}, Not: true}, true},
		{"not inverts a match", &Condition{Item: "district", In: []string{"d2"}, Not: true}, false},
		{"unanswered never holds", &Condition{Item: "gender", In: []string{"m"}}, false},
		{"unanswered never holds, even with not", &Condition{Item: "gender", In: []string{"m"}, Not: true}, false},
		{"an empty value is unanswered", &Condition{Item: "blank", In: []string{""}, Not: true}, false},
		{"number as decimal text", &Condition{Item: "age", In: []string{"30"}}, true},
		{"number compares by value", &Condition{Item: "age", In: []string{"30.0"}}, true},
		{"in range", &Condition{Item: "age", Min: ptr(18.0), Max: ptr(70.0)}, true},
		{"below min", &Condition{Item: "age", Min: ptr(31.0)}, false},
		{"at max", &Condition{Item: "age", Max: ptr(30.0)}, true},
		{"outside range with not", &Condition{Item: "age", Min: ptr(18.0), Max: ptr(29.0), Not: true}, true},
		{"in and range both apply", &Condition{Item: "age", In: []string{"30"}, Max: ptr(20.0)}, false},
		{"multi: any value matches", &Condition{Item: "topics", In: []string{"c"}}, true},
		{"multi: none matches", &Condition{Item: "topics", In: []string{"b"}}, false},
		{"multi: not means none chosen", &Condition{Item: "topics", In: []string{"b"}, Not: true}, true},
		{"don't know by code", &Condition{Item: "sat", In: []string{"99"}}, true},
		{"text never in a range", &Condition{Item: "note", Min: ptr(0.0)}, false},
		{"text by exact value", &Condition{Item: "note", In: []string{"hello"}}, true},
	}
	for _, tt := range tests {
		if got := tt.c.Holds(a); got != tt.want {
			t.Errorf("%s: got %t, want %t", tt.name, got, tt.want)
		}
	}
}

func TestAnswersMerge(t *testing.T) {
	a := Answers{"x": {"1"}, "y": {"2"}}
	b := Answers{"y": {"3"}, "z": {"4", "5"}}
	got := a.Merge(b)
	want := Answers{"x": {"1"}, "y": {"3"}, "z": {"4", "5"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	got["x"][0] = "changed"
	got["z"][0] = "changed"
	if a["x"][0] != "1" || b["z"][0] != "4" || len(a) != 2 {
		t.Errorf("Merge changed its arguments: a=%v b=%v", a, b)
	}
	if got := Answers(nil).Merge(nil); got == nil || len(got) != 0 {
		t.Errorf("nil.Merge(nil): got %v, want an empty map", got)
	}
}

func TestItemScore(t *testing.T) {
	q := DefaultQuestionnaire()
	food, _ := q.Item("prod_food")
	age, _ := q.Item("age")
	five := &Item{Type: TypeScale, Scale: &Scale{Min: 1, Max: 5}}
	tests := []struct {
		name string
		it   *Item
		v    string
		want float64
		ok   bool
	}{
		{"bottom of 1–10", food, "1", 0, true},
		{"top of 1–10", food, "10", 100, true},
		{"middle of 1–10", food, "5", 100 * 4.0 / 9, true}, // DOMAIN.md: 100 (x − min) / (max − min)
		{"don't know", food, "99", 0, false},
		{"below scale", food, "0", 0, false},
		{"above scale", food, "11", 0, false},
		{"not a number", food, "seven", 0, false},
		{"empty", food, "", 0, false},
		{"not a scale", age, "30", 0, false},
		{"5-point 4 maps to 75", five, "4", 75, true}, // DOMAIN.md: 100/75/50/25/0
		{"5-point 1 maps to 0", five, "1", 0, true},
	}
	for _, tt := range tests {
		got, ok := tt.it.Score(tt.v)
		if ok != tt.ok || math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("%s: Score(%q) got %v, %t, want %v, %t", tt.name, tt.v, got, ok, tt.want, tt.ok)
		}
	}
}

func TestParsePage(t *testing.T) {
	q := flowQ(t)
	required := msgRequired
	scaleMsg := Text{Zh: "请在 1–10 之间选择", En: "Choose a value from 1 to 10"}
	tests := []struct {
		name  string
		page  string
		form  url.Values
		prior Answers
		want  Answers
		errs  []FieldError
	}{
		{"single ok", "start", url.Values{"agree": {"y"}}, nil, Answers{"agree": {"y"}}, nil},
		{"single with spaces", "start", url.Values{"agree": {" y "}}, nil, Answers{"agree": {"y"}}, nil},
		{"single missing", "start", url.Values{}, nil, Answers{}, []FieldError{{"agree", required}}},
		{"single empty value", "start", url.Values{"agree": {""}}, nil, Answers{}, []FieldError{{"agree", required}}},
		{"single not a choice", "start", url.Values{"agree": {"maybe"}}, nil, Answers{}, []FieldError{{"agree", msgChoice}}},
		{"single twice", "start", url.Values{"agree": {"y", "n"}}, nil, Answers{}, []FieldError{{"agree", msgOneAnswer}}},
		{"web fields ignored", "start", url.Values{"agree": {"y"}, "_csrf": {"t"}, "_elapsed": {"12"}}, nil, Answers{"agree": {"y"}}, nil},
		{"unknown field", "start", url.Values{"agree": {"y"}, "colour": {"red"}}, nil, Answers{"agree": {"y"}},
			[]FieldError{{"", Text{Zh: "表单中有本页没有的字段“colour”", En: `The form has a field "colour" that is not on this page`}}}},
		{"field from another page", "start", url.Values{"agree": {"y"}, "age": {"30"}}, nil, Answers{"agree": {"y"}},
			[]FieldError{{"", Text{Zh: "表单中有本页没有的字段“age”", En: `The form has a field "age" that is not on this page`}}}},

		{"number ok", "screen", url.Values{"smoker": {"n"}, "age": {"35"}}, nil, Answers{"smoker": {"n"}, "age": {"35"}}, nil},
		{"number full-width", "screen", url.Values{"smoker": {"n"}, "age": {" ３５ "}}, nil, Answers{"smoker": {"n"}, "age": {"35"}}, nil},
		{"number canonical", "screen", url.Values{"smoker": {"n"}, "age": {"035"}}, nil, Answers{"smoker": {"n"}, "age": {"35"}}, nil},
		{"number not whole", "screen", url.Values{"smoker": {"n"}, "age": {"35.5"}}, nil, Answers{"smoker": {"n"}}, []FieldError{{"age", msgInteger}}},
		{"number not a number", "screen", url.Values{"smoker": {"n"}, "age": {"thirty"}}, nil, Answers{"smoker": {"n"}}, []FieldError{{"age", msgNumber}}},
		{"number exponent", "screen", url.Values{"smoker": {"n"}, "age": {"3e1"}}, nil, Answers{"smoker": {"n"}}, []FieldError{{"age", msgNumber}}},
		{"number above max", "screen", url.Values{"smoker": {"n"}, "age": {"150"}}, nil, Answers{"smoker": {"n"}},
			[]FieldError{{"age", Text{Zh: "请填写 0–120 之间的数", En: "Enter a number from 0 to 120"}}}},
		{"number below min", "screen", url.Values{"smoker": {"n"}, "age": {"-1"}}, nil, Answers{"smoker": {"n"}},
			[]FieldError{{"age", Text{Zh: "请填写 0–120 之间的数", En: "Enter a number from 0 to 120"}}}},
		{"every problem at once", "screen", url.Values{"age": {"x"}}, nil, Answers{}, []FieldError{{"smoker", required}, {"age", msgNumber}}},

		{"conditional page hidden: values dropped", "habit", url.Values{"cigs": {"500"}}, nonSmoker, Answers{}, nil},
		{"conditional page hidden: not required", "habit", url.Values{}, nonSmoker, Answers{}, nil},
		{"conditional page shown: required", "habit", url.Values{}, smoker, Answers{}, []FieldError{{"cigs", required}}},
		{"conditional page shown: value", "habit", url.Values{"cigs": {"5"}}, smoker, Answers{"cigs": {"5"}}, nil},
		{"conditional page shown: range", "habit", url.Values{"cigs": {"500"}}, smoker, Answers{},
			[]FieldError{{"cigs", Text{Zh: "请填写 0–100 之间的数", En: "Enter a number from 0 to 100"}}}},

		{"scale ok", "rate", url.Values{"sat": {"7"}}, nonSmoker, Answers{"sat": {"7"}}, nil},
		{"scale don't know", "rate", url.Values{"sat": {"99"}}, nonSmoker, Answers{"sat": {"99"}}, nil},
		{"scale above", "rate", url.Values{"sat": {"11"}}, nonSmoker, Answers{}, []FieldError{{"sat", scaleMsg}}},
		{"scale zero", "rate", url.Values{"sat": {"0"}}, nonSmoker, Answers{}, []FieldError{{"sat", scaleMsg}}},
		{"scale fraction", "rate", url.Values{"sat": {"7.5"}}, nonSmoker, Answers{}, []FieldError{{"sat", scaleMsg}}},
		{"scale text", "rate", url.Values{"sat": {"good"}}, nonSmoker, Answers{}, []FieldError{{"sat", scaleMsg}}},
		{"scale missing", "rate", url.Values{}, nonSmoker, Answers{}, []FieldError{{"sat", required}}},
		{"item condition hides text", "rate", url.Values{"sat": {"7"}, "why": {"because"}}, nonSmoker, Answers{"sat": {"7"}}, nil},
		{"item condition shows text", "rate", url.Values{"sat": {"7"}, "why": {"  line one\r\nline two  "}}, smoker,
			Answers{"sat": {"7"}, "why": {"line one\nline two"}}, nil},

		{"multi in choice order", "extra", url.Values{"topics": {"b", "a"}}, nil, Answers{"topics": {"a", "b"}}, nil},
		{"multi repeated code", "extra", url.Values{"topics": {"a", "a"}}, nil, Answers{"topics": {"a"}}, nil},
		{"multi too many", "extra", url.Values{"topics": {"a", "b", "c"}}, nil, Answers{},
			[]FieldError{{"topics", Text{Zh: "最多选择 2 项", En: "Choose at most 2 options"}}}},
		{"multi not a choice", "extra", url.Values{"topics": {"a", "z"}}, nil, Answers{}, []FieldError{{"topics", msgChoice}}},
		{"optional items may stay empty", "extra", url.Values{"topics": {""}, "note": {"  "}}, nil, Answers{}, nil},
		{"text at the limit", "extra", url.Values{"note": {"质量很好质量很好质量"}}, nil, Answers{"note": {"质量很好质量很好质量"}}, nil},
		{"text over the limit", "extra", url.Values{"note": {"质量很好质量很好质量好"}}, nil, Answers{},
			[]FieldError{{"note", Text{Zh: "最多 10 字，现在是 11 字", En: "Use at most 10 characters (now 11)"}}}},
		{"text not UTF-8", "extra", url.Values{"note": {"ab\xffcd"}}, nil, Answers{}, []FieldError{{"note", msgBadText}}},
		{"text twice", "extra", url.Values{"note": {"a", "b"}}, nil, Answers{}, []FieldError{{"note", msgOneAnswer}}},

		{"unknown page", "nope", url.Values{}, nil, nil, []FieldError{{"", msgNoSuchPage}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, errs := q.ParsePage(tt.page, tt.form, tt.prior)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("answers: got %#v, want %#v", got, tt.want)
			}
			if !reflect.DeepEqual(errs, tt.errs) {
				t.Errorf("errors: got %v, want %v", errs, tt.errs)
			}
		})
	}
}

func TestParsePageDefault(t *testing.T) {
	q := DefaultQuestionnaire()
	got, errs := q.ParsePage("screener", url.Values{"age": {"45"}, "district": {"d3"}, "resident": {"y"}, "gender": {"f"}}, Answers{"consent": {"y"}})
	if want := (Answers{"age": {"45"}, "district": {"d3"}, "resident": {"y"}, "gender": {"f"}}); !reflect.DeepEqual(got, want) || errs != nil {
		t.Errorf("screener: got %v, %v, want %v, no errors", got, errs, want)
	}
	long := strings.Repeat("好", 501)
	_, errs = q.ParsePage("suggestions", url.Values{"sugg_product": {long}}, nil)
	if len(errs) != 1 || errs[0].Field != "sugg_product" || errs[0].Message.En != "Use at most 500 characters (now 501)" {
		t.Errorf("suggestion of 501 runes: got %v, want one length error", errs)
	}
	got, errs = q.ParsePage("suggestions", url.Values{}, nil)
	if len(got) != 0 || errs != nil {
		t.Errorf("empty suggestions: got %v, %v, want nothing (all optional)", got, errs)
	}
	_, errs = q.ParsePage("background", url.Values{"occupation": {"retired"}}, nil)
	if len(errs) != 1 || errs[0].Field != "education" {
		t.Errorf("background without education: got %v, want one error on education (occupation is optional)", errs)
	}
}

func TestParsePageLongUnknownField(t *testing.T) {
	q := flowQ(t)
	name := strings.Repeat("字", 100)
	_, errs := q.ParsePage("start", url.Values{"agree": {"y"}, name: {"1"}}, nil)
	if len(errs) != 1 || errs[0].Field != "" || len([]rune(errs[0].Message.Zh)) > 60 {
		t.Errorf("got %v, want one error naming a shortened field", errs)
	}
}

func TestParseNumber(t *testing.T) {
	tests := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"35", 35, true},
		{" 35 ", 35, true},
		{"-1.5", -1.5, true},
		{"+2", 2, true},
		{".5", 0.5, true},
		{"5.", 5, true},
		{"３５", 35, true},
		{"１２．５", 12.5, true},
		{"", 0, false},
		{".", 0, false},
		{"-", 0, false},
		{"1.2.3", 0, false},
		{"1e3", 0, false},
		{"0x10", 0, false},
		{"Inf", 0, false},
		{"NaN", 0, false},
		{"1_000", 0, false},
		{"1,000", 0, false},
		{"35岁", 0, false},
	}
	for _, tt := range tests {
		got, ok := parseNumber(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseNumber(%q): got %v, %t, want %v, %t", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestNumberRangeMessages(t *testing.T) {
	tests := []struct {
		name     string
		min, max *float64
		v        string
		want     *Text
	}{
		{"both bounds", ptr(0.0), ptr(10.0), "11", &Text{Zh: "请填写 0–10 之间的数", En: "Enter a number from 0 to 10"}},
		{"min only", ptr(1.5), nil, "1", &Text{Zh: "请填写不小于 1.5 的数", En: "Enter a number of at least 1.5"}},
		{"max only", nil, ptr(100.0), "101", &Text{Zh: "请填写不大于 100 的数", En: "Enter a number of at most 100"}},
		{"unbounded", nil, nil, "-1e0", &msgNumber},
		{"unbounded ok", nil, nil, "-12.25", nil},
	}
	for _, tt := range tests {
		it := &Item{ID: "n", Type: TypeNumber, Min: tt.min, Max: tt.max}
		_, msg := it.parse([]string{tt.v})
		if !reflect.DeepEqual(msg, tt.want) {
			t.Errorf("%s: got %v, want %v", tt.name, msg, tt.want)
		}
	}
}
