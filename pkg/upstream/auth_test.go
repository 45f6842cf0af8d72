package upstream

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
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
			if len(s.Header.Get("Authorization")) != 0 {
				t.Errorf("s.Header.Get(\"Authorization\") is not empty: %v", s.Header.Get("Authorization"))
			}
		}},
		{"basic", map[string]any{"type": "basic", "basicUser": "alice"}, map[string]string{"basicAuthPassword": "pw-1"},
			func(t *testing.T, s seen) {
				r := &http.Request{Header: s.Header}
				u, p, ok := r.BasicAuth()
				if !(ok) {
					t.Errorf("ok is false")
				}
				if got, want := u, "alice"; got != want {
					t.Errorf("u = %v, want %v", got, want)
				}
				if got, want := p, "pw-1"; got != want {
					t.Errorf("p = %v, want %v", got, want)
				}
			}},
		{"bearer", map[string]any{"type": "bearer"}, map[string]string{"bearerToken": "tok-1"}, func(t *testing.T, s seen) {
			if got, want := s.Header.Get("Authorization"), "Bearer tok-1"; got != want {
				t.Errorf("s.Header.Get(\"Authorization\") = %v, want %v", got, want)
			}
		}},
		{"apiKey header", map[string]any{"type": "apiKey", "apiKeyName": "X-Token"}, map[string]string{"apiKeyValue": "key-1"},
			func(t *testing.T, s seen) {
				if got, want := s.Header.Get("X-Token"), "key-1"; got != want {
					t.Errorf("s.Header.Get(\"X-Token\") = %v, want %v", got, want)
				}
				if strings.Contains(s.Query, "key-1") {
					t.Errorf("%q contains %q", s.Query, "key-1")
				}
			}},
		{"apiKey default header", map[string]any{"type": "apiKey"}, map[string]string{"apiKeyValue": "key-2"},
			func(t *testing.T, s seen) {
				if got, want := s.Header.Get("X-API-Key"), "key-2"; got != want {
					t.Errorf("s.Header.Get(\"X-API-Key\") = %v, want %v", got, want)
				}
			}},
		{"apiKey query", map[string]any{"type": "apiKey", "apiKeyName": "api_key", "apiKeyIn": "query"},
			map[string]string{"apiKeyValue": "key 3&x"}, func(t *testing.T, s seen) {
				q, _ := url.ParseQuery(s.Query)
				if got, want := q.Get("api_key"), "key 3&x"; got != want {
					t.Errorf("q.Get(\"api_key\") = %v, want %v", got, want)
				}
				if got, want := q.Get("page"), "1"; got != want {
					t.Errorf("q.Get(\"page\") = %v, want %v", got, want)
				}
				if len(s.Header.Get("Authorization")) != 0 {
					t.Errorf("s.Header.Get(\"Authorization\") is not empty: %v", s.Header.Get("Authorization"))
				}
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newTestClient(t, cfg{url: srv.URL, json: map[string]any{"auth": tc.auth, "network": allowLoopback}, secure: tc.secure})
			req, err := c.NewRequest(context.Background(), http.MethodGet, "/items", url.Values{"page": {"1"}}, nil)
			if err != nil {
				t.Fatalf("%v", err)
			}
			// A caller-supplied key must not survive: the configured one wins.
			if tc.name == "apiKey query" {
				q := req.URL.Query()
				q.Set("api_key", "caller")
				req.URL.RawQuery = q.Encode()
			}
			resp, err := c.Do(req)
			if err != nil {
				t.Fatalf("%v", err)
			}
			defer resp.Body.Close()
			var s seen
			if err := json.NewDecoder(resp.Body).Decode(&s); err != nil {
				t.Fatalf("json.NewDecoder(resp.Body).Decode(&s): %v", err)
			}
			tc.check(t, s)
			// The caller's request is never modified (credentials go on a clone).
			if len(req.Header.Get("Authorization")) != 0 {
				t.Errorf("req.Header.Get(\"Authorization\") is not empty: %v", req.Header.Get("Authorization"))
			}
			if strings.Contains(req.URL.RawQuery, "key-") {
				t.Errorf("%q contains %q", req.URL.RawQuery, "key-")
			}
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
	if err != nil {
		t.Fatalf("%v", err)
	}
	// Incoming copies of Grafana's identity headers must never pass.
	req.Header.Set("X-Grafana-User", "admin")
	req.Header.Set("X-Grafana-Id", "forged")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%v", err)
	}
	defer resp.Body.Close()
	var s seen
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil {
		t.Fatalf("json.NewDecoder(resp.Body).Decode(&s): %v", err)
	}
	if got, want := s.Header.Get("X-Tenant"), "acme"; got != want {
		t.Errorf("s.Header.Get(\"X-Tenant\") = %v, want %v", got, want)
	}
	if got, want := s.Header.Get("X-Secret"), "s3cr3t-h"; got != want {
		t.Errorf("s.Header.Get(\"X-Secret\") = %v, want %v", got, want)
	}
	if got, want := s.Header.Values("X-Grafana-User"), []string{"alice"}; !reflect.DeepEqual(got, want) {
		t.Errorf("s.Header.Values(\"X-Grafana-User\") = %v, want %v", got, want)
	}
	if len(s.Header.Get("X-Grafana-Id")) != 0 {
		t.Errorf("s.Header.Get(\"X-Grafana-Id\") is not empty: %v", s.Header.Get("X-Grafana-Id"))
	}

	t.Run("no user in context", func(t *testing.T) {
		req, err := c.NewRequest(context.Background(), http.MethodGet, "/", nil, nil)
		if err != nil {
			t.Fatalf("%v", err)
		}
		req.Header.Set("X-Grafana-User", "admin")
		s := doSeen(t, c, req)
		if len(s.Header.Get("X-Grafana-User")) != 0 {
			t.Errorf("s.Header.Get(\"X-Grafana-User\") is not empty: %v", s.Header.Get("X-Grafana-User"))
		}
	})
	t.Run("sendUserHeader off", func(t *testing.T) {
		c2 := newTestClient(t, cfg{url: srv.URL, json: map[string]any{"network": allowLoopback}})
		s := get(t, c2, ctx, "/")
		if len(s.Header.Get("X-Grafana-User")) != 0 {
			t.Errorf("s.Header.Get(\"X-Grafana-User\") is not empty: %v", s.Header.Get("X-Grafana-User"))
		}
	})
}

func doSeen(t *testing.T, c *Client, req *http.Request) seen {
	t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%v", err)
	}
	defer resp.Body.Close()
	var s seen
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil {
		t.Fatalf("json.NewDecoder(resp.Body).Decode(&s): %v", err)
	}
	return s
}

func TestForwardOAuth(t *testing.T) {
	srv := newServer(t, http.HandlerFunc(echoHandler))
	c := newTestClient(t, cfg{url: srv.URL, json: map[string]any{"network": allowLoopback, "oauthPassThru": true}})
	if got, want := c.settings.Auth.Type, "forwardOAuth"; got != want {
		t.Fatalf("c.settings.Auth.Type = %v, want %v", got, want)
	}

	incoming := http.Header{}
	incoming.Set("Authorization", "Bearer user-token")
	incoming.Set("X-ID-Token", "user-id-token")
	incoming.Set("Cookie", "grafana_session=abc")
	incoming.Set("X-Other", "no")
	s := get(t, c, WithForwardedHeaders(context.Background(), incoming), "/")
	if got, want := s.Header.Get("Authorization"), "Bearer user-token"; got != want {
		t.Errorf("s.Header.Get(\"Authorization\") = %v, want %v", got, want)
	}
	if got, want := s.Header.Get("X-Id-Token"), "user-id-token"; got != want {
		t.Errorf("s.Header.Get(\"X-Id-Token\") = %v, want %v", got, want)
	}
	if len(s.Header.Get("Cookie")) != 0 {
		t.Errorf("s.Header.Get(\"Cookie\") is not empty: %v", s.Header.Get("Cookie"))
	}
	if len(s.Header.Get("X-Other")) != 0 {
		t.Errorf("s.Header.Get(\"X-Other\") is not empty: %v", s.Header.Get("X-Other"))
	}

	t.Run("QueryData string map", func(t *testing.T) {
		qreq := &backend.QueryDataRequest{Headers: map[string]string{"Authorization": "Bearer q", "http_X-Id-Token": "qid"}}
		s := get(t, c, WithForwardedHeaders(context.Background(), qreq.GetHTTPHeaders()), "/")
		if got, want := s.Header.Get("Authorization"), "Bearer q"; got != want {
			t.Errorf("s.Header.Get(\"Authorization\") = %v, want %v", got, want)
		}
		if got, want := s.Header.Get("X-Id-Token"), "qid"; got != want {
			t.Errorf("s.Header.Get(\"X-Id-Token\") = %v, want %v", got, want)
		}
	})
	t.Run("not forwarded unless forwardOAuth", func(t *testing.T) {
		c2 := newTestClient(t, cfg{url: srv.URL, json: map[string]any{"network": allowLoopback}})
		s := get(t, c2, WithForwardedHeaders(context.Background(), incoming), "/")
		if len(s.Header.Get("Authorization")) != 0 {
			t.Errorf("s.Header.Get(\"Authorization\") is not empty: %v", s.Header.Get("Authorization"))
		}
		if len(s.Header.Get("X-Id-Token")) != 0 {
			t.Errorf("s.Header.Get(\"X-Id-Token\") is not empty: %v", s.Header.Get("X-Id-Token"))
		}
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
			if err != nil {
				t.Errorf("%v", err)
				return
			}
			resp, err := c.Do(req)
			if err != nil {
				t.Errorf("%v", err)
				return
			}
			defer resp.Body.Close()
			var s seen
			if err := json.NewDecoder(resp.Body).Decode(&s); err != nil {
				t.Errorf("json.NewDecoder(resp.Body).Decode(&s): %v", err)
			}
			if got, want := s.Header.Get("Authorization"), "Bearer at-1"; got != want {
				t.Errorf("s.Header.Get(\"Authorization\") = %v, want %v", got, want)
			}
		}()
	}
	wg.Wait()
	if got, want := fmt.Sprint(tokens.fetches.Load()), fmt.Sprint(1); got != want {
		t.Errorf("tokens.fetches.Load() = %v, want %v", got, want)
	}

	tokens.mu.Lock()
	if got, want := tokens.lastForm.Get("grant_type"), "client_credentials"; got != want {
		t.Errorf("tokens.lastForm.Get(\"grant_type\") = %v, want %v", got, want)
	}
	if got, want := tokens.lastForm.Get("scope"), "read write"; got != want {
		t.Errorf("tokens.lastForm.Get(\"scope\") = %v, want %v", got, want)
	}
	if got, want := tokens.lastForm.Get("audience"), "api"; got != want {
		t.Errorf("tokens.lastForm.Get(\"audience\") = %v, want %v", got, want)
	}
	if !strings.Contains(tokens.lastAuth, "Basic ") {
		t.Errorf("%s", "authStyle header is the default"+": "+fmt.Sprintf("%q does not contain %q", tokens.lastAuth, "Basic "))
	}
	if len(tokens.lastForm.Get("client_secret")) != 0 {
		t.Errorf("tokens.lastForm.Get(\"client_secret\") is not empty: %v", tokens.lastForm.Get("client_secret"))
	}
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
		if got, want := get(t, c, context.Background(), "/").Header.Get("Authorization"), "Bearer at-1"; got != want {
			t.Errorf("get(t, c, context.Background(), \"/\").Header.Get(\"Authorization\") = %v, want %v", got, want)
		}
	}
	if got, want := fmt.Sprint(tokens.fetches.Load()), fmt.Sprint(1); got != want {
		t.Fatalf("tokens.fetches.Load() = %v, want %v", got, want)
	}
	tokens.mu.Lock()
	if got, want := tokens.lastForm.Get("client_secret"), "client-secret-1"; got != want {
		t.Errorf("%s", "authStyle params"+": "+fmt.Sprintf("tokens.lastForm.Get(\"client_secret\") = %v, want %v", got, want))
	}
	if len(tokens.lastAuth) != 0 {
		t.Errorf("tokens.lastAuth is not empty: %v", tokens.lastAuth)
	}
	tokens.mu.Unlock()

	time.Sleep(1200 * time.Millisecond)
	if got, want := get(t, c, context.Background(), "/").Header.Get("Authorization"), "Bearer at-2"; got != want {
		t.Errorf("get(t, c, context.Background(), \"/\").Header.Get(\"Authorization\") = %v, want %v", got, want)
	}
	if got, want := fmt.Sprint(tokens.fetches.Load()), fmt.Sprint(2); got != want {
		t.Errorf("tokens.fetches.Load() = %v, want %v", got, want)
	}
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
		_, err := newDefault(s, Options{})
		if err == nil {
			t.Fatalf("err is nil, want an error")
		}
		if !strings.Contains(err.Error(), "jsonData.auth.oauth2.tokenUrl") {
			t.Errorf("%q does not contain %q", err.Error(), "jsonData.auth.oauth2.tokenUrl")
		}
		if !strings.Contains(err.Error(), "jsonData.network.allowedHosts") {
			t.Errorf("%q does not contain %q", err.Error(), "jsonData.network.allowedHosts")
		}
		if strings.Contains(err.Error(), "client-secret-1") {
			t.Errorf("%q contains %q", err.Error(), "client-secret-1")
		}
	})
	t.Run("wrong secret", func(t *testing.T) {
		c := newTestClient(t, cfg{url: srv.URL,
			json: map[string]any{"auth": map[string]any{"type": "oauth2", "oauth2": map[string]any{"tokenUrl": tokSrv.URL, "clientId": "relay"}},
				"network": map[string]any{"allowedCIDRs": []string{"127.0.0.1/32"}, "allowedHosts": []string{tokHost}}},
			secure: map[string]string{"oauth2ClientSecret": "wrong-secret"}})
		req, err := c.NewRequest(context.Background(), http.MethodGet, "/", nil, nil)
		if err != nil {
			t.Fatalf("%v", err)
		}
		e := doErr(t, c, req)
		if got, want := e.Kind, KindAuth; !reflect.DeepEqual(got, want) {
			t.Errorf("e.Kind = %v, want %v", got, want)
		}
		if got, want := e.Status, http.StatusUnauthorized; got != want {
			t.Errorf("e.Status = %v, want %v", got, want)
		}
		if !strings.Contains(e.Error(), "invalid_client") {
			t.Errorf("%q does not contain %q", e.Error(), "invalid_client")
		}
		if got, want := e.Setting, "secureJsonData.oauth2ClientSecret"; got != want {
			t.Errorf("e.Setting = %v, want %v", got, want)
		}
	})
	t.Run("token endpoint blocked by the guard", func(t *testing.T) {
		// Token host allowed by name, but loopback addresses are not.
		c := newTestClient(t, cfg{url: "http://api.invalid",
			json:   map[string]any{"auth": map[string]any{"type": "oauth2", "oauth2": map[string]any{"tokenUrl": tokSrv.URL, "clientId": "relay"}}, "network": map[string]any{"allowedHosts": []string{tokHost}}},
			secure: map[string]string{"oauth2ClientSecret": "client-secret-1"}})
		req, err := c.NewRequest(context.Background(), http.MethodGet, "/", nil, nil)
		if err != nil {
			t.Fatalf("%v", err)
		}
		e := doErr(t, c, req)
		if got, want := e.Kind, KindAuth; !reflect.DeepEqual(got, want) {
			t.Errorf("e.Kind = %v, want %v", got, want)
		}
		if !strings.Contains(e.Error(), "loopback address") {
			t.Errorf("%q does not contain %q", e.Error(), "loopback address")
		}
		if got, want := e.Setting, "jsonData.network.allowPrivateNetworks"; !reflect.DeepEqual(got, want) {
			t.Errorf("e.Setting = %v, want %v", got, want)
		}
		if !reflect.ValueOf(tokens.fetches.Load()).IsZero() {
			t.Errorf("%s", "no token request may reach a refused address"+": "+fmt.Sprintf("tokens.fetches.Load() = %v, want zero", tokens.fetches.Load()))
		}
	})
}
