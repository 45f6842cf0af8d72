package query

import (
	"context"
	"time"

	"github.com/relay-gateway/relay/pkg/cache"
)

// CacheInfo is what /transform reports about the query cache for the editor's
// preview: the effective TTL, where it came from, and how the answer was got.
type CacheInfo struct {
	TTL                  string `json:"ttl"`
	From                 string `json:"from"` // "query" or "rule <path>"
	StaleWhileRevalidate string `json:"staleWhileRevalidate,omitempty"`
	PerUser              bool   `json:"perUser"`
	// Result is hit, remote_hit, miss, coalesced or stale.
	Result     string `json:"result,omitempty"`
	AgeSeconds int    `json:"ageSeconds"`
}

type cacheInfoKey struct{}

// withCacheInfo makes Run report the cache's part in ctx's query.
func withCacheInfo(ctx context.Context) (context.Context, *CacheInfo) {
	info := &CacheInfo{}
	return context.WithValue(ctx, cacheInfoKey{}, info), info
}

func withoutCacheInfo(ctx context.Context) context.Context {
	return context.WithValue(ctx, cacheInfoKey{}, (*CacheInfo)(nil))
}

func cacheInfoFrom(ctx context.Context) *CacheInfo {
	info, _ := ctx.Value(cacheInfoKey{}).(*CacheInfo)
	return info
}

func (info *CacheInfo) record(label cache.QueryResult, age time.Duration) {
	if info != nil {
		info.Result, info.AgeSeconds = string(label), int(age/time.Second)
	}
}
