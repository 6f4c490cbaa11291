package demo

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"

	"manyi/survey"
	"manyi/survey/sqlite"
)

func TestEnsure(t *testing.T) {
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "demo.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	for i, want := range []bool{true, false, false} {
		created, err := Ensure(ctx, st)
		if err != nil || created != want {
			t.Fatalf("Ensure #%d: got %v, %v; want %v", i+1, created, err, want)
		}
	}
	m, err := st.Measurement(ctx, ID)
	if err != nil {
		t.Fatal(err)
	}
	want := Measurement()
	want.CreatedAt = m.CreatedAt
	if !reflect.DeepEqual(m, want) {
		t.Errorf("stored demo: got %+v, want %+v", m, want)
	}
	if m.Status != survey.StatusOpen || len(m.Districts) != 6 || m.Districts[5].Name.Zh != "青溪县" {
		t.Errorf("demo: got status %s, %d districts, want open and 6 ending with 青溪县", m.Status, len(m.Districts))
	}
	v, err := st.Questionnaire(ctx, ID, 1)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(v.Q, survey.DefaultQuestionnaire()) {
		t.Error("the demo's questionnaire is not the default template")
	}
	if ms, _ := st.Measurements(ctx); len(ms) != 1 {
		t.Errorf("measurements after three Ensure calls: got %d, want 1", len(ms))
	}
}
