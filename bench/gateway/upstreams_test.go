package gatewaybench

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/relay-gateway/relay/bench/internal/load"
	"github.com/relay-gateway/relay/bench/internal/target"
	"github.com/relay-gateway/relay/test/blackbox/harness"
)

// upstreamsProvisioning is a data source with n named upstreams (u0...),
// all on the demo API, each with rules of its own: 19 prefixes that do not
// match and the /health path the benchmark calls.
func upstreamsProvisioning(n, rules int, padding int) string {
	var b strings.Builder
	b.WriteString(`apiVersion: 1
datasources:
  - name: bench
    type: relay-gateway-datasource
    uid: bench
    url: $DEMO_URL
    jsonData:
      network: { allowPrivateNetworks: true }
      rateLimits: { default: { perSecond: 1000000000, burst: 1000000 } }
`)
	if padding > 0 { // an inert key as large as 1,000 upstreams, see BenchmarkUpstreamRouting
		b.WriteString("      padding: " + strings.Repeat("x", padding) + "\n")
	}
	b.WriteString("      upstreams:\n")
	for i := range n {
		fmt.Fprintf(&b, "        - name: u%d\n          url: $DEMO_URL\n          network: { allowPrivateNetworks: true }\n          proxy:\n            rules:\n", i)
		for j := range rules - 1 {
			fmt.Fprintf(&b, "              - { path: \"/r%d/\", methods: [GET], minRole: Viewer }\n", j)
		}
		b.WriteString("              - { path: \"/health\", methods: [GET, HEAD], minRole: Viewer }\n")
	}
	return b.String()
}

// BenchmarkUpstreamRouting: a small GET through /proxy/<name>/ with 1 and
// with 1,000 upstreams of 20 rules each, the stacks in alternating rounds
// against one demo API (target ≥ 0.9 × req/s).
//
// Grafana sends the data source's whole jsonData in the plugin context of
// every call, and 1,000 upstreams × 20 rules are 1.3 MB of it: receiving and
// decoding that message is most of the plugin's CPU per call (gRPC receive,
// protobuf unmarshal, the garbage it leaves), whatever the plugin does with
// it. So a third stack has 1 upstream and an inert jsonData key of the same
// size: 1,000 upstreams against it is the routing cost alone; against the
// plain 1-upstream stack, what a user of such a data source sees. Both are
// printed; the routing ratio carries the target.
//
//	go test ./bench/gateway -run '^$' -bench UpstreamRouting -benchtime 1x
func BenchmarkUpstreamRouting(b *testing.B) {
	quiet := []string{"-log-level", "error"}
	manyProv := upstreamsProvisioning(1000, 20, 0)
	one := harness.Start(b, harness.Options{Provisioning: upstreamsProvisioning(1, 20, 0), DevHostArgs: quiet, DemoArgs: []string{"-log-level", "warn"}})
	env := map[string]string{"DEMO_URL": one.DemoURL}
	padded := harness.Start(b, harness.Options{Provisioning: upstreamsProvisioning(1, 20, len(manyProv)), SkipDemo: true, DevHostArgs: quiet, Env: env})
	many := harness.Start(b, harness.Options{Provisioning: manyProv, SkipDemo: true, DevHostArgs: quiet, Env: env})
	v := func(name, url string) load.Scenario {
		return load.Scenario{Name: name, URL: url, User: "viewer", Pass: "viewer"}
	}
	o := load.Options{Requests: *requests, Concurrency: *concurrency, MaxDuration: 20 * time.Second, Warmup: 200}
	r := load.Interleave([]load.Scenario{
		v("1 upstream × 20 rules, /proxy/u0/health", one.URL(res+"/proxy/u0/health")),
		v("1 upstream × 20 rules + 1.3 MB inert jsonData, /proxy/u0/health", padded.URL(res+"/proxy/u0/health")),
		v("1,000 upstreams × 20 rules, /proxy/u999/health", many.URL(res+"/proxy/u999/health")),
		v("1,000 upstreams × 20 rules, /proxy/u0/health", many.URL(res+"/proxy/u0/health")),
	}, 250, o)
	for _, res := range r {
		if res.Errors > 0 || res.Requests == 0 {
			b.Fatalf("%s: %d of %d requests failed", res.Name, res.Errors, res.Requests)
		}
	}
	var out strings.Builder
	fmt.Fprintf(&out, "jsonData per call: 1 upstream %d bytes, 1,000 upstreams %d bytes (YAML)\n", len(upstreamsProvisioning(1, 20, 0)), len(manyProv))
	for _, res := range r {
		fmt.Fprintln(&out, res)
	}
	manyRPS := min(r[2].RPS(), r[3].RPS())
	routing := manyRPS / r[1].RPS()
	fmt.Fprintf(&out, "routing: 1,000 vs 1 upstreams (20 rules each), same jsonData size: %s\n", target.AtLeast(routing, 0.9, "%.3f × req/s"))
	fmt.Fprintf(&out, "as a user sees it (includes Grafana sending 1.3 MB of jsonData per call): %.3f × req/s\n", manyRPS/r[0].RPS())
	b.ReportMetric(routing, "routing-many/one")
	b.ReportMetric(manyRPS/r[0].RPS(), "e2e-many/one")
	fmt.Print(out.String())
}
