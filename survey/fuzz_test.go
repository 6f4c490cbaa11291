package survey

import (
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"
)

// FuzzLoadQuestionnaire checks that no file makes LoadQuestionnaire panic,
// that a refusal always says what is wrong and where (every Problem has a
// path and a message), and that an accepted questionnaire survives
// json.Marshal and LoadQuestionnaire unchanged in its pages and items.
// Seeds: the default template, the questionnaires under testdata (when
// present) and testdata/fuzz/FuzzLoadQuestionnaire.
func FuzzLoadQuestionnaire(f *testing.F) {
	f.Add(DefaultQuestionnaireJSON())
	if files, _ := filepath.Glob(filepath.Join("testdata", "*.json")); len(files) > 0 {
		for _, name := range files {
			if b, err := os.ReadFile(name); err == nil {
				f.Add(b)
			}
		}
	}
	f.Add([]byte(`{"version":1,"pages":[{"id":"p","items":[{"id":"a","type":"scale","scale":{"min":1,"max":10}}]}]}`))
	f.Add([]byte(`{"pages":[{"id":"p","items":[{"id":"a","type":"single","choices":[{"code":"1"},{"code":"1"}]}]}],"pages":[]}`))
	f.Add([]byte("\xef\xbb\xbf{\"pages\": [ {\"id\": 3} ]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		q, probs := LoadQuestionnaire(data)
		if len(probs) > 0 {
			if q != nil {
				t.Fatalf("got a questionnaire and %d problems", len(probs))
			}
			for _, p := range probs {
				if p.Path == "" || p.Message == "" {
					t.Fatalf("problem without a path or message: %+v", p)
				}
			}
			return
		}
		if q == nil {
			t.Fatal("got neither a questionnaire nor a problem")
		}
		b, err := json.Marshal(q)
		if err != nil {
			t.Fatalf("Marshal of an accepted questionnaire: %v", err)
		}
		back, probs := LoadQuestionnaire(b)
		if len(probs) > 0 {
			t.Fatalf("the accepted questionnaire, marshalled, is refused: %v\n%s", probs, b)
		}
		if len(back.Pages) != len(q.Pages) {
			t.Fatalf("round trip: %d pages, want %d", len(back.Pages), len(q.Pages))
		}
		for i := range q.Pages {
			if back.Pages[i].ID != q.Pages[i].ID || len(back.Pages[i].Items) != len(q.Pages[i].Items) {
				t.Fatalf("round trip: page %d is %s with %d items, want %s with %d", i,
					back.Pages[i].ID, len(back.Pages[i].Items), q.Pages[i].ID, len(q.Pages[i].Items))
			}
		}
	})
}

// FuzzParsePage posts arbitrary forms (a URL-encoded body, as a browser
// sends it) to every page of the default questionnaire and checks that
// ParsePage never panics, that every problem has a message in both
// languages naming a field on the page or none, and that what it accepts is
// only the page's visible items, in valid UTF-8. Seeds:
// testdata/fuzz/FuzzParsePage and the forms below.
func FuzzParsePage(f *testing.F) {
	q := DefaultQuestionnaire()
	f.Add(uint8(0), "consent=y&_csrf=x")
	f.Add(uint8(1), "district=d1&gender=male&age=35&residence=y")
	f.Add(uint8(2), "food=10&farm=dk&drugs=11&drugs=3")
	f.Add(uint8(3), "awareness=1&awareness=2&hotline=%ff%fe")
	f.Add(uint8(4), "suggest_product=%3Dcmd%7C%27+%2FC+calc%27%21A0&unknown=1")
	f.Add(uint8(5), "age=1e309&age=-0&x=%00")
	f.Fuzz(func(t *testing.T, page uint8, body string) {
		form, err := url.ParseQuery(body)
		if err != nil && len(form) == 0 {
			return // the web layer answers 400 before ParsePage
		}
		pg := q.Pages[int(page)%len(q.Pages)]
		onPage := map[string]bool{}
		for _, it := range pg.Items {
			onPage[it.ID] = true
		}
		prior := Answers{"district": {"d1"}, "gender": {"male"}}
		got, errs := q.ParsePage(pg.ID, form, prior)
		for _, e := range errs {
			if e.Message.Zh == "" || e.Message.En == "" {
				t.Fatalf("field error %+v lacks a zh or en message", e)
			}
			if e.Field != "" && !onPage[e.Field] {
				t.Fatalf("field error names %q, not on page %s", e.Field, pg.ID)
			}
		}
		for id, vals := range got {
			if !onPage[id] {
				t.Fatalf("accepted an answer to %q, not on page %s", id, pg.ID)
			}
			if len(vals) == 0 {
				t.Fatalf("accepted an empty answer to %q", id)
			}
			for _, v := range vals {
				if v == "" || !utf8.ValidString(v) {
					t.Fatalf("accepted value %q for %q", v, id)
				}
			}
		}
		if _, errs := q.ParsePage("no-such-page", form, prior); len(errs) != 1 {
			t.Fatalf("unknown page: got %d errors, want 1", len(errs))
		}
	})
}
