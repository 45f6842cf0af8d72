package query

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/relay-gateway/relay/pkg/apierr"
	"github.com/relay-gateway/relay/pkg/authz"
	"github.com/relay-gateway/relay/pkg/cache"
	"github.com/relay-gateway/relay/pkg/settings"
	"github.com/relay-gateway/relay/pkg/transform"
)

// The query cache keeps a query's upstream bytes — the answer of its call,
// or for pagination its pages — for the query's cacheTTL (or the proxy
// rule's for its path), so panels, viewers and replicas asking the same
// upstream question share one fetch, whatever pipeline each runs over it.
//
//   - The key (cacheKey) is a SHA-256 of everything that makes the upstream
//     answer differ: upstream, method, expanded path, params, headers, body,
//     pagination (and, for pagination, the pipeline fields that count a page's rows),
//     and the credential identity: per user when the upstream sees who calls
//     (forwardOAuth, sendUserHeader, forwardGrafanaIdToken) or the request uses ${__user.*}; shared
//     otherwise (a service credential sees the same answer for everyone).
//   - A cached answer reaches a caller only if the proxy rules let that
//     caller make every call it was made of (the gate, without charging the
//     rate limit or call budget: nothing is sent).
//   - The upstream's Cache-Control is honoured as by the proxy's cache
//     (cache.Freshness): no-store, private, Set-Cookie, Vary: * are never
//     stored, max-age shortens the TTL.
//   - Identical concurrent queries make one call: single flight in process
//     (cache.Cache.Collapse), and across replicas through the shared tier's
//     claim (cache.Cache.AwaitLeader).
//   - staleWhileRevalidate serves an expired entry to one query while one
//     background refresh, under that query's grant, fetches the new answer.

// maxQueryEntryBytes caps one cached answer; bigger ones are not kept.
const maxQueryEntryBytes = 16 << 20

// Entry headers that carry what the query needs besides the bytes; they
// travel with the entry to the shared tier.
const (
	hdrPages   = "X-Relay-Pages"   // pagination: the body holds the pages (pages_codec.go)
	hdrNotice  = "X-Relay-Notice"  // the paging's notices, "<severity>:<text>"
	hdrRequest = "X-Relay-Request" // "<METHOD> <path>" of each call the answer was made of
)

// queryCache is one data source's query cache.
type queryCache struct {
	store    *cache.Cache
	entryCap int64
	now      func() time.Time
	// rules returns an upstream's proxy rules, whose cacheTTL is a query's
	// default; nil until SetCache.
	rules        func(upstream string) *authz.Rules
	refreshing   sync.Map // key → struct{}: a background refresh runs
	refreshSlots chan struct{}
}

func newQueryCache(s *settings.Settings) *queryCache {
	if s.Cache.MaxBytes <= 0 {
		return nil
	}
	return &queryCache{store: cache.NewQuery(s.Cache.MaxBytes, s.UID), entryCap: min(s.Cache.MaxBytes/4, maxQueryEntryBytes),
		now: time.Now, refreshSlots: make(chan struct{}, maxRefreshes)}
}

// CacheOptions are the query cache's dependencies from the instance.
type CacheOptions struct {
	// Rules returns the proxy rules of an upstream ("" the default), for the
	// rules' cacheTTL defaults.
	Rules func(upstream string) *authz.Rules
	// Remote is the fleet's shared tier (nil: this process only).
	Remote cache.Remote
	// Now is the clock of freshness; time.Now when nil.
	Now func() time.Time
}

// SetCache wires the query cache; call it before the runner serves.
func (r *Runner) SetCache(o CacheOptions) {
	if r.qcache == nil {
		return
	}
	r.qcache.rules = o.Rules
	r.qcache.store.SetRemote(o.Remote)
	if o.Now != nil {
		r.qcache.now = o.Now
	}
}

// validateCache checks the query's cache fields.
func (q *Query) validateCache() error {
	for name, d := range map[string]*settings.Duration{"cacheTTL": q.CacheTTL, "staleWhileRevalidate": q.StaleWhileRevalidate} {
		if d != nil && d.Duration < 0 {
			return fmt.Errorf("%s: must not be negative", name)
		}
	}
	if q.CacheTTL != nil && q.CacheTTL.Duration > 0 {
		switch q.Method {
		case http.MethodGet, http.MethodHead, http.MethodPost:
		default:
			return fmt.Errorf("cacheTTL: a %s query changes the upstream; only GET, HEAD and POST (GraphQL, search) queries can be cached", q.Method)
		}
	}
	return nil
}

// cachePlan is how one query is cached.
type cachePlan struct {
	ttl, swr time.Duration
	from     string // "query", or "rule <path>"
}

// cachePlanFor decides a query's TTL: the query's own cacheTTL ("0s": never),
// else, for GET and HEAD queries of a user, the proxy rule's cacheTTL for its
// path. Queries without a user (alert rules, recorded queries; their grant
// has no rate class) are cached only when the query itself says so, so an
// alert never evaluates an old answer unless its author chose it.
func (r *Runner) cachePlanFor(q *Query, x *expanded, g authz.Grant) cachePlan {
	if r.qcache == nil {
		return cachePlan{}
	}
	var swr time.Duration
	if q.StaleWhileRevalidate != nil {
		swr = q.StaleWhileRevalidate.Duration
	}
	if q.CacheTTL != nil {
		return cachePlan{ttl: q.CacheTTL.Duration, swr: swr, from: "query"}
	}
	background := g.RateClass == ""
	if background || r.qcache.rules == nil || (x.req.Method != http.MethodGet && x.req.Method != http.MethodHead) ||
		!strings.HasPrefix(x.req.Path, "/") {
		return cachePlan{}
	}
	rules := r.qcache.rules(g.Upstream)
	if rules == nil {
		return cachePlan{}
	}
	if rule, _ := rules.Match(x.req.Path, x.req.Method); rule != nil && rule.CacheTTL.Duration > 0 {
		return cachePlan{ttl: rule.CacheTTL.Duration, swr: swr, from: "rule " + rule.Path}
	}
	return cachePlan{}
}

// sourced is a query's upstream input, fetched or from the cache.
type sourced struct {
	body        []byte
	contentType string
	// contentEncoding is the answer's Content-Encoding (gzip is decoded by
	// the transform, by this header).
	contentEncoding string
	// pages are a paginated query's answers (body is then unused); read
	// holds them read by the engine when they were fetched now, nil when
	// they come from the cache (Run reads them then).
	pages   []transform.Page
	read    *transform.Pages
	notices []data.Notice
	// answer is the one answer of an unpaged fetch (status, duration, final
	// URL, headers), read by acceptStatus and responseFields (answers.go).
	// Queries that read it are never cached: a stored body has no answer.
	answer *page
}

func paged(q *Query) bool {
	return q.Pagination != nil && q.Pagination.Mode.paged()
}

// source is the seam between the query and the upstream: the bytes the
// pipeline runs over, from the query cache when the query caches.
func (r *Runner) source(ctx context.Context, c *call, q *Query, x *expanded, pipeline *transform.Pipeline) (*sourced, error) {
	plan := r.cachePlanFor(q, x, c.grant)
	info := cacheInfoFrom(ctx)
	if plan.ttl <= 0 || q.readsAnswer() {
		return r.fetchSource(ctx, c, q, x, pipeline)
	}
	perUser := r.perUser(q)
	if info != nil {
		info.TTL, info.From, info.PerUser = plan.ttl.String(), plan.from, perUser
		if plan.swr > 0 {
			info.StaleWhileRevalidate = plan.swr.String()
		}
	}
	return r.cachedSource(ctx, c, q, x, pipeline, plan, perUser)
}

// fetchSource makes the query's calls: one, or its pages.
func (r *Runner) fetchSource(ctx context.Context, c *call, q *Query, x *expanded, pipeline *transform.Pipeline) (*sourced, error) {
	if paged(q) {
		pg, err := r.fetchPages(ctx, c, x, q.Pagination)
		if err != nil {
			return nil, err
		}
		return &sourced{pages: pg.raw, read: pg.read, notices: pg.notices()}, nil
	}
	pg, err := r.fetchPage(ctx, c, x.req, 1)
	if err != nil {
		return nil, err
	}
	return &sourced{body: pg.Body, contentType: pg.ContentType, contentEncoding: pg.Header.Get("Content-Encoding"), answer: pg}, nil
}

// filled is what one (collapsed) fill of the cache produced.
type filled struct {
	src    *sourced
	entry  *cache.Entry
	stored bool // may be shared with concurrent callers
	label  cache.QueryResult
	err    error
}

func (r *Runner) cachedSource(ctx context.Context, c *call, q *Query, x *expanded, pipeline *transform.Pipeline, plan cachePlan, perUser bool) (*sourced, error) {
	qc := r.qcache
	// Refused callers learn nothing from the cache, not even whether it holds the answer.
	if err := r.admitCached(ctx, c, x.req.Method, x.req.Path); err != nil {
		return nil, err
	}
	key := r.cacheKey(q, x, pipeline, c.grant, perUser)
	// A background refresh outlives this call, whose pipeline Run changes
	// after the fetch: the fill reads a copy.
	own := *pipeline
	fill := func(ctx context.Context, c *call) any { return r.fill(ctx, c, q, x, &own, plan, key) }
	now := qc.now()
	if e, remote := qc.store.Lookup(ctx, key, now); e != nil {
		switch {
		case e.Fresh(now):
			label := cache.QueryHit
			if remote {
				label = cache.QueryRemoteHit
			}
			return r.serveEntry(ctx, c, e, label, plan)
		case plan.swr > 0 && now.Before(e.Expires.Add(plan.swr)) && r.refreshLater(ctx, c, key, fill):
			return r.serveEntry(ctx, c, e, cache.QueryStale, plan)
		}
	}
	v, ran := qc.store.Collapse(key, func() any { return fill(ctx, c) })
	res := v.(*filled)
	switch {
	case ran && res.err != nil:
		return nil, res.err
	case ran:
		if res.label == cache.QueryMiss {
			qc.store.CountQuery(cache.QueryMiss, res.src.size())
			cacheInfoFrom(ctx).record(cache.QueryMiss, 0)
			return res.src, nil
		}
		return r.serveEntry(ctx, c, res.entry, res.label, plan)
	case res.err != nil && sharedError(res.err):
		return nil, res.err
	case res.err != nil || !res.stored:
		// The concurrent fetch failed for its own caller (a refusal, a
		// cancelled request) or its answer may not be shared: this caller
		// makes its own call.
		src, err := r.fetchSource(ctx, c, q, x, pipeline)
		if err == nil {
			qc.store.CountQuery(cache.QueryMiss, src.size())
			cacheInfoFrom(ctx).record(cache.QueryMiss, 0)
		}
		return src, err
	}
	return r.serveEntry(ctx, c, res.entry, cache.QueryCoalesced, plan)
}

// sharedError says whether a concurrent fetch's error is the upstream's
// answer, which every identical query would get too; the policy's refusals
// (403, 429, 503 busy) and cancellations belong to the caller who fetched.
func sharedError(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var e *apierr.Error
	return errors.As(err, &e) && e.Source == apierr.SourceDownstream
}

// fill fetches the query's answer for the cache (in its single flight): it
// first waits for another replica already fetching it, then fetches, stores
// what may be stored, locally and in the shared tier.
func (r *Runner) fill(ctx context.Context, c *call, q *Query, x *expanded, pipeline *transform.Pipeline, plan cachePlan, key string) *filled {
	qc := r.qcache
	leadTTL := r.settings.Timeouts.Request.Duration
	if leadTTL <= 0 {
		leadTTL = time.Minute
	}
	if e, lead := qc.store.AwaitLeader(ctx, key, leadTTL, waitLimit(ctx, leadTTL), qc.now); e != nil {
		return &filled{src: fromEntry(e), entry: e, stored: true, label: cache.QueryCoalesced}
	} else if lead {
		defer qc.store.ReleaseLead(ctx, key)
	}
	var mu sync.Mutex
	var seen []seenPage
	cc := *c
	cc.record = func(req request, pg *page) { // list pagination records from several goroutines
		mu.Lock()
		seen = append(seen, seenPage{method: req.Method, path: req.Path, status: pg.Status, header: pg.Header})
		mu.Unlock()
	}
	src, err := r.fetchSource(ctx, &cc, q, x, pipeline)
	if err != nil {
		return &filled{err: err}
	}
	now := qc.now()
	e, storable := qc.entry(src, seen, plan, now)
	if storable {
		storable = qc.store.Share(ctx, key, e, e.Expires.Sub(now)+plan.swr)
	} else {
		qc.store.Remove(key)
	}
	return &filled{src: src, entry: e, stored: storable, label: cache.QueryMiss}
}

// waitLimit is how long a query waits for another replica's fetch before it
// fetches itself: half of what is left of its deadline (the other half is for
// its own fetch), at most half the upstream request timeout.
func waitLimit(ctx context.Context, requestTimeout time.Duration) time.Time {
	now := time.Now()
	until := now.Add(requestTimeout / 2)
	if d, ok := ctx.Deadline(); ok {
		if half := now.Add(d.Sub(now) / 2); half.Before(until) {
			until = half
		}
	}
	return until
}
