package shared_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/relay-gateway/relay/pkg/shared"
	"github.com/relay-gateway/relay/test/blackbox/harness"
)

// open builds a client for the tests of what the shared state does, each call
// bounded by stateCallTimeout rather than CallTimeout: on a loaded machine a
// call (the first above all: it dials, authenticates and selects the db) can
// exceed 200 ms, and the backoff it starts fails the next calls fast. The
// tests of timeouts and backoff use openProduction.
func open(t *testing.T, url string) *shared.Client {
	t.Helper()
	return opened(t, url, func(url string) (*shared.Client, error) {
		return shared.OpenWithCallTimeout(url, stateCallTimeout)
	})
}

// stateCallTimeout bounds each call of open's clients.
const stateCallTimeout = 5 * time.Second

// openProduction builds a client as production does (each call within
// CallTimeout) and returns it once it answers, its pool warm: the test then
// starts with the connection made and no backoff running, whatever the
// machine's load did to that first call.
func openProduction(t *testing.T, url string) *shared.Client {
	t.Helper()
	return opened(t, url, shared.Open)
}

func opened(t *testing.T, url string, openFn func(string) (*shared.Client, error)) *shared.Client {
	t.Helper()
	c, err := openFn(url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	warm(t, c)
	return c
}

// warmTimeout bounds how long open waits for a new client's first answer.
const warmTimeout = 10 * time.Second

// warm waits until c answers a Status: its connection pool holds a
// connection and no backoff is running.
func warm(t *testing.T, c *shared.Client) {
	t.Helper()
	deadline := time.Now().Add(warmTimeout)
	for {
		ok, msg := c.Status(context.Background())
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("Redis did not answer a new client within %v: %s", warmTimeout, msg)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestFromEnv(t *testing.T) {
	c, err := shared.FromEnv(func(string) string { return "" })
	if c != nil || err != nil {
		t.Fatalf("unset: %v %v", c, err)
	}
	for _, bad := range []string{"http://h:1", "redis://", "redis://:s3cret-pw@h:1/notadb", "::"} {
		_, err := shared.FromEnv(func(k string) string {
			if k != shared.EnvURL {
				t.Fatalf("read %s", k)
			}
			return bad
		})
		if err == nil {
			t.Errorf("%q: no error", bad)
		} else if strings.Contains(err.Error(), "s3cret-pw") {
			t.Errorf("%q: the error shows the password: %v", bad, err)
		}
	}
}

func TestTakeIsOneBucketAcrossClients(t *testing.T) {
	r := harness.StartRedis(t, harness.RedisOptions{})
	ctx := context.Background()
	// Two clients stand for two replicas.
	a := open(t, r.URL).Scope(1, "ds").Buckets()
	b := open(t, r.URL).Scope(1, "ds").Buckets()
	other := open(t, r.URL).Scope(2, "ds").Buckets()
	allowed := 0
	for i := 0; i < 10; i++ {
		bk := a
		if i%2 == 1 {
			bk = b
		}
		ok, wait, err := bk.Take(ctx, "alice", time.Second, 3)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			allowed++
		} else if wait <= 0 || wait > time.Second {
			t.Errorf("refused with wait %v", wait)
		}
	}
	if allowed != 3 {
		t.Fatalf("allowed %d of 10 with burst 3 across two clients", allowed)
	}
	if ok, _, _ := other.Take(ctx, "alice", time.Second, 3); !ok {
		t.Fatal("another org shares the bucket")
	}
	empty, wait, err := a.Peek(ctx, "alice", time.Second, 3)
	if err != nil || !empty || wait <= 0 {
		t.Fatalf("peek after the burst: %v %v %v", empty, wait, err)
	}
	empty, _, err = a.Peek(ctx, "bob", time.Second, 3)
	if err != nil || empty {
		t.Fatalf("peek of an unused bucket: %v %v", empty, err)
	}
	// Peeking takes nothing.
	for i := 0; i < 5; i++ {
		a.Peek(ctx, "carol", time.Second, 1)
	}
	if ok, _, _ := a.Take(ctx, "carol", time.Second, 1); !ok {
		t.Fatal("peek took a token")
	}
}

func TestUnavailableFailsFastAndReconnects(t *testing.T) {
	r := harness.StartRedis(t, harness.RedisOptions{Password: "s3cret-pw"})
	c := openProduction(t, r.URL)
	b := c.Scope(1, "ds").Buckets()
	ctx := context.Background()
	if ok, msg := c.Status(ctx); !ok || strings.Contains(msg, "s3cret-pw") || !strings.Contains(msg, "127.0.0.1") {
		t.Fatalf("status: %v %q", ok, msg)
	}
	if _, _, err := b.Take(ctx, "u", time.Second, 5); err != nil {
		t.Fatal(err)
	}
	r.Kill()
	_, _, err := b.Take(ctx, "u", time.Second, 5)
	if !errors.Is(err, shared.ErrUnavailable) {
		t.Fatalf("killed: %v", err)
	}
	// During the backoff calls fail without trying the network.
	start := time.Now()
	for i := 0; i < 100; i++ {
		if _, _, err := b.Take(ctx, "u", time.Second, 5); !errors.Is(err, shared.ErrUnavailable) {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	if d := time.Since(start); d > 100*shared.CallTimeout {
		t.Fatalf("100 calls took %v", d)
	}
	ok, msg := c.Status(ctx)
	if ok || strings.Contains(msg, "s3cret-pw") || !strings.Contains(msg, "unavailable") {
		t.Fatalf("status while down: %v %q", ok, msg)
	}
	r.Restart()
	// The backoff is at most a few seconds; the pool reconnects on its own.
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, _, err := b.Take(ctx, "u", time.Second, 5)
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no reconnect: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestPausedServerTimesOut(t *testing.T) {
	r := harness.StartRedis(t, harness.RedisOptions{})
	b := openProduction(t, r.URL).Scope(1, "ds").Buckets()
	ctx := context.Background()
	if _, _, err := b.Take(ctx, "u", time.Second, 5); err != nil {
		t.Fatal(err)
	}
	r.Pause()
	defer r.Resume()
	start := time.Now()
	_, _, err := b.Take(ctx, "u", time.Second, 5)
	if !errors.Is(err, shared.ErrUnavailable) {
		t.Fatalf("paused: %v", err)
	}
	if d := time.Since(start); d > 5*shared.CallTimeout {
		t.Fatalf("a call to a paused server took %v", d)
	}
}
