package proxy

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/log"

	"github.com/relay-gateway/relay/pkg/authz"
	"github.com/relay-gateway/relay/pkg/resources"
	"github.com/relay-gateway/relay/pkg/resources/resourcetest"
	"github.com/relay-gateway/relay/pkg/settings"
	"github.com/relay-gateway/relay/pkg/upstream"
)

// newRouterFixture wires the data source and its named upstreams as the
// plugin does: one client per upstream gated by its policy view, one gateway
// each, the Router as the proxy feature.
func newRouterFixture(tb testing.TB, defaultURL, jsonData string, secure map[string]string) backend.CallResourceHandler {
	tb.Helper()
	s, err := settings.Parse(backend.DataSourceInstanceSettings{UID: "ds", URL: defaultURL, JSONData: []byte(jsonData), DecryptedSecureJSONData: secure})
	if err != nil {
		tb.Fatal(err)
	}
	policy := authz.NewPolicy(s, nil)
	var clients []*upstream.Client
	for _, u := range s.Upstreams {
		c, err := upstream.New(s.DataSource(), u, upstream.Options{Logger: log.NewNullLogger(), Gate: policy.ForUpstream(u.Name).CheckUpstream})
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(c.Close)
		clients = append(clients, c)
	}
	api, err := resources.New(resources.Deps{Settings: s, Policy: policy, Audit: authz.NewAudit(10, nil), Logger: log.NewNullLogger(),
		Features: resources.Features{Proxy: ForUpstreams(upstream.NewSet(clients...), policy, log.NewNullLogger(), nil)}})
	if err != nil {
		tb.Fatal(err)
	}
	return resources.CallResourceHandler(api)
}

// namedServer answers JSON naming itself, its path and the Authorization it got.
func namedServer(tb testing.TB, name string) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"server": name, "path": r.URL.Path, "auth": r.Header.Get("Authorization")})
	}))
	tb.Cleanup(srv.Close)
	return srv
}

func TestRouterPicksTheUpstreamByFirstSegment(t *testing.T) {
	def, a := namedServer(t, "default"), namedServer(t, "a")
	h := newRouterFixture(t, def.URL, `{"auth":{"type":"bearer"},"network":{"allowPrivateNetworks":true},
		"proxy":{"rules":[{"path":"/","methods":["GET","POST"]}]},
		"upstreams":[{"name":"a","url":"`+a.URL+`/base","auth":{"type":"bearer"},"network":{"allowPrivateNetworks":true},
			"proxy":{"maxRequestBytes":8,"rules":[{"path":"/x","methods":["GET","POST"]}]}}]}`,
		map[string]string{"bearerToken": "tok-default", "upstreams.a.bearerToken": "tok-a"})
	cases := []struct {
		method, path, body string
		status             int
		server, upPath     string
	}{
		{"GET", "proxy/a/x", "", 200, "a", "/base/x"},
		{"GET", "proxy/x", "", 200, "default", "/x"},
		{"GET", "proxy/_default/a/x", "", 200, "default", "/a/x"},
		{"GET", "proxy/a", "", 403, "", ""}, // "/" on a: no rule
		{"GET", "proxy/a/y", "", 403, "", ""},
		{"GET", "proxy/b/x", "", 200, "default", "/b/x"}, // not a name: the default upstream's path
		{"POST", "proxy/a/x", "123456789", 413, "", ""},  // a's own body limit
		{"POST", "proxy/x", "123456789", 200, "default", "/x"},
		{"GET", "proxy/a//x", "", 400, "", ""}, // the path guard runs before routing
		{"GET", "proxy/a/./x", "", 400, "", ""},
	}
	for _, c := range cases {
		r := resourcetest.Call(h, resourcetest.Request{Method: c.method, Path: c.path, Role: "Viewer", Body: []byte(c.body)})
		if r.Status != c.status {
			t.Errorf("%s %s: %d %s, want %d", c.method, c.path, r.Status, r.Body, c.status)
			continue
		}
		if c.status != 200 {
			continue
		}
		m := r.JSON()
		want := map[string]string{"default": "Bearer tok-default", "a": "Bearer tok-a"}[c.server]
		if m["server"] != c.server || m["path"] != c.upPath || m["auth"] != want {
			t.Errorf("%s %s reached %v, want %s %s with its own token", c.method, c.path, m, c.server, c.upPath)
		}
	}
}

func routerBenchSettings(n, rules int, url string) string {
	var b strings.Builder
	b.WriteString(`{"network":{"allowPrivateNetworks":true},"rateLimits":{"disabled":true},"upstreams":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"name":"u%d","url":%q,"network":{"allowPrivateNetworks":true},"proxy":{"rules":[`, i, url)
		for j := range rules - 1 {
			fmt.Fprintf(&b, `{"path":"/r%d/","methods":["GET"]},`, j)
		}
		b.WriteString(`{"path":"/health","methods":["GET"]}]}}`)
	}
	b.WriteString(`]}`)
	return b.String()
}

// BenchmarkRouterUpstreams is a small GET through /proxy/<name>/ with 1 and
// with 1,000 upstreams of 20 rules each, in process (no plugin protocol):
// the routing cost, which must not grow with the number of upstreams.
func BenchmarkRouterUpstreams(b *testing.B) {
	up := namedServer(b, "up")
	for _, n := range []int{1, 1000} {
		b.Run(fmt.Sprintf("upstreams=%d", n), func(b *testing.B) {
			h := newRouterFixture(b, up.URL, routerBenchSettings(n, 20, up.URL), nil)
			req := resourcetest.Request{Path: fmt.Sprintf("proxy/u%d/health", n-1), Role: "Viewer"}
			b.ReportAllocs()
			for b.Loop() {
				if r := resourcetest.Call(h, req); r.Status != 200 {
					b.Fatal(r.Status, string(r.Body))
				}
			}
		})
	}
}
