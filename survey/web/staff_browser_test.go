package web

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestStaffBrowser logs in as the statistician in chromium: the login form
// works with real cookies (HttpOnly, SameSite) and CSRF, the staff home
// names the user and the demo measurement, a page the role may not open
// shows the 403 page, and logging out leads back to the login form.
func TestStaffBrowser(t *testing.T) {
	e := newStaffEnv(t, "")
	ts := httptest.NewServer(e.srv)
	t.Cleanup(ts.Close)
	ctx := newBrowser(t, 1280, 900)
	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	do("open /app", chromedp.Navigate(ts.URL+"/app"), chromedp.WaitVisible(chromedp.CSS(`#name`)))
	shot(t, ctx, "staff-login")
	do("log in",
		chromedp.SendKeys(chromedp.CSS(`#name`), "stat"),
		chromedp.SendKeys(chromedp.CSS(`#password`), staffPassword),
		chromedp.Click(chromedp.CSS(`.staff-login button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`.staff-table`)))
	shot(t, ctx, "staff-home")
	who, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`.who span`)))
	if err != nil || who != "stat · 统计人员" {
		t.Errorf("bar: %q, %v; want %q", who, err, "stat · 统计人员")
	}
	table, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`.staff-table tbody`)))
	if err != nil || !strings.Contains(table, "demo-2026") {
		t.Errorf("home table: %q, %v; want the demo measurement", table, err)
	}
	// The session cookie is HttpOnly: scripts cannot read it.
	cookies, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.cookie`))
	if err != nil || strings.Contains(cookies, sessionCookie) {
		t.Errorf("document.cookie = %q, %v; want no %s", cookies, err, sessionCookie)
	}
	do("open accounts", chromedp.Navigate(ts.URL+"/app/users"), chromedp.WaitVisible(chromedp.CSS(`.final.error`)))
	shot(t, ctx, "staff-403")
	h1, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`h1`)))
	if h1 != "没有权限" {
		t.Errorf("accounts as statistician: heading %q, want 没有权限", h1)
	}
	do("log out", chromedp.Click(chromedp.CSS(`.who button`)), chromedp.WaitVisible(chromedp.CSS(`#name`)))
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil || !strings.HasSuffix(loc, "/login") {
		t.Errorf("after logout at %q, %v; want /login", loc, err)
	}
}
