package web

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"manyi/survey/auth"
)

func TestStaffAudit(t *testing.T) {
	e := newStaffEnv(t, "")
	ctx := context.Background()
	// 105 exports a day apart from 2026-08-01 (UTC+8 noon), then the login.
	start := time.Date(2026, 8, 1, 4, 0, 0, 0, time.UTC)
	for i := 0; i < 105; i++ {
		err := e.db.Audit(ctx, auth.AuditEntry{At: start.Add(time.Duration(i) * 24 * time.Hour), User: "stat", Action: auth.ActionExport, Target: "demo-2026", Detail: map[string]any{"format": "csv"}})
		if err != nil {
			t.Fatal(err)
		}
	}
	c := e.client("10.9.1.1")
	c.login("boss")
	tests := []struct {
		name     string
		query    string
		wantCode int
		wantRows int
		want     []string // parts of the page
		wantNot  []string
	}{
		{"all, first page", "", 200, 100, []string{"<td>login</td>", "更早的记录", "format=csv"}, nil},
		{"by user", "?user=boss", 200, 1, []string{"<td>boss</td><td>login</td><td></td><td></td><td>10.9.1.1</td>"}, []string{"<td>export</td>"}},
		{"by action", "?action=export&since=2026-08-01&until=2026-08-03", 200, 3, []string{"2026-08-03 12:00:00", "2026-08-01 12:00:00"}, []string{"2026-08-04", "更早的记录"}},
		{"by target", "?target=demo-2026&before=3", 200, 2, nil, nil},
		{"older page", "?action=export&before=6", 200, 5, nil, []string{"更早的记录"}},
		{"bad date", "?since=27/11/2026", 422, 0, []string{"起始日期 应为 年-月-日 格式的日期"}, nil},
		{"bad before", "?before=abc", 422, 0, []string{"页码参数 before 无效"}, nil},
	}
	for _, tt := range tests {
		rec := c.get("/app/audit" + tt.query)
		body := rec.Body.String()
		rows := strings.Count(body, "<tr><td>")
		if rec.Code != tt.wantCode || rows != tt.wantRows {
			t.Errorf("%s: status %d, %d rows; want %d, %d", tt.name, rec.Code, rows, tt.wantCode, tt.wantRows)
		}
		for _, w := range tt.want {
			if !strings.Contains(body, w) {
				t.Errorf("%s: page lacks %q", tt.name, w)
			}
		}
		for _, w := range tt.wantNot {
			if strings.Contains(body, w) {
				t.Errorf("%s: page has %q", tt.name, w)
			}
		}
	}
	// The older link keeps the filter and pages on.
	first := c.get("/app/audit?action=export").Body.String()
	i := strings.Index(first, `<a href="/app/audit?`)
	if i < 0 {
		t.Fatalf("no older link on a full page")
	}
	link := first[i+len(`<a href="`):]
	link = strings.ReplaceAll(link[:strings.Index(link, `"`)], "&amp;", "&")
	if !strings.Contains(link, "action=export") || !strings.Contains(link, "before=") {
		t.Errorf("older link %q lacks the filter or before=", link)
	}
	if rec := c.get(link); strings.Count(rec.Body.String(), "<tr><td>") != 5 {
		t.Errorf("second page: %d rows, want 5", strings.Count(rec.Body.String(), "<tr><td>"))
	}
	if rec := c.get("/app/audit"); rec.Code != http.StatusOK || rec.Header().Get("Cache-Control") != "no-store" {
		t.Errorf("audit page: status %d, Cache-Control %q; want 200, no-store", rec.Code, rec.Header().Get("Cache-Control"))
	}
}
