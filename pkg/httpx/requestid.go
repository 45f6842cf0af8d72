package httpx

import (
	"context"
	"crypto/rand"
	"encoding/hex"

	"github.com/grafana/grafana-plugin-sdk-go/backend/log"
	"go.opentelemetry.io/otel/trace"
)

type requestIDKey struct{}

// WithRequestID stores the id Relay gave the current call, and adds it to the
// context logger's attributes (log.DefaultLogger.FromContext), beside the
// trace id the SDK puts there: every line logged for the call carries both.
func WithRequestID(ctx context.Context, id string) context.Context {
	attrs := []any{"requestId", id}
	if tid := trace.SpanContextFromContext(ctx).TraceID(); tid.IsValid() && !hasAttr(log.ContextualAttributesFromContext(ctx), "traceId") {
		attrs = append(attrs, "traceId", tid.String()) // the SDK adds it in its handlers; a call made elsewhere gets it here
	}
	ctx = log.WithContextualAttributes(ctx, attrs)
	return context.WithValue(ctx, requestIDKey{}, id)
}

func hasAttr(kv []any, key string) bool {
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i] == key {
			return true
		}
	}
	return false
}

// RequestID returns the id of the current call.
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// NewRequestID makes a call id. Relay always makes its own: a caller's
// X-Request-Id is recorded beside it (ClientRequestID), never trusted as the
// audit id, so a caller cannot make two audit entries look like one.
func NewRequestID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// ClientRequestID returns a caller's X-Request-Id when it is short and plain
// (for correlating with the caller's logs), otherwise "".
func ClientRequestID(v string) string {
	if v == "" || len(v) > 64 {
		return ""
	}
	for _, c := range v {
		if !(c == '-' || c == '_' || c == '.' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return ""
		}
	}
	return v
}
