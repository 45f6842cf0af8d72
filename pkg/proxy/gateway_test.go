package proxy_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"go.uber.org/goleak"

	"github.com/relay-gateway/relay/pkg/plugin/plugintest"
	"github.com/relay-gateway/relay/pkg/resources/resourcetest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const canary = "canary-bearer-7f3a9c"

// upstreamAPI is a fake upstream recording what Relay sent.
func upstreamAPI(t *testing.T) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("/base/echo/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Set-Cookie", "session=upstream")
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"method": r.Method, "path": r.URL.EscapedPath(), "query": r.URL.RawQuery,
			"headers": r.Header, "body": mustRead(r.Body)})
	})
	mux.HandleFunc("/base/status/{code}", func(w http.ResponseWriter, r *http.Request) {
		var code int
		fmt.Sscan(r.PathValue("code"), &code)
		w.Header().Set("WWW-Authenticate", `Basic realm="x"`)
		w.WriteHeader(code)
		fmt.Fprintf(w, `{"upstream":%d}`, code)
	})
	mux.HandleFunc("/base/hold", func(w http.ResponseWriter, r *http.Request) {
		holdEntered <- struct{}{}
		<-r.Context().Done()
	})
	mux.HandleFunc("/base/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(5 * time.Second):
		case <-r.Context().Done():
		}
	})
	mux.HandleFunc("/base/big", func(w http.ResponseWriter, r *http.Request) {
		chunk := bytes.Repeat([]byte("x"), 32<<10)
		for i := 0; i < 64; i++ { // 2 MiB, no Content-Length
			if _, err := w.Write(chunk); err != nil {
				return
			}
			w.(http.Flusher).Flush()
		}
	})
	mux.HandleFunc("/base/reset", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("partial"))
		w.(http.Flusher).Flush()
		conn, _, _ := http.NewResponseController(w).Hijack()
		conn.(*net.TCPConn).SetLinger(0)
		conn.Close()
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// holdEntered signals that a call reached the upstream's /hold handler.
var holdEntered = make(chan struct{}, 16)

func mustRead(r io.Reader) string { b, _ := io.ReadAll(r); return string(b) }

type fixture struct {
	handler backend.CallResourceHandler
}

// newGateway is a data source instance as Grafana builds it (plugintest), so
// the gateway is tested behind the same router, policy and gated client.
func newGateway(t testing.TB, upstreamURL, jsonData string) *fixture {
	t.Helper()
	i := plugintest.New(t, plugintest.Config{URL: upstreamURL + "/base", JSONData: jsonData,
		Secure: map[string]string{"bearerToken": canary}})
	return &fixture{handler: i}
}

const baseSettings = `{"auth":{"type":"bearer"},"network":{"allowPrivateNetworks":true},
	"proxy":{"queryParams":{"tenant":"t1"},"rules":[
		{"path":"/echo/","methods":["GET","POST"],"minRole":"Viewer"},
		{"path":"/echo/admin/","methods":["GET"],"minRole":"Admin"},
		{"path":"/status/","methods":["GET"]},
		{"path":"/slow","methods":["GET"],"timeout":"200ms"},
		{"path":"/big","methods":["GET"]},
		{"path":"/reset","methods":["GET"]},
		{"path":"/hold","methods":["GET"]}]}}`

func TestForwardsWithAllowlistedHeadersAndInjectedAuth(t *testing.T) {
	up := upstreamAPI(t)
	f := newGateway(t, up.URL, baseSettings)
	resp := resourcetest.Call(f.handler, resourcetest.Request{Method: "POST", Path: "proxy/echo/a b/ü?x=1&y=2", Role: "Viewer",
		Body: []byte(`{"k":1}`), Headers: map[string][]string{
			"Content-Type": {"application/json"}, "Accept": {"application/json"}, "Cookie": {"grafana_session=abc"},
			"Authorization": {"Bearer user-token"}, "X-Grafana-User": {"admin"}, "X-Api-Key": {"relay-key"},
			"X-Forwarded-For": {"10.0.0.1"}, "X-Custom": {"nope"},
		}})
	if resp.Status != 200 {
		t.Fatalf("status %d: %s", resp.Status, resp.Body)
	}
	var got struct {
		Method, Path, Query, Body string
		Headers                   http.Header
	}
	if err := json.Unmarshal(resp.Body, &got); err != nil {
		t.Fatal(err)
	}
	if got.Method != "POST" || got.Path != "/base/echo/a%20b/%C3%BC" || got.Query != "tenant=t1&x=1&y=2" || got.Body != `{"k":1}` {
		t.Fatalf("forwarded %+v", got)
	}
	if got.Headers.Get("Authorization") != "Bearer "+canary {
		t.Fatalf("auth not injected: %v", got.Headers)
	}
	for _, h := range []string{"Cookie", "X-Grafana-User", "X-Api-Key", "X-Forwarded-For", "X-Custom"} {
		if got.Headers.Get(h) != "" {
			t.Errorf("%s forwarded upstream", h)
		}
	}
	if got.Headers.Get("Accept") != "application/json" {
		t.Error("Accept not forwarded")
	}
	if resp.Header.Get("Set-Cookie") != "" {
		t.Error("Set-Cookie passed back")
	}
	if strings.Contains(string(resp.Body), canary) && !strings.Contains(got.Headers.Get("Authorization"), canary) {
		t.Error("canary leaked")
	}
}

func TestRulesDecide(t *testing.T) {
	up := upstreamAPI(t)
	f := newGateway(t, up.URL, baseSettings)
	cases := []struct {
		method, path, role string
		status             int
		code               string
	}{
		{"GET", "proxy/echo/x", "Viewer", 200, ""},
		{"HEAD", "proxy/echo/x", "Viewer", 200, ""},
		{"DELETE", "proxy/echo/x", "Admin", 403, "proxy_method_denied"},
		{"GET", "proxy/echo/admin/x", "Editor", 403, "role_required"},
		{"GET", "proxy/echo/admin/x", "Admin", 200, ""},
		{"GET", "proxy/other", "Admin", 403, "proxy_path_denied"},
		{"GET", "proxy/echo/x", "", 403, "role_required"},
		{"GET", "proxy/echo/x", "None", 403, "role_required"},
	}
	for _, c := range cases {
		resp := resourcetest.Call(f.handler, resourcetest.Request{Method: c.method, Path: c.path, Role: c.role})
		if resp.Status != c.status || (c.code != "" && resp.JSON()["code"] != c.code) {
			t.Errorf("%s %s as %q: %d %s", c.method, c.path, c.role, resp.Status, resp.Body)
		}
	}
}

func TestDefaultRulesAreReadOnly(t *testing.T) {
	up := upstreamAPI(t)
	f := newGateway(t, up.URL, `{"network":{"allowPrivateNetworks":true}}`)
	if r := resourcetest.Call(f.handler, resourcetest.Request{Path: "proxy/echo/x", Role: "Viewer"}); r.Status != 200 {
		t.Fatalf("GET: %d", r.Status)
	}
	for _, m := range []string{"POST", "PUT", "PATCH", "DELETE"} {
		if r := resourcetest.Call(f.handler, resourcetest.Request{Method: m, Path: "proxy/echo/x", Role: "Admin"}); r.Status != 403 {
			t.Errorf("%s allowed by default rules: %d", m, r.Status)
		}
	}
}

func TestStatusMapping(t *testing.T) {
	up := upstreamAPI(t)
	f := newGateway(t, up.URL, baseSettings)
	for _, c := range []struct {
		path   string
		status int
		code   string
	}{
		{"proxy/status/401", 502, "upstream_unauthorized"},
		{"proxy/status/407", 502, "upstream_unauthorized"},
		{"proxy/status/404", 404, ""},
		{"proxy/status/503", 503, ""},
		{"proxy/slow", 504, ""},
	} {
		resp := resourcetest.Call(f.handler, resourcetest.Request{Path: c.path, Role: "Viewer"})
		if resp.Status != c.status || (c.code != "" && resp.JSON()["code"] != c.code) {
			t.Errorf("%s: %d %s", c.path, resp.Status, resp.Body)
		}
		if resp.Header.Get("Www-Authenticate") != "" {
			t.Errorf("%s: WWW-Authenticate passed back", c.path)
		}
		if c.code == "upstream_unauthorized" && resp.JSON()["upstreamStatus"] == nil {
			t.Errorf("upstream status missing: %s", resp.Body)
		}
	}
}

func TestUnreachableAndReset(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close() // nothing listens here now
	f := newGateway(t, "http://"+addr, baseSettings)
	if r := resourcetest.Call(f.handler, resourcetest.Request{Path: "proxy/echo/x", Role: "Viewer"}); r.Status != 502 {
		t.Fatalf("refused: %d %s", r.Status, r.Body)
	}
	up := upstreamAPI(t)
	f = newGateway(t, up.URL, baseSettings)
	r := resourcetest.Call(f.handler, resourcetest.Request{Path: "proxy/reset", Role: "Viewer"})
	// The status was already sent; the failure must surface as an error, not a clean truncated body.
	if r.Err == nil && r.Status < 500 {
		t.Fatalf("reset mid-body looked successful: %d %q", r.Status, r.Body)
	}
}

func TestResponseCapAbortsStream(t *testing.T) {
	up := upstreamAPI(t)
	f := newGateway(t, up.URL, strings.Replace(baseSettings, `"queryParams"`, `"maxResponseBytes":100000,"queryParams"`, 1))
	r := resourcetest.Call(f.handler, resourcetest.Request{Path: "proxy/big", Role: "Viewer"})
	if r.Err == nil || !strings.Contains(r.Err.Error(), "maxResponseBytes") {
		t.Fatalf("cap not enforced: err=%v len=%d", r.Err, len(r.Body))
	}
	if len(r.Body) > 100000 {
		t.Fatalf("sent %d bytes over a 100000 cap", len(r.Body))
	}
}

func TestStreamsInChunks(t *testing.T) {
	up := upstreamAPI(t)
	f := newGateway(t, up.URL, baseSettings)
	r := resourcetest.Call(f.handler, resourcetest.Request{Path: "proxy/big", Role: "Viewer"})
	if r.Status != 200 || len(r.Body) != 2<<20 || r.Messages < 8 {
		t.Fatalf("status %d, %d bytes in %d messages", r.Status, len(r.Body), r.Messages)
	}
}

func TestBodyLimit(t *testing.T) {
	up := upstreamAPI(t)
	f := newGateway(t, up.URL, strings.Replace(baseSettings, `"queryParams"`, `"maxRequestBytes":1024,"queryParams"`, 1))
	r := resourcetest.Call(f.handler, resourcetest.Request{Method: "POST", Path: "proxy/echo/x", Role: "Viewer", Body: make([]byte, 2048)})
	if r.Status != 413 {
		t.Fatalf("413 expected: %d %s", r.Status, r.Body)
	}
}

func TestConcurrencyLimit(t *testing.T) {
	up := upstreamAPI(t)
	f := newGateway(t, up.URL, strings.Replace(baseSettings, `"queryParams"`, `"maxConcurrent":1,"queryParams"`, 1)[:1]+`"rateLimits":{"disabled":true},`+strings.Replace(baseSettings, `"queryParams"`, `"maxConcurrent":1,"queryParams"`, 1)[1:])
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // occupies the only slot until cancelled
		defer wg.Done()
		resourcetest.Call(f.handler, resourcetest.Request{Path: "proxy/hold", Role: "Viewer", Ctx: ctx})
	}()
	select {
	case <-holdEntered:
	case <-time.After(5 * time.Second):
		t.Fatal("the holding call never reached the upstream")
	}
	r := resourcetest.Call(f.handler, resourcetest.Request{Path: "proxy/echo/x", Role: "Viewer"})
	cancel()
	wg.Wait()
	if r.Status != 503 || r.Header.Get("Retry-After") == "" {
		t.Fatalf("want 503 with Retry-After, got %d %v", r.Status, r.Header)
	}
}

func TestClientDisconnectCancelsUpstream(t *testing.T) {
	done := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
		close(done)
	}))
	defer srv.Close()
	f := newGateway(t, srv.URL, `{"network":{"allowPrivateNetworks":true}}`)
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(50 * time.Millisecond); cancel() }()
	resourcetest.Call(f.handler, resourcetest.Request{Path: "proxy/x", Role: "Viewer", Ctx: ctx})
	select {
	case <-done:
	case <-time.After(3 * time.Second):
		t.Fatal("upstream call not cancelled")
	}
}

func TestSSRFRefusedWithoutPrivateNetworks(t *testing.T) {
	up := upstreamAPI(t)
	f := newGateway(t, up.URL, `{}`)
	r := resourcetest.Call(f.handler, resourcetest.Request{Path: "proxy/echo/x", Role: "Viewer"})
	if r.Status < 400 || !strings.Contains(string(r.Body), "allowPrivateNetworks") {
		t.Fatalf("loopback upstream not refused clearly: %d %s", r.Status, r.Body)
	}
}
