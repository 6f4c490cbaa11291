package survey_test

import (
	"os/exec"
	"strings"
	"testing"
)

// storeAdapters are the store packages held to the adapter rule; a
// package not (yet) in the module is skipped by name, so the rule covers
// survey/postgres from the commit that adds it.
var storeAdapters = []string{"manyi/survey/sqlite", "manyi/survey/postgres"}

// forbiddenDeps are packages a store adapter must not reach, directly or
// through a domain package: the other adapters and the heavy libraries
// of the report, the exports and the web (prefix match).
var forbiddenDeps = []string{
	"manyi/survey/web", "manyi/survey/workspace", "manyi/survey/report", "manyi/survey/invite",
	"manyi/survey/demo", "manyi/cmd",
	"github.com/go-pdf/fpdf", "codeberg.org/go-pdf/fpdf", "gonum.org/v1/plot",
	"github.com/labstack/echo", "github.com/chromedp",
}

// TestStoreAdapterDeps checks that each store adapter imports only the
// domain packages it serves (docs/ARCHITECTURE.md): go list -deps of the
// adapter names none of forbiddenDeps, and no adapter reaches another.
func TestStoreAdapterDeps(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command on PATH")
	}
	found := 0
	for _, pkg := range storeAdapters {
		out, err := exec.Command("go", "list", "-deps", pkg).CombinedOutput()
		if err != nil {
			if strings.Contains(string(out), "is not in std") || strings.Contains(string(out), "cannot find") || strings.Contains(string(out), "no required module") || strings.Contains(string(out), "directory not found") {
				t.Logf("%s is not in this module: skipped", pkg)
				continue
			}
			t.Fatalf("go list -deps %s: %v\n%s", pkg, err, out)
		}
		found++
		for _, dep := range strings.Fields(string(out)) {
			bad := false
			for _, f := range forbiddenDeps {
				if dep == f || strings.HasPrefix(dep, f+"/") {
					bad = true
				}
			}
			for _, other := range storeAdapters {
				if other != pkg && dep == other {
					bad = true
				}
			}
			if bad {
				t.Errorf("%s depends on %s: a store adapter imports only the domain packages it serves", pkg, dep)
			}
		}
	}
	if found == 0 {
		t.Fatal("no store adapter found")
	}
}
