package resources

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/http"
	"runtime/debug"
	"sync"
	"time"

	"github.com/relay-gateway/relay/pkg/apierr"
	"github.com/relay-gateway/relay/pkg/authz"
)

// middleware wraps one route's handler, built once when the router is: panic
// recovery, authorization, rate limiting, body limit, timeout, metrics, logs
// and the audit trail all come from the route's declaration.
func (a *API) middleware(rt *Route) http.Handler {
	reqs := a.reqs[rt.Name]
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		rid := requestID(r)
		sw.Header().Set("X-Request-Id", rid)
		caller := authz.CallerFromContext(r.Context())
		var reason string
		note := &auditNote{}
		defer func() {
			if p := recover(); p != nil {
				a.deps.Logger.Error("panic in resource handler", "route", rt.Name, "requestId", rid, "panic", p, "stack", string(debug.Stack()))
				if !sw.wroteHeader {
					apierr.Write(sw, r, apierr.Internal())
				}
				reason = "panic"
			}
			caller, reason = note.merge(caller, reason)
			a.observe(rt, r, sw, caller, rid, start, reason)
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
		ctx = withRequestID(ctx, rid)
		ctx = context.WithValue(ctx, auditNoteKey{}, note)
		if rt.Timeout > 0 {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, rt.Timeout)
			defer cancel()
		}
		rt.Handler(sw, r.WithContext(ctx))
	})
}

// observe logs, counts and audits a finished call.
func (a *API) observe(rt *Route, r *http.Request, sw *statusWriter, c authz.Caller, rid string, start time.Time, reason string) {
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
			"login", c.Login, "status", status, "durationMs", float64(dur.Microseconds())/1000, "requestId", rid)
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
		a.deps.Audit.Record(authz.AuditEntry{Time: start.UTC(), RequestID: rid, Login: c.Login, Role: c.Role.String(),
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

type auditNoteKey struct{}

// auditNote carries what only a handler knows into its call's audit entry.
type auditNote struct {
	mu             sync.Mutex
	apiKey, reason string
}

func (n *auditNote) merge(c authz.Caller, reason string) (authz.Caller, string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.apiKey != "" {
		c.APIKey = n.apiKey
	}
	if reason == "" {
		reason = n.reason
	}
	return c, reason
}

// NoteAudit adds to the current call's audit entry an API key the handler
// verified itself (a named action's own key) and the reason it refused or
// how it ended (e.g. "invalid_params", "replayed"). Empty values are ignored.
func NoteAudit(ctx context.Context, apiKey, reason string) {
	n, ok := ctx.Value(auditNoteKey{}).(*auditNote)
	if !ok {
		return
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if apiKey != "" {
		n.apiKey = apiKey
	}
	if reason != "" {
		n.reason = reason
	}
}

type requestIDKey struct{}

func withRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestID returns the id of the current call.
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// requestID reuses a caller's X-Request-Id when it is short and plain,
// otherwise makes one, so log lines can be correlated with a client.
func requestID(r *http.Request) string {
	if id := r.Header.Get("X-Request-Id"); id != "" && len(id) <= 64 && plain(id) {
		return id
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func plain(s string) bool {
	for _, c := range s {
		if !(c == '-' || c == '_' || c == '.' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// BodyError maps a request body read error to the right JSON error.
func BodyError(err error) *apierr.Error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return apierr.TooLarge(mbe.Limit)
	}
	return apierr.BadRequest("bad_body", "could not read the request body")
}
