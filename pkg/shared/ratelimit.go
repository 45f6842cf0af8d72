package shared

import (
	"context"
	"time"

	"github.com/go-redis/redis_rate/v10"
)

// Buckets are the data source's rate limit and API key lockout buckets on
// Redis (authz.SharedBuckets), kept by redis_rate's GCRA script: one atomic
// call per decision, on Redis's clock (replicas' clocks do not matter), and
// each bucket expires once full again.
type Buckets struct {
	s   *Scope
	lim *redis_rate.Limiter
}

// Buckets returns the scope's token buckets.
func (s *Scope) Buckets() *Buckets {
	return &Buckets{s: s, lim: redis_rate.NewLimiter(s.c.rdb)}
}

// limit is one token per every, at most burst: GCRA's emission interval.
func limit(every time.Duration, burst int) redis_rate.Limit {
	return redis_rate.Limit{Rate: 1, Period: every, Burst: max(burst, 1)}
}

// Take takes one token, or says how long until one is available.
func (b *Buckets) Take(ctx context.Context, key string, every time.Duration, burst int) (bool, time.Duration, error) {
	var res *redis_rate.Result
	err := b.s.c.do(ctx, func(ctx context.Context) (err error) {
		res, err = b.lim.AllowN(ctx, b.s.key("rl", key), limit(every, burst), 1)
		return err
	})
	if err != nil {
		return false, 0, err
	}
	if res.Allowed > 0 {
		return true, 0, nil
	}
	return false, res.RetryAfter, nil
}

// Peek reports whether the bucket is empty, taking nothing (a GCRA call
// with cost 0): with tat-now = ResetAfter, the bucket holds
// burst - ResetAfter/every tokens.
func (b *Buckets) Peek(ctx context.Context, key string, every time.Duration, burst int) (bool, time.Duration, error) {
	var res *redis_rate.Result
	err := b.s.c.do(ctx, func(ctx context.Context) (err error) {
		res, err = b.lim.AllowN(ctx, b.s.key("rl", key), limit(every, burst), 0)
		return err
	})
	if err != nil {
		return false, 0, err
	}
	if wait := res.ResetAfter - time.Duration(max(burst, 1)-1)*every; wait > 0 {
		return true, wait, nil
	}
	return false, 0, nil
}
