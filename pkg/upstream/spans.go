package upstream

import (
	"context"
	"net/http"

	"github.com/grafana/grafana-plugin-sdk-go/backend/httpclient"
	"github.com/grafana/grafana-plugin-sdk-go/backend/tracing"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/relay-gateway/relay/pkg/httpx"
	"github.com/relay-gateway/relay/pkg/settings"
)

// spanMiddleware makes one client span per attempt (each retry after a 401,
// each digest challenge answer, each redirect hop) on the SDK's tracer: a
// no-op unless Grafana enables tracing for plugins. It is the innermost
// middleware, so it sees every attempt as sent. It names the method, the
// host, the status and the request id, never the path or the query string
// (an API key or a token may be in either) and no header: the SDK's own
// TracingMiddleware records the whole URL, and is not used.
func (c *Client) spanMiddleware(_ httpclient.Options, next http.RoundTripper) http.RoundTripper {
	upstreamName := settings.ShownUpstream(c.settings.Name)
	return httpclient.RoundTripperFunc(func(req *http.Request) (*http.Response, error) {
		ctx, span := tracing.DefaultTracer().Start(req.Context(), spanName(req.Method), clientSpan...)
		defer span.End()
		// With tracing off (the SDK's no-op provider) or a parent not
		// sampled, the span records nothing: its attributes are not built.
		if span.IsRecording() {
			setRequestAttributes(span, req, upstreamName)
		}
		if span.SpanContext().IsValid() {
			req = withTraceParent(ctx, req)
		}
		resp, err := next.RoundTrip(req)
		endAttempt(span, resp, err)
		return resp, err
	})
}

var clientSpan = []trace.SpanStartOption{trace.WithSpanKind(trace.SpanKindClient)}

// spanName is "relay.upstream <METHOD>", without building the string for
// the usual methods.
func spanName(method string) string {
	switch method {
	case http.MethodGet:
		return "relay.upstream GET"
	case http.MethodHead:
		return "relay.upstream HEAD"
	case http.MethodPost:
		return "relay.upstream POST"
	case http.MethodPut:
		return "relay.upstream PUT"
	case http.MethodPatch:
		return "relay.upstream PATCH"
	case http.MethodDelete:
		return "relay.upstream DELETE"
	}
	return "relay.upstream " + method
}

// setRequestAttributes names the attempt on a recording span. It is kept out
// of line: the middleware's frame is on the deepest stack of every proxied
// call (gRPC, the SDK's middlewares, the gateway, the client's middlewares,
// net/http), and an attribute array in it grows that stack past a size
// class, a stack copy per call (bench/gateway's profile showed it).
//
//go:noinline
func setRequestAttributes(span trace.Span, req *http.Request, upstreamName string) {
	attrs := []attribute.KeyValue{
		attribute.String("http.request.method", req.Method),
		attribute.String("server.address", req.URL.Hostname()),
		attribute.String("relay.upstream", upstreamName),
	}
	if p := req.URL.Port(); p != "" {
		attrs = append(attrs, attribute.String("server.port", p))
	}
	if rid := httpx.RequestID(req.Context()); rid != "" {
		attrs = append(attrs, attribute.String("relay.request_id", rid))
	}
	span.SetAttributes(attrs...)
}

// withTraceParent lets the upstream join the trace (W3C traceparent): a
// copy of the request, as a RoundTripper must not change its caller's.
//
//go:noinline
func withTraceParent(ctx context.Context, req *http.Request) *http.Request {
	out := withOwnHeader(req.WithContext(ctx))
	otel.GetTextMapPropagator().Inject(ctx, propagation.HeaderCarrier(out.Header))
	return out
}

// endAttempt records the attempt's outcome on its span: the kind of a
// transport error only (its text holds the URL), the status otherwise.
//
//go:noinline
func endAttempt(span trace.Span, resp *http.Response, err error) {
	if err != nil {
		span.SetStatus(codes.Error, Classify(err).Kind.Code())
		return
	}
	if span.IsRecording() {
		span.SetAttributes(attribute.Int("http.response.status_code", resp.StatusCode))
	}
	if resp.StatusCode >= 500 {
		span.SetStatus(codes.Error, http.StatusText(resp.StatusCode))
	}
}
