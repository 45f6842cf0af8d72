package upstream

import (
	"context"
	"io"
	"net/http"
	"testing"
)

// BenchmarkDo measures a full request through the client (policy checks,
// credential injection, SDK middlewares, guarded dial reuse) against a
// loopback server. BenchmarkDoBaseline is the same request on a bare
// http.Client, so the difference is Relay's overhead.
func BenchmarkDo(b *testing.B) {
	srv := newServer(b, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(`{"ok":true}`)) }))
	c := newTestClient(b, cfg{url: srv.URL, json: map[string]any{"auth": map[string]any{"type": "bearer"}, "network": allowLoopback,
		"proxy": map[string]any{"queryParams": map[string]string{"tenant": "acme"}}}, secure: map[string]string{"bearerToken": "t"}})
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		req, err := c.NewRequest(ctx, http.MethodGet, "/v1/items", nil, nil)
		if err != nil {
			b.Fatal(err)
		}
		resp, err := c.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
}

func BenchmarkDoBaseline(b *testing.B) {
	srv := newServer(b, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(`{"ok":true}`)) }))
	hc := &http.Client{Transport: &http.Transport{}}
	b.Cleanup(hc.CloseIdleConnections)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/v1/items?tenant=acme", nil)
		if err != nil {
			b.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer t")
		resp, err := hc.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
}
