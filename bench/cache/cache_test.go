// Package cachebench measures the proxy's response cache end to end: demo API
// + dev host + plugin binary, the way Grafana calls Relay.
//
//	go test ./bench/cache -run '^$' -bench . -benchtime 1x
//
// One run drives the same upstream GET (/api/cacheable) through two data
// sources, one whose proxy rule caches it and one whose rule does not, with
// 8 concurrent clients for at most 2,000 requests or 10 s each (in
// alternating rounds of 200, so both paths see the same load on a shared
// machine), and prints req/s, p50 and p99 for both and the ratio. Target: the
// cache hit path serves at least 2× the uncached proxy's req/s; a ratio below
// it says BELOW TARGET.
//
// The comparison is repeated for upstream service times of 0, 1, 2 and 5 ms
// (/api/cacheable?delay=), because what a cache saves is the upstream's time:
// against a loopback upstream that answers in microseconds on the same cores,
// both paths are bound by the same dev host + plugin protocol hop. Like the
// gateway benchmark, it runs with the dev host and plugin on one half of the
// CPUs and the load generator and demo API on the other (bench/internal/cpuset),
// plus the 0 ms case with all processes sharing every core.
package cachebench

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/log"

	"github.com/relay-gateway/relay/bench/internal/cpuset"
	"github.com/relay-gateway/relay/bench/internal/target"
	"github.com/relay-gateway/relay/pkg/plugin/plugintest"
	"github.com/relay-gateway/relay/pkg/resources/resourcetest"
	"github.com/relay-gateway/relay/test/blackbox/harness"
)

const (
	maxRequests = 2000
	maxDuration = 10 * time.Second
	concurrency = 8
	roundSize   = 200
	path        = "/resources/proxy/api/cacheable"
)

const provisioning = `apiVersion: 1
datasources:
  - name: Cached
    type: relay-gateway-datasource
    uid: cached
    url: $DEMO_URL
    jsonData:
      auth: { type: bearer }
      network: { allowPrivateNetworks: true }
      rateLimits: { disabled: true }
      proxy:
        rules:
          - { path: /api/cacheable, methods: [GET], minRole: Viewer, cacheTTL: 1h }
    secureJsonData: { bearerToken: demo-token }
  - name: Uncached
    type: relay-gateway-datasource
    uid: uncached
    url: $DEMO_URL
    jsonData:
      auth: { type: bearer }
      network: { allowPrivateNetworks: true }
      rateLimits: { disabled: true }
      proxy:
        rules:
          - { path: /api/cacheable, methods: [GET], minRole: Viewer }
    secureJsonData: { bearerToken: demo-token }
`

// TestMain gives the plugin code that runs in this process (BenchmarkPluginCacheHitVsUncached) the log levels
// the plugin binary starts with (pkg/main.go: the SDK's own lines at warn), so no debug line lands in the output.
func TestMain(m *testing.M) {
	log.DefaultLogger = log.NewWithLevel(log.Info)
	backend.Logger = log.NewWithLevel(log.Warn)
	os.Exit(m.Run())
}

type result struct {
	n             int
	errors        int64
	elapsed       time.Duration
	p50, p99      time.Duration
	rps           float64
	xcacheHits    int64
	firstFailures []string
}

func BenchmarkCacheHitVsUncachedProxy(b *testing.B) {
	s := harness.Start(b, harness.Options{Provisioning: provisioning, DevHostArgs: []string{"-log-level", "warn"}, DemoArgs: []string{"-log-level", "warn"}})
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: concurrency}}
	get := func(uid, query string) func() (string, error) {
		return func() (string, error) {
			req := s.Request("GET", "/api/datasources/uid/"+uid+path+query, "viewer", nil)
			resp, err := client.Do(req)
			if err != nil {
				return "", err
			}
			defer resp.Body.Close()
			if _, err := io.Copy(io.Discard, resp.Body); err != nil {
				return "", err
			}
			if resp.StatusCode != http.StatusOK {
				return "", fmt.Errorf("status %d", resp.StatusCode)
			}
			return resp.Header.Get("X-Cache"), nil
		}
	}
	type run struct {
		layout cpuset.Layout
		delay  time.Duration
	}
	runs := []run{{cpuset.Shared(), 0}}
	if split, ok := cpuset.Split(); ok {
		for _, d := range []time.Duration{0, time.Millisecond, 2 * time.Millisecond, 5 * time.Millisecond} {
			runs = append(runs, run{split, d})
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, r := range runs {
			if err := r.layout.Apply([]int{s.DevHostPID, s.PluginPID}, []int{s.DemoPID}); err != nil {
				b.Fatal(err)
			}
			query := ""
			if r.delay > 0 {
				query = "?delay=" + r.delay.String()
			}
			cachedCall, uncachedCall := get("cached", query), get("uncached", query)
			// Warm both paths: connections, the plugin instances, and the cache entry.
			for range 50 {
				if _, err := cachedCall(); err != nil {
					b.Fatalf("warm-up: %v", err)
				}
				if _, err := uncachedCall(); err != nil {
					b.Fatalf("warm-up: %v", err)
				}
			}
			cached, uncached := compare(cachedCall, uncachedCall)
			if cached.errors > 0 || uncached.errors > 0 {
				b.Fatalf("errors: cached %d %v, uncached %d %v", cached.errors, cached.firstFailures, uncached.errors, uncached.firstFailures)
			}
			if cached.xcacheHits != int64(cached.n) {
				b.Fatalf("only %d of %d cached-path responses were X-Cache: HIT", cached.xcacheHits, cached.n)
			}
			report(fmt.Sprintf("through the dev host, upstream service time %s; %s", r.delay, r.layout), cached, uncached)
			b.ReportMetric(cached.rps/uncached.rps, fmt.Sprintf("ratio-%s-%s", r.delay, metricName(r.layout)))
		}
	}
}

func metricName(l cpuset.Layout) string {
	if l.Grafana == nil {
		return "shared"
	}
	return "split"
}

// BenchmarkPluginCacheHitVsUncached is the same comparison at the plugin's
// boundary: CallResource in, response out, in process, against a loopback
// upstream. It shows what the cache saves inside Relay, without the dev
// host's and the plugin protocol's cost, which both paths pay alike.
func BenchmarkPluginCacheHitVsUncached(b *testing.B) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("ETag", `W/"v1"`)
		w.Header().Set("Cache-Control", "max-age=60")
		_, _ = w.Write([]byte(`{"message":"cache me for 60 seconds","version":1,"calls":1}`))
	}))
	defer up.Close()
	handler := func(uid, rule string) backend.CallResourceHandler {
		return plugintest.New(b, plugintest.Config{UID: uid, URL: up.URL, JSONData: `{"network":{"allowPrivateNetworks":true},` +
			`"rateLimits":{"disabled":true},"proxy":{"rules":[` + rule + `]}}`})
	}
	cachedH := handler("bench-cached", `{"path":"/api/cacheable","methods":["GET"],"cacheTTL":"1h"}`)
	uncachedH := handler("bench-cached", `{"path":"/api/cacheable","methods":["GET"]}`)
	call := func(h backend.CallResourceHandler) func() (string, error) {
		return func() (string, error) {
			r := resourcetest.Call(h, resourcetest.Request{Path: "proxy/api/cacheable", Role: "Viewer"})
			if r.Status != http.StatusOK {
				return "", fmt.Errorf("status %d", r.Status)
			}
			return r.Header.Get("X-Cache"), nil
		}
	}
	for i := 0; i < 50; i++ {
		_, _ = call(cachedH)()
		_, _ = call(uncachedH)()
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		cached, uncached := compare(call(cachedH), call(uncachedH))
		if cached.errors > 0 || uncached.errors > 0 || cached.xcacheHits != int64(cached.n) {
			b.Fatalf("errors: cached %d %v, uncached %d %v; hits %d", cached.errors, cached.firstFailures, uncached.errors,
				uncached.firstFailures, cached.xcacheHits)
		}
		report("at the plugin boundary (CallResource in process, loopback upstream)", cached, uncached)
		b.ReportMetric(cached.rps/uncached.rps, "ratio")
	}
}

// report prints one comparison (fmt, not b.Logf, which truncates long benchmark logs).
func report(what string, cached, uncached result) {
	fmt.Printf("\n%s\n%-16s %8s %10s %10s %10s\n%-16s %8d %10.0f %10s %10s\n%-16s %8d %10.0f %10s %10s\nratio (cache hit / uncached req/s): %s\n",
		what, "path", "requests", "req/s", "p50", "p99",
		"cache hit", cached.n, cached.rps, cached.p50.Round(time.Microsecond), cached.p99.Round(time.Microsecond),
		"uncached proxy", uncached.n, uncached.rps, uncached.p50.Round(time.Microsecond), uncached.p99.Round(time.Microsecond),
		target.AtLeast(cached.rps/uncached.rps, 2, "%.3f×"))
}

// meter accumulates one path's latencies over the rounds it ran.
type meter struct {
	lat      []time.Duration
	busy     time.Duration // wall time of this path's rounds
	errors   int
	hits     int
	failures []string
}

func (m *meter) result() result {
	slices.Sort(m.lat)
	r := result{n: len(m.lat), errors: int64(m.errors), elapsed: m.busy, xcacheHits: int64(m.hits), firstFailures: m.failures}
	if len(m.lat) > 0 {
		r.p50 = m.lat[len(m.lat)*50/100]
		r.p99 = m.lat[min(len(m.lat)-1, len(m.lat)*99/100)]
		r.rps = float64(len(m.lat)) / m.busy.Seconds()
	}
	return r
}

// compare drives both paths in alternating rounds of roundSize requests, so
// both see the same machine load (these machines are shared), until each has
// sent maxRequests or spent maxDuration.
func compare(cachedCall, uncachedCall func() (string, error)) (cached, uncached result) {
	var c, u meter
	for len(c.lat) < maxRequests || len(u.lat) < maxRequests {
		if c.busy >= maxDuration && u.busy >= maxDuration {
			break
		}
		round(&u, uncachedCall)
		round(&c, cachedCall)
	}
	return c.result(), u.result()
}

// round sends roundSize requests from concurrency workers.
func round(m *meter, call func() (string, error)) {
	var (
		next atomic.Int64
		mu   sync.Mutex
		wg   sync.WaitGroup
	)
	start := time.Now()
	for w := 0; w < concurrency; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= roundSize {
				t0 := time.Now()
				xcache, err := call()
				d := time.Since(t0)
				mu.Lock()
				m.lat = append(m.lat, d)
				switch {
				case err != nil:
					m.errors++
					if len(m.failures) < 3 {
						m.failures = append(m.failures, err.Error())
					}
				case xcache == "HIT":
					m.hits++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	m.busy += time.Since(start)
}
