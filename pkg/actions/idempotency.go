package actions

import (
	"container/list"
	"context"
	"sync"
	"time"

	"github.com/relay-gateway/relay/pkg/apierr"
)

// Idempotency-Key handling: the first run's outcome is kept for a TTL and
// replayed for the same key; concurrent runs with one key wait for the first,
// so the upstream is called exactly once. Memory is bounded by entry count
// and bytes; the oldest outcomes go first.
const (
	IdempotencyHeader = "Idempotency-Key"
	// IdempotencyTTL is how long an outcome is replayed for its key.
	IdempotencyTTL      = 10 * time.Minute
	maxIdempotencyKey   = 255
	maxIdempotencyItems = 10_000
	maxIdempotencyBytes = 16 << 20
)

// outcome is what a run answered. Only outcomes where the upstream answered
// are kept: a run refused before the call, or whose call failed in transit,
// may be retried with the same key.
type outcome struct {
	result *Result
	err    *apierr.Error
	status int
}

func (o outcome) keep() bool { return o.result != nil }

func (o outcome) size() int64 {
	if o.result == nil {
		return 0
	}
	return o.result.size()
}

type idemEntry struct {
	key         string
	fingerprint [32]byte
	done        chan struct{} // closed when out is set
	out         outcome
	size        int64
	expires     time.Time
	elem        *list.Element // in order once finished and kept
}

type idempotencyStore struct {
	mu       sync.Mutex
	entries  map[string]*idemEntry
	order    *list.List // finished entries, oldest first (= soonest to expire)
	bytes    int64
	ttl      time.Duration
	maxItems int
	maxBytes int64
	now      func() time.Time
}

func newIdempotencyStore(now func() time.Time) *idempotencyStore {
	return &idempotencyStore{entries: map[string]*idemEntry{}, order: list.New(), ttl: IdempotencyTTL,
		maxItems: maxIdempotencyItems, maxBytes: maxIdempotencyBytes, now: now}
}

// do runs run once per key within the TTL. replayed is true when the outcome
// came from an earlier or concurrent run. A key reused for a different
// request (other parameters) is a 422.
func (s *idempotencyStore) do(ctx context.Context, key string, fp [32]byte, run func() outcome) (outcome, bool) {
	s.mu.Lock()
	s.expireLocked()
	if e, ok := s.entries[key]; ok {
		s.mu.Unlock()
		if e.fingerprint != fp {
			return outcome{err: keyReused()}, false
		}
		select {
		case <-e.done:
			return e.out, true
		case <-ctx.Done():
			return outcome{err: apierr.New(499, "client_canceled", "canceled while waiting for the first request with this Idempotency-Key")}, false
		}
	}
	e := &idemEntry{key: key, fingerprint: fp, done: make(chan struct{})}
	s.entries[key] = e
	s.mu.Unlock()

	out := outcome{err: apierr.Internal()}
	defer s.finish(e, &out) // also on panic: waiting callers get a 500, not a hang
	out = run()
	return out, false
}

func (s *idempotencyStore) finish(e *idemEntry, out *outcome) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e.out = *out
	close(e.done)
	if out.keep() {
		e.size = out.size()
		e.expires = s.now().Add(s.ttl)
		e.elem = s.order.PushBack(e)
		s.bytes += e.size
		for s.order.Len() > s.maxItems || s.bytes > s.maxBytes {
			s.removeLocked(s.order.Front().Value.(*idemEntry))
		}
	} else {
		delete(s.entries, e.key)
	}
}

func (s *idempotencyStore) expireLocked() {
	now := s.now()
	for el := s.order.Front(); el != nil; el = s.order.Front() {
		e := el.Value.(*idemEntry)
		if now.Before(e.expires) {
			return
		}
		s.removeLocked(e)
	}
}

func (s *idempotencyStore) removeLocked(e *idemEntry) {
	if e.elem != nil {
		s.order.Remove(e.elem)
		s.bytes -= e.size
		e.elem = nil
	}
	if s.entries[e.key] == e {
		delete(s.entries, e.key)
	}
}

// len and size are for tests.
func (s *idempotencyStore) len() (int, int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.entries), s.bytes
}
