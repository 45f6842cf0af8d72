package cache

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

func value(m prometheus.Metric) float64 {
	var out dto.Metric
	_ = m.Write(&out)
	if out.Gauge != nil {
		return out.Gauge.GetValue()
	}
	return out.Counter.GetValue()
}

func entry(n int) *Entry {
	return &Entry{Status: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: make([]byte, n),
		Expires: time.Now().Add(time.Minute)}
}

func TestLRUEvictionKeepsBytesWithinBound(t *testing.T) {
	const max = 64 << 10
	c := New(max, t.Name())
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 5000; i++ {
		key := fmt.Sprint("k", rng.IntN(300))
		switch rng.IntN(3) {
		case 0:
			c.Get(key)
		default:
			c.Put(key, entry(rng.IntN(8<<10)))
		}
		if b := c.Bytes(); b > max || b < 0 {
			t.Fatalf("step %d: %d bytes held, bound %d", i, b, max)
		}
	}
	// The gauge follows the bookkeeping.
	if got := value(c.m.bytes); got != float64(c.Bytes()) {
		t.Fatalf("relay_cache_bytes = %v, want %d", got, c.Bytes())
	}
}

func TestLeastRecentlyUsedGoesFirst(t *testing.T) {
	one := entry(1000).Size("a")
	c := New(3*one, t.Name())
	evictedBefore := value(c.m.evictions) // the counter outlives the test with -count > 1
	c.Put("a", entry(1000))
	c.Put("b", entry(1000))
	c.Put("c", entry(1000))
	c.Get("a") // a is now the most recently used; b the least
	c.Put("d", entry(1000))
	if c.Get("b") != nil {
		t.Fatal("b should have been evicted")
	}
	for _, k := range []string{"a", "c", "d"} {
		if c.Get(k) == nil {
			t.Fatalf("%s evicted", k)
		}
	}
	if got := value(c.m.evictions) - evictedBefore; got != 1 {
		t.Fatalf("evictions = %v", got)
	}
}

func TestPutReplacesAndRefusesOversize(t *testing.T) {
	c := New(10_000, t.Name())
	c.Put("a", entry(5000))
	c.Put("a", entry(100))
	if c.Len() != 1 || c.Bytes() != entry(100).Size("a") {
		t.Fatalf("replace: len %d bytes %d", c.Len(), c.Bytes())
	}
	if c.Put("a", entry(20_000)) {
		t.Fatal("stored an entry larger than the whole cache")
	}
	if c.Len() != 0 || c.Bytes() != 0 {
		t.Fatalf("an oversize replacement must drop the old entry: len %d bytes %d", c.Len(), c.Bytes())
	}
}

func TestCollapseRunsOnceForConcurrentCallers(t *testing.T) {
	c := New(1<<20, t.Name())
	var calls atomic.Int32
	release := make(chan struct{})
	const n = 16
	var wg sync.WaitGroup
	var ran atomic.Int32
	started := make(chan struct{}, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			started <- struct{}{}
			v, r := c.Collapse("k", func() any {
				calls.Add(1)
				<-release
				return "value"
			})
			if r {
				ran.Add(1)
			}
			if v != "value" {
				t.Errorf("got %v", v)
			}
		}()
	}
	for i := 0; i < n; i++ {
		<-started
	}
	time.Sleep(200 * time.Millisecond) // let the goroutines reach Collapse
	close(release)
	wg.Wait()
	if calls.Load() != 1 || ran.Load() != 1 {
		t.Fatalf("fn ran %d times, %d callers think they ran it", calls.Load(), ran.Load())
	}
}

func TestConcurrentUseRace(t *testing.T) {
	c := New(32<<10, t.Name())
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 2000; i++ {
				k := fmt.Sprint(i % 50)
				if e := c.Get(k); e != nil {
					_ = e.Fresh(time.Now())
				}
				c.Put(k, entry((g*i)%4000))
				if i%97 == 0 {
					c.Remove(k)
				}
			}
		}(g)
	}
	wg.Wait()
	if c.Bytes() > c.MaxBytes() {
		t.Fatalf("bytes %d over bound", c.Bytes())
	}
}

func TestFreshness(t *testing.T) {
	ttl := 30 * time.Second
	h := func(kv ...string) http.Header {
		out := http.Header{}
		for i := 0; i < len(kv); i += 2 {
			out.Add(kv[i], kv[i+1])
		}
		return out
	}
	cases := []struct {
		name     string
		status   int
		header   http.Header
		ttl      time.Duration
		storable bool
	}{
		{"plain 200", 200, h(), ttl, true},
		{"not 200", 404, h(), 0, false},
		{"no-store", 200, h("Cache-Control", "no-store"), 0, false},
		{"private", 200, h("Cache-Control", "private, max-age=60"), 0, false},
		{"private with field names", 200, h("Cache-Control", `private="Set-Cookie"`), 0, false},
		{"NO-STORE upper case in a second header", 200, h("Cache-Control", "max-age=10", "Cache-Control", "NO-STORE"), 0, false},
		{"max-age longer than the rule", 200, h("Cache-Control", "max-age=60"), ttl, true},
		{"max-age shorter than the rule", 200, h("Cache-Control", "max-age=5"), 5 * time.Second, true},
		{"s-maxage wins over max-age", 200, h("Cache-Control", "max-age=5, s-maxage=20"), 20 * time.Second, true},
		{"no-cache with ETag: always revalidate", 200, h("Cache-Control", "no-cache", "ETag", `"v1"`), 0, true},
		{"no-cache without validator", 200, h("Cache-Control", "no-cache"), 0, false},
		{"max-age=0 with Last-Modified", 200, h("Cache-Control", "max-age=0", "Last-Modified", "Mon, 01 Jan 2024 00:00:00 GMT"), 0, true},
		{"malformed max-age is 0", 200, h("Cache-Control", "max-age=soon"), 0, false},
		{"Pragma no-cache without Cache-Control", 200, h("Pragma", "no-cache"), 0, false},
		{"Vary *", 200, h("Vary", "Accept, *"), 0, false},
		{"Set-Cookie", 200, h("Set-Cookie", "a=b"), 0, false},
	}
	for _, tc := range cases {
		got, ok := Freshness(tc.status, tc.header, ttl)
		if ok != tc.storable || (ok && got != tc.ttl) {
			t.Errorf("%s: ttl %v storable %v, want %v %v", tc.name, got, ok, tc.ttl, tc.storable)
		}
	}
	if _, ok := Freshness(200, h(), 0); ok {
		t.Error("a rule without cacheTTL must not store")
	}
}
