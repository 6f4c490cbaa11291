package web

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"manyi/survey"
)

// TestSectorLinkBrowser opens the open-link page of a service measurement
// in chromium as the office, switches retail's link on with its button,
// and follows that link as a customer: the screener does not ask the
// sector and says which sector the link set. The office page must fit a
// phone's width. With MANYI_SHOTS set it saves both pages at 390 and
// 1280 px.
func TestSectorLinkBrowser(t *testing.T) {
	e, r, _ := newSectorLinkEnv(t)
	ts := httptest.NewServer(e.srv)
	t.Cleanup(ts.Close)
	ctx := newBrowser(t, 390, 844)
	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	do("log in",
		chromedp.Navigate(ts.URL+"/app/m/svc/openlink"),
		chromedp.WaitVisible(chromedp.CSS(`#name`)),
		chromedp.SendKeys(chromedp.CSS(`#name`), "boss"),
		chromedp.SendKeys(chromedp.CSS(`#password`), staffPassword),
		chromedp.Click(chromedp.CSS(`.staff-login button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#sector-links`)))
	do("switch retail on",
		chromedp.Click(chromedp.CSS(`#sector-retail button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#sector-retail input[readonly]`)))
	fitsPhone(t, ctx, "the open-link page")
	shot(t, ctx, "sector-links")
	slug, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS(`#sector-retail input[readonly]`)))
	if err != nil || !strings.HasPrefix(slug, "/o/") {
		t.Fatalf("retail link %q, %v", slug, err)
	}
	do("landing", chromedp.Navigate(ts.URL+slug), chromedp.WaitVisible(chromedp.CSS(`button[type=submit]`)))
	do("start", chromedp.Click(chromedp.CSS(`button[type=submit]`)), onPage("welcome"))
	a := survey.Answers{}
	steps := answerByClicking(r.q, "welcome", a)
	steps = append(steps, chromedp.Click(chromedp.CSS(`button[value="next"]`)), chromedp.WaitVisible(chromedp.CSS(`#fixed-sector`)))
	do("consent", steps...)
	got, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#fixed-sector`)))
	if err != nil || got != "行业：零售（已由邀请确定）" {
		t.Errorf("fixed sector note %q, %v", got, err)
	}
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('[name="sector"]').length`)); err != nil || n != 0 {
		t.Errorf("the screener still asks the sector (%d fields, %v)", n, err)
	}
	fitsPhone(t, ctx, "the fixed-sector screener")
	shot(t, ctx, "sector-link-screener")
}
