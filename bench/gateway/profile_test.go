package gatewaybench

import (
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/relay-gateway/relay/bench/internal/load"
	"github.com/relay-gateway/relay/bench/internal/target"
	"github.com/relay-gateway/relay/test/blackbox/harness"
)

var (
	profileDir    = flag.String("profile-dir", "", "BenchmarkGatewayProfile: where to write the plugin's CPU and heap profiles")
	profileStream = flag.Int64("profile-stream", 0, "BenchmarkGatewayProfile: then stream a body of this size, with heap profiles")
)

// BenchmarkGatewayProfile profiles the Relay plugin process (not this one)
// under the /proxy load loop of BenchmarkGateway: the plugin runs with the
// SDK's own pprof endpoint (GF_PLUGIN_PROFILING_ENABLED, on a free loopback
// port), and the CPU profile is taken while the load runs; the heap profile
// (alloc_space/alloc_objects) is read after it. Only with -profile-dir:
//
//	go test ./bench/gateway -run '^$' -bench GatewayProfile -benchtime 1x -profile-dir /tmp/prof
//	go tool pprof -top /tmp/prof/cpu.pprof
func BenchmarkGatewayProfile(b *testing.B) {
	if *profileDir == "" {
		b.Skip("needs -profile-dir")
	}
	port := freePort(b)
	relay := harness.Start(b, harness.Options{Provisioning: provisioning, DevHostArgs: []string{"-log-level", "error"},
		DemoArgs: []string{"-log-level", "warn"},
		Env:      map[string]string{"GF_PLUGIN_PROFILING_ENABLED": "true", "GF_PLUGIN_PROFILING_PORT": strconv.Itoa(port)}})
	pprof := fmt.Sprintf("http://127.0.0.1:%d/debug/pprof/", port)
	url := relay.URL(res + "/proxy/health")
	o := load.Options{Requests: *requests, Concurrency: *concurrency, MaxDuration: 20 * time.Second, Warmup: 200}
	load.Run("warm-up", url, "viewer", "viewer", o)
	fetch(b, pprof+"heap?gc=1", "heap-before.pprof") // alloc_* in the heap profile are totals since start

	const seconds = 10
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); fetch(b, fmt.Sprintf("%sprofile?seconds=%d", pprof, seconds), "cpu.pprof") }()
	before := cpuTime(relay.PluginPID)
	o.MaxDuration = seconds * time.Second
	o.Requests = 200_000 // bounded by MaxDuration first
	r := load.Run("relay /proxy/health", url, "viewer", "viewer", o)
	wg.Wait()
	fetch(b, pprof+"heap?gc=1", "heap-after.pprof")
	if r.Errors > 0 {
		b.Fatalf("%d of %d requests failed", r.Errors, r.Requests)
	}
	if *profileStream > 0 {
		// The allocations of a streamed body, and the plugin's peak RSS.
		stop := make(chan struct{})
		var mid sync.WaitGroup
		mid.Add(1)
		go func() { // an in-use heap profile while the body streams
			defer mid.Done()
			select {
			case <-stop:
			case <-time.After(2 * time.Second):
				fetch(b, pprof+"heap", "heap-stream-mid.pprof")
			}
		}()
		_, total, n, err := stream(relay.URL(fmt.Sprintf("%s/proxy/large?size=%d", res, *profileStream)), "viewer", "viewer")
		close(stop)
		mid.Wait()
		if err != nil || n != *profileStream {
			b.Fatalf("stream: %d bytes, %v", n, err)
		}
		fetch(b, pprof+"heap?gc=1", "heap-stream-after.pprof")
		hwm, _ := vmHWM(relay.PluginPID)
		fmt.Printf("%d MiB streamed in %.1f s; plugin VmHWM %d MiB (allocations: -diff_base heap-after.pprof heap-stream-after.pprof)\n",
			n>>20, total.Seconds(), hwm>>10)
	}
	fmt.Printf("%s\nplugin CPU per call %.0f µs; stack copies (runtime.copystack) %s; profiles in %s "+
		"(go tool pprof -diff_base heap-before.pprof heap-after.pprof for allocations)\n",
		r, float64((cpuTime(relay.PluginPID)-before).Microseconds())/float64(r.Requests), copystackShares(b), *profileDir)
}

// copystackShares are the shares of the CPU profile's samples spent copying
// goroutine stacks (runtime.copystack): in all, and while Relay's code was
// on the stack. The second was 9-10 % when the /proxy path's deepest stack
// crossed a size class on every call, and is about 0 since; the rest is the
// SDK's and gRPC's, on shallower stacks, and varies with the runtime's
// starting stack size (see bench/README.md, "Profiling the plugin").
func copystackShares(b *testing.B) string {
	out, err := exec.Command("go", "tool", "pprof", "-traces", filepath.Join(*profileDir, "cpu.pprof")).CombinedOutput()
	if err != nil {
		b.Errorf("go tool pprof: %v: %s", err, out)
		return "?"
	}
	var total, copies, relays time.Duration
	for _, trace := range strings.Split(string(out), "-----------+-------------------------------------------------------") {
		fields := strings.Fields(trace)
		if len(fields) < 2 {
			continue
		}
		d, err := time.ParseDuration(fields[0])
		if err != nil {
			continue // the header
		}
		total += d
		if strings.Contains(trace, "runtime.copystack\n") {
			copies += d
			if strings.Contains(trace, "github.com/relay-gateway/relay/pkg/") {
				relays += d
			}
		}
	}
	if total == 0 {
		b.Errorf("no samples in the CPU profile")
		return "?"
	}
	pct := func(d time.Duration) float64 { return 100 * float64(d) / float64(total) }
	return fmt.Sprintf("%.1f %% of it, %s under Relay's frames", pct(copies), target.AtMost(pct(relays), 2, "%.1f %%"))
}
func fetch(b *testing.B, url, name string) {
	resp, err := http.Get(url)
	if err != nil {
		b.Error(err)
		return
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		b.Errorf("%s: %d %v", url, resp.StatusCode, err)
		return
	}
	if err := os.WriteFile(filepath.Join(*profileDir, name), body, 0o644); err != nil {
		b.Error(err)
	}
}

func freePort(b *testing.B) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}
