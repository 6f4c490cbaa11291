package web

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"manyi/survey"
	"manyi/survey/demo"
	"manyi/survey/fieldwork"
)

func TestMonitor(t *testing.T) {
	e := newStaffEnv(t, "")
	ctx := context.Background()
	fwtSample(t, e, 6, 4)
	if err := e.db.SetQuotaTargets(ctx, demo.ID, map[string]map[string]int{"d1": {"male|30-44": 4}, "d2": {"male|30-44": 4}}); err != nil {
		t.Fatal(err)
	}
	links, err := e.db.IssueLinks(ctx, demo.ID, fieldwork.LinkSelection{}, nil, "boss")
	if err != nil || len(links) != 8 {
		t.Fatalf("IssueLinks: %d, %v", len(links), err)
	}
	// Two residents finish (both answer district d2), one refuses.
	for _, l := range links[:2] {
		if _, err := e.db.Finish(ctx, l.Token, survey.RespSubmitted); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.db.SetDisposition(ctx, links[2].CaseID, "refused", "boss", "letter"); err != nil {
		t.Fatal(err)
	}
	c := e.client("10.2.0.1")
	c.login("stat")
	rec := c.get("/app/m/" + demo.ID + "/monitor")
	body := rec.Body.String()
	if rec.Code != http.StatusOK {
		t.Fatalf("monitor: status %d\n%s", rec.Code, body)
	}
	// 8 released, 2 complete, 1 refused, 5 sent: I=2, R=1, UH=5, no known
	// ineligibles so e = 1 and RR1 = RR3 = 2/8 = 25.0%; REF1 = 1/8 = 12.5%;
	// COOP1 = 2/(2+1) = 66.7%.
	for _, want := range []string{
		`data-k="total.completes">2<`, `data-k="total.released">8<`, `data-k="total.rr1">25.0%<`, `data-k="total.rr3">25.0%<`,
		`data-k="total.ref1">12.5%<`, `data-k="total.coop1">66.7%<`, `data-k="total.target">8<`, `data-k="total.shortfall">6<`,
		`data-k="mode.web.count">2<`, `data-k="mode.web.share">100.0%<`, "<svg", "<rect", "东城区", "男 30-44", "js/fieldwork.js",
		`data-monitor-json="/app/m/demo-2026/monitor.json"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("monitor page lacks %q", want)
		}
	}
	if n := strings.Count(body, "<rect"); n != 1 {
		t.Errorf("chart has %d bars, want 1 (one day of completes)", n)
	}

	js := c.get("/app/m/" + demo.ID + "/monitor.json")
	var d struct {
		Values  map[string]string `json:"values"`
		Updated string            `json:"updated"`
	}
	if js.Code != http.StatusOK || json.Unmarshal(js.Body.Bytes(), &d) != nil {
		t.Fatalf("monitor.json: status %d %s", js.Code, js.Body)
	}
	if d.Values["total.completes"] != "2" || d.Values["total.rr1"] != "25.0%" || d.Updated == "" {
		t.Errorf("monitor.json values %v", d.Values)
	}
	// Every live key of the JSON is on the page, so the script finds it.
	for k := range d.Values {
		if !strings.Contains(body, `data-k="`+k+`"`) {
			t.Errorf("JSON key %q has no element on the page", k)
		}
	}
	iv := e.client("10.2.0.2")
	iv.login("ivw")
	if rec := iv.get("/app/m/" + demo.ID + "/monitor.json"); rec.Code != http.StatusForbidden {
		t.Errorf("interviewer on monitor.json: status %d, want 403", rec.Code)
	}
	if rec := c.get("/app/m/nope/monitor"); rec.Code != http.StatusNotFound {
		t.Errorf("unknown measurement: status %d, want 404", rec.Code)
	}
}
