package upstream

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// redirector serves /to?u=<target>&code=<status> (redirect to target),
// /hop/<n> (n same-origin redirects, then echo) and echoes everything else.
func redirector() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/to", func(w http.ResponseWriter, r *http.Request) {
		code, _ := strconv.Atoi(r.URL.Query().Get("code"))
		if code == 0 {
			code = http.StatusFound
		}
		target := r.URL.Query().Get("u")
		if r.URL.Query().Get("echoQuery") != "" { // an upstream that leaks its query into Location
			target += "?" + r.URL.RawQuery
		}
		http.Redirect(w, r, target, code)
	})
	mux.HandleFunc("/hop/{n}", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.PathValue("n"))
		if n == 0 {
			echoHandler(w, r)
			return
		}
		http.Redirect(w, r, fmt.Sprintf("/hop/%d", n-1), http.StatusFound)
	})
	mux.HandleFunc("/", echoHandler)
	return mux
}

func redirectReq(t *testing.T, c *Client, ctx context.Context, target string, extra url.Values) *http.Request {
	t.Helper()
	q := url.Values{"u": {target}}
	for k, v := range extra {
		q[k] = v
	}
	req, err := c.NewRequest(ctx, http.MethodGet, "/to", q, nil)
	require.NoError(t, err)
	return req
}

func TestRedirectPolicy(t *testing.T) {
	a := newServer(t, redirector())
	b := newServer(t, http.HandlerFunc(echoHandler))
	bHost := b.Listener.Addr().String()
	_, bPort, _ := net.SplitHostPort(bHost)

	t.Run("to cloud metadata", func(t *testing.T) {
		for _, allowed := range [][]string{nil, {"169.254.169.254"}} {
			c := newTestClient(t, cfg{url: a.URL, json: map[string]any{"network": map[string]any{"allowedCIDRs": []string{"127.0.0.1/32"}, "allowedHosts": allowed}}})
			e := doErr(t, c, redirectReq(t, c, context.Background(), "http://169.254.169.254/latest/meta-data/", nil))
			assert.Equal(t, KindBlocked, e.Kind)
			assert.Contains(t, e.Error(), "upstream redirect refused: upstream address 169.254.169.254 is a link-local or cloud metadata address and is always refused")
			assert.Equal(t, http.StatusFound, e.Status)
		}
	})
	t.Run("to loopback when not allowed", func(t *testing.T) {
		// The host is allowed by name, but its address is not.
		c := newTestClient(t, cfg{url: a.URL, json: map[string]any{"network": map[string]any{"allowedCIDRs": []string{"127.0.0.1/32"}, "allowedHosts": []string{"127.0.0.2:" + bPort}}}})
		e := doErr(t, c, redirectReq(t, c, context.Background(), "http://127.0.0.2:"+bPort+"/", nil))
		assert.Equal(t, KindRedirect, e.Kind)
		assert.Contains(t, e.Error(), "upstream address 127.0.0.2 is a loopback address; set jsonData.network.allowPrivateNetworks or add it to jsonData.network.allowedCIDRs")
	})
	t.Run("to another host", func(t *testing.T) {
		c := newTestClient(t, cfg{url: a.URL, json: map[string]any{"network": allowLoopback}})
		for _, target := range []string{b.URL + "/x", "http://evil.example.com/", "http://localhost:" + bPort + "/"} {
			e := doErr(t, c, redirectReq(t, c, context.Background(), target, nil))
			assert.Equal(t, KindRedirect, e.Kind, target)
			assert.Contains(t, e.Error(), "to jsonData.network.allowedHosts", target)
			assert.Equal(t, settingAllowedHosts, e.Setting)
		}
		e := doErr(t, c, redirectReq(t, c, context.Background(), "file:///etc/passwd", nil))
		assert.Equal(t, KindBlocked, e.Kind)
	})
	t.Run("to an allowed host strips credentials", func(t *testing.T) {
		jd := map[string]any{"auth": map[string]any{"type": "bearer"}, "sendUserHeader": true, "httpHeaderName1": "X-Secret",
			"network": map[string]any{"allowedCIDRs": []string{"127.0.0.1/32"}, "allowedHosts": []string{bHost}}}
		c := newTestClient(t, cfg{url: a.URL, json: jd, secure: map[string]string{"bearerToken": "tok-r", "httpHeaderValue1": "hdr-r"}})
		ctx := backend.WithUser(context.Background(), &backend.User{Login: "alice"})
		req := redirectReq(t, c, ctx, b.URL+"/landing", nil)
		req.Header.Set("Cookie", "session=1")
		s := doSeen(t, c, req)
		assert.Equal(t, "/landing", s.Path)
		for _, h := range []string{"Authorization", "X-Secret", "X-Grafana-User", "Cookie"} {
			assert.Empty(t, s.Header.Get(h), h)
		}

		// Same-origin redirects keep credentials: each hop is judged alone.
		req, err := c.NewRequest(ctx, http.MethodGet, "/hop/2", nil, nil)
		require.NoError(t, err)
		s = doSeen(t, c, req)
		assert.Equal(t, "/hop/0", s.Path)
		assert.Equal(t, "Bearer tok-r", s.Header.Get("Authorization"))
		assert.Equal(t, "hdr-r", s.Header.Get("X-Secret"))
		assert.Equal(t, "alice", s.Header.Get("X-Grafana-User"))
	})
	t.Run("API key echoed into Location is not passed on", func(t *testing.T) {
		for _, in := range []string{"query", "header"} {
			jd := map[string]any{"auth": map[string]any{"type": "apiKey", "apiKeyName": "api_key", "apiKeyIn": in},
				"network": map[string]any{"allowedCIDRs": []string{"127.0.0.1/32"}, "allowedHosts": []string{bHost}}}
			c := newTestClient(t, cfg{url: a.URL, json: jd, secure: map[string]string{"apiKeyValue": "key-r"}})
			s := doSeen(t, c, redirectReq(t, c, context.Background(), b.URL+"/landing", url.Values{"echoQuery": {"1"}}))
			assert.NotContains(t, s.Query, "key-r", in)
			assert.Empty(t, s.Header.Get("api_key"), in)
		}
	})
	t.Run("too many hops", func(t *testing.T) {
		c := newTestClient(t, cfg{url: a.URL, json: map[string]any{"network": map[string]any{"allowedCIDRs": []string{"127.0.0.1/32"}, "maxRedirects": 2}}})
		assert.Equal(t, "/hop/0", get(t, c, context.Background(), "/hop/2").Path)
		req, err := c.NewRequest(context.Background(), http.MethodGet, "/hop/3", nil, nil)
		require.NoError(t, err)
		e := doErr(t, c, req)
		assert.Equal(t, KindRedirect, e.Kind)
		assert.Equal(t, "jsonData.network.maxRedirects", e.Setting)
		assert.Equal(t, "upstream redirected more than 2 times; raise jsonData.network.maxRedirects to follow more", e.Error())
	})
	t.Run("307 re-sends the body to the same origin", func(t *testing.T) {
		c := newTestClient(t, cfg{url: a.URL, json: map[string]any{"network": allowLoopback}})
		req, err := c.NewRequest(context.Background(), http.MethodPost, "/to", url.Values{"u": {"/echo"}, "code": {"307"}}, strings.NewReader("payload"))
		require.NoError(t, err)
		s := doSeen(t, c, req)
		assert.Equal(t, "POST", s.Method)
		assert.Equal(t, "/echo", s.Path)
	})
}

func TestRedirectDowngradeRefused(t *testing.T) {
	b := newServer(t, http.HandlerFunc(echoHandler))
	a := httptest.NewTLSServer(redirector())
	t.Cleanup(a.Close)
	c := newTestClient(t, cfg{url: a.URL,
		json:   map[string]any{"network": map[string]any{"allowedCIDRs": []string{"127.0.0.1/32"}, "allowedHosts": []string{b.Listener.Addr().String()}}},
		secure: map[string]string{"tlsCACert": certPEM(a)}})
	e := doErr(t, c, redirectReq(t, c, context.Background(), b.URL+"/", nil))
	assert.Equal(t, KindRedirect, e.Kind)
	assert.Contains(t, e.Error(), "from https to http refused")
}
