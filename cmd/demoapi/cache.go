package main

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Endpoints with distinct HTTP caching semantics for Relay's response cache. Each body carries "calls", the number
// of requests that reached this path, so a test sees at once whether it got a fresh or a cached response;
// /api/counter gives the same count for any path.

const counterPath = "/api/counter"

// cacheState is the version of /api/cacheable's representation; POST /api/cacheable bumps it.
type cacheState struct {
	mu       sync.Mutex
	version  int
	modified time.Time
}

func newCacheState() *cacheState { return &cacheState{version: 1, modified: itemsEpoch} }

func (c *cacheState) current() (int, time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.version, c.modified
}

func (c *cacheState) bump(now time.Time) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.version++
	c.modified = now.UTC().Truncate(time.Second)
	return c.version
}

// GET /api/cacheable → Cache-Control: max-age=60 with a validator. The ETag is weak because "calls" changes on
// every request while the resource (its version) does not: the bodies are semantically equivalent.
// If-None-Match (weak comparison, lists and "*") and, without it, If-Modified-Since answer 304.
//
// ?delay=2ms answers after that much service time (as /slow does), so benchmarks can compare a cached and an
// uncached path against an upstream that takes time to answer, as real APIs do.
func (s *server) cacheable(w http.ResponseWriter, r *http.Request) {
	delay, err := durationParam(r, "delay", 0, maxDelay)
	if err != nil {
		badRequest(w, err)
		return
	}
	if delay > 0 && !sleep(r, delay) {
		return // nobody is listening
	}
	version, modified := s.cache.current()
	etag := `W/"cacheable-v` + strconv.Itoa(version) + `"`
	h := w.Header()
	h.Set("Content-Type", contentTypeJSON)
	h.Set("Cache-Control", "max-age=60")
	h.Set("ETag", etag)
	h.Set("Last-Modified", modified.Format(http.TimeFormat))
	if notModified(r, etag, modified) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"message": "cache me for 60 seconds",
		"version": version,
		"calls":   s.hits.get(r.URL.Path),
	})
}

func notModified(r *http.Request, etag string, modified time.Time) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		return etagMatches(inm, etag)
	}
	if ims := r.Header.Get("If-Modified-Since"); ims != "" {
		t, err := http.ParseTime(ims)
		return err == nil && !modified.After(t)
	}
	return false
}

// etagMatches applies RFC 9110's weak comparison to an If-None-Match list.
func etagMatches(header, etag string) bool {
	if strings.TrimSpace(header) == "*" {
		return true
	}
	want := strings.TrimPrefix(etag, "W/")
	for candidate := range strings.SplitSeq(header, ",") {
		if strings.TrimPrefix(strings.TrimSpace(candidate), "W/") == want {
			return true
		}
	}
	return false
}

// POST /api/cacheable → a new version, so a revalidation after it gets 200 with a new ETag.
func (s *server) bumpCacheable(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]int{"version": s.cache.bump(s.now())})
}

// GET /api/nostore → Cache-Control: no-store; a cache must call through every time.
func (s *server) noStore(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, map[string]any{"cache": "no-store", "calls": s.hits.get(r.URL.Path)})
}

// GET /api/private → Cache-Control: private; a shared cache (Relay serves many users) must not store it.
func (s *server) private(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "private, max-age=60")
	writeJSON(w, http.StatusOK, map[string]any{"cache": "private", "calls": s.hits.get(r.URL.Path)})
}

// GET /api/counter?path=/api/cacheable → {"path", "count"}; without path → {"counts": {path: n}}. Requests to
// /api/counter itself are not counted, so polling it does not disturb what it measures.
func (s *server) counter(w http.ResponseWriter, r *http.Request) {
	if p := r.URL.Query().Get("path"); p != "" {
		writeJSON(w, http.StatusOK, map[string]any{"path": p, "count": s.hits.get(p)})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"counts": s.hits.snapshot()})
}

// DELETE /api/counter → forget all counts, so a test can start from zero on a shared demo API.
func (s *server) resetCounter(w http.ResponseWriter, _ *http.Request) {
	s.hits.reset()
	writeJSON(w, http.StatusOK, map[string]bool{"reset": true})
}
