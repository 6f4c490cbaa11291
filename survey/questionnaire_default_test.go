package survey

import (
	"bytes"
	"encoding/json"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

func TestDefaultQuestionnaireIsValid(t *testing.T) {
	q, probs := LoadQuestionnaire(DefaultQuestionnaireJSON())
	if len(probs) > 0 {
		t.Fatalf("the embedded default has problems: %v", probs)
	}
	if !reflect.DeepEqual(q, DefaultQuestionnaire()) {
		t.Errorf("LoadQuestionnaire and DefaultQuestionnaire decode the embedded file differently")
	}
}

func TestDefaultQuestionnaireShape(t *testing.T) {
	q := DefaultQuestionnaire()

	var domains []string
	for _, d := range q.Domains {
		domains = append(domains, d.ID+"="+d.Name.Zh)
	}
	// DOMAIN.md "The questionnaire (default template)".
	wantDomains := []string{"product=产品质量", "construction=工程质量", "service=服务质量", "environment=环境质量", "public=公共管理质量"}
	if !slices.Equal(domains, wantDomains) {
		t.Errorf("domains: got %v, want %v", domains, wantDomains)
	}

	var kinds []string
	for _, p := range q.Pages {
		kinds = append(kinds, p.Kind)
	}
	wantKinds := []string{"consent", "screener", "domain", "domain", "domain", "domain", "domain", "overall", "awareness", "participation", "suggestions", "background"}
	if !slices.Equal(kinds, wantKinds) {
		t.Errorf("page kinds: got %v, want %v (DOMAIN.md block order)", kinds, wantKinds)
	}

	total := 0
	prefix := map[string]string{"product": "prod_", "construction": "cons_", "service": "serv_", "environment": "env_", "public": "pub_"}
	for _, d := range q.Domains {
		items := q.DomainItems(d.ID)
		total += len(items)
		if len(items) < 3 || len(items) > 5 {
			t.Errorf("domain %s: got %d items, want 3–5", d.ID, len(items))
		}
		for _, it := range items {
			if !strings.HasPrefix(it.ID, prefix[d.ID]) {
				t.Errorf("domain %s: item %s, want the prefix %s", d.ID, it.ID, prefix[d.ID])
			}
			if !it.Required || it.Scale.Min != 1 || it.Scale.Max != 10 || it.Scale.DontKnow == nil || it.Scale.DontKnow.Code != "99" || it.Scale.DontKnow.Label.Zh != "不清楚/不适用" {
				t.Errorf("item %s: want a required 1–10 scale with don't know 99 不清楚/不适用", it.ID)
			}
		}
	}
	if total < 18 || total > 22 {
		t.Errorf("satisfaction items: got %d, want about 20", total)
	}

	roles := []struct {
		role     string
		ids      []string
		typ      ItemType
		required bool
	}{
		{RoleConsent, []string{"consent"}, TypeSingle, true},
		{RoleAge, []string{"age"}, TypeNumber, true},
		{RoleDistrict, []string{"district"}, TypeSingle, true},
		{RoleResident, []string{"resident"}, TypeSingle, true},
		{RoleOverall, []string{"overall"}, TypeScale, true},
		{RoleAwareness, []string{"aware_campaign", "aware_12315"}, TypeSingle, true},
		{RoleParticipation, []string{"participation"}, TypeSingle, true},
		{RoleConfidence, []string{"confidence"}, TypeScale, true},
		{RoleSuggestion, []string{"sugg_product", "sugg_construction", "sugg_service", "sugg_environment", "sugg_public"}, TypeText, false},
		{RoleGender, []string{"gender"}, TypeSingle, true},
		{RoleEducation, []string{"education"}, TypeSingle, true},
		{RoleOccupation, []string{"occupation"}, TypeSingle, false},
		{RoleAgeBand, nil, "", false}, // derived from age, no item
	}
	for _, r := range roles {
		var ids []string
		for _, it := range q.ItemsByRole(r.role) {
			ids = append(ids, it.ID)
			if it.Type != r.typ || it.Required != r.required {
				t.Errorf("role %s item %s: got %s required=%t, want %s required=%t", r.role, it.ID, it.Type, it.Required, r.typ, r.required)
			}
		}
		if !slices.Equal(ids, r.ids) {
			t.Errorf("role %s: got items %v, want %v", r.role, ids, r.ids)
		}
	}

	district, _ := q.Item("district")
	var names []string
	for _, c := range district.Choices {
		names = append(names, c.Code+"="+c.Label.Zh+"/"+c.Label.En)
	}
	wantNames := []string{"d1=东城区/Dongcheng District", "d2=西城区/Xicheng District", "d3=南湖区/Nanhu District", "d4=北山区/Beishan District", "d5=滨江新区/Binjiang New Area", "d6=青溪县/Qingxi County"}
	if !slices.Equal(names, wantNames) {
		t.Errorf("districts: got %v, want %v", names, wantNames)
	}
	if gender, _ := q.Item("gender"); gender.Choices[0].Code != "m" || gender.Choices[1].Code != "f" {
		t.Errorf("gender codes: got %v, want m, f", gender.Choices)
	}
	if edu, _ := q.Item("education"); len(edu.Choices) != 5 {
		t.Errorf("education: got %d levels, want 5", len(edu.Choices))
	}
	if occ, _ := q.Item("occupation"); len(occ.Choices) < 7 || len(occ.Choices) > 9 {
		t.Errorf("occupation: got %d choices, want about 8", len(occ.Choices))
	}
	for _, s := range q.ItemsByRole(RoleSuggestion) {
		if s.MaxRunes() != 500 || q.ItemDomain(s.ID) != strings.TrimPrefix(s.ID, "sugg_") {
			t.Errorf("suggestion %s: got max %d runes, domain %q; want 500 and its domain", s.ID, s.MaxRunes(), q.ItemDomain(s.ID))
		}
	}
	if got := q.ItemDomain("env_air"); got != "environment" {
		t.Errorf("ItemDomain(env_air): got %q, want environment", got)
	}
}

// TestDefaultQuestionnaireTexts checks that Chinese texts are Chinese and
// English texts carry no Chinese, so a swapped pair does not ship.
func TestDefaultQuestionnaireTexts(t *testing.T) {
	var walk func(path string, v reflect.Value)
	walk = func(path string, v reflect.Value) {
		switch v.Kind() {
		case reflect.Pointer:
			if !v.IsNil() {
				walk(path, v.Elem())
			}
		case reflect.Slice:
			for i := range v.Len() {
				walk(path+"["+strconv.Itoa(i)+"]", v.Index(i))
			}
		case reflect.Struct:
			if tx, ok := v.Interface().(Text); ok {
				if tx.Zh == "" && tx.En == "" {
					return
				}
				if !strings.ContainsFunc(tx.Zh, func(r rune) bool { return unicode.Is(unicode.Han, r) }) {
					t.Errorf("%s: zh %q has no Chinese", path, tx.Zh)
				}
				if strings.ContainsFunc(tx.En, func(r rune) bool { return unicode.Is(unicode.Han, r) }) {
					t.Errorf("%s: en %q has Chinese", path, tx.En)
				}
				return
			}
			for i := range v.NumField() {
				walk(path+"."+v.Type().Field(i).Name, v.Field(i))
			}
		}
	}
	walk("q", reflect.ValueOf(DefaultQuestionnaire()))
}

func TestDefaultQuestionnaireIsFresh(t *testing.T) {
	a := DefaultQuestionnaire()
	a.Pages[0].Items[0].Choices[0].Label.Zh = "changed"
	a.Title.Zh = "changed"
	b := DefaultQuestionnaire()
	if b.Title.Zh == "changed" || b.Pages[0].Items[0].Choices[0].Label.Zh == "changed" {
		t.Errorf("DefaultQuestionnaire shares memory between calls")
	}
	j := DefaultQuestionnaireJSON()
	j[0] = 'X'
	if DefaultQuestionnaireJSON()[0] != '{' {
		t.Errorf("DefaultQuestionnaireJSON shares its bytes")
	}
}

func TestQuestionnaireJSONRoundTrip(t *testing.T) {
	q := DefaultQuestionnaire()
	// Exercise the optional fields the default does not use.
	q.Pages[11].Items = append(q.Pages[11].Items, Item{
		ID: "channels", Type: TypeMulti, Text: Text{Zh: "您通过哪些渠道了解质量信息？", En: "Where do you hear about quality?"},
		Instruct:   Text{Zh: "可多选", En: "Several allowed"},
		Choices:    []Choice{{Code: "tv", Label: Text{Zh: "电视", En: "TV"}}, {Code: "web", Label: Text{Zh: "网络", En: "Internet"}}},
		MinChoices: 1, MaxChoices: 2,
		When: &Condition{Item: "age", Min: ptr(18.0), Max: ptr(40.0), Not: true},
	})
	q.Domains[0].Weight = 0.3
	data, err := json.Marshal(q)
	if err != nil {
		t.Fatal(err)
	}
	got, probs := LoadQuestionnaire(data)
	if len(probs) > 0 {
		t.Fatalf("round trip: got problems %v", probs)
	}
	if !reflect.DeepEqual(got, q) {
		t.Errorf("round trip changed the questionnaire")
	}
	again, _ := json.Marshal(got)
	if !bytes.Equal(again, data) {
		t.Errorf("second encoding differs from the first")
	}
}

// TestDocExample keeps the example in docs/QUESTIONNAIRE.md valid and
// behaving as the text says.
func TestDocExample(t *testing.T) {
	doc, err := os.ReadFile("../docs/QUESTIONNAIRE.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(doc), "```json\n")
	example, _, ok2 := strings.Cut(rest, "```")
	if !ok || !ok2 {
		t.Fatal("docs/QUESTIONNAIRE.md has no ```json example")
	}
	q, probs := LoadQuestionnaire([]byte(example))
	if len(probs) > 0 {
		t.Fatalf("the documented example has problems: %v", probs)
	}
	tests := []struct {
		answer string
		pages  []string
	}{
		{"3", []string{"screener", "delivery", "followup"}},
		{"8", []string{"screener", "delivery"}},
		{"99", []string{"screener", "delivery"}},
	}
	for _, tt := range tests {
		a := Answers{"age": {"40"}, "serv_delivery": {tt.answer}}
		var got []string
		for _, p := range q.VisiblePages(a) {
			got = append(got, p.ID)
		}
		if !slices.Equal(got, tt.pages) {
			t.Errorf("rating %s: got pages %v, want %v", tt.answer, got, tt.pages)
		}
	}
	if out, _ := q.ScreenedOut(Answers{"age": {"16"}}); !out {
		t.Errorf("age 16: got not screened out, want screened out")
	}
}
