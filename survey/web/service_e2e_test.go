package web

import (
	"bytes"
	"context"
	"math"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"manyi/survey"
	"manyi/survey/workspace"
)

// serviceAnswers answers a page of the CCSI template as a customer of
// sector in district whose satisfaction is the latent z: scale items
// 5.5 + 1.8·z + noise on 1–10, so the blocks correlate and the model fits.
func serviceAnswers(q *survey.Questionnaire, pageID string, prior survey.Answers, sector, district string, z float64, rng *rand.Rand) url.Values {
	p, _ := q.Page(pageID)
	form := url.Values{}
	for _, it := range p.VisibleItems(prior) {
		switch {
		case it.Role == "sector":
			form.Set(it.ID, sector)
		case it.Role == "district":
			form.Set(it.ID, district)
		case it.Type == survey.TypeScale:
			v := math.Round(5.5 + 1.8*z + rng.NormFloat64()*0.8)
			form.Set(it.ID, strconv.Itoa(int(min(10, max(1, v)))))
		case it.Type == survey.TypeNumber:
			form.Set(it.ID, strconv.Itoa(20+rng.IntN(50)))
		case it.Type == survey.TypeSingle:
			form.Set(it.ID, it.Choices[0].Code)
		}
	}
	return form
}

// TestServiceEndToEnd runs a service measurement from setup to report
// PDF through the staff pages: the office creates it (kind service, three
// sectors of its own, two districts), its default questionnaire is the
// CCSI template with those sectors, fieldwork opens without a sample, an
// interviewer walks 96 intercept interviews through the interviewer pages
// (16 per sector × district), the office closes fieldwork and enters the
// sector weights, the results page shows each sector's CSI and the city's
// as workspace.ComputeService computes them, and the report PDF holds the
// sector names and the city's CSI.
func TestServiceEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("walks 96 interviews")
	}
	e := newStaffEnv(t, "")
	ctx := context.Background()
	boss := e.client("10.4.0.1")
	boss.login("boss")
	form := boss.get("/app/measurements/new").Body.String()
	for _, w := range []string{`name="kind" value="service"`, `name="sectors"`, "服务业顾客满意度测评"} {
		if !strings.Contains(form, w) {
			t.Fatalf("the new measurement form lacks %q", w)
		}
	}
	// A bad sector code is named with its line; nothing is stored.
	f := url.Values{"csrf": {csrfOf(t, form)}, "title": {"测试市 2027 年服务业顾客满意度测评"}, "city": {"测试市"}, "year": {"2027"},
		"id": {"svc2027"}, "kind": {"service"}, "districts_from": {"list"}, "districts": {"d1 | 东区 | East\nd2 | 西区 | West"},
		"sectors_from": {"list"}, "sectors": {"retail | 零售 | Retail\nBank | 银行 | Banking"}, "questionnaire_from": {"default"}}
	if rec := boss.post("/app/measurements", f); rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "行业代码“Bank”") {
		t.Fatalf("bad sector code: %d\n%s", rec.Code, rec.Body)
	}
	if _, err := e.db.Measurement(ctx, "svc2027"); survey.ErrorCode(err) != survey.ENOTFOUND {
		t.Fatalf("a refused form stored the measurement: %v", err)
	}
	f.Set("sectors", "retail | 零售 | Retail\nbanking | 银行 | Banking\ngyms | 健身房 | Fitness centres")
	if rec := boss.post("/app/measurements", f); rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/app/m/svc2027?done=created" {
		t.Fatalf("create: %d %q\n%s", rec.Code, rec.Header().Get("Location"), rec.Body)
	}
	id := "svc2027"
	m, err := e.db.Measurement(ctx, id)
	if err != nil || !m.IsService() || len(m.Sectors) != 3 || m.Sectors[2].Name.Zh != "健身房" {
		t.Fatalf("stored %+v %v", m, err)
	}
	v, err := e.db.Questionnaire(ctx, id, 0)
	if err != nil {
		t.Fatal(err)
	}
	q := v.Q
	if si := q.SectorItem(); si == nil || len(si.Choices) != 3 || si.Choices[2].Code != "gyms" {
		t.Fatalf("sector item %+v", si)
	}
	if probs := q.CheckService(m.Sectors); len(probs) > 0 {
		t.Fatalf("the default questionnaire does not fit the sectors: %v", probs)
	}
	// The editor shows the CCSI questionnaire without problems.
	if ed := boss.get("/app/m/" + id + "/questionnaire"); ed.Code != http.StatusOK || !strings.Contains(ed.Body.String(), "健身房") {
		t.Errorf("editor: %d", ed.Code)
	}

	fw := boss.get("/app/m/" + id + "/fieldwork").Body.String()
	if rec := boss.post("/app/m/"+id+"/fieldwork/open", url.Values{"csrf": {csrfOf(t, fw)}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("open fieldwork without a sample: %d\n%s", rec.Code, rec.Body)
	}

	iv := e.client("10.4.0.2")
	iv.login("ivw")
	rng := rand.New(rand.NewPCG(11, 27))
	const perCell = 16 // 32 per sector: csi.MinSectorN is 30
	n := 0
	for _, sc := range m.Sectors {
		for _, d := range m.Districts {
			for k := 0; k < perCell; k++ {
				ip := iv.get("/app/m/" + id + "/intercept").Body.String()
				st := iv.post("/app/m/"+id+"/intercept", url.Values{"csrf": {csrfOf(t, ip)}})
				iurl := st.Header().Get("Location")
				if st.Code != http.StatusSeeOther || !strings.HasPrefix(iurl, "/app/interview/") {
					t.Fatalf("start intercept: %d %q", st.Code, iurl)
				}
				z := rng.NormFloat64()
				a := survey.Answers{}
				for i := 0; ; i++ {
					if i > 40 {
						t.Fatal("the interview does not end")
					}
					pb := iv.get(iurl).Body.String()
					pm := rePage.FindStringSubmatch(pb)
					if pm == nil {
						t.Fatalf("no form on the interview page:\n%s", pb)
					}
					pf := url.Values{"csrf": {csrfOf(t, pb)}, "_page": {pm[1]}, "_nav": {"next"}, "_shown": {"1764235800000"}}
					if pm[1] == reviewID {
						pf.Set("_nav", "submit")
						if rec := iv.post(iurl, pf); rec.Code != http.StatusSeeOther {
							t.Fatalf("submit: %d\n%s", rec.Code, rec.Body)
						}
						break
					}
					for k, v := range serviceAnswers(q, pm[1], a, sc.Code, d.Code, z, rng) {
						pf[k] = v
						a[k] = v
					}
					if rec := iv.post(iurl, pf); rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != iurl {
						t.Fatalf("POST %s: %d %q\n%s", pm[1], rec.Code, rec.Header().Get("Location"), rec.Body)
					}
				}
				n++
			}
		}
	}
	prog, err := e.db.SectorProgress(ctx, id)
	if err != nil || prog["d2"]["gyms"] != perCell || prog["d1"]["retail"] != perCell {
		t.Fatalf("sector progress %v %v", prog, err)
	}
	if mon := boss.get("/app/m/" + id + "/monitor").Body.String(); !strings.Contains(mon, `<span data-k="s.d2.gyms">16</span>`) {
		t.Errorf("monitor lacks the gyms × d2 cell")
	}
	fw = boss.get("/app/m/" + id + "/fieldwork").Body.String()
	if rec := boss.post("/app/m/"+id+"/fieldwork/close", url.Values{"csrf": {csrfOf(t, fw)}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("close: %d\n%s", rec.Code, rec.Body)
	}

	stat := e.client("10.4.0.3")
	stat.login("stat")
	wp := stat.get("/app/m/" + id + "/csi/weights").Body.String()
	if rec := stat.post("/app/m/"+id+"/csi/weights", url.Values{"csrf": {csrfOf(t, wp)}, "basis": {"增加值"},
		"w_retail": {"0.5"}, "w_banking": {"0.3"}, "w_gyms": {"0.2"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("weights: %d\n%s", rec.Code, rec.Body)
	}
	// A bad census file comes back on the sector weights page, naming
	// its problem; a good one is imported and counted there.
	census := func(data string) *httptest.ResponseRecorder {
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		mw.WriteField("csrf", csrfOf(t, wp))
		fw, _ := mw.CreateFormFile("census", "census.csv")
		fw.Write([]byte(data))
		mw.Close()
		req := httptest.NewRequest(http.MethodPost, "/app/m/"+id+"/weighting/census", &b)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		return stat.do(req)
	}
	bad := census("district,gender,age_band,count\nd1,m,18-29,many\n")
	if bb := bad.Body.String(); bad.Code != http.StatusUnprocessableEntity || !strings.Contains(bb, `name="w_gyms"`) || !strings.Contains(bb, `role="alert"`) || strings.Contains(bb, `name="method"`) {
		t.Errorf("bad census: %d, want the sector weights page with the problem\n%s", bad.Code, bb)
	}
	good := census("district,gender,age_band,count\nd1,m,18-29,100\nd1,f,18-29,120\nd2,m,18-29,90\nd2,f,18-29,80\n")
	if loc := good.Header().Get("Location"); good.Code != http.StatusSeeOther || loc != "/app/m/"+id+"/csi/weights?census=4" {
		t.Errorf("good census: %d %q\n%s", good.Code, loc, good.Body)
	}
	want, err := workspace.ComputeService(ctx, e.db, e.db, id, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want.Results == nil || math.IsNaN(want.Results.Overall.Value) {
		t.Fatalf("no overall CSI: %+v", want)
	}
	body := stat.get("/app/m/" + id + "/csi").Body.String()
	overall := f2(want.Results.Overall.Value)
	if !strings.Contains(body, `data-figure="csi">`+overall+`<`) {
		t.Errorf("results page lacks the city's CSI %s", overall)
	}
	for _, sc := range m.Sectors {
		s := want.Results.Sector(sc.Code)
		if s == nil || !strings.Contains(body, `data-figure="csi-`+sc.Code+`">`+f2(s.CSI.Value)+`<`) || !strings.Contains(body, sc.Name.Zh) {
			t.Errorf("results page lacks sector %s", sc.Code)
		}
	}

	pdf := stat.get("/app/m/" + id + "/report.pdf?for=zh")
	if pdf.Code != http.StatusOK || !strings.HasPrefix(pdf.Body.String(), "%PDF") {
		t.Fatalf("report.pdf: %d", pdf.Code)
	}
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext (poppler-utils) is not installed")
	}
	cmd := exec.Command("pdftotext", "-", "-")
	cmd.Stdin = bytes.NewReader(pdf.Body.Bytes())
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	text := string(out)
	for _, w := range []string{"零售", "银行", "健身房", overall} {
		if !strings.Contains(text, w) {
			t.Errorf("the report PDF lacks %q", w)
		}
	}
	t.Logf("%d intercept interviews; city CSI %s", n, overall)
}
