package survey

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestDefaultServiceQuestionnaireValid(t *testing.T) {
	q, probs := LoadQuestionnaire(DefaultServiceQuestionnaireJSON())
	for _, p := range probs {
		t.Errorf("problem: %s", p)
	}
	if q == nil {
		t.Fatal("not loaded")
	}
	if probs := q.CheckService(DefaultSectors()); len(probs) > 0 {
		t.Errorf("CheckService: %v", probs)
	}
	// Every sector sees 3 or 4 items per construct; banking and telecoms
	// get the online-channel item on top.
	for _, sc := range DefaultSectors() {
		items := q.ItemsForSector(sc.Code)
		for _, c := range Constructs {
			n := len(items[c.ID])
			if n < 3 || n > 5 {
				t.Errorf("%s/%s: %d items", sc.Code, c.ID, n)
			}
			for _, it := range items[c.ID] {
				if it.Scale == nil || it.Scale.Min != 1 || it.Scale.Max != 10 || it.Scale.DontKnow == nil {
					t.Errorf("%s: not a 1–10 scale with don't know", it.ID)
				}
			}
		}
	}
	if n := len(q.ItemsForSector("banking")["quality"]); n != 5 {
		t.Errorf("banking quality items: %d, want 5 (the added online item)", n)
	}
	if n := len(q.ItemsForSector("retail")["quality"]); n != 4 {
		t.Errorf("retail quality items: %d, want 4", n)
	}
}

func TestSectorText(t *testing.T) {
	q := DefaultServiceQuestionnaire()
	it, _ := q.Item("qual_premises")
	got := q.ForAnswers(it, Answers{"sector": {"banking"}})
	if !strings.Contains(got.Text.Zh, "网点") || got == it {
		t.Errorf("banking wording: %q", got.Text.Zh)
	}
	if q.ForAnswers(it, Answers{"sector": {"retail"}}) != it {
		t.Error("retail should keep the common wording")
	}
	if q.ForAnswers(it, Answers{}) != it {
		t.Error("no sector answer should keep the common wording")
	}
	if strings.Contains(it.Text.Zh, "网点") {
		t.Error("ForAnswers changed the shared item")
	}
}

func TestCSIValidation(t *testing.T) {
	cases := []struct {
		name string
		edit func(q *Questionnaire)
		path string
		msg  string
	}{
		{"unknown construct", func(q *Questionnaire) { q.Pages[2].Items[0].Construct = "trust" }, "pages[2].items[0].construct", "unknown construct"},
		{"construct on a single item", func(q *Questionnaire) { q.Pages[1].Items[1].Construct = "image" }, "pages[1].items[1].construct", "only scale items"},
		{"sector_text for an unknown sector", func(q *Questionnaire) {
			q.Pages[2].Items[0].SectorText = []SectorText{{Sector: "mining", Text: Text{Zh: "甲", En: "a"}}}
		}, "pages[2].items[0].sector_text[0].sector", "not a choice"},
		{"sector_text twice", func(q *Questionnaire) {
			q.Pages[2].Items[0].SectorText = []SectorText{{Sector: "retail", Text: Text{Zh: "甲", En: "a"}}, {Sector: "retail", Text: Text{Zh: "乙", En: "b"}}}
		}, "pages[2].items[0].sector_text[1].sector", "renamed twice"},
		{"sector_text half filled", func(q *Questionnaire) {
			q.Pages[2].Items[0].SectorText = []SectorText{{Sector: "retail", Text: Text{Zh: "甲"}}}
		}, "pages[2].items[0].sector_text[0].text.en", "English"},
		{"two sector items", func(q *Questionnaire) { q.Pages[1].Items[1].Role = "sector" }, "pages[1].items[1].role", "already used"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			q := DefaultServiceQuestionnaire()
			c.edit(q)
			found := false
			for _, p := range q.Validate() {
				if p.Path == c.path && strings.Contains(p.Message, c.msg) {
					found = true
				}
			}
			if !found {
				t.Errorf("want %s: %s…, got %v", c.path, c.msg, q.Validate())
			}
		})
	}
	// sector_text without a sector item.
	q := DefaultQuestionnaire()
	q.Pages[2].Items[0].SectorText = []SectorText{{Sector: "retail", Text: Text{Zh: "甲", En: "a"}}}
	if ps := q.Validate(); len(ps) != 1 || !strings.Contains(ps[0].Message, `role "sector"`) {
		t.Errorf("resident questionnaire with sector_text: %v", ps)
	}
	// The strict loader knows the new fields.
	b, _ := json.Marshal(DefaultServiceQuestionnaire())
	if _, probs := LoadQuestionnaire(b); len(probs) > 0 {
		t.Errorf("round trip: %v", probs)
	}
}

func TestCheckService(t *testing.T) {
	q := DefaultServiceQuestionnaire()
	ss := DefaultSectors()[:3] // the questionnaire offers nine
	probs := q.CheckService(ss)
	if len(probs) != 6 || !strings.Contains(probs[0].Message, `"tourism" is not one of the measurement's sectors`) {
		t.Errorf("fewer sectors: %v", probs)
	}
	q.Pages[8].Items = q.Pages[8].Items[:0] // no loyalty items
	probs = q.CheckService(DefaultSectors())
	if len(probs) != 9 || !strings.Contains(probs[0].Message, `construct "loyalty"`) {
		t.Errorf("no loyalty items: %v", probs)
	}
	if probs := DefaultQuestionnaire().CheckService(ss); len(probs) != 1 {
		t.Errorf("resident questionnaire: %v", probs)
	}
}

func TestKeepSectors(t *testing.T) {
	q := DefaultServiceQuestionnaire()
	q.KeepSectors(DefaultSectors()[:2]) // retail, catering: no banking or telecoms
	if probs := q.Validate(); len(probs) > 0 {
		t.Fatalf("after KeepSectors: %v", probs)
	}
	if probs := q.CheckService(DefaultSectors()[:2]); len(probs) > 0 {
		t.Errorf("CheckService: %v", probs)
	}
	if it, _ := q.Item("qual_online"); it != nil {
		t.Error("the banking/telecoms item should be dropped")
	}
	q = DefaultServiceQuestionnaire()
	q.KeepSectors(DefaultSectors()[4:5]) // banking only
	if it, _ := q.Item("qual_online"); it == nil || len(it.When.In) != 1 {
		t.Errorf("banking keeps qual_online for banking only: %+v", it)
	}
}
