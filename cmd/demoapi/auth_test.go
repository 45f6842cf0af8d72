package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

type authData struct {
	OK   bool      `json:"ok"`
	Auth string    `json:"auth"`
	Rows []authRow `json:"rows"`
}

func TestAuthEndpoints(t *testing.T) {
	ts, _ := newTestAPI(t)
	basic := func(u, p string) func(*http.Request) { return func(r *http.Request) { r.SetBasicAuth(u, p) } }
	header := func(k, v string) func(*http.Request) { return func(r *http.Request) { r.Header.Set(k, v) } }
	none := func(*http.Request) {}
	tests := []struct {
		name      string
		path      string
		set       func(*http.Request)
		wantKind  string // "" means 401
		challenge string
	}{
		{"basic ok", "/auth/basic/data", basic("demo", "demo-pass"), "basic", ""},
		{"basic wrong pass", "/auth/basic/data", basic("demo", "nope"), "", "Basic "},
		{"basic wrong user", "/auth/basic/data", basic("root", "demo-pass"), "", "Basic "},
		{"basic missing", "/auth/basic/data", none, "", "Basic "},
		{"basic as bearer", "/auth/basic/data", header("Authorization", "Bearer demo-token"), "", "Basic "},
		{"bearer ok", "/auth/bearer/data", header("Authorization", "Bearer demo-token"), "bearer", ""},
		{"bearer scheme case", "/auth/bearer/data", header("Authorization", "bearer demo-token"), "bearer", ""},
		{"bearer wrong", "/auth/bearer/data", header("Authorization", "Bearer demo-tokenX"), "", `error="invalid_token"`},
		{"bearer missing", "/auth/bearer/data", none, "", "Bearer "},
		{"bearer as basic", "/auth/bearer/data", basic("demo", "demo-pass"), "", "Bearer "},
		{"apikey header", "/auth/apikey/data", header("X-API-Key", "demo-key"), "apikey", ""},
		{"apikey query", "/auth/apikey/data?api_key=demo-key", none, "apikey", ""},
		{"apikey wrong header", "/auth/apikey/data", header("X-API-Key", "nope"), "", "APIKey "},
		{"apikey wrong header beats right query", "/auth/apikey/data?api_key=demo-key", header("X-API-Key", "nope"), "", "APIKey "},
		{"apikey wrong query", "/auth/apikey/data?api_key=nope", none, "", "APIKey "},
		{"apikey missing", "/auth/apikey/data", none, "", "APIKey "},
		{"oauth missing", "/auth/oauth/data", none, "", "Bearer "},
		{"oauth static token refused", "/auth/oauth/data", header("Authorization", "Bearer demo-token"), "", `error="invalid_token"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := newRequest(t, http.MethodGet, ts.URL+tt.path, nil)
			tt.set(req)
			resp, body := send(t, ts.Client(), req)
			if tt.wantKind == "" {
				checkAPIError(t, resp, body, http.StatusUnauthorized)
				if ch := resp.Header.Get("WWW-Authenticate"); !strings.Contains(ch, tt.challenge) || !strings.Contains(ch, `realm="demoapi"`) {
					t.Errorf("WWW-Authenticate %q, want it to contain %q", ch, tt.challenge)
				}
				return
			}
			checkStatus(t, resp, body, http.StatusOK)
			var got authData
			decode(t, body, &got)
			if !got.OK || got.Auth != tt.wantKind || len(got.Rows) != len(authRows) || got.Rows[1] != authRows[1] {
				t.Errorf("body %s", body)
			}
		})
	}
}

func TestAuthUsesConfiguredCredentials(t *testing.T) {
	cfg := defaultConfig()
	cfg.BasicUser, cfg.BasicPass, cfg.APIKey = "alice", "s3cret", "k-1"
	s := newServer(cfg, discardLogger())
	ts := httptest.NewServer(s)
	defer ts.Close()
	req := newRequest(t, http.MethodGet, ts.URL+"/auth/basic/data", nil)
	req.SetBasicAuth("alice", "s3cret")
	if resp, body := send(t, ts.Client(), req); resp.StatusCode != http.StatusOK {
		t.Errorf("configured basic credentials refused: %s", body)
	}
	req.SetBasicAuth("demo", "demo-pass")
	if resp, _ := send(t, ts.Client(), req); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("default credentials still accepted: %d", resp.StatusCode)
	}
	if resp, _ := send(t, ts.Client(), newRequest(t, http.MethodGet, ts.URL+"/auth/apikey/data?api_key=k-1", nil)); resp.StatusCode != http.StatusOK {
		t.Errorf("configured API key refused: %d", resp.StatusCode)
	}
}
