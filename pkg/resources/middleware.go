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
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		rid := httpx.NewRequestID()
		clientRID := httpx.ClientRequestID(r.Header.Get("X-Request-Id"))
		sw.Header().Set("X-Request-Id", rid)
		caller := authz.CallerFromContext(r.Context())
		var reason string
		note := &httpx.AuditNote{}
		defer func() {
			if p := recover(); p != nil {
				a.deps.Logger.Error("panic in resource handler", "route", rt.Name, "requestId", rid, "panic", p, "stack", string(debug.Stack()))
				if !sw.wroteHeader {
					apierr.Write(sw, r, apierr.Internal())
				}
				reason = "panic"
			}
			caller, reason = mergeNote(note, caller, reason)
			a.observe(rt, r, sw, caller, callIDs{rid, clientRID}, start, reason)
		}()

		req := reqs[r.Method]
		if r.Method == http.MethodHead {
			if h, ok := reqs[http.MethodGet]; ok {
				req = h
			}
		}
		authorized, err := a.deps.Policy.Authorize(caller, req, rt.classFor(r.Method), r.Header.Get(authz.APIKeyHeader))
		caller = authorized
		if err != nil {
			reason = err.Code
			apierr.Write(sw, r, err)
			return
		}
		// httpadapter hands a nil Body when the call has none.
		if r.Body == nil {
			r.Body = http.NoBody
		}
		if limit := rt.BodyLimit; limit > 0 {
			if r.ContentLength > limit {
				reason = "body_too_large"
				apierr.Write(sw, r, apierr.TooLarge(limit))
				return
			}
			r.Body = http.MaxBytesReader(sw, r.Body, limit)
		}
		ctx := authz.WithCaller(r.Context(), caller)
		ctx = httpx.WithRequestID(ctx, rid)
		ctx = httpx.WithAuditNote(ctx, note)
		if rt.Timeout > 0 {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, rt.Timeout)
			defer cancel()
		}
		rt.Handler(sw, r.WithContext(ctx))
	})
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

func (w *statusWriter) WriteHeader(code int) {
	if !w.wroteHeader {
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
