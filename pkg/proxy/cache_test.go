package proxy_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/relay-gateway/relay/pkg/plugin/plugintest"
	"github.com/relay-gateway/relay/pkg/resources/resourcetest"
)

// cacheUpstream counts calls per path and serves the HTTP caching cases.
type cacheUpstream struct {
	srv     *httptest.Server
	mu      sync.Mutex
	calls   map[string]int
	inm     map[string][]string // If-None-Match values /etag received
	version atomic.Int32
	gate    chan struct{} // /slow waits on it
}

func newCacheUpstream(t *testing.T) *cacheUpstream {
	u := &cacheUpstream{calls: map[string]int{}, inm: map[string][]string{}, gate: make(chan struct{})}
	u.version.Store(1)
	mux := http.NewServeMux()
	mux.HandleFunc("/base/etag", func(w http.ResponseWriter, r *http.Request) {
		etag := fmt.Sprintf(`"v%d"`, u.version.Load())
		if v := r.Header.Get("If-None-Match"); v != "" {
			u.mu.Lock()
			u.inm[r.URL.Path] = append(u.inm[r.URL.Path], v)
			u.mu.Unlock()
		}
		w.Header().Set("ETag", etag)
		w.Header().Set("Cache-Control", "max-age=60")
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		fmt.Fprintf(w, `{"version":%d,"calls":%d}`, u.version.Load(), u.count(r))
	})
	mux.HandleFunc("/base/plain", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"calls":%d,"q":%q}`, u.count(r), r.URL.RawQuery)
	})
	mux.HandleFunc("/base/nostore", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		fmt.Fprintf(w, `{"calls":%d}`, u.count(r))
	})
	mux.HandleFunc("/base/private", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "private, max-age=60")
		fmt.Fprintf(w, `{"calls":%d}`, u.count(r))
	})
	mux.HandleFunc("/base/slow", func(w http.ResponseWriter, r *http.Request) {
		n := u.count(r)
		<-u.gate
		fmt.Fprintf(w, `{"calls":%d}`, n)
	})
	mux.HandleFunc("/base/large", func(w http.ResponseWriter, r *http.Request) {
		u.count(r)
		w.Header().Set("Set-Cookie", "upstream=1")
		w.Header().Set("Connection", "X-Hop")
		w.Header().Set("X-Hop", "1")
		w.Write([]byte(strings.Repeat("x", 300<<10)))
	})
	mux.HandleFunc("/base/status/{code}", func(w http.ResponseWriter, r *http.Request) {
		u.count(r)
		var code int
		fmt.Sscan(r.PathValue("code"), &code)
		w.WriteHeader(code)
	})
	u.srv = httptest.NewServer(mux)
	t.Cleanup(u.srv.Close)
	return u
}

func (u *cacheUpstream) count(r *http.Request) int {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.calls[r.URL.Path]++
	return u.calls[r.URL.Path]
}

func (u *cacheUpstream) callsTo(path string) int {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.calls["/base"+path]
}

type cacheFixture struct {
	handler backend.CallResourceHandler
	inst    *plugintest.Instance
	clock   *fakeClock
}

// entries and bytes are what the cache reports to Grafana's metrics scrape.
func (f *cacheFixture) entries() int   { return int(f.inst.Gauge("relay_cache_entries")) }
func (f *cacheFixture) bytes() float64 { return f.inst.Gauge("relay_cache_bytes") }

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

const cacheRules = `{"network":{"allowPrivateNetworks":true},"rateLimits":{"disabled":true},"cache":{"maxBytes":%d},"proxy":{"rules":[
	{"path":"/etag","methods":["GET"],"cacheTTL":"30s"},
	{"path":"/plain","methods":["GET"],"cacheTTL":"30s"},
	{"path":"/nostore","methods":["GET"],"cacheTTL":"30s"},
	{"path":"/private","methods":["GET"],"cacheTTL":"30s","sharedCache":true},
	{"path":"/slow","methods":["GET"],"cacheTTL":"30s"},
	{"path":"/large","methods":["GET"],"cacheTTL":"30s"},
	{"path":"/status/","methods":["GET"],"cacheTTL":"30s"},
	{"path":"/uncached","methods":["GET"]}]}}`

func newCacheFixture(t *testing.T, upstreamURL string, maxBytes int64, extra string) *cacheFixture {
	return newCacheFixtureWith(t, upstreamURL, fmt.Sprintf(cacheRules, maxBytes), extra)
}

func newCacheFixtureWith(t *testing.T, upstreamURL, jsonData, extra string) *cacheFixture {
	t.Helper()
	if extra != "" {
		jsonData = strings.TrimSuffix(jsonData, "}") + "," + extra + "}"
	}
	clock := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	// The cache's gauges are labelled by uid: one per test.
	i := plugintest.New(t, plugintest.Config{UID: "cache-" + t.Name(), URL: upstreamURL + "/base", JSONData: jsonData, Now: clock.now})
	return &cacheFixture{handler: i, inst: i, clock: clock}
}

func (f *cacheFixture) get(path, roleName string) *resourcetest.Response {
	return resourcetest.Call(f.handler, resourcetest.Request{Path: "proxy" + path, Role: roleName})
}

func expectCache(t *testing.T, r *resourcetest.Response, status int, xcache, body string) {
	t.Helper()
	if r.Status != status || r.Header.Get("X-Cache") != xcache || (body != "" && string(r.Body) != body) {
		t.Fatalf("got %d X-Cache=%q %s, want %d %q %s", r.Status, r.Header.Get("X-Cache"), r.Body, status, xcache, body)
	}
}

func TestCacheHitMissAndRoleIsolation(t *testing.T) {
	u := newCacheUpstream(t)
	f := newCacheFixture(t, u.srv.URL, 1<<20, "")
	expectCache(t, f.get("/plain?a=1", "Viewer"), 200, "MISS", `{"calls":1,"q":"a=1"}`)
	expectCache(t, f.get("/plain?a=1", "Viewer"), 200, "HIT", `{"calls":1,"q":"a=1"}`)
	// Another role has its own entry: its answer may differ upstream-side in
	// ways Relay cannot see (e.g. through other proxy rules or filters).
	expectCache(t, f.get("/plain?a=1", "Editor"), 200, "MISS", `{"calls":2,"q":"a=1"}`)
	expectCache(t, f.get("/plain?a=1", "Editor"), 200, "HIT", `{"calls":2,"q":"a=1"}`)
	// The query is part of the key.
	expectCache(t, f.get("/plain?a=2", "Viewer"), 200, "MISS", `{"calls":3,"q":"a=2"}`)
	// A rule without cacheTTL is never cached and says nothing about it.
	if r := f.get("/uncached", "Viewer"); r.Header.Get("X-Cache") != "" {
		t.Fatalf("uncached rule answered X-Cache=%q", r.Header.Get("X-Cache"))
	}
	if got := u.callsTo("/plain"); got != 3 {
		t.Fatalf("upstream calls = %d, want 3", got)
	}
}

func TestSharedCacheAcrossRoles(t *testing.T) {
	u := newCacheUpstream(t)
	f := newCacheFixture(t, u.srv.URL, 1<<20, "")
	expectCache(t, f.get("/etag", "Viewer"), 200, "MISS", "")
	expectCache(t, f.get("/etag", "Admin"), 200, "MISS", "") // per-role rule: a second entry
	sharedRules := strings.Replace(fmt.Sprintf(cacheRules, 1<<20), `"/etag","methods":["GET"],`, `"/etag","methods":["GET"],"sharedCache":true,`, 1)
	shared := newCacheFixtureWith(t, u.srv.URL, sharedRules, "")
	before := u.callsTo("/etag")
	expectCache(t, shared.get("/etag", "Viewer"), 200, "MISS", "")
	expectCache(t, shared.get("/etag", "Editor"), 200, "HIT", "")
	expectCache(t, shared.get("/etag", "Admin"), 200, "HIT", "")
	if got := u.callsTo("/etag") - before; got != 1 {
		t.Fatalf("shared cache: %d upstream calls for three roles, want 1", got)
	}
}

func TestNoStoreAndPrivateAreNeverStored(t *testing.T) {
	u := newCacheUpstream(t)
	f := newCacheFixture(t, u.srv.URL, 1<<20, "")
	for i := 1; i <= 3; i++ {
		expectCache(t, f.get("/nostore", "Viewer"), 200, "MISS", fmt.Sprintf(`{"calls":%d}`, i))
		// private even on a sharedCache rule.
		expectCache(t, f.get("/private", "Viewer"), 200, "MISS", fmt.Sprintf(`{"calls":%d}`, i))
	}
	// Error answers are not stored either.
	for i := 0; i < 2; i++ {
		expectCache(t, f.get("/status/503", "Viewer"), 503, "MISS", "")
	}
	if u.callsTo("/status/503") != 2 {
		t.Fatal("a 503 was cached")
	}
	if f.entries() != 0 {
		t.Fatalf("%d entries stored", f.entries())
	}
}

func TestUpstream401IsNotCachedAndNever401(t *testing.T) {
	u := newCacheUpstream(t)
	f := newCacheFixture(t, u.srv.URL, 1<<20, "")
	r := f.get("/status/401", "Viewer")
	if r.Status != http.StatusBadGateway || r.JSON()["code"] != "upstream_unauthorized" {
		t.Fatalf("got %d %s", r.Status, r.Body)
	}
}

func TestExpiryAndETagRevalidation(t *testing.T) {
	u := newCacheUpstream(t)
	f := newCacheFixture(t, u.srv.URL, 1<<20, "")
	expectCache(t, f.get("/etag", "Viewer"), 200, "MISS", `{"version":1,"calls":1}`)
	f.clock.add(29 * time.Second)
	expectCache(t, f.get("/etag", "Viewer"), 200, "HIT", `{"version":1,"calls":1}`)
	f.clock.add(2 * time.Second) // stale: the rule's 30s passed
	r := f.get("/etag", "Viewer")
	expectCache(t, r, 200, "REVALIDATED", `{"version":1,"calls":1}`)
	if r.Header.Get("ETag") != `"v1"` || r.Header.Get("Age") != "0" {
		t.Fatalf("headers after revalidation: %v", r.Header)
	}
	// The 304 refreshed the entry for another TTL.
	f.clock.add(20 * time.Second)
	expectCache(t, f.get("/etag", "Viewer"), 200, "HIT", `{"version":1,"calls":1}`)
	// A changed resource: the revalidation gets a 200 and the entry is replaced.
	u.version.Store(2)
	f.clock.add(31 * time.Second)
	expectCache(t, f.get("/etag", "Viewer"), 200, "MISS", `{"version":2,"calls":2}`)
	expectCache(t, f.get("/etag", "Viewer"), 200, "HIT", `{"version":2,"calls":2}`)
	u.mu.Lock()
	inm := u.inm["/base/etag"]
	u.mu.Unlock()
	if strings.Join(inm, ",") != `"v1","v1"` {
		t.Fatalf("If-None-Match sent: %q", inm)
	}
	// Without a validator, a stale entry is simply fetched again.
	expectCache(t, f.get("/plain", "Viewer"), 200, "MISS", "")
	f.clock.add(31 * time.Second)
	expectCache(t, f.get("/plain", "Viewer"), 200, "MISS", `{"calls":2,"q":""}`)
}

func TestConcurrentMissesCollapseIntoOneCall(t *testing.T) {
	u := newCacheUpstream(t)
	f := newCacheFixture(t, u.srv.URL, 1<<20, "")
	const n = 12
	var wg sync.WaitGroup
	results := make([]*resourcetest.Response, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			results[i] = f.get("/slow", "Viewer")
		}(i)
	}
	// Release the upstream once the first call arrived and the others had time to queue behind it.
	deadline := time.Now().Add(10 * time.Second)
	for u.callsTo("/slow") == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond)
	close(u.gate)
	wg.Wait()
	if got := u.callsTo("/slow"); got != 1 {
		t.Fatalf("%d upstream calls for %d concurrent identical misses", got, n)
	}
	for i, r := range results {
		if r.Status != 200 || string(r.Body) != `{"calls":1}` {
			t.Fatalf("caller %d: %d %s", i, r.Status, r.Body)
		}
	}
}

func TestLargeResponsesStreamUncached(t *testing.T) {
	u := newCacheUpstream(t)
	f := newCacheFixture(t, u.srv.URL, 1<<20, "") // entry cap = 256 KiB < 300 KiB
	for i := 0; i < 2; i++ {
		r := f.get("/large", "Viewer")
		if r.Status != 200 || len(r.Body) != 300<<10 || r.Header.Get("X-Cache") != "MISS" || r.Err != nil {
			t.Fatalf("got %d, %d bytes, X-Cache %q, err %v", r.Status, len(r.Body), r.Header.Get("X-Cache"), r.Err)
		}
		// Streamed by the gateway's reverse proxy: its header policy holds.
		if r.Header.Get("Set-Cookie") != "" || r.Header.Get("X-Hop") != "" {
			t.Fatalf("upstream headers passed: %v", r.Header)
		}
	}
	if u.callsTo("/large") != 2 || f.entries() != 0 {
		t.Fatalf("calls %d, entries %d", u.callsTo("/large"), f.entries())
	}
}

func TestCacheMemoryBound(t *testing.T) {
	u := newCacheUpstream(t)
	const max = 8 << 10
	f := newCacheFixture(t, u.srv.URL, max, "")
	for i := 0; i < 200; i++ {
		expectCache(t, f.get(fmt.Sprintf("/plain?filler=%s&i=%d", strings.Repeat("y", 300), i), "Viewer"), 200, "MISS", "")
		if b := f.bytes(); b > max {
			t.Fatalf("after %d entries the cache holds %.0f bytes, bound %d", i+1, b, max)
		}
	}
	if n := f.entries(); n == 0 || n >= 200 {
		t.Fatalf("entries = %d: eviction did not happen or nothing is kept", n)
	}
	// The most recent entry survived.
	expectCache(t, f.get(fmt.Sprintf("/plain?filler=%s&i=%d", strings.Repeat("y", 300), 199), "Viewer"), 200, "HIT", "")
}

func TestPerUserKeyWhenTheUpstreamSeesTheUser(t *testing.T) {
	u := newCacheUpstream(t)
	// X-Grafana-User goes upstream: answers may be per user, so even a
	// sharedCache rule keeps one entry per login.
	rules := strings.Replace(fmt.Sprintf(cacheRules, 1<<20), `"/plain","methods":["GET"],`, `"/plain","methods":["GET"],"sharedCache":true,`, 1)
	f := newCacheFixtureWith(t, u.srv.URL, rules, `"sendUserHeader":true`)
	call := func(login string) *resourcetest.Response {
		return resourcetest.Call(f.handler, resourcetest.Request{Path: "proxy/plain", Role: "Viewer", Login: login})
	}
	expectCache(t, call("alice"), 200, "MISS", "")
	expectCache(t, call("bob"), 200, "MISS", "")
	expectCache(t, call("alice"), 200, "HIT", "")
}
