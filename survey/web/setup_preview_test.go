package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// The preview decides show-if conditions on the answers given on earlier
// preview pages, as the resident page does: prod_food, made conditional on
// an age of 18 to 30, is hidden until the screener's age says so.
func TestPreviewConditions(t *testing.T) {
	e := newStaffEnv(t, "")
	c := newDraft(t, e)
	base := "/app/m/m2027/questionnaire"
	it, _ := e.rev(t).Q.Item("prod_food")
	v := itemValues(it)
	v.Set("when_item", "age")
	v.Set("when_min", "18")
	v.Set("when_max", "30")
	v.Set("rev", strconv.Itoa(e.rev(t).Rev))
	c.postOK(t, base+"/items/prod_food", v)
	if it, _ := e.rev(t).Q.Item("prod_food"); it.When == nil {
		t.Fatalf("condition not saved")
	}
	dist, _ := e.rev(t).Q.Item("district")
	d1 := dist.Choices[0].Code
	frame := base + "/preview/frame"
	shows := func(body, id string) bool { return strings.Contains(body, `id="q-`+id+`"`) }

	// Opened directly: age has no answer, so prod_food is hidden.
	rec := c.get(frame + "?page=3&qlang=zh")
	body := rec.Body.String()
	if rec.Code != http.StatusOK || shows(body, "prod_food") || !shows(body, "prod_farm") {
		t.Fatalf("page 3 without answers: %d, prod_food shown %v, prod_farm shown %v", rec.Code, shows(body, "prod_food"), shows(body, "prod_farm"))
	}

	screener := func(age string) string {
		q := url.Values{"_page": {"screener"}, "_nav": {"next"}, "qlang": {"en"},
			"age": {age}, "district": {d1}, "resident": {"y"}, "gender": {"f"}}
		rec := c.get(frame + "?" + q.Encode())
		if rec.Code != http.StatusOK {
			t.Fatalf("screener next with age %s: %d\n%s", age, rec.Code, rec.Body)
		}
		return rec.Body.String()
	}
	// An age of 25 moves on to the product page and shows prod_food; the
	// form carries the answers and the language on.
	body = screener("25")
	if !strings.Contains(body, `name="_page" value="product"`) || !shows(body, "prod_food") {
		t.Errorf("after age 25: on product %v, prod_food shown %v", strings.Contains(body, `name="_page" value="product"`), shows(body, "prod_food"))
	}
	if !strings.Contains(body, `name="_a" value="age=25&amp;district=`+d1+`&amp;gender=f&amp;resident=y"`) || !strings.Contains(body, `name="qlang" value="en"`) {
		t.Errorf("the form does not carry the answers or the language:\n%s", body)
	}
	// An age of 50 does not meet the condition.
	if body = screener("50"); !strings.Contains(body, `name="_page" value="product"`) || shows(body, "prod_food") {
		t.Errorf("after age 50: prod_food shown")
	}
	// Back from the product page returns to the screener with its answers.
	q := url.Values{"_page": {"product"}, "_nav": {"back"}, "qlang": {"zh"}, "_a": {"age=25&district=" + d1 + "&gender=f&resident=y"}, "prod_farm": {"7"}}
	body = c.get(frame + "?" + q.Encode()).Body.String()
	if !strings.Contains(body, `name="_page" value="screener"`) || !strings.Contains(body, `value="25"`) || !strings.Contains(body, "prod_farm=7") {
		t.Errorf("back from product lost the screener's answers or the page's own")
	}
	// A bad answer is dropped and the preview moves on: the office pages
	// through without answering everything.
	q = url.Values{"_page": {"screener"}, "_nav": {"next"}, "qlang": {"en"}, "age": {"abc"}, "district": {d1}, "resident": {"y"}, "gender": {"f"}}
	rec = c.get(frame + "?" + q.Encode())
	if body = rec.Body.String(); rec.Code != http.StatusOK || !strings.Contains(body, `name="_page" value="product"`) || shows(body, "prod_food") || strings.Contains(body, "age=abc") {
		t.Errorf("bad age: %d, want the product page without prod_food and without the bad age", rec.Code)
	}
}
