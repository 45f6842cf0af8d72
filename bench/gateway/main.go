// Command gateway benchmarks Relay's resource path in one run, each figure
// next to its baseline:
//
//   - Relay's /info vs a minimal SDK plugin's /ping, both through the dev host
//     over the real plugin protocol (target: Relay ≥ 0.85 × minimal);
//   - a small JSON GET through /proxy vs Relay's /info (target ≥ 0.8 ×), and
//     its added p50 over calling the demo API directly;
//   - a 1 GiB upstream body through /proxy: time to first byte, throughput and
//     the plugin's peak RSS (VmHWM), next to a buffering io.ReadAll proxy.
//
// Usage: go run ./bench/gateway [-requests 3000] [-concurrency 8] [-stream-bytes 1073741824]
package main

import (
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/relay-gateway/relay/bench/internal/load"
	"github.com/relay-gateway/relay/bench/internal/stack"
)

func main() {
	requests := flag.Int("requests", 3000, "requests per load scenario")
	concurrency := flag.Int("concurrency", 8, "concurrent clients")
	maxDur := flag.Duration("max-duration", 20*time.Second, "time bound per load scenario")
	streamBytes := flag.Int64("stream-bytes", 1<<30, "size of the streamed body")
	bufProxy := flag.String("buffering-proxy", "", "internal: run the io.ReadAll baseline proxy for this upstream URL")
	flag.Parse()
	if *bufProxy != "" {
		runBufferingProxy(*bufProxy)
		return
	}
	if err := run(*requests, *concurrency, *maxDur, *streamBytes); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

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

const users = "- { login: bench, password: bench, role: Viewer }\n"

func run(requests, concurrency int, maxDur time.Duration, streamBytes int64) error {
	root, err := stack.ModuleRoot()
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "relay-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	fmt.Println("building relay, minimal plugin, dev host, demo API...")
	if err := stack.Build(root, dir, map[string]string{"gpx_relay": "./pkg", "gpx_minimal": "./bench/minimal",
		"devhost": "./cmd/devhost", "demoapi": "./cmd/demoapi"}); err != nil {
		return err
	}
	prov := filepath.Join(dir, "prov.yaml")
	usersFile := filepath.Join(dir, "users.yaml")
	_ = os.WriteFile(prov, []byte(provisioning), 0o600)
	_ = os.WriteFile(usersFile, []byte(users), 0o600)

	demo, err := stack.Start(filepath.Join(dir, "demoapi"), os.Environ(), filepath.Join(dir, "demo.log"), "demoapi listening on ", "-addr", "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer demo.Stop()
	env := append(os.Environ(), "DEMO_URL="+demo.URL)
	devhost := func(plugin string) (*stack.Process, error) {
		return stack.Start(filepath.Join(dir, "devhost"), env, filepath.Join(dir, plugin+".log"), "devhost listening on ",
			"-plugin", filepath.Join(dir, plugin), "-provisioning", prov, "-users", usersFile, "-addr", "127.0.0.1:0", "-log-level", "error")
	}
	minimal, err := devhost("gpx_minimal")
	if err != nil {
		return err
	}
	defer minimal.Stop()
	relay, err := devhost("gpx_relay")
	if err != nil {
		return err
	}
	defer relay.Stop()

	o := load.Options{Requests: requests, Concurrency: concurrency, MaxDuration: maxDur, Warmup: 200}
	res := "/api/datasources/uid/bench/resources"
	ping := load.Run("minimal plugin /ping", minimal.URL+res+"/ping", "bench", "bench", o)
	info := load.Run("relay /info", relay.URL+res+"/info", "bench", "bench", o)
	proxied := load.Run("relay /proxy/health", relay.URL+res+"/proxy/health", "bench", "bench", o)
	direct := load.Run("demo API /health (direct)", demo.URL+"/health", "", "", o)
	fmt.Println()
	for _, r := range []load.Result{ping, info, proxied, direct} {
		fmt.Println(r)
	}
	fmt.Println()
	fmt.Printf("relay /info vs minimal /ping:      %.2f × req/s  (target ≥ 0.85)\n", info.RPS()/ping.RPS())
	fmt.Printf("relay /proxy vs relay /info:       %.2f × req/s  (target ≥ 0.80)\n", proxied.RPS()/info.RPS())

	// Latency without queueing: one client at a time.
	seq := load.Options{Requests: requests / 3, Concurrency: 1, MaxDuration: maxDur, Warmup: 100}
	lping := load.Run("minimal /ping, 1 client", minimal.URL+res+"/ping", "bench", "bench", seq)
	linfo := load.Run("relay /info, 1 client", relay.URL+res+"/info", "bench", "bench", seq)
	lproxy := load.Run("relay /proxy/health, 1 client", relay.URL+res+"/proxy/health", "bench", "bench", seq)
	ldirect := load.Run("demo /health direct, 1 client", demo.URL+"/health", "", "", seq)
	fmt.Println()
	for _, r := range []load.Result{lping, linfo, lproxy, ldirect} {
		fmt.Println(r)
	}
	fmt.Printf("\nproxy p50 added over calling the demo API directly: %.3f ms (target ≤ 0.5)\n", msOf(lproxy.P50-ldirect.P50))
	fmt.Printf("  of which Grafana's hop (dev host + plugin protocol, minimal /ping p50): %.3f ms; Relay's own part: %.3f ms\n",
		msOf(lping.P50), msOf(lproxy.P50-ldirect.P50-lping.P50))

	return streamComparison(dir, relay, demo, streamBytes)
}

func streamComparison(dir string, relay, demo *stack.Process, size int64) error {
	pid, err := pluginPID(relay.URL)
	if err != nil {
		return err
	}
	before, _ := stack.VmHWM(pid)
	url := fmt.Sprintf("%s/api/datasources/uid/bench/resources/proxy/large?size=%d", relay.URL, size)
	ttfb, total, n, err := stream(url, "bench", "bench")
	if err != nil {
		return fmt.Errorf("relay stream: %w", err)
	}
	after, _ := stack.VmHWM(pid)

	self, _ := os.Executable()
	buf, err := stack.Start(self, os.Environ(), filepath.Join(dir, "bufproxy.log"), "bufproxy listening on ", "-buffering-proxy", demo.URL)
	if err != nil {
		return err
	}
	defer buf.Stop()
	bttfb, btotal, bn, err := stream(fmt.Sprintf("%s/large?size=%d", buf.URL, size), "", "")
	if err != nil {
		return fmt.Errorf("buffering stream: %w", err)
	}
	bhwm, _ := stack.VmHWM(buf.Cmd.Process.Pid)

	fmt.Printf("\n%d MiB upstream body:\n", size>>20)
	fmt.Printf("  relay /proxy (streaming):   first byte %7.1f ms, total %6.2f s, %6.0f MiB/s, plugin VmHWM %d MiB (before %d MiB), %d bytes\n",
		msOf(ttfb), total.Seconds(), float64(n)/(1<<20)/total.Seconds(), after>>10, before>>10, n)
	fmt.Printf("  io.ReadAll proxy (baseline): first byte %7.1f ms, total %6.2f s, %6.0f MiB/s, process VmHWM %d MiB, %d bytes\n",
		msOf(bttfb), btotal.Seconds(), float64(bn)/(1<<20)/btotal.Seconds(), bhwm>>10, bn)
	fmt.Printf("  targets: first byte well under 100 ms; plugin VmHWM under 64 MiB\n")
	return nil
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
	first := make([]byte, 1)
	if _, err := io.ReadFull(resp.Body, first); err != nil {
		return 0, 0, 0, err
	}
	ttfb = time.Since(start)
	n, err = io.Copy(io.Discard, resp.Body)
	return ttfb, time.Since(start), n + 1, err
}

func pluginPID(devhostURL string) (int, error) {
	resp, err := http.Get(devhostURL + "/api/devhost/plugin")
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var v struct {
		PID int `json:"pid"`
	}
	err = decodeJSON(resp.Body, &v)
	return v.PID, err
}

func msOf(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
