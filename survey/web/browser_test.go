package web

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"manyi/survey"
)

// chromiumPath finds Debian's chromium. The browser test must not be
// skipped silently, so a missing browser is a failure that says what to do.
func chromiumPath(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	t.Fatalf("chromium is not installed: run `make deps` (apt-get install chromium) and test again")
	return ""
}

// androidUA is a phone's User-Agent, so that the server classes the
// browser as a resident's mobile (headless chromium says "HeadlessChrome").
const androidUA = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36"

// newBrowser starts a headless chromium with a fresh profile and returns a
// tab context. The deadline bounds the whole browser.
func newBrowser(t *testing.T, width, height int64) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(int(width), int(height)),
		chromedp.UserAgent(androidUA),
	}
	ctx, cancelTimeout := context.WithTimeout(context.Background(), 240*time.Second)
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	tctx, cancelTab := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelTab(); cancelAlloc(); cancelTimeout() })
	if err := chromedp.Do(tctx, chromedp.EmulateViewport(width, height, chromedp.EmulateMobile)); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	return tctx
}

// shot saves full-page screenshots at 390 and 1280 px wide into
// $MANYI_SHOTS (for looking at the pages by eye); it does nothing when the
// variable is unset.
func shot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("MANYI_SHOTS")
	if dir == "" {
		return
	}
	for _, w := range []int64{1280, 390} {
		vp := chromedp.EmulateViewport(w, 900)
		if w < 600 {
			vp = chromedp.EmulateViewport(w, 844, chromedp.EmulateMobile)
		}
		err := chromedp.Do(ctx, vp)
		if err == nil {
			var b []byte
			b, err = chromedp.Run(ctx, chromedp.FullScreenshot(100))
			if err == nil {
				err = os.WriteFile(filepath.Join(dir, fmt.Sprintf("%s-%d.png", name, w)), b, 0o644)
			}
		}
		if err != nil {
			t.Errorf("screenshot %s at %d px: %v", name, w, err)
		}
	}
}

// fitsPhone lays the current page out at a 390 px phone's width and
// fails the test for every element that reaches past the screen's right
// edge, except inside a horizontally scrolling box (.scroll), which is how
// wide tables are meant to fit, and text hidden for screen readers (.vh).
// It leaves the viewport at 390 px.
func fitsPhone(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile)); err != nil {
		t.Fatalf("%s at 390 px: %v", page, err)
	}
	wide, err := chromedp.Run(ctx, chromedp.Evaluate[string](`[...document.querySelectorAll('body *')].filter(e => !e.closest('.scroll, .vh') && e.getBoundingClientRect().right > 391).map(e => e.tagName.toLowerCase() + (e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\s+/).join('.') : '') + ' ' + Math.round(e.getBoundingClientRect().right) + 'px').slice(0, 8).join(', ')`))
	if err != nil {
		t.Fatalf("%s at 390 px: %v", page, err)
	}
	if wide != "" {
		t.Errorf("%s is wider than a 390 px phone: %s", page, wide)
	}
}

// onPage waits until the page with the hidden _page id is loaded.
func onPage(id string) chromedp.Action[chromedp.Void] {
	return chromedp.WaitReady(chromedp.CSS(`input[name="_page"][value="` + id + `"]`))
}

// answerByClicking fills a page like a resident: taps a rating or a choice
// for each question and types the age and one suggestion.
func answerByClicking(q *survey.Questionnaire, pageID string, a survey.Answers) []chromedp.Action[chromedp.Void] {
	form := validAnswers(q, pageID, a)
	p, _ := q.Page(pageID)
	var steps []chromedp.Action[chromedp.Void]
	for _, it := range p.VisibleItems(a) {
		v := form.Get(it.ID)
		if v == "" {
			continue
		}
		switch it.Type {
		case survey.TypeNumber, survey.TypeText:
			steps = append(steps, chromedp.SendKeys(chromedp.CSS("#i-"+it.ID), v))
		default:
			steps = append(steps, chromedp.Click(chromedp.CSS(fmt.Sprintf(`label[for="o-%s-%s"]`, it.ID, v))))
		}
		a[it.ID] = []string{v}
	}
	return steps
}

// TestBrowser answers the whole demo questionnaire in chromium at a phone's
// size, with JavaScript on and off: it reloads halfway and resumes, goes
// back once, fails one page on purpose, submits, and reopens the link.
func TestBrowser(t *testing.T) {
	for _, js := range []bool{true, false} {
		name := "js"
		if !js {
			name = "nojs"
		}
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			ts := httptest.NewServer(e.srv)
			// Cleanups run last-in first-out: the browser (registered by
			// newBrowser below) stops before the server closes, so Close
			// never waits on a request the browser left open.
			t.Cleanup(ts.Close)
			tok := e.token()
			link := ts.URL + "/s/" + tok
			ctx := newBrowser(t, 390, 844)
			if !js {
				err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
					_, err := cdp.Call(ctx, tg, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
					return err
				}))
				if err != nil {
					t.Fatalf("disabling JavaScript: %v", err)
				}
			}
			do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
				t.Helper()
				if err := chromedp.Do(ctx, steps...); err != nil {
					t.Fatalf("%s: %v", what, err)
				}
			}
			do("open the link", chromedp.Navigate(link), onPage("welcome"))
			if js {
				shot(t, ctx, "consent")
			}
			q := e.q
			a := survey.Answers{}
			failed, reloaded, wentBack := false, false, false
			for id := q.NextPage("", a); id != ""; {
				if id == "product" && js && !failed {
					shot(t, ctx, "domain")
				}
				if id == "product" && js && !failed {
					checkLayout(t, ctx)
				}
				if id == "product" && !failed {
					// Next without answering: the page comes back with errors.
					failed = true
					do("next on an empty page", chromedp.Click(chromedp.CSS(`button[value="next"]`)), chromedp.WaitVisible(chromedp.CSS(".summary")), onPage("product"))
					if js {
						shot(t, ctx, "error")
					}
				}
				steps := answerByClicking(q, id, a)
				steps = append(steps, chromedp.Click(chromedp.CSS(`button[value="next"]`)))
				next := q.NextPage(id, a)
				if next == "" {
					next = reviewID
				}
				steps = append(steps, onPage(next))
				do("answer "+id, steps...)
				if id == "environment" && !reloaded {
					// Close and reopen halfway: the survey resumes.
					reloaded = true
					do("reload", chromedp.Navigate("about:blank"), chromedp.Navigate(link), onPage(next))
				}
				if id == "general" && !wentBack {
					// Back keeps the answers of the page left.
					wentBack = true
					do("back", chromedp.Click(chromedp.CSS(`button[value="back"]`)), onPage("general"),
						chromedp.WaitReady(chromedp.CSS(`#o-overall-8:checked`)))
					if js {
						shot(t, ctx, "back")
					}
					do("next again", chromedp.Click(chromedp.CSS(`button[value="next"]`)), onPage(next))
				}
				id = q.NextPage(id, a)
			}
			if js {
				shot(t, ctx, "review")
			}
			do("submit", chromedp.Click(chromedp.CSS(`button[value="submit"]`)), chromedp.WaitVisible(chromedp.CSS(".final-thanks")))
			if js {
				shot(t, ctx, "thanks")
			}
			do("reopen", chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS(".final-submitted")))

			r := e.response(tok)
			if r.Status != survey.RespSubmitted {
				t.Fatalf("response status %q, want submitted", r.Status)
			}
			for k, v := range a {
				if got := r.Answers[k]; len(got) != 1 || got[0] != v[0] {
					t.Errorf("stored %s = %v, want %v", k, got, v)
				}
			}
		})
	}
}

// checkLayout checks the mobile rules on the current page at 360 px wide:
// no horizontal scrolling and every tap target at least 44 px high and wide.
func checkLayout(t *testing.T, ctx context.Context) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(360, 740, chromedp.EmulateMobile)); err != nil {
		t.Fatal(err)
	}
	defer chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
	width, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`document.documentElement.scrollWidth`))
	if err != nil {
		t.Fatal(err)
	}
	if width > 360 {
		t.Errorf("page is %v px wide at a 360 px viewport: horizontal scrolling", width)
	}
	small, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('.pill span:not(.vh), .choice span, .btn, .lang, input.num, textarea')]
		.filter(e => { const r = e.getBoundingClientRect(); return r.height < 44 || r.width < 44; })
		.map(e => e.textContent.trim() + " " + Math.round(e.getBoundingClientRect().width) + "x" + Math.round(e.getBoundingClientRect().height))`))
	if err != nil {
		t.Fatal(err)
	}
	if len(small) > 0 {
		t.Errorf("tap targets under 44 px at 360 px wide: %v", small)
	}
}
