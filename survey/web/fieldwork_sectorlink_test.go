package web

import (
	"context"
	"math/rand/v2"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"manyi/survey"
)

// newSectorLinkEnv creates an open service measurement "svc" (the default
// sectors and CCSI questionnaire, districts d1 and d2) in a staff
// environment and returns the environment, a resident env for it and the
// office user logged in.
func newSectorLinkEnv(t *testing.T) (*staffEnv, *env, *staffClient) {
	t.Helper()
	e := newStaffEnv(t, "")
	m := &survey.Measurement{
		ID: "svc", City: survey.Text{Zh: "示例市"}, Title: survey.Text{Zh: "示例市 2026 年服务业顾客满意度测评"}, Year: 2026,
		Status: survey.StatusOpen, Kind: survey.KindService, Sectors: survey.DefaultSectors(),
		Districts: []survey.District{{Code: "d1", Name: survey.Text{Zh: "东城区"}}, {Code: "d2", Name: survey.Text{Zh: "西城区"}}},
	}
	if err := e.db.CreateMeasurement(context.Background(), m, survey.DefaultServiceQuestionnaire()); err != nil {
		t.Fatal(err)
	}
	v, err := e.db.Questionnaire(context.Background(), "svc", 0)
	if err != nil {
		t.Fatal(err)
	}
	boss := e.client("10.9.1.1")
	boss.login("boss")
	return e, &env{t: t, srv: e.srv, db: e.db, q: v.Q, log: e.log}, boss
}

// sectorLink switches a sector's open link on through the office page
// and returns its address as the page lists it.
func sectorLink(t *testing.T, boss *staffClient, sector string) string {
	t.Helper()
	rec := boss.post("/app/m/svc/openlink/sector", url.Values{"csrf": {boss.csrf()}, "sector": {sector}, "enabled": {"1"}})
	if want := "/app/m/svc/openlink?done=sector_on&sector=" + sector + "#sector-links"; rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != want {
		t.Fatalf("enable %s: status %d, Location %q; want 303 to %s\n%s", sector, rec.Code, rec.Header().Get("Location"), want, rec.Body)
	}
	body := boss.get("/app/m/svc/openlink").Body.String()
	m := regexp.MustCompile(`<tr id="sector-` + sector + `">(?s:.*?)value="(/o/[A-Za-z0-9_-]{22})"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no address in %s's row:\n%s", sector, body)
	}
	return m[1]
}

// walkSector answers a sector link's questionnaire as a customer of
// district who sends send as the sector (which the link overrides), to the
// submission or until the response ends early (quota full); it returns
// the body of the screener page as shown.
func walkSector(t *testing.T, c *client, tok, send, district string) string {
	t.Helper()
	rng := rand.New(rand.NewPCG(3, 5))
	var a survey.Answers
	var screener string
	for i := 0; ; i++ {
		if i > 40 {
			t.Fatal("the questionnaire does not end")
		}
		rec := c.get("/s/" + tok)
		if rec.Code != http.StatusOK {
			t.Fatalf("GET /s/TOKEN: status %d", rec.Code)
		}
		body := rec.Body.String()
		page, csrf := scrape(t, body)
		if page == "screener" {
			screener = body
		}
		if page == reviewID {
			rec := c.post("/s/"+tok, url.Values{"_page": {reviewID}, "_csrf": {csrf}, "_nav": {"submit"}})
			if rec.Code != http.StatusSeeOther {
				t.Fatalf("submit: status %d\n%s", rec.Code, rec.Body)
			}
			return screener
		}
		form := serviceAnswers(c.e.q, page, a, send, district, 0.5, rng)
		if rec := c.answerPage(tok, page, form); rec.Code != http.StatusSeeOther {
			t.Fatalf("page %s: status %d\n%s", page, rec.Code, rec.Body)
		}
		r := c.e.response(tok)
		if r == nil || r.Status != survey.RespInProgress {
			return screener
		}
		a = r.Answers // with the sector the link fixed
	}
}

// TestSectorOpenLink walks a customer through a sector's open link: the
// office switches the retail and banking links on (CSRF-checked, audited,
// an unknown sector refused), the customer's screener has no sector
// question but says the sector the link set, the banking they send is
// overridden, and the submitted response and the page's counts are
// retail's; the banking link stays independent.
func TestSectorOpenLink(t *testing.T) {
	e, env, boss := newSectorLinkEnv(t)
	ctx := context.Background()
	page := boss.get("/app/m/svc/openlink")
	body := page.Body.String()
	if page.Code != http.StatusOK || !strings.Contains(body, "按行业的公开链接") || strings.Count(body, `<tr id="sector-`) != len(survey.DefaultSectors()) {
		t.Fatalf("open-link page: status %d, want 200 with one row per sector\n%s", page.Code, body)
	}
	if rec := boss.post("/app/m/svc/openlink/sector", url.Values{"sector": {"retail"}, "enabled": {"1"}}); rec.Code != http.StatusForbidden {
		t.Errorf("POST without CSRF: status %d, want 403", rec.Code)
	}
	if rec := boss.post("/app/m/svc/openlink/sector", url.Values{"csrf": {boss.csrf()}, "sector": {"nope"}, "enabled": {"1"}}); rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "测评没有行业“nope”") {
		t.Errorf("unknown sector: status %d, want 422 naming it\n%s", rec.Code, rec.Body)
	}
	retail := sectorLink(t, boss, "retail")
	if !strings.Contains(boss.get("/app/m/svc/openlink?done=sector_on&sector=retail").Body.String(), "“零售”的公开链接已开启") {
		t.Errorf("the page does not confirm the switch")
	}
	banking := sectorLink(t, boss, "banking")
	if retail == banking {
		t.Fatal("two sectors got one address")
	}
	if got := e.auditActions(); len(got) < 2 || got[0] != "openlink.sector.set:boss:measurement:svc" || got[1] != got[0] {
		t.Errorf("audit log %v, want two openlink.sector.set first", got)
	}
	if err := e.db.SetQuotaTargets(ctx, "svc", map[string]map[string]int{"d1": {"retail": 5, "banking": 5}}); err != nil {
		t.Fatal(err)
	}

	c := env.client()
	tok := startedToken(t, openStart(t, c, retail))
	scr := walkSector(t, c, tok, "banking", "d1")
	if !strings.Contains(scr, "行业：零售（已由邀请确定）") || strings.Contains(scr, `name="sector"`) {
		t.Errorf("the screener shows a sector question or does not say the fixed sector:\n%s", scr)
	}
	r := env.response(tok)
	if r == nil || r.Status != survey.RespSubmitted || len(r.Answers["sector"]) != 1 || r.Answers["sector"][0] != "retail" {
		t.Fatalf("customer's response %+v, want submitted with sector retail", r)
	}
	qs, err := e.db.Quotas(ctx, "svc")
	if err != nil {
		t.Fatal(err)
	}
	for _, cell := range qs.Cells {
		want := 0
		if cell.Cell == "retail" {
			want = 1
		}
		if cell.Count != want {
			t.Errorf("quota cell %s %s: %d taken, want %d", cell.District, cell.Cell, cell.Count, want)
		}
	}
	body = boss.get("/app/m/svc/openlink").Body.String()
	row := regexp.MustCompile(`<tr id="sector-retail">(?s:.*?)</tr>`).FindString(body)
	if !strings.Contains(row, "已开启") || !strings.Contains(row, `<td class="n" data-label="已开始">1</td><td class="n" data-label="已完成">1</td>`) {
		t.Errorf("retail's row does not show it on with 1 started, 1 complete:\n%s", row)
	}
	row = regexp.MustCompile(`<tr id="sector-banking">(?s:.*?)</tr>`).FindString(body)
	if !strings.Contains(row, `<td class="n" data-label="已开始">0</td><td class="n" data-label="已完成">0</td>`) {
		t.Errorf("banking's row counts the retail customer:\n%s", row)
	}

	// Off for retail: new customers get 404, banking's link goes on.
	if rec := boss.post("/app/m/svc/openlink/sector", url.Values{"csrf": {boss.csrf()}, "sector": {"retail"}, "enabled": {"0"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("disable retail: status %d", rec.Code)
	}
	if rec := env.client().get(retail); rec.Code != http.StatusNotFound {
		t.Errorf("retail's link off: status %d, want 404", rec.Code)
	}
	if rec := env.client().get(banking); rec.Code != http.StatusOK {
		t.Errorf("banking's link with retail off: status %d, want 200", rec.Code)
	}
}

// TestSectorOpenLinkQuotaFull: a customer of a sector's link whose
// sector × district cell is full ends at the screener with the quota-full
// message, in Chinese and in English; the same district in another
// sector's link is not full.
func TestSectorOpenLinkQuotaFull(t *testing.T) {
	e, env, boss := newSectorLinkEnv(t)
	ctx := context.Background()
	retail := sectorLink(t, boss, "retail")
	banking := sectorLink(t, boss, "banking")
	if err := e.db.SetQuotaTargets(ctx, "svc", map[string]map[string]int{"d1": {"retail": 1, "banking": 1}}); err != nil {
		t.Fatal(err)
	}
	first := env.client()
	tok1 := startedToken(t, openStart(t, first, retail))
	walkSector(t, first, tok1, "retail", "d1")
	if r := env.response(tok1); r == nil || r.Status != survey.RespSubmitted {
		t.Fatalf("first customer %+v, want submitted", r)
	}

	// The second says banking, but retail's link fixes retail: d1 retail
	// is full.
	c := env.client()
	tok := startedToken(t, openStart(t, c, retail))
	walkSector(t, c, tok, "banking", "d1")
	if r := env.response(tok); r == nil || r.Status != survey.RespQuotaFull {
		t.Fatalf("second retail customer %+v, want quota_full", r)
	}
	final := c.get("/s/" + tok).Body.String()
	if !strings.Contains(final, "本次测评在您所属人群中的样本已经收满") {
		t.Errorf("the final page lacks the quota-full message:\n%s", final)
	}
	if en := c.get("/s/" + tok + "?lang=en").Body.String(); !strings.Contains(en, "We already have enough answers from people like you") {
		t.Errorf("the English final page lacks the quota-full message:\n%s", en)
	}

	// Banking's link, same district: its own cell, not full.
	b := env.client()
	btok := startedToken(t, openStart(t, b, banking))
	walkSector(t, b, btok, "retail", "d1")
	if r := env.response(btok); r == nil || r.Status != survey.RespSubmitted || r.Answers["sector"][0] != "banking" {
		t.Errorf("banking customer %+v, want submitted with sector banking", r)
	}
}
