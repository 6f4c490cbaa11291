package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v5"

	"manyi/survey"
	"manyi/survey/auth"
)

// The first office account. A new installation has no staff accounts;
// rather than a terminal command, the office creates its own account at
// /setup with the setup code that `manyi serve` prints when it starts on
// a database without accounts. The code is derived from the server
// secret, so every server of one database accepts the same code, and it
// opens nothing once any account exists: /setup is then 404.

// setupCookie binds the setup form's CSRF token to the browser, as the
// login form's cookie does.
const setupCookie = "manyi_setup"

// FirstAccountCode is the setup code of a server keyed with secret: 16
// base32 characters (80 bits) in groups of four.
func FirstAccountCode(secret []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("manyi: the first office account"))
	s := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(m.Sum(nil)[:10])
	return s[0:4] + "-" + s[4:8] + "-" + s[8:12] + "-" + s[12:16]
}

// sameCode compares a typed setup code with the server's, ignoring case,
// spaces and dashes.
func sameCode(secret []byte, typed string) bool {
	norm := func(s string) string {
		return strings.Map(func(r rune) rune {
			if r == '-' || r == ' ' {
				return -1
			}
			return r
		}, strings.ToUpper(strings.TrimSpace(s)))
	}
	return hmac.Equal([]byte(norm(typed)), []byte(norm(FirstAccountCode(secret))))
}

// firstPage is the form of the first office account.
type firstPage struct {
	staffLayout
	CSRF  string
	Name  string
	Error string
	Field string // the field the error belongs to
}

var (
	errSetupCode = survey.Text{Zh: "设置码不正确。设置码在服务器启动时显示（“no staff accounts yet …”一行），由安装服务器的人员提供。",
		En: "The setup code is not right. The server shows it when it starts (the line \"no staff accounts yet …\"); ask whoever installed the server."}
	errSetupCSRF = survey.Text{Zh: "表单已过期或不是从本站提交的（浏览器需要允许 Cookie），请重新打开本页。",
		En: "The form has expired or was not sent from this site (the browser must accept cookies). Please open this page again."}
	errSetupDone = survey.Errorf(survey.ENOTFOUND, "已有工作人员账户：请登录", "staff accounts exist already: please log in")
)

// noAccounts reports whether the store has no staff account yet.
func (st *staff) noAccounts(c *echo.Context) (bool, error) {
	us, err := st.accounts.Users(c.Request().Context())
	return len(us) == 0, err
}

// setupBinding returns the value the setup form's CSRF token is bound to,
// setting the cookie when the browser has none yet.
func (st *staff) setupBinding(c *echo.Context) string {
	if ck, err := c.Cookie(setupCookie); err == nil && len(ck.Value) == 22 {
		return ck.Value
	}
	b := make([]byte, 16)
	rand.Read(b)
	v := base64.RawURLEncoding.EncodeToString(b)
	st.setCookie(c, setupCookie, v, "/setup", 0)
	return v
}

func (st *staff) renderFirst(c *echo.Context, status int, name, field string, msg survey.Text) error {
	lang := language(c)
	return st.render(c, status, "staff_first.html", firstPage{
		staffLayout: st.newStaffLayout(c, nil, staffUI["first_title"].Get(lang), "/setup"),
		CSRF:        auth.CSRFToken(st.s.secret, "setup\x00"+st.setupBinding(c)),
		Name:        name,
		Error:       msg.Get(lang),
		Field:       field,
	})
}

// handleFirstForm handles GET /setup: the form while there is no account.
func (st *staff) handleFirstForm(c *echo.Context) error {
	if none, err := st.noAccounts(c); err != nil {
		return err
	} else if !none {
		return errSetupDone
	}
	return st.renderFirst(c, http.StatusOK, "", "", survey.Text{})
}

// handleFirstCreate handles POST /setup: no account yet, CSRF, the login
// rate limit of the address, the setup code, the name and password rules;
// then the office account, its session, and the audit log.
func (st *staff) handleFirstCreate(c *echo.Context) error {
	if none, err := st.noAccounts(c); err != nil {
		return err
	} else if !none {
		return errSetupDone
	}
	got, err := bodyValue(c, "csrf")
	if err != nil {
		return err
	}
	if ck, err := c.Cookie(setupCookie); err != nil || !auth.CheckCSRF(st.s.secret, "setup\x00"+ck.Value, got) {
		return st.renderStaffError(c, nil, http.StatusForbidden, staffUI["csrf_title"], errSetupCSRF)
	}
	ctx := c.Request().Context()
	raw := c.FormValue("name")
	if ok, err := st.accounts.TakeLoginTokens(ctx, []auth.Bucket{st.limits.AddressBucket(c.RealIP())}); err != nil {
		return err
	} else if !ok {
		return st.renderFirst(c, http.StatusTooManyRequests, raw, "code", errTooMany)
	}
	if !sameCode(st.s.secret, c.FormValue("code")) {
		return st.renderFirst(c, http.StatusUnprocessableEntity, raw, "code", errSetupCode)
	}
	fail := func(field string, err error) error {
		var e *survey.Error
		if errors.As(err, &e) {
			return st.renderFirst(c, http.StatusUnprocessableEntity, raw, field, e.Message)
		}
		return err
	}
	name, err := auth.NormalizeUserName(raw)
	if err != nil {
		return fail("name", err)
	}
	password := c.FormValue("password")
	if err := checkNewPassword(name, password, c.FormValue("password2")); err != nil {
		return fail("password", err)
	}
	h, err := auth.HashPassword(password)
	if err != nil {
		return fail("password", err)
	}
	u, err := st.accounts.CreateUser(ctx, name, auth.RoleOffice, h)
	if err != nil {
		return fail("name", err)
	}
	if err := st.audit(c, name, auth.ActionUserCreate, name, map[string]any{"role": string(auth.RoleOffice), "via": "setup code"}); err != nil {
		return err
	}
	tok, _, err := st.accounts.CreateSession(ctx, u.ID, st.sessions)
	if err != nil {
		return err
	}
	st.setCookie(c, sessionCookie, tok, "/", 0)
	st.clearCookie(c, setupCookie, "/setup")
	if err := st.audit(c, name, auth.ActionLogin, "", nil); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/app/users?done=first")
}
