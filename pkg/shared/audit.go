package shared

import (
	"context"

	"github.com/redis/go-redis/v9"
)

// AuditStream is the data source's audit log shared by the fleet
// (authz.AuditStream): one Redis stream capped at the data source's
// audit.ringSize entries, so GET /audit on any replica lists every
// replica's entries. Entries are JSON in the field "e".
type AuditStream struct {
	s   *Scope
	max int64
}

// Audit returns the scope's audit stream, keeping the newest max entries.
func (s *Scope) Audit(size int) *AuditStream {
	return &AuditStream{s: s, max: int64(max(size, 1))}
}

func (a *AuditStream) key() string { return a.s.prefix + "audit" }

// Append adds entries (oldest first) in one round trip.
func (a *AuditStream) Append(ctx context.Context, entries [][]byte) error {
	return a.s.c.do(ctx, func(ctx context.Context) error {
		pipe := a.s.c.rdb.Pipeline()
		for _, e := range entries {
			pipe.XAdd(ctx, &redis.XAddArgs{Stream: a.key(), MaxLen: a.max, Values: []any{"e", e}})
		}
		_, err := pipe.Exec(ctx)
		return err
	})
}

// Recent returns at most limit entries (0 = all kept), newest first.
func (a *AuditStream) Recent(ctx context.Context, limit int) ([][]byte, error) {
	count := a.max
	if limit > 0 && int64(limit) < count {
		count = int64(limit)
	}
	var msgs []redis.XMessage
	err := a.s.c.do(ctx, func(ctx context.Context) (err error) {
		msgs, err = a.s.c.rdb.XRevRangeN(ctx, a.key(), "+", "-", count).Result()
		return err
	})
	if err != nil {
		return nil, err
	}
	out := make([][]byte, 0, len(msgs))
	for _, m := range msgs {
		if v, ok := m.Values["e"].(string); ok {
			out = append(out, []byte(v))
		}
	}
	return out, nil
}
