package storetest

import (
	"context"
	"sync"
	"testing"

	"manyi/survey"
	"manyi/survey/fieldwork"
)

// Writes racing from several processes (several servers on one database):
// each test plays two processes by opening the database twice and sends
// the racing requests to both in turn.
func init() {
	register(test{"FinishRaceTwoProcesses", testFinishRaceTwoProcesses},
		test{"QuotaRaceTwoProcesses", testQuotaRaceTwoProcesses})
}

// testFinishRaceTwoProcesses sends one link's last page and its submit
// from 20 goroutines over two handles at once, as a resident's double
// click reaching two servers would: one response, submitted once, its
// submission time never moved by a later request, and every refused
// request an ECONFLICT.
func testFinishRaceTwoProcesses(t *testing.T, h *Harness) {
	db, ref := h.openTest(t)
	db2, err := h.reopen(t, ref)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	tok := seed(t, db, "m", 1)[0]
	q := survey.DefaultQuestionnaire()
	p := &q.Pages[0]
	var wg sync.WaitGroup
	errs := make([]error, 20)
	subs := make([]*survey.Response, 20)
	for i := range errs {
		wg.Go(func() {
			st := []Store{db, db2}[i%2]
			if _, err := st.SavePage(ctx, tok, survey.PageSave{PageID: p.ID, Answers: pageAnswers(p), Next: "review"}); err != nil && survey.ErrorCode(err) != survey.ECONFLICT {
				errs[i] = err
				return
			}
			subs[i], errs[i] = st.Finish(ctx, tok, survey.RespSubmitted)
		})
	}
	wg.Wait()
	var first *survey.Response
	for i, err := range errs {
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		if first == nil {
			first = subs[i]
		}
		if subs[i].ID != first.ID || subs[i].Status != survey.RespSubmitted || !subs[i].SubmittedAt.Equal(*first.SubmittedAt) {
			t.Errorf("request %d: response %d %s at %v, want response %d submitted at %v like the others", i, subs[i].ID, subs[i].Status, subs[i].SubmittedAt, first.ID, first.SubmittedAt)
		}
	}
	if n := h.count(t, db, `SELECT count(*) FROM responses`); n != 1 {
		t.Errorf("responses: %d, want 1", n)
	}
	if n := h.count(t, db, `SELECT count(*) FROM responses WHERE status = 'submitted'`); n != 1 {
		t.Errorf("submitted responses: %d, want 1", n)
	}
}

// testQuotaRaceTwoProcesses: 30 residents on two handles race for the
// last 4 places of a cell: exactly 4 get one, the cell's count is its
// target, and the other 26 responses ended as quota full.
func testQuotaRaceTwoProcesses(t *testing.T, h *Harness) {
	db, toks := quotaSetup(t, h, 36, 10, false)
	db2, err := h.reopen(t, h.refOf(t, db))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, tok := range toks[:6] {
		if c, err := db.ClaimQuota(ctx, tok); err != nil || c.Full {
			t.Fatalf("claim before the race: %+v, %v", c, err)
		}
	}
	racers := toks[6:]
	claims := make([]*fieldwork.QuotaClaim, len(racers))
	errs := make([]error, len(racers))
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, tok := range racers {
		wg.Go(func() {
			<-start
			claims[i], errs[i] = []Store{db, db2}[i%2].ClaimQuota(ctx, tok)
		})
	}
	close(start)
	wg.Wait()
	ok := 0
	for i := range racers {
		if errs[i] != nil {
			t.Fatalf("racer %d: %v", i, errs[i])
		}
		if !claims[i].Full {
			ok++
		}
	}
	if ok != 4 {
		t.Errorf("%d racers got a place, want exactly 4", ok)
	}
	qs, err := db2.Quotas(ctx, "m")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range qs.Cells {
		if c.Cell == "male|30-44" && c.Count != c.Target {
			t.Errorf("cell count %d, want its target %d", c.Count, c.Target)
		}
	}
	if n := h.count(t, db, `SELECT count(*) FROM responses WHERE status = 'quota_full'`); n != len(racers)-4 {
		t.Errorf("%d responses are quota_full, want %d", n, len(racers)-4)
	}
}
