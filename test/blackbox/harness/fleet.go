package harness

import (
	"net/http"
	"sync/atomic"
	"testing"
)

// Fleet is Relay as Grafana runs it in HA: several replicas, each a dev host with its own plugin process, on one
// provisioning and one upstream (the first replica's demo API), behind a round-robin balancer (Do). With
// FleetOptions.Redis every replica's plugin gets redis_url, as grafana.ini's [plugin.relay-gateway-datasource]
// section gives it to every Grafana replica.
type Fleet struct {
	Replicas []*Stack
	// DemoURL is the shared upstream's base URL.
	DemoURL string
	next    *atomic.Uint64
}

// FleetOptions: Replicas (default 3) and Redis (nil: each replica keeps its own state).
type FleetOptions struct {
	Replicas int
	Redis    *Redis
}

// StartFleet starts the replicas one after the other (Options as for Start; every replica shares the first one's
// demo API).
func StartFleet(t testing.TB, fo FleetOptions, opts Options) *Fleet {
	t.Helper()
	if fo.Replicas < 1 {
		fo.Replicas = 3
	}
	if fo.Redis != nil {
		opts.DevHostArgs = append(append([]string{}, opts.DevHostArgs...), "-plugin-config", "redis_url="+fo.Redis.URL)
	}
	f := &Fleet{next: &atomic.Uint64{}}
	for i := 0; i < fo.Replicas; i++ {
		o := opts
		if i > 0 {
			o.SkipDemo = true
			env := map[string]string{}
			for k, v := range opts.Env {
				env[k] = v
			}
			env["DEMO_URL"] = f.DemoURL
			o.Env = env
		}
		s := Start(t, o)
		if i == 0 {
			f.DemoURL = s.DemoURL
		}
		f.Replicas = append(f.Replicas, s)
	}
	return f
}

// Next is the replica the balancer sends the next request to.
func (f *Fleet) Next() *Stack {
	return f.Replicas[int(f.next.Add(1)-1)%len(f.Replicas)]
}

// Do sends one request to the next replica, as Stack.Do.
func (f *Fleet) Do(method, path, user string, body any, headers map[string]string) (*http.Response, []byte) {
	return f.Next().Do(method, path, user, body, headers)
}

// With returns the same fleet reporting to t (for subtests).
func (f *Fleet) With(t testing.TB) *Fleet {
	c := &Fleet{DemoURL: f.DemoURL, next: f.next}
	for _, s := range f.Replicas {
		c.Replicas = append(c.Replicas, s.With(t))
	}
	return c
}
