package cache

import (
	"context"
	"time"
)

// Remote is an optional second tier shared by every replica of a Grafana
// fleet (Redis, see pkg/shared). The in-process LRU stays the first tier:
// a hit there never leaves the process. A nil Remote means process-local
// caching only, which is the default.
//
// Every method must return within a short timeout of its own; an error means
// "the shared tier is unavailable" and callers fall back to local behaviour,
// never fail the request because of it.
type Remote interface {
	// Get returns the entry stored under key, or nil (and no error) on a miss.
	Get(ctx context.Context, key string) (*Entry, error)
	// Put stores e under key for ttl. Entries larger than the remote's own
	// size limit are not stored (no error): they stay local.
	Put(ctx context.Context, key string, e *Entry, ttl time.Duration) error
	// Lead claims, for at most ttl, the right to fetch key from the upstream on
	// behalf of the fleet (cross-replica single flight). false means another
	// replica holds the claim: wait for its entry (poll Get) until the caller's
	// deadline, then fetch anyway.
	Lead(ctx context.Context, key string, ttl time.Duration) (bool, error)
	// Release gives up a claim taken by Lead (after Put, or on failure).
	Release(ctx context.Context, key string) error
}
