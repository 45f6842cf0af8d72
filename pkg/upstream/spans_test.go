package upstream

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

// An attempt's span: attributes only when it records (a sampled parent under
// the SDK's ParentBased sampler), the traceparent sent to the upstream
// whenever the span context is valid, sampled or not.
func TestUpstreamSpanAttributesAndTraceParent(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.AlwaysSample())), sdktrace.WithSpanProcessor(rec))
	// The SDK's default tracer is otel's global one: it delegates to the
	// first provider set in this test binary, this one.
	otel.SetTracerProvider(tp)
	prev := otel.GetTextMapPropagator()
	otel.SetTextMapPropagator(propagation.TraceContext{})
	t.Cleanup(func() { otel.SetTextMapPropagator(prev) })

	srv := newServer(t, http.HandlerFunc(echoHandler))
	c := newTestClient(t, cfg{url: srv.URL, json: map[string]any{"network": allowLoopback}})

	for _, sampled := range []bool{true, false} {
		parent := trace.NewSpanContext(trace.SpanContextConfig{TraceID: trace.TraceID{1, 2, 3}, SpanID: trace.SpanID{4, 5}, Remote: true})
		if sampled {
			parent = parent.WithTraceFlags(trace.FlagsSampled)
		}
		before := len(rec.Ended())
		got := get(t, c, trace.ContextWithRemoteSpanContext(context.Background(), parent), "/items/secret")
		tpHeader := got.Header.Get("Traceparent")
		if !strings.HasPrefix(tpHeader, "00-"+parent.TraceID().String()+"-") {
			t.Fatalf("sampled=%v: traceparent %q, want the parent's trace", sampled, tpHeader)
		}
		ended := rec.Ended()[before:]
		if !sampled {
			if len(ended) != 0 || !strings.HasSuffix(tpHeader, "-00") {
				t.Fatalf("unsampled parent: %d spans recorded, traceparent %q", len(ended), tpHeader)
			}
			continue
		}
		if len(ended) != 1 || ended[0].Name() != "relay.upstream GET" || ended[0].SpanKind() != trace.SpanKindClient {
			t.Fatalf("spans %v", ended)
		}
		s := ended[0]
		if !strings.Contains(tpHeader, "-"+s.SpanContext().SpanID().String()+"-") {
			t.Errorf("traceparent %q does not name the attempt's span %s", tpHeader, s.SpanContext().SpanID())
		}
		attrs := map[string]string{}
		for _, kv := range s.Attributes() {
			attrs[string(kv.Key)] = kv.Value.Emit()
		}
		host, port, _ := strings.Cut(strings.TrimPrefix(srv.URL, "http://"), ":")
		if attrs["http.request.method"] != "GET" || attrs["server.address"] != host || attrs["server.port"] != port ||
			attrs["relay.upstream"] != "default" || attrs["http.response.status_code"] != "200" {
			t.Errorf("attributes %v", attrs)
		}
		for k, v := range attrs {
			if strings.Contains(v, "secret") || strings.Contains(v, "/items") {
				t.Errorf("attribute %s = %q names the path or query", k, v)
			}
		}
	}
}

func TestSpanName(t *testing.T) {
	for _, m := range []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "PROPFIND"} {
		if got := spanName(m); got != "relay.upstream "+m {
			t.Errorf("spanName(%q) = %q", m, got)
		}
	}
}
