package web

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"manyi/survey"
)

// orderOf writes q's order as the editor's order field: page=item,…;….
func orderOf(q *survey.Questionnaire) string {
	var parts []string
	for _, p := range q.Pages {
		var ids []string
		for _, it := range p.Items {
			ids = append(ids, it.ID)
		}
		parts = append(parts, p.ID+"="+strings.Join(ids, ","))
	}
	return strings.Join(parts, ";")
}

// dragJS drags the element matching src onto the element matching dst
// (into its upper half, so that src lands before it) with the DOM's own
// drag events, as the browser sends them while a mouse drags: dragstart on
// the source, dragover and drop at the target's point, dragend. Headless
// chromium does not turn synthetic mouse moves into a native drag, so the
// events are dispatched from the page; setup.js handles them as it does a
// person's drag.
const dragJS = `(function (src, dst) {
  const s = document.querySelector(src), d = document.querySelector(dst);
  if (!s || !d) return "missing " + (s ? dst : src);
  const dt = new DataTransfer();
  const r = d.getBoundingClientRect();
  const at = {bubbles: true, cancelable: true, dataTransfer: dt, clientX: r.left + 10, clientY: r.top + 3};
  s.dispatchEvent(new DragEvent("dragstart", {bubbles: true, cancelable: true, dataTransfer: dt}));
  d.dispatchEvent(new DragEvent("dragenter", at));
  d.dispatchEvent(new DragEvent("dragover", at));
  d.dispatchEvent(new DragEvent("drop", at));
  s.dispatchEvent(new DragEvent("dragend", {bubbles: true, dataTransfer: dt}));
  return "";
})(%q, %q)`

// waitRev waits until m2027's newest revision is after rev and returns it.
func waitRev(t *testing.T, e *staffEnv, rev int) *survey.Questionnaire {
	t.Helper()
	for i := 0; i < 100; i++ {
		if r := e.rev(t); r.Rev > rev {
			return r.Q
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("no new revision after %d", rev)
	return nil
}

// officeLogin logs the office (boss) in in the browser.
func officeLogin(t *testing.T, ctx context.Context, base string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/login"), chromedp.WaitVisible(chromedp.CSS(`#name`)),
		chromedp.SendKeys(chromedp.CSS(`#name`), "boss"),
		chromedp.SendKeys(chromedp.CSS(`#password`), staffPassword),
		chromedp.Click(chromedp.CSS(`.staff-login button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`a[href="/app/measurements/new"]`))); err != nil {
		t.Fatalf("log in: %v", err)
	}
}

// TestEditorDragBrowser drags an item to the top of its page, an item onto
// another page and a page before the one above it in chromium; each drop
// saves a new revision with exactly that order (and nothing else
// changed). A drop that changes nothing saves nothing.
func TestEditorDragBrowser(t *testing.T) {
	e := newStaffEnv(t, "")
	newDraft(t, e)
	ts := httptest.NewServer(e.srv)
	t.Cleanup(ts.Close)
	ctx, _ := desktopBrowser(t, true)
	officeLogin(t, ctx, ts.URL)
	editor := ts.URL + "/app/m/m2027/questionnaire"
	open := func() {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Navigate(editor), chromedp.WaitVisible(chromedp.CSS(`#drag-hint`)),
			chromedp.WaitReady(chromedp.CSS(`.q-item[draggable=true] .handle`))); err != nil {
			t.Fatalf("editor with the drag script: %v", err)
		}
	}
	dragged := func(src, dst string) {
		t.Helper()
		msg, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(dragJS, src, dst)))
		if err != nil || msg != "" {
			t.Fatalf("drag %s onto %s: %q, %v", src, dst, msg, err)
		}
	}
	q0 := e.rev(t).Q
	// The first page with at least three items, and the page after it.
	pi := -1
	for i, p := range q0.Pages {
		if len(p.Items) >= 3 && i+1 < len(q0.Pages) && len(q0.Pages[i+1].Items) > 0 {
			pi = i
			break
		}
	}
	if pi < 0 {
		t.Fatal("the default questionnaire has no page with three items")
	}
	pg, next := q0.Pages[pi], q0.Pages[pi+1]
	last, first := pg.Items[len(pg.Items)-1].ID, pg.Items[0].ID

	// 1. The page's last item before its first.
	open()
	r0 := e.rev(t).Rev
	dragged("#item-"+last, "#item-"+first)
	q1 := waitRev(t, e, r0)
	p1, _ := q1.Page(pg.ID)
	if got := p1.Items[0].ID; got != last || p1.Items[1].ID != first || len(p1.Items) != len(pg.Items) {
		t.Errorf("after dragging %s to the top: page %s starts %s, %s (%d items), want %s, %s (%d)", last, pg.ID, got, p1.Items[1].ID, len(p1.Items), last, first, len(pg.Items))
	}
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`.done`))); err != nil {
		t.Errorf("no saved message after the drop: %v", err)
	}

	// 2. That item onto the next page, before its first item.
	open()
	r1 := e.rev(t).Rev
	nfirst := next.Items[0].ID
	dragged("#item-"+last, "#item-"+nfirst)
	q2 := waitRev(t, e, r1)
	p2, _ := q2.Page(pg.ID)
	n2, _ := q2.Page(next.ID)
	if pageHasItem(p2, last) || n2.Items[0].ID != last || n2.Items[1].ID != nfirst {
		t.Errorf("after dragging %s onto page %s: still on %s %v, %s starts %s", last, next.ID, pg.ID, pageHasItem(p2, last), next.ID, n2.Items[0].ID)
	}

	// 3. The page after pg by its title bar, before pg.
	open()
	r2 := e.rev(t).Rev
	dragged("#page-"+next.ID+" > header", "#page-"+pg.ID)
	q3 := waitRev(t, e, r2)
	if q3.Pages[pi].ID != next.ID || q3.Pages[pi+1].ID != pg.ID || len(q3.Pages) != len(q0.Pages) {
		t.Errorf("after dragging page %s up: pages %d, %d are %s, %s", next.ID, pi, pi+1, q3.Pages[pi].ID, q3.Pages[pi+1].ID)
	}
	if n3, _ := q3.Page(next.ID); n3.Items[0].ID != last {
		t.Errorf("the moved page lost its items' order")
	}
	shot(t, ctx, "editor-dragged")

	// 4. An item dropped where it was saves nothing.
	open()
	r3 := e.rev(t).Rev
	p3, _ := q3.Page(pg.ID)
	dragged("#item-"+p3.Items[0].ID, "#item-"+p3.Items[1].ID)
	time.Sleep(300 * time.Millisecond)
	if e.rev(t).Rev != r3 {
		t.Errorf("a drop that changes nothing saved revision %d", e.rev(t).Rev)
	}
	// Every drop was an ordinary save: audited with who.
	hist, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`table.versions`)))
	if err != nil || strings.Count(hist, "reordered") != 3 {
		t.Errorf("the history shows %d reorders, want 3: %v", strings.Count(hist, "reordered"), err)
	}
}

// TestEditorMoveButtonsNoJS: without JavaScript nothing is draggable and
// the ↑/↓ buttons move an item and a page.
func TestEditorMoveButtonsNoJS(t *testing.T) {
	e := newStaffEnv(t, "")
	newDraft(t, e)
	ts := httptest.NewServer(e.srv)
	t.Cleanup(ts.Close)
	ctx, _ := desktopBrowser(t, false)
	officeLogin(t, ctx, ts.URL)
	editor := ts.URL + "/app/m/m2027/questionnaire"
	q0 := e.rev(t).Q
	pg := q0.Pages[1]
	if len(pg.Items) < 2 {
		t.Fatalf("page %s has %d items", pg.ID, len(pg.Items))
	}
	first := pg.Items[0].ID
	if err := chromedp.Do(ctx, chromedp.Navigate(editor), chromedp.WaitVisible(chromedp.CSS(`#item-`+first))); err != nil {
		t.Fatal(err)
	}
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('[draggable=true], .handle').length + (document.getElementById('drag-hint').hidden ? 0 : 1)`))
	if err != nil || n != 0 {
		t.Errorf("without JavaScript %d draggable elements or a visible drag hint, %v", n, err)
	}
	r0 := e.rev(t).Rev
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#item-`+first+` button[value=down]`)), chromedp.WaitVisible(chromedp.CSS(`.done`))); err != nil {
		t.Fatalf("item down: %v", err)
	}
	q1 := waitRev(t, e, r0)
	if p, _ := q1.Page(pg.ID); p.Items[1].ID != first {
		t.Errorf("item %s did not move down: %s is second", first, p.Items[1].ID)
	}
	r1 := e.rev(t).Rev
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#page-`+pg.ID+` > header button[value=up]`)), chromedp.WaitVisible(chromedp.CSS(`.done`))); err != nil {
		t.Fatalf("page up: %v", err)
	}
	if q2 := waitRev(t, e, r1); q2.Pages[0].ID != pg.ID {
		t.Errorf("page %s did not move up: first page %s", pg.ID, q2.Pages[0].ID)
	}
}
