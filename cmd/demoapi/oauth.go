package main

import (
	"crypto/rand"
	"mime"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// An OAuth2 client-credentials token endpoint (RFC 6749 section 4.4). /oauth/stats exposes how many tokens were
// issued, so tests can prove Relay caches its token instead of fetching one per request.

const (
	maxTokenForm = 64 << 10
	// maxTokens bounds the remembered tokens; expired ones are pruned first.
	maxTokens = 10000
)

type tokenInfo struct {
	clientID string
	scope    string
	expires  time.Time
}

type tokenStore struct {
	mu         sync.Mutex
	tokens     map[string]tokenInfo
	requests   int64 // POST /oauth/token calls
	issued     int64
	failures   int64 // token requests refused
	authorized int64 // /auth/oauth/data requests let through
}

func newTokenStore() *tokenStore { return &tokenStore{tokens: make(map[string]tokenInfo)} }

func (ts *tokenStore) countRequest(ok bool) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	ts.requests++
	if !ok {
		ts.failures++
	}
}

func (ts *tokenStore) issue(info tokenInfo, now time.Time) string {
	tok := rand.Text() // 128 random bits
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if len(ts.tokens) >= maxTokens {
		for t, in := range ts.tokens {
			if !now.Before(in.expires) {
				delete(ts.tokens, t)
			}
		}
	}
	for t := range ts.tokens { // still full of live tokens: forget arbitrary ones
		if len(ts.tokens) < maxTokens {
			break
		}
		delete(ts.tokens, t)
	}
	ts.tokens[tok] = info
	ts.issued++
	return tok
}

func (ts *tokenStore) authorize(tok string, now time.Time) bool {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	info, ok := ts.tokens[tok]
	if !ok || !now.Before(info.expires) {
		return false
	}
	ts.authorized++
	return true
}

// revoke forgets one token, or all when tok is empty; it returns how many were forgotten.
func (ts *tokenStore) revoke(tok string) int {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if tok == "" {
		n := len(ts.tokens)
		clear(ts.tokens)
		return n
	}
	if _, ok := ts.tokens[tok]; ok {
		delete(ts.tokens, tok)
		return 1
	}
	return 0
}

type tokenStats struct {
	TokenRequests      int64 `json:"token_requests"`
	TokensIssued       int64 `json:"tokens_issued"`
	TokenFailures      int64 `json:"token_failures"`
	ActiveTokens       int   `json:"active_tokens"`
	AuthorizedRequests int64 `json:"authorized_requests"`
}

func (ts *tokenStore) stats(now time.Time) tokenStats {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	active := 0
	for _, in := range ts.tokens {
		if now.Before(in.expires) {
			active++
		}
	}
	return tokenStats{TokenRequests: ts.requests, TokensIssued: ts.issued, TokenFailures: ts.failures,
		ActiveTokens: active, AuthorizedRequests: ts.authorized}
}

// oauthError uses RFC 6749's error shape (section 5.2), which OAuth2 client libraries parse, rather than Relay's.
func oauthError(w http.ResponseWriter, status int, code, desc string) {
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, status, map[string]string{"error": code, "error_description": desc})
}

// POST /oauth/token with a form body: grant_type=client_credentials, optional scope. The client authenticates with
// HTTP Basic (id and secret form-urlencoded first, per RFC 6749 section 2.3.1, as golang.org/x/oauth2 does) or with
// client_id/client_secret form fields.
func (s *server) issueToken(w http.ResponseWriter, r *http.Request) {
	ok := false
	defer func() { s.tokens.countRequest(ok) }()

	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/x-www-form-urlencoded" {
		oauthError(w, http.StatusBadRequest, "invalid_request", "body must be application/x-www-form-urlencoded")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxTokenForm)
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "malformed form body")
		return
	}
	id, secret := r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	idOK, secretOK := secureEqual(id, s.cfg.ClientID), secureEqual(secret, s.cfg.ClientSecret)
	if user, pass, hasBasic := r.BasicAuth(); hasBasic {
		id = user
		idOK, secretOK = basicCredentialEqual(user, s.cfg.ClientID), basicCredentialEqual(pass, s.cfg.ClientSecret)
	}
	if !idOK || !secretOK {
		w.Header().Set("WWW-Authenticate", `Basic `+realm)
		oauthError(w, http.StatusUnauthorized, "invalid_client", "client authentication failed")
		return
	}
	refresh := ""
	switch grant := r.PostForm.Get("grant_type"); grant {
	case "client_credentials":
	case "password": // the -login-user and -login-password (RFC 6749 4.3)
		if !secureEqual(r.PostForm.Get("username"), s.cfg.LoginUser) || !secureEqual(r.PostForm.Get("password"), s.cfg.LoginPassword) {
			oauthError(w, http.StatusBadRequest, "invalid_grant", "wrong resource owner credentials")
			return
		}
		refresh = s.refresh.issue()
	case "refresh_token": // rotating: the refresh token used is spent, a new one comes with the access token
		if !s.refresh.spend(r.PostForm.Get("refresh_token")) {
			oauthError(w, http.StatusBadRequest, "invalid_grant", "unknown or spent refresh token")
			return
		}
		refresh = s.refresh.issue()
	case "":
		oauthError(w, http.StatusBadRequest, "invalid_request", "grant_type is required")
		return
	default:
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "client_credentials, password or refresh_token")
		return
	}
	scope := r.PostForm.Get("scope")
	tok := s.tokens.issue(tokenInfo{clientID: id, scope: scope, expires: s.now().Add(s.cfg.TokenTTL)}, s.now())
	ok = true
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	resp := map[string]any{"access_token": tok, "token_type": "Bearer", "expires_in": int64(s.cfg.TokenTTL / time.Second)}
	if scope != "" {
		resp["scope"] = scope
	}
	if refresh != "" {
		resp["refresh_token"] = refresh
	}
	for _, k := range []string{"audience", "resource"} { // echoed, so tests can see they were sent
		if v := r.PostForm.Get(k); v != "" {
			resp[k] = v
		}
	}
	writeJSON(w, http.StatusOK, resp)
}

// basicCredentialEqual accepts a Basic credential form-encoded (RFC 6749 section 2.3.1) or verbatim, since clients
// differ and a verbatim "+" would otherwise decode to a space.
func basicCredentialEqual(got, want string) bool {
	if secureEqual(got, want) {
		return true
	}
	u, err := url.QueryUnescape(got)
	return err == nil && secureEqual(u, want)
}

// POST /oauth/revoke with optional form field token: forgets that token, or every token, so tests can make Relay
// meet a 401 with a cached token. Unauthenticated: this is a test hook, not RFC 7009.
func (s *server) revokeTokens(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxTokenForm)
	if err := r.ParseForm(); err != nil {
		badRequest(w, err)
		return
	}
	n := s.tokens.revoke(r.PostForm.Get("token"))
	writeJSON(w, http.StatusOK, map[string]int{"revoked": n})
}

// GET /oauth/stats
func (s *server) oauthStats(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, s.tokens.stats(s.now()))
}
