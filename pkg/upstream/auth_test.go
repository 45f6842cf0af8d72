package upstream

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAuthTypesReachUpstream(t *testing.T) {
	srv := newServer(t, http.HandlerFunc(echoHandler))
	cases := []struct {
		name   string
		auth   map[string]any
		secure map[string]string
		check  func(t *testing.T, s seen)
	}{
		{"none", map[string]any{"type": "none"}, nil, func(t *testing.T, s seen) {
			assert.Empty(t, s.Header.Get("Authorization"))
		}},
		{"basic", map[string]any{"type": "basic", "basicUser": "alice"}, map[string]string{"basicAuthPassword": "pw-1"},
			func(t *testing.T, s seen) {
				r := &http.Request{Header: s.Header}
				u, p, ok := r.BasicAuth()
				assert.True(t, ok)
				assert.Equal(t, "alice", u)
				assert.Equal(t, "pw-1", p)
			}},
		{"bearer", map[string]any{"type": "bearer"}, map[string]string{"bearerToken": "tok-1"}, func(t *testing.T, s seen) {
			assert.Equal(t, "Bearer tok-1", s.Header.Get("Authorization"))
		}},
		{"apiKey header", map[string]any{"type": "apiKey", "apiKeyName": "X-Token"}, map[string]string{"apiKeyValue": "key-1"},
			func(t *testing.T, s seen) {
				assert.Equal(t, "key-1", s.Header.Get("X-Token"))
				assert.NotContains(t, s.Query, "key-1")
			}},
		{"apiKey default header", map[string]any{"type": "apiKey"}, map[string]string{"apiKeyValue": "key-2"},
			func(t *testing.T, s seen) { assert.Equal(t, "key-2", s.Header.Get("X-API-Key")) }},
		{"apiKey query", map[string]any{"type": "apiKey", "apiKeyName": "api_key", "apiKeyIn": "query"},
			map[string]string{"apiKeyValue": "key 3&x"}, func(t *testing.T, s seen) {
				q, _ := url.ParseQuery(s.Query)
				assert.Equal(t, "key 3&x", q.Get("api_key"))
				assert.Equal(t, "1", q.Get("page"))
				assert.Empty(t, s.Header.Get("Authorization"))
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newTestClient(t, cfg{url: srv.URL, json: map[string]any{"auth": tc.auth, "network": allowLoopback}, secure: tc.secure})
			req, err := c.NewRequest(context.Background(), http.MethodGet, "/items", url.Values{"page": {"1"}}, nil)
			require.NoError(t, err)
			// A caller-supplied key must not survive: the configured one wins.
			if tc.name == "apiKey query" {
				q := req.URL.Query()
				q.Set("api_key", "caller")
				req.URL.RawQuery = q.Encode()
			}
			resp, err := c.Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			var s seen
			require.NoError(t, json.NewDecoder(resp.Body).Decode(&s))
			tc.check(t, s)
			// The caller's request is never modified (credentials go on a clone).
			assert.Empty(t, req.Header.Get("Authorization"))
			assert.NotContains(t, req.URL.RawQuery, "key-")
		})
	}
}

func TestCustomHeadersAndUserHeader(t *testing.T) {
	srv := newServer(t, http.HandlerFunc(echoHandler))
	jd := map[string]any{"network": allowLoopback, "sendUserHeader": true, "httpHeaderName1": "X-Secret",
		"headers": []map[string]any{{"name": "X-Tenant", "value": "acme"}}}
	c := newTestClient(t, cfg{url: srv.URL, json: jd, secure: map[string]string{"httpHeaderValue1": "s3cr3t-h"}})

	ctx := backend.WithUser(context.Background(), &backend.User{Login: "alice", Role: "Viewer"})
	req, err := c.NewRequest(ctx, http.MethodGet, "/", nil, nil)
	require.NoError(t, err)
	// Incoming copies of Grafana's identity headers must never pass.
	req.Header.Set("X-Grafana-User", "admin")
	req.Header.Set("X-Grafana-Id", "forged")
	resp, err := c.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var s seen
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&s))
	assert.Equal(t, "acme", s.Header.Get("X-Tenant"))
	assert.Equal(t, "s3cr3t-h", s.Header.Get("X-Secret"))
	assert.Equal(t, []string{"alice"}, s.Header.Values("X-Grafana-User"))
	assert.Empty(t, s.Header.Get("X-Grafana-Id"))

	t.Run("no user in context", func(t *testing.T) {
		req, err := c.NewRequest(context.Background(), http.MethodGet, "/", nil, nil)
		require.NoError(t, err)
		req.Header.Set("X-Grafana-User", "admin")
		s := doSeen(t, c, req)
		assert.Empty(t, s.Header.Get("X-Grafana-User"))
	})
	t.Run("sendUserHeader off", func(t *testing.T) {
		c2 := newTestClient(t, cfg{url: srv.URL, json: map[string]any{"network": allowLoopback}})
		s := get(t, c2, ctx, "/")
		assert.Empty(t, s.Header.Get("X-Grafana-User"))
	})
}

func doSeen(t *testing.T, c *Client, req *http.Request) seen {
	t.Helper()
	resp, err := c.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var s seen
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&s))
	return s
}

func TestForwardOAuth(t *testing.T) {
	srv := newServer(t, http.HandlerFunc(echoHandler))
	c := newTestClient(t, cfg{url: srv.URL, json: map[string]any{"network": allowLoopback, "oauthPassThru": true}})
	require.Equal(t, "forwardOAuth", c.settings.Auth.Type)

	incoming := http.Header{}
	incoming.Set("Authorization", "Bearer user-token")
	incoming.Set("X-ID-Token", "user-id-token")
	incoming.Set("Cookie", "grafana_session=abc")
	incoming.Set("X-Other", "no")
	s := get(t, c, WithForwardedHeaders(context.Background(), incoming), "/")
	assert.Equal(t, "Bearer user-token", s.Header.Get("Authorization"))
	assert.Equal(t, "user-id-token", s.Header.Get("X-Id-Token"))
	assert.Empty(t, s.Header.Get("Cookie"))
	assert.Empty(t, s.Header.Get("X-Other"))

	t.Run("QueryData string map", func(t *testing.T) {
		qreq := &backend.QueryDataRequest{Headers: map[string]string{"Authorization": "Bearer q", "http_X-Id-Token": "qid"}}
		s := get(t, c, WithForwardedHeaders(context.Background(), qreq.GetHTTPHeaders()), "/")
		assert.Equal(t, "Bearer q", s.Header.Get("Authorization"))
		assert.Equal(t, "qid", s.Header.Get("X-Id-Token"))
	})
	t.Run("not forwarded unless forwardOAuth", func(t *testing.T) {
		c2 := newTestClient(t, cfg{url: srv.URL, json: map[string]any{"network": allowLoopback}})
		s := get(t, c2, WithForwardedHeaders(context.Background(), incoming), "/")
		assert.Empty(t, s.Header.Get("Authorization"))
		assert.Empty(t, s.Header.Get("X-Id-Token"))
	})
}

// tokenServer is a fake OAuth2 token endpoint counting fetches.
type tokenServer struct {
	fetches   atomic.Int32
	expiresIn int
	mu        sync.Mutex
	lastForm  url.Values
	lastAuth  string
}

func (ts *tokenServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	ts.mu.Lock()
	ts.lastForm, ts.lastAuth = r.PostForm, r.Header.Get("Authorization")
	ts.mu.Unlock()
	id, secret, _ := r.BasicAuth()
	if id == "" {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if id != "relay" || secret != "client-secret-1" {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"error":"invalid_client"}`))
		return
	}
	n := ts.fetches.Add(1)
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"access_token": "at-" + string(rune('0'+n)), "token_type": "bearer", "expires_in": ts.expiresIn})
}

func TestOAuth2ClientCredentials(t *testing.T) {
	tokens := &tokenServer{expiresIn: 3600}
	mux := http.NewServeMux()
	mux.Handle("POST /oauth/token", tokens)
	mux.HandleFunc("/", echoHandler)
	srv := newServer(t, mux)

	auth := map[string]any{"type": "oauth2", "oauth2": map[string]any{
		"tokenUrl": srv.URL + "/oauth/token", "clientId": "relay", "scopes": []string{"read", "write"},
		"endpointParams": map[string]string{"audience": "api"},
	}}
	c := newTestClient(t, cfg{url: srv.URL, json: map[string]any{"auth": auth, "network": allowLoopback},
		secure: map[string]string{"oauth2ClientSecret": "client-secret-1"}})

	// Many concurrent requests, one token fetch.
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, err := c.NewRequest(context.Background(), http.MethodGet, "/data", nil, nil)
			if !assert.NoError(t, err) {
				return
			}
			resp, err := c.Do(req)
			if !assert.NoError(t, err) {
				return
			}
			defer resp.Body.Close()
			var s seen
			assert.NoError(t, json.NewDecoder(resp.Body).Decode(&s))
			assert.Equal(t, "Bearer at-1", s.Header.Get("Authorization"))
		}()
	}
	wg.Wait()
	assert.EqualValues(t, 1, tokens.fetches.Load())

	tokens.mu.Lock()
	assert.Equal(t, "client_credentials", tokens.lastForm.Get("grant_type"))
	assert.Equal(t, "read write", tokens.lastForm.Get("scope"))
	assert.Equal(t, "api", tokens.lastForm.Get("audience"))
	assert.Contains(t, tokens.lastAuth, "Basic ", "authStyle header is the default")
	assert.Empty(t, tokens.lastForm.Get("client_secret"))
	tokens.mu.Unlock()
}

func TestOAuth2RefreshAfterExpiry(t *testing.T) {
	// x/oauth2 treats a token as expired 10s early, so expires_in 11 gives
	// one second of validity.
	tokens := &tokenServer{expiresIn: 11}
	tokSrv := newServer(t, tokens)
	srv := newServer(t, http.HandlerFunc(echoHandler))
	auth := map[string]any{"type": "oauth2", "oauth2": map[string]any{"tokenUrl": tokSrv.URL, "clientId": "relay", "authStyle": "params"}}
	tokHost := tokSrv.Listener.Addr().String()
	c := newTestClient(t, cfg{url: srv.URL,
		json:   map[string]any{"auth": auth, "network": map[string]any{"allowedCIDRs": []string{"127.0.0.1/32"}, "allowedHosts": []string{tokHost}}},
		secure: map[string]string{"oauth2ClientSecret": "client-secret-1"}})

	for range 3 {
		assert.Equal(t, "Bearer at-1", get(t, c, context.Background(), "/").Header.Get("Authorization"))
	}
	require.EqualValues(t, 1, tokens.fetches.Load())
	tokens.mu.Lock()
	assert.Equal(t, "client-secret-1", tokens.lastForm.Get("client_secret"), "authStyle params")
	assert.Empty(t, tokens.lastAuth)
	tokens.mu.Unlock()

	time.Sleep(1200 * time.Millisecond)
	assert.Equal(t, "Bearer at-2", get(t, c, context.Background(), "/").Header.Get("Authorization"))
	assert.EqualValues(t, 2, tokens.fetches.Load())
}

func TestOAuth2Failures(t *testing.T) {
	srv := newServer(t, http.HandlerFunc(echoHandler))
	tokens := &tokenServer{expiresIn: 3600}
	tokSrv := newServer(t, tokens)
	tokHost := tokSrv.Listener.Addr().String()

	t.Run("token host not allowed", func(t *testing.T) {
		s := parseSettings(t, cfg{url: srv.URL,
			json:   map[string]any{"auth": map[string]any{"type": "oauth2", "oauth2": map[string]any{"tokenUrl": "https://idp.example.com/token", "clientId": "relay"}}},
			secure: map[string]string{"oauth2ClientSecret": "client-secret-1"}})
		_, err := New(s, Options{})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "jsonData.auth.oauth2.tokenUrl")
		assert.Contains(t, err.Error(), "jsonData.network.allowedHosts")
		assert.NotContains(t, err.Error(), "client-secret-1")
	})
	t.Run("wrong secret", func(t *testing.T) {
		c := newTestClient(t, cfg{url: srv.URL,
			json: map[string]any{"auth": map[string]any{"type": "oauth2", "oauth2": map[string]any{"tokenUrl": tokSrv.URL, "clientId": "relay"}},
				"network": map[string]any{"allowedCIDRs": []string{"127.0.0.1/32"}, "allowedHosts": []string{tokHost}}},
			secure: map[string]string{"oauth2ClientSecret": "wrong-secret"}})
		req, err := c.NewRequest(context.Background(), http.MethodGet, "/", nil, nil)
		require.NoError(t, err)
		e := doErr(t, c, req)
		assert.Equal(t, KindAuth, e.Kind)
		assert.Equal(t, http.StatusUnauthorized, e.Status)
		assert.Contains(t, e.Error(), "invalid_client")
		assert.Equal(t, "secureJsonData.oauth2ClientSecret", e.Setting)
	})
	t.Run("token endpoint blocked by the guard", func(t *testing.T) {
		// Token host allowed by name, but loopback addresses are not.
		c := newTestClient(t, cfg{url: "http://api.invalid",
			json:   map[string]any{"auth": map[string]any{"type": "oauth2", "oauth2": map[string]any{"tokenUrl": tokSrv.URL, "clientId": "relay"}}, "network": map[string]any{"allowedHosts": []string{tokHost}}},
			secure: map[string]string{"oauth2ClientSecret": "client-secret-1"}})
		req, err := c.NewRequest(context.Background(), http.MethodGet, "/", nil, nil)
		require.NoError(t, err)
		e := doErr(t, c, req)
		assert.Equal(t, KindAuth, e.Kind)
		assert.Contains(t, e.Error(), "loopback address")
		assert.Equal(t, settingAllowPrivate, e.Setting)
		assert.Zero(t, tokens.fetches.Load(), "no token request may reach a refused address")
	})
}
