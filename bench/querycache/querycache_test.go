// Package querycachebench measures Relay's query cache (issue 22 §1) end to end: demo API + dev host + plugin
// binary, the way Grafana calls Relay (POST /api/ds/query).
//
//		go test ./bench/querycache -run '^$' -bench . -benchtime 1x
//
//	  - BenchmarkCachedQueryLatency: one panel's query against an upstream that takes 20 ms to answer
//	    (/api/cacheable?delay=20ms), with cacheTTL (served from the cache after the first) against the same query with
//	    cacheTTL "0s" (always fetched), in alternating rounds, 4 clients, at most 400 requests or 10 s each. Target:
//	    the cached query's p50 is at most 0.3 × the uncached one's; above it says ABOVE TARGET.
//	  - BenchmarkDashboardUpstreamCalls: a dashboard of 10 panels watched by 50 viewers (50 users) refreshing 3
//	    times, all at once, with cacheTTL and without, counted at the demo API (/api/counter). Without a cache it
//	    is 1,500 upstream calls; target with cacheTTL: at most 10 (one per panel); above it says ABOVE TARGET.
//	  - BenchmarkDashboardUpstreamCallsFleet: the same across 3 replicas on one real redis-server, round-robin.
package querycachebench

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/relay-gateway/relay/bench/internal/target"
	"github.com/relay-gateway/relay/test/blackbox/harness"
)

const provisioning = `apiVersion: 1
datasources:
  - name: Relay
    type: relay-gateway-datasource
    uid: relay
    url: $DEMO_URL
    jsonData:
      auth: { type: bearer }
      network: { allowPrivateNetworks: true }
      rateLimits: { disabled: true }
      proxy:
        rules:
          - { path: /api/, methods: [GET], minRole: Viewer }
    secureJsonData: { bearerToken: demo-token }
`

const (
	viewers   = 50
	panels    = 10
	refreshes = 3
)

func users() string {
	var b strings.Builder
	b.WriteString("- {login: admin, password: admin, name: Admin, email: admin@example.com, role: Admin}\n")
	for i := 1; i <= viewers; i++ {
		fmt.Fprintf(&b, "- {login: viewer%02d, password: viewer%02d, name: Viewer %d, email: v%d@example.com, role: Viewer}\n", i, i, i, i)
	}
	return b.String()
}

func start(b *testing.B) *harness.Stack {
	return harness.Start(b, harness.Options{Provisioning: provisioning, Users: users(),
		DevHostArgs: []string{"-log-level", "warn"}, DemoArgs: []string{"-log-level", "warn"}})
}

// panel is one panel's query: panel i reads /api/cacheable with its own parameter (so panels are distinct upstream
// questions) after 20 ms of upstream service time; the TTL is a parameter too, so each TTL starts with a cold cache.
func panel(i int, ttl string) map[string]any {
	return map[string]any{"refId": fmt.Sprintf("P%d", i), "datasource": map[string]any{"uid": "relay"},
		"path": "/api/cacheable", "params": map[string]any{"delay": "20ms", "panel": fmt.Sprint(i), "ttl": ttl}, "cacheTTL": ttl,
		"pipeline": map[string]any{"columns": []any{map[string]any{"name": "version", "selector": "version"}}}}
}

// query posts one /api/ds/query as user and fails on any error in the answer.
func query(client *http.Client, s *harness.Stack, user string, queries ...map[string]any) error {
	body, _ := json.Marshal(map[string]any{"from": "now-1h", "to": "now", "queries": queries})
	req := s.Request("POST", "/api/ds/query", user, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK || bytes.Contains(out, []byte(`"error"`)) {
		return fmt.Errorf("status %d: %.300s", resp.StatusCode, out)
	}
	return nil
}

func BenchmarkCachedQueryLatency(b *testing.B) {
	s := start(b)
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 8}}
	cached := func() error { return query(client, s, "viewer01", panel(1, "1h")) }
	uncached := func() error { return query(client, s, "viewer01", panel(1, "0s")) }
	for range 10 { // warm: connections, the instance, the cache entry
		if err := cached(); err != nil {
			b.Fatal(err)
		}
		if err := uncached(); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for range b.N {
		var c, u []time.Duration
		var spentC, spentU time.Duration
		for (len(c) < 400 || len(u) < 400) && (spentC < 10*time.Second || spentU < 10*time.Second) {
			lu, du, err := round(uncached)
			if err != nil {
				b.Fatal(err)
			}
			lc, dc, err := round(cached)
			if err != nil {
				b.Fatal(err)
			}
			u, c, spentU, spentC = append(u, lu...), append(c, lc...), spentU+du, spentC+dc
		}
		pc, pu := p(c, 50), p(u, 50)
		fmt.Printf("\nquery with cacheTTL vs cacheTTL 0s, upstream service time 20 ms, 4 clients, through the dev host\n"+
			"%-18s %8s %10s %10s\n%-18s %8d %10s %10s\n%-18s %8d %10s %10s\nratio (cached p50 / uncached p50): %s\n",
			"query", "requests", "p50", "p99",
			"cached", len(c), pc.Round(time.Microsecond), p(c, 99).Round(time.Microsecond),
			"uncached", len(u), pu.Round(time.Microsecond), p(u, 99).Round(time.Microsecond),
			target.AtMost(float64(pc)/float64(pu), 0.3, "%.3f×"))
		b.ReportMetric(float64(pc)/float64(pu), "p50-ratio")
	}
}

// round sends 40 requests from 4 workers and returns their latencies and its wall time.
func round(call func() error) ([]time.Duration, time.Duration, error) {
	var (
		next  atomic.Int64
		mu    sync.Mutex
		wg    sync.WaitGroup
		lat   []time.Duration
		first error
	)
	start := time.Now()
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= 40 {
				t0 := time.Now()
				err := call()
				mu.Lock()
				lat = append(lat, time.Since(t0))
				if err != nil && first == nil {
					first = err
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return lat, time.Since(start), first
}

func p(lat []time.Duration, pct int) time.Duration {
	s := slices.Clone(lat)
	slices.Sort(s)
	return s[min(len(s)-1, len(s)*pct/100)]
}

func BenchmarkDashboardUpstreamCalls(b *testing.B) {
	s := start(b)
	dashboardBench(b, "one process", s.DemoURL, func(int) *harness.Stack { return s })
}

// BenchmarkDashboardUpstreamCallsFleet: the same dashboard across three replicas (three dev hosts, each with its
// own plugin process) on one real redis-server, viewers' requests round-robin as behind a load balancer: the query
// cache and its single flight are fleet-wide, so the target is the same 10 calls.
func BenchmarkDashboardUpstreamCallsFleet(b *testing.B) {
	r := harness.StartRedis(b, harness.RedisOptions{})
	f := harness.StartFleet(b, harness.FleetOptions{Replicas: 3, Redis: r}, harness.Options{Provisioning: provisioning,
		Users: users(), DevHostArgs: []string{"-log-level", "warn"}, DemoArgs: []string{"-log-level", "warn"}})
	dashboardBench(b, "3 replicas on Redis", f.DemoURL, func(int) *harness.Stack { return f.Next() })
}

// dashboardBench: every viewer loads the dashboard (one /api/ds/query with the 10 panels) and refreshes it twice,
// all viewers at once, through replica(viewer); with cacheTTL and without, counted at the demo API.
func dashboardBench(b *testing.B, where, demoURL string, replica func(viewer int) *harness.Stack) {
	client := &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: viewers}}
	counter := func() int {
		resp, err := client.Get(demoURL + "/api/counter?path=/api/cacheable")
		if err != nil {
			b.Fatal(err)
		}
		defer resp.Body.Close()
		var out struct{ Count int }
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return out.Count
	}
	dashboard := func(ttl string) (int, time.Duration) {
		before := counter()
		t0 := time.Now()
		var wg sync.WaitGroup
		var failed atomic.Value
		for v := 1; v <= viewers; v++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				qs := make([]map[string]any, panels)
				for i := range qs {
					qs[i] = panel(i, ttl)
				}
				for range refreshes {
					if err := query(client, replica(v), fmt.Sprintf("viewer%02d", v), qs...); err != nil {
						failed.Store(err)
						return
					}
				}
			}()
		}
		wg.Wait()
		if err, _ := failed.Load().(error); err != nil {
			b.Fatal(err)
		}
		return counter() - before, time.Since(t0)
	}
	b.ResetTimer()
	for i := range b.N {
		// A TTL no earlier iteration used, so the cached run starts cold.
		withCache, tc := dashboard(fmt.Sprintf("%dh", i+1))
		without, tu := dashboard("0s")
		fmt.Printf("\ndashboard: %d viewers × %d panels × %d refreshes, %s, upstream service time 20 ms\n"+
			"without cacheTTL: %d upstream calls (%s)\nwith cacheTTL:    %d upstream calls (%s): %s\n",
			viewers, panels, refreshes, where, without, tu.Round(time.Millisecond), withCache, tc.Round(time.Millisecond),
			target.AtMost(float64(withCache), panels, "%.0f calls"))
		b.ReportMetric(float64(withCache), "calls-cached")
		b.ReportMetric(float64(without), "calls-uncached")
	}
}
