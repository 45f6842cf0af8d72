package query

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
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

// maxRefreshes bounds the background refreshes (staleWhileRevalidate) of a
// data source at once; when all are busy an expired entry is not served
// stale: the query fetches.
const maxRefreshes = 4

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

type seenPage struct {
	method, path string
	status       int
	header       http.Header
}

// entry builds the cache entry of a fetched answer and decides whether it
// may be stored: every page storable under cache.Freshness, the TTL the
// shortest any page allows (never above the plan's), the size within the cap.
func (qc *queryCache) entry(src *sourced, pages []seenPage, plan cachePlan, now time.Time) (*cache.Entry, bool) {
	ttl, storable := plan.ttl, len(pages) > 0
	h := http.Header{}
	seen := map[string]bool{}
	for _, p := range pages {
		t, ok := cache.Freshness(p.status, p.header, plan.ttl)
		storable = storable && ok
		ttl = min(ttl, t)
		if req := p.method + " " + p.path; !seen[req] {
			seen[req] = true
			h.Add(hdrRequest, req)
		}
	}
	body := src.body
	if src.pages != nil {
		body = encodePages(src.pages)
		h.Set(hdrPages, strconv.Itoa(len(src.pages)))
	}
	if ttl <= 0 || int64(len(body)) > qc.entryCap {
		storable = false
	}
	if src.contentType != "" {
		h.Set("Content-Type", src.contentType)
	}
	if src.contentEncoding != "" {
		h.Set("Content-Encoding", src.contentEncoding)
	}
	for _, n := range src.notices {
		h.Add(hdrNotice, strconv.Itoa(int(n.Severity))+":"+n.Text)
	}
	return &cache.Entry{Status: http.StatusOK, Header: h, Body: body, Stored: now, Expires: now.Add(ttl)}, storable
}

// fromEntry is the query input an entry holds.
func fromEntry(e *cache.Entry) *sourced {
	src := &sourced{body: e.Body, contentType: e.Header.Get("Content-Type"), contentEncoding: e.Header.Get("Content-Encoding")}
	if e.Header.Get(hdrPages) != "" {
		// An entry the codec cannot read (another version's) has no pages:
		// the query then reads an empty answer rather than a wrong one.
		src.pages, _ = decodePages(e.Body)
		if src.pages == nil {
			src.pages = []transform.Page{}
		}
	}
	for _, n := range e.Header.Values(hdrNotice) {
		sev, text, _ := strings.Cut(n, ":")
		s, _ := strconv.Atoi(sev)
		src.notices = append(src.notices, data.Notice{Severity: data.NoticeSeverity(s), Text: text})
	}
	return src
}

// serveEntry answers a query from an entry, after the gate has admitted
// every call the entry was made of for this caller, with a notice saying so.
func (r *Runner) serveEntry(ctx context.Context, c *call, e *cache.Entry, label cache.QueryResult, plan cachePlan) (*sourced, error) {
	for _, req := range e.Header.Values(hdrRequest) {
		method, path, _ := strings.Cut(req, " ")
		if err := r.admitCached(ctx, c, method, path); err != nil {
			return nil, err
		}
	}
	qc := r.qcache
	now := qc.now()
	qc.store.CountQuery(label, len(e.Body))
	age := max(0, now.Sub(e.Stored)).Truncate(time.Second)
	cacheInfoFrom(ctx).record(label, age)
	src := fromEntry(e)
	src.notices = append(src.notices, data.Notice{Severity: data.NoticeSeverityInfo, Text: cacheNotice(label, age, now.Sub(e.Expires), plan)})
	return src, nil
}

// cacheNotice is the frame notice of an answer served from the cache.
func cacheNotice(label cache.QueryResult, age, expiredFor time.Duration, plan cachePlan) string {
	ttl := "cacheTTL " + plan.ttl.String()
	if plan.from != "query" {
		ttl += " from the proxy " + plan.from
	}
	switch label {
	case cache.QueryStale:
		return fmt.Sprintf("served stale from Relay's query cache: age %s, expired %s ago (%s, staleWhileRevalidate %s); refreshing in the background",
			age, expiredFor.Truncate(time.Second), ttl, plan.swr)
	case cache.QueryCoalesced:
		return fmt.Sprintf("served from Relay's query cache: shared the answer of an identical query fetched at the same time, age %s (%s)", age, ttl)
	case cache.QueryRemoteHit:
		return fmt.Sprintf("served from Relay's query cache (fetched by another replica): age %s (%s)", age, ttl)
	}
	return fmt.Sprintf("served from Relay's query cache: age %s (%s)", age, ttl)
}

// admitCached asks the gate whether this caller may make the call now,
// without sending it and so without charging its rate limit or call budget.
func (r *Runner) admitCached(ctx context.Context, c *call, method, path string) error {
	g := c.grant
	g.Budget, g.RateClass = nil, ""
	// Admission only: the stored answer's requests passed the rules' body
	// checks (a GraphQL rule's) when they were sent.
	if err := r.client.Admit(authz.WithAdmissionOnly(authz.WithGrant(ctx, g)), method, path); err != nil {
		return clientError(err, "")
	}
	return nil
}

// refreshLater starts the one background refresh of an expired entry
// (staleWhileRevalidate) under the caller's grant: the same gate, rules and
// limits as its own call. false when a refresh of key runs already (the
// caller then waits for it: an expired entry is served once) or every
// refresh slot is busy.
func (r *Runner) refreshLater(ctx context.Context, c *call, key string, fill func(context.Context, *call) any) bool {
	qc := r.qcache
	if _, busy := qc.refreshing.LoadOrStore(key, struct{}{}); busy {
		return false
	}
	select {
	case qc.refreshSlots <- struct{}{}:
	default:
		qc.refreshing.Delete(key)
		return false
	}
	timeout := r.settings.Timeouts.Request.Duration
	if timeout <= 0 {
		timeout = time.Minute
	}
	// The request's values (forwarded OAuth identity, request id) stay; its cancellation does not.
	bctx, cancel := context.WithTimeout(withoutCacheInfo(context.WithoutCancel(ctx)), timeout)
	bc := &call{grant: c.grant, lease: r.bytes.Lease(c.grant.Caller.Key())}
	go func() {
		defer func() {
			if p := recover(); p != nil {
				r.logger.FromContext(bctx).Error("panic in a query cache refresh", "panic", p)
			}
			bc.lease.Release()
			cancel()
			<-qc.refreshSlots
			qc.refreshing.Delete(key)
		}()
		qc.store.Collapse(key, func() any { return fill(bctx, bc) })
	}()
	return true
}

// perUser says whether the upstream's answer may depend on who asks: the
// upstream sees the user (forwarded OAuth identity, X-Grafana-User, ID token) or the
// request carries the user's own values (${__user.*}).
func (r *Runner) perUser(q *Query) bool {
	v := r.client.Upstream() // the query's upstream (forUpstream)
	if v.AnswersPerUser() {
		return true
	}
	texts := []string{q.Path, q.Body}
	for _, f := range q.BodyForm {
		texts = append(texts, f.Key, f.Value)
	}
	for k, vs := range q.Params {
		texts = append(texts, k)
		texts = append(texts, vs...)
	}
	for k, v := range q.Headers {
		texts = append(texts, k, v)
	}
	if g := q.GraphQL; g != nil {
		texts = append(texts, g.Query, string(g.Variables))
	}
	if p := q.Pagination; p != nil {
		texts = append(texts, p.Values...)
	}
	for _, t := range texts {
		if strings.Contains(t, "__user") {
			return true
		}
	}
	return false
}

// cacheKey hashes what makes the upstream answer differ (see the top of the file).
func (r *Runner) cacheKey(q *Query, x *expanded, pipeline *transform.Pipeline, g authz.Grant, perUser bool) string {
	scope := "shared"
	if perUser {
		scope = "user\x00" + strconv.FormatInt(g.Caller.OrgID, 10) + "\x00" + g.Caller.Login
	}
	var headers strings.Builder
	for _, k := range slices.Sorted(maps.Keys(x.req.Headers)) {
		headers.WriteString(http.CanonicalHeaderKey(k) + ":" + x.req.Headers[k] + "\n")
	}
	parts := []string{"relay-query-cache/1", r.settings.UID, g.Upstream, scope, x.req.Method, x.req.Path,
		x.req.Params.Encode(), headers.String(), x.req.Body, x.req.formKey()}
	if paged(q) {
		// Offset and page modes stop by the rows a page gave, which the
		// pipeline's root, format and CSV options decide: the pages fetched
		// depend on them.
		pj, _ := json.Marshal(q.Pagination)
		csv, _ := json.Marshal(pipeline.CSV)
		parts = append(parts, string(pj), strings.Join(x.values, "\x00"), pipeline.Root, pipeline.RootSyntax, pipeline.Format, string(csv))
	}
	return cache.Key(parts...)
}

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
