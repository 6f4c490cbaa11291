package web

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v5"

	"manyi/survey"
	"manyi/survey/auth"
)

// Cookie names of the staff side.
const (
	// sessionCookie holds the staff session token; the store keeps only
	// its SHA-256.
	sessionCookie = "manyi_session"
	// loginCookie binds the login form's CSRF token before anyone is
	// logged in (a random value, no meaning of its own).
	loginCookie = "manyi_login"
	// deviceCookie marks a browser that has logged in before (see
	// auth.NewDeviceToken); it only changes how the login limits count.
	deviceCookie = "manyi_device"
)

// deviceMaxAge is how long a browser stays a trusted device of the account
// it last logged in to.
const deviceMaxAge = 180 * 24 * 3600

// staffKey is the echo.Context key of the logged-in *auth.Session.
const staffKey = "manyi.staff"

// staff is the staff side's state, built once by staffRoutes: the accounts
// store, the parsed staff templates, the login limiter and the policies.
// It lives beside Server rather than in it so that the resident pages do
// not carry it.
type staff struct {
	s        *Server
	accounts auth.Store
	views    map[string]*template.Template
	limits   auth.Limits
	lockout  auth.LockoutPolicy
	sessions auth.SessionPolicy
	// secure forces the Secure cookie attribute: the public address is
	// https, so a TLS-terminating proxy sits in front even though this
	// server sees plain HTTP.
	secure bool
	err    error // set when the staff side cannot work (no accounts store, bad template)
}

// staffRoute is one staff route and what it needs. Every staff route is
// registered from staffRouteTable and nowhere else, so none can exist
// without an access rule; TestStaffRouteRoles holds the expected answer of
// each route for each role and fails on a route it does not list.
type staffRoute struct {
	Method string
	Path   string
	// Public routes need no session (the login form). Otherwise a session
	// is required, and Perm too unless it is "".
	Public bool
	Perm   auth.Perm
	Handle echo.HandlerFunc
}

// staffRouteTable is THE list of staff routes. Later pages add their rows
// here, with the Perm they need.
func (st *staff) staffRouteTable() []staffRoute {
	rs := []staffRoute{
		{http.MethodGet, "/login", true, "", st.handleLoginForm},
		{http.MethodPost, "/login", true, "", st.handleLogin},
		{http.MethodGet, "/setup", true, "", st.handleFirstForm},
		{http.MethodPost, "/setup", true, "", st.handleFirstCreate},
		{http.MethodPost, "/logout", false, "", st.handleLogout},
		{http.MethodGet, "/app", false, auth.PermViewMeasurements, st.handleHome},
		{http.MethodGet, "/app/users", false, auth.PermManageUsers, st.handleUsers},
		{http.MethodPost, "/app/users", false, auth.PermManageUsers, st.handleUserAdd},
		{http.MethodPost, "/app/users/:name/role", false, auth.PermManageUsers, st.handleUserRole},
		{http.MethodPost, "/app/users/:name/password", false, auth.PermManageUsers, st.handleUserPassword},
		{http.MethodPost, "/app/users/:name/disable", false, auth.PermManageUsers, st.handleUserDisable},
		{http.MethodGet, "/app/audit", false, auth.PermViewAudit, st.handleAudit},
		{http.MethodGet, "/app/m/:id/results", false, auth.PermViewResults, st.handleResults},
		{http.MethodGet, "/app/m/:id/weighting", false, auth.PermViewResults, st.handleWeighting},
		{http.MethodPost, "/app/m/:id/weighting", false, auth.PermEditWeighting, st.handleWeightingSave},
		{http.MethodPost, "/app/m/:id/weighting/census", false, auth.PermEditWeighting, st.handleCensusUpload},
		{http.MethodGet, "/app/m/:id/exports", false, auth.PermExport, st.handleExports},
		{http.MethodGet, "/app/m/:id/export/responses.csv", false, auth.PermExport, st.handleExportCSV},
		{http.MethodGet, "/app/m/:id/export/responses.xlsx", false, auth.PermExport, st.handleExportXLSX},
		{http.MethodGet, "/app/m/:id/export/analysis.zip", false, auth.PermExport, st.handleExportAnalysis},
		{http.MethodGet, "/app/m/:id/report", false, auth.PermReport, st.handleReportPage},
		{http.MethodPost, "/app/m/:id/report", false, auth.PermReport, st.handleConclusionsSave},
		{http.MethodGet, "/app/m/:id/report.pdf", false, auth.PermReport, st.handleReportPDF},
	}
	rs = append(rs, st.securityRoutes()...)
	rs = append(rs, st.setupRoutes()...)
	rs = append(rs, st.serviceRoutes()...)
	rs = append(rs, st.fieldworkRoutes()...)
	return append(rs, st.officeRoutes()...)
}

// staffRoutes registers the staff side: login, logout and every /app page,
// each behind requirePerm, over Config.Accounts.
func (s *Server) staffRoutes(e *echo.Echo) {
	st := &staff{
		s:        s,
		accounts: s.accounts,
		lockout:  auth.DefaultLockout,
		sessions: auth.DefaultSessionPolicy,
		limits:   auth.DefaultLimits,
		secure:   strings.HasPrefix(strings.ToLower(s.baseURL), "https://"),
	}
	if vs, err := parsePageSet(staffPageFiles); err != nil {
		st.err = err
	} else {
		st.views = vs
	}
	if st.err != nil {
		s.log.Error("staff pages unavailable", "err", st.err)
	}
	for _, r := range st.staffRouteTable() {
		var mw echo.MiddlewareFunc = st.available
		if !r.Public {
			perm := st.requirePerm(r.Perm)
			mw = func(next echo.HandlerFunc) echo.HandlerFunc { return st.available(perm(next)) }
		}
		h := r.Handle
		if isMeasurementChange(r.Method, r.Path) {
			h = st.notArchived(h)
		}
		e.Add(r.Method, r.Path, h, mw)
	}
}

// available fails every staff request when the staff side could not be set
// up, instead of failing later with a nil pointer.
func (st *staff) available(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c *echo.Context) error {
		if st.err != nil {
			return st.err
		}
		return next(c)
	}
}

// staffSession returns the logged-in session that requirePerm stored, or
// nil on a public route.
func staffSession(c *echo.Context) *auth.Session {
	s, _ := c.Get(staffKey).(*auth.Session)
	return s
}

// loadSession returns the session of the request's cookie, or nil when
// there is none or it has ended.
func (st *staff) loadSession(c *echo.Context) (*auth.Session, error) {
	ck, err := c.Cookie(sessionCookie)
	if err != nil || ck.Value == "" {
		return nil, nil
	}
	sess, err := st.accounts.SessionByToken(c.Request().Context(), ck.Value, st.sessions)
	if survey.ErrorCode(err) == survey.ENOTFOUND {
		st.clearCookie(c, sessionCookie, "/")
		return nil, nil
	}
	return sess, err
}

// requirePerm is the one permission check of the staff side: no session →
// the login page (with next= for a GET); a role without perm → 403; a
// state-changing request without the session's CSRF token → 403. perm ""
// only requires a session.
func (st *staff) requirePerm(perm auth.Perm) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c *echo.Context) error {
			sess, err := st.loadSession(c)
			if err != nil {
				return err
			}
			r := c.Request()
			if sess == nil {
				if r.Method == http.MethodGet || r.Method == http.MethodHead {
					return c.Redirect(http.StatusFound, "/login?next="+url.QueryEscape(r.URL.RequestURI()))
				}
				return c.Redirect(http.StatusSeeOther, "/login")
			}
			if perm != "" && !auth.Can(sess.User.Role, perm) {
				return st.renderStaffError(c, sess, http.StatusForbidden, staffUI["forbidden_title"], survey.Text{
					Zh: "您的角色（" + sess.User.Role.Label().Zh + "）不能打开这个页面。如需权限，请联系质量强市办的管理员。",
					En: "Your role (" + sess.User.Role.Label().En + ") may not open this page. Ask the office's administrator if you need it.",
				})
			}
			if r.Method != http.MethodGet && r.Method != http.MethodHead {
				got, err := bodyValue(c, "csrf")
				if err != nil {
					return err
				}
				if got == "" {
					got = r.Header.Get("X-CSRF-Token")
				}
				if !auth.CheckCSRF(sess.CSRFSecret, sess.ID, got) {
					return st.renderStaffError(c, sess, http.StatusForbidden, staffUI["csrf_title"], survey.Text{
						Zh: "表单已过期或不是从本站提交的，请返回重新操作。",
						En: "This form has expired or was not sent from this site. Please go back and try again.",
					})
				}
			}
			c.Set(staffKey, sess)
			return next(c)
		}
	}
}

// setCookie sets an HttpOnly, SameSite=Lax cookie, Secure when the request
// came over TLS or the public address is https. maxAge 0 makes a browser-
// session cookie (gone when the browser closes), < 0 deletes it.
func (st *staff) setCookie(c *echo.Context, name, value, path string, maxAge int) {
	c.SetCookie(&http.Cookie{
		Name: name, Value: value, Path: path, MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: st.secure || c.Request().TLS != nil,
	})
}

func (st *staff) clearCookie(c *echo.Context, name, path string) {
	st.setCookie(c, name, "", path, -1)
}

// safeNext returns next when it is a staff page of this site, "/app"
// otherwise, so that the login form cannot be used to send someone to
// another site.
func safeNext(next string) string {
	if next == "/app" || strings.HasPrefix(next, "/app/") || strings.HasPrefix(next, "/app?") {
		if !strings.ContainsAny(next, "\\\r\n") && !strings.HasPrefix(next, "//") {
			return next
		}
	}
	return "/app"
}

// loginPage is the login form.
type loginPage struct {
	staffLayout
	CSRF  string
	Next  string
	Name  string
	Error string
	First bool // no staff account exists yet: offer /setup
}

// loginBinding returns the value the login form's CSRF token is bound to,
// setting the pre-login cookie when the browser has none yet.
func (st *staff) loginBinding(c *echo.Context) string {
	if ck, err := c.Cookie(loginCookie); err == nil && len(ck.Value) == 22 {
		return ck.Value
	}
	b := make([]byte, 16)
	rand.Read(b)
	v := base64.RawURLEncoding.EncodeToString(b)
	st.setCookie(c, loginCookie, v, "/login", 0)
	return v
}

func (st *staff) renderLogin(c *echo.Context, status int, name, next, msg string) error {
	l := st.newStaffLayout(c, nil, staffUI["login_title"].Get(language(c)), "/login?next="+url.QueryEscape(next))
	first, err := st.noAccounts(c)
	if err != nil {
		return err
	}
	return st.render(c, status, "staff_login.html", loginPage{
		staffLayout: l,
		CSRF:        auth.CSRFToken(st.s.secret, "login\x00"+st.loginBinding(c)),
		Next:        next,
		Name:        name,
		Error:       msg,
		First:       first,
	})
}

// handleLoginForm handles GET /login.
func (st *staff) handleLoginForm(c *echo.Context) error {
	next := safeNext(c.QueryParam("next"))
	if sess, err := st.loadSession(c); err != nil {
		return err
	} else if sess != nil {
		return c.Redirect(http.StatusFound, next)
	}
	return st.renderLogin(c, http.StatusOK, "", next, "")
}

// errLoginFailed is the one answer to every failed login: an unknown name,
// a disabled account, a wrong password and a locked account read the same,
// so that the form does not tell which user names exist.
var errLoginFailed = survey.Text{
	Zh: "用户名或密码不正确；或者在这台设备上连续 5 次登录失败，此账户在这里被暂时锁定（15 分钟后自动解锁，管理员也可以在“用户管理”中解锁）。",
	En: "The user name or password is not right; or, after 5 failed logins in a row from here, the account is locked here for 15 minutes (an administrator can also unlock it on the users page).",
}

var errTooMany = survey.Text{
	Zh: "登录尝试过于频繁，请稍等一分钟再试。",
	En: "Too many login attempts. Please wait a minute and try again.",
}

// handleLogin handles POST /login: CSRF, the rate limit, the lock-out, the
// password, then a new session.
func (st *staff) handleLogin(c *echo.Context) error {
	lang := language(c)
	got, err := bodyValue(c, "csrf")
	if err != nil {
		return err
	}
	ck, err := c.Cookie(loginCookie)
	if err != nil || !auth.CheckCSRF(st.s.secret, "login\x00"+ck.Value, got) {
		return st.renderStaffError(c, nil, http.StatusForbidden, staffUI["csrf_title"], survey.Text{
			Zh: "登录表单已过期或不是从本站提交的（浏览器需要允许 Cookie），请重新打开登录页面。",
			En: "The login form has expired or was not sent from this site (the browser must accept cookies). Please open the login page again.",
		})
	}
	ctx := c.Request().Context()
	raw := c.FormValue("name")
	name := strings.ToLower(strings.TrimSpace(raw))
	password := c.FormValue("password")
	next := safeNext(c.FormValue("next"))
	ip := c.RealIP()
	// The form shows the name back only when it is a well-formed one: a
	// password typed into the name box is not echoed.
	shown := ""
	if n, err := auth.NormalizeUserName(raw); err == nil {
		shown = n
	}
	fail := func() error {
		return st.renderLogin(c, http.StatusUnauthorized, shown, next, errLoginFailed.Get(lang))
	}
	// Where the attempt comes from: a trusted device of the account, or
	// the client address. The lock-out counts per name and source, so an
	// attacker locks only itself; the name's bucket slows down guessing
	// from everywhere else but not the account's own browsers.
	source, trusted := st.loginSource(c, name, ip)
	buckets := []auth.Bucket{st.limits.AddressBucket(ip)}
	if !trusted {
		buckets = append(buckets, st.limits.NameBucket(name))
	}
	if ok, err := st.accounts.TakeLoginTokens(ctx, buckets); err != nil {
		return err
	} else if !ok {
		return st.renderLogin(c, http.StatusTooManyRequests, shown, next, errTooMany.Get(lang))
	}
	u, err := st.accounts.UserByName(ctx, name)
	switch {
	case survey.ErrorCode(err) == survey.ENOTFOUND:
		// The attempted name is not logged: it may be a password typed
		// into the wrong box.
		auth.BurnVerify(password)
		return errors.Join(st.audit(c, "", auth.ActionLoginFailed, "", map[string]any{"reason": "unknown_user"}), fail())
	case err != nil:
		return err
	case u.Disabled():
		auth.BurnVerify(password)
		return errors.Join(st.audit(c, u.Name, auth.ActionLoginFailed, "", map[string]any{"reason": "disabled"}), fail())
	}
	lock, err := st.accounts.LoginLock(ctx, u.Name, source)
	if err != nil {
		return err
	}
	if auth.Locked(lock.LockedUntil, st.s.now()) {
		// Same time as a password check, so that timing does not tell a
		// locked account from a wrong password.
		auth.BurnVerify(password)
		return errors.Join(st.audit(c, u.Name, auth.ActionLoginFailed, "", map[string]any{"reason": "locked", "from": sourceKind(source)}), fail())
	}
	ok, err := auth.VerifyPassword(u.PasswordHash, password)
	if err != nil {
		return err // a damaged hash in the database: logged as internal
	}
	if !ok {
		l, err := st.accounts.RecordLoginFailure(ctx, u.Name, source, st.lockout)
		if err != nil {
			return err
		}
		action, detail := auth.ActionLoginFailed, map[string]any{"reason": "password", "failures": l.Failures, "from": sourceKind(source)}
		if auth.Locked(l.LockedUntil, st.s.now()) {
			action = auth.ActionLockedOut
			detail["locked_until"] = l.LockedUntil.UTC().Format(time.RFC3339)
		}
		return errors.Join(st.audit(c, u.Name, action, "", detail), fail())
	}
	if err := st.accounts.RecordLoginSuccess(ctx, u.Name, source); err != nil {
		return err
	}
	if auth.NeedsRehash(u.PasswordHash, auth.DefaultParams) {
		// The password is at hand: upgrade a hash made with weaker
		// parameters (SetPassword ends older sessions, harmless here).
		if h, err := auth.HashPassword(password); err == nil {
			if err := st.accounts.SetPassword(ctx, u.Name, h); err != nil {
				return err
			}
		}
	}
	tok, _, err := st.accounts.CreateSession(ctx, u.ID, st.sessions)
	if err != nil {
		return err
	}
	st.setCookie(c, sessionCookie, tok, "/", 0)
	st.clearCookie(c, loginCookie, "/login")
	if !trusted {
		st.setCookie(c, deviceCookie, auth.NewDeviceToken(st.s.secret, u.Name), "/login", deviceMaxAge)
	}
	if err := st.audit(c, u.Name, auth.ActionLogin, "", nil); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, next)
}

// loginSource returns the lock-out source of a login attempt at name: the
// browser's device id when its device cookie was made for name, else the
// client address.
func (st *staff) loginSource(c *echo.Context, name, ip string) (string, bool) {
	if ck, err := c.Cookie(deviceCookie); err == nil {
		if id, ok := auth.DeviceID(st.s.secret, name, ck.Value); ok {
			return auth.DeviceSource(id), true
		}
	}
	return auth.AddressSource(ip), false
}

// sourceKind is what the audit log says of a source: "address" or
// "device" (the address is in the entry's IP; a device id is not logged).
func sourceKind(source string) string {
	if strings.HasPrefix(source, auth.SourceDevice+":") {
		return "device"
	}
	return "address"
}

// handleLogout handles POST /logout.
func (st *staff) handleLogout(c *echo.Context) error {
	sess := staffSession(c)
	if ck, err := c.Cookie(sessionCookie); err == nil {
		if err := st.accounts.DeleteSession(c.Request().Context(), ck.Value); err != nil {
			return err
		}
	}
	st.clearCookie(c, sessionCookie, "/")
	if err := st.audit(c, sess.User.Name, auth.ActionLogout, "", nil); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/login")
}

// audit writes one audit entry for the request. Details must never carry a
// password, a token or a resident's answer.
func (st *staff) audit(c *echo.Context, user, action, target string, detail map[string]any) error {
	return st.accounts.Audit(c.Request().Context(), auth.AuditEntry{
		User: user, Action: action, Target: target, Detail: detail, IP: c.RealIP(),
	})
}
