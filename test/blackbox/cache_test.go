package blackbox

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/relay-gateway/relay/test/blackbox/harness"
)

// cacheGet fetches a proxied path and returns X-Cache and the demo API's "calls"
// and "version" from the body (the count of requests that reached it when
// the body was made, and the resource's version).
func cacheGet(t *testing.T, s *harness.Stack, base, path, user string) (xcache string, calls, version float64) {
	t.Helper()
	resp, body := s.Do("GET", base+"/proxy"+path, user, nil, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s as %s: %d %s", path, user, resp.StatusCode, body)
	}
	m := decode(t, body)
	calls, _ = m["calls"].(float64)
	version, _ = m["version"].(float64)
	return resp.Header.Get("X-Cache"), calls, version
}

func TestCacheThroughGrafana(t *testing.T) {
	s := startDev(t) // /api/cacheable: 30s per role; /api/nostore and /api/private opted in
	type step struct {
		path, user, xcache string
		calls              float64
	}
	for i, st := range []step{
		{"/api/cacheable", "viewer", "MISS", 1},
		{"/api/cacheable", "viewer", "HIT", 1},
		{"/api/cacheable", "viewer", "HIT", 1},
		{"/api/cacheable", "editor", "MISS", 2}, // roles never share an entry
		{"/api/cacheable", "editor", "HIT", 2},
		{"/api/cacheable?page=2", "viewer", "MISS", 3}, // the query is part of the key
		{"/api/nostore", "viewer", "MISS", 1},
		{"/api/nostore", "viewer", "MISS", 2}, // no-store: never kept
		{"/api/private", "viewer", "MISS", 1},
		{"/api/private", "viewer", "MISS", 2}, // private: never kept, even on a sharedCache rule
	} {
		xcache, calls, _ := cacheGet(t, s, devRes, st.path, st.user)
		if xcache != st.xcache || calls != st.calls {
			t.Fatalf("step %d %s as %s: X-Cache %q calls %v, want %q %v", i, st.path, st.user, xcache, calls, st.xcache, st.calls)
		}
	}
	if got := demoCount(t, s, "/api/cacheable"); got != 3 {
		t.Fatalf("demo API saw %d requests for /api/cacheable, want 3", got)
	}
	// A rule without cacheTTL is not cached and says nothing about caching.
	if resp, _ := s.Do("GET", devRes+"/proxy/api/items?limit=1", "viewer", nil, nil); resp.Header.Get("X-Cache") != "" {
		t.Fatalf("uncached rule: X-Cache %q", resp.Header.Get("X-Cache"))
	}

	// Concurrent identical misses make one upstream call.
	before := demoCount(t, s, "/api/cacheable")
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, body := s.With(t).Do("GET", devRes+"/proxy/api/cacheable?burst=1", "admin", nil, nil)
			if resp.StatusCode != 200 {
				t.Errorf("%d %s", resp.StatusCode, body)
			}
		}()
	}
	wg.Wait()
	if got := demoCount(t, s, "/api/cacheable") - before; got != 1 {
		t.Fatalf("8 concurrent misses made %d upstream calls", got)
	}
}

func TestCacheRevalidatesAndExpires(t *testing.T) {
	s := start(t, `{"rateLimits":{"disabled":true},"cache":{"maxBytes":4096},"proxy":{"rules":[
		{"path":"/api/cacheable","methods":["GET"],"cacheTTL":"1s","sharedCache":true}]}}`)
	xcache, calls, version := cacheGet(t, s, res, "/api/cacheable", "viewer")
	if xcache != "MISS" || calls != 1 || version != 1 {
		t.Fatalf("first: %s %v %v", xcache, calls, version)
	}
	// sharedCache: another role gets the same entry.
	if xcache, calls, _ = cacheGet(t, s, res, "/api/cacheable", "admin"); xcache != "HIT" || calls != 1 {
		t.Fatalf("shared: %s %v", xcache, calls)
	}
	// Stale after 1s: revalidated with If-None-Match, the demo API answers 304, the cached body is served.
	time.Sleep(1100 * time.Millisecond)
	if xcache, calls, _ = cacheGet(t, s, res, "/api/cacheable", "viewer"); xcache != "REVALIDATED" || calls != 1 {
		t.Fatalf("stale: %s %v", xcache, calls)
	}
	if xcache, _, _ = cacheGet(t, s, res, "/api/cacheable", "viewer"); xcache != "HIT" {
		t.Fatalf("after revalidation: %s", xcache)
	}
	if got := demoCount(t, s, "/api/cacheable"); got != 2 {
		t.Fatalf("demo API saw %d requests, want 2 (one fetch, one revalidation)", got)
	}
	// A new version upstream: the next revalidation gets a 200 and replaces the entry.
	resp, err := s.Client.Post(s.DemoURL+"/api/cacheable", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	time.Sleep(1100 * time.Millisecond)
	if xcache, calls, version = cacheGet(t, s, res, "/api/cacheable", "viewer"); xcache != "MISS" || version != 2 || calls != 4 {
		t.Fatalf("changed: %s calls %v version %v", xcache, calls, version)
	}

	// The memory bound: 4 KiB of cache (1 KiB per entry) cannot hold 40 answers; the oldest go first.
	for i := 0; i < 40; i++ {
		if xcache, _, _ := cacheGet(t, s, res, fmt.Sprintf("/api/cacheable?i=%d", i), "viewer"); xcache != "MISS" {
			t.Fatalf("i=%d: %s", i, xcache)
		}
	}
	if xcache, _, _ := cacheGet(t, s, res, "/api/cacheable?i=39", "viewer"); xcache != "HIT" {
		t.Fatalf("newest entry: %s", xcache)
	}
	if xcache, _, _ := cacheGet(t, s, res, "/api/cacheable?i=0", "viewer"); xcache != "MISS" {
		t.Fatalf("oldest entry should have been evicted: %s", xcache)
	}
}
