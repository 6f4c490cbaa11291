package web

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v5"

	"manyi/survey"
	"manyi/survey/auth"
)

// staffPageFiles are the staff pages, each parsed with staff_base.html, the
// staff layout (a navigation bar, no resident footer).
var staffPageFiles = []string{"staff_login.html", "staff_first.html", "staff_home.html", "staff_users.html", "staff_audit.html", "staff_error.html"}

// render executes a staff page and sends it uncached.
func (st *staff) render(c *echo.Context, status int, file string, data any) error {
	return renderStaffPage(c, st.views, status, file, data)
}

// staffLayout is what every staff page shows around its content.
type staffLayout struct {
	layout
	StaffCSS  string
	User      *auth.User // nil on the login page
	RoleLabel string
	CSRF      string // for the logout form in the bar
	Nav       []navLink
}

// navLink is one entry of the staff navigation bar.
type navLink struct {
	URL     string
	Label   string
	Current bool
}

// M returns the interface text key in the page's language, staff texts
// first, then the resident ones.
func (l staffLayout) M(key string) string {
	if t, ok := staffUI[key]; ok {
		return t.Get(l.Lang)
	}
	return l.layout.M(key)
}

// Time formats t in China Standard Time, the time the office works in.
func (l staffLayout) Time(t time.Time) string { return t.In(chinaTime).Format("2006-01-02 15:04:05") }

// chinaTime is UTC+8 without a tz database: China has no summer time.
var chinaTime = time.FixedZone("UTC+8", 8*3600)

// navItems are the staff pages in the bar, each shown only to roles that
// may open it. Later pages add their entry here.
var navItems = []struct {
	URL   string
	Label string // staffUI key
	Perm  auth.Perm
}{
	{"/app", "nav_home", auth.PermViewMeasurements},
	{"/app/users", "nav_users", auth.PermManageUsers},
	{"/app/audit", "nav_audit", auth.PermViewAudit},
}

// newStaffLayout fills the layout for a staff page; sess is nil when nobody
// is logged in, here the page's URL (for the language switch and the
// current navigation entry).
func (st *staff) newStaffLayout(c *echo.Context, sess *auth.Session, title, here string) staffLayout {
	lang := language(c)
	l := staffLayout{
		layout:   st.s.newLayout(lang, staffUI["site"].Get(lang), title, here),
		StaffCSS: st.s.assets.url("css/staff.css"),
	}
	if sess == nil {
		return l
	}
	l.User = sess.User
	l.RoleLabel = sess.User.Role.Label().Get(lang)
	l.CSRF = auth.CSRFToken(sess.CSRFSecret, sess.ID)
	path := c.Request().URL.Path
	for _, n := range navItems {
		if auth.Can(sess.User.Role, n.Perm) {
			l.Nav = append(l.Nav, navLink{URL: n.URL, Label: staffUI[n.Label].Get(lang), Current: path == n.URL})
		}
	}
	return l
}

// staffErrorPage is the staff side's page for 403 and expired forms.
type staffErrorPage struct {
	staffLayout
	Status  int
	Heading string
	Message string
}

// renderStaffError shows a staff error page with a way back.
func (st *staff) renderStaffError(c *echo.Context, sess *auth.Session, status int, heading, message survey.Text) error {
	l := st.newStaffLayout(c, sess, heading.Get(language(c)), c.Request().URL.Path)
	return st.render(c, status, "staff_error.html", staffErrorPage{
		staffLayout: l, Status: status, Heading: heading.Get(l.Lang), Message: message.Get(l.Lang),
	})
}

// StatusText is the English reason phrase, shown small under the heading.
func (p staffErrorPage) StatusText() string { return http.StatusText(p.Status) }

// staffUI holds the staff pages' interface texts.
var staffUI = map[string]survey.Text{
	"site":             {Zh: "满意度测评 · 工作台", En: "Satisfaction Measurement · Staff"},
	"skip":             {Zh: "跳到正文", En: "Skip to the content"},
	"nav_home":         {Zh: "测评", En: "Measurements"},
	"nav_users":        {Zh: "账户", En: "Accounts"},
	"nav_audit":        {Zh: "审计日志", En: "Audit log"},
	"logout":           {Zh: "退出登录", En: "Log out"},
	"login_title":      {Zh: "工作人员登录", En: "Staff login"},
	"login_intro":      {Zh: "本页面仅供质量强市办、统计人员和访员使用。市民请使用短信中的个人链接参与测评。", En: "This page is for the office, statisticians and interviewers. Residents, please use the personal link from your message."},
	"name":             {Zh: "用户名", En: "User name"},
	"password":         {Zh: "密码", En: "Password"},
	"password2":        {Zh: "再次输入密码", En: "Password again"},
	"login":            {Zh: "登录", En: "Log in"},
	"home_title":       {Zh: "测评列表", En: "Measurements"},
	"home_none":        {Zh: "还没有测评。", En: "There are no measurements yet."},
	"home_role":        {Zh: "您的角色", En: "Your role"},
	"home_can":         {Zh: "您可以", En: "You may"},
	"col_title":        {Zh: "测评", En: "Measurement"},
	"col_year":         {Zh: "年份", En: "Year"},
	"col_status":       {Zh: "状态", En: "Status"},
	"col_pages":        {Zh: "页面", En: "Pages"},
	"status_draft":     {Zh: "准备中", En: "Draft"},
	"status_open":      {Zh: "进行中", En: "Open"},
	"status_closed":    {Zh: "已结束", En: "Closed"},
	"users_title":      {Zh: "账户管理", En: "Accounts"},
	"users_add":        {Zh: "添加账户", En: "Add an account"},
	"users_rules":      {Zh: "用户名 3–32 个字符：小写字母、数字和 . _ -，以字母开头。密码至少 10 个字符，不能包含用户名。", En: "User names have 3–32 characters: lower-case letters, digits and . _ -, starting with a letter. Passwords need at least 10 characters and must not contain the user name."},
	"role":             {Zh: "角色", En: "Role"},
	"col_name":         {Zh: "用户名", En: "User name"},
	"col_state":        {Zh: "状态", En: "State"},
	"col_created":      {Zh: "创建时间", En: "Created"},
	"col_actions":      {Zh: "操作", En: "Actions"},
	"state_active":     {Zh: "正常", En: "Active"},
	"state_locked":     {Zh: "登录已锁定（%d 个来源，至 %s）", En: "Login locked (%d sources, until %s)"},
	"unlock":           {Zh: "解除锁定", En: "Unlock"},
	"done_unlocked":    {Zh: "已解除 %s 的登录锁定。", En: "The login lock-out of %s was lifted."},
	"state_disabled":   {Zh: "已停用", En: "Disabled"},
	"you":              {Zh: "（您）", En: " (you)"},
	"set_role":         {Zh: "修改角色", En: "Change role"},
	"new_password":     {Zh: "新密码", En: "New password"},
	"reset_password":   {Zh: "重设密码", En: "Reset password"},
	"disable":          {Zh: "停用", En: "Disable"},
	"create":           {Zh: "添加", En: "Add"},
	"done_created":     {Zh: "已添加账户 %s。", En: "Account %s was added."},
	"done_first":       {Zh: "已创建管理员账户 %s，并已登录。请在下面为统计人员和访员添加账户。", En: "The office account %s was created and you are logged in. Add the statisticians' and interviewers' accounts below."},
	"first_title":      {Zh: "创建第一个管理员账户", En: "Create the first office account"},
	"first_intro":      {Zh: "这台服务器还没有任何工作人员账户。请输入服务器启动时显示的设置码，为质量强市办创建管理员账户；之后可在“账户”页面为统计人员和访员添加账户。账户创建后本页面不再可用。", En: "This server has no staff accounts yet. Enter the setup code the server showed when it started to create the office's administrator account; you can then add the statisticians' and interviewers' accounts on the accounts page. Once an account exists this page is gone."},
	"first_code":       {Zh: "设置码", En: "Setup code"},
	"first_code_hint":  {Zh: "16 个字母或数字，例如 ABCD-EFGH-JKLM-NPQR；大小写和连字符不限。", En: "16 letters or digits, such as ABCD-EFGH-JKLM-NPQR; case and dashes do not matter."},
	"first_name_hint":  {Zh: "3–32 个字符，以字母开头，可含字母、数字和 . _ -，例如 zhang.wei。", En: "3 to 32 characters starting with a letter: letters, digits and . _ -, such as zhang.wei."},
	"first_password2":  {Zh: "再次输入密码", En: "Password again"},
	"first_pw_hint":    {Zh: "至少 10 个字符，不能与用户名相同。", En: "At least 10 characters, not the user name."},
	"first_create":     {Zh: "创建账户并登录", En: "Create the account and log in"},
	"login_first":      {Zh: "这台服务器还没有任何工作人员账户。", En: "This server has no staff accounts yet."},
	"login_first_link": {Zh: "用设置码创建第一个管理员账户", En: "Create the first office account with the setup code"},
	"done_role":        {Zh: "已修改 %s 的角色；其登录已失效，需要重新登录。", En: "The role of %s was changed; they must log in again."},
	"done_password":    {Zh: "已重设 %s 的密码；其登录和锁定已解除。", En: "The password of %s was reset; their sessions and any lock-out were cleared."},
	"done_disabled":    {Zh: "已停用 %s，其登录已失效。", En: "%s was disabled and logged out."},
	"audit_title":      {Zh: "审计日志", En: "Audit log"},
	"audit_intro":      {Zh: "记录登录、账户变更、导出和权重修改：谁、何时、做了什么。时间为北京时间。", En: "Logins, account changes, exports and weighting changes: who did what, and when. Times are China Standard Time."},
	"filter":           {Zh: "筛选", En: "Filter"},
	"col_at":           {Zh: "时间", En: "Time"},
	"col_user":         {Zh: "用户", En: "User"},
	"col_action":       {Zh: "操作", En: "Action"},
	"col_target":       {Zh: "对象", En: "Target"},
	"col_detail":       {Zh: "详情", En: "Detail"},
	"col_ip":           {Zh: "IP 地址", En: "IP address"},
	"since":            {Zh: "起始日期", En: "From"},
	"until":            {Zh: "截止日期（含）", En: "To (inclusive)"},
	"any":              {Zh: "全部", En: "Any"},
	"older":            {Zh: "更早的记录", En: "Older entries"},
	"audit_none":       {Zh: "没有符合条件的记录。", En: "No entries match."},
	"back_home":        {Zh: "返回工作台", En: "Back to the staff home"},
	"forbidden_title":  {Zh: "没有权限", En: "Not allowed"},
	"csrf_title":       {Zh: "表单已过期", En: "This form has expired"},
	"system":           {Zh: "系统", En: "system"},
	"interviewer_note": {Zh: "访员账户用于代市民录入问卷（电话或面访）；结果页面对访员不可见。", En: "Interviewer accounts enter questionnaires for residents (by phone or face to face); results are not shown to interviewers."},
}

// permLabels name the permissions for the staff home.
var permLabels = map[auth.Perm]survey.Text{
	auth.PermViewMeasurements:  {Zh: "查看测评列表", En: "see the measurements"},
	auth.PermInterview:         {Zh: "录入本人负责的问卷", En: "enter questionnaires for your own cases"},
	auth.PermMonitor:           {Zh: "监控实地执行与配额", En: "monitor fieldwork and quotas"},
	auth.PermReviewQuality:     {Zh: "审核数据质量", En: "review data quality"},
	auth.PermEditWeighting:     {Zh: "设置加权", En: "set the weighting"},
	auth.PermViewResults:       {Zh: "查看加权结果", En: "read the weighted results"},
	auth.PermExport:            {Zh: "导出数据", En: "export data"},
	auth.PermReport:            {Zh: "生成测评报告", En: "build the report"},
	auth.PermViewSetup:         {Zh: "查看测评设置（只读）", En: "read a measurement's setup pages"},
	auth.PermManageMeasurement: {Zh: "设置测评、发放邀请", En: "set up measurements and issue invitations"},
	auth.PermManageUsers:       {Zh: "管理账户", En: "manage accounts"},
	auth.PermViewAudit:         {Zh: "查看审计日志", En: "read the audit log"},
}
