package upstream

import (
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
		ctx, span := tracing.DefaultTracer().Start(req.Context(), "relay.upstream "+req.Method,
			trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(attrs...))
		defer span.End()
		if span.SpanContext().IsValid() {
			// The upstream can join the trace (W3C traceparent); a copy of
			// the request, as a RoundTripper must not change its caller's.
			out := withOwnHeader(req.WithContext(ctx))
			otel.GetTextMapPropagator().Inject(ctx, propagation.HeaderCarrier(out.Header))
			req = out
		}
		resp, err := next.RoundTrip(req)
		if err != nil {
			// The kind only: a transport error's text holds the URL.
			span.SetStatus(codes.Error, Classify(err).Kind.Code())
			return resp, err
		}
		span.SetAttributes(attribute.Int("http.response.status_code", resp.StatusCode))
		if resp.StatusCode >= 500 {
			span.SetStatus(codes.Error, http.StatusText(resp.StatusCode))
		}
		return resp, nil
	})
}
