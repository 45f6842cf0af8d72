package gatewaybench

import (
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/relay-gateway/relay/bench/internal/load"
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
	fmt.Printf("%s\nplugin CPU per call %.0f µs; profiles in %s (go tool pprof -diff_base heap-before.pprof heap-after.pprof for allocations)\n",
		r, float64((cpuTime(relay.PluginPID)-before).Microseconds())/float64(r.Requests), *profileDir)
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
