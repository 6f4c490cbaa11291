package web

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"manyi/survey"
	"manyi/survey/demo"
	"manyi/survey/fieldwork"
	"manyi/survey/sampling"
)

// TestBrowserQuotaFull is the resident flow in chromium ending at a full
// quota cell: a sampled man of 35 in d2 answers the consent and the
// screener by tapping, and gets the quota-full thank-you page.
func TestBrowserQuotaFull(t *testing.T) {
	e := newStaffEnv(t, "")
	ctx := context.Background()
	fwtSample(t, e, 2, 2)
	if err := e.db.SetQuotaTargets(ctx, demo.ID, map[string]map[string]int{"d2": {"male|30-44": 0}}); err != nil {
		t.Fatal(err)
	}
	links, err := e.db.IssueLinks(ctx, demo.ID, fieldwork.LinkSelection{Limit: 1}, nil, "boss")
	if err != nil || len(links) != 1 {
		t.Fatalf("IssueLinks: %v", err)
	}
	ts := httptest.NewServer(e.srv)
	t.Cleanup(ts.Close)
	bctx := newBrowser(t, 390, 844)
	q := survey.DefaultQuestionnaire()
	a := survey.Answers{}
	steps := []chromedp.Action[chromedp.Void]{chromedp.Navigate(ts.URL + "/s/" + links[0].Token), onPage("welcome")}
	steps = append(steps, answerByClicking(q, "welcome", a)...)
	steps = append(steps, chromedp.Click(chromedp.CSS(`button[value="next"]`)), onPage("screener"))
	steps = append(steps, answerByClicking(q, "screener", a)...)
	steps = append(steps, chromedp.Click(chromedp.CSS(`button[value="next"]`)), chromedp.WaitVisible(chromedp.CSS(".final-quota_full")))
	if err := chromedp.Do(bctx, steps...); err != nil {
		t.Fatalf("answering up to the screener: %v", err)
	}
	shot(t, bctx, "quota-full")
	text, err := chromedp.Run(bctx, chromedp.Evaluate[string](`document.body.innerText`))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text, "样本已经收满") || strings.Contains(text, "下一页") {
		t.Errorf("quota-full page text:\n%s", text)
	}
	k, err := e.db.Case(ctx, links[0].CaseID)
	if err != nil || k.Disposition != sampling.DispQuotaFull {
		t.Errorf("case disposition %q, %v; want quota_full", k.Disposition, err)
	}
}
