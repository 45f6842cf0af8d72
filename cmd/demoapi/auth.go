package main

import (
	"crypto/subtle"
	"net/http"
	"strings"
)

// One protected endpoint per upstream auth kind Relay injects server side. Each answers 401 with a
// WWW-Authenticate challenge on missing or wrong credentials, as real APIs do, so Relay's handling of upstream
// 401s can be exercised too.

const realm = `realm="demoapi"`

type authRow struct {
	ID    int     `json:"id"`
	Name  string  `json:"name"`
	Value float64 `json:"value"`
}

var authRows = []authRow{{1, "alpha", 1.5}, {2, "beta", 2.25}, {3, "gamma", -3}}

func writeAuthData(w http.ResponseWriter, kind string) {
	writeJSON(w, http.StatusOK, map[string]any{"ok": true, "auth": kind, "rows": authRows})
}

func unauthorized(w http.ResponseWriter, challenge, msg string) {
	w.Header().Set("WWW-Authenticate", challenge)
	writeError(w, http.StatusUnauthorized, "unauthorized", msg)
}

// secureEqual compares in constant time for equal lengths, so the demo does not teach timing leaks.
func secureEqual(got, want string) bool {
	return subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// bearerToken returns the token of an "Authorization: Bearer <token>" header (scheme case-insensitive).
func bearerToken(r *http.Request) (string, bool) {
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	tok = strings.TrimSpace(tok)
	return tok, ok && strings.EqualFold(scheme, "Bearer") && tok != ""
}

// GET /auth/basic/data
func (s *server) basicData(w http.ResponseWriter, r *http.Request) {
	user, pass, ok := r.BasicAuth()
	userOK, passOK := secureEqual(user, s.cfg.BasicUser), secureEqual(pass, s.cfg.BasicPass)
	if !ok || !userOK || !passOK {
		unauthorized(w, `Basic `+realm+`, charset="UTF-8"`, "missing or invalid basic credentials")
		return
	}
	writeAuthData(w, "basic")
}

// GET /auth/bearer/data: the static -bearer-token.
func (s *server) bearerData(w http.ResponseWriter, r *http.Request) {
	tok, ok := bearerToken(r)
	switch {
	case !ok:
		unauthorized(w, `Bearer `+realm, "missing bearer token")
	case !secureEqual(tok, s.cfg.BearerToken):
		unauthorized(w, `Bearer `+realm+`, error="invalid_token"`, "invalid bearer token")
	default:
		writeAuthData(w, "bearer")
	}
}

// GET /auth/apikey/data: X-API-Key header, or api_key query parameter. The header wins when both are sent.
func (s *server) apiKeyData(w http.ResponseWriter, r *http.Request) {
	key := r.Header.Get("X-API-Key")
	if key == "" {
		key = r.URL.Query().Get("api_key")
	}
	if key == "" || !secureEqual(key, s.cfg.APIKey) {
		unauthorized(w, `APIKey `+realm+`, header="X-API-Key", query="api_key"`, "missing or invalid API key")
		return
	}
	writeAuthData(w, "apikey")
}

// GET /auth/oauth/data: only a live token from POST /oauth/token; the static bearer token is not accepted.
func (s *server) oauthData(w http.ResponseWriter, r *http.Request) {
	tok, ok := bearerToken(r)
	if !ok {
		unauthorized(w, `Bearer `+realm, "missing bearer token")
		return
	}
	if !s.tokens.authorize(tok, s.now()) {
		unauthorized(w, `Bearer `+realm+`, error="invalid_token", error_description="unknown or expired token"`,
			"unknown or expired access token")
		return
	}
	writeAuthData(w, "oauth")
}
