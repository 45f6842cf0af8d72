// Package gatewaybench measures Relay's resource path end to end, the way
// Grafana calls it (dev host + plugin binary over the plugin protocol), each
// figure next to its baseline in the same run:
//
//   - Relay's /info vs a minimal SDK plugin's /ping (target: ≥ 0.85 ×);
//
//   - a small JSON GET through /proxy vs Relay's /info (target ≥ 0.8 ×), and
//     its added p50 over calling the demo API directly, with one client; next
//     to the same figures for a bare httputil.ReverseProxy in the minimal
//     plugin, the floor for any proxy inside an SDK plugin;
//
//   - a 1 GiB upstream body through /proxy: time to first byte, throughput and
//     the plugin's peak RSS (VmHWM), next to a buffering io.ReadAll proxy.
//
// The request figures are taken with every process free to run on every
// core, then (given two CPUs or more) with the dev host and plugins on one
// half of the CPUs and the load generator and demo API on the other, as
// Grafana's machine, the browsers and the upstream API are apart in
// production (see bench/internal/cpuset): on a small machine the first layout
// charges the demo API's and the load generator's CPU to the proxy. A third
// round and stream use a Relay started with gogc = 400, to show that setting's
// CPU/memory trade-off (docs/configuration.md).
//
// A figure that misses its target says so on its line: BELOW TARGET (a
// floor) or ABOVE TARGET (a ceiling). A failed request in any scenario,
// baselines included, fails the benchmark.
//
//	go test ./bench/gateway -run '^$' -bench . -benchtime 1x [-stream-bytes N]
package gatewaybench

import (
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/relay-gateway/relay/bench/internal/cpuset"
	"github.com/relay-gateway/relay/bench/internal/load"
	"github.com/relay-gateway/relay/bench/internal/target"
	"github.com/relay-gateway/relay/test/blackbox/harness"
)

var (
	requests    = flag.Int("requests", 3000, "requests per load scenario")
	concurrency = flag.Int("concurrency", 8, "concurrent clients")
	streamBytes = flag.Int64("stream-bytes", 1<<30, "size of the streamed body")
)

const provisioning = `apiVersion: 1
datasources:
  - name: bench
    type: relay-gateway-datasource
    uid: bench
    url: $DEMO_URL
    jsonData:
      network: { allowPrivateNetworks: true }
      proxy: { rules: [ { path: "/", methods: [GET, HEAD], minRole: Viewer, timeout: 120s } ] }
      rateLimits: { default: { perSecond: 1000000000, burst: 1000000 } }
`

const res = "/api/datasources/uid/bench/resources"

func BenchmarkGateway(b *testing.B) {
	quiet := []string{"-log-level", "error"}
	relay := harness.Start(b, harness.Options{Provisioning: provisioning, DevHostArgs: quiet, DemoArgs: []string{"-log-level", "warn"}})
	// Relay again with [plugin.relay-gateway-datasource] gogc = 400: less GC
	// CPU for more memory (docs/configuration.md), both shown in this run.
	tuned := harness.Start(b, harness.Options{Provisioning: provisioning, SkipDemo: true, DevHostArgs: quiet,
		Env: map[string]string{"DEMO_URL": relay.DemoURL, "GF_PLUGIN_GOGC": "400"}})
	minimal := harness.Start(b, harness.Options{Provisioning: provisioning, PluginPackage: "./bench/minimal", SkipDemo: true, DevHostArgs: quiet,
		Env: map[string]string{"DEMO_URL": relay.DemoURL}})
	grafanaSide := []int{relay.DevHostPID, relay.PluginPID, tuned.DevHostPID, tuned.PluginPID, minimal.DevHostPID, minimal.PluginPID}

	type run struct {
		layout cpuset.Layout
		relay  *harness.Stack
		metric string
	}
	runs := []run{{cpuset.Shared(), relay, ""}}
	if split, ok := cpuset.Split(); ok {
		runs = append(runs, run{split, relay, "-split"}, run{split, tuned, "-split-gogc400"})
	}
	var out strings.Builder
	for _, r := range runs {
		if err := r.layout.Apply(grafanaSide, []int{relay.DemoPID}); err != nil {
			b.Fatal(err)
		}
		fmt.Fprintf(&out, "== %s", r.layout)
		if r.relay == tuned {
			fmt.Fprint(&out, "; relay with gogc = 400")
		}
		fmt.Fprintln(&out)
		// The demo API runs in the first stack only; the others reach it through DEMO_URL.
		m := measure(b, r.relay, minimal, relay.DemoURL)
		m.print(&out)
		b.ReportMetric(m.info.RPS()/m.ping.RPS(), "info/ping"+r.metric)
		b.ReportMetric(m.proxied.RPS()/m.info.RPS(), "proxy/info"+r.metric)
		b.ReportMetric(ms(m.added()), "added-p50-ms"+r.metric)
	}
	if err := cpuset.Shared().Apply(grafanaSide, []int{relay.DemoPID}); err != nil {
		b.Fatal(err)
	}
	streamComparison(b, &out, relay, tuned)
	fmt.Print(out.String())
}

type measurement struct {
	ping, bare, info, proxied, direct load.Result // 8 clients
	lping, lbare, lproxy, ldirect     load.Result // 1 client
}

// measure runs every throughput scenario in alternating rounds, so each sees
// the same background load, then the latency scenarios with one client. A
// failed request in any scenario, baselines included, fails the benchmark: a
// ratio against errors means nothing.
func measure(b *testing.B, relay, minimal *harness.Stack, demoURL string) measurement {
	v := func(name, url string) load.Scenario {
		return load.Scenario{Name: name, URL: url, User: "viewer", Pass: "viewer"}
	}
	// The plugins' CPU time is summed per scenario.
	o := load.Options{Requests: *requests, Concurrency: *concurrency, MaxDuration: 20 * time.Second, Warmup: 200,
		Probe: func() time.Duration { return cpuTime(relay.PluginPID) + cpuTime(minimal.PluginPID) }}
	r := load.Interleave([]load.Scenario{
		v("minimal plugin /ping", minimal.URL(res+"/ping")),
		v("minimal plugin /proxy/health", minimal.URL(res+"/proxy/health")),
		v("relay /info", relay.URL(res+"/info")),
		v("relay /proxy/health", relay.URL(res+"/proxy/health")),
		{Name: "demo API /health (direct)", URL: demoURL + "/health"},
	}, 250, o)
	seq := load.Options{Requests: *requests / 3, Concurrency: 1, MaxDuration: 20 * time.Second, Warmup: 100}
	l := load.Interleave([]load.Scenario{
		v("minimal /ping, 1 client", minimal.URL(res+"/ping")),
		v("minimal /proxy, 1 client", minimal.URL(res+"/proxy/health")),
		v("relay /proxy/health, 1 client", relay.URL(res+"/proxy/health")),
		{Name: "demo /health direct, 1 client", URL: demoURL + "/health"},
	}, 100, seq)
	for _, res := range append(r, l...) {
		if res.Errors > 0 || res.Requests == 0 {
			b.Fatalf("%s: %d of %d requests failed", res.Name, res.Errors, res.Requests)
		}
	}
	return measurement{ping: r[0], bare: r[1], info: r[2], proxied: r[3], direct: r[4], lping: l[0], lbare: l[1], lproxy: l[2], ldirect: l[3]}
}

// added is the proxy's p50 over calling the demo API directly, one client.
func (m measurement) added() time.Duration { return m.lproxy.P50 - m.ldirect.P50 }

func (m measurement) print(out *strings.Builder) {
	for _, r := range []load.Result{m.ping, m.bare, m.info, m.proxied, m.direct, m.lping, m.lbare, m.lproxy, m.ldirect} {
		fmt.Fprintln(out, r)
	}
	fmt.Fprintf(out, "relay /info vs minimal /ping:   %s\n", target.AtLeast(m.info.RPS()/m.ping.RPS(), 0.85, "%.3f × req/s"))
	fmt.Fprintf(out, "relay /proxy vs relay /info:    %s\n", target.AtLeast(m.proxied.RPS()/m.info.RPS(), 0.80, "%.3f × req/s"))
	fmt.Fprintf(out, "  the floor, a bare ReverseProxy in the minimal plugin: /proxy vs /ping %.2f ×; relay /proxy vs it %.2f ×\n",
		m.bare.RPS()/m.ping.RPS(), m.proxied.RPS()/m.bare.RPS())
	fmt.Fprintf(out, "plugin CPU per call: minimal /ping %.0f µs, minimal /proxy %.0f µs, relay /info %.0f µs, relay /proxy %.0f µs\n",
		cpuPerCall(m.ping), cpuPerCall(m.bare), cpuPerCall(m.info), cpuPerCall(m.proxied))
	fmt.Fprintf(out, "proxy p50 added over a direct call (1 client): %s; the bare ReverseProxy's: %.3f ms; "+
		"the plugin protocol hop alone (minimal /ping p50): %.3f ms\n",
		target.AtMost(ms(m.added()), 0.5, "%.3f ms"), ms(m.lbare.P50-m.ldirect.P50), ms(m.lping.P50))
}

func streamComparison(b *testing.B, out *strings.Builder, relay, tuned *harness.Stack) {
	size := *streamBytes
	fmt.Fprintf(out, "%d MiB upstream body:\n", size>>20)
	for _, s := range []struct {
		name  string
		stack *harness.Stack
	}{{"relay /proxy (streaming)", relay}, {"  same, gogc = 400", tuned}} {
		before, _ := vmHWM(s.stack.PluginPID)
		ttfb, total, n, err := stream(s.stack.URL(fmt.Sprintf("%s/proxy/large?size=%d", res, size)), "viewer", "viewer")
		if err != nil || n != size {
			b.Fatalf("relay stream: %d bytes, %v", n, err)
		}
		after, _ := vmHWM(s.stack.PluginPID)
		fmt.Fprintf(out, "  %-28s first byte %s, %6.2f s, %5.0f MiB/s, plugin VmHWM %s (%d MiB before)\n",
			s.name+":", target.AtMost(ms(ttfb), 100, "%8.1f ms"), total.Seconds(), float64(n)/(1<<20)/total.Seconds(),
			target.AtMost(float64(after>>10), 64, "%.0f MiB"), before>>10)
		if s.stack == relay {
			b.ReportMetric(ms(ttfb), "stream-ttfb-ms")
			b.ReportMetric(float64(after>>10), "plugin-VmHWM-MiB")
		} else {
			b.ReportMetric(float64(after>>10), "plugin-VmHWM-MiB-gogc400")
		}
	}

	buf := startBufferingProxy(b, relay.DemoURL)
	bttfb, btotal, bn, err := stream(fmt.Sprintf("%s/large?size=%d", buf.url, size), "", "")
	if err != nil || bn != size {
		b.Fatalf("buffering stream: %d bytes, %v", bn, err)
	}
	bhwm, _ := vmHWM(buf.cmd.Process.Pid)
	fmt.Fprintf(out, "  %-28s first byte %8.1f ms, %6.2f s, %5.0f MiB/s, process VmHWM %d MiB\n",
		"io.ReadAll proxy (baseline):", ms(bttfb), btotal.Seconds(), float64(bn)/(1<<20)/btotal.Seconds(), bhwm>>10)
}

func stream(url, user, pass string) (ttfb, total time.Duration, n int64, err error) {
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, 0, 0, err
	}
	defer resp.Body.Close()
	if _, err := io.ReadFull(resp.Body, make([]byte, 1)); err != nil {
		return 0, 0, 0, err
	}
	ttfb = time.Since(start)
	n, err = io.Copy(io.Discard, resp.Body)
	return ttfb, time.Since(start), n + 1, err
}

type bufferingProxy struct {
	cmd *exec.Cmd
	url string
}

// startBufferingProxy re-runs this test binary as the baseline proxy, in its
// own process so its peak memory can be read apart from the benchmark's.
func startBufferingProxy(b *testing.B, upstream string) bufferingProxy {
	cmd := exec.Command(os.Args[0], "-test.run=^TestBufferingProxyProcess$")
	cmd.Env = append(os.Environ(), "RELAY_BUFPROXY_UPSTREAM="+upstream)
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	line := make([]byte, 128)
	k, err := stdout.Read(line)
	if err != nil || !strings.HasPrefix(string(line[:k]), "http://") {
		b.Fatalf("buffering proxy did not start: %q %v", line[:k], err)
	}
	return bufferingProxy{cmd: cmd, url: strings.TrimSpace(string(line[:k]))}
}

// TestBufferingProxyProcess is the baseline proxy when run by
// startBufferingProxy: read the whole upstream body with io.ReadAll, then write it.
func TestBufferingProxyProcess(t *testing.T) {
	upstream := os.Getenv("RELAY_BUFPROXY_UPSTREAM")
	if upstream == "" {
		t.Skip("only runs as the benchmark's helper process")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("http://%s\n", ln.Addr())
	_ = http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		resp, err := http.Get(upstream + r.URL.RequestURI())
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		w.WriteHeader(resp.StatusCode)
		_, _ = w.Write(body)
	}))
}

func vmHWM(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kb int64
			_, err := fmt.Sscanf(strings.TrimSpace(rest), "%d kB", &kb)
			return kb, err
		}
	}
	return 0, fmt.Errorf("no VmHWM for %d", pid)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// cpuTime is a process's user+system CPU time from /proc/<pid>/stat (clock
// ticks of 10 ms; summed over thousands of calls that is precise enough).
func cpuTime(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	fields := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
	var utime, stime int64
	fmt.Sscan(fields[11], &utime)
	fmt.Sscan(fields[12], &stime)
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

func cpuPerCall(r load.Result) float64 {
	if r.Requests == 0 {
		return 0
	}
	return float64(r.Probed.Microseconds()) / float64(r.Requests)
}
