package shared

import (
	"bytes"
	"context"
	"encoding/gob"
	"errors"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/relay-gateway/relay/pkg/cache"
)

// RemoteMaxEntry is the largest entry the shared tier stores: bigger ones
// stay in each replica's own cache (a large body would cost every replica
// a transfer larger than the upstream call it saves, and Redis memory).
const RemoteMaxEntry = 1 << 20

var _ cache.Remote = (*Remote)(nil)

// Remote is the data source's shared cache tier (cache.Remote): entries as
// gob under c:<kind>:<sha256(key)> with the entry's TTL, and fleet single
// flight claims under lead:<kind>:<sha256(key)> (SET NX PX).
type Remote struct {
	s    *Scope
	kind string
	max  int
}

// Cache returns the scope's shared cache tier for one cache (kind "query"
// or "proxy": their keys never meet).
func (s *Scope) Cache(kind string) *Remote { return &Remote{s: s, kind: kind, max: RemoteMaxEntry} }

func (r *Remote) entryKey(k string) string { return r.s.key("c:"+r.kind, hashKey(k)) }
func (r *Remote) leadKey(k string) string  { return r.s.key("lead:"+r.kind, hashKey(k)) }

// Get returns the entry stored under key, or nil on a miss.
func (r *Remote) Get(ctx context.Context, key string) (*cache.Entry, error) {
	var raw []byte
	err := r.s.c.do(ctx, func(ctx context.Context) (err error) {
		raw, err = r.s.c.rdb.Get(ctx, r.entryKey(key)).Bytes()
		return err
	})
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var e cache.Entry
	if err := gob.NewDecoder(bytes.NewReader(raw)).Decode(&e); err != nil {
		return nil, nil // written by another version: a miss
	}
	return &e, nil
}

// Put stores e for ttl; an entry over RemoteMaxEntry is not stored.
func (r *Remote) Put(ctx context.Context, key string, e *cache.Entry, ttl time.Duration) error {
	if ttl <= 0 || e.Size(key) > int64(r.max) {
		return nil
	}
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(e); err != nil {
		return err
	}
	return r.s.c.do(ctx, func(ctx context.Context) error {
		return r.s.c.rdb.Set(ctx, r.entryKey(key), buf.Bytes(), ttl).Err()
	})
}

// Lead claims the fetch of key for the fleet for at most ttl.
func (r *Remote) Lead(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	var ok bool
	err := r.s.c.do(ctx, func(ctx context.Context) (err error) {
		ok, err = r.s.c.rdb.SetNX(ctx, r.leadKey(key), r.s.c.instance, ttl).Result()
		return err
	})
	return ok, err
}

// Release gives up this process's claim on key (another's is left alone).
func (r *Remote) Release(ctx context.Context, key string) error {
	return r.s.c.do(ctx, func(ctx context.Context) error {
		return deleteIfEqual.Run(ctx, r.s.c.rdb, []string{r.leadKey(key)}, r.s.c.instance).Err()
	})
}
