package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strings"
	"sync"

	"github.com/labstack/echo/v5"

	"manyi/survey"
	"manyi/survey/analysis"
	"manyi/survey/auth"
	"manyi/survey/sqlite"
	"manyi/survey/workspace"
)

// workStore is what the results, weighting, export and report pages need
// from the store besides auth.Store; *sqlite.DB implements it. It names
// sqlite's version types, so this package imports survey/sqlite for those
// types only (the analysis storage has no interface of its own in survey).
type workStore interface {
	workspace.Store
	WeightingVersions(ctx context.Context, id string) ([]sqlite.WeightingVersion, error)
	SaveWeighting(ctx context.Context, id string, spec analysis.WeightingSpec, by string) (int, error)
	ImportCensusCSV(ctx context.Context, id string, r io.Reader, by string) (*analysis.Census, error)
	SetIndexMethod(ctx context.Context, id string, m analysis.IndexMethod, by string) error
	SaveConclusions(ctx context.Context, id, lang string, paragraphs []string, by string) (int, error)
}

// workCacheSize is how many computed measurements stay in memory: a
// 20,000-response dataset with its Results is tens of MB, and the pages
// look at this year and, now and then, last year.
const workCacheSize = 4

// work is the state of the statistician's pages: the store and the cache
// of computed results. One per staff side, made on first use.
type work struct {
	store workStore
	err   error

	mu      sync.Mutex
	entries map[string]*workEntry // key: measurement id + "\x00" + stamp
	order   []string              // keys, least recently used first
	// datasets keeps the loaded data by measurement id + data stamp: a
	// new weighting version recomputes from it without reading the
	// responses again (most of a cold view's time at 20,000).
	datasets map[string]*analysis.Dataset
	dsOrder  []string
	// computes and loads count full computations and dataset reads (tests
	// check the caches with them).
	computes, loads int
}

// workEntry is one computation, shared by the requests that wait for it.
type workEntry struct {
	ready chan struct{}
	c     *workspace.Computed
	err   error
}

// works holds each staff side's work state: staff is the accounts
// helper's type, so the results pages keep their state beside it.
var works sync.Map // *staff → *work

// work returns the staff side's work state.
func (st *staff) work() *work {
	if w, ok := works.Load(st); ok {
		return w.(*work)
	}
	w := &work{entries: map[string]*workEntry{}, datasets: map[string]*analysis.Dataset{}}
	if ws, ok := st.s.store.(workStore); ok {
		w.store = ws
	} else {
		w.err = errors.New("web: the store does not implement the analysis storage; results pages are off")
	}
	got, _ := works.LoadOrStore(st, w)
	return got.(*work)
}

// computed returns the measurement's results with its current weighting,
// computing them only when the data, the weighting, the method, the
// census or last year's have changed since the last computation (the
// stamp names all of them and costs a few small queries). Concurrent
// requests for one missing key compute once; the computation is not
// cancelled with the request that started it.
func (w *work) computed(ctx context.Context, id string) (*workspace.Computed, error) {
	if w.err != nil {
		return nil, w.err
	}
	stamp, err := workspace.Stamp(ctx, w.store, id)
	if err != nil {
		return nil, err
	}
	key := id + "\x00" + stamp
	w.mu.Lock()
	if e, ok := w.entries[key]; ok {
		w.touch(key)
		w.mu.Unlock()
		<-e.ready
		return e.c, e.err
	}
	e := &workEntry{ready: make(chan struct{})}
	w.entries[key] = e
	w.order = append(w.order, key)
	for len(w.order) > workCacheSize {
		delete(w.entries, w.order[0])
		w.order = w.order[1:]
	}
	w.computes++
	w.mu.Unlock()

	e.c, e.err = workspace.ComputeWith(context.WithoutCancel(ctx), w.store, id, w.dataset)
	close(e.ready)
	if e.err != nil {
		// Errors are not kept: the next view tries again.
		w.mu.Lock()
		if w.entries[key] == e {
			delete(w.entries, key)
			w.drop(key)
		}
		w.mu.Unlock()
	}
	return e.c, e.err
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

// forget drops every cached computation of a measurement (after a save:
// its stamp changes anyway, this frees the memory at once).
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
