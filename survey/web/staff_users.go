package web

import (
	"fmt"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v5"

	"manyi/survey"
	"manyi/survey/auth"
)

// usersPage is the office's account page: the accounts, the add form and
// per-account actions.
type usersPage struct {
	staffLayout
	Users   []userRow
	Roles   []roleOption
	Done    string // the message after a successful change
	Error   string // what went wrong with the last form
	Form    addForm
	FormFor string // the account the failed per-row form was for
}

// userRow is one account in the table.
type userRow struct {
	Name      string
	Role      auth.Role
	RoleLabel string
	State     string
	Created   string
	Self      bool
	Disabled  bool
	Locked    bool // some address or device is locked out: the unlock button shows
}

// roleOption is one entry of a role select.
type roleOption struct {
	Value string
	Label string
}

// addForm is the add-account form as posted.
type addForm struct {
	Name string
	Role string
}

// doneKeys are the success messages ?done= may name.
var doneKeys = map[string]string{"created": "done_created", "role": "done_role", "password": "done_password", "disabled": "done_disabled", "unlocked": "done_unlocked", "first": "done_first"}

// handleUsers handles GET /app/users.
func (st *staff) handleUsers(c *echo.Context) error {
	v := usersPage{}
	if key, ok := doneKeys[c.QueryParam("done")]; ok {
		if who, err := auth.NormalizeUserName(c.QueryParam("who")); err == nil {
			v.Done = fmt.Sprintf(staffUI[key].Get(language(c)), who)
		}
	}
	return st.renderUsers(c, http.StatusOK, v)
}

func (st *staff) renderUsers(c *echo.Context, status int, v usersPage) error {
	sess := staffSession(c)
	v.staffLayout = st.newStaffLayout(c, sess, staffUI["users_title"].Get(language(c)), "/app/users")
	us, err := st.accounts.Users(c.Request().Context())
	if err != nil {
		return err
	}
	locks, err := st.loginLocks(c)
	if err != nil {
		return err
	}
	for _, u := range us {
		r := userRow{
			Name: u.Name, Role: u.Role, RoleLabel: u.Role.Label().Get(v.Lang),
			Created: v.Time(u.CreatedAt), Self: u.ID == sess.User.ID, Disabled: u.Disabled(),
			State: staffUI["state_active"].Get(v.Lang),
		}
		switch {
		case u.Disabled():
			r.State = staffUI["state_disabled"].Get(v.Lang)
		case locks[u.Name].Sources > 0:
			l := locks[u.Name]
			r.Locked = true
			r.State = fmt.Sprintf(staffUI["state_locked"].Get(v.Lang), l.Sources, v.Time(l.Until))
		}
		v.Users = append(v.Users, r)
	}
	for _, r := range auth.Roles() {
		v.Roles = append(v.Roles, roleOption{Value: string(r), Label: r.Label().Get(v.Lang)})
	}
	if v.Form.Role == "" {
		v.Form.Role = string(auth.RoleInterviewer)
	}
	return st.render(c, status, "staff_users.html", v)
}

// usersFail re-renders the account page with the error's message and the
// status of its code (422 for a bad form, 409 for a refused change).
func (st *staff) usersFail(c *echo.Context, v usersPage, err error) error {
	var se *survey.Error
	if !asSurveyError(err, &se) {
		return err
	}
	v.Error = se.Message.Get(language(c))
	status := statusOf[se.Code]
	if status == 0 {
		status = http.StatusUnprocessableEntity
	}
	return st.renderUsers(c, status, v)
}

func usersDone(c *echo.Context, key, who string) error {
	return c.Redirect(http.StatusSeeOther, "/app/users?done="+key+"&who="+url.QueryEscape(who))
}

// checkNewPassword applies the password rules and the confirmation.
func checkNewPassword(name, pw, pw2 string) error {
	if pw != pw2 {
		return survey.Errorf(survey.EINVALID, "两次输入的密码不一致", "the two passwords differ")
	}
	return auth.CheckPassword(name, pw)
}

// handleUserAdd handles POST /app/users.
func (st *staff) handleUserAdd(c *echo.Context) error {
	ctx := c.Request().Context()
	v := usersPage{Form: addForm{Name: c.FormValue("name"), Role: c.FormValue("role")}}
	name, err := auth.NormalizeUserName(v.Form.Name)
	if err != nil {
		return st.usersFail(c, v, err)
	}
	role, err := auth.ParseRole(v.Form.Role)
	if err != nil {
		return st.usersFail(c, v, err)
	}
	if err := checkNewPassword(name, c.FormValue("password"), c.FormValue("password2")); err != nil {
		return st.usersFail(c, v, err)
	}
	h, err := auth.HashPassword(c.FormValue("password"))
	if err != nil {
		return st.usersFail(c, v, err)
	}
	if _, err := st.accounts.CreateUser(ctx, name, role, h); err != nil {
		return st.usersFail(c, v, err)
	}
	if err := st.audit(c, staffSession(c).User.Name, auth.ActionUserCreate, name, map[string]any{"role": string(role)}); err != nil {
		return err
	}
	return usersDone(c, "created", name)
}

// targetUser reads :name, refusing the logged-in user's own account for
// changes that would lock them out of this page.
func (st *staff) targetUser(c *echo.Context, refuseSelf bool) (string, error) {
	name, err := auth.NormalizeUserName(c.Param("name"))
	if err != nil {
		return "", err
	}
	if refuseSelf && name == staffSession(c).User.Name {
		return "", survey.Errorf(survey.ECONFLICT, "不能停用自己的账户或修改自己的角色；请让另一位管理员操作",
			"you cannot disable your own account or change your own role; ask another office account")
	}
	return name, nil
}

// handleUserRole handles POST /app/users/:name/role.
func (st *staff) handleUserRole(c *echo.Context) error {
	v := usersPage{FormFor: c.Param("name")}
	name, err := st.targetUser(c, true)
	if err != nil {
		return st.usersFail(c, v, err)
	}
	role, err := auth.ParseRole(c.FormValue("role"))
	if err != nil {
		return st.usersFail(c, v, err)
	}
	if err := st.accounts.SetRole(c.Request().Context(), name, role); err != nil {
		return st.usersFail(c, v, err)
	}
	if err := st.audit(c, staffSession(c).User.Name, auth.ActionUserRole, name, map[string]any{"role": string(role)}); err != nil {
		return err
	}
	return usersDone(c, "role", name)
}

// handleUserPassword handles POST /app/users/:name/password. Resetting
// one's own password ends one's own session too, so it leads to the login.
func (st *staff) handleUserPassword(c *echo.Context) error {
	v := usersPage{FormFor: c.Param("name")}
	name, err := st.targetUser(c, false)
	if err != nil {
		return st.usersFail(c, v, err)
	}
	pw := c.FormValue("password")
	if err := checkNewPassword(name, pw, c.FormValue("password2")); err != nil {
		return st.usersFail(c, v, err)
	}
	h, err := auth.HashPassword(pw)
	if err != nil {
		return st.usersFail(c, v, err)
	}
	if err := st.accounts.SetPassword(c.Request().Context(), name, h); err != nil {
		return st.usersFail(c, v, err)
	}
	me := staffSession(c).User.Name
	if err := st.audit(c, me, auth.ActionUserPassword, name, nil); err != nil {
		return err
	}
	if name == me {
		return c.Redirect(http.StatusSeeOther, "/login")
	}
	return usersDone(c, "password", name)
}

// handleUserDisable handles POST /app/users/:name/disable.
func (st *staff) handleUserDisable(c *echo.Context) error {
	v := usersPage{FormFor: c.Param("name")}
	name, err := st.targetUser(c, true)
	if err != nil {
		return st.usersFail(c, v, err)
	}
	if err := st.accounts.DisableUser(c.Request().Context(), name); err != nil {
		return st.usersFail(c, v, err)
	}
	if err := st.audit(c, staffSession(c).User.Name, auth.ActionUserDisable, name, nil); err != nil {
		return err
	}
	return usersDone(c, "disabled", name)
}
