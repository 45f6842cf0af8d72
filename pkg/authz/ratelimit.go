package authz

import (
	"hash/maphash"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// limiterShards spreads callers over independent locks so concurrent users do
// not contend on one mutex.
const limiterShards = 64

// Limiters holds one token bucket per (caller, class). Entries unused for
// idleTTL are swept, so memory stays bounded by the active callers.
type Limiters struct {
	seed    maphash.Seed
	shards  [limiterShards]limiterShard
	rateFor func(class string) (rate.Limit, int)
	idleTTL time.Duration
	now     func() time.Time
	calls   atomic.Uint64
}

type limiterShard struct {
	mu      sync.Mutex
	entries map[limiterKey]*limiterEntry
}

type limiterKey struct{ caller, class string }

type limiterEntry struct {
	lim      *rate.Limiter
	lastUsed int64 // unix nanos
}

// NewLimiters builds limiters; rateFor gives each class's rate and burst.
func NewLimiters(rateFor func(class string) (rate.Limit, int), idleTTL time.Duration, now func() time.Time) *Limiters {
	l := &Limiters{seed: maphash.MakeSeed(), rateFor: rateFor, idleTTL: idleTTL, now: now}
	for i := range l.shards {
		l.shards[i].entries = map[limiterKey]*limiterEntry{}
	}
	return l
}

// Reserve takes a token for caller in class; if none is available it returns
// how long to wait (and takes nothing).
func (l *Limiters) Reserve(caller, class string) (ok bool, wait time.Duration) {
	now := l.now()
	sh := &l.shards[maphash.String(l.seed, caller)%limiterShards]
	key := limiterKey{caller, class}
	sh.mu.Lock()
	e := sh.entries[key]
	if e == nil {
		lim, burst := l.rateFor(class)
		e = &limiterEntry{lim: rate.NewLimiter(lim, burst)}
		sh.entries[key] = e
	}
	e.lastUsed = now.UnixNano()
	r := e.lim.ReserveN(now, 1)
	if !r.OK() {
		sh.mu.Unlock()
		return false, time.Minute
	}
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		sh.mu.Unlock()
		return false, d
	}
	sh.mu.Unlock()
	if l.calls.Add(1)%4096 == 0 {
		l.Sweep()
	}
	return true, 0
}

// Sweep forgets entries idle for longer than idleTTL.
func (l *Limiters) Sweep() {
	cutoff := l.now().Add(-l.idleTTL).UnixNano()
	for i := range l.shards {
		sh := &l.shards[i]
		sh.mu.Lock()
		for k, e := range sh.entries {
			if e.lastUsed < cutoff {
				delete(sh.entries, k)
			}
		}
		sh.mu.Unlock()
	}
}

// Len counts live entries (for tests and metrics).
func (l *Limiters) Len() int {
	n := 0
	for i := range l.shards {
		l.shards[i].mu.Lock()
		n += len(l.shards[i].entries)
		l.shards[i].mu.Unlock()
	}
	return n
}

// Exhausted reports, without taking a token, whether caller has no token left
// in class (used for API key lockout after repeated failures).
func (l *Limiters) Exhausted(caller, class string) (bool, time.Duration) {
	now := l.now()
	sh := &l.shards[maphash.String(l.seed, caller)%limiterShards]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	e := sh.entries[limiterKey{caller, class}]
	if e == nil {
		return false, 0
	}
	if t := e.lim.TokensAt(now); t < 1 {
		return true, time.Duration((1 - t) / float64(e.lim.Limit()) * float64(time.Second))
	}
	return false, 0
}
