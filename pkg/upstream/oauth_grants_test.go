package upstream

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// grantServer is a token endpoint for the password and refresh_token grants
// that rotates refresh tokens (the old one stops working), in front of an
// API that wants the last access token.
type grantServer struct {
	mu      sync.Mutex
	forms   []url.Values
	headers []http.Header
	refresh string // the one valid refresh token
	access  string
	n       int
}

func (g *grantServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if r.URL.Path != "/token" {
		if r.Header.Get("Authorization") != "Bearer "+g.access {
			http.Error(w, "no", http.StatusUnauthorized)
			return
		}
		echoHandler(w, r)
		return
	}
	_ = r.ParseForm()
	g.forms, g.headers = append(g.forms, r.PostForm), append(g.headers, r.Header.Clone())
	switch r.PostForm.Get("grant_type") {
	case "password":
		if r.PostForm.Get("username") != "grafana" || r.PostForm.Get("password") != "owner-pass-canary" {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"error":"invalid_grant"}`))
			return
		}
	case "refresh_token":
		if r.PostForm.Get("refresh_token") != g.refresh {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"error":"invalid_grant"}`))
			return
		}
	default:
		http.Error(w, "grant", http.StatusBadRequest)
		return
	}
	g.n++
	g.access = fmt.Sprintf("access-token-number-%d", g.n)
	g.refresh = fmt.Sprintf("rotated-refresh-token-%d", g.n)
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"access_token":%q,"token_type":"Bearer","expires_in":3600,"refresh_token":%q}`, g.access, g.refresh)
}

func grantClient(t *testing.T, u string, o map[string]any, secure map[string]string) *Client {
	o["tokenUrl"] = u + "/token"
	o["clientId"] = "relay"
	return newTestClient(t, cfg{url: u, json: map[string]any{"auth": map[string]any{"type": "oauth2", "oauth2": o},
		"network": allowLoopback}, secure: secure})
}

func TestOAuth2PasswordGrant(t *testing.T) {
	g := &grantServer{}
	u := newServer(t, g).URL
	c := grantClient(t, u, map[string]any{"grantType": "password", "username": "grafana", "audience": "https://api.example",
		"resource": "https://api.example/v1", "headers": map[string]any{"X-Tenant": "acme"}, "scopes": []string{"read"}},
		map[string]string{"oauth2Password": "owner-pass-canary", "oauth2ClientSecret": "client-secret-1"})
	for range 3 {
		if got := get(t, c, context.Background(), "/items").Header.Get("Authorization"); got != "Bearer access-token-number-1" {
			t.Fatalf("Authorization = %q", got)
		}
	}
	if len(g.forms) != 1 {
		t.Fatalf("%d token requests for 3 calls", len(g.forms))
	}
	f, h := g.forms[0], g.headers[0]
	if f.Get("audience") != "https://api.example" || f.Get("resource") != "https://api.example/v1" || f.Get("scope") != "read" ||
		h.Get("X-Tenant") != "acme" {
		t.Errorf("token request: %v %v", f, h)
	}
	if id, secret, ok := (&http.Request{Header: h}).BasicAuth(); !ok || id != "relay" || secret != "client-secret-1" {
		t.Errorf("client authentication: %v", h)
	}
}

func TestOAuth2PasswordGrantRefused(t *testing.T) {
	g := &grantServer{}
	u := newServer(t, g).URL
	c := grantClient(t, u, map[string]any{"grantType": "password", "username": "someone-else"},
		map[string]string{"oauth2Password": "owner-pass-canary"})
	req, _ := c.NewRequest(context.Background(), http.MethodGet, "/items", nil, nil)
	e := doErr(t, c, req)
	if e.Setting != "secureJsonData.oauth2Password" || !strings.Contains(e.Error(), "answered 400 (invalid_grant)") ||
		strings.Contains(e.Error(), "owner-pass-canary") {
		t.Errorf("setting %q: %s", e.Setting, e.Error())
	}
}

func TestOAuth2RefreshTokenRotates(t *testing.T) {
	g := &grantServer{refresh: "stored-refresh-token-0"}
	u := newServer(t, g).URL
	c := grantClient(t, u, map[string]any{"grantType": "refresh_token"}, map[string]string{"oauth2RefreshToken": "stored-refresh-token-0"})
	get(t, c, context.Background(), "/items")
	g.mu.Lock()
	g.access = "revoked" // the upstream refuses the token: Relay drops it and refreshes with the rotated refresh token
	g.mu.Unlock()
	if got := get(t, c, context.Background(), "/items").Header.Get("Authorization"); got != "Bearer access-token-number-2" {
		t.Fatalf("after rotation: %q", got)
	}
	if len(g.forms) != 2 || g.forms[0].Get("refresh_token") != "stored-refresh-token-0" ||
		g.forms[1].Get("refresh_token") != "rotated-refresh-token-1" {
		t.Errorf("refresh tokens sent: %v", g.forms)
	}
	if got := c.Scrub("leak rotated-refresh-token-1"); strings.Contains(got, "rotated-refresh-token-1") {
		t.Errorf("a rotated refresh token is not scrubbed: %s", got)
	}
}
