package proxy

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/relay-gateway/relay/pkg/apierr"
	"github.com/relay-gateway/relay/pkg/authz"
	"github.com/relay-gateway/relay/pkg/cache"
	"github.com/relay-gateway/relay/pkg/settings"
	"github.com/relay-gateway/relay/pkg/upstream"
)

// maxEntryBytes caps one cached response; bigger ones stream uncached.
const maxEntryBytes = 8 << 20

// writeChunk is how much of a cached body goes into one CallResource message.
const writeChunk = 1 << 20

// cacheRequestHeaders are the only client headers a cacheable fetch sends
// upstream. Accept and Accept-Language are part of the key, so responses
// negotiated differently never mix; client validators and ranges are not
// sent, because the cache answers with whole 200s of its own.
var cacheRequestHeaders = []string{"Accept", "Accept-Language", "X-Request-Id"}

// responseCache serves GETs of rules with a cacheTTL from memory.
type responseCache struct {
	store    *cache.Cache
	uid      string
	upstream string
	// perUser keys entries by login instead of role, whatever the rule says,
	// when the upstream's answer can depend on the user (forwarded OAuth
	// identity, X-Grafana-User).
	perUser  bool
	entryCap int64
	now      func() time.Time
}

// newResponseCache returns nil when no rule caches, so the hook costs one
// nil check.
func newResponseCache(uid string, s *settings.Upstream, now func() time.Time) *responseCache {
	caching := false
	for _, r := range s.Proxy.Rules {
		caching = caching || r.CacheTTL.Duration > 0
	}
	if !caching || s.Cache.MaxBytes <= 0 {
		return nil
	}
	return &responseCache{
		store:    cache.New(s.Cache.MaxBytes, uid),
		uid:      uid,
		upstream: s.Name,
		perUser:  s.AnswersPerUser(),
		entryCap: min(s.Cache.MaxBytes/4, maxEntryBytes),
		now:      now,
	}
}

// key identifies a response: data source, who may share it, upstream URL
// (path and query, fixed query parameters included) and negotiation headers.
func (rc *responseCache) key(rule *authz.Rule, c authz.Caller, target *url.URL, h http.Header) string {
	scope := "role:" + c.Role.String()
	switch {
	case rc.perUser:
		scope = "user:" + c.Login
	case rule.SharedCache:
		scope = "shared"
	}
	// Hashed: keys reach the shared tier, and the login and URL (which may
	// carry fixed parameters) must not be readable there.
	return cache.Key("relay-proxy-cache/1", rc.uid, rc.upstream, scope, target.String(), h.Get("Accept"), h.Get("Accept-Language"))
}

// SetRemote gives the gateway's response cache the fleet's shared tier (nil:
// this process only). Call it before the gateway serves.
func (g *Gateway) SetRemote(r cache.Remote) {
	if g.cache != nil {
		g.cache.store.SetRemote(r)
	}
}

// fetchResult is what one collapsed upstream fetch produced.
type fetchResult struct {
	entry  *cache.Entry
	label  cache.Result
	stored bool // storable: only then may waiting callers share it
	err    error
	// stream is set when the body outgrew the entry cap: the response is
	// still open, prefix holds what was read. Only the fetching caller uses it.
	stream  *http.Response
	prefix  []byte
	release func()
}

// serveCached answers a GET covered by a caching rule: from a fresh entry,
// after revalidating a stale one, or by one upstream fetch shared by all
// concurrent callers with the same key. It returns false when ServeHTTP
// should proxy the call as usual: the rule does not cache, or this caller
// must make its own request (a concurrent fetch's answer was not storable,
// or its caller went away).
func (g *Gateway) serveCached(w http.ResponseWriter, r *http.Request, rule *authz.Rule, c authz.Caller, target *url.URL) bool {
	rc := g.cache
	if rc == nil || r.Method != http.MethodGet || rule.CacheTTL.Duration <= 0 || r.Header.Get("Range") != "" {
		return false
	}
	key := rc.key(rule, c, target, r.Header)
	stale, _ := rc.store.Lookup(r.Context(), key, rc.now())
	if stale != nil && stale.Fresh(rc.now()) {
		rc.store.Count(cache.Hit)
		writeEntry(w, stale, cache.Hit, rc.now())
		return true
	}
	// The user's OAuth identity, for forwardOAuth (entries are then per user).
	ctx := upstream.WithForwardedHeaders(r.Context(), r.Header)
	if d := rule.Timeout(); d > 0 {
		ctx = upstream.WithRequestTimeout(ctx, d) // as ServeHTTP does
	}
	v, ran := rc.store.Collapse(key, func() any { return g.fetchForCache(ctx, r.Header, rule, target, key, stale) })
	res := v.(*fetchResult)
	switch {
	case res.err != nil && !ran && errors.Is(res.err, context.Canceled):
		return false // the fetching caller went away; this one is still here
	case res.err != nil:
		g.writeFetchError(w, r, res.err)
	case res.stream != nil && !ran:
		return false
	case res.stream != nil:
		g.streamUncached(w, r, rule, target, res)
	case !res.stored && !ran:
		return false
	default:
		rc.store.Count(res.label)
		writeEntry(w, res.entry, res.label, rc.now())
	}
	return true
}

// fetchForCache makes the upstream call for key, conditional when a stale
// entry has validators, and stores what may be stored. It takes one of the
// gateway's concurrency slots, held until a streamed answer is done.
func (g *Gateway) fetchForCache(ctx context.Context, in http.Header, rule *authz.Rule, target *url.URL, key string, stale *cache.Entry) *fetchResult {
	// Across replicas: wait (without a slot) for another replica already
	// fetching this key, at most half the request's time.
	wait := rule.Timeout()
	if wait <= 0 {
		wait = g.requestTimeout
	}
	until := time.Now().Add(wait / 2)
	if d, ok := ctx.Deadline(); ok && time.Now().Add(time.Until(d)/2).Before(until) {
		until = time.Now().Add(time.Until(d) / 2)
	}
	if e, lead := g.cache.store.AwaitLeader(ctx, key, wait, until, g.cache.now); e != nil {
		return &fetchResult{entry: e, label: cache.Hit, stored: true}
	} else if lead {
		defer g.cache.store.ReleaseLead(ctx, key)
	}
	release, aerr := g.slots.TryAcquire(authz.AuthorizedCaller(ctx).Key())
	if aerr != nil {
		return &fetchResult{err: errBusy}
	}
	res := g.fetch(ctx, in, rule, target, key, stale)
	if res.stream != nil {
		res.release = release
	} else {
		release()
	}
	return res
}

func (g *Gateway) fetch(ctx context.Context, in http.Header, rule *authz.Rule, target *url.URL, key string, stale *cache.Entry) *fetchResult {
	rc := g.cache
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, g.client.Origin(), nil)
	if err != nil {
		return &fetchResult{err: err}
	}
	u := *target // as built by Target: Path and RawPath exactly as checked
	req.URL = &u
	for _, k := range cacheRequestHeaders {
		if v := in.Values(k); len(v) > 0 {
			req.Header[k] = v
		}
	}
	if stale != nil {
		etag, lastModified := stale.Validators()
		switch {
		case etag != "":
			req.Header.Set("If-None-Match", etag)
		case lastModified != "":
			req.Header.Set("If-Modified-Since", lastModified)
		default:
			stale = nil // nothing to revalidate with: a plain fetch
		}
	}
	resp, err := g.client.Do(req)
	if err != nil {
		return &fetchResult{err: err}
	}
	if err := g.admitResponse(resp); err != nil { // as the reverse proxy's answers
		resp.Body.Close()
		return &fetchResult{err: err}
	}
	now := rc.now()
	if stale != nil && resp.StatusCode == http.StatusNotModified {
		resp.Body.Close()
		return rc.revalidated(ctx, key, stale, resp.Header, rule, now)
	}
	// The client's own limit (jsonData.proxy.maxResponseBytes) fails the read
	// if the body outgrows it.
	body, err := io.ReadAll(io.LimitReader(resp.Body, rc.entryCap+1))
	if err != nil {
		resp.Body.Close()
		return &fetchResult{err: err}
	}
	if int64(len(body)) > rc.entryCap {
		rc.store.Remove(key)
		return &fetchResult{stream: resp, prefix: body}
	}
	resp.Body.Close()
	ttl, storable := cache.Freshness(resp.StatusCode, resp.Header, rule.CacheTTL.Duration)
	e := &cache.Entry{Status: resp.StatusCode, Header: responseHeaders(resp.Header), Body: body, Stored: now, Expires: now.Add(ttl)}
	if storable {
		storable = rc.store.Share(ctx, key, e, ttl)
	} else {
		rc.store.Remove(key)
	}
	return &fetchResult{entry: e, label: cache.Miss, stored: storable}
}

// revalidated refreshes a stale entry the upstream confirmed with 304,
// taking the 304's caching headers (RFC 9111 §4.3.4).
func (rc *responseCache) revalidated(ctx context.Context, key string, stale *cache.Entry, h http.Header, rule *authz.Rule, now time.Time) *fetchResult {
	hdr := stale.Header.Clone()
	for _, k := range []string{"Cache-Control", "ETag", "Expires", "Last-Modified", "Date", "Vary"} {
		if v := h.Values(k); len(v) > 0 {
			hdr[k] = v
		}
	}
	ttl, storable := cache.Freshness(stale.Status, hdr, rule.CacheTTL.Duration)
	e := &cache.Entry{Status: stale.Status, Header: hdr, Body: stale.Body, Stored: now, Expires: now.Add(ttl)}
	if storable {
		storable = rc.store.Share(ctx, key, e, ttl)
	} else {
		rc.store.Remove(key) // the upstream no longer allows storing; this answer is still valid once
	}
	return &fetchResult{entry: e, label: cache.Revalidated, stored: storable}
}

// responseHeaders is what of the upstream's headers a cached answer repeats.
func responseHeaders(in http.Header) http.Header {
	h := in.Clone()
	stripResponseHeaders(h)
	h.Del("Content-Length")
	return h
}

// writeEntry sends a cached response, in chunks so a large body does not sit
// whole in the resource adapter's buffer (pkg/resources, response_writer.go).
func writeEntry(w http.ResponseWriter, e *cache.Entry, label cache.Result, now time.Time) {
	h := w.Header()
	for k, v := range e.Header {
		h[k] = v
	}
	h.Set("X-Cache", string(label))
	h.Set("Age", strconv.Itoa(int(max(0, now.Sub(e.Stored))/time.Second)))
	h.Set("Content-Length", strconv.Itoa(len(e.Body)))
	w.WriteHeader(e.Status)
	for b := e.Body; len(b) > 0; {
		n := min(len(b), writeChunk)
		_, _ = w.Write(b[:n])
		b = b[n:]
		if len(b) > 0 {
			flush(w)
		}
	}
}

// streamUncached sends a response too big for the cache as it arrives: the
// gateway's reverse proxy serves it (prefetched), with the same header
// stripping, size check, streaming and error handling as any proxied call.
func (g *Gateway) streamUncached(w http.ResponseWriter, r *http.Request, rule *authz.Rule, target *url.URL, res *fetchResult) {
	defer res.release()
	resp := res.stream
	resp.Body = &prefixedBody{Reader: io.MultiReader(bytes.NewReader(res.prefix), resp.Body), Closer: resp.Body}
	g.cache.store.Count(cache.Miss)
	g.forward(w, r, rule, target, &prefetched{resp: resp, label: cache.Miss})
}

// prefixedBody is a body of which a part was already read.
type prefixedBody struct {
	io.Reader
	io.Closer
}

func flush(w http.ResponseWriter) {
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
}

var errBusy = errors.New("too many concurrent proxy calls")

// writeFetchError answers a failed fetch as the reverse proxy's error
// handler does.
func (g *Gateway) writeFetchError(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, errBusy) {
		e := apierr.New(http.StatusServiceUnavailable, "proxy_busy", "too many concurrent proxy calls; retry shortly")
		e.RetryAfter = 1
		apierr.Write(w, r, e)
		return
	}
	g.errorHandler(w, r, err)
}
