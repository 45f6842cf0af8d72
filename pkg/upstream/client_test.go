package upstream

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend/httpclient"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAccessors(t *testing.T) {
	for _, env := range []string{"HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"} {
		t.Setenv(env, "")
	}
	c := newTestClient(t, cfg{url: "https://api.example.com:8443/v1/", json: map[string]any{"auth": map[string]any{"type": "bearer"}},
		secure: map[string]string{"bearerToken": "t"}})
	assert.Equal(t, "https://api.example.com:8443", c.Origin())
	b := c.Base()
	assert.Equal(t, "/v1", b.Path)
	b.Host = "evil.example.com"
	assert.Equal(t, "api.example.com:8443", c.Base().Host, "Base returns a copy")
	assert.Empty(t, c.Warnings())

	plain := newTestClient(t, cfg{url: "http://api.example.com", json: map[string]any{"auth": map[string]any{"type": "bearer"}},
		secure: map[string]string{"bearerToken": "t"}})
	assert.Equal(t, []string{"credentials are sent to the upstream over plain HTTP (url uses http://)"}, plain.Warnings())
	plain.Warnings()[0] = "changed"
	assert.NotEqual(t, "changed", plain.Warnings()[0], "Warnings returns a copy")
}

// Grafana passes HTTP_PROXY/HTTPS_PROXY to plugins. They must not route
// requests around the dial guard: Relay ignores them, and says so.
func TestProxyEnvironmentIgnored(t *testing.T) {
	t.Setenv("HTTP_PROXY", "http://user:proxy-pass@proxy.invalid:3128")
	t.Setenv("HTTPS_PROXY", "http://user:proxy-pass@proxy.invalid:3128")
	srv := newServer(t, http.HandlerFunc(echoHandler))
	c := newTestClient(t, cfg{url: srv.URL, json: map[string]any{"network": allowLoopback}})
	assert.Equal(t, "GET", get(t, c, context.Background(), "/").Method, "connected directly, not via the proxy")
	require.Len(t, c.Warnings(), 1)
	assert.Contains(t, c.Warnings()[0], "proxy environment variables")
	assert.NotContains(t, c.Warnings()[0], "proxy-pass")
	assert.Nil(t, c.transport.Proxy)
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
	assert.Empty(t, s.Header.Get("Cookie"))

	retarget := httpclient.MiddlewareFunc(func(_ httpclient.Options, next http.RoundTripper) http.RoundTripper {
		return httpclient.RoundTripperFunc(func(r *http.Request) (*http.Response, error) {
			r.URL.Host = "169.254.169.254"
			return next.RoundTrip(r)
		})
	})
	req, err := c.NewRequest(httpclient.WithContextualMiddleware(context.Background(), retarget), http.MethodGet, "/", nil, nil)
	require.NoError(t, err)
	e := doErr(t, c, req)
	assert.Equal(t, KindBlocked, e.Kind)
}

func TestUserinfoRefused(t *testing.T) {
	srv := newServer(t, http.HandlerFunc(echoHandler))
	c := newTestClient(t, cfg{url: srv.URL, json: map[string]any{"network": allowLoopback}})
	u, _ := url.Parse(srv.URL)
	u.User = url.UserPassword("x", "y")
	e := doErr(t, c, mustReq(t, http.MethodGet, u.String()))
	assert.Equal(t, KindBlocked, e.Kind)
	assert.NotContains(t, e.Error(), "y@")
}
