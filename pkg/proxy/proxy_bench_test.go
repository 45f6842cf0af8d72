package proxy_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/relay-gateway/relay/pkg/resources/resourcetest"
)

// BenchmarkProxySmallGET is one small JSON GET through the gateway (route
// middleware, rule match, ReverseProxy, upstream client) to a loopback server.
// Its allocations are pinned by TestProxySmallGETAllocations. Its time does
// not include the plugin process's stack copies (this goroutine keeps its
// grown stack; each gRPC stream starts a new one): bench/gateway's
// BenchmarkGatewayProfile measures those.
func BenchmarkProxySmallGET(b *testing.B) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"ok"}`))
	}))
	defer up.Close()
	f := newGateway(b, up.URL, `{"network":{"allowPrivateNetworks":true},"rateLimits":{"disabled":true}}`)
	req := resourcetest.Request{Path: "proxy/health", Role: "Viewer"}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if r := resourcetest.Call(f.handler, req); r.Status != 200 {
			b.Fatal(r.Status)
		}
	}
}
