package web

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestOfficePagesPhone sets a residents' measurement up in chromium at a
// 390 px phone's width, page by page, and fails for every office setup
// page (in Chinese and in English) that is wider than the screen
// (fitsPhone): the new measurement form, the overview, the editor, an
// item, a page, the settings, the preview, the frame before an upload,
// its running job, its preview with rejected rows and after the import,
// the sample's allocation preview and drawn sample, the invitations, a
// links job running and done, the case assignment, and the fieldwork
// page before, open (and the locked editor), closed, purged and
// archived. With MANYI_SHOTS set it
// saves each at 390 and 1280 px (office-*-zh/en-390/1280.png).
func TestOfficePagesPhone(t *testing.T) {
	e := newOfficeEnv(t)
	ts := httptest.NewServer(e.srv)
	t.Cleanup(ts.Close)
	ctx := newBrowser(t, 390, 844)
	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		sctx, cancel := context.WithTimeout(ctx, 60*time.Second)
		defer cancel()
		if err := chromedp.Do(sctx, steps...); err != nil {
			body, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
			t.Fatalf("%s: %v\npage:\n%.1200s", what, err, body)
		}
	}
	// check lays the page at path out in both languages: it fits a phone
	// (and is saved with MANYI_SHOTS). wait is what shows it has loaded.
	check := func(name, path, wait string) {
		t.Helper()
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		for _, lang := range []string{"zh", "en"} {
			do(name+" "+lang, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile),
				chromedp.Navigate(ts.URL+path+sep+"lang="+lang), chromedp.WaitVisible(chromedp.CSS(wait)))
			fitsPhone(t, ctx, name+" ("+lang+")")
			shot(t, ctx, "office-"+name+"-"+lang)
		}
		do("back to Chinese", chromedp.Navigate(ts.URL+"/app?lang=zh"), chromedp.WaitVisible(chromedp.CSS(`main`)))
	}
	// here checks the page the browser is on, in the language it has.
	here := func(name string) {
		t.Helper()
		fitsPhone(t, ctx, name)
		shot(t, ctx, "office-"+name)
	}

	do("log in", chromedp.Navigate(ts.URL+"/login"), chromedp.WaitVisible(chromedp.CSS(`#name`)),
		chromedp.SendKeys(chromedp.CSS(`#name`), "boss"),
		chromedp.SendKeys(chromedp.CSS(`#password`), staffPassword),
		chromedp.Click(chromedp.CSS(`.staff-login button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`.staff-table`)))
	check("new", "/app/measurements/new", `#f-title`)
	do("create", chromedp.Navigate(ts.URL+"/app/measurements/new"), chromedp.WaitVisible(chromedp.CSS(`#f-title`)),
		chromedp.SetValue(chromedp.CSS(`#f-title`), "示例市 2027 年市民质量满意度测评"),
		chromedp.SetValue(chromedp.CSS(`#f-year`), "2027"),
		chromedp.SetValue(chromedp.CSS(`#f-city`), "示例市"),
		chromedp.SetValue(chromedp.CSS(`#f-id`), "j2027"),
		chromedp.SetValue(chromedp.CSS(`#f-prev`), ""),
		chromedp.Click(chromedp.CSS(`#f-dl`)),
		chromedp.SetValue(chromedp.CSS(`#f-districts`), "d1 东城区 Dongcheng\nd2 西城区 Xicheng\nd3 南城区 Nancheng"),
		chromedp.Submit(chromedp.CSS(`#f-title`)), chromedp.WaitVisible(chromedp.CSS(`a[href="/app/m/j2027/frame"]`)))
	const m = "/app/m/j2027"
	check("overview", m, `a[href="/app/m/j2027/frame"]`)
	check("editor", m+"/questionnaire", `main`)
	check("item", m+"/questionnaire/items/prod_food", `#i-text-zh`)
	check("page", m+"/questionnaire/pages/product", `main form`)
	check("settings", m+"/questionnaire/settings", `main form`)
	check("preview", m+"/questionnaire/preview?page=3", `#preview-frame`)
	check("frame-empty", m+"/frame", `#frame-file`)

	// The upload's reading job, held at its start, then its preview.
	release := make(chan struct{})
	frameJobStarted = func() { <-release }
	t.Cleanup(func() { frameJobStarted = nil })
	do("upload", chromedp.Navigate(ts.URL+m+"/frame"), chromedp.WaitVisible(chromedp.CSS(`#frame-file`)),
		chromedp.SetUploadFiles(chromedp.CSS(`#frame-file`), []string{journeyFrame(t)}),
		chromedp.Click(chromedp.CSS(`#upload-frame`)), chromedp.WaitVisible(chromedp.CSS(`#upload progress`)))
	here("frame-job-zh")
	close(release)
	frameJobStarted = nil
	check("frame-rejected", m+"/frame", `#import-clean`)
	do("import", chromedp.Navigate(ts.URL+m+"/frame"), chromedp.WaitVisible(chromedp.CSS(`#import-clean`)),
		chromedp.Click(chromedp.CSS(`#import-clean`)), chromedp.WaitVisible(chromedp.CSS(`#upload .done`)))
	here("frame-job-done-zh")
	check("frame-imported", m+"/frame", `#frame-file`)

	// The sample: the allocation preview (a POST: checked where it
	// lands), then the drawn sample.
	for _, lang := range []string{"zh", "en"} {
		do("sample preview "+lang, chromedp.Navigate(ts.URL+m+"/sample?lang="+lang), chromedp.WaitVisible(chromedp.CSS(`#preview-alloc`)),
			chromedp.SetValue(chromedp.CSS(`#allocation`), "equal"),
			chromedp.SetValue(chromedp.CSS(`#total`), "12"),
			chromedp.SetValue(chromedp.CSS(`#floor`), "0"),
			chromedp.SetValue(chromedp.CSS(`#reserve`), "0.5"),
			chromedp.SetValue(chromedp.CSS(`#reserve_batches`), "1"),
			chromedp.Click(chromedp.CSS(`#preview-alloc`)),
			chromedp.WaitVisible(chromedp.CSS(`#preview table.alloc`)))
		here("sample-preview-" + lang)
	}
	do("draw", chromedp.Navigate(ts.URL+m+"/sample?lang=zh"), chromedp.WaitVisible(chromedp.CSS(`#preview-alloc`)),
		chromedp.SetValue(chromedp.CSS(`#allocation`), "equal"),
		chromedp.SetValue(chromedp.CSS(`#total`), "12"),
		chromedp.SetValue(chromedp.CSS(`#floor`), "0"),
		chromedp.SetValue(chromedp.CSS(`#reserve`), "0.5"),
		chromedp.SetValue(chromedp.CSS(`#reserve_batches`), "1"),
		chromedp.Click(chromedp.CSS(`#draw-sample`)), chromedp.WaitVisible(chromedp.CSS(`.done`)))
	check("sample-drawn", m+"/sample", `main`)
	check("invitations", m+"/invitations", `#download-sms`)

	// A links job: held at its start, then done.
	old := inviteInlineMax
	inviteInlineMax = 3
	hold := make(chan struct{})
	linksJobStarted = func() { <-hold }
	t.Cleanup(func() { inviteInlineMax, linksJobStarted = old, nil })
	do("qr sheet job", chromedp.Navigate(ts.URL+m+"/invitations"), chromedp.WaitVisible(chromedp.CSS(`#download-sms`)),
		chromedp.Click(chromedp.CSS(`#qr-sheet`)), chromedp.WaitVisible(chromedp.CSS(`progress`)))
	job, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	job = strings.TrimPrefix(job, ts.URL)
	here("links-job-zh")
	close(hold)
	linksJobStarted = nil
	check("links-job-done", job, `#links-download`)

	check("assign", m+"/cases/assign", `#assign-count`)
	check("fieldwork-draft", m+"/fieldwork", `#open-fieldwork`)
	do("open", chromedp.Navigate(ts.URL+m+"/fieldwork"), chromedp.WaitVisible(chromedp.CSS(`#open-fieldwork`)),
		chromedp.Click(chromedp.CSS(`#open-fieldwork`)), chromedp.WaitVisible(chromedp.CSS(`#close-fieldwork`)))
	check("fieldwork-open", m+"/fieldwork", `#close-fieldwork`)
	check("editor-locked", m+"/questionnaire", `main`)
	do("close", chromedp.Navigate(ts.URL+m+"/fieldwork"), chromedp.WaitVisible(chromedp.CSS(`#close-fieldwork`)), chromedp.Click(chromedp.CSS(`#close-fieldwork`)), chromedp.WaitVisible(chromedp.CSS(`#open-fieldwork`)))
	check("fieldwork-closed", m+"/fieldwork", `#purge-contacts`)
	do("purge", chromedp.Navigate(ts.URL+m+"/fieldwork"), chromedp.WaitVisible(chromedp.CSS(`#purge-contacts`)), chromedp.SendKeys(chromedp.CSS(`#confirm`), "j2027"), chromedp.Click(chromedp.CSS(`#purge-contacts`)), chromedp.WaitVisible(chromedp.CSS(`.done`)))
	here("purged-zh")
	do("archive", chromedp.Click(chromedp.CSS(`#archive`)), chromedp.WaitVisible(chromedp.CSS(`#unarchive`)))
	here("archived-zh")
	check("fieldwork-archived", m+"/fieldwork", `#unarchive`)
}
