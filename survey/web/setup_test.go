package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"manyi/survey"
	"manyi/survey/setup"
)

// setupRoleRows are the setup pages' rows of the route × role table: the
// office may do everything, the statistician read every page (403 on each
// POST), the interviewer nothing. An unknown page or item is a 404, which
// counts as allowed: only the role decides 403.
var setupRoleRows = []struct {
	route string
	path  string
	form  url.Values
	want  [4]outcome
}{
	{"GET /app/measurements/new", "", nil, [4]outcome{toLogin, forbidden, forbidden, allowed}},
	{"POST /app/measurements", "", url.Values{"title": {""}}, [4]outcome{toLogin, forbidden, forbidden, allowed}},
	{"GET /app/m/:id", "/app/m/demo-2026", nil, [4]outcome{toLogin, forbidden, allowed, allowed}},
	{"GET /app/m/:id/questionnaire", "/app/m/demo-2026/questionnaire", nil, [4]outcome{toLogin, forbidden, allowed, allowed}},
	{"GET /app/m/:id/questionnaire.json", "/app/m/demo-2026/questionnaire.json", nil, [4]outcome{toLogin, forbidden, allowed, allowed}},
	{"POST /app/m/:id/questionnaire/upload", "/app/m/demo-2026/questionnaire/upload", nil, [4]outcome{toLogin, forbidden, forbidden, allowed}},
	{"GET /app/m/:id/questionnaire/settings", "/app/m/demo-2026/questionnaire/settings", nil, [4]outcome{toLogin, forbidden, allowed, allowed}},
	{"POST /app/m/:id/questionnaire/settings", "/app/m/demo-2026/questionnaire/settings", url.Values{"qid": {"x"}}, [4]outcome{toLogin, forbidden, forbidden, allowed}},
	{"POST /app/m/:id/questionnaire/pages", "/app/m/demo-2026/questionnaire/pages", url.Values{"kind": {"other"}}, [4]outcome{toLogin, forbidden, forbidden, allowed}},
	{"GET /app/m/:id/questionnaire/pages/:page", "/app/m/demo-2026/questionnaire/pages/welcome", nil, [4]outcome{toLogin, forbidden, allowed, allowed}},
	{"POST /app/m/:id/questionnaire/pages/:page", "/app/m/demo-2026/questionnaire/pages/welcome", url.Values{"id": {"welcome"}}, [4]outcome{toLogin, forbidden, forbidden, allowed}},
	{"POST /app/m/:id/questionnaire/pages/:page/move", "/app/m/demo-2026/questionnaire/pages/welcome/move", url.Values{"direction": {"down"}}, [4]outcome{toLogin, forbidden, forbidden, allowed}},
	{"POST /app/m/:id/questionnaire/pages/:page/delete", "/app/m/demo-2026/questionnaire/pages/welcome/delete", nil, [4]outcome{toLogin, forbidden, forbidden, allowed}},
	{"POST /app/m/:id/questionnaire/pages/:page/items", "/app/m/demo-2026/questionnaire/pages/welcome/items", url.Values{"type": {"text"}}, [4]outcome{toLogin, forbidden, forbidden, allowed}},
	{"GET /app/m/:id/questionnaire/items/:item", "/app/m/demo-2026/questionnaire/items/age", nil, [4]outcome{toLogin, forbidden, allowed, allowed}},
	{"POST /app/m/:id/questionnaire/items/:item", "/app/m/demo-2026/questionnaire/items/age", url.Values{"id": {"age"}, "type": {"number"}}, [4]outcome{toLogin, forbidden, forbidden, allowed}},
	{"POST /app/m/:id/questionnaire/items/:item/move", "/app/m/demo-2026/questionnaire/items/age/move", url.Values{"direction": {"up"}}, [4]outcome{toLogin, forbidden, forbidden, allowed}},
	{"POST /app/m/:id/questionnaire/items/:item/delete", "/app/m/demo-2026/questionnaire/items/age/delete", nil, [4]outcome{toLogin, forbidden, forbidden, allowed}},
	{"POST /app/m/:id/questionnaire/order", "/app/m/demo-2026/questionnaire/order", url.Values{"order": {"x=y"}}, [4]outcome{toLogin, forbidden, forbidden, allowed}},
	{"GET /app/m/:id/questionnaire/preview", "/app/m/demo-2026/questionnaire/preview?page=2&qlang=en", nil, [4]outcome{toLogin, forbidden, allowed, allowed}},
	{"GET /app/m/:id/questionnaire/preview/frame", "/app/m/demo-2026/questionnaire/preview/frame?page=2", nil, [4]outcome{toLogin, forbidden, allowed, allowed}},
}

func init() { staffRoleTable = append(staffRoleTable, setupRoleRows...) }

// newForm is a valid new measurement form.
func newForm() url.Values {
	return url.Values{
		"title": {"示例市 2027 年市民质量满意度测评"}, "title_en": {"Example City 2027"},
		"city": {"示例市"}, "city_en": {"Example City"}, "year": {"2027"},
		"districts_from": {"list"},
		"districts":      {"a1 | 甲区 | Jia District\na2，乙区\na3 丙县 Bing County"},
		"prev":           {"demo-2026"}, "questionnaire_from": {"default"},
	}
}

func TestSetupCreateMeasurement(t *testing.T) {
	e := newStaffEnv(t, "")
	ctx := context.Background()
	c := e.client("10.20.0.1")
	c.login("boss")
	if body := c.get("/app").Body.String(); !strings.Contains(body, `href="/app/measurements/new"`) || !strings.Contains(body, "新建测评") {
		t.Errorf("the office's home has no New measurement button")
	}
	form := c.get("/app/measurements/new")
	if form.Code != http.StatusOK || !strings.Contains(form.Body.String(), `name="districts"`) {
		t.Fatalf("GET new: status %d\n%s", form.Code, form.Body)
	}
	f := newForm()
	f.Set("csrf", c.csrf())
	rec := c.post("/app/measurements", f)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/app/m/m2027?done=created" {
		t.Fatalf("POST: status %d, Location %q\n%s", rec.Code, rec.Header().Get("Location"), rec.Body)
	}
	m, err := e.db.Measurement(ctx, "m2027")
	if err != nil {
		t.Fatal(err)
	}
	if m.PrevID != "demo-2026" || m.Year != 2027 || m.Status != survey.StatusDraft || len(m.Districts) != 3 || m.Districts[2].Name.En != "Bing County" || m.Districts[1].Name.Zh != "乙区" {
		t.Errorf("stored %+v", m)
	}
	v, err := e.db.Questionnaire(ctx, "m2027", 0)
	if err != nil {
		t.Fatal(err)
	}
	d := v.Q.ItemsByRole("district")[0]
	if len(d.Choices) != 3 || d.Choices[0].Code != "a1" || d.Choices[1].Label.En != "乙区" {
		t.Errorf("district choices %+v, want the three districts", d.Choices)
	}
	r, err := e.db.Revision(ctx, "m2027", 0)
	if err != nil || r.Rev != 1 || r.Author != "boss" || r.Version != 1 {
		t.Errorf("revision 1: %+v, %v", r, err)
	}
	if got := e.auditActions()[0]; got != "measurement.create:boss:m2027" {
		t.Errorf("audit %q", got)
	}
	page := c.get("/app/m/m2027?done=created").Body.String()
	for _, w := range []string{"测评已创建", "请先导入抽样框", "请先抽取样本", `href="/app/m/m2027/frame"`, `href="/app/m/m2027/sample"`,
		`href="/app/m/m2027/invitations"`, `href="/app/m/m2027/cases/assign"`, `href="/app/m/m2027/fieldwork"`, `href="/app/m/m2027/questionnaire"`,
		`href="/app/m/m2027/results"`, `href="/app/m/m2027/report"`, "a1 甲区", "尚未开始"} {
		if !strings.Contains(page, w) {
			t.Errorf("overview lacks %q", w)
		}
	}
	// A second one the same year gets the next id; districts copied.
	f = url.Values{"title": {"补充测评"}, "city": {"示例市"}, "year": {"2027"}, "districts_from": {"previous"}, "prev": {"m2027"},
		"questionnaire_from": {"m2027"}, "csrf": {c.csrf()}}
	if rec := c.post("/app/measurements", f); rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/app/m/m2027-2") {
		t.Fatalf("second: status %d, Location %q\n%s", rec.Code, rec.Header().Get("Location"), rec.Body)
	}
	if m2, err := e.db.Measurement(ctx, "m2027-2"); err != nil || len(m2.Districts) != 3 {
		t.Errorf("copied districts: %+v %v", m2, err)
	}
}

func TestSetupCreateErrors(t *testing.T) {
	e := newStaffEnv(t, "")
	c := e.client("10.20.0.2")
	c.login("boss")
	tests := []struct {
		name  string
		edit  func(url.Values)
		wants []string
	}{
		{"no title", func(f url.Values) { f.Set("title", "") }, []string{`id="e-title"`, "必填"}},
		{"bad year", func(f url.Values) { f.Set("year", "二〇二七") }, []string{`id="e-year"`, "年份应为数字"}},
		{"bad district line", func(f url.Values) { f.Set("districts", "a1 甲区\n\nonlycode") }, []string{`id="e-districts"`, "第 3 行"}},
		{"duplicate code", func(f url.Values) { f.Set("districts", "a1 甲区\na1 乙区") }, []string{"第 2 行", "与第 1 行重复"}},
		{"bad id", func(f url.Values) { f.Set("id", "Not OK") }, []string{`id="e-id"`}},
		{"taken id", func(f url.Values) { f.Set("id", "demo-2026") }, []string{"已被使用"}},
		{"unknown source", func(f url.Values) { f.Set("questionnaire_from", "nope") }, []string{"nope"}},
		{"copy without previous", func(f url.Values) { f.Set("prev", ""); f.Set("districts_from", "previous") }, []string{"请先选择上一次的测评"}},
	}
	for _, tt := range tests {
		f := newForm()
		tt.edit(f)
		f.Set("csrf", c.csrf())
		rec := c.post("/app/measurements", f)
		body := rec.Body.String()
		if rec.Code != http.StatusUnprocessableEntity {
			t.Errorf("%s: status %d, want 422", tt.name, rec.Code)
			continue
		}
		for _, w := range tt.wants {
			if !strings.Contains(body, w) {
				t.Errorf("%s: page lacks %q", tt.name, w)
			}
		}
		// The form keeps what was typed.
		if !strings.Contains(body, `name="city" type="text" value="示例市"`) {
			t.Errorf("%s: the form lost the city", tt.name)
		}
	}
	ms, _ := e.db.Measurements(context.Background())
	if len(ms) != 1 {
		t.Errorf("%d measurements after failed forms, want 1", len(ms))
	}
}

// TestSetupCSRF: every setup POST refuses a missing or wrong token and
// changes nothing.
func TestSetupCSRF(t *testing.T) {
	e := newStaffEnv(t, "")
	c := e.client("10.20.0.3")
	c.login("boss")
	for _, row := range setupRoleRows {
		method, path, _ := strings.Cut(row.route, " ")
		if method != http.MethodPost {
			continue
		}
		if row.path != "" {
			path = row.path
		}
		for _, tok := range []string{"", flipFirst(c.csrf())} {
			f := newForm()
			if tok != "" {
				f.Set("csrf", tok)
			}
			if rec := c.post(path, f); rec.Code != http.StatusForbidden || !strings.Contains(rec.Body.String(), "表单已过期") {
				t.Errorf("POST %s with token %q: status %d, want 403", path, tok, rec.Code)
			}
		}
	}
	if ms, _ := e.db.Measurements(context.Background()); len(ms) != 1 {
		t.Errorf("a forged form created a measurement")
	}
}

// TestSetupOverviewReadOnly: the statistician reads the overview without
// the office's forms; the demo measurement (open, with responses) shows
// fieldwork open and results ready.
func TestSetupOverviewReadOnly(t *testing.T) {
	e := newStaffEnv(t, "")
	c := e.client("10.20.0.4")
	c.login("stat")
	if body := c.get("/app").Body.String(); strings.Contains(body, "/app/measurements/new") || !strings.Contains(body, `href="/app/m/demo-2026"`) {
		t.Errorf("statistician home: a New measurement button, or no overview link")
	}
	rec := c.get("/app/m/demo-2026")
	body := rec.Body.String()
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d", rec.Code)
	}
	if strings.Contains(body, `method="post" action="/app/m/`) {
		t.Errorf("the statistician's overview has a form")
	}
	for _, w := range []string{"step-fieldwork", setupUI["state_open"].Zh, "问卷已锁定"} {
		if !strings.Contains(body, w) {
			t.Errorf("overview lacks %q", w)
		}
	}
}

// TestParseDistricts covers the separators and the line numbers of
// problems.
func TestParseDistricts(t *testing.T) {
	ds, errs := setup.ParseDistricts("\ufeffd1\t东城区\tDongcheng\r\nd2 | 西城区\n\nd3 青溪县 Qingxi County\n")
	if len(errs) != 0 || len(ds) != 3 || ds[0].Name.En != "Dongcheng" || ds[1].Name.En != "" || ds[2].Name.En != "Qingxi County" {
		t.Errorf("got %+v %+v", ds, errs)
	}
	_, errs = setup.ParseDistricts("d1 东城区\nd 1, x\nd1 again")
	if len(errs) != 2 || !strings.HasPrefix(errs[0].Message.En, "line 2:") || !strings.HasPrefix(errs[1].Message.En, "line 3:") {
		t.Errorf("errors %+v", errs)
	}
}
