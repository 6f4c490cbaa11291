package web

import (
	"net/http/httptest"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestResultsBrowser logs in as the statistician in chromium and reads
// the overall index on the results page: it must be analysis.Compute's.
// With MANYI_SHOTS set it also saves the results, weighting, exports and
// report pages at 390 and 1280 px.
func TestResultsBrowser(t *testing.T) {
	e := newStaffEnv(t, "")
	fillResults(t, e.db, 800, 600)
	want := f2(expectedOverall(t, e.db).Overall.Value)
	ts := httptest.NewServer(e.srv)
	t.Cleanup(ts.Close)
	ctx := newBrowser(t, 1280, 900)
	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	do("log in",
		chromedp.Navigate(ts.URL+"/app/m/demo-2026/results"),
		chromedp.WaitVisible(chromedp.CSS(`#name`)),
		chromedp.SendKeys(chromedp.CSS(`#name`), "stat"),
		chromedp.SendKeys(chromedp.CSS(`#password`), staffPassword),
		chromedp.Click(chromedp.CSS(`.staff-login button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`.big .index`)))
	got, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`.big .index`)))
	if err != nil || got != want {
		t.Errorf("overall index in the browser: %q, %v; want %s (analysis.Compute)", got, err, want)
	}
	shot(t, ctx, "results")
	do("open weighting", chromedp.Navigate(ts.URL+"/app/m/demo-2026/weighting"), chromedp.WaitVisible(chromedp.CSS(`#h-diag`)))
	shot(t, ctx, "weighting")
	do("open exports", chromedp.Navigate(ts.URL+"/app/m/demo-2026/exports"), chromedp.WaitVisible(chromedp.CSS(`.downloads`)))
	shot(t, ctx, "exports")
	do("open report", chromedp.Navigate(ts.URL+"/app/m/demo-2026/report"), chromedp.WaitVisible(chromedp.CSS(`#text-zh`)))
	shot(t, ctx, "report")
}
