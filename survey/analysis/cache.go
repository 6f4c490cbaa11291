package analysis

import (
	"container/list"
	"sync"
)

// Cache keeps recent Results by a key the caller builds from what they
// depend on (measurement, data version, weighting spec version, index
// method, options), so that the results page, the report and the export
// reuse one computation: a full Compute of a 20,000-response measurement
// costs far more than a page may take (docs/PERFORMANCE.md), while a
// cached one costs nothing. Concurrent Gets of one missing key compute it
// once. The zero Cache is not usable; call NewCache.
type Cache struct {
	mu      sync.Mutex
	max     int
	order   *list.List // of string keys, most recent first
	entries map[string]*cacheEntry
}

type cacheEntry struct {
	elem  *list.Element
	ready chan struct{}
	res   *Results
	err   error
}

// NewCache returns a cache holding at most n Results (at least 1).
func NewCache(n int) *Cache {
	return &Cache{max: max(n, 1), order: list.New(), entries: map[string]*cacheEntry{}}
}

// Get returns the Results stored under key, computing and storing them
// with compute when absent. Errors are returned but not kept.
func (c *Cache) Get(key string, compute func() (*Results, error)) (*Results, error) {
	c.mu.Lock()
	if e, ok := c.entries[key]; ok {
		c.order.MoveToFront(e.elem)
		c.mu.Unlock()
		<-e.ready
		return e.res, e.err
	}
	e := &cacheEntry{ready: make(chan struct{})}
	e.elem = c.order.PushFront(key)
	c.entries[key] = e
	for c.order.Len() > c.max {
		old := c.order.Back()
		c.order.Remove(old)
		delete(c.entries, old.Value.(string))
	}
	c.mu.Unlock()

	e.res, e.err = compute()
	close(e.ready)
	if e.err != nil {
		c.Forget(key)
	}
	return e.res, e.err
}

// Forget drops the Results stored under key (after new data or a new
// weighting spec).
func (c *Cache) Forget(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[key]; ok {
		c.order.Remove(e.elem)
		delete(c.entries, key)
	}
}
