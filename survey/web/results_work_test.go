package web

import (
	"context"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"manyi/survey/analysis"
	"manyi/survey/demo"
	"manyi/survey/sqlite"
)

// gatedStore is a store whose dataset reads wait until the gate opens:
// a recomputation that takes as long as the test wants.
type gatedStore struct {
	*sqlite.DB
	mu   sync.Mutex
	gate chan struct{}
}

func (g *gatedStore) LoadDataset(ctx context.Context, id string) (*analysis.Dataset, error) {
	g.mu.Lock()
	gate := g.gate
	g.mu.Unlock()
	<-gate
	return g.DB.LoadDataset(ctx, id)
}

// close makes the next dataset reads wait; it returns the function that
// lets them go on.
func (g *gatedStore) close() (open func()) {
	ch := make(chan struct{})
	g.mu.Lock()
	g.gate = ch
	g.mu.Unlock()
	return func() { close(ch) }
}

// newGatedWork returns a work state over the demo measurement with n
// responses (and last year's) behind an open gate.
func newGatedWork(t *testing.T, n int) (*work, *gatedStore) {
	t.Helper()
	db, err := sqlite.Open(filepath.Join(t.TempDir(), "manyi.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := demo.Ensure(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	fillResults(t, db, n, n)
	g := &gatedStore{DB: db, gate: make(chan struct{})}
	close(g.gate)
	return newWork(g, slog.New(slog.DiscardHandler)), g
}

// addDemoResponses stores n more simulated responses in the demo
// measurement: new data, a new stamp.
func addDemoResponses(t *testing.T, db *sqlite.DB, n int, seed uint64) {
	t.Helper()
	ds := analysis.Simulate(analysis.SimOptions{N: n, Seed: seed})
	if _, err := db.ImportResponses(context.Background(), demo.ID, simImport(ds, time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC))); err != nil {
		t.Fatal(err)
	}
}

// TestViewWhileUpdating checks that the results page gets the previous
// results, marked as being updated, while a recomputation runs, and the
// new ones once it has finished; the exports' computed waits for them.
func TestViewWhileUpdating(t *testing.T) {
	ctx := context.Background()
	w, g := newGatedWork(t, 200)
	first, updating, err := w.view(ctx, demo.ID)
	if err != nil || updating {
		t.Fatalf("first view: updating %v, error %v; want the computed results", updating, err)
	}
	open := g.close()
	addDemoResponses(t, g.DB, 30, 7)
	got, updating, err := w.view(ctx, demo.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !updating || got != first {
		t.Errorf("view during the recomputation: updating %v, previous results %v; want true, true", updating, got == first)
	}
	if got.Results.N != 200 {
		t.Errorf("previous results have n = %d, want 200", got.Results.N)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		c, err := w.computed(ctx, demo.ID)
		if err != nil || c.Results.N != 230 {
			t.Errorf("computed: error %v, n %d; want n = 230", err, c.Results.N)
		}
	}()
	open()
	<-done
	got, updating, err = w.view(ctx, demo.ID)
	if err != nil || updating || got.Results.N != 230 {
		t.Errorf("view after the recomputation: updating %v, error %v, n %d; want false, nil, 230", updating, err, got.Results.N)
	}
	if w.computes != 2 {
		t.Errorf("%d computations, want 2 (the first and the one after the new data)", w.computes)
	}
}

// TestViewWithoutPrevious checks that, with no earlier results, the page
// waits for the computation however long it takes.
func TestViewWithoutPrevious(t *testing.T) {
	w, g := newGatedWork(t, 100)
	open := g.close()
	time.AfterFunc(2*viewWait, open)
	c, updating, err := w.view(context.Background(), demo.ID)
	if err != nil || updating || c == nil || c.Results.N != 100 {
		t.Fatalf("view: updating %v, error %v; want the computed results of 100", updating, err)
	}
}

// TestPollDebounce checks the background computation: after a change the
// poller waits until the stamp has stayed debounce, then computes, so
// that the next view finds the results ready; a measurement nobody has
// viewed for watchFor is no longer watched.
func TestPollDebounce(t *testing.T) {
	ctx := context.Background()
	w, g := newGatedWork(t, 100)
	clock := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	w.now = func() time.Time { return clock }
	w.polling = true // no ticker: the test runs the rounds
	if _, _, err := w.view(ctx, demo.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := w.computed(ctx, demo.ID); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		change   bool
		advance  time.Duration
		computes int
	}{
		{"nothing changed", false, debounce, 1},
		{"new responses", true, 0, 1},
		{"half the debounce", false, debounce / 2, 1},
		{"another change restarts it", true, debounce / 2, 1},
		{"still within it", false, debounce / 2, 1},
		{"stable for the debounce", false, debounce / 2, 2},
		{"computed, nothing new", false, debounce, 2},
	}
	for i, tt := range tests {
		if tt.change {
			addDemoResponses(t, g.DB, 5, uint64(100+i))
		}
		clock = clock.Add(tt.advance)
		if !w.pollOnce() {
			t.Fatalf("%s: the poller stopped", tt.name)
		}
		w.mu.Lock()
		n := w.computes
		w.mu.Unlock()
		if n != tt.computes {
			t.Errorf("%s: %d computations, want %d", tt.name, n, tt.computes)
		}
	}
	// The poller's computation may still run: wait for it (computed
	// shares it), then the page has it at once.
	if _, err := w.computed(ctx, demo.ID); err != nil {
		t.Fatal(err)
	}
	c, updating, err := w.view(ctx, demo.ID)
	if err != nil || updating || c.Results.N != 110 || w.computes != 2 {
		t.Errorf("view after the poller: updating %v, error %v, n %d, %d computations; want the poller's results of 110", updating, err, c.Results.N, w.computes)
	}
	clock = clock.Add(watchFor + time.Second)
	if w.pollOnce() {
		t.Error("the poller goes on with nothing viewed for watchFor")
	}
}

// TestResultsPageUpdating checks the page's note while the results are
// being recomputed, and its absence once they are ready.
func TestResultsPageUpdating(t *testing.T) {
	e := newStaffEnv(t, "")
	fillResults(t, e.db, 150, 150)
	c := e.client("10.1.0.9")
	c.login("stat")
	const path = "/app/m/demo-2026/results"
	note := "data-updating"
	if rec := c.get(path); rec.Code != http.StatusOK || strings.Contains(rec.Body.String(), note) {
		t.Fatalf("first view: status %d, updating note %v; want 200 without it", rec.Code, strings.Contains(rec.Body.String(), note))
	}
	w := workOf(t, e)
	g := &gatedStore{DB: e.db, gate: make(chan struct{})}
	open := g.close()
	w.mu.Lock() // the poller reads the store under w.mu
	w.store = g
	w.mu.Unlock()
	addDemoResponses(t, e.db, 10, 11)
	rec := c.get(path)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), note) {
		t.Errorf("view while updating: status %d, updating note %v; want 200 with it", rec.Code, strings.Contains(rec.Body.String(), note))
	}
	open()
	if _, err := w.computed(context.Background(), demo.ID); err != nil {
		t.Fatal(err)
	}
	if rec := c.get(path); rec.Code != http.StatusOK || strings.Contains(rec.Body.String(), note) {
		t.Errorf("view after the update: status %d, updating note %v; want 200 without it", rec.Code, strings.Contains(rec.Body.String(), note))
	}
}
