// Package load drives a bounded HTTP load loop and summarises latencies.
// Every run is bounded in request count and in time.
package load

import (
	"fmt"
	"io"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// Result summarises one run.
type Result struct {
	Name     string
	Requests int
	Errors   int
	Elapsed  time.Duration
	P50, P99 time.Duration

	// Probed is the change of Options.Probe over this scenario's rounds.
	Probed time.Duration

	latencies []time.Duration
}

// RPS is completed requests per second.
func (r Result) RPS() float64 { return float64(r.Requests) / r.Elapsed.Seconds() }

func (r Result) String() string {
	return fmt.Sprintf("%-28s %8.0f req/s  p50 %7.3f ms  p99 %7.3f ms  (%d requests, %d errors)",
		r.Name, r.RPS(), ms(r.P50), ms(r.P99), r.Requests, r.Errors)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// Options bound a run.
type Options struct {
	Requests    int
	Concurrency int
	MaxDuration time.Duration
	Warmup      int
	// Client is reused across runs when set (keeps connections warm).
	Client *http.Client
	// Probe, if set, reads a cumulative quantity (e.g. a process's CPU
	// time); Interleave adds up its change over each scenario's rounds.
	Probe func() time.Duration
}

// Scenario is one URL to load.
type Scenario struct {
	Name, URL, User, Pass string
}

// Interleave runs the scenarios in alternating rounds of roundSize requests
// until each has done o.Requests (or o.MaxDuration passes for a round), so
// that on a shared machine every scenario sees the same background load.
func Interleave(scenarios []Scenario, roundSize int, o Options) []Result {
	results := make([]Result, len(scenarios))
	lat := make([][]time.Duration, len(scenarios))
	clients := make([]*http.Client, len(scenarios))
	for i, sc := range scenarios {
		results[i].Name = sc.Name
		clients[i] = newClient(o.Concurrency)
		defer clients[i].CloseIdleConnections()
		warm := o
		warm.Requests, warm.Client = 0, clients[i]
		Run(sc.Name, sc.URL, sc.User, sc.Pass, warm)
	}
	for done := 0; done < o.Requests; done += roundSize {
		for i, sc := range scenarios {
			round := o
			round.Requests, round.Warmup, round.Client = roundSize, 0, clients[i]
			var before time.Duration
			if o.Probe != nil {
				before = o.Probe()
			}
			r := Run(sc.Name, sc.URL, sc.User, sc.Pass, round)
			if o.Probe != nil {
				results[i].Probed += o.Probe() - before
			}
			results[i].Requests += r.Requests
			results[i].Errors += r.Errors
			results[i].Elapsed += r.Elapsed
			lat[i] = append(lat[i], r.latencies...)
		}
	}
	for i := range results {
		results[i].setPercentiles(lat[i])
	}
	return results
}

func (r *Result) setPercentiles(lat []time.Duration) {
	sort.Slice(lat, func(a, b int) bool { return lat[a] < lat[b] })
	if n := len(lat); n > 0 {
		r.P50, r.P99 = lat[n/2], lat[min(n-1, n*99/100)]
	}
}

// Run sends GET url with the given basic-auth credentials until Requests are
// done or MaxDuration passes. A non-2xx status counts as an error.
func Run(name, url, user, pass string, o Options) Result {
	client := o.Client
	if client == nil {
		client = newClient(o.Concurrency)
		defer client.CloseIdleConnections()
	}
	do := func() (time.Duration, bool) {
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		if user != "" {
			req.SetBasicAuth(user, pass)
		}
		start := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			return time.Since(start), false
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return time.Since(start), resp.StatusCode < 300
	}
	for i := 0; i < o.Warmup; i++ {
		do()
	}
	var next, errs atomic.Int64
	lat := make([]time.Duration, o.Requests)
	deadline := time.Now().Add(o.MaxDuration)
	start := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < o.Concurrency; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= int64(o.Requests) || time.Now().After(deadline) {
					return
				}
				d, ok := do()
				lat[i] = d
				if !ok {
					errs.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	done := int(min(next.Load(), int64(o.Requests)))
	r := Result{Name: name, Requests: done, Errors: int(errs.Load()), Elapsed: elapsed, latencies: lat[:done]}
	r.setPercentiles(append([]time.Duration(nil), r.latencies...))
	return r
}

func newClient(concurrency int) *http.Client {
	return &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: concurrency * 2}, Timeout: 10 * time.Second}
}
