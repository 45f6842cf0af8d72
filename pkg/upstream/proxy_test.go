package upstream

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRoundTripperWithReverseProxy runs the client under httputil.ReverseProxy
// the way pkg/proxy does: incoming server requests (RequestURI set), auth
// injected, redirects followed only when allowed, errors classifiable.
func TestRoundTripperWithReverseProxy(t *testing.T) {
	a := newServer(t, redirector())
	c := newTestClient(t, cfg{url: a.URL, json: map[string]any{"auth": map[string]any{"type": "bearer"}, "network": allowLoopback},
		secure: map[string]string{"bearerToken": "tok-p"}})

	var proxyErr *Error
	rp := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			u, err := JoinPath(c.Base(), pr.In.URL.Path)
			require.NoError(t, err)
			u.RawQuery = pr.In.URL.RawQuery
			pr.Out.URL = u
			pr.Out.Host = ""
		},
		Transport: c.RoundTripper(),
		ErrorHandler: func(w http.ResponseWriter, _ *http.Request, err error) {
			proxyErr = Classify(err)
			w.WriteHeader(proxyErr.Kind.HTTPStatus())
		},
	}
	front := newServer(t, rp)
	hc := front.Client()

	resp, err := hc.Get(front.URL + "/items?x=1")
	require.NoError(t, err)
	var s seen
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&s))
	resp.Body.Close()
	assert.Equal(t, "/items", s.Path)
	assert.Equal(t, "x=1", s.Query)
	assert.Equal(t, "Bearer tok-p", s.Header.Get("Authorization"))

	// An allowed (same-origin) redirect is followed like Do does.
	resp, err = hc.Get(front.URL + "/hop/2")
	require.NoError(t, err)
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&s))
	resp.Body.Close()
	assert.Equal(t, "/hop/0", s.Path)
	assert.Equal(t, "Bearer tok-p", s.Header.Get("Authorization"))

	// A refused one reaches the ErrorHandler as a classifiable *Error.
	resp, err = hc.Get(front.URL + "/to?u=" + url.QueryEscape("http://169.254.169.254/"))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusBadGateway, resp.StatusCode)
	require.NotNil(t, proxyErr)
	assert.Equal(t, KindBlocked, proxyErr.Kind)
	assert.Contains(t, proxyErr.Error(), "always refused")

	// The RoundTripper never mutates the proxy's outgoing request.
	in := httptest.NewRequest(http.MethodGet, a.URL+"/api/x", nil)
	in.RequestURI = "/api/x"
	resp, err = c.RoundTripper().RoundTrip(in)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, "/api/x", in.RequestURI)
	assert.Empty(t, in.Header.Get("Authorization"))
}
