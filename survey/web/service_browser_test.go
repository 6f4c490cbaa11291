package web

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"manyi/survey/demo"
	"manyi/survey/workspace"
)

// TestServiceBrowser opens the service measurement's pages in chromium as
// the statistician and the interviewer: the city's CSI on the results
// page must be workspace.ComputeService's and the path diagram drawn.
// With MANYI_SHOTS set it saves the new measurement form, the CSI
// results, the sector weights, the monitor's sector grid and an intercept
// interview at 390 and 1280 px.
func TestServiceBrowser(t *testing.T) {
	e := newStaffEnv(t, "")
	bg := context.Background()
	if _, err := demo.SimulateService(bg, e.db, 40, 5); err != nil {
		t.Fatal(err)
	}
	want, err := workspace.ComputeService(bg, e.db, e.db, demo.ServiceID, nil)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(e.srv)
	t.Cleanup(ts.Close)
	ctx := newBrowser(t, 1280, 900)
	began := time.Now()
	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		start := time.Now()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("%s: %v (after %s; %s since the browser started)", what, err, time.Since(start).Round(time.Millisecond), time.Since(began).Round(time.Second))
		}
		t.Logf("%s: %s", what, time.Since(start).Round(time.Millisecond))
	}
	base := ts.URL + "/app/m/" + demo.ServiceID
	do("log in",
		chromedp.Navigate(base+"/csi"),
		chromedp.WaitVisible(chromedp.CSS(`#name`)),
		chromedp.SendKeys(chromedp.CSS(`#name`), "boss"),
		chromedp.SendKeys(chromedp.CSS(`#password`), staffPassword),
		chromedp.Click(chromedp.CSS(`.staff-login button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`.pathdiagram`)))
	got, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`[data-figure="csi"]`)))
	if err != nil || got != f2(want.Results.Overall.Value) {
		t.Errorf("city CSI in the browser: %q, %v; want %s", got, err, f2(want.Results.Overall.Value))
	}
	fitsPhone(t, ctx, "the CSI results page")
	shot(t, ctx, "service-csi")
	do("csi in English", chromedp.Navigate(base+"/csi?lang=en"), chromedp.WaitVisible(chromedp.CSS(`.pathdiagram`)))
	fitsPhone(t, ctx, "the CSI results page in English")
	shot(t, ctx, "service-csi-en")
	do("weights", chromedp.Navigate(base+"/csi/weights"), chromedp.WaitVisible(chromedp.CSS(`#basis`)))
	fitsPhone(t, ctx, "the sector weights page")
	shot(t, ctx, "service-weights")
	do("monitor", chromedp.Navigate(base+"/monitor"), chromedp.WaitVisible(chromedp.CSS(`body`)))
	fitsPhone(t, ctx, "the monitor")
	shot(t, ctx, "service-monitor")
	do("new measurement", chromedp.Navigate(ts.URL+"/app/measurements/new"), chromedp.WaitVisible(chromedp.CSS(`#f-ks`)))
	shot(t, ctx, "service-new")
	do("intercept", chromedp.Navigate(base+"/intercept?lang=zh"), chromedp.WaitVisible(chromedp.CSS(`form.staff-form button`)))
	fitsPhone(t, ctx, "the intercept page")
	shot(t, ctx, "service-intercept")
	// Submit, not Click: a click dispatched while a busy machine is still
	// laying the page out can be lost, and the form is what is tested.
	do("start intercept", chromedp.Submit(chromedp.CSS(`form.staff-form button[type=submit]`)), chromedp.WaitReady(chromedp.CSS(`input[name="_page"]`)))
	if back, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`.interviewer-banner a`))); err != nil || back != "返回拦截访问" {
		t.Errorf("an intercept interview links back to %q (%v); want the intercept page", back, err)
	}
	fitsPhone(t, ctx, "the intercept interview")
	shot(t, ctx, "service-interview")
}
