package web

import (
	"net/http/httptest"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestOfficeSampleServiceBrowser previews a sector × district
// allocation in chromium: the page must fit a 390 px phone, the table
// scrolling inside its wrapper. With MANYI_SHOTS set it saves the page
// at 390 and 1280 px.
func TestOfficeSampleServiceBrowser(t *testing.T) {
	e, _ := newServiceSampleEnv(t)
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
		chromedp.Navigate(ts.URL+"/app/m/svc/sample"),
		chromedp.WaitVisible(chromedp.CSS(`#name`)),
		chromedp.SendKeys(chromedp.CSS(`#name`), "boss"),
		chromedp.SendKeys(chromedp.CSS(`#password`), staffPassword),
		chromedp.Click(chromedp.CSS(`.staff-login button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#per_cell`)))
	do("preview",
		chromedp.SetValue(chromedp.CSS(`#sector_totals`), "catering=60"),
		chromedp.SetValue(chromedp.CSS(`#floor`), "15"),
		chromedp.Click(chromedp.CSS(`#preview-alloc`)),
		chromedp.WaitVisible(chromedp.CSS(`#preview table`)))
	fitsPhone(t, ctx, "the service sample page")
	shot(t, ctx, "service-sample")
}
