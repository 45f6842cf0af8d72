package query_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/log"
	"github.com/hashicorp/go-hclog"
	"go.opentelemetry.io/otel"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/relay-gateway/relay/pkg/plugin/plugintest"
)

// spans records every span of the test binary in memory. The SDK's default
// tracer is otel's global one, which delegates to the first provider set.
var spans = sync.OnceValue(func() *tracetest.SpanRecorder {
	rec := tracetest.NewSpanRecorder()
	otel.SetTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec)))
	return rec
})

// traced runs f under a root span and returns the other spans of its trace.
func traced(t *testing.T, f func(ctx context.Context)) (root trace.SpanContext, out []sdktrace.ReadOnlySpan) {
	rec := spans()
	ctx, span := otel.Tracer("test").Start(context.Background(), "test")
	f(ctx)
	span.End()
	for _, s := range rec.Ended() {
		if s.SpanContext().TraceID() == span.SpanContext().TraceID() && s.SpanContext().SpanID() != span.SpanContext().SpanID() {
			out = append(out, s)
		}
	}
	return span.SpanContext(), out
}

const (
	spanKey    = "key-5ecret-in-query"
	spanToken  = "token-5ecret-in-param"
	spanInPath = "path-5ecret-segment"
)

// pagedUpstream serves 5 items, 2 per page (offset mode), behind an API key.
func pagedUpstream(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("api_key") != spanKey {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		off, _ := strconv.Atoi(r.URL.Query().Get("offset"))
		var items []map[string]int
		for i := off; i < min(off+2, 5); i++ {
			items = append(items, map[string]int{"id": i})
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"items": items})
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestQuerySpanTree(t *testing.T) {
	srv := pagedUpstream(t)
	r := newRunnerWith(t, plugintest.Config{UID: "spans", URL: srv.URL, Secure: map[string]string{"apiKeyValue": spanKey},
		JSONData: `{"auth":{"type":"apiKey","apiKeyName":"api_key","apiKeyIn":"query"},"network":{"allowPrivateNetworks":true}}`})
	var dr backend.DataResponse
	root, got := traced(t, func(ctx context.Context) {
		resp := r.QueryData(ctx, &backend.QueryDataRequest{
			PluginContext: backend.PluginContext{User: &backend.User{Login: "ada", Role: "Viewer"}},
			Queries: []backend.DataQuery{query("A", `{"path":"/items/`+spanInPath+`","params":{"token":"`+spanToken+`"},
				"pagination":{"mode":"offset","pageSize":2},"pipeline":{"root":"items"}}`)}})
		dr = resp.Responses["A"]
	})
	if dr.Error != nil || len(dr.Frames) != 1 || dr.Frames[0].Rows() != 5 {
		t.Fatalf("query: %v %v", dr.Error, dr.Frames)
	}

	byID := map[trace.SpanID]sdktrace.ReadOnlySpan{}
	for _, s := range got {
		byID[s.SpanContext().SpanID()] = s
	}
	parent := func(s sdktrace.ReadOnlySpan) string {
		if s.Parent().SpanID() == root.SpanID() {
			return "test"
		}
		if p, ok := byID[s.Parent().SpanID()]; ok {
			return p.Name()
		}
		return "?"
	}
	// The tree: test → relay.query → relay.page ×3 (each → one upstream attempt), relay.transform.
	var tree []string
	rid := ""
	for _, s := range got {
		tree = append(tree, parent(s)+">"+s.Name())
		attrs := map[string]string{}
		for _, kv := range s.Attributes() {
			attrs[string(kv.Key)] = kv.Value.Emit()
			// No secret and no path or query string in any attribute.
			for _, secret := range []string{spanKey, spanToken, spanInPath, "/items", "offset="} {
				if strings.Contains(kv.Value.Emit(), secret) {
					t.Errorf("span %s: attribute %s = %q holds %q", s.Name(), kv.Key, kv.Value.Emit(), secret)
				}
			}
		}
		if rid == "" {
			rid = attrs["relay.request_id"]
		}
		if attrs["relay.request_id"] == "" || attrs["relay.request_id"] != rid {
			t.Errorf("span %s: request id %q, want the request's %q", s.Name(), attrs["relay.request_id"], rid)
		}
		switch s.Name() {
		case "relay.upstream GET":
			host := strings.TrimPrefix(srv.URL, "http://")
			if attrs["http.request.method"] != "GET" || attrs["server.address"]+":"+attrs["server.port"] != host ||
				attrs["http.response.status_code"] != "200" || s.SpanKind() != trace.SpanKindClient {
				t.Errorf("upstream span attributes %v", attrs)
			}
		case "relay.query":
			if attrs["relay.upstream"] != "default" || attrs["relay.frames"] != "1" {
				t.Errorf("query span attributes %v", attrs)
			}
		}
	}
	want := map[string]int{"test>relay.query": 1, "relay.query>relay.page": 3, "relay.page>relay.upstream GET": 3, "relay.query>relay.transform": 1}
	count := map[string]int{}
	for _, e := range tree {
		count[e]++
	}
	if fmt.Sprint(count) != fmt.Sprint(want) {
		t.Errorf("span tree %v, want %v", count, want)
	}
}

func TestLogLinesCarryTraceAndRequestIDs(t *testing.T) {
	// The data source's logger is the SDK's default logger; its lines go to a buffer here.
	var buf syncBuffer
	prevOut, prevLogger := hclog.DefaultOutput, log.DefaultLogger
	hclog.DefaultOutput = &buf
	log.DefaultLogger = log.New()
	hclog.DefaultOutput = prevOut
	defer func() { log.DefaultLogger = prevLogger }()

	// An upstream that redirects to another host: the refusal is logged.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://elsewhere.invalid/x", http.StatusFound)
	}))
	defer srv.Close()
	r := newRunner(t, srv.URL, `{"network":{"allowPrivateNetworks":true}}`)
	root, got := traced(t, func(ctx context.Context) {
		_ = r.QueryData(ctx, &backend.QueryDataRequest{
			PluginContext: backend.PluginContext{User: &backend.User{Login: "ada", Role: "Viewer"}},
			Queries:       []backend.DataQuery{query("A", `{"path":"/go"}`)}})
	})
	rid := ""
	for _, s := range got {
		for _, kv := range s.Attributes() {
			if kv.Key == "relay.request_id" {
				rid = kv.Value.AsString()
			}
		}
	}
	var line map[string]any
	for _, l := range strings.Split(buf.String(), "\n") {
		if strings.Contains(l, "Refused upstream redirect") {
			_ = json.Unmarshal([]byte(l), &line)
		}
	}
	if line == nil {
		t.Fatalf("no log line about the refused redirect in:\n%s", buf.String())
	}
	if rid == "" || line["requestId"] != rid || line["traceId"] != root.TraceID().String() {
		t.Errorf("log line %v: want requestId %q and traceId %s", line, rid, root.TraceID())
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
