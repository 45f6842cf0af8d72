package cache_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/relay-gateway/relay/pkg/cache"
	"github.com/relay-gateway/relay/pkg/cache/cachetest"
)

func fresh(body string, stored time.Time) *cache.Entry {
	return &cache.Entry{Status: 200, Header: http.Header{}, Body: []byte(body), Stored: stored, Expires: stored.Add(time.Minute)}
}

func TestKeyIsAHashOfDistinctParts(t *testing.T) {
	k := cache.Key("a", "bc")
	if len(k) != 64 || k == cache.Key("ab", "c") || k == cache.Key("a", "b", "c") || k != cache.Key("a", "bc") {
		t.Fatalf("keys must be stable SHA-256 hex and tell part boundaries apart: %s", k)
	}
}

func TestLookupPrefersANewerSharedEntry(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	remote := cachetest.New(func() time.Time { return now })
	c := cache.New(1<<20, t.Name())
	c.SetRemote(remote)
	ctx := context.Background()
	if e, _ := c.Lookup(ctx, "k", now); e != nil {
		t.Fatal("empty tiers")
	}
	remote.Set("k", fresh("remote", now), time.Minute)
	if e, fromRemote := c.Lookup(ctx, "k", now); e == nil || !fromRemote || string(e.Body) != "remote" {
		t.Fatalf("remote entry: %+v %v", e, fromRemote)
	}
	if c.Get("k") == nil {
		t.Fatal("a shared entry is kept locally")
	}
	// A fresh local entry never leaves the process.
	gets := remote.Count("Get")
	c.Lookup(ctx, "k", now)
	if remote.Count("Get") != gets {
		t.Fatal("a local hit asked the shared tier")
	}
	// A stale local entry gives way to a newer shared one.
	later := now.Add(2 * time.Minute)
	remote.Set("k", fresh("newer", later), time.Hour)
	if e, _ := c.Lookup(ctx, "k", later); string(e.Body) != "newer" {
		t.Fatalf("got %q", e.Body)
	}
	// Errors are local behaviour.
	remote.SetDown(true)
	if e, fromRemote := c.Lookup(ctx, "k", later.Add(2*time.Minute)); e == nil || fromRemote {
		t.Fatal("the stale local entry is still there when the shared tier is down")
	}
	if c.Share(ctx, "k2", fresh("x", later), time.Minute) != true || c.Get("k2") == nil {
		t.Fatal("Share stores locally whatever the shared tier says")
	}
}

func TestAwaitLeader(t *testing.T) {
	ctx := context.Background()
	c := cache.New(1<<20, t.Name())
	if e, lead := c.AwaitLeader(ctx, "k", time.Second, time.Now().Add(time.Second), time.Now); e != nil || lead {
		t.Fatal("without a shared tier nobody leads and nobody waits")
	}
	remote := cachetest.New(nil)
	c.SetRemote(remote)
	if _, lead := c.AwaitLeader(ctx, "k", time.Minute, time.Now().Add(time.Second), time.Now); !lead {
		t.Fatal("the first caller leads")
	}
	// A second replica waits until its limit, then fetches without a claim.
	start := time.Now()
	if e, lead := c.AwaitLeader(ctx, "k", time.Minute, time.Now().Add(100*time.Millisecond), time.Now); e != nil || lead {
		t.Fatal("no entry arrived: fetch anyway")
	}
	if time.Since(start) < 100*time.Millisecond || remote.Count("Get") < 2 {
		t.Fatalf("gave up after %v and %d polls", time.Since(start), remote.Count("Get"))
	}
	// The leader's entry arriving ends the wait.
	go func() {
		time.Sleep(50 * time.Millisecond)
		remote.Set("k", fresh("led", time.Now()), time.Minute)
	}()
	if e, lead := c.AwaitLeader(ctx, "k", time.Minute, time.Now().Add(10*time.Second), time.Now); e == nil || lead || string(e.Body) != "led" {
		t.Fatalf("%+v %v", e, lead)
	}
	c.ReleaseLead(ctx, "k")
	if _, lead := c.AwaitLeader(ctx, "k", time.Minute, time.Now(), time.Now); !lead {
		t.Fatal("a released claim can be taken again")
	}
	remote.SetDown(true)
	if e, lead := c.AwaitLeader(ctx, "other", time.Minute, time.Now().Add(time.Hour), time.Now); e != nil || lead {
		t.Fatal("a failing shared tier: fetch at once, no claim")
	}
}
