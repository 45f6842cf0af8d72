package shared_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/relay-gateway/relay/pkg/cache"
	"github.com/relay-gateway/relay/pkg/shared"
	"github.com/relay-gateway/relay/test/blackbox/harness"
)

func TestAuditStreamIsCappedAndShared(t *testing.T) {
	r := harness.StartRedis(t, harness.RedisOptions{})
	ctx := context.Background()
	a := open(t, r.URL).Scope(1, "ds").Audit(5)
	b := open(t, r.URL).Scope(1, "ds").Audit(5)
	for i := 0; i < 4; i++ {
		if err := a.Append(ctx, [][]byte{[]byte(fmt.Sprintf(`{"n":%d}`, 2*i)), []byte(fmt.Sprintf(`{"n":%d}`, 2*i+1))}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := b.Recent(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{`{"n":7}`, `{"n":6}`, `{"n":5}`, `{"n":4}`, `{"n":3}`}
	if len(got) != len(want) {
		t.Fatalf("got %d entries, want the newest %d", len(got), len(want))
	}
	for i := range want {
		if string(got[i]) != want[i] {
			t.Errorf("entry %d = %s, want %s", i, got[i], want[i])
		}
	}
	if got, _ := b.Recent(ctx, 2); len(got) != 2 || string(got[0]) != `{"n":7}` {
		t.Fatalf("limit 2: %q", got)
	}
	if got, _ := open(t, r.URL).Scope(1, "other").Audit(5).Recent(ctx, 0); len(got) != 0 {
		t.Fatalf("another data source sees %d entries", len(got))
	}
}

func TestIdempotencyClaims(t *testing.T) {
	r := harness.StartRedis(t, harness.RedisOptions{})
	ctx := context.Background()
	a := open(t, r.URL).Scope(1, "ds").Idempotency()
	b := open(t, r.URL).Scope(1, "ds").Idempotency()
	claim, _, _, err := a.Begin(ctx, "k1", "fp1", time.Minute)
	if err != nil || claim == "" {
		t.Fatalf("first begin: %q %v", claim, err)
	}
	// Another replica while it runs: held, no answer yet.
	c2, held, ans, err := b.Begin(ctx, "k1", "fp1", time.Minute)
	if err != nil || c2 != "" || held != "fp1" || ans != nil {
		t.Fatalf("concurrent begin: %q %q %q %v", c2, held, ans, err)
	}
	if err := a.Finish(ctx, "k1", "fp1", []byte(`{"status":200}`), time.Minute); err != nil {
		t.Fatal(err)
	}
	c2, held, ans, err = b.Begin(ctx, "k1", "fp1", time.Minute)
	if err != nil || c2 != "" || held != "fp1" || string(ans) != `{"status":200}` {
		t.Fatalf("after finish: %q %q %q %v", c2, held, ans, err)
	}
	// A different request under the key: the holder's fingerprint says so.
	if _, held, _, _ := b.Begin(ctx, "k1", "fp2", time.Minute); held != "fp1" {
		t.Fatalf("held = %q", held)
	}
	// Abandon frees the key for a retry, but only the claim's own.
	claim, _, _, _ = a.Begin(ctx, "k2", "fp", time.Minute)
	if err := b.Abandon(ctx, "k2", "p:fp:not-the-token"); err != nil {
		t.Fatal(err)
	}
	if c, _, _, _ := b.Begin(ctx, "k2", "fp", time.Minute); c != "" {
		t.Fatal("someone else's abandon freed the key")
	}
	if err := a.Abandon(ctx, "k2", claim); err != nil {
		t.Fatal(err)
	}
	if c, _, _, _ := b.Begin(ctx, "k2", "fp", time.Minute); c == "" {
		t.Fatal("abandoned key not free")
	}
	// A claim expires after its hold.
	if c, _, _, _ := a.Begin(ctx, "k3", "fp", 50*time.Millisecond); c == "" {
		t.Fatal("k3")
	}
	time.Sleep(100 * time.Millisecond)
	if c, _, _, _ := b.Begin(ctx, "k3", "fp", time.Minute); c == "" {
		t.Fatal("expired claim still held")
	}
}

func TestRemoteCache(t *testing.T) {
	r := harness.StartRedis(t, harness.RedisOptions{})
	ctx := context.Background()
	a := open(t, r.URL).Scope(1, "ds").Cache("query")
	b := open(t, r.URL).Scope(1, "ds").Cache("query")
	proxy := open(t, r.URL).Scope(1, "ds").Cache("proxy")
	now := time.Now().Truncate(time.Millisecond)
	e := &cache.Entry{Status: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(`{"a":1}`),
		Stored: now, Expires: now.Add(time.Minute)}
	if got, err := b.Get(ctx, "GET /x"); got != nil || err != nil {
		t.Fatalf("miss: %v %v", got, err)
	}
	if err := a.Put(ctx, "GET /x", e, time.Minute); err != nil {
		t.Fatal(err)
	}
	got, err := b.Get(ctx, "GET /x")
	if err != nil || got == nil || got.Status != 200 || !bytes.Equal(got.Body, e.Body) ||
		got.Header.Get("Content-Type") != "application/json" || !got.Expires.Equal(e.Expires) {
		t.Fatalf("hit: %+v %v", got, err)
	}
	if got, _ := proxy.Get(ctx, "GET /x"); got != nil {
		t.Fatal("the proxy cache sees the query cache's entry")
	}
	// Over the size limit: stays local.
	big := &cache.Entry{Status: 200, Body: bytes.Repeat([]byte("x"), shared.RemoteMaxEntry), Expires: now.Add(time.Minute)}
	if err := a.Put(ctx, "big", big, time.Minute); err != nil {
		t.Fatal(err)
	}
	if got, _ := b.Get(ctx, "big"); got != nil {
		t.Fatal("an entry over the limit was stored")
	}
	// The TTL holds.
	if err := a.Put(ctx, "short", e, 50*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	if got, err := b.Get(ctx, "short"); got != nil || err != nil {
		t.Fatalf("expired entry served: %v %v", got, err)
	}
	// One leader per key across processes; release frees it, only by its holder.
	if ok, err := a.Lead(ctx, "k", time.Minute); !ok || err != nil {
		t.Fatalf("lead: %v %v", ok, err)
	}
	if ok, err := b.Lead(ctx, "k", time.Minute); ok || err != nil {
		t.Fatalf("two leaders: %v %v", ok, err)
	}
	if err := b.Release(ctx, "k"); err != nil {
		t.Fatal(err)
	}
	if ok, err := b.Lead(ctx, "k", time.Minute); ok || err != nil {
		t.Fatalf("a non-leader's release freed the claim: %v %v", ok, err)
	}
	if err := a.Release(ctx, "k"); err != nil {
		t.Fatal(err)
	}
	if ok, err := b.Lead(ctx, "k", time.Minute); !ok || err != nil {
		t.Fatalf("released claim not free: %v %v", ok, err)
	}
}
