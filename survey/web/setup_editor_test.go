package web

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"manyi/survey"
	"manyi/survey/fieldwork"
	"manyi/survey/setup"
)

// newDraft creates measurement m2027 through the form and returns the
// office's client.
func newDraft(t *testing.T, e *staffEnv) *staffClient {
	t.Helper()
	c := e.client("10.21.0.1")
	c.login("boss")
	f := newForm()
	f.Set("csrf", c.csrf())
	if rec := c.post("/app/measurements", f); rec.Code != http.StatusSeeOther {
		t.Fatalf("create: %d\n%s", rec.Code, rec.Body)
	}
	return c
}

// rev returns the newest revision of m2027.
func (e *staffEnv) rev(t *testing.T) *setup.Revision {
	t.Helper()
	r, err := e.db.Revision(context.Background(), "m2027", 0)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// postOK posts form (with the session's token) and wants a 303.
func (c *staffClient) postOK(t *testing.T, path string, form url.Values) string {
	t.Helper()
	form.Set("csrf", c.csrf())
	rec := c.post(path, form)
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("POST %s: status %d, want 303\n%s", path, rec.Code, rec.Body)
	}
	return rec.Header().Get("Location")
}

// upload posts a file to the upload form.
func (c *staffClient) uploadQ(t *testing.T, path, name string, data []byte, rev int) *httptest.ResponseRecorder {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	mw.WriteField("csrf", c.csrf())
	mw.WriteField("rev", strconv.Itoa(rev))
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.Close()
	req := httptest.NewRequest(http.MethodPost, path, &b)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.do(req)
}

// itemForm returns the form fields of an item as its edit page fills them.
func itemValues(it *survey.Item) url.Values {
	f := itemFormOf(it)
	v := url.Values{"id": {f.ID}, "type": {f.Type}, "text_zh": {f.TextZh}, "text_en": {f.TextEn}, "help_zh": {f.HelpZh}, "help_en": {f.HelpEn},
		"instruction_zh": {f.InstructionZh}, "instruction_en": {f.InstructionEn}, "choices": {f.Choices},
		"min_choices": {f.MinChoices}, "max_choices": {f.MaxChoices}, "scale_min": {f.ScaleMin}, "scale_max": {f.ScaleMax},
		"scale_min_zh": {f.ScaleMinZh}, "scale_min_en": {f.ScaleMinEn}, "scale_max_zh": {f.ScaleMaxZh}, "scale_max_en": {f.ScaleMaxEn},
		"dont_know_code": {f.DontKnowCode}, "dont_know_zh": {f.DontKnowZh}, "dont_know_en": {f.DontKnowEn},
		"min": {f.Min}, "max": {f.Max}, "max_length": {f.MaxLength}, "role": {f.Role}, "domain": {f.Domain}, "construct": {f.Construct},
		"sector_text": {f.SectorText}, "when_item": {f.When.Item}, "when_in": {f.When.In}, "when_min": {f.When.Min}, "when_max": {f.When.Max}}
	if f.Required {
		v.Set("required", "1")
	}
	if f.DontKnow {
		v.Set("dont_know", "1")
	}
	if f.Integer {
		v.Set("integer", "1")
	}
	if f.When.Not {
		v.Set("when_not", "1")
	}
	return v
}

func TestSetupEditorItem(t *testing.T) {
	e := newStaffEnv(t, "")
	c := newDraft(t, e)
	base := "/app/m/m2027/questionnaire"
	page := c.get(base)
	if page.Code != http.StatusOK || !strings.Contains(page.Body.String(), `id="item-serv_delivery"`) || !strings.Contains(page.Body.String(), "问卷没有问题") {
		t.Fatalf("editor: %d", page.Code)
	}
	// An unchanged item form saves the same item: the form is faithful.
	q0 := e.rev(t).Q
	for _, it := range q0.Items() {
		v := itemValues(it)
		v.Set("rev", strconv.Itoa(e.rev(t).Rev))
		c.postOK(t, base+"/items/"+it.ID, v)
	}
	if got, want := string(setup.EncodeJSON(e.rev(t).Q)), string(setup.EncodeJSON(q0)); got != want {
		t.Errorf("saving every item unchanged changed the questionnaire")
	}

	// Edit a question: new text, English removed → saved with a problem,
	// marked next to the field and on the editor.
	it, _ := q0.Item("serv_delivery")
	v := itemValues(it)
	v.Set("text_zh", "您对本市快递服务满意吗？")
	v.Set("text_en", "")
	v.Set("rev", strconv.Itoa(e.rev(t).Rev))
	loc := c.postOK(t, base+"/items/serv_delivery", v)
	if loc != base+"/items/serv_delivery?done=saved_problems" {
		t.Errorf("Location %q", loc)
	}
	form := c.get(loc).Body.String()
	if !strings.Contains(form, `<textarea id="i-text-en" name="text_en" rows="3" lang="en"></textarea><span class="field-error">English text is required</span>`) {
		t.Errorf("the item form does not show the problem next to text_en:\n%s", form)
	}
	ed := c.get(base).Body.String()
	if !strings.Contains(ed, "缺英文") || !strings.Contains(ed, "pages[4].items[2].text.en") || !strings.Contains(ed, "问卷有 1 处问题") {
		t.Errorf("editor lacks the missing-English mark or the problem")
	}
	r := e.rev(t)
	if r.Problems != 1 || r.Version != 0 || r.Author != "boss" {
		t.Errorf("revision %+v", r)
	}
	// Residents still get the last valid version.
	qv, _ := e.db.Questionnaire(context.Background(), "m2027", 0)
	if x, _ := qv.Q.Item("serv_delivery"); x.Text.En == "" {
		t.Errorf("the stored version took the invalid save")
	}
	// Fieldwork cannot open on it (the office's open check reads the
	// newest save, not only the stored version).
	if checks, err := fieldwork.OpenChecks(context.Background(), e.db, "m2027"); err != nil || checks[0].OK {
		t.Errorf("open checks with a questionnaire draft problem: %+v, %v", checks, err)
	}
	// The overview says so and fieldwork is blocked.
	if ov := c.get("/app/m/m2027").Body.String(); !strings.Contains(ov, "请先修正问卷中的问题") {
		t.Errorf("overview does not block fieldwork on the problem")
	}
	// The preview shows the new text at once.
	pv := c.get(base + "/preview/frame?page=5&qlang=zh")
	if !strings.Contains(pv.Body.String(), "您对本市快递服务满意吗？") || !strings.Contains(pv.Header().Get("Content-Security-Policy"), "frame-ancestors 'self'") {
		t.Errorf("preview frame lacks the edited text or its framing rule")
	}
	if strings.Contains(pv.Body.String(), `method="post"`) {
		t.Errorf("the preview's form posts")
	}
	// A word where a number goes: nothing saved, the form keeps the input.
	n := e.rev(t).Rev
	v.Set("text_en", "Parcels?")
	v.Set("scale_max", "ten")
	v.Set("rev", strconv.Itoa(n))
	v.Set("csrf", c.csrf())
	rec := c.post(base+"/items/serv_delivery", v)
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "应为整数") || !strings.Contains(rec.Body.String(), "Parcels?") {
		t.Errorf("bad number: %d", rec.Code)
	}
	if e.rev(t).Rev != n {
		t.Errorf("a form with a parse error was saved")
	}
	// A stale form (someone saved meanwhile) is refused.
	v.Set("scale_max", "10")
	v.Set("rev", strconv.Itoa(n-1))
	if rec := c.post(base+"/items/serv_delivery", v); rec.Code != http.StatusConflict {
		t.Errorf("stale rev: %d, want 409", rec.Code)
	}
	// Renaming an item renames the conditions on it.
	it, _ = e.rev(t).Q.Item("age")
	v = itemValues(it)
	v.Set("id", "age_years")
	v.Set("rev", strconv.Itoa(e.rev(t).Rev))
	c.postOK(t, base+"/items/age", v)
	for _, so := range e.rev(t).Q.ScreenOut {
		if so.When.Item == "age" {
			t.Errorf("a screen-out rule still names age")
		}
	}
}

func TestSetupEditorStructure(t *testing.T) {
	e := newStaffEnv(t, "")
	c := newDraft(t, e)
	base := "/app/m/m2027/questionnaire"
	rev := func() string { return strconv.Itoa(e.rev(t).Rev) }
	// Add a page after the overall page, then one item of every type.
	loc := c.postOK(t, base+"/pages", url.Values{"rev": {rev()}, "kind": {"other"}, "id": {"extra"}, "title_zh": {"补充问题"}, "title_en": {"More"}, "after": {"general"}})
	if loc != base+"/pages/extra?done=page_added" {
		t.Errorf("Location %q", loc)
	}
	q := e.rev(t).Q
	if i := setup.FindPage(q, "extra"); i < 0 || q.Pages[i-1].ID != "general" {
		t.Fatalf("page not placed after general")
	}
	for _, typ := range []string{"single", "scale", "multi", "number", "text"} {
		loc := c.postOK(t, base+"/pages/extra/items", url.Values{"rev": {rev()}, "type": {typ}})
		if !strings.HasPrefix(loc, base+"/items/q_"+typ) {
			t.Errorf("add %s: Location %q", typ, loc)
		}
	}
	q = e.rev(t).Q
	if p, _ := q.Page("extra"); len(p.Items) != 5 || len(q.Validate()) != 0 {
		t.Fatalf("extra page: %+v, problems %v", p, q.Validate())
	}
	// The new multi: choices, limits, a condition on an earlier item.
	it, _ := q.Item("q_multi")
	v := itemValues(it)
	v.Set("choices", "a | 甲 | A\nb | 乙 | B\nc | 丙 | C")
	v.Set("max_choices", "2")
	v.Set("when_item", "education")
	v.Set("when_in", "1")
	v.Set("rev", rev())
	c.postOK(t, base+"/items/q_multi", v)
	// education is on a later page: the problem is shown at when_item.
	form := c.get(base + "/items/q_multi").Body.String()
	if !strings.Contains(form, "later page") {
		t.Errorf("the condition's problem is not shown")
	}
	v.Set("when_item", "age")
	v.Set("when_in", "")
	v.Set("when_min", "18")
	v.Set("when_max", "30")
	v.Set("rev", rev())
	c.postOK(t, base+"/items/q_multi", v)
	q = e.rev(t).Q
	it, _ = q.Item("q_multi")
	if len(it.Choices) != 3 || it.MaxChoices != 2 || it.When == nil || *it.When.Max != 30 || len(q.Validate()) != 0 {
		t.Errorf("q_multi %+v problems %v", it, q.Validate())
	}
	// Move: up within the page, then past its top onto the page before.
	c.postOK(t, base+"/items/q_scale/move", url.Values{"rev": {rev()}, "direction": {"up"}})
	c.postOK(t, base+"/items/q_scale/move", url.Values{"rev": {rev()}, "direction": {"up"}})
	q = e.rev(t).Q
	if pi, _ := setup.FindItem(q, "q_scale"); q.Pages[pi].ID != "general" {
		t.Errorf("q_scale on page %s, want general", q.Pages[pi].ID)
	}
	c.postOK(t, base+"/pages/extra/move", url.Values{"rev": {rev()}, "direction": {"up"}})
	if q = e.rev(t).Q; setup.FindPage(q, "extra") != setup.FindPage(q, "general")-1 {
		t.Errorf("page did not move up")
	}
	// Delete an item and the page.
	c.postOK(t, base+"/items/q_text/delete", url.Values{"rev": {rev()}})
	if it, _ := e.rev(t).Q.Item("q_text"); it != nil {
		t.Errorf("q_text not deleted")
	}
	c.postOK(t, base+"/pages/extra/delete", url.Values{"rev": {rev()}})
	if setup.FindPage(e.rev(t).Q, "extra") >= 0 {
		t.Errorf("page not deleted")
	}
	// Page form: title and a condition.
	c.postOK(t, base+"/pages/awareness", url.Values{"rev": {rev()}, "id": {"awareness"}, "kind": {"awareness"}, "title_zh": {"知晓情况"}, "title_en": {"Awareness"},
		"when_item": {"age"}, "when_min": {"18"}, "when_max": {"70"}})
	if p, _ := e.rev(t).Q.Page("awareness"); p.Title.Zh != "知晓情况" || p.When == nil {
		t.Errorf("page %+v", p)
	}
	// Drag and drop order: the reverse order of the background items.
	q = e.rev(t).Q
	var parts []string
	for _, p := range q.Pages {
		ids := []string{}
		for _, it := range p.Items {
			ids = append(ids, it.ID)
		}
		if p.ID == "background" {
			for i, j := 0, len(ids)-1; i < j; i, j = i+1, j-1 {
				ids[i], ids[j] = ids[j], ids[i]
			}
		}
		parts = append(parts, p.ID+"="+strings.Join(ids, ","))
	}
	c.postOK(t, base+"/order", url.Values{"rev": {rev()}, "order": {strings.Join(parts, ";")}})
	if p, _ := e.rev(t).Q.Page("background"); p.Items[0].ID != "occupation" {
		t.Errorf("order: first background item %s", p.Items[0].ID)
	}
	f := url.Values{"rev": {rev()}, "order": {"background=gender"}, "csrf": {c.csrf()}}
	if rec := c.post(base+"/order", f); rec.Code != http.StatusUnprocessableEntity {
		t.Errorf("an order that drops items: %d, want 422", rec.Code)
	}
	// Settings: the title and a new screen-out rule (the empty row).
	sf := settingsFormOf(e.rev(t).Q)
	form2 := url.Values{"rev": {rev()}, "qid": {sf.QID}, "title_zh": {"新标题"}, "title_en": {"New title"}, "welcome_zh": {sf.WelcomeZh}, "welcome_en": {sf.WelcomeEn},
		"thanks_zh": {sf.ThanksZh}, "thanks_en": {sf.ThanksEn}, "domains": {sf.Domains}}
	for _, so := range sf.ScreenOut {
		p := "so_" + strconv.Itoa(so.N) + "_"
		form2.Set(p+"item", so.When.Item)
		form2.Set(p+"in", so.When.In)
		form2.Set(p+"min", so.When.Min)
		form2.Set(p+"max", so.When.Max)
		if so.When.Not {
			form2.Set(p+"not", "1")
		}
		form2.Set(p+"zh", so.MessageZh)
		form2.Set(p+"en", so.MessageEn)
	}
	nso := len(e.rev(t).Q.ScreenOut)
	p := "so_" + strconv.Itoa(nso) + "_"
	form2.Set(p+"item", "education")
	form2.Set(p+"in", "1")
	form2.Set(p+"zh", "谢谢")
	form2.Set(p+"en", "Thanks")
	form2.Set("so_0_delete", "1")
	c.postOK(t, base+"/settings", form2)
	q = e.rev(t).Q
	if q.Title.Zh != "新标题" || len(q.ScreenOut) != nso || q.ScreenOut[nso-1].When.Item != "education" || len(q.Domains) != 5 {
		t.Errorf("settings: title %q, %d rules (want %d), domains %d", q.Title.Zh, len(q.ScreenOut), nso, len(q.Domains))
	}
	// Every save is in the history, with who.
	hist := c.get(base).Body.String()
	if !strings.Contains(hist, "settings edited") || !strings.Contains(hist, "item q_text deleted") {
		t.Errorf("history lacks saves")
	}
}

// TestSetupJSONRoundTrip: download, upload gives the same questionnaire; a
// malformed file changes nothing and names line and column.
func TestSetupJSONRoundTrip(t *testing.T) {
	e := newStaffEnv(t, "")
	c := newDraft(t, e)
	base := "/app/m/m2027/questionnaire"
	// Make the draft differ from the template and carry a problem.
	it, _ := e.rev(t).Q.Item("prod_food")
	v := itemValues(it)
	v.Set("help_zh", "包括外卖")
	v.Set("rev", strconv.Itoa(e.rev(t).Rev))
	c.postOK(t, base+"/items/prod_food", v)
	before := e.rev(t)
	dl := c.get(base + ".json")
	if dl.Code != http.StatusOK || !strings.Contains(dl.Header().Get("Content-Disposition"), "m2027-questionnaire.json") {
		t.Fatalf("download: %d %q", dl.Code, dl.Header().Get("Content-Disposition"))
	}
	data := dl.Body.Bytes()
	rec := c.uploadQ(t, base+"/upload", "m2027-questionnaire.json", data, before.Rev)
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("upload: %d\n%s", rec.Code, rec.Body)
	}
	after := e.rev(t)
	if after.Rev != before.Rev+1 || !bytes.Equal(setup.EncodeJSON(after.Q), setup.EncodeJSON(before.Q)) || after.Problems != before.Problems || after.Problems != 1 {
		t.Errorf("round trip: rev %d→%d, problems %d→%d, same %v", before.Rev, after.Rev, before.Problems, after.Problems,
			bytes.Equal(setup.EncodeJSON(after.Q), setup.EncodeJSON(before.Q)))
	}
	if again := c.get(base + ".json").Body.Bytes(); !bytes.Equal(again, data) {
		t.Errorf("download after upload differs from the first download")
	}
	// Valid template: upload of the default JSON file.
	rec = c.uploadQ(t, base+"/upload", "default.json", survey.DefaultQuestionnaireJSON(), after.Rev)
	if rec.Code != http.StatusSeeOther || e.rev(t).Problems != 0 {
		t.Errorf("default upload: %d, problems %d", rec.Code, e.rev(t).Problems)
	}
	n := e.rev(t).Rev
	for _, bad := range []struct{ name, data, want string }{
		{"syntax", "{\n  \"id\": \"x\",\n  }", "line 3, column 3"},
		{"unknown field", strings.Replace(string(data), `"id": "default"`, `"id": "default", "colour": 1`, 1), "colour"},
		{"empty", "", "line 1, column 1"},
	} {
		rec := c.uploadQ(t, base+"/upload", bad.name+".json", []byte(bad.data), n)
		if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), bad.want) || !strings.Contains(rec.Body.String(), "问卷未改变") {
			t.Errorf("%s: %d, want 422 naming %q", bad.name, rec.Code, bad.want)
		}
	}
	if e.rev(t).Rev != n {
		t.Errorf("a malformed upload was saved")
	}
}

// TestSetupEditorLocked: once fieldwork has opened nothing can change, and
// the page says so; the statistician sees the editor without forms.
func TestSetupEditorLocked(t *testing.T) {
	e := newStaffEnv(t, "")
	c := newDraft(t, e)
	base := "/app/m/m2027/questionnaire"
	if err := e.db.SetMeasurementStatus(context.Background(), "m2027", survey.StatusOpen); err != nil {
		t.Fatal(err)
	}
	page := c.get(base).Body.String()
	if !strings.Contains(page, "问卷已锁定") || strings.Contains(page, `action="/app/m/m2027/questionnaire/`) {
		t.Errorf("locked editor still has forms or no lock note")
	}
	// Nothing can be dragged: the drag script is not loaded, and an order
	// posted anyway is refused.
	if strings.Contains(page, "js/setup") || strings.Contains(page, `id="drag-hint"`) {
		t.Errorf("locked editor loads the drag script")
	}
	before := e.rev(t).Rev
	if rec := c.post(base+"/order", url.Values{"csrf": {c.csrf()}, "order": {orderOf(e.rev(t).Q)}}); rec.Code != http.StatusConflict {
		t.Errorf("order on a locked questionnaire: %d, want 409", rec.Code)
	}
	if e.rev(t).Rev != before {
		t.Errorf("order on a locked questionnaire saved a revision")
	}
	it, _ := e.rev(t).Q.Item("age")
	v := itemValues(it)
	v.Set("text_zh", "改了")
	v.Set("csrf", c.csrf())
	rec := c.post(base+"/items/age", v)
	if rec.Code != http.StatusConflict || !strings.Contains(rec.Body.String(), "问卷已锁定") {
		t.Errorf("save on a locked questionnaire: %d", rec.Code)
	}
	if rec := c.uploadQ(t, base+"/upload", "q.json", survey.DefaultQuestionnaireJSON(), -1); rec.Code != http.StatusConflict {
		t.Errorf("upload on a locked questionnaire: %d", rec.Code)
	}
	s := e.client("10.21.0.9")
	s.login("stat")
	for _, p := range []string{base, base + "/items/age", base + "/pages/screener", base + "/settings", base + "/preview", "/app/m/m2027"} {
		rec := s.get(p)
		if rec.Code != http.StatusOK {
			t.Errorf("statistician GET %s: %d", p, rec.Code)
		}
		if b := rec.Body.String(); strings.Count(b, "<form") != 1 { // the logout form in the bar
			t.Errorf("statistician GET %s: %d forms, want only the logout form", p, strings.Count(b, "<form"))
		}
	}
}

// TestSetupEnglish opens every setup page in English: no interface key is
// left untranslated and the page is in English.
func TestSetupEnglish(t *testing.T) {
	e := newStaffEnv(t, "")
	c := newDraft(t, e)
	base := "/app/m/m2027/questionnaire"
	for _, p := range []string{"/app/measurements/new", "/app/m/m2027", base, base + "/items/serv_delivery", base + "/pages/service", base + "/settings", base + "/preview"} {
		rec := c.get(p + "?lang=en")
		body := rec.Body.String()
		if rec.Code != http.StatusOK || !strings.Contains(body, `<html lang="en">`) {
			t.Errorf("%s in English: %d", p, rec.Code)
		}
		for _, key := range []string{">f_", ">step_", ">state_", ">kind_", ">type_", ">role_", " f_", "done_"} {
			if strings.Contains(body, key) {
				t.Errorf("%s: an untranslated key %q", p, key)
			}
		}
	}
	// The page form's kind is the page's, not the measurement's (a key
	// once shared by two text maps).
	if body := c.get(base + "/pages/service?lang=en").Body.String(); !strings.Contains(body, "Page kind") || strings.Contains(body, "Kind of measurement") {
		t.Errorf("the page form does not label its kind \"Page kind\"")
	}
	if body := c.get("/app/measurements/new?lang=en").Body.String(); !strings.Contains(body, "Kind of measurement") {
		t.Errorf("the new measurement form lacks \"Kind of measurement\"")
	}
}
