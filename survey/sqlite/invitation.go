package sqlite

import (
	"container/list"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"manyi/survey"
	"manyi/survey/internal/storekit"
)

// Invitation dispositions the store sets; fieldwork adds its own later.
const (
	DispIssued  = storekit.DispIssued  // created, not opened yet
	DispStarted = storekit.DispStarted // a response exists
)

// TokenHash returns the hex SHA-256 of a token, the only form in which the
// store keeps it, for callers that must name a link without keeping it.
func TokenHash(tok string) string { return storekit.TokenHashHex(tok) }

// CreateInvitations makes n invitations for the measurement and returns
// their tokens. Only the tokens' hashes are stored, so the tokens cannot be
// shown again.
func (db *DB) CreateInvitations(ctx context.Context, measurementID string, n int) ([]string, error) {
	if err := storekit.CheckInvitationCount(n); err != nil {
		return nil, err
	}
	var tokens []string
	err := db.write(ctx, func(tx *sql.Tx) error {
		var one int
		err := tx.QueryRow(`SELECT 1 FROM measurements WHERE id = ?`, measurementID).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return survey.Errorf(survey.ENOTFOUND, "没有编号为 %s 的测评", "no measurement with id %s", measurementID)
		}
		if err != nil {
			return fmt.Errorf("sqlite: create invitations: %w", err)
		}
		st, err := tx.Prepare(`INSERT INTO invitations (measurement_id, token_hash, disposition, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`)
		if err != nil {
			return fmt.Errorf("sqlite: create invitations: %w", err)
		}
		defer st.Close()
		now := fmtTime(db.now())
		toks := make([]string, n)
		for i := range toks {
			tok, h := storekit.NewToken()
			if _, err := st.Exec(measurementID, h, DispIssued, now, now); err != nil {
				return fmt.Errorf("sqlite: create invitations: %w", err)
			}
			toks[i] = tok
		}
		tokens = toks
		return nil
	})
	if err != nil {
		return nil, err
	}
	return tokens, nil
}

// sessionQuery reads everything a page view needs about a token in one
// statement (storekit.SessionQuery).
var sessionQuery = storekit.SessionQuery(answersCols, "")

// OpenSession resolves a token to its invitation, measurement, questionnaire
// (the response's version, or the newest when there is no response yet) and
// response (nil when not started). ENOTFOUND for an unknown or malformed
// token, EGONE when the measurement is closed or not open yet. The
// questionnaire is shared with other callers and must not be modified.
func (db *DB) OpenSession(ctx context.Context, token string) (*survey.Session, error) {
	h, ok := storekit.TokenHash(token)
	if !ok {
		return nil, storekit.ErrBadLink()
	}
	if s, err := db.cachedOpen(ctx, h); s != nil || err != nil {
		return s, err
	}
	return db.readSession(ctx, h)
}

// readSession reads a session from the database.
func (db *DB) readSession(ctx context.Context, h []byte) (*survey.Session, error) {
	s, sum, err := storekit.ScanSession(dialect, db.rstmts.queryRow(ctx, sessionQuery, h), decodeAnswers)
	if err != nil {
		return nil, err
	}
	m := s.Measurement
	if m.Districts, err = db.districts(ctx, db.rdb, m.ID); err != nil {
		return nil, err
	}
	if m.Sectors, err = db.sectors(ctx, db.rdb, m); err != nil {
		return nil, err
	}
	s.Q, err = db.decodeQuestionnaire(sum, func() (string, error) {
		var b string
		err := db.rdb.QueryRowContext(ctx, `SELECT body FROM questionnaire_versions WHERE sha256 = ? LIMIT 1`, sum).Scan(&b)
		return b, err
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// Secret returns the server secret (for signing links and CSRF tokens),
// creating a random 32-byte one on first use. Keeping it in the database
// lets forms stay valid across restarts without any configuration.
func (db *DB) Secret(ctx context.Context) ([]byte, error) {
	return storekit.Secret(ctx, dialect, db.rdb, db.write, bg)
}

// sessionCacheSize bounds the session cache. An entry holds one response's
// answers (about 5 KB for the default questionnaire), so 4 096 entries stay
// near 20 MB, and they cover every resident answering at once many times
// over: a resident's requests follow each other within minutes.
const sessionCacheSize = 4096

// measurementTTL is how long OpenSession trusts a measurement read from the
// database before reading it again: another process (`manyi` on the
// command line) may close the measurement, and links must stop working
// within a second.
const measurementTTL = 500 * time.Millisecond

// sessionCache keeps the sessions this process last wrote, so that the
// page view after a save, and the save after a page view, need not read
// the database again. Reading it was the largest cost of a page: after any
// other connection's commit, SQLite discards a reader's page cache and
// reads the pages again.
//
// It is coherent because only the writer goroutine fills it, after each
// commit and in commit order, with the state that transaction committed.
// That rests on one rule: a database file is served by one server process,
// the only one that writes existing responses (commands write measurements,
// questionnaires and new invitations, which OpenSession checks apart, see
// measurementTTL). Readers never fill it: a read may return a snapshot
// older than a commit that already updated the cache.
type sessionCache struct {
	mu    sync.Mutex
	items map[string]*list.Element // string(token hash) → *cachedSession
	lru   list.List                // front: most recently used
}

// cachedSession is what one committed write leaves of a session. Its
// fields are never modified once stored; OpenSession hands out copies.
type cachedSession struct {
	key  string
	inv  survey.Invitation
	resp *survey.Response
	sum  string // the response's questionnaire version's SHA-256
}

func (c *sessionCache) get(key []byte) *cachedSession {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.items[string(key)]
	if !ok {
		return nil
	}
	c.lru.MoveToFront(e)
	return e.Value.(*cachedSession)
}

// put stores s, replacing the entry of its token, and evicts the least
// recently used entry beyond sessionCacheSize. Only the writer calls it.
func (c *sessionCache) put(s *cachedSession) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.items == nil {
		c.items = make(map[string]*list.Element)
	}
	if e, ok := c.items[s.key]; ok {
		e.Value = s
		c.lru.MoveToFront(e)
		return
	}
	c.items[s.key] = c.lru.PushFront(s)
	for c.lru.Len() > sessionCacheSize {
		old := c.lru.Back()
		c.lru.Remove(old)
		delete(c.items, old.Value.(*cachedSession).key)
	}
}

// clear empties the cache.
func (c *sessionCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.items)
	c.lru.Init()
}

// forgetSession returns a writer hook (for writeThen) that drops the
// cached session of token hash h only. A write that changes one link's
// invitation or response and nothing that other sessions show (the quota
// claim that ends a response as quota full) uses it instead of emptying
// the whole cache, which every write without a hook does. A write that
// changes a link's token hash must not: the old hash would stay cached.
func (db *DB) forgetSession(h []byte) func() {
	key := string(h)
	return func() { db.sessions.remove(key) }
}

// remove drops the entry of key, if any.
func (c *sessionCache) remove(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[key]; ok {
		c.lru.Remove(e)
		delete(c.items, key)
	}
}

// forgetSessions empties the session and measurement caches.
func (db *DB) forgetSessions() {
	db.sessions.clear()
	db.mcache.Clear()
}

// cacheSession returns the writer's hook that stores the session a write
// to l committed, with r the response as that write left it.
func (db *DB) cacheSession(h []byte, l *link, r **survey.Response) func() {
	return func() {
		if *r == nil || !l.respID.Valid {
			return
		}
		created, err := parseTime(l.invCreated)
		if err != nil {
			return
		}
		db.sessions.put(&cachedSession{
			key: string(h),
			inv: survey.Invitation{ID: l.invitationID, MeasurementID: l.measurementID, CaseID: l.caseID,
				Disposition: l.disposition, Sector: l.sector, CreatedAt: created},
			resp: *r,
			sum:  l.sha256,
		})
	}
}

// cachedOpen answers OpenSession from the session cache: nil, nil when the
// token has no usable entry.
func (db *DB) cachedOpen(ctx context.Context, h []byte) (*survey.Session, error) {
	c := db.sessions.get(h)
	if c == nil {
		return nil, nil
	}
	v, ok := db.qcache.Load(c.sum)
	if !ok {
		return nil, nil
	}
	m, err := db.liveMeasurement(ctx, c.inv.MeasurementID)
	if err != nil {
		return nil, err
	}
	if err := storekit.CheckOpen(m.Status); err != nil {
		return nil, err
	}
	inv := c.inv
	return &survey.Session{Invitation: &inv, Measurement: m, Q: v.(*survey.Questionnaire), Response: cloneResponse(c.resp)}, nil
}

// measEntry is a measurement as read at a time.
type measEntry struct {
	m    survey.Measurement
	read time.Time
}

// liveMeasurement returns a copy of measurement id read at most
// measurementTTL ago.
func (db *DB) liveMeasurement(ctx context.Context, id string) (*survey.Measurement, error) {
	if v, ok := db.mcache.Load(id); ok {
		e := v.(*measEntry)
		if time.Since(e.read) < measurementTTL {
			m := e.m
			m.Districts = slices.Clone(m.Districts)
			m.Sectors = slices.Clone(m.Sectors)
			return &m, nil
		}
	}
	e := &measEntry{read: time.Now()}
	m := &e.m
	var created string
	err := db.rstmts.queryRow(ctx, `SELECT city_zh, city_en, title_zh, title_en, year, office_zh, office_en, status, coalesce(prev_id, ''), created_at, kind
		FROM measurements WHERE id = ?`, id).Scan(&m.City.Zh, &m.City.En, &m.Title.Zh, &m.Title.En, &m.Year, &m.Office.Zh, &m.Office.En, &m.Status, &m.PrevID, &created, &m.Kind)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, storekit.ErrBadLink()
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: measurement: %w", err)
	}
	m.ID = id
	if m.CreatedAt, err = parseTime(created); err != nil {
		return nil, err
	}
	if m.Districts, err = db.districts(ctx, db.rdb, id); err != nil {
		return nil, err
	}
	if m.Sectors, err = db.sectors(ctx, db.rdb, m); err != nil {
		return nil, err
	}
	db.mcache.Store(id, e)
	out := e.m
	out.Districts = slices.Clone(out.Districts)
	out.Sectors = slices.Clone(out.Sectors)
	return &out, nil
}
