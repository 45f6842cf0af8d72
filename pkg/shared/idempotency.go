package shared

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// Idempotency keeps the data source's Idempotency-Key claims and answers
// for the fleet (actions.SharedIdempotency). One Redis string per key:
// "p:<fingerprint>:<token>" while the first run is going (SET NX: exactly
// one replica begins), then "d:<fingerprint>\n<answer>" for the TTL.
type Idempotency struct{ s *Scope }

// Idempotency returns the scope's idempotency store.
func (s *Scope) Idempotency() *Idempotency { return &Idempotency{s: s} }

func (i *Idempotency) key(k string) string { return i.s.key("idem", hashKey(k)) }

// Begin claims key for fingerprint for at most hold and returns the claim
// (which Finish or Abandon ends). When another run holds or held the key,
// claim is "" and heldFP names that run's fingerprint, with its stored
// answer (nil while it is still running).
func (i *Idempotency) Begin(ctx context.Context, key, fingerprint string, hold time.Duration) (claim, heldFP string, answer []byte, err error) {
	k := i.key(key)
	value := "p:" + fingerprint + ":" + randomToken()
	// A key may expire between SET NX and GET: then claim again.
	for range 3 {
		var set bool
		var held string
		err = i.s.c.do(ctx, func(ctx context.Context) error {
			var err error
			if set, err = i.s.c.rdb.SetNX(ctx, k, value, hold).Result(); err != nil || set {
				return err
			}
			held, err = i.s.c.rdb.Get(ctx, k).Result()
			return err
		})
		switch {
		case errors.Is(err, redis.Nil):
			continue
		case err != nil:
			return "", "", nil, err
		case set:
			return value, "", nil, nil
		}
		if rest, ok := strings.CutPrefix(held, "d:"); ok {
			fp, ans, _ := strings.Cut(rest, "\n")
			return "", fp, []byte(ans), nil
		}
		fp, _, _ := strings.Cut(strings.TrimPrefix(held, "p:"), ":")
		return "", fp, nil, nil
	}
	return "", "", nil, ErrUnavailable
}

// Finish stores the run's answer for ttl in place of the claim.
func (i *Idempotency) Finish(ctx context.Context, key, fingerprint string, answer []byte, ttl time.Duration) error {
	return i.s.c.do(ctx, func(ctx context.Context) error {
		return i.s.c.rdb.Set(ctx, i.key(key), "d:"+fingerprint+"\n"+string(answer), ttl).Err()
	})
}

// Abandon frees the key (the run did not reach the upstream, so it may be
// retried), unless the claim is no longer this run's.
func (i *Idempotency) Abandon(ctx context.Context, key, claim string) error {
	return i.s.c.do(ctx, func(ctx context.Context) error {
		return deleteIfEqual.Run(ctx, i.s.c.rdb, []string{i.key(key)}, claim).Err()
	})
}

// deleteIfEqual deletes a key only while it holds the caller's value: the
// standard compare-and-delete (Redis 7 has no command for it).
var deleteIfEqual = redis.NewScript(`
if redis.call("GET", KEYS[1]) == ARGV[1] then
  return redis.call("DEL", KEYS[1])
end
return 0`)
