// Package storetest is the conformance suite of manyi's stores: every
// behaviour the web layer and the commands rely on, checked the same way
// against each adapter. survey/sqlite and survey/postgres run it from
// their tests with a Harness that opens their own store:
//
//	func TestConformance(t *testing.T) { storetest.Run(t, harness) }
//
// A new store method gets its test here (a function in a file of this
// package, listed in tests), so that both adapters are held to it.
// Adapter-specific behaviour (SQLite's writer and its group commit,
// pragmas) stays in the adapter's own tests.
package storetest

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"manyi/survey"
	"manyi/survey/analysis"
	"manyi/survey/auth"
	"manyi/survey/fieldwork"
	"manyi/survey/setup"
	"manyi/survey/workspace"
)

// Store is every store interface the product uses, as one: what an
// adapter must implement to serve `manyi serve` and the commands.
type Store interface {
	survey.Store
	auth.Store
	survey.SectorWeightStore
	fieldwork.Store
	fieldwork.SetupStore
	fieldwork.OpenLinkStore
	fieldwork.OfficeStore
	setup.Store
	workspace.EditStore
	survey.ResponseImporter
	// SetCensus replaces the census counts (ImportCensusCSV parsed).
	SetCensus(ctx context.Context, measurementID string, c *analysis.Census, by string) error
	// SetPrevMeasurement links a measurement to last year's.
	SetPrevMeasurement(ctx context.Context, id, prevID, by string) error
	// WeightingVersion returns one saved weighting version.
	WeightingVersion(ctx context.Context, measurementID string, version int) (*analysis.WeightingVersion, error)
	// SetDisposition records a disposition learned outside the
	// questionnaire.
	SetDisposition(ctx context.Context, caseID int64, to, by, note string) error
	// ExcludedResponses returns the ids of the responses excluded now.
	ExcludedResponses(ctx context.Context, measurementID string) (map[int64]bool, error)
	// SetMeasurementStatus opens, closes or reopens a measurement.
	SetMeasurementStatus(ctx context.Context, id, status string) error
	// Secret is the server secret shared by every server on the store.
	Secret(ctx context.Context) ([]byte, error)
	// Response returns one response by id (ENOTFOUND).
	Response(ctx context.Context, id int64) (*survey.Response, error)
}

// Harness is what the suite needs of an adapter.
type Harness struct {
	// New makes a new, empty database and returns what Open takes to
	// open it (a file name, a URL); it is removed when t ends.
	New func(t *testing.T) string
	// Open opens a store on the database ref with the clock now,
	// applying migrations. Opening one ref twice plays two processes
	// (two servers) on one database. The suite closes what it opens.
	Open func(ref string, now func() time.Time) (Store, error)
	// Rows runs a query without parameters, in SQL both adapters
	// understand, and returns its rows, each row's values joined by "|".
	Rows func(t *testing.T, s Store, query string) []string
	// Exec runs a statement without parameters in its own transaction.
	Exec func(s Store, query string) error
	// Raw, when set, returns the bytes the store keeps on disk for ref's
	// database (SQLite's file and its WAL), searched for text that must
	// never be stored in clear, such as phone numbers and tokens.
	Raw func(t *testing.T, s Store, ref string) []byte
}

// test is one conformance test.
type test struct {
	name string
	fn   func(t *testing.T, h *Harness)
}

// tests lists every conformance test; each file of the package adds its
// own with an init function.
var tests []test

func register(ts ...test) { tests = append(tests, ts...) }

// Run runs every conformance test against h's store, each in a subtest
// with a fresh database.
func Run(t *testing.T, h Harness) {
	for _, c := range tests {
		t.Run(c.name, func(t *testing.T) { c.fn(t, &h) })
	}
}

// Clock is a test clock: Tick makes every reading one second later than
// the last (the default, so that writes are ordered in time); otherwise
// it moves only with Add.
type Clock struct {
	mu   sync.Mutex
	t    time.Time
	tick bool
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.tick {
		c.t = c.t.Add(time.Second)
	}
	return c.t
}

// Add moves the clock forward.
func (c *Clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// open makes a new database and opens a store on it with clock c.
func (h *Harness) open(t *testing.T, c *Clock) (Store, string) {
	t.Helper()
	ref := h.New(t)
	s, err := h.reopenWith(t, ref, c)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s, ref
}

// openTest opens a fresh store whose clock ticks a second per reading
// from 2026-05-01 08:00 UTC.
func (h *Harness) openTest(t *testing.T) (Store, string) {
	t.Helper()
	return h.open(t, &Clock{t: time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC), tick: true})
}

// openAccounts opens a fresh store whose clock moves only when told,
// from 2026-11-27 09:00 UTC.
func (h *Harness) openAccounts(t *testing.T) (Store, *Clock, string) {
	t.Helper()
	c := &Clock{t: time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)}
	s, ref := h.open(t, c)
	return s, c, ref
}

// clocks remembers the clock each database was opened with, so that a
// second handle (another process) reads the same time; refs the database
// of each store the suite opened.
var (
	clocks sync.Map // ref → *Clock
	refs   sync.Map // Store → ref
)

// refOf returns the database ref the suite opened s on.
func (h *Harness) refOf(t *testing.T, s Store) string {
	t.Helper()
	ref, ok := refs.Load(s)
	if !ok {
		t.Fatal("refOf: store not opened by the suite")
	}
	return ref.(string)
}

func (h *Harness) reopenWith(t *testing.T, ref string, c *Clock) (Store, error) {
	clocks.Store(ref, c)
	s, err := h.Open(ref, c.Now)
	if err != nil {
		return nil, err
	}
	refs.Store(s, ref)
	t.Cleanup(func() { refs.Delete(s); s.Close() })
	return s, nil
}

// reopen opens a second store on ref's database, with its clock.
func (h *Harness) reopen(t *testing.T, ref string) (Store, error) {
	t.Helper()
	c, ok := clocks.Load(ref)
	if !ok {
		t.Fatalf("reopen %s: not opened by the suite", ref)
	}
	return h.reopenWith(t, ref, c.(*Clock))
}

// count runs a query returning one number.
func (h *Harness) count(t *testing.T, s Store, query string) int {
	t.Helper()
	rows := h.Rows(t, s, query)
	if len(rows) != 1 {
		t.Fatalf("%s: got %d rows, want 1", query, len(rows))
	}
	var n int
	for _, r := range rows[0] {
		if r < '0' || r > '9' {
			t.Fatalf("%s: got %q, want a count", query, rows[0])
		}
		n = 10*n + int(r-'0')
	}
	return n
}

// dump returns the rows of queries, one per line.
func (h *Harness) dump(t *testing.T, s Store, queries ...string) string {
	t.Helper()
	var b strings.Builder
	for _, q := range queries {
		for _, r := range h.Rows(t, s, q) {
			b.WriteString(r)
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// testMeasurement is a small valid measurement.
func testMeasurement(id string) *survey.Measurement {
	return &survey.Measurement{
		ID:     id,
		City:   survey.Text{Zh: "测试市", En: "Test City"},
		Title:  survey.Text{Zh: "测试市 2026 年市民质量满意度测评", En: "Test City 2026"},
		Year:   2026,
		Office: survey.Text{Zh: "测试办", En: "Test office"},
		Status: survey.StatusOpen,
		Districts: []survey.District{
			{Code: "a", Name: survey.Text{Zh: "甲区", En: "District A"}},
			{Code: "b", Name: survey.Text{Zh: "乙区", En: "District B"}},
		},
	}
}

// seed creates an open measurement with the default questionnaire and n
// invitations, returning their tokens.
func seed(t *testing.T, db Store, id string, n int) []string {
	t.Helper()
	ctx := context.Background()
	if err := db.CreateMeasurement(ctx, testMeasurement(id), survey.DefaultQuestionnaire()); err != nil {
		t.Fatalf("CreateMeasurement(%s): %v", id, err)
	}
	toks, err := db.CreateInvitations(ctx, id, n)
	if err != nil {
		t.Fatalf("CreateInvitations: %v", err)
	}
	return toks
}

// pageAnswers gives every item of the page some value: the store does not
// check values (the web layer does), only that the items are the page's.
func pageAnswers(p *survey.Page) survey.Answers {
	a := survey.Answers{}
	for _, it := range p.Items {
		switch {
		case it.Type == survey.TypeMulti && len(it.Choices) > 1:
			a[it.ID] = []string{it.Choices[0].Code, it.Choices[1].Code}
		case len(it.Choices) > 0:
			a[it.ID] = []string{it.Choices[0].Code}
		case it.Scale != nil:
			a[it.ID] = []string{"8"}
		case it.Type == survey.TypeNumber:
			a[it.ID] = []string{"35"}
		default:
			a[it.ID] = []string{"文字 text"}
		}
	}
	return a
}

func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if got := survey.ErrorCode(err); got != code {
		t.Fatalf("%s: got error %v (code %q), want code %q", what, err, got, code)
	}
}

// TestMeasurement is the suite's small valid measurement (open, two
// districts), for an adapter's own tests.
func TestMeasurement(id string) *survey.Measurement { return testMeasurement(id) }

// Seed creates an open measurement with the default questionnaire and n
// invitations and returns their tokens, for an adapter's own tests.
func Seed(t *testing.T, db Store, id string, n int) []string {
	t.Helper()
	return seed(t, db, id, n)
}

// PageAnswers gives every item of page p some value (see pageAnswers).
func PageAnswers(p *survey.Page) survey.Answers { return pageAnswers(p) }

// WantCode fails t when err does not carry code.
func WantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	wantCode(t, what, err, code)
}

// SQLRows runs query on db and returns each row with its values joined by
// "|" (NULL as <nil>, bytes as text): the adapters' Harness.Rows.
func SQLRows(t *testing.T, db *sql.DB, query string) []string {
	t.Helper()
	rows, err := db.Query(query)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		parts := make([]string, len(vals))
		for i, v := range vals {
			if b, ok := v.([]byte); ok {
				v = string(b)
			}
			parts[i] = fmt.Sprint(v)
		}
		out = append(out, strings.Join(parts, "|"))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
