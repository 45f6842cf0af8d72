package resources

import (
	"net/http"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend/resource/httpadapter"

	"github.com/relay-gateway/relay/pkg/resources/resourcetest"
)

// BenchmarkInfo is Relay's /info through the CallResource adapter, next to
// BenchmarkMinimalPing, a bare httpadapter route writing "{}".
func BenchmarkInfo(b *testing.B) {
	f := newFixture(&testing.T{}, `{"rateLimits":{"default":{"perSecond":1e9,"burst":1000000}}}`, Features{})
	req := resourcetest.Request{Path: "info", Role: "Viewer"}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if r := resourcetest.Call(f.handler, req); r.Status != 200 {
			b.Fatal(r.Status)
		}
	}
}

func BenchmarkMinimalPing(b *testing.B) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /ping", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("{}")) })
	h := httpadapter.New(mux)
	req := resourcetest.Request{Path: "ping", Role: "Viewer"}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if r := resourcetest.Call(h, req); r.Status != 200 {
			b.Fatal(r.Status)
		}
	}
}
