package web

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"manyi/survey"
)

// desktopBrowser starts headless chromium at 1280×800 as the office's
// desktop (no mobile emulation), saving downloads into the returned
// folder; js false switches JavaScript off.
func desktopBrowser(t *testing.T, js bool) (context.Context, string) {
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
		chromedp.WindowSize(1280, 800),
	}
	ctx, cancelTimeout := context.WithTimeout(context.Background(), 240*time.Second)
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	tctx, cancelTab := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelTab(); cancelAlloc(); cancelTimeout() })
	dl := t.TempDir()
	err := chromedp.Do(tctx, chromedp.EmulateViewport(1280, 800), chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		if _, err := cdp.Call(ctx, tg, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
			Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: dl}); err != nil {
			return err
		}
		if !js {
			_, err := cdp.Call(ctx, tg, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
			return err
		}
		return nil
	}))
	if err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	return tctx, dl
}

// downloaded waits for a finished download whose name matches pattern
// in dir and returns its bytes.
func downloaded(t *testing.T, dir, pattern string) ([]byte, string) {
	t.Helper()
	re := regexp.MustCompile(pattern)
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		es, _ := os.ReadDir(dir)
		for _, e := range es {
			if re.MatchString(e.Name()) && !strings.HasSuffix(e.Name(), ".crdownload") {
				b, err := os.ReadFile(filepath.Join(dir, e.Name()))
				if err == nil && len(b) > 0 {
					os.Remove(filepath.Join(dir, e.Name()))
					return b, e.Name()
				}
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("no download matching %s in %s", pattern, dir)
	return nil, ""
}

// docShot saves a 1280-px screenshot of the viewport for docs/OFFICE.md
// into $MANYI_DOC_SHOTS (nothing when unset).
func docShot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("MANYI_DOC_SHOTS")
	if dir == "" {
		return
	}
	b, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err == nil {
		err = os.WriteFile(filepath.Join(dir, name+".png"), b, 0o644)
	}
	if err != nil {
		t.Errorf("screenshot %s: %v", name, err)
	}
}

// journeyFrame is a frame with 30 clean rows per district of d1–d3 and
// three bad rows (an unknown district, a bad phone, a duplicate id).
func journeyFrame(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("id,district,gender,age_band,contact\n")
	k := 0
	for _, d := range []string{"东城区", "西城区", "南城区"} {
		for i := 0; i < 30; i++ {
			b.WriteString(strings.Join([]string{"R" + itoa(k), d, []string{"男", "女"}[i%2], []string{"18-29", "30-44", "45-59", "60-70"}[i%4], "139" + pad8(k)}, ",") + "\n")
			k++
		}
	}
	b.WriteString("B1,北城区,男,18-29,13900000001\nB2,东城区,女,30-44,12345\nR0,东城区,女,30-44,13900000002\n")
	p := filepath.Join(t.TempDir(), "名单.csv")
	if err := os.WriteFile(p, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func itoa(i int) string {
	s := ""
	for {
		s = string(rune('0'+i%10)) + s
		i /= 10
		if i == 0 {
			return s
		}
	}
}

func pad8(i int) string {
	s := itoa(10000000 + i)
	return s[len(s)-8:]
}

// TestOfficeJourneyBrowser walks a whole measurement as the office in
// chromium at 1280×800: a new measurement, a question edited and seen in
// the preview, the frame with bad rows,
// preview and draw, the SMS file, fieldwork opened, residents answering
// their SMS links, fieldwork closed, the responses on the results page
// and the report PDF; then the key steps again with JavaScript off.
func TestOfficeJourneyBrowser(t *testing.T) {
	for _, js := range []bool{true, false} {
		name := map[bool]string{true: "js", false: "nojs"}[js]
		t.Run(name, func(t *testing.T) { officeJourney(t, js) })
	}
}

func officeJourney(t *testing.T, js bool) {
	e := newOfficeEnv(t)
	ts := httptest.NewServer(e.srv)
	t.Cleanup(ts.Close) // after the browser (cleanups run last first)
	ctx, dl := desktopBrowser(t, js)
	start := time.Now()
	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if testing.Verbose() {
			t.Logf("%5.1fs %s", time.Since(start).Seconds(), what)
		}
		sctx, cancel := context.WithTimeout(ctx, 60*time.Second)
		defer cancel()
		if err := chromedp.Do(sctx, steps...); err != nil {
			body, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
			logs := e.log.String()
			t.Fatalf("%s: %v\npage:\n%.1500s\nserver log (end):\n%s", what, err, body, logs[max(0, len(logs)-1500):])
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return s
	}
	shoot := func(name string) {
		if js {
			docShot(t, ctx, name)
		}
	}

	do("log in", chromedp.Navigate(ts.URL+"/login"), chromedp.WaitVisible(chromedp.CSS(`#name`)),
		chromedp.SendKeys(chromedp.CSS(`#name`), "boss"),
		chromedp.SendKeys(chromedp.CSS(`#password`), staffPassword),
		chromedp.Click(chromedp.CSS(`.staff-login button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`.staff-table`)))

	// 1. New measurement, landing on its overview.
	do("new measurement", chromedp.Click(chromedp.CSS(`a[href="/app/measurements/new"]`)), chromedp.WaitVisible(chromedp.CSS(`#f-title`)),
		chromedp.SetValue(chromedp.CSS(`#f-title`), "示例市 2027 年市民质量满意度测评"),
		chromedp.SetValue(chromedp.CSS(`#f-year`), "2027"),
		chromedp.SetValue(chromedp.CSS(`#f-city`), "示例市"),
		chromedp.SetValue(chromedp.CSS(`#f-id`), "j2027"),
		chromedp.SetValue(chromedp.CSS(`#f-prev`), ""),
		chromedp.Click(chromedp.CSS(`#f-dl`)),
		chromedp.SetValue(chromedp.CSS(`#f-districts`), "d1 东城区 Dongcheng\nd2 西城区 Xicheng\nd3 南城区 Nancheng"))
	shoot("office-new")
	do("create", chromedp.Submit(chromedp.CSS(`#f-title`)), chromedp.WaitVisible(chromedp.CSS(`a[href="/app/m/j2027/frame"]`)))
	shoot("office-overview")
	m, err := e.db.Measurement(context.Background(), "j2027")
	if err != nil || len(m.Districts) != 3 || m.Status != survey.StatusDraft {
		t.Fatalf("created measurement %+v, %v", m, err)
	}

	// 3. Edit a question in the editor and see it in the preview.
	const newText = "您对本市食品（含外卖餐食）的质量满意吗？"
	do("edit a question", chromedp.Navigate(ts.URL+"/app/m/j2027/questionnaire/items/prod_food"), chromedp.WaitVisible(chromedp.CSS(`#i-text-zh`)),
		chromedp.SetValue(chromedp.CSS(`#i-text-zh`), newText),
		chromedp.Click(chromedp.CSS(`#item-form button[type=submit]`)),
		chromedp.WaitNotPresent(chromedp.CSS(`#i-text-zh`)))
	do("preview", chromedp.Navigate(ts.URL+"/app/m/j2027/questionnaire/preview?page=3&qlang=zh"), chromedp.WaitVisible(chromedp.CSS(`#preview-frame`)))
	shoot("office-preview")
	do("preview frame", chromedp.Navigate(ts.URL+"/app/m/j2027/questionnaire/preview/frame?page=3&qlang=zh"), chromedp.WaitVisible(chromedp.CSS(`main`)))
	if got := text(`main`); !strings.Contains(got, newText) {
		t.Errorf("the preview does not show the edited question:\n%.600s", got)
	}

	// 4. The frame: upload, preview with the bad rows, import the clean rows.
	do("frame page", chromedp.Navigate(ts.URL+"/app/m/j2027"), chromedp.Click(chromedp.CSS(`a[href="/app/m/j2027/frame"]`)), chromedp.WaitVisible(chromedp.CSS(`#frame-file`)),
		chromedp.SetUploadFiles(chromedp.CSS(`#frame-file`), []string{journeyFrame(t)}),
		chromedp.Click(chromedp.CSS(`#upload-frame`)),
		chromedp.WaitVisible(chromedp.CSS(`#import-clean`)))
	if got := text(`#rejected`); !strings.Contains(got, "(3)") {
		t.Errorf("rejected rows heading %q, want 3", got)
	}
	if got := text(`table.rejected`); !strings.Contains(got, "北城区") || !strings.Contains(got, "与第 2 行重复") {
		t.Errorf("rejected rows table %q", got)
	}
	if js {
		do("scroll to the rejected rows", chromedp.ScrollIntoView(chromedp.CSS(`#rejected`)))
	}
	shoot("office-frame-preview")
	do("import clean rows", chromedp.Click(chromedp.CSS(`#import-clean`)), chromedp.WaitVisible(chromedp.CSS(`#upload .done`)))
	if got := text(`#upload .done`); !strings.Contains(got, "90 个单位") {
		t.Errorf("after import: %q", got)
	}

	// 5. The sample: preview, then draw.
	do("sample page", chromedp.Navigate(ts.URL+"/app/m/j2027/sample"), chromedp.WaitVisible(chromedp.CSS(`#preview-alloc`)),
		chromedp.SetValue(chromedp.CSS(`#allocation`), "equal"),
		chromedp.SetValue(chromedp.CSS(`#total`), "12"),
		chromedp.SetValue(chromedp.CSS(`#floor`), "0"),
		chromedp.SetValue(chromedp.CSS(`#reserve`), "0.5"),
		chromedp.SetValue(chromedp.CSS(`#reserve_batches`), "1"),
		chromedp.Click(chromedp.CSS(`#preview-alloc`)),
		chromedp.WaitVisible(chromedp.CSS(`#preview table.alloc`)))
	if got := text(`#preview table.alloc`); !strings.Contains(got, "东城区") || !strings.Contains(got, "4.00") {
		t.Errorf("allocation preview %q", got)
	}
	shoot("office-sample-preview")
	do("draw", chromedp.Click(chromedp.CSS(`#draw-sample`)), chromedp.WaitVisible(chromedp.CSS(`.done`)))
	if si, err := e.db.Sample(context.Background(), "j2027"); err != nil || si.Alloc.Total != 12 {
		t.Fatalf("sample %+v, %v", si, err)
	}

	// 6. The SMS file.
	do("invitations", chromedp.Navigate(ts.URL+"/app/m/j2027/invitations"), chromedp.WaitVisible(chromedp.CSS(`#download-sms`)))
	if js {
		do("type in the template", chromedp.SetValue(chromedp.CSS(`#sms-template`), "【{city}】诚邀您参加{title}，匿名填写约6分钟：{link} 回复T退订"),
			chromedp.SendKeys(chromedp.CSS(`#sms-template`), " "))
		if got := text(`#sms-count`); !strings.Contains(got, "条短信") {
			t.Errorf("live count %q", got)
		}
	}
	shoot("office-invitations")
	do("download SMS file", chromedp.Click(chromedp.CSS(`#download-sms`)))
	sms, fname := downloaded(t, dl, `^j2027-sms-.*-12links\.csv$`)
	links := regexp.MustCompile(`/s/([A-Za-z0-9_-]{22})`).FindAllStringSubmatch(string(sms), -1)
	if len(links) != 12 || !strings.Contains(fname, "12links") {
		t.Fatalf("SMS file %s has %d links, want 12", fname, len(links))
	}

	// Before fieldwork a link says the survey has not started.
	do("a link too early", chromedp.Navigate(ts.URL+"/s/"+links[0][1]), chromedp.WaitVisible(chromedp.CSS(`h1`)))
	if body := text(`main`); !strings.Contains(body, "尚未开始") {
		t.Errorf("a link before fieldwork shows %q", body)
	}

	// 8. Open fieldwork.
	do("open fieldwork", chromedp.Navigate(ts.URL+"/app/m/j2027/fieldwork"), chromedp.WaitVisible(chromedp.CSS(`#open-fieldwork`)),
		chromedp.Click(chromedp.CSS(`#open-fieldwork`)), chromedp.WaitVisible(chromedp.CSS(`#close-fieldwork`)))
	shoot("office-fieldwork")

	// Residents answer three SMS links: one in this browser, two by HTTP.
	qv, err := e.db.Questionnaire(context.Background(), "j2027", 0)
	if err != nil {
		t.Fatal(err)
	}
	q := qv.Q
	re := &env{t: t, srv: e.srv, db: e.db, q: q, log: e.log}
	byHTTP := links[:3]
	if js {
		// One resident in this browser (the resident pages' own browser
		// test covers them without JavaScript), the others by HTTP.
		byHTTP = links[1:3]
		a := survey.Answers{}
		do("resident opens the link", chromedp.Navigate(ts.URL+"/s/"+links[0][1]), onPage(q.NextPage("", a)))
		for id := q.NextPage("", a); id != ""; id = q.NextPage(id, a) {
			steps := answerByClicking(q, id, a)
			steps = append(steps, chromedp.Click(chromedp.CSS(`button[value="next"]`)))
			next := q.NextPage(id, a)
			if next == "" {
				next = reviewID
			}
			do("answer "+id, append(steps, onPage(next))...)
		}
		do("submit", chromedp.Click(chromedp.CSS(`button[value="submit"]`)), chromedp.WaitVisible(chromedp.CSS(`.final-thanks`)))
	}
	for _, l := range byHTTP {
		rc := re.client()
		rc.answerUpTo(l[1], "")
		if rec := rc.answerPage(l[1], reviewID, nil); rec.Code >= 400 {
			t.Fatalf("resident submit: %d", rec.Code)
		}
	}

	// Close fieldwork: links answer "this survey has closed".
	do("close fieldwork", chromedp.Navigate(ts.URL+"/app/m/j2027/fieldwork"), chromedp.WaitVisible(chromedp.CSS(`#close-fieldwork`)),
		chromedp.Click(chromedp.CSS(`#close-fieldwork`)), chromedp.WaitVisible(chromedp.CSS(`#open-fieldwork`)))
	do("a link after closing", chromedp.Navigate(ts.URL+"/s/"+links[5][1]), chromedp.WaitVisible(chromedp.CSS(`h1`)))
	if body := text(`main`); !strings.Contains(body, "已经结束") {
		t.Errorf("a link after fieldwork shows %q", body)
	}

	// Design weights only (no census margins for a new city yet), then
	// the results count the three responses and the report PDF downloads.
	do("weighting", chromedp.Navigate(ts.URL+"/app/m/j2027/weighting"), chromedp.WaitVisible(chromedp.CSS(`#cal-none`)),
		chromedp.Click(chromedp.CSS(`#cal-none`)), chromedp.Click(chromedp.CSS(`button[value="save"]`)), chromedp.WaitVisible(chromedp.CSS(`.done`)))
	do("results", chromedp.Navigate(ts.URL+"/app/m/j2027/results"), chromedp.WaitVisible(chromedp.CSS(`h1`)))
	if body := text(`main`); !strings.Contains(body, "有效样本\n3\n") || !strings.Contains(body, "总体满意度指数") {
		t.Errorf("the results page does not count the 3 responses:\n%.800s", body)
	}
	shoot("office-results")
	do("report page", chromedp.Navigate(ts.URL+"/app/m/j2027/report"), chromedp.WaitVisible(chromedp.CSS(`form[action$="report.pdf"] button`)),
		chromedp.Click(chromedp.CSS(`form[action$="report.pdf"] button`)))
	pdf, _ := downloaded(t, dl, `\.pdf$`)
	if !strings.HasPrefix(string(pdf), "%PDF") {
		t.Errorf("the report is not a PDF: %.20q", pdf)
	}
}
