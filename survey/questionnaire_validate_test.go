package survey

import (
	"encoding/json"
	"strings"
	"testing"
)

func ptr[T any](v T) *T { return &v }

// badFile returns the default questionnaire changed by edit, as a JSON file.
func badFile(t *testing.T, edit func(q *Questionnaire)) []byte {
	t.Helper()
	q := DefaultQuestionnaire()
	edit(q)
	data, err := json.MarshalIndent(q, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// findProblem returns the first problem at path whose message contains msg.
func findProblem(probs []Problem, path, msg string) bool {
	for _, p := range probs {
		if p.Path == path && strings.Contains(p.Message, msg) {
			return true
		}
	}
	return false
}

// pageIndex finds a page of the default questionnaire by id, so that the
// cases below say which page they break without counting.
func pageIndex(q *Questionnaire, id string) int {
	_, i := q.Page(id)
	if i < 0 {
		panic("no page " + id)
	}
	return i
}

func TestValidateReportsEveryKind(t *testing.T) {
	// Page indices in the default: 0 welcome, 1 screener, 2 product,
	// 3 construction, 4 service, 5 environment, 6 public, 7 general,
	// 8 awareness, 9 involvement, 10 suggestions, 11 background.
	tests := []struct {
		name string
		edit func(q *Questionnaire)
		path string
		msg  string
	}{
		{"questionnaire id missing", func(q *Questionnaire) { q.ID = "" }, "id", "id is required"},
		{"questionnaire id malformed", func(q *Questionnaire) { q.ID = "Default" }, "id", "lower-case"},
		{"title zh missing", func(q *Questionnaire) { q.Title.Zh = "" }, "title.zh", "Chinese text is required"},
		{"welcome en missing", func(q *Questionnaire) { q.Welcome.En = " " }, "welcome.en", "English text is required"},
		{"thanks missing", func(q *Questionnaire) { q.Thanks = Text{} }, "thanks.zh", "Chinese"},
		{"domain id missing", func(q *Questionnaire) { q.Domains[1].ID = "" }, "domains[1].id", "id is required"},
		{"domain id duplicate", func(q *Questionnaire) { q.Domains[1].ID = "product" }, "domains[1].id", `duplicate domain id "product"`},
		{"domain id malformed", func(q *Questionnaire) { q.Domains[0].ID = "1prod" }, "domains[0].id", "lower-case"},
		{"domain name en missing", func(q *Questionnaire) { q.Domains[1].Name.En = "" }, "domains[1].name.en", "English text is required"},
		{"domain weight negative", func(q *Questionnaire) { q.Domains[2].Weight = -1 }, "domains[2].weight", "negative"},
		{"domain without page", func(q *Questionnaire) {
			q.Domains = append(q.Domains, Domain{ID: "safety", Name: Text{Zh: "安全", En: "Safety"}})
		}, "domains[5].id", `domain "safety" has no page`},
		{"no pages", func(q *Questionnaire) { q.Pages = nil; q.ScreenOut = nil }, "pages", "at least one page"},
		{"page id missing", func(q *Questionnaire) { q.Pages[3].ID = "" }, "pages[3].id", "id is required"},
		{"page id malformed", func(q *Questionnaire) { q.Pages[3].ID = "Cons-page" }, "pages[3].id", "lower-case"},
		{"page id duplicate", func(q *Questionnaire) { q.Pages[4].ID = "construction" }, "pages[4].id", `duplicate id "construction" (first used at pages[3]`},
		{"page id clashes with item id", func(q *Questionnaire) { q.Pages[4].ID = "prod_food" }, "pages[4].id", `duplicate id "prod_food"`},
		{"item id missing", func(q *Questionnaire) { q.Pages[2].Items[4].ID = "" }, "pages[2].items[4].id", "id is required"},
		{"item id malformed", func(q *Questionnaire) { q.Pages[2].Items[4].ID = "prod durable" }, "pages[2].items[4].id", "lower-case"},
		{"item id duplicate", func(q *Questionnaire) { q.Pages[3].Items[1].ID = "prod_food" }, "pages[3].items[1].id", `duplicate id "prod_food" (first used at pages[2].items[0]`},
		{"page kind missing", func(q *Questionnaire) { q.Pages[8].Kind = "" }, "pages[8].kind", "kind is required"},
		{"page kind unknown", func(q *Questionnaire) { q.Pages[8].Kind = "quiz" }, "pages[8].kind", `unknown kind "quiz"`},
		{"domain page without domain", func(q *Questionnaire) { q.Pages[2].Domain = "" }, "pages[2].domain", "needs the id of its domain"},
		{"domain page with unknown domain", func(q *Questionnaire) { q.Pages[2].Domain = "products" }, "pages[2].domain", `unknown domain "products"`},
		{"domain on a non-domain page", func(q *Questionnaire) { q.Pages[7].Domain = "product" }, "pages[7].domain", "only a page of kind"},
		{"domain page without scale items", func(q *Questionnaire) {
			q.Pages[6].Items = []Item{{ID: "pub_note", Type: TypeText, Text: Text{Zh: "备注", En: "Note"}}}
		}, "pages[6].items", "at least one scale item"},
		{"page title en missing", func(q *Questionnaire) { q.Pages[5].Title.En = "" }, "pages[5].title.en", "English"},
		{"page intro half filled", func(q *Questionnaire) { q.Pages[5].Intro.Zh = "" }, "pages[5].intro.zh", "Chinese"},
		{"page without items", func(q *Questionnaire) { q.Pages[7].Items = nil }, "pages[7].items", "at least one item"},
		{"item text en missing", func(q *Questionnaire) { q.Pages[2].Items[4].Text.En = "" }, "pages[2].items[4].text.en", "English"},
		{"item help half filled", func(q *Questionnaire) { q.Pages[1].Items[0].Help.En = "" }, "pages[1].items[0].help.en", "English"},
		{"item instruction half filled", func(q *Questionnaire) {
			q.Pages[1].Items[0].Instruct = Text{Zh: "请读出选项"}
		}, "pages[1].items[0].instruction.en", "English"},
		{"item type missing", func(q *Questionnaire) { q.Pages[7].Items[0].Type = "" }, "pages[7].items[0].type", "type is required"},
		{"item type unknown", func(q *Questionnaire) { q.Pages[7].Items[0].Type = "radio" }, "pages[7].items[0].type", `unknown type "radio"`},
		{"scale missing", func(q *Questionnaire) { q.Pages[2].Items[4].Scale = nil }, "pages[2].items[4].scale", "needs a scale"},
		{"scale max not above min", func(q *Questionnaire) { q.Pages[2].Items[4].Scale.Max = 1 }, "pages[2].items[4].scale", "max must exceed min"},
		{"scale too long", func(q *Questionnaire) { q.Pages[2].Items[4].Scale.Max = 1000 }, "pages[2].items[4].scale", "at most 101 points"},
		{"scale min label missing", func(q *Questionnaire) { q.Pages[2].Items[0].Scale.MinLabel.Zh = "" }, "pages[2].items[0].scale.min_label.zh", "Chinese"},
		{"scale max label missing", func(q *Questionnaire) { q.Pages[2].Items[0].Scale.MaxLabel.En = "" }, "pages[2].items[0].scale.max_label.en", "English"},
		{"dont know inside scale", func(q *Questionnaire) { q.Pages[2].Items[1].Scale.DontKnow.Code = "5" }, "pages[2].items[1].scale.dont_know.code", "inside the scale 1–10"},
		{"dont know code missing", func(q *Questionnaire) { q.Pages[2].Items[1].Scale.DontKnow.Code = "" }, "pages[2].items[1].scale.dont_know.code", "code is required"},
		{"dont know label missing", func(q *Questionnaire) { q.Pages[2].Items[1].Scale.DontKnow.Label.En = "" }, "pages[2].items[1].scale.dont_know.label.en", "English"},
		{"scale on a single item", func(q *Questionnaire) { q.Pages[1].Items[1].Scale = q.Pages[2].Items[0].Scale }, "pages[1].items[1].scale", "only scale items"},
		{"single without choices", func(q *Questionnaire) { q.Pages[1].Items[2].Choices = nil }, "pages[1].items[2].choices", "at least 2 choices"},
		{"single with one choice", func(q *Questionnaire) { q.Pages[1].Items[2].Choices = q.Pages[1].Items[2].Choices[:1] }, "pages[1].items[2].choices", "at least 2 choices"},
		{"multi without choices", func(q *Questionnaire) {
			q.Pages[11].Items[1].Type = TypeMulti
			q.Pages[11].Items[1].Choices = nil
		}, "pages[11].items[1].choices", "at least 1 choices"},
		{"choice code duplicate", func(q *Questionnaire) { q.Pages[1].Items[1].Choices[3].Code = "d1" }, "pages[1].items[1].choices[3].code", `duplicate code "d1" (also choices[0])`},
		{"choice code missing", func(q *Questionnaire) { q.Pages[1].Items[1].Choices[2].Code = "" }, "pages[1].items[1].choices[2].code", "code is required"},
		{"choice code malformed", func(q *Questionnaire) { q.Pages[1].Items[1].Choices[2].Code = "d 3" }, "pages[1].items[1].choices[2].code", "letters, digits"},
		{"choice label missing", func(q *Questionnaire) { q.Pages[1].Items[1].Choices[5].Label.Zh = "" }, "pages[1].items[1].choices[5].label.zh", "Chinese"},
		{"choices on a scale item", func(q *Questionnaire) { q.Pages[7].Items[0].Choices = q.Pages[1].Items[2].Choices }, "pages[7].items[0].choices", "only single and multi"},
		{"multi min choices above choices", func(q *Questionnaire) {
			q.Pages[11].Items[1].Type = TypeMulti
			q.Pages[11].Items[1].MinChoices = 9
		}, "pages[11].items[1].min_choices", "exceeds the 8 choices"},
		{"multi max below min", func(q *Questionnaire) {
			q.Pages[11].Items[1].Type = TypeMulti
			q.Pages[11].Items[1].MinChoices = 3
			q.Pages[11].Items[1].MaxChoices = 2
		}, "pages[11].items[1].max_choices", "below min_choices 3"},
		{"multi negative min", func(q *Questionnaire) {
			q.Pages[11].Items[1].Type = TypeMulti
			q.Pages[11].Items[1].MinChoices = -1
		}, "pages[11].items[1].min_choices", "negative"},
		{"min choices on a single item", func(q *Questionnaire) { q.Pages[11].Items[1].MaxChoices = 2 }, "pages[11].items[1].min_choices", "only multi items"},
		{"number min above max", func(q *Questionnaire) { q.Pages[1].Items[0].Min = ptr(130.0) }, "pages[1].items[0].min", "min 130 exceeds max 120"},
		{"min on a scale item", func(q *Questionnaire) { q.Pages[7].Items[0].Min = ptr(1.0) }, "pages[7].items[0].min", "only number items"},
		{"max on a text item", func(q *Questionnaire) { q.Pages[10].Items[0].Max = ptr(1.0) }, "pages[10].items[0].max", "only number items"},
		{"integer on a single item", func(q *Questionnaire) { q.Pages[1].Items[1].Integer = true }, "pages[1].items[1].integer", "only number items"},
		{"text max length negative", func(q *Questionnaire) { q.Pages[10].Items[1].MaxLength = -5 }, "pages[10].items[1].max_length", "negative"},
		{"max length on a scale item", func(q *Questionnaire) { q.Pages[7].Items[0].MaxLength = 10 }, "pages[7].items[0].max_length", "only text items"},
		{"role unknown", func(q *Questionnaire) { q.Pages[11].Items[0].Role = "sex" }, "pages[11].items[0].role", `unknown role "sex"`},
		{"role on the wrong type", func(q *Questionnaire) { q.Pages[2].Items[0].Role = "gender" }, "pages[2].items[0].role", `role "gender" needs an item of type single, not scale`},
		{"overall role repeated", func(q *Questionnaire) { q.Pages[6].Items[2].Role = "overall" }, "pages[7].items[0].role", `role "overall" is already used by pages[6].items[2]`},
		{"district role repeated", func(q *Questionnaire) {
			q.Pages[11].Items = append(q.Pages[11].Items, q.Pages[1].Items[1])
			q.Pages[11].Items[2].ID = "district_again"
		}, "pages[11].items[2].role", `role "district" is already used by pages[1].items[1]`},
		{"gender role repeated", func(q *Questionnaire) {
			it := q.Pages[1].Items[3]
			it.ID = "gender2"
			q.Pages[11].Items = append(q.Pages[11].Items, it)
		}, "pages[11].items[2].role", `role "gender" is already used`},
		{"age role repeated", func(q *Questionnaire) {
			it := q.Pages[1].Items[0]
			it.ID = "age2"
			q.Pages[11].Items = append(q.Pages[11].Items, it)
		}, "pages[11].items[2].role", `role "age" is already used`},
		{"item domain unknown", func(q *Questionnaire) { q.Pages[10].Items[0].Domain = "products" }, "pages[10].items[0].domain", `unknown domain "products"`},
		{"item domain on a domain page", func(q *Questionnaire) { q.Pages[2].Items[0].Domain = "product" }, "pages[2].items[0].domain", "take the page's domain"},
		{"condition item missing", func(q *Questionnaire) { q.Pages[3].When = &Condition{In: []string{"y"}} }, "pages[3].when.item", "item is required"},
		{"condition on unknown item", func(q *Questionnaire) {
			q.Pages[3].When = &Condition{Item: "smoker", In: []string{"y"}}
		}, "pages[3].when.item", `unknown item "smoker"`},
		{"condition on a page id", func(q *Questionnaire) {
			q.Pages[3].When = &Condition{Item: "screener", In: []string{"y"}}
		}, "pages[3].when.item", `"screener" is a page`},
		{"page condition on the same page", func(q *Questionnaire) {
			q.Pages[3].When = &Condition{Item: "cons_roads", In: []string{"1"}}
		}, "pages[3].when.item", "same page"},
		{"item condition on the same page", func(q *Questionnaire) {
			q.Pages[3].Items[2].When = &Condition{Item: "cons_roads", In: []string{"1"}}
		}, "pages[3].items[2].when.item", "same page"},
		{"item condition on a later page", func(q *Questionnaire) {
			q.Pages[3].Items[2].When = &Condition{Item: "overall", Max: ptr(5.0)}
		}, "pages[3].items[2].when.item", "later page"},
		{"condition without test", func(q *Questionnaire) { q.Pages[3].When = &Condition{Item: "resident"} }, "pages[3].when", "needs in, min or max"},
		{"condition code not a choice", func(q *Questionnaire) {
			q.Pages[3].When = &Condition{Item: "resident", In: []string{"yes"}}
		}, "pages[3].when.in[0]", `"yes" is not an answer item "resident" can have`},
		{"condition value outside scale", func(q *Questionnaire) {
			q.Pages[8].When = &Condition{Item: "overall", In: []string{"11"}}
		}, "pages[8].when.in[0]", `"11" is not an answer`},
		{"condition value not a number", func(q *Questionnaire) {
			q.Pages[8].When = &Condition{Item: "age", In: []string{"old"}}
		}, "pages[8].when.in[0]", `"old" is not an answer`},
		{"condition range on a single item", func(q *Questionnaire) {
			q.Pages[8].When = &Condition{Item: "district", Min: ptr(1.0)}
		}, "pages[8].when", "min and max apply to number and scale items"},
		{"condition min above max", func(q *Questionnaire) {
			q.Pages[8].When = &Condition{Item: "age", Min: ptr(60.0), Max: ptr(30.0)}
		}, "pages[8].when.min", "min 60 exceeds max 30"},
		{"condition range includes dont know", func(q *Questionnaire) {
			q.Pages[8].When = &Condition{Item: "overall", Min: ptr(6.0)}
		}, "pages[8].when", `includes the don't-know code "99"`},
		{"screen out on unknown item", func(q *Questionnaire) { q.ScreenOut[1].When.Item = "years" }, "screen_out[1].when.item", `unknown item "years"`},
		{"screen out without item", func(q *Questionnaire) { q.ScreenOut[0].When.Item = "" }, "screen_out[0].when.item", "item is required"},
		{"screen out code not a choice", func(q *Questionnaire) { q.ScreenOut[2].When.In = []string{"no"} }, "screen_out[2].when.in[0]", `"no" is not an answer`},
		{"screen out message missing", func(q *Questionnaire) { q.ScreenOut[2].Message.En = "" }, "screen_out[2].message.en", "English"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, probs := LoadQuestionnaire(badFile(t, tt.edit))
			if q != nil {
				t.Errorf("LoadQuestionnaire returned a questionnaire despite problems")
			}
			if !findProblem(probs, tt.path, tt.msg) {
				t.Errorf("got problems %v, want one at %s containing %q", probs, tt.path, tt.msg)
			}
			// Validate on the decoded value must agree with the file check.
			var dq Questionnaire
			if err := json.Unmarshal(badFile(t, tt.edit), &dq); err != nil {
				t.Fatal(err)
			}
			if !findProblem(dq.Validate(), tt.path, tt.msg) {
				t.Errorf("Validate: got %v, want one at %s containing %q", dq.Validate(), tt.path, tt.msg)
			}
		})
	}
}

func TestValidateReportsAllProblems(t *testing.T) {
	q := DefaultQuestionnaire()
	q.Title.En = ""
	q.Pages[2].Items[4].Scale.Max = 0
	q.Pages[1].Items[2].Choices = nil
	q.ScreenOut[0].When.Item = "nobody"
	probs := q.Validate()
	// Removing the residence choices also breaks the screen-out rule on it.
	want := []string{"title.en", "pages[1].items[2].choices", "pages[2].items[4].scale", "screen_out[0].when.item", "screen_out[2].when.in[0]"}
	if len(probs) != len(want) {
		t.Fatalf("got %d problems %v, want %d", len(probs), probs, len(want))
	}
	for i, p := range probs {
		if p.Path != want[i] {
			t.Errorf("problem %d: got path %s, want %s (document order)", i, p.Path, want[i])
		}
	}
}

func TestProblemString(t *testing.T) {
	p := Problem{Path: "pages[2].items[4].scale", Message: "max must exceed min"}
	if got, want := p.String(), "pages[2].items[4].scale: max must exceed min"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestLoadQuestionnaireStructure(t *testing.T) {
	// A small valid file the cases below break in one place each.
	const good = `{
  "id": "mini",
  "title": {"zh": "测试", "en": "Test"},
  "welcome": {"zh": "您好", "en": "Hello"},
  "thanks": {"zh": "谢谢", "en": "Thanks"},
  "domains": [{"id": "product", "name": {"zh": "产品质量", "en": "Product quality"}}],
  "pages": [
    {"id": "p1", "kind": "domain", "domain": "product", "title": {"zh": "产品", "en": "Products"},
     "items": [
       {"id": "food", "type": "scale", "required": true, "text": {"zh": "食品", "en": "Food"},
        "scale": {"min": 1, "max": 10, "min_label": {"zh": "差", "en": "Poor"}, "max_label": {"zh": "好", "en": "Good"}}}
     ]}
  ]
}`
	if q, probs := LoadQuestionnaire([]byte(good)); q == nil || len(probs) > 0 {
		t.Fatalf("the base file: got problems %v, want none", probs)
	}
	if q, probs := LoadQuestionnaire([]byte("\xef\xbb\xbf" + good)); q == nil || len(probs) > 0 {
		t.Errorf("with a BOM: got problems %v, want none", probs)
	}
	tests := []struct {
		name      string
		old, new  string
		path, msg string
	}{
		{"unknown top-level field", `"id": "mini",`, `"id": "mini", "colour": "red",`, "colour", "unknown field (line 2, column 17)"},
		{"unknown item field", `"required": true,`, `"required": true, "optional": false,`, "pages[0].items[0].optional", "unknown field"},
		{"unknown scale field", `"min": 1,`, `"min": 1, "step": 1,`, "pages[0].items[0].scale.step", "unknown field"},
		{"field in the wrong case", `"type": "scale"`, `"Type": "scale"`, "pages[0].items[0].Type", `did you mean "type"?`},
		{"field given twice", `"id": "mini",`, `"id": "mini", "id": "other",`, "id", "field given twice"},
		{"string for a number", `"max": 10`, `"max": "10"`, "pages[0].items[0].scale.max", `want a whole number, got the string "10"`},
		{"fraction for an int", `"max": 10`, `"max": 10.5`, "pages[0].items[0].scale.max", "want a whole number, got 10.5"},
		{"number for a string", `"id": "food"`, `"id": 7`, "pages[0].items[0].id", "want a string, got the number 7"},
		{"string for a bool", `"required": true`, `"required": "yes"`, "pages[0].items[0].required", "want true or false"},
		{"object for an array", `"items": [`, `"items": {"x": [`, "pages[0].items", "want an array, got an object"},
		{"array for an object", `"title": {"zh": "测试", "en": "Test"}`, `"title": ["测试", "Test"]`, "title", "want an object, got an array"},
		{"string for a number in a condition", `"required": true,`, `"required": true, "when": {"item": "x", "min": "1"},`, "pages[0].items[0].when.min", "want a number"},
		{"missing comma", `"required": true,`, `"required": true`, "line 10, column 57", "invalid JSON: invalid character '\"' after object key:value pair (inside pages[0].items[0])"},
		{"trailing comma", `"Good"}}`, `"Good"},}`, "line 11, column 119", "invalid JSON"},
		{"bad literal", `"required": true`, `"required": ture`, "line 10, column 52", "invalid JSON"},
		{"unclosed", good[len(good)-1:], "", "line 14, column 1", "invalid JSON"},
		{"trailing data", good[len(good)-1:], "} {}", "line 14, column 3", "unexpected data after the end"},
		{"not an object", good, `["a"]`, "(file)", "want an object, got an array"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var bad string
			if tt.old == good[len(good)-1:] {
				bad = good[:len(good)-1] + tt.new
			} else {
				if !strings.Contains(good, tt.old) {
					t.Fatalf("the base file has no %q", tt.old)
				}
				bad = strings.Replace(good, tt.old, tt.new, 1)
			}
			q, probs := LoadQuestionnaire([]byte(bad))
			if q != nil {
				t.Errorf("got a questionnaire, want nil")
			}
			if !findProblem(probs, tt.path, tt.msg) {
				t.Errorf("got %v, want a problem at %s containing %q", probs, tt.path, tt.msg)
			}
		})
	}
}

func TestLoadQuestionnaireEmpty(t *testing.T) {
	for _, in := range []string{"", "  \n", "\xef\xbb\xbf"} {
		q, probs := LoadQuestionnaire([]byte(in))
		if q != nil || len(probs) != 1 || !strings.Contains(probs[0].Message, "empty") {
			t.Errorf("LoadQuestionnaire(%q): got %v, %v, want one problem saying the file is empty", in, q, probs)
		}
	}
}

func TestLoadQuestionnaireStructureAndValidation(t *testing.T) {
	// An unknown field does not hide the validation problems elsewhere, and
	// a wrongly typed field is not reported a second time by validation.
	data := badFile(t, func(q *Questionnaire) { q.Thanks.En = "" })
	s := strings.Replace(string(data), `"id": "welcome",`, `"id": "welcome", "colour": "red",`, 1)
	s = strings.Replace(s, `"max": 10,`, `"max": "ten",`, 1)
	_, probs := LoadQuestionnaire([]byte(s))
	wantPaths := []string{"pages[0].colour", "pages[2].items[0].scale.max", "thanks.en"}
	for _, w := range wantPaths {
		if !findProblem(probs, w, "") {
			t.Errorf("got %v, want a problem at %s", probs, w)
		}
	}
	if findProblem(probs, "pages[2].items[0].scale", "max must exceed") {
		t.Errorf("got %v, want the type error only, not a scale problem echoing it", probs)
	}
}
