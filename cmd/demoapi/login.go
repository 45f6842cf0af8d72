package main

import (
	"encoding/json"
	"mime"
	"net/http"
	"strings"
	"time"
)

// An API with its own login call, as many have: POST /login/{json,header,cookie} with a user and password (JSON or
// form body) answers a token that expires — in the JSON body, in the X-Subject-Token header, or in the session
// cookie — and GET /login/data wants it back (Authorization: Bearer, X-Subject-Token, or the session cookie).
// /login/stats counts logins, so tests can prove Relay logs in once for many requests.

// loginCookie is the cookie /login/cookie sets and /login/data accepts.
const loginCookie = "session"

type loginRequest struct {
	Username string  `json:"username"`
	Password string  `json:"password"`
	TTL      float64 `json:"ttl"` // seconds, optional: a shorter lifetime than -login-ttl, for tests
}

// readLogin reads the credentials from a JSON or form body.
func readLogin(w http.ResponseWriter, r *http.Request) (loginRequest, bool) {
	var in loginRequest
	r.Body = http.MaxBytesReader(w, r.Body, maxTokenForm)
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mt {
	case "application/json":
		if json.NewDecoder(r.Body).Decode(&in) != nil {
			writeError(w, http.StatusBadRequest, "bad_request", "malformed JSON body")
			return in, false
		}
	case "application/x-www-form-urlencoded":
		if r.ParseForm() != nil {
			writeError(w, http.StatusBadRequest, "bad_request", "malformed form body")
			return in, false
		}
		in.Username, in.Password = r.PostForm.Get("username"), r.PostForm.Get("password")
		if t := r.PostForm.Get("ttl"); t != "" {
			_ = json.Unmarshal([]byte(t), &in.TTL)
		}
	default:
		writeError(w, http.StatusUnsupportedMediaType, "unsupported_media_type", "send JSON or a form")
		return in, false
	}
	return in, true
}

// POST /login/{how}: how is json (token in the body), header (X-Subject-Token) or cookie (session).
func (s *server) login(w http.ResponseWriter, r *http.Request) {
	how := r.PathValue("how")
	if how != "json" && how != "header" && how != "cookie" {
		writeError(w, http.StatusNotFound, "not_found", "login at /login/json, /login/header or /login/cookie")
		return
	}
	in, ok := readLogin(w, r)
	if !ok {
		s.logins.countRequest(false)
		return
	}
	if !secureEqual(in.Username, s.cfg.LoginUser) || !secureEqual(in.Password, s.cfg.LoginPassword) {
		s.logins.countRequest(false)
		writeError(w, http.StatusUnauthorized, "unauthorized", "wrong user name or password")
		return
	}
	s.logins.countRequest(true)
	ttl := s.cfg.LoginTTL
	if in.TTL >= 1 && time.Duration(in.TTL*float64(time.Second)) < ttl {
		ttl = time.Duration(in.TTL * float64(time.Second))
	}
	tok := s.logins.issue(tokenInfo{clientID: in.Username, expires: s.now().Add(ttl)}, s.now())
	w.Header().Set("Cache-Control", "no-store")
	switch how {
	case "header":
		w.Header().Set("X-Subject-Token", tok)
		writeJSON(w, http.StatusCreated, map[string]any{"user": in.Username, "expiresIn": int64(ttl / time.Second)})
	case "cookie":
		http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: tok, Path: "/", HttpOnly: true, MaxAge: int(ttl / time.Second)})
		writeJSON(w, http.StatusOK, map[string]any{"user": in.Username})
	default:
		writeJSON(w, http.StatusOK, map[string]any{"auth": map[string]any{"token": tok, "expiresIn": int64(ttl / time.Second)}})
	}
}

// GET /login/data
func (s *server) loginData(w http.ResponseWriter, r *http.Request) {
	tok, ok := bearerToken(r)
	if !ok {
		tok = strings.TrimSpace(r.Header.Get("X-Subject-Token"))
	}
	if tok == "" {
		if c, err := r.Cookie(loginCookie); err == nil {
			tok = c.Value
		}
	}
	if tok == "" || !s.logins.authorize(tok, s.now()) {
		unauthorized(w, `Bearer `+realm, "log in first: missing, expired or revoked token")
		return
	}
	writeAuthData(w, "login")
}

// GET /login/stats → the token store's counters (token_requests are login calls).
func (s *server) loginStats(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, s.logins.stats(s.now()))
}

// POST /login/revoke forgets every login token (test hook: make a cached token fail).
func (s *server) revokeLogins(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]int{"revoked": s.logins.revoke("")})
}
