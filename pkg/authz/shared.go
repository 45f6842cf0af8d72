package authz

import (
	"context"
	"strconv"
	"time"

	"golang.org/x/time/rate"
)

// Shared rate limits and lockouts. Alone, a Relay process keeps its token
// buckets in memory (Limiters). In a Grafana fleet (several replicas, each
// with its own plugin process) that would multiply every limit by the
// number of replicas, so with Redis configured the buckets live there
// (pkg/shared). When the shared store fails, the local buckets decide: a
// read is never refused because Redis is gone, and the limits then hold per
// replica (docs/ha.md).

// RateLimiter decides one call for key (any string: a caller, an org's
// anonymous bucket) in class. Limiters (in process) is the default.
type RateLimiter interface {
	// Reserve takes a token, or says how long until one is available.
	Reserve(key, class string) (ok bool, wait time.Duration)
	// Exhausted reports, without taking a token, whether none is left.
	Exhausted(key, class string) (bool, time.Duration)
}

// SharedBuckets is a fleet-wide token bucket store. Each method returns
// within its own short timeout; an error means the store is unavailable.
type SharedBuckets interface {
	// Take takes one token from bucket key refilled one per every, holding
	// at most burst; otherwise it says how long until one is available.
	Take(ctx context.Context, key string, every time.Duration, burst int) (ok bool, wait time.Duration, err error)
	// Peek reports whether bucket key has no token left, taking none.
	Peek(ctx context.Context, key string, every time.Duration, burst int) (empty bool, wait time.Duration, err error)
}

var (
	_ RateLimiter = (*Limiters)(nil)
	_ RateLimiter = (*sharedLimiter)(nil)
)

// noRefill stands for a rate of 0 (a class with only its burst): a GCRA
// store needs a finite period.
const noRefill = 365 * 24 * time.Hour

// sharedLimiter asks the fleet's store first and falls back to the local
// buckets when the store is unavailable.
type sharedLimiter struct {
	store   SharedBuckets
	local   *Limiters
	rateFor func(class string) (rate.Limit, int)
}

func (s *sharedLimiter) params(class string) (string, time.Duration, int) {
	lim, burst := s.rateFor(class)
	every := noRefill
	if lim == rate.Inf {
		every = 0
	} else if lim > 0 {
		every = time.Duration(float64(time.Second) / float64(lim))
	}
	// The class's length first: the key is unambiguous whatever either holds.
	return strconv.Itoa(len(class)) + ":" + class + ":", every, burst
}

func (s *sharedLimiter) Reserve(key, class string) (bool, time.Duration) {
	prefix, every, burst := s.params(class)
	if every == 0 {
		return true, 0
	}
	ok, wait, err := s.store.Take(context.Background(), prefix+key, every, burst)
	if err != nil {
		return s.local.Reserve(key, class)
	}
	return ok, wait
}

func (s *sharedLimiter) Exhausted(key, class string) (bool, time.Duration) {
	prefix, every, burst := s.params(class)
	if every == 0 {
		return false, 0
	}
	empty, wait, err := s.store.Peek(context.Background(), prefix+key, every, burst)
	if err != nil {
		return s.local.Exhausted(key, class)
	}
	return empty, wait
}

// ShareLimits moves the rate limits and the API key lockout counters of this
// policy (and every upstream view of it) to store, keeping the in-process
// buckets as the fallback. Called once, when the instance is built.
func (p *Policy) ShareLimits(store SharedBuckets) {
	limits := &sharedLimiter{store: store, local: p.local, rateFor: p.local.rateFor}
	failures := &sharedLimiter{store: store, local: p.localFailures, rateFor: p.localFailures.rateFor}
	for _, v := range p.views {
		if v != p {
			v.limits, v.failures = limits, failures
		}
	}
	p.limits, p.failures = limits, failures
}
