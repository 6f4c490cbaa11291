package auth

import (
	"strings"

	"manyi/survey"
)

// Role is a staff account's role. Residents have no account: their
// invitation link is their only credential and reaches only their own
// questionnaire.
type Role string

// The three staff roles.
const (
	// RoleOffice is the 质量强市办 administrator: everything, accounts included.
	RoleOffice Role = "office"
	// RoleStatistician is the 统计人员: every analytic page, but no accounts.
	RoleStatistician Role = "statistician"
	// RoleInterviewer is the 访员: enters answers for their own cases only.
	RoleInterviewer Role = "interviewer"
)

// Roles lists the roles from the most to the least privileged, the order
// forms and documents show them in.
func Roles() []Role { return []Role{RoleOffice, RoleStatistician, RoleInterviewer} }

// roleLabels are the roles' names for people.
var roleLabels = map[Role]survey.Text{
	RoleOffice:       {Zh: "质量强市办（管理员）", En: "Office (administrator)"},
	RoleStatistician: {Zh: "统计人员", En: "Statistician"},
	RoleInterviewer:  {Zh: "访员", En: "Interviewer"},
}

// Label returns the role's name for people, or the raw value when unknown.
func (r Role) Label() survey.Text {
	if t, ok := roleLabels[r]; ok {
		return t
	}
	return survey.Text{Zh: string(r), En: string(r)}
}

// Valid reports whether r is one of the three roles.
func (r Role) Valid() bool {
	_, ok := roleLabels[r]
	return ok
}

// ParseRole reads a role name (any case, surrounding space ignored) and
// returns EINVALID naming the allowed values otherwise.
func ParseRole(s string) (Role, error) {
	r := Role(strings.ToLower(strings.TrimSpace(s)))
	if !r.Valid() {
		return "", survey.Errorf(survey.EINVALID,
			"角色 %q 无效，应为 office、statistician 或 interviewer",
			"role %q is not valid: use office, statistician or interviewer", s)
	}
	return r, nil
}

// Perm is one thing a staff member may do. Every staff page and action names
// the Perm it needs; there is no other permission check.
type Perm string

// The permissions. Later features add theirs here and in the table below.
const (
	PermViewResults       Perm = "view_results"       // weighted indices, comparisons, drivers
	PermEditWeighting     Perm = "edit_weighting"     // save a weighting specification
	PermExport            Perm = "export"             // download response data and estimation folders
	PermReport            Perm = "report"             // build the report PDF
	PermMonitor           Perm = "monitor"            // fieldwork progress and quotas
	PermReviewQuality     Perm = "review_quality"     // speeders, straight-liners, exclusions
	PermInterview         Perm = "interview"          // enter answers for one's own cases
	PermManageUsers       Perm = "manage_users"       // create, change and disable accounts
	PermViewAudit         Perm = "view_audit"         // read the audit log
	PermManageMeasurement Perm = "manage_measurement" // set up measurements, issue invitations
	PermViewMeasurements  Perm = "view_measurements"  // see the list of measurements (staff home)
	PermViewSetup         Perm = "view_setup"         // read a measurement's setup pages (overview, questionnaire, frame, sample …)
)

// AllPerms lists every permission, in the order of the documentation table.
func AllPerms() []Perm {
	return []Perm{
		PermViewMeasurements, PermInterview, PermMonitor, PermReviewQuality,
		PermEditWeighting, PermViewResults, PermExport, PermReport,
		PermViewSetup, PermManageMeasurement, PermManageUsers, PermViewAudit,
	}
}

// analytic is what a statistician does: everything about the numbers.
var analytic = []Perm{
	PermViewMeasurements, PermMonitor, PermReviewQuality, PermEditWeighting,
	PermViewResults, PermExport, PermReport, PermViewSetup,
}

// table is THE role → permissions table. Office holds every permission;
// statistician the analytic ones but neither accounts nor the audit log
// (whoever reads the log must not be the one it watches); interviewer only
// interviewing, so that fieldwork staff never see results before they are
// published.
var table = map[Role]map[Perm]bool{
	RoleOffice:       set(AllPerms()...),
	RoleStatistician: set(analytic...),
	RoleInterviewer:  set(PermViewMeasurements, PermInterview),
}

func set(ps ...Perm) map[Perm]bool {
	m := make(map[Perm]bool, len(ps))
	for _, p := range ps {
		m[p] = true
	}
	return m
}

// Can reports whether role may do perm. Unknown roles may do nothing.
func Can(role Role, perm Perm) bool { return table[role][perm] }

// Perms returns role's permissions in AllPerms order.
func Perms(role Role) []Perm {
	var ps []Perm
	for _, p := range AllPerms() {
		if Can(role, p) {
			ps = append(ps, p)
		}
	}
	return ps
}
