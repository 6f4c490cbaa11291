package auth

import "testing"

// TestCan checks the permission table against the rules of issue 5:
// office everything, statistician everything analytic but no accounts,
// interviewer no results.
func TestCan(t *testing.T) {
	tests := []struct {
		role Role
		perm Perm
		want bool
	}{
		{RoleOffice, PermManageUsers, true},
		{RoleOffice, PermViewAudit, true},
		{RoleOffice, PermViewResults, true},
		{RoleOffice, PermInterview, true},
		{RoleStatistician, PermViewResults, true},
		{RoleStatistician, PermEditWeighting, true},
		{RoleStatistician, PermExport, true},
		{RoleStatistician, PermReport, true},
		{RoleStatistician, PermMonitor, true},
		{RoleStatistician, PermReviewQuality, true},
		{RoleStatistician, PermManageUsers, false},
		{RoleStatistician, PermViewAudit, false},
		{RoleStatistician, PermManageMeasurement, false},
		{RoleStatistician, PermViewSetup, true},
		{RoleInterviewer, PermViewSetup, false},
		{RoleInterviewer, PermInterview, true},
		{RoleInterviewer, PermViewResults, false},
		{RoleInterviewer, PermExport, false},
		{RoleInterviewer, PermMonitor, false},
		{RoleInterviewer, PermManageUsers, false},
		{Role("root"), PermInterview, false},
		{Role(""), PermViewMeasurements, false},
	}
	for _, tt := range tests {
		if got := Can(tt.role, tt.perm); got != tt.want {
			t.Errorf("Can(%q, %q) = %v, want %v", tt.role, tt.perm, got, tt.want)
		}
	}
}

// TestOfficeHasEverything guards against a new Perm added to AllPerms but
// forgotten for the administrator.
func TestOfficeHasEverything(t *testing.T) {
	for _, p := range AllPerms() {
		if !Can(RoleOffice, p) {
			t.Errorf("Can(office, %q) = false, want true", p)
		}
	}
	if got, want := len(Perms(RoleInterviewer)), 2; got != want {
		t.Errorf("len(Perms(interviewer)) = %d, want %d", got, want)
	}
}

func TestParseRole(t *testing.T) {
	tests := []struct {
		in      string
		want    Role
		wantErr bool
	}{
		{"office", RoleOffice, false},
		{" Statistician ", RoleStatistician, false},
		{"INTERVIEWER", RoleInterviewer, false},
		{"admin", "", true},
		{"", "", true},
	}
	for _, tt := range tests {
		got, err := ParseRole(tt.in)
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("ParseRole(%q) = %q, %v; want %q, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}
