package query

import (
	"context"

	"github.com/grafana/grafana-plugin-sdk-go/backend/tracing"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/relay-gateway/relay/pkg/httpx"
)

// Spans of a query, on the SDK's tracer (Grafana's tracing when it enables it
// for plugins, a no-op otherwise):
//
//	relay.query              one per query (QueryData, /transform, /schema)
//	├─ relay.page            one per upstream call of the query (each page, each list value)
//	│  └─ relay.upstream     one per attempt (pkg/upstream: retries, redirect hops)
//	└─ relay.transform       one per pipeline run
//
// Each carries the request id (relay.request_id). Attributes never hold a
// path, a query string, a header or a body: what is safe to name is the
// upstream's name, methods, counts and statuses.

const attrRequestID = attribute.Key("relay.request_id")

// startSpan starts a span of the query path with the request id.
func startSpan(ctx context.Context, name string, attrs ...attribute.KeyValue) (context.Context, trace.Span) {
	if rid := httpx.RequestID(ctx); rid != "" {
		attrs = append(attrs, attrRequestID.String(rid))
	}
	return tracing.DefaultTracer().Start(ctx, name, trace.WithAttributes(attrs...))
}

// endSpan records err (its code and message only: Relay's errors name no
// secret, and upstream texts in them are scrubbed) and ends the span.
func endSpan(span trace.Span, err error) {
	if err != nil {
		_ = tracing.Error(span, err)
	}
	span.End()
}

// fetchPage is fetch as one page of a query: its span, numbered from 1.
func (r *Runner) fetchPage(ctx context.Context, c *call, req request, n int) (*page, error) {
	ctx, span := startSpan(ctx, "relay.page", attribute.Int("relay.page", n), attribute.String("http.request.method", req.Method))
	pg, err := r.fetch(ctx, c, req)
	if pg != nil {
		span.SetAttributes(attribute.Int("http.response.status_code", pg.Status), attribute.Int("relay.page.bytes", len(pg.Body)))
	}
	endSpan(span, err)
	return pg, err
}
