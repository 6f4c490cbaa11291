package web

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"manyi/survey/auth"
	"manyi/survey/demo"
	"manyi/survey/workspace"
)

// serviceRoleRows are the route × role rows of the service measurement's
// pages. A resident measurement's id gets 404 on the CSI pages, which
// counts as allowed: only the role decides 403.
var serviceRoleRows = []struct {
	route string
	path  string
	form  url.Values
	want  [4]outcome
}{
	{"GET /app/m/:id/csi", "/app/m/demo-2026/csi", nil, [4]outcome{toLogin, forbidden, allowed, allowed}},
	{"GET /app/m/:id/csi/weights", "/app/m/demo-2026/csi/weights", nil, [4]outcome{toLogin, forbidden, allowed, allowed}},
	{"POST /app/m/:id/csi/weights", "/app/m/demo-2026/csi/weights", url.Values{"w_retail": {"1"}}, [4]outcome{toLogin, forbidden, allowed, allowed}},
	{"GET /app/m/:id/intercept", "/app/m/demo-2026/intercept", nil, [4]outcome{toLogin, allowed, forbidden, allowed}},
	{"POST /app/m/:id/intercept", "/app/m/demo-2026/intercept", nil, [4]outcome{toLogin, allowed, forbidden, allowed}},
}

func init() {
	for _, r := range serviceRoleRows {
		staffRoleTable = append(staffRoleTable, struct {
			route string
			path  string
			form  url.Values
			want  [4]outcome
		}{r.route, r.path, r.form, r.want})
	}
}

// TestServicePages drives a service measurement through the staff pages:
// the residents' results and weighting links lead to the CSI pages, the
// CSI page shows the numbers of csi.Compute, a bad sector weight is named
// and nothing saved, a good set is saved, audited and changes the city's
// CSI, an interviewer starts an intercept interview, and the monitor shows
// the sector × district grid.
func TestServicePages(t *testing.T) {
	e := newStaffEnv(t, "")
	ctx := context.Background()
	if _, err := demo.SimulateService(ctx, e.db, 15, 3); err != nil {
		t.Fatal(err)
	}
	id := demo.ServiceID
	c := e.client("10.3.0.1")
	c.login("stat")
	for _, p := range []string{"results", "weighting"} {
		rec := c.get("/app/m/" + id + "/" + p)
		if rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/app/m/"+id+"/csi") {
			t.Errorf("GET %s: %d → %q", p, rec.Code, rec.Header().Get("Location"))
		}
	}
	want, err := workspace.ComputeService(ctx, e.db, e.db, id, nil)
	if err != nil {
		t.Fatal(err)
	}
	rec := c.get("/app/m/" + id + "/csi")
	body := rec.Body.String()
	if rec.Code != http.StatusOK {
		t.Fatalf("csi page: %d\n%s", rec.Code, body)
	}
	for _, s := range []string{
		`data-figure="csi">` + f2(want.Results.Overall.Value) + `<`,
		`data-figure="csi-banking">` + f2(want.Results.Sector("banking").CSI.Value) + `<`,
		`class="pathdiagram"`, "重要性—表现矩阵", "测量模型", "⚑", "区县比较", `data-figure="csi-change"`,
		// The measurement-model table names each item by its wording too.
		`<td class="item"><span class="iid">img_overall</span> 您对本市该行业的总体形象评价如何？</td>`,
	} {
		if !strings.Contains(body, s) {
			t.Errorf("csi page lacks %q", s)
		}
	}

	// Sector weights: a bad value re-renders with its sector named.
	page := c.get("/app/m/" + id + "/csi/weights")
	if page.Code != http.StatusOK || !strings.Contains(page.Body.String(), `name="w_banking"`) {
		t.Fatalf("weights page: %d", page.Code)
	}
	tok := csrfOf(t, page.Body.String())
	bad := c.post("/app/m/"+id+"/csi/weights", url.Values{"csrf": {tok}, "w_banking": {"-1"}, "w_retail": {"x"}})
	if bad.Code != http.StatusUnprocessableEntity || !strings.Contains(bad.Body.String(), "“银行”的权重应为不小于 0 的数") {
		t.Fatalf("bad weights: %d\n%s", bad.Code, bad.Body)
	}
	if w, _ := e.db.SectorWeights(ctx, id); w.Weights["banking"] != 0.28 {
		t.Errorf("a refused form changed the weights: %+v", w)
	}
	form := url.Values{"csrf": {tok}, "basis": {"测试"}}
	for _, sc := range demo.ServiceMeasurement().Sectors {
		form.Set("w_"+sc.Code, "0")
	}
	form.Set("w_banking", "1")
	ok := c.post("/app/m/"+id+"/csi/weights", form)
	if ok.Code != http.StatusSeeOther || ok.Header().Get("Location") != "/app/m/"+id+"/csi/weights?done=1" {
		t.Fatalf("save: %d %q\n%s", ok.Code, ok.Header().Get("Location"), ok.Body)
	}
	entries, err := e.db.AuditLog(ctx, auth.AuditFilter{Action: actionSectorWeights})
	if err != nil || len(entries) != 1 {
		t.Fatalf("audit: %v %v", entries, err)
	}
	// Banking alone: the city's CSI is banking's.
	body = c.get("/app/m/" + id + "/csi").Body.String()
	if !strings.Contains(body, `data-figure="csi">`+f2(want.Results.Sector("banking").CSI.Value)+`<`) {
		t.Error("the city's CSI did not follow the weights")
	}

	if en := c.get("/app/m/" + id + "/csi?lang=en").Body.String(); !strings.Contains(en, "Measurement model") || !strings.Contains(en, "Path model") {
		t.Error("the English page lacks its headings")
	}

	// The report PDF of a service measurement is the CSI report.
	for _, l := range []string{"zh", "en"} {
		pdf := c.get("/app/m/" + id + "/report.pdf?for=" + l)
		if pdf.Code != http.StatusOK || !strings.HasPrefix(pdf.Body.String(), "%PDF") {
			t.Errorf("report.pdf (%s): %d %q", l, pdf.Code, pdf.Header().Get("Content-Type"))
		}
		if dir := os.Getenv("MANYI_SHOTS"); dir != "" { // for looking at with pdftoppm
			if err := os.WriteFile(filepath.Join(dir, "service-report-"+l+".pdf"), pdf.Body.Bytes(), 0o644); err != nil {
				t.Error(err)
			}
		}
	}

	// The interviewer starts an intercept interview.
	iv := e.client("10.3.0.2")
	iv.login("ivw")
	ip := iv.get("/app/m/" + id + "/intercept")
	if ip.Code != http.StatusOK || !strings.Contains(ip.Body.String(), "开始新的拦截访问") {
		t.Fatalf("intercept page: %d", ip.Code)
	}
	st := iv.post("/app/m/"+id+"/intercept", url.Values{"csrf": {csrfOf(t, ip.Body.String())}})
	loc := st.Header().Get("Location")
	if st.Code != http.StatusSeeOther || !strings.HasPrefix(loc, "/app/interview/") {
		t.Fatalf("start: %d %q", st.Code, loc)
	}
	if first := iv.get(loc); first.Code != http.StatusOK {
		t.Errorf("interview page: %d", first.Code)
	}
	// The monitor's grid: 15 per cell against targets of 25.
	mon := c.get("/app/m/" + id + "/monitor").Body.String()
	if !strings.Contains(mon, "Progress by sector × district") || !strings.Contains(mon, `<span data-k="s.d1.banking">15</span> / 25`) {
		t.Errorf("monitor lacks the sector grid")
	}
	// The long per-cell quota table repeats the grid, so it is folded away.
	if !strings.Contains(mon, `<details class="quota-detail"><summary>Quota details`) {
		t.Errorf("monitor: the quota cells of a service measurement are not folded under the grid")
	}
}
