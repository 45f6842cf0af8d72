// Package sharedbench measures what shared state on Redis costs a read:
// /proxy GET through the dev host and plugin with the per-user rate limit
// kept in Redis (GF_PLUGIN_REDIS_URL set: one GCRA script call per request)
// against the same GET with the limit kept in memory, in one run.
//
//	go test ./bench/shared -run '^$' -bench . -benchtime 1x
//
// Two stacks (a dev host and its plugin each) serve the same data source,
// one with redis_url and one without; a real redis-server runs on loopback.
// The limits are set high enough never to refuse, so both paths take a
// token per request. 8 concurrent clients, alternating rounds of 200, up to
// 3,000 requests or 10 s per round set. Target: Redis-backed ≥ 0.85 × the
// in-memory req/s. Printed in both CPU layouts (bench/README.md); Redis is
// placed with the demo API, "elsewhere".
package sharedbench

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/relay-gateway/relay/bench/internal/cpuset"
	"github.com/relay-gateway/relay/bench/internal/load"
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
      rateLimits: { default: { perSecond: 1000000, burst: 1000000 } }
      proxy:
        rules:
          - { path: /api/items, methods: [GET], minRole: Viewer }
    secureJsonData: { bearerToken: demo-token }
`

func BenchmarkProxyRedisLimitsVsInMemory(b *testing.B) {
	r := harness.StartRedis(b, harness.RedisOptions{})
	quiet := []string{"-log-level", "warn"}
	mem := harness.Start(b, harness.Options{Provisioning: provisioning, DevHostArgs: quiet, DemoArgs: quiet})
	shared := harness.Start(b, harness.Options{Provisioning: provisioning, SkipDemo: true, Env: map[string]string{"DEMO_URL": mem.DemoURL},
		DevHostArgs: append([]string{"-plugin-config", "redis_url=" + r.URL}, quiet...)})
	path := "/api/datasources/uid/relay/resources/proxy/api/items?limit=1"
	layouts := []cpuset.Layout{cpuset.Shared()}
	if split, ok := cpuset.Split(); ok {
		layouts = append(layouts, split)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, l := range layouts {
			if err := l.Apply([]int{mem.DevHostPID, mem.PluginPID, shared.DevHostPID, shared.PluginPID}, []int{mem.DemoPID, r.PID()}); err != nil {
				b.Fatal(err)
			}
			res := load.Interleave([]load.Scenario{
				{Name: "in-memory limits", URL: mem.URL(path), User: "viewer", Pass: "viewer"},
				{Name: "Redis limits", URL: shared.URL(path), User: "viewer", Pass: "viewer"},
			}, 200, load.Options{Requests: 3000, Concurrency: 8, MaxDuration: 10 * time.Second, Warmup: 100})
			for _, x := range res {
				if x.Errors > 0 {
					b.Fatalf("%s: %d errors", x.Name, x.Errors)
				}
			}
			// The Redis path really kept its buckets in Redis (they expire a second after the last call).
			if n, _ := strconv.Atoi(strings.TrimPrefix(r.Command("DBSIZE"), ":")); n == 0 {
				b.Fatal("no key in Redis: the limits were not shared")
			}
			ratio := res[1].RPS() / res[0].RPS()
			fmt.Printf("\n/proxy GET, %s\n%s\n%s\nratio (Redis-backed / in-memory limits, req/s): %s\n", l, res[0], res[1],
				target.AtLeast(ratio, 0.85, "%.3f×"))
			b.ReportMetric(ratio, "ratio-"+strings.Fields(l.Name)[0])
		}
	}
}
