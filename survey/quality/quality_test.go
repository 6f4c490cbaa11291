package quality

import (
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	domains := map[string][]string{
		"product": {"p1", "p2", "p3"},
		"service": {"s1", "s2"},
		"env":     {"e1", "e2"},
		"single":  {"x1"}, // one item: never straight-lined
	}
	ans := func(kv ...string) map[string]string {
		m := map[string]string{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	in := []Input{
		// Median time of the known times (100, 300, 310, 320, 330, 340) is
		// 315; a third is 105: r1 (100 s) is a speeder, r7 has no time.
		{ID: "r1", Seconds: 100, Answers: ans("p1", "8", "p2", "8", "p3", "8", "s1", "8", "s2", "8", "e1", "3", "e2", "4", "x1", "5"), Texts: []string{"路面坑洼要修"}},
		// Two domains each with one answer (product all 8, env all 2).
		{ID: "r2", Seconds: 300, Answers: ans("p1", "8", "p2", "8", "p3", "8", "s1", "7", "s2", "6", "e1", "2", "e2", "2"), Texts: []string{"asdf"}},
		// Straight in one domain only: not flagged.
		{ID: "r3", Seconds: 310, Answers: ans("p1", "5", "p2", "5", "p3", "5", "s1", "7", "s2", "6", "e1", "2", "e2", "3"), Texts: []string{"  "}},
		// Duplicates of one another (group 1), with r5.
		{ID: "r4", Seconds: 320, Answers: ans("p1", "9", "p2", "7", "p3", "6", "s1", "7", "s2", "6", "e1", "2", "e2", "3")},
		{ID: "r5", Seconds: 330, Answers: ans("p1", "9", "p2", "7", "p3", "6", "s1", "7", "s2", "6", "e1", "2", "e2", "3"), Texts: []string{"希望加强食品安全监管"}},
		// All don't-know in two domains: nonresponse, not straight-lining.
		{ID: "r6", Seconds: 340, Answers: ans("p1", "dk", "p2", "dk", "p3", "dk", "s1", "dk", "s2", "dk", "e1", "4", "e2", "5")},
		// Nothing answered: never a duplicate of another empty response.
		{ID: "r7", Answers: ans()},
		{ID: "r8", Seconds: 0, Answers: ans()},
	}
	got := Check(in, Options{Domains: domains, DontKnow: "dk"})
	want := map[string][]string{
		"r1": {Speeder, StraightLiner},
		"r2": {StraightLiner, JunkText},
		"r3": {JunkText},
		"r4": {Duplicate},
		"r5": {Duplicate},
	}
	for i, r := range got {
		if r.ID != in[i].ID {
			t.Fatalf("result %d: got id %s, want %s", i, r.ID, in[i].ID)
		}
		var kinds []string
		for _, f := range r.Flags {
			kinds = append(kinds, f.Kind)
			if f.Reason.Zh == "" || f.Reason.En == "" {
				t.Errorf("%s %s: got an empty reason %+v", r.ID, f.Kind, f.Reason)
			}
		}
		if strings.Join(kinds, ",") != strings.Join(want[r.ID], ",") {
			t.Errorf("%s: got flags %v, want %v", r.ID, kinds, want[r.ID])
		}
	}
	if got[3].DuplicateGroup != 1 || got[4].DuplicateGroup != 1 || got[0].DuplicateGroup != 0 {
		t.Errorf("got duplicate groups %d %d %d, want 1 1 0", got[3].DuplicateGroup, got[4].DuplicateGroup, got[0].DuplicateGroup)
	}
	if r := got[3].Flags[0].Reason.En; !strings.Contains(r, "r5") {
		t.Errorf("got %q, want the reason to name r5", r)
	}
	if r := got[0].Flags[0].Reason.En; r != "took 1m40s, under 1/3 of the median 5m15s" {
		t.Errorf("got speeder reason %q", r)
	}
	if r := got[1].Flags[0].Reason.En; r != "the same answer on every scale item of 2 domains: env, product" {
		t.Errorf("got straight-lining reason %q", r)
	}
	if !got[1].Has(JunkText) || got[1].Has(Duplicate) {
		t.Errorf("got Has wrong for %+v", got[1])
	}
}

func TestCheckOptions(t *testing.T) {
	in := []Input{
		{ID: "a", Seconds: 200, Answers: map[string]string{"q1": "1", "q2": "2", "note": "x"}},
		{ID: "b", Seconds: 400, Answers: map[string]string{"q1": "1", "q2": "2", "note": "y"}},
		{ID: "c", Seconds: 400, Answers: map[string]string{"q1": "3", "q2": "2"}},
	}
	// Over all items a and b differ (note); over q1, q2 they are duplicates.
	// Median 400; with share 0.6 the limit is 240, so a is a speeder.
	got := Check(in, Options{})
	for _, r := range got {
		if len(r.Flags) != 0 {
			t.Errorf("defaults, %s: got flags %+v, want none", r.ID, r.Flags)
		}
	}
	got = Check(in, Options{Items: []string{"q1", "q2"}, SpeederShare: 0.6})
	if !got[0].Has(Speeder) || !got[0].Has(Duplicate) || !got[1].Has(Duplicate) || got[2].Has(Duplicate) || got[1].Has(Speeder) {
		t.Errorf("got %+v", got)
	}
	if len(Check(nil, Options{})) != 0 {
		t.Errorf("got results for no input")
	}
}

func TestIsJunk(t *testing.T) {
	tests := []struct {
		in   string
		junk bool
		why  string
	}{
		{"", true, "empty"},
		{" \t\u3000 ", true, "empty"},
		{"111111", true, "single character"},
		{"。。。。", true, "single character"},
		{"aaaa", true, "single character"},
		{"哈哈哈哈", true, "single character"},
		{"好", true, "fewer than two"},
		{"?!", true, "fewer than two"},
		{"无。", true, "fewer than two"},
		{"asdf", true, "keyboard mash"},
		{"ASDF", true, "keyboard mash"},
		{"qwerty", true, "keyboard mash"},
		{"654321", true, "keyboard mash"},
		{"jkl", true, "keyboard mash"},
		{"asdasdasd", true, "repeats one short sequence"},
		{"123123123", true, "repeats one short sequence"},
		{"没有", false, ""},
		{"无意见", false, ""},
		{"路面坑洼要修", false, ""},
		{"sad", false, ""}, // a word, though its letters share a row
		{"ok", false, ""},
		{"12315 热线很难打通", false, ""},
		{"good", false, ""},
	}
	for _, tt := range tests {
		junk, why := IsJunk(tt.in)
		if junk != tt.junk || !strings.Contains(why.En, tt.why) {
			t.Errorf("IsJunk(%q): got %v %q, want %v %q", tt.in, junk, why.En, tt.junk, tt.why)
		}
		if junk && why.Zh == "" {
			t.Errorf("IsJunk(%q): got no Chinese reason", tt.in)
		}
	}
}
