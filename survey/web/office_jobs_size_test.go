package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// waitPage follows path until it no longer refreshes itself.
func (c *staffClient) waitPage(t *testing.T, path string, limit time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		rec := c.get(path)
		body := rec.Body.String()
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: %d\n%s", path, rec.Code, body)
		}
		if !strings.Contains(body, `http-equiv="refresh"`) {
			return body
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not finish in %v", path, limit)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// bigFrame is n clean units over the two districts, with phone numbers.
func bigFrame(n int) []byte {
	var b strings.Builder
	b.Grow(n * 40)
	b.WriteString("id,district,gender,age_band,contact\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "U%07d,%s,%s,30-44,139%08d\n", i, []string{"d1", "d2"}[i%2], []string{"男", "女"}[i/2%2], i)
	}
	return []byte(b.String())
}

// TestOfficeLinks20000: a 20,000-link SMS file through the page: the
// request becomes a job, the overview answers while it runs, and the file
// holds 20,000 links. Timings go to the log (docs/PERFORMANCE.md).
func TestOfficeLinks20000(t *testing.T) {
	e := newOfficeEnv(t)
	c := e.client("10.8.0.5")
	c.login("boss")
	csrf := csrfOf(t, c.get("/app/m/m1/frame").Body.String())
	start := time.Now()
	c.upload("/app/m/m1/frame", csrf, "frame.csv", bigFrame(20000))
	m := jobField.FindStringSubmatch(c.waitPage(t, "/app/m/m1/frame", 5*time.Minute))
	if m == nil {
		t.Fatal("no staged job")
	}
	c.post("/app/m/m1/frame/import", url.Values{"csrf": {csrf}, "job": {m[1]}})
	c.waitPage(t, "/app/m/m1/frame", 5*time.Minute)
	t.Logf("20,000-row frame read and imported in %v", time.Since(start))
	plan := url.Values{"csrf": {csrf}, "allocation": {"equal"}, "total": {"20000"}, "floor": {"0"}, "reserve": {"0"}, "seed": {"7"}, "action": {"draw"}}
	if rec := c.post("/app/m/m1/sample", plan); rec.Code != http.StatusSeeOther {
		t.Fatalf("draw: %d\n%s", rec.Code, rec.Body)
	}
	start = time.Now()
	rec := c.post("/app/m/m1/invitations/sms", url.Values{"csrf": {csrf}, "template": {"【{city}】诚邀您参加{title}：{link}"}})
	loc := rec.Header().Get("Location")
	if rec.Code != http.StatusSeeOther || !strings.Contains(loc, "/invitations/jobs/") {
		t.Fatalf("20,000 links: %d %q, want a job", rec.Code, loc)
	}
	t.Logf("the request answered (redirect to the job) in %v", time.Since(start))
	if r := c.get("/app/m/m1"); r.Code != http.StatusOK {
		t.Errorf("the overview while the job runs: %d", r.Code)
	}
	page := c.waitPage(t, loc, 5*time.Minute)
	t.Logf("20,000 links issued and the file written in %v", time.Since(start))
	if !strings.Contains(page, "已签发 20000 个链接") {
		t.Fatalf("the finished job's page:\n%s", page)
	}
	f := c.get(loc + "/file")
	if n := len(regexp.MustCompile(`/s/[A-Za-z0-9_-]{22}`).FindAllIndex(f.Body.Bytes(), -1)); f.Code != http.StatusOK || n != 20000 {
		t.Fatalf("the file: %d, %d links", f.Code, n)
	}
}

// TestOfficeFrame1M: a 1,000,000-row frame (about 40 MB) uploaded through
// the page, staged sealed in the store, read with progress and imported;
// the overview answers while the job runs. Skipped with -short.
func TestOfficeFrame1M(t *testing.T) {
	if testing.Short() {
		t.Skip("1,000,000 rows: not with -short")
	}
	e := newOfficeEnv(t)
	c := e.client("10.8.0.5")
	c.login("boss")
	csrf := csrfOf(t, c.get("/app/m/m1/frame").Body.String())
	data := bigFrame(1000000)
	start := time.Now()
	if rec := c.upload("/app/m/m1/frame", csrf, "frame1m.csv", data); rec.Code != http.StatusSeeOther {
		t.Fatalf("upload: %d\n%.500s", rec.Code, rec.Body)
	}
	t.Logf("%.1f MB upload sealed and staged in %v", float64(len(data))/(1<<20), time.Since(start))
	if r := c.get("/app/m/m1"); r.Code != http.StatusOK {
		t.Errorf("the overview while the file is read: %d", r.Code)
	}
	body := c.waitPage(t, "/app/m/m1/frame", 10*time.Minute)
	t.Logf("read and checked after %v", time.Since(start))
	m := jobField.FindStringSubmatch(body)
	if m == nil || !strings.Contains(body, "有效行 1000000") {
		t.Fatalf("no staged job of 1,000,000 rows:\n%.3000s", body)
	}
	start = time.Now()
	c.post("/app/m/m1/frame/import", url.Values{"csrf": {csrf}, "job": {m[1]}})
	if r := c.get("/app/m/m1"); r.Code != http.StatusOK {
		t.Errorf("the overview while the frame is imported: %d", r.Code)
	}
	c.waitPage(t, "/app/m/m1/frame", 10*time.Minute)
	t.Logf("imported in %v", time.Since(start))
	if sum, err := e.db.Frame(context.Background(), "m1"); err != nil || sum.Units != 1000000 {
		t.Fatalf("stored frame %+v, %v", sum, err)
	}
}
