package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"manyi/survey"
)

// TestServiceListEndToEnd walks a sector's customer list through the
// office pages to the monitor: the retail and banking lists are uploaded
// on the frame page, the sample page draws a per-cell plan (1 per sector ×
// district), the invitations page's SMS file issues one link per sampled
// customer, fieldwork opens, a retail customer answers their link (the
// screener does not ask the sector but says the invitation set it, and the
// banking they send is overridden), and the monitor's sector × district
// grid counts the complete in retail × 西城区 and nowhere else.
func TestServiceListEndToEnd(t *testing.T) {
	e := sectorOfficeEnv(t)
	ctx := context.Background()
	boss := e.client("10.8.3.1")
	boss.login("boss")
	importSectorList(t, boss, "retail", "retail.csv", "id,district,contact\nr1,东城区,13800000011\nr2,西城区,13800000012\nr3,西城区,13800000013\n")
	importSectorList(t, boss, "banking", "banking.csv", "id,district,contact\nb1,d1,13800000021\nb2,d1,13800000022\nb3,d2,13800000023\n")

	// A hotels list repeating retail's r1 is refused naming its row; the
	// two lists stay.
	importSectorList(t, boss, "hotels", "hotels.csv", "id,district\nh1,d1\nr1,d2\n")
	if page := boss.get("/app/m/s1/frame").Body.String(); !strings.Contains(page, "名单第 3 行：编号“r1”已在行业“retail”的名单中") {
		t.Errorf("the frame page does not say which row repeats another list's id:\n%s", page)
	}
	if sum, err := e.db.Frame(ctx, "s1"); err != nil || sum.Units != 6 {
		t.Fatalf("frame after the refused list: %+v, %v; want the 6 units of retail and banking", sum, err)
	}

	// The per-cell plan: 1 in each of the four cells with customers.
	csrf := csrfOf(t, boss.get("/app/m/s1/sample").Body.String())
	plan := url.Values{"csrf": {csrf}, "allocation": {"per_cell"}, "per_cell": {"1"}, "reserve": {"0"}, "seed": {"11"}, "action": {"preview"}}
	rec := boss.post("/app/m/s1/sample", plan)
	if rec.Code != http.StatusOK {
		t.Fatalf("preview: %d\n%s", rec.Code, rec.Body)
	}
	if prev := rec.Body.String(); !strings.Contains(prev, `<th scope="row">零售</th><th scope="row">西城区</th><td>2</td>`) {
		t.Errorf("the preview lacks retail × 西城区 with N_h 2:\n%s", prev)
	}
	plan.Set("action", "draw")
	if rec := boss.post("/app/m/s1/sample", plan); rec.Code != http.StatusSeeOther {
		t.Fatalf("draw: %d\n%s", rec.Code, rec.Body)
	}
	si, err := e.db.Sample(ctx, "s1")
	if err != nil || si.Alloc.Total != 4 {
		t.Fatalf("sample %+v, %v; want 4 drawn", si, err)
	}

	// One SMS link per sampled customer; the page counts them per sector.
	rec = boss.post("/app/m/s1/invitations/sms", url.Values{"csrf": {csrf}, "template": {"【{city}】请参加{title}：{link}"}})
	if rec.Code != http.StatusOK || rec.Header().Get("X-Manyi-Links") != "4" {
		t.Fatalf("SMS file: %d, %s links; want 200 with 4\n%s", rec.Code, rec.Header().Get("X-Manyi-Links"), rec.Body)
	}
	sms := rec.Body.String()
	links := regexp.MustCompile(`https://survey\.example\.cn/s/([A-Za-z0-9_-]{22})`).FindAllStringSubmatch(sms, -1)
	if len(links) != 4 {
		t.Fatalf("%d links in the SMS file, want 4:\n%s", len(links), sms)
	}
	// The gateway file's line of the retail customer drawn in 西城区 (r2
	// or r3, whose numbers end 12 and 13).
	var tok string
	for _, line := range strings.Split(sms, "\n") {
		if strings.Contains(line, ",retail,") && (strings.HasPrefix(line, "13800000012,") || strings.HasPrefix(line, "13800000013,")) {
			tok = regexp.MustCompile(`/s/([A-Za-z0-9_-]{22})`).FindStringSubmatch(line)[1]
		}
	}
	if tok == "" {
		t.Fatalf("no retail × d2 line in the SMS file:\n%s", sms)
	}
	inv := boss.get("/app/m/s1/invitations").Body.String()
	if !strings.Contains(inv, `<tr><th scope="row">零售</th><td>2</td><td>0</td><td>2</td>`) || !strings.Contains(inv, `<tr><th scope="row">银行</th><td>2</td><td>0</td><td>2</td>`) {
		t.Errorf("the invitations page does not count 2 retail and 2 banking links issued, all sent:\n%s", inv)
	}

	if rec := boss.post("/app/m/s1/fieldwork/open", url.Values{"csrf": {csrf}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("open: %d\n%s", rec.Code, rec.Body)
	}
	v, err := e.db.Questionnaire(ctx, "s1", 0)
	if err != nil {
		t.Fatal(err)
	}
	res := &env{t: t, srv: e.srv, db: e.db, q: v.Q, log: e.log}
	c := res.client()
	scr := walkSector(t, c, tok, "banking", "d2")
	if !strings.Contains(scr, "行业：零售（已由邀请确定）") || strings.Contains(scr, `name="sector"`) {
		t.Errorf("the screener asks the sector or does not say the invitation set it:\n%s", scr)
	}
	r := res.response(tok)
	if r == nil || r.Status != survey.RespSubmitted || len(r.Answers["sector"]) != 1 || r.Answers["sector"][0] != "retail" {
		t.Fatalf("the customer's response %+v, want submitted with sector retail", r)
	}

	mon := boss.get("/app/m/s1/monitor").Body.String()
	grid := mon[strings.Index(mon, "sectors"):]
	for key, want := range map[string]string{"s.d2.retail": "1", "s.d1.retail": "0", "s.d2.banking": "0", "s.d1.banking": "0", "s.total.retail": "1"} {
		if !strings.Contains(grid, `<span data-k="`+key+`">`+want+`</span>`) {
			t.Errorf("the monitor's grid does not show %s = %s", key, want)
		}
	}
	// The drawn plan is each cell's target and, summed, each district's.
	if !strings.Contains(grid, `<span data-k="s.d2.retail">1</span> / 1`) || !strings.Contains(grid, `<td class="short"><span data-k="s.d1.banking">0</span> / 1</td>`) ||
		!strings.Contains(grid, `<span data-k="s.total.retail">1</span> / 2`) {
		t.Errorf("the monitor's grid lacks the plan's targets:\n%s", grid)
	}
	if !strings.Contains(mon, `<td data-k="d.d2.target">2</td><td data-k="d.d2.completes">1</td><td data-k="d.d2.shortfall">1</td>`) {
		t.Errorf("the monitor's district table lacks 西城区's target 2 (retail 1 + banking 1):\n%s", mon)
	}
	if strings.Contains(e.log.String(), tok) || strings.Contains(e.log.String(), "1380000001") {
		t.Error("the log holds a token or a phone number")
	}
	if os.Getenv("MANYI_SHOTS") == "" {
		return
	}
	bctx, _ := staffBrowser(t, e, "/app/m/s1/monitor", `table.sectors`)
	shot(t, bctx, "service-monitor-list")
	fitsPhone(t, bctx, "the service monitor")
}

// staffBrowser serves e in a test server, logs the office user "boss" in
// through the login form that path redirects to, waits for sel on path and
// returns the browser and the server's address.
func staffBrowser(t *testing.T, e *staffEnv, path, sel string) (context.Context, string) {
	t.Helper()
	ts := httptest.NewServer(e.srv)
	t.Cleanup(ts.Close)
	bctx := newBrowser(t, 1280, 900)
	if err := chromedp.Do(bctx,
		chromedp.Navigate(ts.URL+path),
		chromedp.WaitVisible(chromedp.CSS(`#name`)),
		chromedp.SendKeys(chromedp.CSS(`#name`), "boss"),
		chromedp.SendKeys(chromedp.CSS(`#password`), staffPassword),
		chromedp.Click(chromedp.CSS(`.staff-login button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(sel))); err != nil {
		t.Fatalf("browser: %v", err)
	}
	return bctx, ts.URL
}
