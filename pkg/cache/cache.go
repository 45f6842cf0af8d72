// Package cache is Relay's response cache: a byte-bounded LRU of immutable
// HTTP response entries with expiry, plus request collapsing so concurrent
// misses for one key make one upstream call. It knows nothing about routes
// or callers; the proxy and the query runner build the keys (see
// pkg/proxy/cache.go, pkg/query/cache.go). An optional Remote (tier.go) is a
// second tier shared by the replicas of a Grafana fleet.
package cache

import (
	"container/list"
	"net/http"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
)

// entryOverhead approximates the bookkeeping per entry (list element, map
// slot, struct), so many tiny entries still count against the bound.
const entryOverhead = 256

// Entry is one cached response. It is never modified once stored: a
// revalidation stores a new Entry, so readers need no lock.
type Entry struct {
	Status int
	Header http.Header
	Body   []byte
	// Stored is when the response was fetched or last revalidated.
	Stored  time.Time
	Expires time.Time
}

// Fresh reports whether e may be served without asking the upstream.
func (e *Entry) Fresh(now time.Time) bool { return now.Before(e.Expires) }

// Validators are what a revalidation sends (If-None-Match, If-Modified-Since).
func (e *Entry) Validators() (etag, lastModified string) {
	return e.Header.Get("ETag"), e.Header.Get("Last-Modified")
}

// Size is what e counts against the cache's byte bound.
func (e *Entry) Size(key string) int64 {
	n := int64(len(e.Body) + len(key) + entryOverhead)
	for k, vs := range e.Header {
		n += int64(len(k))
		for _, v := range vs {
			n += int64(len(v))
		}
	}
	return n
}

// Cache is safe for concurrent use.
type Cache struct {
	mu     sync.Mutex
	max    int64
	bytes  int64
	ll     *list.List // front = most recently used
	items  map[string]*list.Element
	flight singleflight.Group
	m      metricSet
	// remote is the shared second tier (nil: this process only); see tier.go.
	remote Remote
}

type item struct {
	key  string
	e    *Entry
	size int64
}

// New returns a cache holding at most maxBytes (as counted by Entry.Size).
// name labels its metrics (the data source uid).
func New(maxBytes int64, name string) *Cache {
	return newCache(maxBytes, "proxy", name)
}

// NewQuery returns a query cache: the same LRU, with the relay_query_cache_*
// metrics.
func NewQuery(maxBytes int64, name string) *Cache {
	return newCache(maxBytes, "query", name)
}

func newCache(maxBytes int64, kind, name string) *Cache {
	return &Cache{max: maxBytes, ll: list.New(), items: map[string]*list.Element{}, m: metricsFor(kind, name)}
}

// Get returns the entry for key, fresh or stale, and marks it recently used.
func (c *Cache) Get(key string) *Entry {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[key]
	if !ok {
		return nil
	}
	c.ll.MoveToFront(el)
	return el.Value.(*item).e
}

// Put stores e under key, replacing any entry there, and evicts the least
// recently used entries until the total is within the bound. It returns false
// (and stores nothing) when e alone is larger than the bound.
func (c *Cache) Put(key string, e *Entry) bool {
	size := e.Size(key)
	c.mu.Lock()
	defer c.mu.Unlock()
	if size > c.max {
		c.removeLocked(key)
		return false
	}
	if el, ok := c.items[key]; ok {
		it := el.Value.(*item)
		c.bytes += size - it.size
		it.e, it.size = e, size
		c.ll.MoveToFront(el)
	} else {
		c.items[key] = c.ll.PushFront(&item{key: key, e: e, size: size})
		c.bytes += size
	}
	for c.bytes > c.max {
		oldest := c.ll.Back()
		c.removeElement(oldest)
		c.m.evictions.Inc()
	}
	c.m.update(c.bytes, len(c.items))
	return true
}

// Remove forgets key.
func (c *Cache) Remove(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.removeLocked(key)
}

func (c *Cache) removeLocked(key string) {
	if el, ok := c.items[key]; ok {
		c.removeElement(el)
		c.m.update(c.bytes, len(c.items))
	}
}

func (c *Cache) removeElement(el *list.Element) {
	it := el.Value.(*item)
	c.ll.Remove(el)
	delete(c.items, it.key)
	c.bytes -= it.size
}

// Len is the number of entries.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.items)
}

// Bytes is the total size of the entries, never above the bound.
func (c *Cache) Bytes() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.bytes
}

// MaxBytes is the bound.
func (c *Cache) MaxBytes() int64 { return c.max }

// Collapse runs fn once for all concurrent callers with the same key: the
// first caller runs it in its own goroutine, later ones wait for its result.
// ran tells the caller whether it was the one that ran fn, which matters for
// results only the runner may use (an open response stream).
func (c *Cache) Collapse(key string, fn func() any) (v any, ran bool) {
	v, _, _ = c.flight.Do(key, func() (any, error) {
		ran = true
		return fn(), nil
	})
	return v, ran
}

// Count records how a request was answered, for the relay_cache_* metrics.
func (c *Cache) Count(r Result) { c.m.requests.WithLabelValues(string(r)).Inc() }

// CountQuery records how a cached query got its bytes, and how many bytes a
// cache answer saved, for the relay_query_cache_* metrics.
func (c *Cache) CountQuery(r QueryResult, bytes int) {
	c.m.queries.WithLabelValues(string(r)).Inc()
	if r != QueryMiss && bytes > 0 {
		c.m.served.Add(float64(bytes))
	}
}
