package main

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"sync"
)

// sessionCookie is Grafana's login cookie. The dev host's sessions live in memory until logout or exit.
const sessionCookie = "grafana_session"

// maxSessions bounds the store: the oldest session is dropped when a login would exceed it.
const maxSessions = 1000

type sessions struct {
	mu     sync.Mutex
	byID   map[string]*user
	order  []string
	random func([]byte) (int, error)
}

func newSessions() *sessions {
	return &sessions{byID: map[string]*user{}, random: rand.Read}
}

func (s *sessions) create(u *user) (string, error) {
	b := make([]byte, 32)
	if _, err := s.random(b); err != nil {
		return "", err
	}
	id := base64.RawURLEncoding.EncodeToString(b)
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.order) >= maxSessions {
		delete(s.byID, s.order[0])
		s.order = s.order[1:]
	}
	s.byID[id] = u
	s.order = append(s.order, id)
	return id, nil
}

func (s *sessions) lookup(r *http.Request) *user {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.byID[c.Value]
}

func (s *sessions) remove(r *http.Request) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.byID[c.Value]; !ok {
		return
	}
	delete(s.byID, c.Value)
	for i, id := range s.order {
		if id == c.Value {
			s.order = append(s.order[:i], s.order[i+1:]...)
			break
		}
	}
}

// sameOrigin reports whether a browser request comes from a page of this host. Grafana refuses cookie-
// authenticated writes whose Origin names another host (its CSRF check); a request without Origin is not from a
// cross-site page of a current browser.
func sameOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	return err == nil && u.Host == r.Host
}

// loginCommand is the body of Grafana's POST /login.
type loginCommand struct {
	User     string `json:"user"`
	Password string `json:"password"`
}

// serveLogin answers POST /login as Grafana does: a session cookie and {"message": "Logged in"}, or 401.
func (s *server) serveLogin(w http.ResponseWriter, r *http.Request) {
	if !sameOrigin(r) {
		writeJSONError(w, http.StatusForbidden, "origin not allowed")
		return
	}
	raw, ok := s.readBody(w, r)
	if !ok {
		return
	}
	var cmd loginCommand
	if err := json.Unmarshal(raw, &cmd); err != nil {
		writeJSONError(w, http.StatusBadRequest, "bad login data")
		return
	}
	u := s.users.byPassword(cmd.User, cmd.Password)
	if u == nil {
		writeJSONError(w, http.StatusUnauthorized, msgBadCredentials)
		return
	}
	id, err := s.sessions.create(u)
	if err != nil {
		writeJSONError(w, http.StatusInternalServerError, "Internal Server Error")
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: id, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
	})
	s.logger.Info("signed in", "login", u.Login)
	writeJSON(w, http.StatusOK, map[string]string{"message": "Logged in", "redirectUrl": "/"})
}

// serveLogout answers GET /logout as Grafana does: the session ends and the browser goes to the login page.
func (s *server) serveLogout(w http.ResponseWriter, r *http.Request) {
	s.sessions.remove(r)
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true})
	http.Redirect(w, r, "/login", http.StatusFound)
}
