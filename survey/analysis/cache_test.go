package analysis

import (
	"errors"
	"sync"
	"testing"
)

func TestCache(t *testing.T) {
	c := NewCache(2)
	calls := map[string]int{}
	var mu sync.Mutex
	get := func(key string) *Results {
		t.Helper()
		r, err := c.Get(key, func() (*Results, error) {
			mu.Lock()
			calls[key]++
			mu.Unlock()
			return &Results{N: len(key)}, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() { defer wg.Done(); get("a") }()
	}
	wg.Wait()
	if calls["a"] != 1 {
		t.Errorf("8 concurrent Gets computed %d times, want 1", calls["a"])
	}
	get("bb")
	get("ccc") // evicts "a", the least recently used
	get("a")
	if calls["a"] != 2 {
		t.Errorf("after eviction: computed %d times, want 2", calls["a"])
	}
	c.Forget("a")
	get("a")
	if calls["a"] != 3 {
		t.Errorf("after Forget: computed %d times, want 3", calls["a"])
	}
	boom := errors.New("boom")
	if _, err := c.Get("e", func() (*Results, error) { return nil, boom }); err != boom {
		t.Errorf("got %v, want the compute error", err)
	}
	if r, err := c.Get("e", func() (*Results, error) { return &Results{N: 7}, nil }); err != nil || r.N != 7 {
		t.Errorf("error was kept: got %v, %v", r, err)
	}
}
