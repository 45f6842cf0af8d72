package cache

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// The shared second tier. The local LRU answers first; the Remote (Redis, one
// per Grafana fleet) is asked on a local miss and told about every stored
// entry, so one replica's upstream call serves the others. A Remote that
// fails or is slow never fails a request: each call is bounded by
// remoteTimeout, errors are counted (relay_cache_remote_errors_total) and the
// caller goes on as if there were no second tier.

// remoteTimeout bounds one call to the shared tier on top of the Remote's own
// timeout: far below any request's deadline.
const remoteTimeout = 250 * time.Millisecond

// Lead polling: how often a replica waiting for another one's fetch asks the
// shared tier for the entry.
const (
	pollFirst = 10 * time.Millisecond
	pollMax   = 100 * time.Millisecond
)

// Key hashes the parts that identify an entry (SHA-256, hex): keys may be
// logged or stored in the shared tier, so no credential, login or body is
// ever in one as written. Parts are separated unambiguously.
func Key(parts ...string) string {
	h := sha256.New()
	var n [8]byte
	for _, p := range parts {
		l := len(p)
		for i := range n {
			n[i] = byte(l >> (8 * i))
		}
		h.Write(n[:])
		h.Write([]byte(p))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// SetRemote gives the cache its shared second tier (nil: this process only).
// Call it before the cache is used.
func (c *Cache) SetRemote(r Remote) { c.remote = r }

// HasRemote says whether a shared tier is configured.
func (c *Cache) HasRemote() bool { return c.remote != nil }

func (c *Cache) remoteFailed(err error) bool {
	if err != nil {
		c.m.remoteErrors.Inc()
		return true
	}
	return false
}

// Lookup returns the entry for key, fresh or stale: the local one when it is
// fresh, else the shared tier's when that one is newer (it is then kept
// locally too). fromRemote tells which tier answered.
func (c *Cache) Lookup(ctx context.Context, key string, now time.Time) (e *Entry, fromRemote bool) {
	local := c.Get(key)
	if c.remote == nil || (local != nil && local.Fresh(now)) {
		return local, false
	}
	rctx, cancel := context.WithTimeout(ctx, remoteTimeout)
	defer cancel()
	re, err := c.remote.Get(rctx, key)
	if c.remoteFailed(err) || re == nil || (local != nil && !re.Stored.After(local.Stored)) {
		return local, false
	}
	c.Put(key, re)
	return re, true
}

// Share stores e locally and in the shared tier, which keeps it for keep (its
// freshness plus any time it may still be served stale). It returns whether
// the local tier kept it (false when e alone is over the bound).
func (c *Cache) Share(ctx context.Context, key string, e *Entry, keep time.Duration) bool {
	stored := c.Put(key, e)
	if c.remote != nil && keep > 0 {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), remoteTimeout)
		defer cancel()
		c.remoteFailed(c.remote.Put(rctx, key, e, keep))
	}
	return stored
}

// AwaitLeader is cross-replica single flight. Without a shared tier (or when
// it fails) the caller leads: it fetches. Otherwise it claims the fetch of
// key for leadTTL; if another replica holds the claim, it polls the shared
// tier for that replica's entry until until (or ctx ends) and returns it when
// it is there and fresh. lead is true when the caller holds the claim and
// must ReleaseLead after storing; e == nil && !lead means the wait ran out:
// fetch anyway, without a claim. The wait runs on the wall clock; now is the
// clock entries' freshness is judged on.
func (c *Cache) AwaitLeader(ctx context.Context, key string, leadTTL time.Duration, until time.Time, now func() time.Time) (e *Entry, lead bool) {
	if c.remote == nil {
		return nil, false
	}
	rctx, cancel := context.WithTimeout(ctx, remoteTimeout)
	ok, err := c.remote.Lead(rctx, key, leadTTL)
	cancel()
	if c.remoteFailed(err) {
		return nil, false
	}
	if ok {
		return nil, true
	}
	wait := pollFirst
	for {
		t := time.Now()
		if !t.Before(until) || ctx.Err() != nil {
			return nil, false
		}
		timer := time.NewTimer(min(wait, until.Sub(t)))
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil, false
		case <-timer.C:
		}
		wait = min(2*wait, pollMax)
		rctx, cancel := context.WithTimeout(ctx, remoteTimeout)
		re, err := c.remote.Get(rctx, key)
		cancel()
		if c.remoteFailed(err) {
			return nil, false // the shared tier is gone: nobody will answer through it
		}
		if re != nil && re.Fresh(now()) {
			c.Put(key, re)
			return re, false
		}
	}
}

// ReleaseLead gives up a claim AwaitLeader took.
func (c *Cache) ReleaseLead(ctx context.Context, key string) {
	if c.remote == nil {
		return
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), remoteTimeout)
	defer cancel()
	c.remoteFailed(c.remote.Release(rctx, key))
}
