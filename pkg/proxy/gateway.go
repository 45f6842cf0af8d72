// Package proxy is the /proxy/{path...} gateway: httputil.ReverseProxy on the
// shared upstream client, with per-rule authorization, header allowlists,
// status mapping, limits and streaming.
package proxy

import (
	"context"
	"errors"
	"fmt"
	"io"
	stdlog "log"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sync"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend/httpclient"
	"github.com/grafana/grafana-plugin-sdk-go/backend/log"

	"github.com/relay-gateway/relay/pkg/apierr"
	"github.com/relay-gateway/relay/pkg/authz"
	"github.com/relay-gateway/relay/pkg/cache"
	"github.com/relay-gateway/relay/pkg/httpx"
	"github.com/relay-gateway/relay/pkg/upstream"
)

// Gateway forwards calls to the upstream.
type Gateway struct {
	policy      *authz.Policy
	client      *upstream.Client
	maxResponse int64
	slots       *authz.Slots
	rp          *httputil.ReverseProxy
	logger      log.Logger
	cache       *responseCache // nil when no rule has a cacheTTL
	upstream    string         // the upstream's name ("" the default), for grants
	authType    string
	maxRequest  int64
	// requestTimeout is timeouts.request: how long a cached GET waits at
	// most for another replica's fetch (half of it).
	requestTimeout time.Duration
}

// New builds the gateway once per instance; policy decides every call.
func New(client *upstream.Client, policy *authz.Policy, logger log.Logger) *Gateway {
	s := client.Upstream()
	g := &Gateway{
		policy:      policy,
		client:      client,
		maxResponse: s.Proxy.MaxResponseBytes,
		slots:       authz.NewSlots(s.Proxy.MaxConcurrent, s.Proxy.MaxConcurrentPerUser, "proxy"),
		logger:      logger,
		cache:       newResponseCache(client.DataSource().UID, s, policy.Now), // freshness on the policy's clock
		upstream:    s.Name,
		authType:    s.Auth.Type,
		maxRequest:  s.Proxy.MaxRequestBytes,

		requestTimeout: s.Timeouts.Request.Duration,
	}
	g.rp = &httputil.ReverseProxy{
		Rewrite:        g.rewrite,
		Transport:      prefetchTransport{next: client.RoundTripper()},
		FlushInterval:  -1, // flush every chunk: each becomes one CallResource message
		ModifyResponse: g.modifyResponse,
		ErrorHandler:   g.errorHandler,
		ErrorLog:       stdlog.New(io.Discard, "", 0), // failures are reported through errorHandler and AbortStream
		BufferPool:     bufferPool{},
	}
	return g
}

// Rules returns every rule (for OpenAPI).
func (g *Gateway) Rules() []authz.RuleView { return g.policy.Rules().Views(nil) }

// RulesFor returns the rules a caller passes (for /info).
func (g *Gateway) RulesFor(c authz.Caller) []authz.RuleView { return g.policy.Rules().Views(&c) }

func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r, rule, target, release := g.admit(w, r)
	if release == nil {
		return // answered: refused, or served from the cache
	}
	defer release()
	g.forward(w, r, rule, target, nil)
}

// admit decides the call before it is forwarded: the rule, the target, the
// grant, the GraphQL check, the cache and a slot; release is nil when it has
// answered the call itself. Its frame is gone before forward runs: every
// proxied call's deepest stack (gRPC, the SDK's middlewares, Relay's, the
// reverse proxy, the client's middlewares, net/http) holds only small
// frames of Relay's, which keeps it in a smaller stack size class than one
// copy per call would need (bench/gateway's profile).
//
//go:noinline
func (g *Gateway) admit(w http.ResponseWriter, r *http.Request) (*http.Request, *authz.Rule, *url.URL, func()) {
	rel := "/" + r.PathValue("path")
	caller := authz.AuthorizedCaller(r.Context())
	// The rules are matched once: the gate takes this decision for the
	// call's own request and matches only other ones (redirect hops).
	decision, aerr := g.policy.DecideUpstream(caller, r.Method, rel)
	if aerr != nil {
		writeError(w, r, aerr)
		return nil, nil, nil, nil
	}
	rule := decision.Rule()
	target, err := g.client.Target(rel, r.URL.RawQuery)
	if err != nil {
		writeError(w, r, upstream.CallError(err, ""))
		return nil, nil, nil, nil
	}
	// Every upstream request of this call (a redirect hop included) is
	// checked again by the client's gate against the caller's grant.
	r = r.WithContext(authz.WithGrant(r.Context(), authz.Grant{Caller: caller, Purpose: "proxy", Upstream: g.upstream, Decision: decision}))
	if rule.GraphQL != nil {
		if r, aerr = g.withGraphQLBody(r); aerr != nil {
			writeError(w, r, aerr)
			return nil, nil, nil, nil
		}
	}
	if g.serveCached(w, r, rule, caller, target) {
		return nil, nil, nil, nil
	}
	release, aerr := g.slots.TryAcquire(caller.Key())
	if aerr != nil {
		aerr.Code = "proxy_busy"
		writeError(w, r, aerr)
		return nil, nil, nil, nil
	}
	return r, rule, target, release
}

// forward serves the call through the reverse proxy: the upstream's answer,
// or pre, an answer the cache already fetched (the reverse proxy's transport
// returns it instead of sending the request again).
func (g *Gateway) forward(w http.ResponseWriter, r *http.Request, rule *authz.Rule, target *url.URL, pre *prefetched) {
	fw := &forwarding{gate: flushGate{ResponseWriter: w}, target: target, pre: pre}
	// With forwardOAuth, Grafana adds the signed-in user's Authorization and
	// X-ID-Token to the resource call; the client forwards only those.
	ctx := upstream.WithForwardedHeaders(r.Context(), r.Header)
	ctx = context.WithValue(ctx, forwardingKey{}, fw)
	if d := rule.Timeout(); d > 0 {
		ctx = upstream.WithRequestTimeout(ctx, d) // may be longer than timeouts.request, e.g. for big downloads
	}
	g.rp.ServeHTTP(&fw.gate, r.WithContext(ctx))
}

// forwarding is what the reverse proxy's hooks (rewrite, transport,
// modifyResponse) read of one call, in one context value.
type forwarding struct {
	gate   flushGate
	target *url.URL
	pre    *prefetched // nil unless the cache already fetched the answer
}

type forwardingKey struct{}

func forwardingOf(ctx context.Context) *forwarding {
	fw, _ := ctx.Value(forwardingKey{}).(*forwarding)
	return fw
}

// writeError answers with the policy's (or the gateway's own) error and
// gives its code to the call's audit entry as the reason: a denial the proxy
// decides is audited with why, like one the route middleware decides.
func writeError(w http.ResponseWriter, r *http.Request, e *apierr.Error) {
	httpx.NoteAudit(r.Context(), "", e.Code)
	apierr.Write(w, r, e)
}

// smallBody is the largest response sent as a single CallResource message.
const smallBody = 64 << 10

// flushGate lets ReverseProxy flush every chunk (FlushInterval -1: each
// flush becomes one CallResource message, which is what streams a large
// body), except for small responses of known length: those go out as one
// message instead of a header message plus a body message.
type flushGate struct {
	http.ResponseWriter
	whole bool
}

func (f *flushGate) Flush() {
	if !f.whole {
		http.NewResponseController(f.ResponseWriter).Flush()
	}
}

func (f *flushGate) Unwrap() http.ResponseWriter { return f.ResponseWriter }

func (g *Gateway) rewrite(pr *httputil.ProxyRequest) {
	pr.Out.URL = forwardingOf(pr.In.Context()).target
	pr.Out.Host = ""
	pr.Out.Header = upstream.ForwardHeaders(pr.In.Header)
	if pr.Out.ContentLength == 0 {
		pr.Out.Body = nil
	}
}

// upstreamStatusError carries an upstream answer Relay must not pass as is.
type upstreamStatusError struct{ status int }

func (e *upstreamStatusError) Error() string { return fmt.Sprintf("upstream answered %d", e.status) }

// errResponseTooLarge aborts a stream over the response cap.
var errResponseTooLarge = errors.New("upstream response exceeds the configured maxResponseBytes")

// admitResponse is the gateway's check of an upstream answer before any of
// it goes out, for the reverse proxy and the cache alike: refused credentials
// never pass as the caller's own 401 (upstream.RefusedCredentials), and a
// declared length over maxResponseBytes is refused before streaming.
func (g *Gateway) admitResponse(resp *http.Response) error {
	if upstream.RefusedCredentials(resp.StatusCode) {
		return &upstreamStatusError{status: resp.StatusCode}
	}
	if g.maxResponse > 0 && resp.ContentLength > g.maxResponse {
		return errResponseTooLarge
	}
	return nil
}

func (g *Gateway) modifyResponse(resp *http.Response) error {
	if err := g.admitResponse(resp); err != nil {
		return err
	}
	fw := forwardingOf(resp.Request.Context())
	if fw != nil {
		fw.gate.whole = resp.ContentLength >= 0 && resp.ContentLength <= smallBody
	}
	resp.Body = &abortOnError{ReadCloser: resp.Body, ctx: resp.Request.Context()}
	stripResponseHeaders(resp.Header) // the reverse proxy drops hop-by-hop headers too; this is the rest
	if fw != nil && fw.pre != nil {
		resp.Header.Set("X-Cache", string(fw.pre.label))
	}
	return nil
}

// prefetched is an upstream answer the cache already received, handed to
// the reverse proxy to serve.
type prefetched struct {
	resp  *http.Response
	label cache.Result
}

// prefetchTransport is the reverse proxy's transport: the upstream client,
// or the prefetched answer of the request's context.
type prefetchTransport struct{ next http.RoundTripper }

func (t prefetchTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if fw := forwardingOf(req.Context()); fw != nil && fw.pre != nil {
		fw.pre.resp.Request = req
		return fw.pre.resp, nil
	}
	return t.next.RoundTrip(req)
}

func (g *Gateway) errorHandler(w http.ResponseWriter, r *http.Request, err error) {
	var se *upstreamStatusError
	switch {
	case errors.As(err, &se):
		writeError(w, r, upstream.CredentialsError(se.status, ""))
	case errors.Is(err, errResponseTooLarge):
		writeError(w, r, apierr.Downstream(http.StatusBadGateway, "response_too_large", "%s", err.Error()))
	case errors.Is(err, context.Canceled) && r.Context().Err() != nil:
		// The client went away; nobody is left to answer.
	default:
		writeError(w, r, upstream.CallError(err, "")) // a redirect hop the rules refused keeps the policy's error
	}
}

// abortOnError marks the call as failed when the upstream body breaks after
// the status went out (reset, timeout, or the client's response limit from
// jsonData.proxy.maxResponseBytes), so Grafana does not present a truncated
// body as complete.
type abortOnError struct {
	io.ReadCloser
	ctx context.Context
}

func (b *abortOnError) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && !errors.Is(err, io.EOF) {
		msg := "upstream stream failed: " + upstream.Classify(err).Error()
		if errors.Is(err, httpclient.ErrResponseBodyTooLarge) {
			msg = errResponseTooLarge.Error()
		}
		httpx.AbortStream(b.ctx, errors.New(msg))
	}
	return n, err
}

// bufferPool recycles ReverseProxy's copy buffers: without one it allocates
// (and zeroes) 32 KiB for every response, a measurable share of a small call.
type bufferPool struct{}

var copyBuffers = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

func (bufferPool) Get() []byte  { return *copyBuffers.Get().(*[]byte) }
func (bufferPool) Put(b []byte) { copyBuffers.Put(&b) }
