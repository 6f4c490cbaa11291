package web

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"manyi/survey"
	"manyi/survey/fieldwork"
	"manyi/survey/sampling"
)

// uploadSector posts a frame file with the sector select's value.
func (c *staffClient) uploadSector(path, csrf, name, sector string, data []byte) *httptest.ResponseRecorder {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("csrf", csrf)
	mw.WriteField("sector", sector)
	fw, _ := mw.CreateFormFile("frame", name)
	fw.Write(data)
	mw.Close()
	req := httptest.NewRequest(http.MethodPost, path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.do(req)
}

// sectorOfficeEnv is newOfficeEnv with a service measurement "s1" of
// districts d1 (东城区) and d2 (西城区) and the default sectors.
func sectorOfficeEnv(t *testing.T) *staffEnv {
	t.Helper()
	e := newOfficeEnv(t)
	m := &survey.Measurement{ID: "s1", City: survey.Text{Zh: "示例市", En: "Example City"}, Title: survey.Text{Zh: "示例市 2027 年服务业测评", En: "Example services 2027"}, Year: 2027,
		Districts: []survey.District{{Code: "d1", Name: survey.Text{Zh: "东城区", En: "Dongcheng"}}, {Code: "d2", Name: survey.Text{Zh: "西城区", En: "Xicheng"}}},
		Kind:      survey.KindService, Sectors: survey.DefaultSectors()}
	if err := e.db.CreateMeasurement(context.Background(), m, survey.DefaultServiceQuestionnaire()); err != nil {
		t.Fatal(err)
	}
	return e
}

// importSectorList uploads one sector's list (or a whole frame when
// sector is "") and imports its clean rows, returning the preview page.
func importSectorList(t *testing.T, c *staffClient, sector, name, csv string) string {
	t.Helper()
	csrf := csrfOf(t, c.get("/app/m/s1/frame").Body.String())
	if rec := c.uploadSector("/app/m/s1/frame", csrf, name, sector, []byte(csv)); rec.Code != http.StatusSeeOther {
		t.Fatalf("upload %s: %d\n%s", name, rec.Code, rec.Body)
	}
	preview := c.waitFrame(t, "s1")
	m := jobField.FindStringSubmatch(preview)
	if m == nil {
		t.Fatalf("no job field in the preview of %s:\n%s", name, preview)
	}
	if rec := c.post("/app/m/s1/frame/import", url.Values{"csrf": {csrf}, "job": {m[1]}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("import %s: %d\n%s", name, rec.Code, rec.Body)
	}
	c.waitFrame(t, "s1")
	return preview
}

// TestOfficeSectorFrame: a service measurement's frame page has the sector
// select; a sector's list with a row of another sector and a whole frame
// with an unknown sector show the rows rejected with their numbers; the
// imported lists are counted by sector × district, and a second sector's
// list keeps the first's units; the sector lists' table names each
// sector's file, rejected rows, contacts, time and importer (zh and en).
func TestOfficeSectorFrame(t *testing.T) {
	e := sectorOfficeEnv(t)
	c := e.client("10.8.0.2")
	c.login("boss")
	ctx := context.Background()
	page := c.get("/app/m/s1/frame").Body.String()
	for _, want := range []string{`name="sector"`, `<option value="">全部行业（文件含 sector 列）</option>`, `<option value="retail">零售</option>`} {
		if !strings.Contains(page, want) {
			t.Errorf("the service frame page lacks %s", want)
		}
	}
	if p := c.get("/app/m/m1/frame").Body.String(); strings.Contains(p, `name="sector"`) {
		t.Error("a residents' frame page has the sector select")
	}

	retail := "id,district,sector,contact\nr1,东城区,retail,13800000011\nr2,西城区,,13800000012\nr3,d1,banking,13800000013\nr4,d2,retail,13800000014\n"
	preview := importSectorList(t, c, "retail", "retail.csv", retail)
	for _, want := range []string{"行业名单：零售", "有效行 3", "被剔除 1 行", "<td>4</td><td>sector</td><td>行业“banking”与本名单的行业“retail”不符</td>", "按行业 × 区县", `id="sector-counts"`} {
		if !strings.Contains(preview, want) {
			t.Errorf("the retail preview lacks %q", want)
		}
	}
	importSectorList(t, c, "banking", "banking.csv", "id,district,contact\nb1,d1,13800000021\nb2,d1,13800000022\nb3,d2,13800000023\n")
	sum, err := e.db.Frame(ctx, "s1")
	if err != nil || sum.Units != 6 {
		t.Fatalf("frame after two lists: %+v, %v; want 6 units (3 retail, 3 banking)", sum, err)
	}
	body := c.get("/app/m/s1/frame").Body.String()
	// The stored frame's table: retail r1 in d1, r2 and r4 in d2; banking
	// b1, b2 in d1, b3 in d2.
	for _, want := range []string{`<tr><th scope="row">零售</th><td>1</td><td>2</td><td>3</td></tr>`, `<tfoot><tr><th scope="row">合计</th><td>3</td><td>3</td><td>6</td></tr></tfoot>`, `<tr><th scope="row">银行</th><td>2</td><td>1</td><td>3</td></tr>`,
		`<th scope="col">东城区</th>`} {
		if !strings.Contains(body, want) {
			t.Errorf("the frame page lacks %s", want)
		}
	}
	// The sector lists' table: each list's own file, rejected rows,
	// contacts, time and importer; a sector without a list says so.
	lists, err := e.db.SectorLists(ctx, "s1")
	if err != nil || len(lists) != 2 {
		t.Fatalf("SectorLists: %+v, %v; want banking and retail", lists, err)
	}
	at := map[string]string{}
	for _, sl := range lists {
		at[sl.Sector] = sl.ImportedAt.In(chinaTime).Format("2006-01-02 15:04:05")
	}
	for _, lang := range []struct{ query, done, title, retail, banking, hotels string }{
		{"?lang=en", "Banking&#39;s list &#34;banking.csv&#34; is imported (0 rows rejected); the frame now has 6 units, 6 with contacts.",
			"Sector lists", "Retail", "Banking", `<tr><th scope="row">Hotels</th><td colspan="6" class="none">not uploaded</td></tr>`},
		// Last, so that the language cookie is Chinese again.
		{"?lang=zh", "已导入行业“银行”的名单“banking.csv”（剔除 0 行）；抽样框现共 6 个单位，6 个有联系方式。",
			"各行业名单", "零售", "银行", `<tr><th scope="row">住宿</th><td colspan="6" class="none">未上传</td></tr>`},
	} {
		page := c.get("/app/m/s1/frame" + lang.query).Body.String()
		for _, want := range []string{
			`<p class="done" role="status">` + lang.done,
			`<h3 id="sector-lists-title">` + lang.title + `</h3>`,
			`<div class="scroll"><table class="staff-table sectors sector-lists" id="sector-lists"`,
			`<tr><th scope="row">` + lang.retail + `</th><td class="file">retail.csv</td><td>3</td><td>1</td><td>3</td><td>` + at["retail"] + `</td><td>boss</td></tr>`,
			`<tr><th scope="row">` + lang.banking + `</th><td class="file">banking.csv</td><td>3</td><td>0</td><td>3</td><td>` + at["banking"] + `</td><td>boss</td></tr>`,
			lang.hotels,
		} {
			if !strings.Contains(page, want) {
				t.Errorf("the frame page%s lacks %s", lang.query, want)
			}
		}
		if n := strings.Count(page, `<td colspan="6" class="none">`); n != len(survey.DefaultSectors())-2 {
			t.Errorf("the frame page%s has %d sectors without a list, want %d", lang.query, n, len(survey.DefaultSectors())-2)
		}
	}
	if p := c.get("/app/m/m1/frame").Body.String(); strings.Contains(p, `id="sector-lists"`) {
		t.Error("a residents' frame page has the sector lists' table")
	}

	// A whole frame with an unknown sector: rejected with its row.
	csrf := csrfOf(t, body)
	if rec := c.uploadSector("/app/m/s1/frame", csrf, "whole.csv", "", []byte("id,district,sector\nw1,d1,retail\nw2,d2,hotel\n")); rec.Code != http.StatusSeeOther {
		t.Fatalf("upload whole.csv: %d", rec.Code)
	}
	if p := c.waitFrame(t, "s1"); !strings.Contains(p, "<td>3</td><td>sector</td><td>行业“hotel”不在本测评的行业之列</td>") {
		t.Errorf("the whole frame's preview does not reject row 3 for its sector")
	}
	// An unknown sector on the form is refused.
	if rec := c.uploadSector("/app/m/s1/frame", csrf, "x.csv", "nope", []byte(retail)); rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "行业“nope”不是本测评的行业") {
		t.Errorf("upload for an unknown sector: %d", rec.Code)
	}

	// Drawn: the invitations page counts the links per sector.
	plan := sampling.Plan{Stratum: sampling.ColDistrict, Total: 6, Allocation: sampling.Proportional}
	if _, _, err := fieldwork.Draw(ctx, e.db, "s1", fieldwork.DrawRequest{Plan: plan, Seed: 5, By: "boss"}); err != nil {
		t.Fatal(err)
	}
	inv := c.get("/app/m/s1/invitations").Body.String()
	for _, want := range []string{`id="sector-links"`, `<tr><th scope="row">零售</th><td>3</td><td>3</td>`, `<tr><th scope="row">银行</th><td>3</td><td>3</td>`} {
		if !strings.Contains(inv, want) {
			t.Errorf("the invitations page lacks %s", want)
		}
	}
	if os.Getenv("MANYI_SHOTS") == "" {
		return
	}
	bctx, base := staffBrowser(t, e, "/app/m/s1/frame", `#sector-counts`)
	time.Sleep(100 * time.Millisecond)
	fitsPhone(t, bctx, "the service frame page")
	shot(t, bctx, "service-frame")
	if err := chromedp.Do(bctx, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(base+"/app/m/s1/invitations"), chromedp.WaitVisible(chromedp.CSS(`#sector-links`))); err != nil {
		t.Fatalf("browser: %v", err)
	}
	fitsPhone(t, bctx, "the service invitations page")
	shot(t, bctx, "service-invitations")
}
