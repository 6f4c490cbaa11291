package web

import (
	"bytes"
	"context"
	"html"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"manyi/survey/analysis"
	"manyi/survey/demo"
)

// weightingForm posts the weighting form with the session's token.
func postWeighting(c *staffClient, form url.Values) *httptest.ResponseRecorder {
	c.e.t.Helper()
	page := c.get("/app/m/demo-2026/weighting")
	if page.Code != http.StatusOK {
		c.e.t.Fatalf("GET weighting: status %d\n%s", page.Code, page.Body)
	}
	f := url.Values{"csrf": {csrfOf(c.e.t, page.Body.String())}}
	for k, v := range form {
		f[k] = v
	}
	return c.post("/app/m/demo-2026/weighting", f)
}

// TestWeightingSave saves a specification (a new version, audited, the
// results page recomputed with it), then sends specifications that cannot
// be used: each is shown with an error naming what is wrong, and the
// saved version stays the current one.
func TestWeightingSave(t *testing.T) {
	e := newStaffEnv(t, "")
	fillResults(t, e.db, 500, 400)
	ctx := context.Background()
	c := e.client("10.2.0.1")
	c.login("stat")

	// Check only: diagnostics of the typed spec, nothing saved.
	rec := postWeighting(c, url.Values{"design_weights": {"1"}, "calibration": {"poststratify"}, "margin": {"gender,age_band"}, "method": {"equal"}, "action": {"check"}})
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "试算，未保存") {
		t.Fatalf("check: status %d\n%s", rec.Code, rec.Body)
	}
	if vs, _ := e.db.WeightingVersions(ctx, demo.ID); len(vs) != 0 {
		t.Fatalf("check saved %d versions, want none", len(vs))
	}

	// Save: version 1, audited, and the page's numbers use it.
	rec = postWeighting(c, url.Values{"design_weights": {"1"}, "calibration": {"poststratify"}, "margin": {"gender,age_band"},
		"method": {"expert"}, "w_product": {"3"}, "w_construction": {"2"}, "w_service": {"2"}, "w_environment": {"2"}, "w_public": {"1"}, "action": {"save"}})
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/app/m/demo-2026/weighting?saved=1" {
		t.Fatalf("save: status %d, Location %q\n%s", rec.Code, rec.Header().Get("Location"), rec.Body)
	}
	w, err := e.db.Weighting(ctx, demo.ID)
	if err != nil {
		t.Fatal(err)
	}
	if w.Version != 1 || w.Spec.Calibration != analysis.CalPostStratify || w.CreatedBy != "stat" {
		t.Errorf("current weighting: v%d %s by %s, want v1 poststratify by stat", w.Version, w.Spec.Calibration, w.CreatedBy)
	}
	if m, _ := e.db.IndexMethod(ctx, demo.ID); m.Method != analysis.MethodExpert || m.Weights["product"] != 3 {
		t.Errorf("index method %+v, want expert with product 3", m)
	}
	if a := e.auditActions(); !slices.Contains(a, "weighting.save:stat:demo-2026") {
		t.Errorf("audit log %v lacks weighting.save:stat:demo-2026", a)
	}
	page := html.UnescapeString(c.get("/app/m/demo-2026/weighting?saved=1").Body.String())
	if !strings.Contains(page, "已保存为第 1 版") || !strings.Contains(page, "加权第 1 版") {
		t.Errorf("the page after saving does not show version 1 as saved and current")
	}
	want := expectedOverall(t, e.db)
	if got := overallOnPage.FindStringSubmatch(c.get("/app/m/demo-2026/results").Body.String()); got == nil || got[1] != f2(want.Overall.Value) {
		t.Errorf("results after the save show %v, want %s", got, f2(want.Overall.Value))
	}

	for _, tc := range []struct {
		name string
		form url.Values
		want []string // in the error shown
	}{
		{"bad number", url.Values{"calibration": {"raking"}, "margin": {"district"}, "trim_k": {"abc"}, "method": {"equal"}}, []string{"trim_k", "abc"}},
		{"two margins for poststratify", url.Values{"calibration": {"poststratify"}, "margin": {"district", "gender,age_band"}, "method": {"equal"}}, []string{"margins", "事后分层"}},
		{"expert weight missing", url.Values{"calibration": {"none"}, "method": {"expert"}, "w_product": {"1"}}, []string{"weights.construction"}},
		{"impossible margin", url.Values{"design_weights": {"1"}, "calibration": {"raking"}, "margin": {"district,gender,age_band", "district"}, "lower": {"0.98"}, "upper": {"1.02"}, "method": {"equal"}}, []string{"未保存", "District|Gender|AgeBand"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.form.Set("action", "save")
			rec := postWeighting(c, tc.form)
			body := html.UnescapeString(rec.Body.String())
			if rec.Code != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422\n%s", rec.Code, body)
			}
			i := strings.Index(body, `class="summary"`)
			if i < 0 {
				t.Fatalf("no error summary:\n%s", body)
			}
			msg := body[i:min(len(body), i+800)]
			t.Logf("error shown: %s", msg)
			for _, s := range tc.want {
				if !strings.Contains(msg, s) {
					t.Errorf("the error lacks %q", s)
				}
			}
			if w, _ := e.db.Weighting(ctx, demo.ID); w.Version != 1 {
				t.Errorf("current version %d after a failed save, want 1", w.Version)
			}
		})
	}
}

// TestCensusUpload imports a census from the page and shows a bad file's
// row-numbered error without replacing the census.
func TestCensusUpload(t *testing.T) {
	e := newStaffEnv(t, "")
	fillResults(t, e.db, 200, 200)
	ctx := context.Background()
	c := e.client("10.2.0.2")
	c.login("stat")
	csrf := csrfOf(t, c.get("/app/m/demo-2026/weighting").Body.String())
	upload := func(content string) *httptest.ResponseRecorder {
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		mw.WriteField("csrf", csrf)
		fw, _ := mw.CreateFormFile("census", "census.csv")
		fw.Write([]byte(content))
		mw.Close()
		req := httptest.NewRequest(http.MethodPost, "/app/m/demo-2026/weighting/census", &b)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		return c.do(req)
	}
	good := "district,gender,age_band,count\n"
	for _, d := range []string{"d1", "d2", "d3", "d4", "d5", "d6"} {
		for _, g := range []string{"m", "f"} {
			for _, a := range []string{"18-29", "30-44", "45-59", "60-70"} {
				good += d + "," + g + "," + a + ",1000\n"
			}
		}
	}
	rec := upload(good)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/app/m/demo-2026/weighting?census=48" {
		t.Fatalf("good census: status %d, Location %q\n%s", rec.Code, rec.Header().Get("Location"), rec.Body)
	}
	if cs, _ := e.db.Census(ctx, demo.ID); cs == nil || cs.Total() != 48000 {
		t.Fatalf("census after upload: %+v, want 48 cells of 1000", cs)
	}
	rec = upload("district,gender,age_band,count\nd1,m,18-29,100\nd1,f,18-29,many\n")
	body := html.UnescapeString(rec.Body.String())
	i := strings.Index(body, `class="summary"`)
	if rec.Code != http.StatusUnprocessableEntity || i < 0 {
		t.Fatalf("bad census: status %d, want 422 with an error\n%s", rec.Code, body)
	}
	// ReadCensusCSV numbers the data rows (the header is not row 1).
	if msg := body[i:min(len(body), i+300)]; !strings.Contains(msg, "第 2 行") || !strings.Contains(msg, "many") {
		t.Errorf("the error %q does not name row 2 and its value", msg)
	}
	if cs, _ := e.db.Census(ctx, demo.ID); cs == nil || cs.Total() != 48000 {
		t.Errorf("a bad file replaced the census")
	}
}
