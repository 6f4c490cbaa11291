package web

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestSetupBrowser walks the office's first steps in chromium at 1280 px:
// New measurement from the staff home, the overview, an edited question in
// the editor and the same question in the phone-width preview. The item
// form's script shows only the fields of the chosen type.
func TestSetupBrowser(t *testing.T) {
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
	do("log in", chromedp.Navigate(ts.URL+"/login"), chromedp.WaitVisible(chromedp.CSS(`#name`)),
		chromedp.SendKeys(chromedp.CSS(`#name`), "boss"),
		chromedp.SendKeys(chromedp.CSS(`#password`), staffPassword),
		chromedp.Click(chromedp.CSS(`.staff-login button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`a[href="/app/measurements/new"]`)))
	do("new measurement form", chromedp.Click(chromedp.CSS(`a[href="/app/measurements/new"]`)), chromedp.WaitVisible(chromedp.CSS(`#f-districts`)))
	do("fill it",
		chromedp.SetValue(chromedp.CSS(`#f-title`), "示例市 2027 年市民质量满意度测评"),
		chromedp.SetValue(chromedp.CSS(`#f-year`), "2027"),
		chromedp.SetValue(chromedp.CSS(`#f-districts`), "d1 | 东城区 | Dongcheng\nd2 | 西城区 | Xicheng\nd3 | 青溪县"))
	shot(t, ctx, "setup-new")
	do("create", chromedp.Click(chromedp.CSS(`form[action="/app/measurements"] button[type=submit]`)), chromedp.WaitVisible(chromedp.CSS(`.checklist`)))
	shot(t, ctx, "setup-overview")
	list, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`.checklist`)))
	if err != nil || !strings.Contains(list, "请先抽取样本") || !strings.Contains(list, "请先导入抽样框") {
		t.Errorf("checklist %q, %v", list, err)
	}
	do("editor", chromedp.Click(chromedp.CSS(`#step-questionnaire a`)), chromedp.WaitVisible(chromedp.CSS(`#item-serv_delivery`)))
	shot(t, ctx, "setup-editor")
	do("edit item", chromedp.Click(chromedp.CSS(`#item-serv_delivery a.small`)), chromedp.WaitVisible(chromedp.CSS(`#i-text-zh`)))
	// The script hides the fields of other types.
	hidden, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector('[data-types="single multi"]').hidden && !document.querySelector('[data-types="scale"]').hidden`))
	if err != nil || !hidden {
		t.Errorf("type-dependent fields: %v, %v", hidden, err)
	}
	do("change the question",
		chromedp.SetValue(chromedp.CSS(`#i-text-zh`), "您对本市快递服务的速度和质量满意吗？"),
		chromedp.SetValue(chromedp.CSS(`#i-text-en`), "How satisfied are you with parcel delivery here?"))
	shot(t, ctx, "setup-item")
	do("save", chromedp.Click(chromedp.CSS(`#item-form button[type=submit]`)), chromedp.WaitVisible(chromedp.CSS(`#item-serv_delivery`)))
	do("preview", chromedp.Navigate(ts.URL+"/app/m/m2027/questionnaire/preview?page=5"), chromedp.WaitVisible(chromedp.CSS(`#preview-frame`)))
	shot(t, ctx, "setup-preview")
	// The iframe loads after the page: poll its text for a while.
	var frame string
	for i := 0; i < 50 && !strings.Contains(frame, "您对本市快递服务的速度和质量满意吗？"); i++ {
		time.Sleep(100 * time.Millisecond)
		frame, err = chromedp.Run(ctx, chromedp.Evaluate[string](`(function () { const d = document.getElementById('preview-frame').contentDocument; return d && d.body ? d.body.innerText : ''; })()`))
	}
	if err != nil || !strings.Contains(frame, "您对本市快递服务的速度和质量满意吗？") {
		t.Errorf("preview frame text %q, %v; want the edited question", frame, err)
	}
	do("preview in English", chromedp.Navigate(ts.URL+"/app/m/m2027/questionnaire/preview/frame?page=5&qlang=en"), chromedp.WaitVisible(chromedp.CSS(`form.survey`)))
	if txt, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`form.survey`))); !strings.Contains(txt, "How satisfied are you with parcel delivery here?") {
		t.Errorf("English preview lacks the question: %q", txt)
	}
	do("next page in the preview", chromedp.Click(chromedp.CSS(`button[value=next]`)), chromedp.WaitReady(chromedp.CSS(`input[name=_page][value=environment]`)))
	do("settings", chromedp.Navigate(ts.URL+"/app/m/m2027/questionnaire/settings"), chromedp.WaitVisible(chromedp.CSS(`#s-domains`)))
	shot(t, ctx, "setup-settings")
}
