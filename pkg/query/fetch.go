package query

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/relay-gateway/relay/pkg/apierr"
	"github.com/relay-gateway/relay/pkg/authz"
	"github.com/relay-gateway/relay/pkg/httpx"
	"github.com/relay-gateway/relay/pkg/settings"
	"github.com/relay-gateway/relay/pkg/upstream"
)

// request is one upstream call of a query.
type request struct {
	Method  string
	Path    string
	Params  url.Values
	Headers map[string]string
	Body    string
	// BodyType and Form: a form or multipart body instead of Body (form_body.go).
	BodyType string
	Form     []FormField
	// GraphQL: an answer with "errors" is a query error.
	GraphQL bool
	// Accept: error statuses read as data (the query's acceptStatus).
	Accept *statusSet
	// MaxBytes, when set, replaces transform.maxInputBytes as the size
	// limit of the answer (an OpenAPI document, document.go).
	MaxBytes int64
}

// page is one upstream answer, read whole (bounded by maxInputBytes and the
// caller's in-flight byte lease).
type page struct {
	Status      int
	Body        []byte
	ContentType string
	Header      http.Header
	answer      answerMeta // answers.go
}

// call is what every upstream request of one query shares: whose it is (the
// grant the upstream client's gate checks on each page and redirect hop) and
// the memory lease its bodies are charged to.
type call struct {
	grant authz.Grant
	lease *authz.Lease
	// record, when set, sees every page fetched (the query cache's
	// freshness and the paths a cached answer was made of).
	record func(request, *page)
}

// fetch performs one call and reads the body up to the transform input
// limit. Errors are *apierr.Error tagged with their source.
func (r *Runner) fetch(ctx context.Context, c *call, req request) (pg *page, err error) {
	start := time.Now()
	status := 0
	defer func() { r.auditCall(ctx, c, req, status, start, err) }()
	body, contentType, err := req.body()
	if err != nil {
		return nil, apierr.New(http.StatusInternalServerError, "internal", "building the request body failed")
	}
	out, err := r.client.NewRequest(withGraphQLBody(authz.WithGrant(ctx, c.grant), req), req.Method, req.Path, req.Params, body)
	if err != nil {
		return nil, upstream.CallError(err, "")
	}
	for k, v := range req.Headers {
		out.Header.Set(k, v)
	}
	if contentType != "" && (req.BodyType != "" || out.Header.Get("Content-Type") == "") {
		out.Header.Set("Content-Type", contentType)
	}
	resp, err := r.client.Do(out)
	if err != nil {
		return nil, clientError(err, "")
	}
	defer resp.Body.Close()
	status = resp.StatusCode
	limit, limitName := r.settings.Transform.MaxInputBytes, "transform.maxInputBytes"
	if req.MaxBytes > 0 {
		limit, limitName = req.MaxBytes, "the limit"
	}
	data, err := io.ReadAll(io.LimitReader(c.lease.Reader(resp.Body), limit+1))
	if err != nil {
		return nil, clientError(err, "reading the upstream response: ")
	}
	if int64(len(data)) > limit {
		return nil, apierr.Downstream(http.StatusBadGateway, "upstream_too_large",
			"the upstream response exceeds %s (%d bytes)", limitName, limit)
	}
	// A GraphQL server answers a bad operation with 400 and its errors: those are the message worth showing.
	graphqlAnswer := req.GraphQL && resp.StatusCode < 500 && !upstream.RefusedCredentials(resp.StatusCode) && graphqlHasErrors(data)
	if resp.StatusCode >= 400 && !graphqlAnswer && !req.Accept.accepts(resp.StatusCode) {
		return nil, r.upstreamStatusError(req, resp.StatusCode, data)
	}
	if req.GraphQL {
		if err := r.graphqlErrors(data); err != nil {
			return nil, err
		}
	}
	pg = &page{Status: resp.StatusCode, Body: data, ContentType: resp.Header.Get("Content-Type"), Header: resp.Header,
		answer: r.answerOf(resp, start)}
	if c.record != nil {
		c.record(req, pg)
	}
	return pg, nil
}

// clientError maps an upstream client error: the policy's refusal keeps its
// own status and code (403 role_required, 429 rate_limited...), a full byte
// budget is a 503, the rest is the upstream's fault.
func clientError(err error, prefix string) *apierr.Error {
	if isBudgetError(err) {
		return budgetError(err)
	}
	return upstream.CallError(err, prefix)
}

// auditCall records the upstream requests of queries that write (any method
// but GET and HEAD) or were refused: queries are calls, and a write through a
// query is audited like one through the proxy.
func (r *Runner) auditCall(ctx context.Context, c *call, req request, status int, start time.Time, err error) {
	if r.audit == nil {
		return
	}
	e := apierr.From(err)
	denied := err != nil && (e.Status == http.StatusForbidden || e.Status == http.StatusTooManyRequests)
	if !denied && (req.Method == http.MethodGet || req.Method == http.MethodHead) {
		return
	}
	outcome, reason := "allowed", ""
	switch {
	case denied:
		outcome, reason, status = "denied", e.Code, e.Status
	case err != nil:
		outcome, reason = "error", e.Code
		if status == 0 {
			status = e.Status
		}
	}
	rid := httpx.RequestID(ctx)
	if rid == "" {
		rid = httpx.NewRequestID()
	}
	caller := c.grant.Caller
	r.audit.Record(authz.AuditEntry{Time: start.UTC(), RequestID: rid, Login: caller.Login, Role: caller.Role.String(),
		OrgID: caller.OrgID, Route: c.grant.Purpose, Upstream: settings.ShownUpstream(c.grant.Upstream), Method: req.Method, Path: req.Path, Status: status,
		DurationMS: float64(time.Since(start).Microseconds()) / 1000, APIKey: caller.APIKey, Outcome: outcome, Reason: reason})
}

// upstreamStatusError reports an upstream error answer as upstream.StatusError
// does (a 401 never passes through as 401). The snippet of the answer is
// scrubbed of every form of Relay's credentials: a reflecting upstream would
// otherwise show them to the caller.
func (r *Runner) upstreamStatusError(req request, status int, body []byte) *apierr.Error {
	if len(body) > 1024 { // scrub a window wider than what is shown
		body = body[:1024]
	}
	// A secret cut by the window is still caught by its prefix (Scrub).
	snippet := strings.TrimSpace(r.client.ScrubCut(string(body), 200))
	return upstream.StatusError(status, req.Method+" "+req.Path, snippet)
}
