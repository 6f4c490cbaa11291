package web

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestStaffHome: the bar and the role line follow the permission table,
// in both languages.
func TestStaffHome(t *testing.T) {
	e := newStaffEnv(t, "")
	tests := []struct {
		user, path string
		want       []string
		wantNot    []string
	}{
		{"boss", "/app", []string{`href="/app/users"`, `href="/app/audit"`, "您可以查看测评列表、", "管理账户"}, nil},
		{"stat", "/app", []string{"您的角色：统计人员。", "查看加权结果"}, []string{`href="/app/users"`, `href="/app/audit"`, "管理账户"}},
		{"ivw", "/app", []string{"您的角色：访员。", "结果页面对访员不可见", "录入本人负责的问卷"}, []string{`href="/app/users"`, "查看加权结果", "导出数据"}},
		{"ivw", "/app?lang=en", []string{"Your role: Interviewer. You may see the measurements, enter questionnaires for your own cases.", `lang="en"`}, nil},
	}
	for i, tt := range tests {
		e.clock.Add(15 * time.Second)
		c := e.client("10.10.0." + string(rune('1'+i)))
		c.login(tt.user)
		rec := c.get(tt.path)
		body := rec.Body.String()
		if rec.Code != http.StatusOK {
			t.Fatalf("%s %s: status %d", tt.user, tt.path, rec.Code)
		}
		for _, w := range tt.want {
			if !strings.Contains(body, w) {
				t.Errorf("%s %s: page lacks %q", tt.user, tt.path, w)
			}
		}
		for _, w := range tt.wantNot {
			if strings.Contains(body, w) {
				t.Errorf("%s %s: page has %q", tt.user, tt.path, w)
			}
		}
	}
	// The 403 page is a staff page with a way back, not the resident's.
	c := e.client("10.10.1.1")
	c.login("stat")
	rec := c.get("/app/users")
	if body := rec.Body.String(); rec.Code != http.StatusForbidden || !strings.Contains(body, "您的角色（统计人员）不能打开这个页面") || !strings.Contains(body, `href="/app"`) {
		t.Errorf("statistician GET /app/users: status %d, want 403 with the staff forbidden page\n%s", rec.Code, body)
	}
}
