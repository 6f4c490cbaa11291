package sqlite

import (
	"context"
	"strconv"
	"testing"
	"time"

	"manyi/survey"
	"manyi/survey/internal/storekit"
)

// TestSessionCacheSeesMeasurementChanges: a link whose session this
// process wrote (so it is cached) must stop working at once when this
// process closes the measurement, and within a second when another
// process does.
func TestSessionCacheSeesMeasurementChanges(t *testing.T) {
	tests := []struct {
		name   string
		other  bool          // close through a second handle (another process)
		within time.Duration // how soon the closing must be seen
	}{
		{"this process", false, 0},
		{"another process", true, time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, path := openTest(t)
			ctx := context.Background()
			tok := seed(t, db, "m", 1)[0]
			q := survey.DefaultQuestionnaire()
			p := &q.Pages[0]
			if _, err := db.SavePage(ctx, tok, survey.PageSave{PageID: p.ID, Answers: pageAnswers(p)}); err != nil {
				t.Fatal(err)
			}
			if db.sessions.get(mustHash(t, tok)) == nil {
				t.Fatal("SavePage left no cached session")
			}
			if _, err := db.OpenSession(ctx, tok); err != nil {
				t.Fatal(err)
			}
			closer := db
			if tt.other {
				other, err := Open(path)
				if err != nil {
					t.Fatal(err)
				}
				defer other.Close()
				closer = other
			}
			if err := closer.SetMeasurementStatus(ctx, "m", survey.StatusClosed); err != nil {
				t.Fatal(err)
			}
			deadline := time.Now().Add(tt.within)
			for {
				_, err := db.OpenSession(ctx, tok)
				if survey.ErrorCode(err) == survey.EGONE {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("OpenSession after closing: got %v, want EGONE within %v", err, tt.within)
				}
				time.Sleep(20 * time.Millisecond)
			}
		})
	}
}

// TestSessionCacheFollowsWrites: the cached session is the one the last
// write committed, including a finish, and a write the cache does not know
// (here a status change) empties it.
func TestSessionCacheFollowsWrites(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	tok := seed(t, db, "m", 1)[0]
	q := survey.DefaultQuestionnaire()
	if _, err := db.StartResponse(ctx, tok, survey.ModeWeb, "mobile"); err != nil {
		t.Fatal(err)
	}
	s, err := db.OpenSession(ctx, tok)
	if err != nil {
		t.Fatal(err)
	}
	if s.Response == nil || s.Invitation.Disposition != DispStarted {
		t.Fatalf("after StartResponse: response %v, disposition %q, want a response and %q", s.Response, s.Invitation.Disposition, DispStarted)
	}
	for i := range 3 {
		p := &q.Pages[i]
		if _, err := db.SavePage(ctx, tok, survey.PageSave{PageID: p.ID, Answers: pageAnswers(p), Next: q.Pages[i+1].ID}); err != nil {
			t.Fatal(err)
		}
		s, err := db.OpenSession(ctx, tok)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := s.Response.CurrentPage, q.Pages[i+1].ID; got != want {
			t.Errorf("after saving page %d: current page %q, want %q", i, got, want)
		}
		if got, want := len(s.Response.PagesDone), i+1; got != want {
			t.Errorf("after saving page %d: %d pages done, want %d", i, got, want)
		}
	}
	if _, err := db.Finish(ctx, tok, survey.RespSubmitted); err != nil {
		t.Fatal(err)
	}
	if s, err = db.OpenSession(ctx, tok); err != nil {
		t.Fatal(err)
	}
	if s.Response.Status != survey.RespSubmitted || s.Invitation.Disposition != survey.RespSubmitted {
		t.Errorf("after Finish: status %q, disposition %q, want %q", s.Response.Status, s.Invitation.Disposition, survey.RespSubmitted)
	}
	if err := db.SetMeasurementStatus(ctx, "m", survey.StatusOpen); err != nil {
		t.Fatal(err)
	}
	if db.sessions.get(mustHash(t, tok)) != nil {
		t.Error("a write without a session hook left the session cached")
	}
}

// TestSessionCacheBounded keeps at most sessionCacheSize entries and evicts
// the least recently used.
func TestSessionCacheBounded(t *testing.T) {
	var c sessionCache
	for i := range sessionCacheSize + 10 {
		c.put(&cachedSession{key: strconv.Itoa(i), resp: &survey.Response{}})
		if i == 15 {
			c.get([]byte("0")) // used: must survive
		}
	}
	if got := c.lru.Len(); got != sessionCacheSize || len(c.items) != sessionCacheSize {
		t.Errorf("entries: list %d, map %d, want %d", got, len(c.items), sessionCacheSize)
	}
	if c.get([]byte("0")) == nil {
		t.Error("recently used entry 0 was evicted")
	}
	if c.get([]byte("1")) != nil {
		t.Error("least recently used entry 1 was kept")
	}
	c.remove("0")
	if c.get([]byte("0")) != nil || c.lru.Len() != sessionCacheSize-1 || len(c.items) != sessionCacheSize-1 {
		t.Errorf("after remove: entry 0 cached %v, list %d, map %d, want gone and %d", c.get([]byte("0")) != nil, c.lru.Len(), len(c.items), sessionCacheSize-1)
	}
}

func mustHash(t *testing.T, tok string) []byte {
	t.Helper()
	h, ok := storekit.TokenHash(tok)
	if !ok {
		t.Fatalf("bad token %q", tok)
	}
	return h
}
