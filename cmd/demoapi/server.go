package main

import (
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"
)

// config holds the credentials the auth endpoints accept. Defaults are documented in README.md; they are demo
// values, not secrets.
type config struct {
	BasicUser, BasicPass   string
	BearerToken            string
	APIKey                 string
	ClientID, ClientSecret string
	TokenTTL               time.Duration
	// LoginUser and LoginPassword are what /login/* accepts; LoginTTL is the lifetime of its tokens.
	LoginUser, LoginPassword string
	LoginTTL                 time.Duration
	// RefreshToken, when set, is a refresh token /oauth/token accepts once from the start (tests provision it).
	RefreshToken string
}

func defaultConfig() config {
	return config{
		BasicUser:    "demo",
		BasicPass:    "demo-pass",
		BearerToken:  "demo-token",
		APIKey:       "demo-key",
		ClientID:     "demo-client",
		ClientSecret: "demo-secret",
		TokenTTL:     time.Hour,

		LoginUser:     "demo",
		LoginPassword: "demo-login-pass",
		LoginTTL:      10 * time.Minute,
	}
}

func (c config) validate() error {
	// An empty credential would make "missing" and "correct" indistinguishable.
	for _, v := range []string{c.BasicUser, c.BasicPass, c.BearerToken, c.APIKey, c.ClientID, c.ClientSecret, c.LoginUser, c.LoginPassword} {
		if v == "" {
			return errors.New("credentials must not be empty")
		}
	}
	if c.TokenTTL < time.Second {
		// expires_in is whole seconds and 0 means "no expiry" to OAuth2 clients.
		return errors.New("-token-ttl must be at least 1s")
	}
	if c.LoginTTL < time.Second {
		return errors.New("-login-ttl must be at least 1s")
	}
	return nil
}

// server is the demo API. Its state (items, tokens, hit counts, cache version) is in memory and guarded by mutexes,
// so tests may hit it concurrently under -race.
type server struct {
	cfg     config
	log     *slog.Logger
	now     func() time.Time // replaced by tests before serving
	items   *itemStore
	tokens  *tokenStore
	logins  *tokenStore // login tokens (login.go)
	refresh *refreshStore
	hits    *hitCounter
	cache   *cacheState

	mux     *http.ServeMux
	handler http.Handler
}

func newServer(cfg config, logger *slog.Logger) *server {
	s := &server{
		cfg:     cfg,
		log:     logger,
		now:     time.Now,
		items:   newItemStore(),
		tokens:  newTokenStore(),
		logins:  newTokenStore(),
		refresh: newRefreshStore(),
		hits:    newHitCounter(maxCountedPaths),
		cache:   newCacheState(),
		mux:     http.NewServeMux(),
	}
	if cfg.RefreshToken != "" {
		s.refresh.tokens[cfg.RefreshToken] = true
	}
	s.register(s.mux)
	s.handler = s.middleware(http.HandlerFunc(s.route))
	return s
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

const echoPrefix = "/api/echo/"

func (s *server) register(mux *http.ServeMux) {
	mux.HandleFunc("GET /health", s.health)

	mux.HandleFunc("GET /api/series", s.series)
	mux.HandleFunc("GET /api/metrics", s.metrics)

	mux.HandleFunc("GET /api/items", s.listItems)
	mux.HandleFunc("POST /api/items", s.createItem)
	mux.HandleFunc("POST /api/items/reset", s.resetItems)
	mux.HandleFunc("GET /api/items/{id}", s.getItem)
	mux.HandleFunc("PUT /api/items/{id}", s.replaceItem)
	mux.HandleFunc("PATCH /api/items/{id}", s.patchItem)
	mux.HandleFunc("DELETE /api/items/{id}", s.deleteItem)

	mux.HandleFunc("GET /api/export.csv", s.exportCSV)
	mux.HandleFunc("GET /api/events.ndjson", s.eventsNDJSON)
	mux.HandleFunc("GET /api/items.json.gz", s.itemsGzip)
	s.registerMarkup(mux)      // XML and HTML bodies (markup.go)
	s.registerMarkupPages(mux) // paged XML and HTML (markup_pages.go)

	// /api/echo/{rest...} is dispatched in route, before the mux; see there.
	mux.HandleFunc("POST /api/echo", s.echo)
	mux.HandleFunc("GET /headers", s.headers)

	mux.HandleFunc("GET /auth/basic/data", s.basicData)
	mux.HandleFunc("GET /auth/bearer/data", s.bearerData)
	mux.HandleFunc("GET /auth/apikey/data", s.apiKeyData)
	mux.HandleFunc("GET /auth/oauth/data", s.oauthData)

	mux.HandleFunc("POST /oauth/token", s.issueToken)
	mux.HandleFunc("POST /oauth/revoke", s.revokeTokens)
	mux.HandleFunc("GET /oauth/stats", s.oauthStats)

	mux.HandleFunc("POST /login/{how}", s.login)
	mux.HandleFunc("GET /login/data", s.loginData)
	mux.HandleFunc("GET /login/stats", s.loginStats)
	mux.HandleFunc("POST /login/revoke", s.revokeLogins)

	mux.HandleFunc("GET /api/cacheable", s.cacheable)
	mux.HandleFunc("POST /api/cacheable", s.bumpCacheable)
	mux.HandleFunc("GET /api/nostore", s.noStore)
	mux.HandleFunc("GET /api/private", s.private)
	mux.HandleFunc("GET "+counterPath, s.counter)
	mux.HandleFunc("DELETE "+counterPath, s.resetCounter)

	s.registerQueries(mux)

	mux.HandleFunc("GET /slow", s.slow)
	mux.HandleFunc("GET /slow-body", s.slowBody)
	mux.HandleFunc("GET /large", s.large)
	mux.HandleFunc("/status/{code}", s.status) // any method: proxies forward POSTs too
	mux.HandleFunc("GET /reset", s.reset)
	mux.HandleFunc("GET /reset-mid-body", s.resetMidBody)
	mux.HandleFunc("/redirect", s.redirectTo) // any method: a 307 replays a POST
	mux.HandleFunc("GET /redirect/{n}", s.redirectChain)
	mux.HandleFunc("GET /redirect/keep-query", s.redirectKeepQuery)
	mux.HandleFunc("GET /set-cookie", s.setCookie)
}

// route dispatches a request. /api/echo/... bypasses the ServeMux because the mux cleans paths (answering "..",
// "." and "//" with a redirect), and tests need to see exactly the path Relay sent. Elsewhere an unclean path gets
// the mux's redirect to the clean one, and what the mux would answer with plain-text 404/405 gets a JSON error:
// every response of this API is JSON unless documented otherwise.
func (s *server) route(w http.ResponseWriter, r *http.Request) {
	if rest, ok := strings.CutPrefix(r.URL.Path, echoPrefix); ok {
		s.echoRest(w, r, rest)
		return
	}
	if clean := cleanPath(r.URL.Path); clean != r.URL.Path {
		u := url.URL{Path: clean, RawQuery: r.URL.RawQuery}
		w.Header().Set("Location", u.String())
		writeJSON(w, http.StatusTemporaryRedirect, map[string]string{"location": u.String()})
		return
	}
	h, pattern := s.mux.Handler(r)
	if pattern != "" {
		s.mux.ServeHTTP(w, r) // ServeHTTP, not h: it sets the path values ({id}, {code}, ...)
		return
	}
	rec := &headerRecorder{header: make(http.Header)}
	h.ServeHTTP(rec, r)
	if rec.status == http.StatusMethodNotAllowed {
		w.Header().Set("Allow", rec.header.Get("Allow"))
		writeError(w, http.StatusMethodNotAllowed, "method_not_allowed", r.Method+" is not allowed on "+r.URL.Path)
		return
	}
	writeError(w, http.StatusNotFound, "not_found", "no route for "+r.URL.Path)
}

// cleanPath is the ServeMux's notion of a canonical path: no ".", ".." or "//", trailing slash kept.
func cleanPath(p string) string {
	if p == "" || p[0] != '/' {
		p = "/" + p
	}
	clean := path.Clean(p)
	if p[len(p)-1] == '/' && clean != "/" {
		clean += "/"
	}
	return clean
}

// headerRecorder captures what the mux's fallback handlers (404, 405) would send.
type headerRecorder struct {
	header http.Header
	status int
}

func (h *headerRecorder) Header() http.Header { return h.header }
func (h *headerRecorder) Write(p []byte) (int, error) {
	if h.status == 0 {
		h.status = http.StatusOK
	}
	return len(p), nil
}
func (h *headerRecorder) WriteHeader(code int) {
	if h.status == 0 {
		h.status = code
	}
}

func (s *server) health(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}
