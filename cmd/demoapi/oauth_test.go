package main

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

type tokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int64  `json:"expires_in"`
	Scope       string `json:"scope"`
}

func tokenRequest(t *testing.T, ts *httptest.Server, form url.Values, basicUser, basicPass string) (*http.Response, []byte) {
	t.Helper()
	req := newRequest(t, http.MethodPost, ts.URL+"/oauth/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if basicUser != "" {
		req.SetBasicAuth(basicUser, basicPass)
	}
	return send(t, ts.Client(), req)
}

func fetchToken(t *testing.T, ts *httptest.Server, form url.Values, user, pass string) tokenResponse {
	t.Helper()
	resp, body := tokenRequest(t, ts, form, user, pass)
	checkStatus(t, resp, body, http.StatusOK)
	if resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("token response Cache-Control %q", resp.Header.Get("Cache-Control"))
	}
	var tok tokenResponse
	decode(t, body, &tok)
	if len(tok.AccessToken) < 20 || tok.TokenType != "Bearer" || tok.ExpiresIn != 3600 {
		t.Fatalf("token response %s", body)
	}
	return tok
}

func oauthGet(t *testing.T, ts *httptest.Server, token string) (*http.Response, []byte) {
	t.Helper()
	req := newRequest(t, http.MethodGet, ts.URL+"/auth/oauth/data", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	return send(t, ts.Client(), req)
}

func stats(t *testing.T, ts *httptest.Server) tokenStats {
	t.Helper()
	var st tokenStats
	get(t, ts, "/oauth/stats", http.StatusOK, &st)
	return st
}

func TestOAuthClientCredentials(t *testing.T) {
	clock := &fakeClock{t: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	ts, _ := newTestAPI(t, func(s *server) { s.now = clock.Now })
	grant := url.Values{"grant_type": {"client_credentials"}}

	// Client authentication by Basic header, then by form fields; scope is echoed.
	tok := fetchToken(t, ts, url.Values{"grant_type": {"client_credentials"}, "scope": {"read write"}}, "demo-client", "demo-secret")
	if tok.Scope != "read write" {
		t.Errorf("scope %q", tok.Scope)
	}
	tok2 := fetchToken(t, ts, url.Values{"grant_type": {"client_credentials"}, "client_id": {"demo-client"},
		"client_secret": {"demo-secret"}}, "", "")
	if tok2.AccessToken == tok.AccessToken || tok2.Scope != "" {
		t.Errorf("second token %+v reuses the first or invents a scope", tok2)
	}

	// The same token serves many requests: issued stays 2 while authorized grows.
	for range 3 {
		resp, body := oauthGet(t, ts, tok.AccessToken)
		checkStatus(t, resp, body, http.StatusOK)
		var got authData
		decode(t, body, &got)
		if got.Auth != "oauth" || !got.OK {
			t.Errorf("body %s", body)
		}
	}
	if st := stats(t, ts); st != (tokenStats{TokenRequests: 2, TokensIssued: 2, ActiveTokens: 2, AuthorizedRequests: 3}) {
		t.Errorf("stats %+v", st)
	}

	// Tokens expire after -token-ttl.
	clock.Advance(time.Hour - time.Second)
	if resp, body := oauthGet(t, ts, tok.AccessToken); resp.StatusCode != http.StatusOK {
		t.Errorf("token refused before expiry: %s", body)
	}
	clock.Advance(time.Second)
	resp, body := oauthGet(t, ts, tok.AccessToken)
	checkAPIError(t, resp, body, http.StatusUnauthorized)
	if ch := resp.Header.Get("WWW-Authenticate"); !strings.Contains(ch, `error="invalid_token"`) {
		t.Errorf("expired token challenge %q", ch)
	}
	if st := stats(t, ts); st.ActiveTokens != 0 || st.TokensIssued != 2 {
		t.Errorf("after expiry: %+v", st)
	}

	// Revocation makes a live token fail, as an upstream rotating keys would.
	tok3 := fetchToken(t, ts, grant, "demo-client", "demo-secret")
	resp, body = send(t, ts.Client(), newRequest(t, http.MethodPost, ts.URL+"/oauth/revoke", nil))
	checkStatus(t, resp, body, http.StatusOK)
	if resp, _ := oauthGet(t, ts, tok3.AccessToken); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("revoked token accepted: %d", resp.StatusCode)
	}
	if resp, _ := oauthGet(t, ts, "made-up"); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("unknown token accepted: %d", resp.StatusCode)
	}
}

func TestOAuthTokenErrors(t *testing.T) {
	ts, _ := newTestAPI(t)
	grant := url.Values{"grant_type": {"client_credentials"}}
	tests := []struct {
		name       string
		form       url.Values
		user, pass string
		status     int
		code       string
	}{
		{"wrong secret", grant, "demo-client", "nope", http.StatusUnauthorized, "invalid_client"},
		{"wrong client", grant, "other", "demo-secret", http.StatusUnauthorized, "invalid_client"},
		{"no client auth", grant, "", "", http.StatusUnauthorized, "invalid_client"},
		{"wrong form secret", url.Values{"grant_type": {"client_credentials"}, "client_id": {"demo-client"},
			"client_secret": {"x"}}, "", "", http.StatusUnauthorized, "invalid_client"},
		{"no grant", url.Values{}, "demo-client", "demo-secret", http.StatusBadRequest, "invalid_request"},
		{"implicit grant", url.Values{"grant_type": {"implicit"}}, "demo-client", "demo-secret", http.StatusBadRequest,
			"unsupported_grant_type"},
		{"password grant without owner", url.Values{"grant_type": {"password"}}, "demo-client", "demo-secret", http.StatusBadRequest,
			"invalid_grant"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := tokenRequest(t, ts, tt.form, tt.user, tt.pass)
			checkStatus(t, resp, body, tt.status)
			var e struct{ Error string }
			decode(t, body, &e)
			if e.Error != tt.code {
				t.Errorf("error %q, want %q (%s)", e.Error, tt.code, body)
			}
			if tt.status == http.StatusUnauthorized && resp.Header.Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
		})
	}
	// Not a form body.
	req := newRequest(t, http.MethodPost, ts.URL+"/oauth/token", strings.NewReader(`{"grant_type":"client_credentials"}`))
	req.Header.Set("Content-Type", "application/json")
	req.SetBasicAuth("demo-client", "demo-secret")
	if resp, body := send(t, ts.Client(), req); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("JSON token request: %d %s", resp.StatusCode, body)
	}
	if st := stats(t, ts); st.TokenRequests != 8 || st.TokenFailures != 8 || st.TokensIssued != 0 {
		t.Errorf("stats %+v", st)
	}
}

// TestOAuthBasicCredentialsFormEncoded: RFC 6749 section 2.3.1 form-encodes Basic credentials
// (golang.org/x/oauth2 does); verbatim credentials must work too.
func TestOAuthBasicCredentialsFormEncoded(t *testing.T) {
	cfg := defaultConfig()
	cfg.ClientID, cfg.ClientSecret = "my client", "p+ss/wörd"
	ts := httptest.NewServer(newServer(cfg, discardLogger()))
	defer ts.Close()
	grant := url.Values{"grant_type": {"client_credentials"}}
	fetchToken(t, ts, grant, url.QueryEscape(cfg.ClientID), url.QueryEscape(cfg.ClientSecret))
	fetchToken(t, ts, grant, cfg.ClientID, cfg.ClientSecret)
	resp, body := tokenRequest(t, ts, grant, "my+client", "p ss/wörd")
	checkStatus(t, resp, body, http.StatusUnauthorized) // "+" decodes to a space, which is not the secret
}

func TestTokenStoreIsBounded(t *testing.T) {
	ts := newTokenStore()
	now := time.Now()
	for i := range maxTokens + 5 {
		expires := now.Add(time.Hour)
		if i < 3 {
			expires = now // already expired: pruned first
		}
		ts.issue(tokenInfo{expires: expires}, now)
	}
	if n := len(ts.tokens); n != maxTokens {
		t.Errorf("%d tokens remembered, want %d", n, maxTokens)
	}
}

func TestOAuthPasswordAndRotatingRefreshGrants(t *testing.T) {
	ts, _ := newTestAPI(t)
	form := url.Values{"grant_type": {"password"}, "username": {"demo"}, "password": {"demo-login-pass"}, "audience": {"https://api"}}
	resp, body := tokenRequest(t, ts, form, "demo-client", "demo-secret")
	checkStatus(t, resp, body, http.StatusOK)
	var tok struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
		Audience     string `json:"audience"`
	}
	decode(t, body, &tok)
	if tok.RefreshToken == "" || tok.Audience != "https://api" {
		t.Fatalf("password grant: %s", body)
	}
	first := tok.RefreshToken
	resp, body = tokenRequest(t, ts, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {first}}, "demo-client", "demo-secret")
	checkStatus(t, resp, body, http.StatusOK)
	decode(t, body, &tok)
	if tok.RefreshToken == "" || tok.RefreshToken == first {
		t.Fatalf("refresh did not rotate: %s", body)
	}
	if resp, _ := oauthGet(t, ts, tok.AccessToken); resp.StatusCode != http.StatusOK {
		t.Errorf("refreshed access token refused: %d", resp.StatusCode)
	}
	resp, body = tokenRequest(t, ts, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {first}}, "demo-client", "demo-secret")
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "invalid_grant") {
		t.Errorf("a spent refresh token: %d %s", resp.StatusCode, body)
	}
	form.Set("password", "wrong")
	if resp, body = tokenRequest(t, ts, form, "demo-client", "demo-secret"); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("wrong owner password: %d %s", resp.StatusCode, body)
	}
}
