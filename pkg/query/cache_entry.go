package query

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/relay-gateway/relay/pkg/authz"
	"github.com/relay-gateway/relay/pkg/cache"
	"github.com/relay-gateway/relay/pkg/transform"
)

// A query cache entry: what of a fetched answer is stored (cache.Freshness,
// the size cap) and how an entry is served (the gate first, with a notice).

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
