package web

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"manyi/survey"
)

// The district screener lists exactly the new measurement's own districts,
// whether its questionnaire is the default template or a copy of an
// earlier measurement's (whose screener listed that one's districts), and
// the preview shows them as a resident would see them.
func TestSetupDistrictScreener(t *testing.T) {
	e := newStaffEnv(t, "")
	c := e.client("10.20.0.9")
	c.login("boss")
	ctx := context.Background()
	prev, err := e.db.Questionnaire(ctx, "demo-2026", 0)
	if err != nil {
		t.Fatal(err)
	}
	var old []string
	for _, ch := range prev.Q.ItemsByRole("district")[0].Choices {
		old = append(old, ch.Code)
	}
	for _, from := range []string{"default", "demo-2026"} {
		f := newForm()
		f.Set("questionnaire_from", from)
		f.Set("districts", "x1 | 东城区 | Dongcheng\nx2 | 西城区\n")
		f.Set("csrf", c.csrf())
		rec := c.post("/app/measurements", f)
		if rec.Code != http.StatusSeeOther {
			t.Fatalf("%s: create: %d\n%s", from, rec.Code, rec.Body)
		}
		id := strings.TrimPrefix(strings.SplitN(rec.Header().Get("Location"), "?", 2)[0], "/app/m/")
		r, err := e.db.Revision(ctx, id, 0)
		if err != nil {
			t.Fatal(err)
		}
		items := r.Q.ItemsByRole("district")
		if len(items) != 1 {
			t.Fatalf("%s: %d district items", from, len(items))
		}
		var got []string
		for _, ch := range items[0].Choices {
			got = append(got, ch.Code+"|"+ch.Label.Zh+"|"+ch.Label.En)
		}
		// x2 has no English name: the Chinese one stands in (the screener
		// stays valid).
		want := []string{"x1|东城区|Dongcheng", "x2|西城区|西城区"}
		if !slices.Equal(got, want) {
			t.Errorf("%s: district choices %v, want %v (the demo's were %v)", from, got, want, old)
		}
		pi := 0
		for i, p := range r.Q.Pages {
			if slices.ContainsFunc(p.Items, func(it survey.Item) bool { return it.ID == items[0].ID }) {
				pi = i + 1
			}
		}
		body := c.get("/app/m/" + id + "/questionnaire/preview/frame?qlang=en&page=" + strconv.Itoa(pi)).Body.String()
		if !strings.Contains(body, `value="x1"`) || !strings.Contains(body, "Dongcheng") || !strings.Contains(body, `value="x2"`) {
			t.Errorf("%s: the preview's screener does not list the districts", from)
		}
		for _, code := range old {
			if code != "x1" && code != "x2" && strings.Contains(body, `name="`+items[0].ID+`" value="`+code+`"`) {
				t.Errorf("%s: the preview lists the old district %s", from, code)
			}
		}
	}
}
