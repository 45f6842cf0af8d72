package upstream

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend/httpclient"
)

func TestAccessors(t *testing.T) {
	for _, env := range []string{"HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"} {
		t.Setenv(env, "")
	}
	c := newTestClient(t, cfg{url: "https://api.example.com:8443/v1/", json: map[string]any{"auth": map[string]any{"type": "bearer"}},
		secure: map[string]string{"bearerToken": "t"}})
	if got, want := c.Origin(), "https://api.example.com:8443"; got != want {
		t.Errorf("c.Origin() = %v, want %v", got, want)
	}
	b := c.Base()
	if got, want := b.Path, "/v1"; got != want {
		t.Errorf("b.Path = %v, want %v", got, want)
	}
	b.Host = "evil.example.com"
	if got, want := c.Base().Host, "api.example.com:8443"; got != want {
		t.Errorf("%s", "Base returns a copy"+": "+fmt.Sprintf("c.Base().Host = %v, want %v", got, want))
	}
	if len(c.Warnings()) != 0 {
		t.Errorf("c.Warnings() is not empty: %v", c.Warnings())
	}

	plain := newTestClient(t, cfg{url: "http://api.example.com", json: map[string]any{"auth": map[string]any{"type": "bearer"}},
		secure: map[string]string{"bearerToken": "t"}})
	if got, want := plain.Warnings(), []string{"credentials are sent to the upstream over plain HTTP (url uses http://)"}; !reflect.DeepEqual(got, want) {
		t.Errorf("plain.Warnings() = %v, want %v", got, want)
	}
	plain.Warnings()[0] = "changed"
	if reflect.DeepEqual("changed", plain.Warnings()[0]) {
		t.Errorf("%s", "Warnings returns a copy"+": "+fmt.Sprintf("plain.Warnings()[0] must not equal %v", "changed"))
	}
}

// Grafana passes HTTP_PROXY/HTTPS_PROXY to plugins. They must not route
// requests around the dial guard: Relay ignores them, and says so.
func TestProxyEnvironmentIgnored(t *testing.T) {
	t.Setenv("HTTP_PROXY", "http://user:proxy-pass@proxy.invalid:3128")
	t.Setenv("HTTPS_PROXY", "http://user:proxy-pass@proxy.invalid:3128")
	srv := newServer(t, http.HandlerFunc(echoHandler))
	c := newTestClient(t, cfg{url: srv.URL, json: map[string]any{"network": allowLoopback}})
	if got, want := get(t, c, context.Background(), "/").Method, "GET"; got != want {
		t.Errorf("%s", "connected directly, not via the proxy"+": "+fmt.Sprintf("get(t, c, context.Background(), \"/\").Method = %v, want %v", got, want))
	}
	if len(c.Warnings()) != 1 {
		t.Fatalf("c.Warnings() has %d elements, want %d", len(c.Warnings()), 1)
	}
	if !strings.Contains(c.Warnings()[0], "proxy environment variables") {
		t.Errorf("%q does not contain %q", c.Warnings()[0], "proxy environment variables")
	}
	if strings.Contains(c.Warnings()[0], "proxy-pass") {
		t.Errorf("%q contains %q", c.Warnings()[0], "proxy-pass")
	}
	if c.transport.Proxy != nil {
		t.Error("c.transport.Proxy is set: proxy environment variables must be ignored")
	}
}

// The SDK's contextual middlewares run outside Relay's policy: whatever they
// do to a request, the policy and credential rules still apply.
func TestContextualMiddlewareCannotBypassPolicy(t *testing.T) {
	srv := newServer(t, http.HandlerFunc(echoHandler))
	c := newTestClient(t, cfg{url: srv.URL, json: map[string]any{"network": allowLoopback}})

	// What the SDK's header-forwarding middleware does for every incoming
	// header when Options.ForwardHTTPHeaders is on; it must be off.
	forwardAll := httpclient.MiddlewareFunc(func(opts httpclient.Options, next http.RoundTripper) http.RoundTripper {
		if !opts.ForwardHTTPHeaders {
			return next
		}
		return httpclient.RoundTripperFunc(func(r *http.Request) (*http.Response, error) {
			r.Header.Set("Cookie", "grafana_session=secret")
			return next.RoundTrip(r)
		})
	})
	s := get(t, c, httpclient.WithContextualMiddleware(context.Background(), forwardAll), "/")
	if len(s.Header.Get("Cookie")) != 0 {
		t.Errorf("s.Header.Get(\"Cookie\") is not empty: %v", s.Header.Get("Cookie"))
	}

	retarget := httpclient.MiddlewareFunc(func(_ httpclient.Options, next http.RoundTripper) http.RoundTripper {
		return httpclient.RoundTripperFunc(func(r *http.Request) (*http.Response, error) {
			r.URL.Host = "169.254.169.254"
			return next.RoundTrip(r)
		})
	})
	req, err := c.NewRequest(httpclient.WithContextualMiddleware(context.Background(), retarget), http.MethodGet, "/", nil, nil)
	if err != nil {
		t.Fatalf("%v", err)
	}
	e := doErr(t, c, req)
	if got, want := e.Kind, KindBlocked; !reflect.DeepEqual(got, want) {
		t.Errorf("e.Kind = %v, want %v", got, want)
	}
}

func TestUserinfoRefused(t *testing.T) {
	srv := newServer(t, http.HandlerFunc(echoHandler))
	c := newTestClient(t, cfg{url: srv.URL, json: map[string]any{"network": allowLoopback}})
	u, _ := url.Parse(srv.URL)
	u.User = url.UserPassword("x", "y")
	e := doErr(t, c, mustReq(t, http.MethodGet, u.String()))
	if got, want := e.Kind, KindBlocked; !reflect.DeepEqual(got, want) {
		t.Errorf("e.Kind = %v, want %v", got, want)
	}
	if strings.Contains(e.Error(), "y@") {
		t.Errorf("%q contains %q", e.Error(), "y@")
	}
}
