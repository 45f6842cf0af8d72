package resources

import (
	"context"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/relay-gateway/relay/pkg/apierr"
	"github.com/relay-gateway/relay/pkg/authz"
	"github.com/relay-gateway/relay/pkg/httpx"
)

// middleware wraps one route's handler, built once when the router is: panic
// recovery, authorization, rate limiting, body limit, timeout, metrics, logs
// and the audit trail all come from the route's declaration.
func (a *API) middleware(rt *Route) http.Handler {
	reqs := a.reqs[rt.Name]
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := &call{start: time.Now(), sw: statusWriter{ResponseWriter: w}, rid: httpx.NewRequestID(),
			clientRID: httpx.ClientRequestID(r.Header.Get("X-Request-Id"))}
		defer a.finish(rt, r, c)
		inner, cancel := a.enter(rt, reqs, c, r)
		if inner == nil {
			return
		}
		if cancel != nil {
			defer cancel()
		}
		rt.Handler(&c.sw, inner)
	})
}

// call is one resource call's state, from the router's middleware to the
// audit entry. The handler runs in a frame that holds only it: authorizing
// the call (enter) and auditing it (finish) are out of line, as the handler's
// stack is the deepest of the call (the proxy's goes through the reverse
// proxy, the upstream client's middlewares and net/http), and a smaller one
// saves a stack copy per call (bench/gateway's profile).
type call struct {
	start     time.Time
	sw        statusWriter
	note      httpx.AuditNote
	rid       string
	clientRID string
	caller    authz.Caller
	reason    string
}

// enter authorizes the call and applies the route's body limit and timeout.
// It returns the request for the handler, or nil when it has answered.
//
//go:noinline
func (a *API) enter(rt *Route, reqs map[string]authz.Requirement, c *call, r *http.Request) (*http.Request, context.CancelFunc) {
	c.sw.Header().Set("X-Request-Id", c.rid)
	c.caller = authz.CallerFromContext(r.Context())
	req := reqs[r.Method]
	if r.Method == http.MethodHead {
		if h, ok := reqs[http.MethodGet]; ok {
			req = h
		}
	}
	authorized, err := a.deps.Policy.Authorize(c.caller, req, rt.classFor(r.Method), r.Header.Get(authz.APIKeyHeader))
	c.caller = authorized
	if err != nil {
		c.reason = err.Code
		apierr.Write(&c.sw, r, err)
		return nil, nil
	}
	// The adapter (adapter.go) hands a nil Body when the call has none.
	if r.Body == nil {
		r.Body = http.NoBody
	}
	if limit := rt.BodyLimit; limit > 0 {
		if r.ContentLength > limit {
			c.reason = "body_too_large"
			apierr.Write(&c.sw, r, apierr.TooLarge(limit))
			return nil, nil
		}
		r.Body = http.MaxBytesReader(&c.sw, r.Body, limit)
	}
	ctx := authz.WithCaller(r.Context(), c.caller)
	ctx = httpx.WithRequestID(ctx, c.rid)
	ctx = httpx.WithAuditNote(ctx, &c.note)
	var cancel context.CancelFunc
	if rt.Timeout > 0 {
		ctx, cancel = context.WithTimeout(ctx, rt.Timeout)
	}
	return r.WithContext(ctx), cancel
}

// finish turns a panic into a 500 and observes the call (metrics, log,
// audit). It is deferred by the middleware, so recover applies.
func (a *API) finish(rt *Route, r *http.Request, c *call) {
	if p := recover(); p != nil {
		a.deps.Logger.Error("panic in resource handler", "route", rt.Name, "requestId", c.rid, "panic", p, "stack", string(debug.Stack()))
		if !c.sw.wroteHeader {
			apierr.Write(&c.sw, r, apierr.Internal())
		}
		c.reason = "panic"
	}
	caller, reason := mergeNote(&c.note, c.caller, c.reason)
	a.observe(rt, r, &c.sw, caller, callIDs{c.rid, c.clientRID}, c.start, reason)
}

// observe logs, counts and audits a finished call.
// callIDs are Relay's id of a call and the caller's own X-Request-Id, kept
// apart so a caller cannot choose the audit id.
type callIDs struct{ relay, client string }

func (a *API) observe(rt *Route, r *http.Request, sw *statusWriter, c authz.Caller, ids callIDs, start time.Time, reason string) {
	status := sw.status
	if status == 0 {
		status = http.StatusOK
	}
	dur := time.Since(start)
	recordMetrics(rt.Name, r.Method, status, dur)
	// Successful calls are counted, not logged: every plugin log line crosses
	// the process boundary to Grafana, and the SDK already logs each request.
	if status >= 500 {
		a.deps.Logger.Warn("resource call failed", "route", rt.Name, "method", r.Method, "path", r.URL.Path,
			"login", c.Login, "status", status, "durationMs", float64(dur.Microseconds())/1000, "requestId", ids.relay)
	}
	denied := status == http.StatusForbidden || status == http.StatusTooManyRequests || reason == "role_required"
	if rt.AlwaysAudit || !isSafe(r.Method) || c.APIKey != "" || denied {
		outcome := "allowed"
		switch {
		case denied:
			outcome = "denied"
		case status >= 400:
			outcome = "error"
		}
		a.deps.Audit.Record(authz.AuditEntry{Time: start.UTC(), RequestID: ids.relay, ClientRequestID: ids.client, Login: c.Login, Role: c.Role.String(),
			OrgID: c.OrgID, Route: rt.Name, Method: r.Method, Path: r.URL.Path, Status: status,
			DurationMS: float64(dur.Microseconds()) / 1000, APIKey: c.APIKey, Outcome: outcome, Reason: reason})
	}
}

// statusWriter remembers the status and keeps Flush reachable, which the
// proxy needs to stream each chunk as its own CallResource message.
type statusWriter struct {
	http.ResponseWriter
	status      int
	wroteHeader bool
}

// An informational status (an upstream's 103 Early Hints, passed on by the
// reverse proxy) is not the call's answer: the audit records the final one.
func (w *statusWriter) WriteHeader(code int) {
	if !w.wroteHeader && code >= 200 {
		w.status, w.wroteHeader = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if !w.wroteHeader {
		w.status, w.wroteHeader = http.StatusOK, true
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// mergeNote adds what the handler noted to the call's audit entry.
func mergeNote(n *httpx.AuditNote, c authz.Caller, reason string) (authz.Caller, string) {
	apiKey, noted := n.Read()
	if apiKey != "" {
		c.APIKey = apiKey
	}
	if reason == "" {
		reason = noted
	}
	return c, reason
}
