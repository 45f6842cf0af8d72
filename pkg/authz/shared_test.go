package authz

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/relay-gateway/relay/pkg/role"
)

// Edge cases of the shared seams with in-memory fakes; the Redis
// implementations are tested against a real server in pkg/shared and
// through the dev host in test/blackbox.

type fakeBuckets struct {
	mu    sync.Mutex
	down  bool
	taken map[string]int
	keys  []string
}

func (f *fakeBuckets) Take(_ context.Context, key string, every time.Duration, burst int) (bool, time.Duration, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down {
		return false, 0, errors.New("down")
	}
	f.keys = append(f.keys, key)
	if f.taken[key] >= burst {
		return false, every, nil
	}
	f.taken[key]++
	return true, 0, nil
}

func (f *fakeBuckets) Peek(_ context.Context, key string, every time.Duration, burst int) (bool, time.Duration, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down {
		return false, 0, errors.New("down")
	}
	return f.taken[key] >= burst, every, nil
}

func TestSharedLimitsFallBackToLocal(t *testing.T) {
	c := &clock{t: time.Now()}
	p := policyWith(t, `{"rateLimits":{"default":{"perSecond":2,"burst":3}}}`, nil, c)
	store := &fakeBuckets{taken: map[string]int{}}
	p.ShareLimits(store)
	req := Requirement{Scope: "info", MinRole: role.Viewer}
	ok := 0
	for i := 0; i < 5; i++ {
		if _, err := p.Authorize(editor, req, "read", ""); err == nil {
			ok++
		} else if err.Status != 429 || err.RetryAfter != 1 {
			t.Fatalf("refusal: %+v", err)
		}
	}
	if ok != 3 || len(store.keys) != 5 || store.keys[0] != "4:read:"+editor.Key() {
		t.Fatalf("shared: %d allowed, keys %q", ok, store.keys)
	}
	// The store is gone: the local buckets (untouched so far) decide.
	store.down = true
	ok = 0
	for i := 0; i < 5; i++ {
		if _, err := p.Authorize(editor, req, "read", ""); err == nil {
			ok++
		}
	}
	if ok != 3 {
		t.Fatalf("local fallback allowed %d of 5 with burst 3", ok)
	}
}

func TestSharedLockout(t *testing.T) {
	c := &clock{t: time.Now()}
	p := policyWith(t, `{"apiKeys":[{"name":"k"}]}`, map[string]string{"apiKeyHash.k": keyHash("0123456789abcdef", "good")}, c)
	store := &fakeBuckets{taken: map[string]int{}}
	p.ShareLimits(store)
	req := Requirement{Scope: "action:x", MinRole: role.Viewer, APIKey: true}
	for i := 0; i < keyFailureBurst; i++ {
		p.Authorize(editor, req, "action", "bad")
	}
	// Another replica (another policy on the same store) sees the lockout.
	other := policyWith(t, `{"apiKeys":[{"name":"k"}]}`, map[string]string{"apiKeyHash.k": keyHash("0123456789abcdef", "good")}, c)
	other.ShareLimits(store)
	if _, err := other.Authorize(editor, req, "action", "good"); err == nil || err.Status != 429 {
		t.Fatalf("lockout not shared: %v", err)
	}
}

type fakeStream struct {
	mu      sync.Mutex
	down    bool
	entries [][]byte
}

func (f *fakeStream) Append(_ context.Context, e [][]byte) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down {
		return errors.New("down")
	}
	f.entries = append(f.entries, e...)
	return nil
}

func (f *fakeStream) Recent(_ context.Context, limit int) ([][]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down {
		return nil, errors.New("down")
	}
	out := [][]byte{}
	for i := len(f.entries) - 1; i >= 0 && (limit == 0 || len(out) < limit); i-- {
		out = append(out, f.entries[i])
	}
	return out, nil
}

func TestAuditKeepsEntriesWhileTheStreamIsDown(t *testing.T) {
	stream := &fakeStream{down: true}
	a := NewAudit(3, nil)
	a.Share(stream)
	defer a.Close()
	t0 := time.Now()
	for i := 0; i < 5; i++ {
		a.Record(AuditEntry{Time: t0.Add(time.Duration(i) * time.Second), RequestID: string(rune('a' + i))})
	}
	got, scope := a.List(0)
	if scope != AuditScopeReplica || len(got) != 3 || got[0].RequestID != "e" {
		t.Fatalf("down: %s %+v", scope, got)
	}
	stream.mu.Lock()
	stream.down = false
	stream.mu.Unlock()
	// Listing flushes first: the queued entries (the newest ringSize) are in the fleet's list.
	got, scope = a.List(0)
	if scope != AuditScopeFleet || len(got) != 3 || got[0].RequestID != "e" || got[2].RequestID != "c" {
		t.Fatalf("back: %s %+v", scope, got)
	}
	// Each entry went once.
	a.Record(AuditEntry{Time: t0.Add(10 * time.Second), RequestID: "f"})
	a.List(0)
	stream.mu.Lock()
	defer stream.mu.Unlock()
	ids := ""
	for _, b := range stream.entries {
		var e AuditEntry
		_ = json.Unmarshal(b, &e)
		ids += e.RequestID
	}
	if ids != "cdef" {
		t.Fatalf("stream holds %q", ids)
	}
}

func TestAuditFlusherSendsInTheBackground(t *testing.T) {
	stream := &fakeStream{}
	a := NewAudit(10, nil)
	a.Share(stream)
	a.Record(AuditEntry{RequestID: "x"})
	deadline := time.Now().Add(5 * time.Second)
	for {
		stream.mu.Lock()
		n := len(stream.entries)
		stream.mu.Unlock()
		if n == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("not flushed")
		}
		time.Sleep(10 * time.Millisecond)
	}
	a.Close()
	a.Close() // twice is fine
}
