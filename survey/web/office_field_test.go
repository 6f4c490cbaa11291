package web

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"manyi/survey"
	"manyi/survey/auth"
	"manyi/survey/fieldwork"
	"manyi/survey/sampling"
	"manyi/survey/secret"
)

// officeRoleRows are the rows of the route × role table for the frame,
// sample, invitations, assignment and fieldwork pages: the office may do
// everything, the statistician read every GET (403 on each POST and on
// the rejected-rows download, which repeats phone numbers), the
// interviewer nothing. POSTs that would change demo-2026 for later rows
// go to an unknown measurement (a 404 counts as allowed).
var officeRoleRows = []struct {
	route string
	path  string
	form  url.Values
	want  [4]outcome
}{
	{"GET /app/m/:id/frame", "/app/m/demo-2026/frame", nil, [4]outcome{toLogin, forbidden, allowed, allowed}},
	{"POST /app/m/:id/frame", "/app/m/demo-2026/frame", nil, [4]outcome{toLogin, forbidden, forbidden, allowed}},
	{"POST /app/m/:id/frame/import", "/app/m/demo-2026/frame/import", url.Values{"job": {"none"}}, [4]outcome{toLogin, forbidden, forbidden, allowed}},
	{"POST /app/m/:id/frame/discard", "/app/m/demo-2026/frame/discard", url.Values{"job": {"none"}}, [4]outcome{toLogin, forbidden, forbidden, allowed}},
	{"GET /app/m/:id/frame/rejects.csv", "/app/m/demo-2026/frame/rejects.csv", nil, [4]outcome{toLogin, forbidden, forbidden, allowed}},
	{"GET /app/m/:id/sample", "/app/m/demo-2026/sample", nil, [4]outcome{toLogin, forbidden, allowed, allowed}},
	{"POST /app/m/:id/sample", "/app/m/demo-2026/sample", url.Values{"action": {"preview"}, "allocation": {"equal"}, "total": {"10"}, "seed": {"1"}}, [4]outcome{toLogin, forbidden, forbidden, allowed}},
	{"GET /app/m/:id/invitations", "/app/m/demo-2026/invitations", nil, [4]outcome{toLogin, forbidden, allowed, allowed}},
	{"POST /app/m/:id/invitations/sms", "/app/m/nope/invitations/sms", url.Values{"template": {"{link}"}}, [4]outcome{toLogin, forbidden, forbidden, allowed}},
	{"POST /app/m/:id/invitations/reminder", "/app/m/nope/invitations/reminder", url.Values{"template": {"{link}"}}, [4]outcome{toLogin, forbidden, forbidden, allowed}},
	{"POST /app/m/:id/invitations/qr", "/app/m/nope/invitations/qr", nil, [4]outcome{toLogin, forbidden, forbidden, allowed}},
	{"GET /app/m/:id/invitations/jobs/:job", "/app/m/demo-2026/invitations/jobs/none", nil, [4]outcome{toLogin, forbidden, forbidden, allowed}},
	{"GET /app/m/:id/invitations/jobs/:job/file", "/app/m/demo-2026/invitations/jobs/none/file", nil, [4]outcome{toLogin, forbidden, forbidden, allowed}},
	{"POST /app/m/:id/invitations/release", "/app/m/nope/invitations/release", url.Values{"district": {"d1"}}, [4]outcome{toLogin, forbidden, forbidden, allowed}},
	{"GET /app/m/:id/cases/assign", "/app/m/demo-2026/cases/assign", nil, [4]outcome{toLogin, forbidden, allowed, allowed}},
	{"POST /app/m/:id/cases/assign", "/app/m/nope/cases/assign", url.Values{"interviewer": {"ivw"}}, [4]outcome{toLogin, forbidden, forbidden, allowed}},
	{"POST /app/m/:id/cases/assign/selected", "/app/m/nope/cases/assign/selected", url.Values{"case": {"1"}}, [4]outcome{toLogin, forbidden, forbidden, allowed}},
	{"GET /app/m/:id/fieldwork", "/app/m/demo-2026/fieldwork", nil, [4]outcome{toLogin, forbidden, allowed, allowed}},
	{"POST /app/m/:id/fieldwork/open", "/app/m/nope/fieldwork/open", nil, [4]outcome{toLogin, forbidden, forbidden, allowed}},
	{"POST /app/m/:id/fieldwork/close", "/app/m/nope/fieldwork/close", nil, [4]outcome{toLogin, forbidden, forbidden, allowed}},
	{"POST /app/m/:id/fieldwork/purge", "/app/m/nope/fieldwork/purge", url.Values{"confirm": {"x"}}, [4]outcome{toLogin, forbidden, forbidden, allowed}},
	{"POST /app/m/:id/archive", "/app/m/nope/archive", url.Values{"archived": {"1"}}, [4]outcome{toLogin, forbidden, forbidden, allowed}},
}

func init() { staffRoleTable = append(staffRoleTable, officeRoleRows...) }

// TestOfficeCSRF sends every new POST with a wrong CSRF token as the
// office: each is refused with 403 and changes nothing.
func TestOfficeCSRF(t *testing.T) {
	e := newOfficeEnv(t)
	c := e.client("10.8.0.1")
	c.login("boss")
	before := len(e.auditActions())
	for _, r := range officeRoleRows {
		method, _, _ := strings.Cut(r.route, " ")
		if method != http.MethodPost {
			continue
		}
		path := strings.ReplaceAll(r.path, "/nope/", "/m1/")
		f := url.Values{"csrf": {"wrong-token"}}
		for k, v := range r.form {
			f[k] = v
		}
		if rec := c.post(path, f); rec.Code != http.StatusForbidden {
			t.Errorf("%s with a wrong CSRF token: status %d, want 403", r.route, rec.Code)
		}
		delete(f, "csrf")
		if rec := c.post(path, f); rec.Code != http.StatusForbidden {
			t.Errorf("%s without a CSRF token: status %d, want 403", r.route, rec.Code)
		}
	}
	// Only the logins' own entries: every refused POST changed nothing.
	if got := e.auditActions(); len(got) != before {
		t.Errorf("refused POSTs wrote audit entries: %v", got[:len(got)-before])
	}
	if m, _ := e.db.Measurement(context.Background(), "m1"); m.Status != survey.StatusDraft {
		t.Errorf("m1 is %s after refused POSTs, want draft", m.Status)
	}
}

// newOfficeEnv is the staff test server with a contact key and a draft
// measurement m1 (districts d1 东城区, d2 西城区, the default
// questionnaire) to set up.
func newOfficeEnv(t *testing.T) *staffEnv {
	t.Helper()
	e, _ := newOfficeEnvConfig(t)
	return e
}

// newOfficeEnvConfig is newOfficeEnv that also returns its server's
// Config, for a second server on the same database.
func newOfficeEnvConfig(t *testing.T) (*staffEnv, Config) {
	t.Helper()
	e := newStaffEnv(t, "https://survey.example.cn")
	key, err := secret.ParseKey(secret.GenerateKey())
	if err != nil {
		t.Fatal(err)
	}
	cfg := storeConfig(e.db)
	cfg.Log = slog.New(slog.NewTextHandler(e.log, nil))
	cfg.Secret = []byte("staff-test-secret-0123456789abcdef")
	cfg.BaseURL = "https://survey.example.cn"
	cfg.Now = e.clock.Now
	cfg.ContactKey = key
	if e.srv, err = New(cfg); err != nil {
		t.Fatal(err)
	}
	m := &survey.Measurement{ID: "m1", City: survey.Text{Zh: "示例市", En: "Example City"}, Title: survey.Text{Zh: "示例市 2027 年测评", En: "Example 2027"}, Year: 2027,
		Districts: []survey.District{{Code: "d1", Name: survey.Text{Zh: "东城区", En: "Dongcheng"}}, {Code: "d2", Name: survey.Text{Zh: "西城区", En: "Xicheng"}}}}
	if err := e.db.CreateMeasurement(context.Background(), m, survey.DefaultQuestionnaire()); err != nil {
		t.Fatal(err)
	}
	return e, cfg
}

// frameCSV is a frame of n units per district plus three bad rows: an
// unknown district (row n*2+2), a malformed phone and a duplicate id.
func frameCSV(n int) string {
	var b strings.Builder
	b.WriteString("id,district,gender,age_band,contact\n")
	k := 0
	for _, d := range []string{"东城区", "d2"} {
		for i := 0; i < n; i++ {
			fmt.Fprintf(&b, "U%04d,%s,%s,%s,139%08d\n", k, d, []string{"男", "女"}[i%2], sampling.AgeBands[i%4], 10000000+k)
			k++
		}
	}
	b.WriteString("X1,朝阳区,男,18-29,13900000001\n")
	b.WriteString("X2,d1,女,30-44,12345\n")
	b.WriteString("U0000,d1,女,30-44,13900000002\n")
	return b.String()
}

// upload posts a file to the frame form as a browser does.
func (c *staffClient) upload(path, csrf, name string, data []byte) *httptest.ResponseRecorder {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("csrf", csrf)
	fw, _ := mw.CreateFormFile("frame", name)
	fw.Write(data)
	mw.Close()
	req := httptest.NewRequest(http.MethodPost, path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.do(req)
}

var jobField = regexp.MustCompile(`name="job" value="([0-9a-f]+)"`)

// waitFrame follows the frame page until its job leaves phase and
// returns the page.
func (c *staffClient) waitFrame(t *testing.T, id string) string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		rec := c.get("/app/m/" + id + "/frame")
		body := rec.Body.String()
		if rec.Code != http.StatusOK {
			t.Fatalf("frame page: %d\n%s", rec.Code, body)
		}
		if !strings.Contains(body, `http-equiv="refresh"`) {
			return body
		}
		if time.Now().After(deadline) {
			t.Fatalf("the frame job did not finish:\n%s", body)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestOfficeFrameUploadPreviewImport(t *testing.T) {
	e := newOfficeEnv(t)
	c := e.client("10.8.0.2")
	c.login("boss")
	ctx := context.Background()
	page := c.get("/app/m/m1/frame").Body.String()
	csrf := csrfOf(t, page)

	// GBK, as Excel on a Chinese Windows saves CSV.
	gbk, err := simplifiedchinese.GBK.NewEncoder().String(frameCSV(20))
	if err != nil {
		t.Fatal(err)
	}
	rec := c.upload("/app/m/m1/frame", csrf, "名单.csv", []byte(gbk))
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("upload: %d\n%s", rec.Code, rec.Body)
	}
	body := c.waitFrame(t, "m1")
	for _, want := range []string{"gb18030", "有效行 40", "被剔除 3 行", "朝阳区", "与第 2 行重复", "电话号码格式不正确", "139****0000", "导入有效行", "下载被剔除的行"} {
		if !strings.Contains(body, want) {
			t.Errorf("preview lacks %q", want)
		}
	}
	if strings.Contains(body, "13910000000") {
		t.Error("the preview shows a full phone number")
	}
	if _, err := e.db.Frame(ctx, "m1"); survey.ErrorCode(err) != survey.ENOTFOUND {
		t.Fatalf("a frame is stored before Import clean rows: %v", err)
	}
	// Rejected rows: row, reason and the row's own fields.
	rej := c.get("/app/m/m1/frame/rejects.csv")
	if rej.Code != http.StatusOK || !strings.Contains(rej.Body.String(), "42,") || !strings.Contains(rej.Body.String(), "X1,朝阳区") {
		t.Errorf("rejects.csv: %d\n%s", rej.Code, rej.Body)
	}
	// A statistician reads the page but has no import button.
	s := e.client("10.8.0.3")
	s.login("stat")
	if sb := s.get("/app/m/m1/frame").Body.String(); strings.Contains(sb, "frame/import") || !strings.Contains(sb, "有效行 40") {
		t.Error("the statistician's frame page has an import form or no preview")
	}

	m := jobField.FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no job field in the preview")
	}
	rec = c.post("/app/m/m1/frame/import", url.Values{"csrf": {csrf}, "job": {m[1]}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("import: %d\n%s", rec.Code, rec.Body)
	}
	body = c.waitFrame(t, "m1")
	if !strings.Contains(body, "已导入“名单.csv”：40 个单位，40 个有联系方式，剔除 3 行") {
		t.Errorf("after import the page lacks the summary:\n%s", body)
	}
	sum, err := e.db.Frame(ctx, "m1")
	if err != nil || sum.Units != 40 || sum.Contacts != 40 || sum.Rejected != 3 {
		t.Fatalf("stored frame %+v, %v", sum, err)
	}
	if !slicesContain(e.auditActions(), "frame.import:boss:m1") {
		t.Errorf("no frame.import audit entry: %v", e.auditActions())
	}
	// The same job cannot be imported twice.
	if rec := c.post("/app/m/m1/frame/import", url.Values{"csrf": {csrf}, "job": {m[1]}}); rec.Code != http.StatusConflict {
		t.Errorf("second import of one upload: %d, want 409", rec.Code)
	}
}

func slicesContain(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func TestOfficeFrameBadFiles(t *testing.T) {
	e := newOfficeEnv(t)
	c := e.client("10.8.0.4")
	c.login("boss")
	csrf := csrfOf(t, c.get("/app/m/m1/frame").Body.String())

	// Over 50 MB: refused by its Content-Length, with a clear message.
	big := bytes.Repeat([]byte("x"), maxUpload+maxBody+1)
	rec := c.upload("/app/m/m1/frame", csrf, "big.csv", big)
	if rec.Code != http.StatusRequestEntityTooLarge || !strings.Contains(rec.Body.String(), "文件超过 50 MB") {
		t.Errorf("too large: %d\n%.300s", rec.Code, rec.Body)
	}
	// No id column: the whole file is unusable, nothing is stored.
	rec = c.upload("/app/m/m1/frame", csrf, "bad.csv", []byte("编号,区县\n1,东城区\n"))
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("upload: %d", rec.Code)
	}
	if body := c.waitFrame(t, "m1"); !strings.Contains(body, "未能读取或导入") || !strings.Contains(body, "id") {
		t.Errorf("a file without an id column: no clear failure\n%s", body)
	}
	// A stray quote: the row and the problem are named.
	rec = c.upload("/app/m/m1/frame", csrf, "quote.csv", []byte("id,district\n1,东城区\n2,\"西城区\n"))
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("upload: %d", rec.Code)
	}
	if body := c.waitFrame(t, "m1"); !strings.Contains(body, "CSV 格式错误") || !strings.Contains(body, "<td>3</td>") {
		t.Errorf("a stray quote is not reported with its row:\n%s", body)
	}
	// No file at all.
	if rec := c.post("/app/m/m1/frame", url.Values{"csrf": {csrf}}); rec.Code != http.StatusUnprocessableEntity {
		t.Errorf("no file: %d", rec.Code)
	}
	if _, err := e.db.Frame(context.Background(), "m1"); survey.ErrorCode(err) != survey.ENOTFOUND {
		t.Errorf("a bad upload stored a frame: %v", err)
	}
}

// importFrame imports frameCSV(n) into m1 through the pages.
func importFrame(t *testing.T, c *staffClient, n int) {
	t.Helper()
	csrf := csrfOf(t, c.get("/app/m/m1/frame").Body.String())
	c.upload("/app/m/m1/frame", csrf, "frame.csv", []byte(frameCSV(n)))
	m := jobField.FindStringSubmatch(c.waitFrame(t, "m1"))
	if m == nil {
		t.Fatal("no staged job")
	}
	c.post("/app/m/m1/frame/import", url.Values{"csrf": {csrf}, "job": {m[1]}})
	c.waitFrame(t, "m1")
}

func TestOfficeSampleInvitationsFieldwork(t *testing.T) {
	e := newOfficeEnv(t)
	c := e.client("10.8.0.5")
	c.login("boss")
	ctx := context.Background()
	importFrame(t, c, 20)
	page := c.get("/app/m/m1/sample")
	csrf := csrfOf(t, page.Body.String())
	if !regexp.MustCompile(`name="seed" type="text" value="[0-9]+"`).MatchString(page.Body.String()) {
		t.Error("the sample form proposes no seed")
	}
	plan := url.Values{"csrf": {csrf}, "allocation": {"equal"}, "total": {"10"}, "floor": {"0"}, "reserve": {"0.5"}, "reserve_batches": {"1"}, "seed": {"42"}}
	plan.Set("action", "preview")
	rec := c.post("/app/m/m1/sample", plan)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "分配预览") || !strings.Contains(rec.Body.String(), "<td>5.00</td>") {
		t.Fatalf("preview: %d\n%s", rec.Code, rec.Body)
	}
	if _, err := e.db.Sample(ctx, "m1"); survey.ErrorCode(err) != survey.ENOTFOUND {
		t.Fatal("the preview drew a sample")
	}
	// A bad field is named.
	bad := url.Values{"csrf": {csrf}, "allocation": {"equal"}, "total": {"ten"}, "seed": {"1"}, "action": {"preview"}}
	if rec := c.post("/app/m/m1/sample", bad); rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), `id="total-err"`) {
		t.Errorf("a bad total: %d", rec.Code)
	}
	plan.Set("action", "draw")
	if rec := c.post("/app/m/m1/sample", plan); rec.Code != http.StatusSeeOther {
		t.Fatalf("draw: %d\n%s", rec.Code, rec.Body)
	}
	si, err := e.db.Sample(ctx, "m1")
	if err != nil || si.Seed != 42 || si.Alloc.Total != 10 {
		t.Fatalf("sample %+v, %v", si, err)
	}
	// Drawing again needs redraw=1, which works before any link.
	if rec := c.post("/app/m/m1/sample", plan); rec.Code != http.StatusConflict {
		t.Errorf("second draw without redraw: %d", rec.Code)
	}
	plan.Set("redraw", "1")
	plan.Set("seed", "43")
	if rec := c.post("/app/m/m1/sample", plan); rec.Code != http.StatusSeeOther {
		t.Fatalf("redraw: %d\n%s", rec.Code, rec.Body)
	}
	if si, _ := e.db.Sample(ctx, "m1"); si.Seed != 43 {
		t.Errorf("redraw kept seed %d", si.Seed)
	}

	// Before fieldwork opens a link answers "not started yet".
	inv := c.get("/app/m/m1/invitations").Body.String()
	if !strings.Contains(inv, "下载短信文件") || !strings.Contains(inv, "条短信") {
		t.Error("the invitations page lacks the SMS button or the count")
	}
	rec = c.post("/app/m/m1/invitations/sms", url.Values{"csrf": {csrf}, "template": {"【{city}】请参加{title}：{link}"}, "district": {"d1"}})
	if rec.Code != http.StatusOK || rec.Header().Get("X-Manyi-Links") != "5" || !strings.Contains(rec.Header().Get("Content-Disposition"), "5links.csv") {
		t.Fatalf("SMS file: %d %v\n%s", rec.Code, rec.Header(), rec.Body)
	}
	links := regexp.MustCompile(`https://survey\.example\.cn/s/([A-Za-z0-9_-]{22})`).FindAllStringSubmatch(rec.Body.String(), -1)
	if len(links) != 5 {
		t.Fatalf("%d links in the SMS file, want 5", len(links))
	}
	res := e.client("10.8.1.1")
	if r := res.get("/s/" + links[0][1]); r.Code != http.StatusGone || !strings.Contains(r.Body.String(), "尚未开始") {
		t.Errorf("a link before fieldwork: %d", r.Code)
	}
	// No redraw once a link is out.
	if rec := c.post("/app/m/m1/sample", plan); rec.Code != http.StatusConflict {
		t.Errorf("redraw after links: %d", rec.Code)
	}
	// Per-district reserve release.
	if rec := c.post("/app/m/m1/invitations/release", url.Values{"csrf": {csrf}, "district": {"d2"}}); rec.Code != http.StatusSeeOther {
		t.Errorf("release: %d\n%s", rec.Code, rec.Body)
	}
	if lv, _ := e.db.ReleasedBatches(ctx, "m1"); lv["d2"] != 1 || lv["d1"] != 0 {
		t.Errorf("released %v", lv)
	}
	// QR sheet for d2.
	if rec := c.post("/app/m/m1/invitations/qr", url.Values{"csrf": {csrf}, "district": {"d2"}}); rec.Code != http.StatusOK || !bytes.HasPrefix(rec.Body.Bytes(), []byte("%PDF")) {
		t.Errorf("QR sheet: %d", rec.Code)
	}

	// Assign by district and count, then one case back.
	if rec := c.post("/app/m/m1/cases/assign", url.Values{"csrf": {csrf}, "interviewer": {"ivw"}, "district": {"d2"}, "count": {"3"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("assign: %d\n%s", rec.Code, rec.Body)
	}
	mine, _ := e.db.Cases(ctx, fieldwork.CaseFilter{MeasurementID: "m1", Interviewer: "ivw"})
	if len(mine) != 3 {
		t.Fatalf("%d cases assigned, want 3", len(mine))
	}
	if rec := c.post("/app/m/m1/cases/assign/selected", url.Values{"csrf": {csrf}, "interviewer": {""}, "case": {fmt.Sprint(mine[0].ID)}}); rec.Code != http.StatusSeeOther {
		t.Errorf("unassign one: %d", rec.Code)
	}
	iv := e.client("10.8.0.6")
	iv.login("ivw")
	if body := iv.get("/app/m/m1/cases").Body.String(); strings.Count(body, "/interview\"") != 2 && !strings.Contains(body, mine[1].UnitID) {
		t.Errorf("the interviewer does not see the assigned cases")
	}

	// Open: links work; close: links are closed and attempts refused.
	if rec := c.post("/app/m/m1/fieldwork/open", url.Values{"csrf": {csrf}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("open: %d\n%s", rec.Code, rec.Body)
	}
	if r := res.get("/s/" + links[0][1]); r.Code != http.StatusOK {
		t.Errorf("a link during fieldwork: %d", r.Code)
	}
	rec = c.post("/app/m/m1/invitations/reminder", url.Values{"csrf": {csrf}, "template": {"提醒：{link}"}})
	// 5 sent by SMS in d1, 8 by the QR sheet in d2 (5 main, 3 reserve).
	if rec.Code != http.StatusOK || rec.Header().Get("X-Manyi-Links") != "13" {
		t.Errorf("reminder file: %d, %s links", rec.Code, rec.Header().Get("X-Manyi-Links"))
	}
	if r := res.get("/s/" + links[0][1]); r.Code != http.StatusNotFound {
		t.Errorf("the old link after a reminder: %d, want 404", r.Code)
	}
	if rec := c.post("/app/m/m1/fieldwork/close", url.Values{"csrf": {csrf}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("close: %d", rec.Code)
	}
	attempt := iv.post(fmt.Sprintf("/app/m/m1/cases/%d/attempts", mine[1].ID), url.Values{"csrf": {iv.csrf()}, "outcome": {"busy"}})
	if attempt.Code < 400 {
		t.Errorf("an attempt after close: %d", attempt.Code)
	}

	// Purge needs the typed id.
	if rec := c.post("/app/m/m1/fieldwork/purge", url.Values{"csrf": {csrf}, "confirm": {"yes"}}); rec.Code != http.StatusUnprocessableEntity {
		t.Errorf("purge with a wrong confirmation: %d", rec.Code)
	}
	if rec := c.post("/app/m/m1/fieldwork/purge", url.Values{"csrf": {csrf}, "confirm": {"m1"}}); rec.Code != http.StatusSeeOther {
		t.Errorf("purge: %d\n%s", rec.Code, rec.Body)
	}
	if f, _ := e.db.Frame(ctx, "m1"); f.Contacts != 0 || f.PurgedBy != "boss" {
		t.Errorf("after purge: %+v", f)
	}

	// Archive: hidden from /app, read-only, shown with ?archived=1.
	if rec := c.post("/app/m/m1/archive", url.Values{"csrf": {csrf}, "archived": {"1"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("archive: %d", rec.Code)
	}
	if strings.Contains(c.get("/app").Body.String(), ">m1<") || !strings.Contains(c.get("/app?archived=1").Body.String(), ">m1<") {
		t.Error("the archived measurement is listed by default, or not with ?archived=1")
	}
	if rec := c.post("/app/m/m1/invitations/release", url.Values{"csrf": {csrf}, "district": {"d1"}}); rec.Code != http.StatusConflict {
		t.Errorf("a change to an archived measurement: %d, want 409", rec.Code)
	}
	if rec := c.post("/app/m/m1/archive", url.Values{"csrf": {csrf}, "archived": {"0"}}); rec.Code != http.StatusSeeOther {
		t.Errorf("unarchive: %d", rec.Code)
	}
	acts := strings.Join(e.auditActions(), " ")
	for _, a := range []string{"sample.draw:boss:m1", "invitations.issue:boss:m1", "sample.release:boss:m1", "cases.assign:boss:m1",
		"fieldwork.open:boss:m1", "fieldwork.close:boss:m1", "frame.purge:boss:m1", "measurement.archive:boss:m1", "measurement.unarchive:boss:m1"} {
		if !strings.Contains(acts, a) {
			t.Errorf("audit log lacks %s", a)
		}
	}
}

// TestOfficeOpenChecks: fieldwork cannot open without a sample.
func TestOfficeOpenChecks(t *testing.T) {
	e := newOfficeEnv(t)
	c := e.client("10.8.0.7")
	c.login("boss")
	body := c.get("/app/m/m1/fieldwork").Body.String()
	if !strings.Contains(body, "请先抽取样本") || !strings.Contains(body, "disabled") {
		t.Errorf("the fieldwork page does not say what is missing")
	}
	rec := c.post("/app/m/m1/fieldwork/open", url.Values{"csrf": {csrfOf(t, body)}})
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "请先抽取样本") {
		t.Errorf("open without a sample: %d", rec.Code)
	}
}

// TestOfficeEnglishLabels: with the language switch the buttons carry the
// English labels of issue 10.
func TestOfficeEnglishLabels(t *testing.T) {
	e := newOfficeEnv(t)
	c := e.client("10.8.0.8")
	c.login("boss")
	importFrame(t, c, 10)
	csrf := csrfOf(t, c.get("/app/m/m1/sample").Body.String())
	c.post("/app/m/m1/sample", url.Values{"csrf": {csrf}, "action": {"draw"}, "allocation": {"equal"}, "total": {"4"}, "reserve": {"0.5"}, "reserve_batches": {"1"}, "seed": {"9"}})
	for page, labels := range map[string][]string{
		"/app/m/m1/frame?lang=en":        {"A sample has been drawn from this frame"},
		"/app/m/m1/sample?lang=en":       {"Allocation", "seed 9"},
		"/app/m/m1/invitations?lang=en":  {"Download SMS file", "QR sheet (PDF)", "Reminder SMS file", "Release reserve batch", "segments"},
		"/app/m/m1/cases/assign?lang=en": {"Assign by district and count", "Assign the ticked cases"},
		"/app/m/m1/fieldwork?lang=en":    {"Open fieldwork", "Purge contacts", "Archive this measurement"},
	} {
		body := c.get(page).Body.String()
		for _, l := range labels {
			if !strings.Contains(body, l) {
				t.Errorf("%s lacks %q", page, l)
			}
		}
	}
	// Before drawing, the sample form's buttons.
	e2 := newOfficeEnv(t)
	c2 := e2.client("10.8.0.9")
	c2.login("boss")
	importFrame(t, c2, 10)
	body := c2.get("/app/m/m1/sample?lang=en").Body.String()
	for _, l := range []string{"Preview allocation", "Draw sample"} {
		if !strings.Contains(body, l) {
			t.Errorf("sample page lacks %q", l)
		}
	}
	// And the frame preview's.
	csrf = csrfOf(t, c2.get("/app/m/m1/frame").Body.String())
	c2.upload("/app/m/m1/frame", csrf, "f.csv", []byte(frameCSV(3)))
	c2.waitFrame(t, "m1")
	body = c2.get("/app/m/m1/frame?lang=en").Body.String()
	for _, l := range []string{"Import clean rows", "Download rejected rows", "Rejected rows", "Upload and preview"} {
		if !strings.Contains(body, l) {
			t.Errorf("frame preview lacks %q", l)
		}
	}
	// The questionnaire's and the list's buttons, and Close fieldwork.
	for page, labels := range map[string][]string{
		"/app?lang=en":                    {"New measurement"},
		"/app/m/m1/questionnaire?lang=en": {"Download JSON", "Upload JSON"},
	} {
		body := c2.get(page).Body.String()
		for _, l := range labels {
			if !strings.Contains(body, l) {
				t.Errorf("%s lacks %q", page, l)
			}
		}
	}
	csrf = csrfOf(t, c.get("/app/m/m1/fieldwork").Body.String())
	if rec := c.post("/app/m/m1/fieldwork/open", url.Values{"csrf": {csrf}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("open: %d", rec.Code)
	}
	if body := c.get("/app/m/m1/fieldwork?lang=en").Body.String(); !strings.Contains(body, "Close fieldwork") {
		t.Errorf("the open fieldwork page lacks %q", "Close fieldwork")
	}
}

// TestOfficeFrameTwoServers: the upload reaches one server, "Import clean
// rows" another on the same database (issue 12); the staged upload is in
// the store, sealed (no phone number in clear), and the second server
// imports it and shows the same progress page.
func TestOfficeFrameTwoServers(t *testing.T) {
	e, cfg := newOfficeEnvConfig(t)
	a := e.srv
	b, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c := e.client("10.8.0.2")
	c.login("boss")
	csrf := csrfOf(t, c.get("/app/m/m1/frame").Body.String())
	if rec := c.upload("/app/m/m1/frame", csrf, "frame.csv", []byte(frameCSV(20))); rec.Code != http.StatusSeeOther {
		t.Fatalf("upload: %d\n%s", rec.Code, rec.Body)
	}
	body := c.waitFrame(t, "m1")
	m := jobField.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no job field in the preview:\n%s", body)
	}
	j, err := e.db.Job(context.Background(), m[1])
	if err != nil {
		t.Fatal(err)
	}
	for name, v := range map[string]string{"input": j.Input, "meta": string(j.Meta), "result": j.Result} {
		if strings.Contains(v, "13910000000") || strings.Contains(v, "U0001") {
			t.Errorf("the job's %s holds the file in clear", name)
		}
	}
	e.srv = b // the next requests reach the other server
	if got := c.get("/app/m/m1/frame").Body.String(); !strings.Contains(got, "有效行 40") || !strings.Contains(got, m[1]) {
		t.Fatalf("the other server does not show the staged upload:\n%s", got)
	}
	if rec := c.post("/app/m/m1/frame/import", url.Values{"csrf": {csrf}, "job": {m[1]}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("import on the other server: %d\n%s", rec.Code, rec.Body)
	}
	body = c.waitFrame(t, "m1")
	if !strings.Contains(body, "40 个单位") {
		t.Errorf("after the import the page lacks the summary:\n%s", body)
	}
	e.srv = a
	if got := c.get("/app/m/m1/frame").Body.String(); !strings.Contains(got, "40 个单位") {
		t.Errorf("the first server does not show the import")
	}
	if sum, err := e.db.Frame(context.Background(), "m1"); err != nil || sum.Units != 40 {
		t.Fatalf("stored frame %+v, %v", sum, err)
	}
}

// TestOfficeReassign: assigning by district and count leaves another
// interviewer's cases alone unless "reassign" is ticked; ticked cases
// move one by one whoever had them.
func TestOfficeReassign(t *testing.T) {
	e := newOfficeEnv(t)
	ctx := context.Background()
	h, err := auth.HashPassword(staffPassword)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.CreateUser(ctx, "ivw2", auth.RoleInterviewer, h); err != nil {
		t.Fatal(err)
	}
	c := e.client("10.8.0.12")
	c.login("boss")
	importFrame(t, c, 10)
	csrf := csrfOf(t, c.get("/app/m/m1/sample").Body.String())
	if rec := c.post("/app/m/m1/sample", url.Values{"csrf": {csrf}, "action": {"draw"}, "allocation": {"equal"}, "total": {"6"}, "reserve": {"0"}, "seed": {"3"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("draw: %d\n%s", rec.Code, rec.Body)
	}
	count := func(who string) int {
		t.Helper()
		cs, err := e.db.Cases(ctx, fieldwork.CaseFilter{MeasurementID: "m1", Interviewer: who})
		if err != nil {
			t.Fatal(err)
		}
		return len(cs)
	}
	assign := func(f url.Values) {
		t.Helper()
		f.Set("csrf", csrf)
		if rec := c.post("/app/m/m1/cases/assign", f); rec.Code != http.StatusSeeOther {
			t.Fatalf("assign %v: %d\n%s", f, rec.Code, rec.Body)
		}
	}
	assign(url.Values{"interviewer": {"ivw"}, "district": {"d1"}})
	if n := count("ivw"); n != 3 {
		t.Fatalf("ivw has %d cases, want the 3 of d1", n)
	}
	// Every case of d1 is taken: nothing to assign without reassign.
	if rec := c.post("/app/m/m1/cases/assign", url.Values{"csrf": {csrf}, "interviewer": {"ivw2"}, "district": {"d1"}}); rec.Code == http.StatusSeeOther {
		t.Errorf("assigning d1's taken cases without reassign: %d, want a refusal", rec.Code)
	}
	if n, m := count("ivw"), count("ivw2"); n != 3 || m != 0 {
		t.Errorf("without reassign: ivw %d, ivw2 %d; want 3, 0", n, m)
	}
	assign(url.Values{"interviewer": {"ivw2"}, "district": {"d1"}, "count": {"2"}, "reassign": {"1"}})
	if n, m := count("ivw"), count("ivw2"); n != 1 || m != 2 {
		t.Errorf("with reassign: ivw %d, ivw2 %d; want 1, 2", n, m)
	}
	left, _ := e.db.Cases(ctx, fieldwork.CaseFilter{MeasurementID: "m1", Interviewer: "ivw"})
	if len(left) != 1 {
		t.Fatalf("ivw has %d cases", len(left))
	}
	if rec := c.post("/app/m/m1/cases/assign/selected", url.Values{"csrf": {csrf}, "interviewer": {"ivw2"}, "case": {fmt.Sprint(left[0].ID)}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("reassign one: %d", rec.Code)
	}
	if n, m := count("ivw"), count("ivw2"); n != 0 || m != 3 {
		t.Errorf("after the ticked case: ivw %d, ivw2 %d; want 0, 3", n, m)
	}
	iv := e.client("10.8.0.13")
	iv.login("ivw2")
	if body := iv.get("/app/m/m1/cases").Body.String(); !strings.Contains(body, left[0].UnitID) {
		t.Errorf("ivw2's cases page lacks the reassigned case %s", left[0].UnitID)
	}
}
