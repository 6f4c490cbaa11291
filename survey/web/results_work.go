package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v5"

	"manyi/survey"
	"manyi/survey/analysis"
	"manyi/survey/auth"
	"manyi/survey/report"
	"manyi/survey/workspace"
)

// workCacheSize is how many computed measurements stay in memory: a
// 20,000-response dataset with its Results is tens of MB, and the pages
// look at this year and, now and then, last year.
const workCacheSize = 4

// The background computation's timing (see work.poll): a measurement's
// results are recomputed debounce after the last change of its data or
// weighting seen, or at the latest maxStale after the last computation
// while the data keep changing (fieldwork in progress); a measurement
// stops being watched watchFor after its last view.
const (
	pollEvery = 2 * time.Second
	debounce  = 2 * time.Second
	maxStale  = time.Minute
	watchFor  = 2 * time.Hour
	// viewWait is how long the results page waits for a running
	// computation before it shows the previous results marked as being
	// updated: a small measurement's fresh results come within it.
	viewWait = 200 * time.Millisecond
	// warmCount is how many of the newest measurements the server
	// computes at start (WarmResults).
	warmCount = 2
)

// work is the state of the statistician's pages: the store, the cache
// of computed results and the background computation that keeps it
// warm. One per server, made on first use.
type work struct {
	store workspace.EditStore
	log   *slog.Logger

	mu      sync.Mutex
	entries map[string]*workEntry // key: measurement id + "\x00" + stamp
	order   []string              // keys, least recently used first
	// datasets keeps the loaded data by measurement id + data stamp: a
	// new weighting version recomputes from it without reading the
	// responses again (most of a cold view's time at 20,000).
	datasets map[string]*analysis.Dataset
	dsOrder  []string
	// prevs keeps last year's computations by last year's stamp (see
	// workspace.PrevCache): a new weighting of this year recomputes this
	// year only.
	prevs     map[string]*report.PrevYear
	prevOrder []string
	// latest is each measurement's newest finished computation, whatever
	// its stamp: the results page shows it, marked as being updated,
	// while the current one is computed.
	latest map[string]*workEntry
	// watched are the measurements the poller keeps warm.
	watched map[string]*watchState
	polling bool
	seq     int
	// computes and loads count full computations and dataset reads (tests
	// check the caches with them).
	computes, loads int
	// now is time.Now; tests move it.
	now func() time.Time
}

// workEntry is one computation, shared by the requests that wait for it.
type workEntry struct {
	ready chan struct{}
	seq   int // start order, so that an older computation finishing late never replaces a newer one as latest
	c     *workspace.Computed
	err   error
}

// watchState is what the poller knows of a watched measurement.
type watchState struct {
	stamp    string    // the stamp last seen
	changed  time.Time // when that stamp was first seen
	started  time.Time // when its last computation started
	lastView time.Time
}

// works holds each server's work state, kept beside the server since the
// staff side is the accounts helper's type.
var works sync.Map // *Server → *work

// work returns the staff side's work state.
func (st *staff) work() *work { return st.s.work() }

// workMeasurement is the common start of the workspace pages: the work
// state (its set-up error, if any) and the measurement named by the route,
// or the page's error for an unknown one.
func (st *staff) workMeasurement(c *echo.Context, id string) (*work, *survey.Measurement, error) {
	w := st.work()
	m, err := w.store.Measurement(c.Request().Context(), id)
	if err != nil {
		return nil, nil, st.workError(c, err)
	}
	return w, m, nil
}

// work returns the server's work state, made on first use.
func (s *Server) work() *work {
	if w, ok := works.Load(s); ok {
		return w.(*work)
	}
	got, _ := works.LoadOrStore(s, newWork(s.workStore, s.log))
	return got.(*work)
}

// newWork returns an empty work state over store.
func newWork(store workspace.EditStore, log *slog.Logger) *work {
	return &work{
		store: store, log: log, entries: map[string]*workEntry{}, datasets: map[string]*analysis.Dataset{},
		latest: map[string]*workEntry{}, watched: map[string]*watchState{}, prevs: map[string]*report.PrevYear{}, now: time.Now,
	}
}

// WarmResults computes the results of the newest measurements in the
// background and keeps them warm (new responses, a new weighting: each
// recomputed a couple of seconds after the change), so that a
// statistician's first view after the server starts finds them ready. It
// returns at once; cmd/manyi serve calls it after New.
func (s *Server) WarmResults(ctx context.Context) {
	w := s.work()
	go func() {
		ms, err := w.store.Measurements(ctx)
		if err != nil {
			w.log.Warn("results: warming: cannot list measurements", "err", err)
			return
		}
		i := 0
		for _, m := range ms {
			if m.IsService() {
				// The CSI has its own computation (and cache).
				if s.service != nil {
					_, _ = workspace.ComputeService(ctx, s.workStore, s.service, m.ID, serviceCache)
				}
				continue
			}
			if i == warmCount {
				break
			}
			i++
			w.watch(m.ID)
			// Errors (no data yet) are the page's to show; nothing to log.
			_, _ = w.computed(ctx, m.ID)
		}
	}()
}

// computed returns the measurement's results with its current weighting,
// computing them only when the data, the weighting, the method, the
// census or last year's have changed since the last computation (the
// stamp names all of them and costs a few small queries). Concurrent
// requests for one missing key compute once; the computation runs in
// its own goroutine and is not cancelled with the request that started
// it. The exports, the report and the weighting page use it: they must
// show the current numbers.
func (w *work) computed(ctx context.Context, id string) (*workspace.Computed, error) {
	e, _, err := w.entry(ctx, id)
	if err != nil {
		return nil, err
	}
	select {
	case <-e.ready:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return e.c, e.err
}

// view is computed for the results page: when a computation is running
// and the measurement has earlier results, it waits at most viewWait and
// then returns those, with updating set, instead of blocking the page for
// the seconds a 20,000-response recomputation takes. Without earlier
// results it waits for the computation.
func (w *work) view(ctx context.Context, id string) (c *workspace.Computed, updating bool, err error) {
	w.watch(id)
	e, prev, err := w.entry(ctx, id)
	if err != nil {
		return nil, false, err
	}
	var timeout <-chan time.Time
	if prev != nil && prev != e {
		t := time.NewTimer(viewWait)
		defer t.Stop()
		timeout = t.C
	}
	select {
	case <-e.ready:
		return e.c, false, e.err
	case <-timeout:
		return prev.c, true, nil
	case <-ctx.Done():
		return nil, false, ctx.Err()
	}
}

// entry returns the computation of the measurement's current stamp,
// started when missing, and the measurement's latest finished one.
func (w *work) entry(ctx context.Context, id string) (e, latest *workEntry, err error) {
	stamp, err := workspace.Stamp(ctx, w.store, id)
	if err != nil {
		return nil, nil, err
	}
	key := id + "\x00" + stamp
	w.mu.Lock()
	defer w.mu.Unlock()
	e, ok := w.entries[key]
	if ok {
		w.touch(key)
	} else {
		e = w.start(key, id)
	}
	return e, w.latest[id], nil
}

// start begins the computation of key in the background; w.mu is held.
func (w *work) start(key, id string) *workEntry {
	w.seq++
	e := &workEntry{ready: make(chan struct{}), seq: w.seq}
	w.entries[key] = e
	w.order = append(w.order, key)
	for len(w.order) > workCacheSize {
		delete(w.entries, w.order[0])
		w.order = w.order[1:]
	}
	w.computes++
	if ws := w.watched[id]; ws != nil {
		ws.started = w.now()
	}
	store := w.store
	go func() {
		e.c, e.err = workspace.ComputeCached(context.Background(), store, id, w.dataset, workPrevs{w})
		w.mu.Lock()
		if e.err != nil {
			// Errors are not kept: the next view tries again.
			if w.entries[key] == e {
				delete(w.entries, key)
				w.drop(key)
			}
		} else if l := w.latest[id]; l == nil || l.seq < e.seq {
			w.latest[id] = e
		}
		w.mu.Unlock()
		close(e.ready)
	}()
	return e
}

// watch keeps the measurement warm for watchFor from now, starting the
// poller when it is not running.
func (w *work) watch(id string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	ws := w.watched[id]
	if ws == nil {
		// Watching starts with a view or a warming, each of which
		// computes: maxStale counts from now.
		ws = &watchState{started: w.now()}
		w.watched[id] = ws
	}
	ws.lastView = w.now()
	if !w.polling {
		w.polling = true
		go w.poll()
	}
}

// poll checks the watched measurements' stamps every pollEvery and
// starts a computation once a new stamp has stayed for debounce (or the
// last computation is maxStale old). A stamp costs a few small queries,
// never the answers. The poller ends when nothing is watched any more:
// no view for watchFor, or a stamp that cannot be read (the measurement
// was deleted, the store closed).
func (w *work) poll() {
	t := time.NewTicker(pollEvery)
	defer t.Stop()
	for range t.C {
		if !w.pollOnce() {
			return
		}
	}
}

// pollOnce is one round of poll; false when the poller has stopped.
func (w *work) pollOnce() bool {
	w.mu.Lock()
	var ids []string
	for id, ws := range w.watched {
		if w.now().Sub(ws.lastView) > watchFor {
			delete(w.watched, id)
			continue
		}
		ids = append(ids, id)
	}
	if len(ids) == 0 {
		w.polling = false
		w.mu.Unlock()
		return false
	}
	store := w.store
	w.mu.Unlock()
	for _, id := range ids {
		ctx, cancel := context.WithTimeout(context.Background(), pollEvery)
		stamp, err := workspace.Stamp(ctx, store, id)
		cancel()
		w.mu.Lock()
		ws := w.watched[id]
		switch {
		case ws == nil:
		case err != nil:
			delete(w.watched, id)
		default:
			key := id + "\x00" + stamp
			if _, ok := w.entries[key]; ok {
				ws.stamp = stamp
				break
			}
			now := w.now()
			if stamp != ws.stamp {
				ws.stamp, ws.changed = stamp, now
			}
			if now.Sub(ws.changed) >= debounce || now.Sub(ws.started) >= maxStale {
				w.start(key, id)
			}
		}
		w.mu.Unlock()
	}
	return true
}

// dataset returns a measurement's dataset, read from the store only when
// its data stamp is new.
func (w *work) dataset(ctx context.Context, id string) (*analysis.Dataset, error) {
	stamp, err := workspace.DataStamp(ctx, w.store, id)
	if err != nil {
		return nil, err
	}
	key := id + "\x00" + stamp
	w.mu.Lock()
	ds, ok := w.datasets[key]
	w.mu.Unlock()
	if ok {
		return ds, nil
	}
	ds, err = w.store.LoadDataset(ctx, id)
	if err != nil {
		return nil, err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.loads++
	if _, ok := w.datasets[key]; !ok {
		w.datasets[key] = ds
		w.dsOrder = append(w.dsOrder, key)
		for len(w.dsOrder) > workCacheSize {
			delete(w.datasets, w.dsOrder[0])
			w.dsOrder = w.dsOrder[1:]
		}
	}
	return ds, nil
}

// workPrevs is the work state's workspace.PrevCache.
type workPrevs struct{ w *work }

// Get returns last year's computation kept under key.
func (p workPrevs) Get(key string) (*report.PrevYear, bool) {
	p.w.mu.Lock()
	defer p.w.mu.Unlock()
	py, ok := p.w.prevs[key]
	return py, ok
}

// Put keeps last year's computation under key, the oldest going beyond
// workCacheSize.
func (p workPrevs) Put(key string, py *report.PrevYear) {
	w := p.w
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, ok := w.prevs[key]; ok {
		return
	}
	w.prevs[key] = py
	w.prevOrder = append(w.prevOrder, key)
	for len(w.prevOrder) > workCacheSize {
		delete(w.prevs, w.prevOrder[0])
		w.prevOrder = w.prevOrder[1:]
	}
}

// forget drops every cached computation of a measurement (after a save:
// its stamp changes anyway, this frees the memory at once). The latest
// results stay, for the results page to show while the new ones are
// computed.
func (w *work) forget(id string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for key := range w.entries {
		if strings.HasPrefix(key, id+"\x00") {
			delete(w.entries, key)
			w.drop(key)
		}
	}
}

// touch moves key to the most recently used end; w.mu is held.
func (w *work) touch(key string) {
	w.drop(key)
	w.order = append(w.order, key)
}

// drop removes key from the order; w.mu is held.
func (w *work) drop(key string) {
	for i, k := range w.order {
		if k == key {
			w.order = append(w.order[:i], w.order[i+1:]...)
			return
		}
	}
}

// workError shows a domain error of the results pages (an unknown
// measurement, a measurement without data) on the staff error page;
// anything else is internal and goes to the error handler.
func (st *staff) workError(c *echo.Context, err error) error {
	var se *survey.Error
	if !errors.As(err, &se) {
		return err
	}
	status, ok := statusOf[se.Code]
	if !ok || status >= 500 {
		return err
	}
	heading := staffUI["work_error"]
	if se.Code == survey.ENOTFOUND {
		heading = staffUI["work_notfound"]
	}
	return st.renderStaffError(c, staffSession(c), status, heading, se.Message)
}

// measNav is the row of links between a measurement's staff pages.
func (st *staff) measNav(c *echo.Context, id string) []navLink {
	sess := staffSession(c)
	lang := language(c)
	path := c.Request().URL.Path
	var out []navLink
	for _, ml := range measurementLinks {
		if sess != nil && auth.Can(sess.User.Role, ml.Perm) {
			u := fmt.Sprintf(ml.Path, id)
			out = append(out, navLink{URL: u, Label: ml.Label.Get(lang), Current: u == path})
		}
	}
	return out
}

// Number formats: indices and their SEs with 2 decimals everywhere, as
// in the report; shares as percentages with 1 decimal.
func f2(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "—"
	}
	return fmt.Sprintf("%.2f", v)
}

func signed2(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "—"
	}
	if math.Abs(v) < 0.005 {
		return "0.00"
	}
	return fmt.Sprintf("%+.2f", v)
}

func ci2(ci [2]float64) string { return f2(ci[0]) + "–" + f2(ci[1]) }

func pct1(p float64) string {
	if math.IsNaN(p) || math.IsInf(p, 0) {
		return "—"
	}
	return fmt.Sprintf("%.1f%%", 100*p)
}

func pctCI(ci [2]float64) string { return fmt.Sprintf("%.1f–%.1f%%", 100*ci[0], 100*ci[1]) }

// staffUI texts of the results, weighting, export and report pages.
var workUI = map[string]survey.Text{
	"work_error":    {Zh: "无法计算结果", En: "The results cannot be computed"},
	"work_notfound": {Zh: "找不到测评", En: "Measurement not found"},
}

// The pages of this file family register their templates and texts with
// the staff side at start; staff_views.go parses every file listed.
func init() {
	staffPageFiles = append(staffPageFiles, "staff_results.html", "staff_weighting.html", "staff_exports.html", "staff_results_report.html")
	for k, v := range workUI {
		staffUI[k] = v
	}
}

// noStoreDownload sets the headers of a file download of staff data.
func noStoreDownload(c *echo.Context, ctype, name string) {
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, ctype)
	h.Set("Content-Disposition", `attachment; filename="`+name+`"`)
	h.Set("Cache-Control", "no-store")
	c.Response().WriteHeader(http.StatusOK)
}
