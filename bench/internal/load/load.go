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
}

// Run sends GET url with the given basic-auth credentials until Requests are
// done or MaxDuration passes. A non-2xx status counts as an error.
func Run(name, url, user, pass string, o Options) Result {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: o.Concurrency * 2}, Timeout: 10 * time.Second}
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
	lat = lat[:done]
	sort.Slice(lat, func(a, b int) bool { return lat[a] < lat[b] })
	r := Result{Name: name, Requests: done, Errors: int(errs.Load()), Elapsed: elapsed}
	if done > 0 {
		r.P50, r.P99 = lat[done/2], lat[min(done-1, done*99/100)]
	}
	client.CloseIdleConnections()
	return r
}
