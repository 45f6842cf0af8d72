// Package cachetest is an in-memory cache.Remote for unit tests: the shared
// tier of a Grafana fleet without Redis, with the failures a real one has
// (errors, a claim held by another replica) switchable. Black-box tests use a
// real redis-server; this is for the edge cases.
package cachetest

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/relay-gateway/relay/pkg/cache"
)

// ErrDown is what a Remote set Down answers.
var ErrDown = errors.New("cachetest: shared tier unavailable")

// Remote is safe for concurrent use; several instances (replicas) may share one.
type Remote struct {
	mu      sync.Mutex
	now     func() time.Time
	entries map[string]stored
	leads   map[string]time.Time // key → claim expiry

	// Down makes every call fail with ErrDown.
	Down bool
	// HeldByOther makes every Lead answer false, as if another replica
	// held every claim and never stored its entry.
	HeldByOther bool
	// Calls counts calls by method name (Get, Put, Lead, Release).
	Calls map[string]int
}

type stored struct {
	e       *cache.Entry
	expires time.Time
}

var _ cache.Remote = (*Remote)(nil)

// New returns an empty Remote on the given clock (time.Now when nil).
func New(now func() time.Time) *Remote {
	if now == nil {
		now = time.Now
	}
	return &Remote{now: now, entries: map[string]stored{}, leads: map[string]time.Time{}, Calls: map[string]int{}}
}

func (r *Remote) enter(method string) error {
	r.mu.Lock()
	r.Calls[method]++
	if r.Down {
		return ErrDown
	}
	return nil
}

// Get returns a copy of the entry under key, nil when there is none or it expired.
func (r *Remote) Get(_ context.Context, key string) (*cache.Entry, error) {
	defer r.mu.Unlock()
	if err := r.enter("Get"); err != nil {
		return nil, err
	}
	s, ok := r.entries[key]
	if !ok || !r.now().Before(s.expires) {
		return nil, nil
	}
	cp := *s.e // what crossing the network gives: a copy
	cp.Header = s.e.Header.Clone()
	cp.Body = append([]byte(nil), s.e.Body...)
	return &cp, nil
}

// Put stores e for ttl.
func (r *Remote) Put(_ context.Context, key string, e *cache.Entry, ttl time.Duration) error {
	defer r.mu.Unlock()
	if err := r.enter("Put"); err != nil {
		return err
	}
	r.entries[key] = stored{e: e, expires: r.now().Add(ttl)}
	return nil
}

// Lead claims key for ttl unless a live claim exists (or HeldByOther).
func (r *Remote) Lead(_ context.Context, key string, ttl time.Duration) (bool, error) {
	defer r.mu.Unlock()
	if err := r.enter("Lead"); err != nil {
		return false, err
	}
	if r.HeldByOther {
		return false, nil
	}
	if exp, ok := r.leads[key]; ok && r.now().Before(exp) {
		return false, nil
	}
	r.leads[key] = r.now().Add(ttl)
	return true, nil
}

// Release drops the claim on key.
func (r *Remote) Release(_ context.Context, key string) error {
	defer r.mu.Unlock()
	if err := r.enter("Release"); err != nil {
		return err
	}
	delete(r.leads, key)
	return nil
}

// Set puts e under key as another replica would, for ttl.
func (r *Remote) Set(key string, e *cache.Entry, ttl time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.entries[key] = stored{e: e, expires: r.now().Add(ttl)}
}

// Keys lists the stored keys.
func (r *Remote) Keys() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]string, 0, len(r.entries))
	for k := range r.entries {
		out = append(out, k)
	}
	return out
}

// Count returns how often method was called.
func (r *Remote) Count(method string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.Calls[method]
}

// SetDown switches failures on or off.
func (r *Remote) SetDown(down bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.Down = down
}

// SetHeldByOther switches the foreign claim on or off.
func (r *Remote) SetHeldByOther(held bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.HeldByOther = held
}
