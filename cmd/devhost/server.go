package main

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/relay-gateway/relay/cmd/internal/localserve"
)

type server struct {
	cfg         config
	logger      hclog.Logger
	plugins     *supervisor
	datasources *dataSources
	users       *users
	sessions    *sessions
	// playground is the page at / (nil unless -frontend and -playground are given).
	playground *playground
	// appURL is GF_APP_URL in the plugin context: where this "Grafana" is reached.
	appURL string
	// idSigner signs the callers' ID tokens (nil unless -id-forwarding).
	idSigner *idSigner
	mux      *http.ServeMux
}

func newServer(cfg config, logger hclog.Logger, plugins *supervisor, ds *dataSources, us *users, pg *playground, appURL string) *server {
	s := &server{
		cfg: cfg, logger: logger, plugins: plugins, datasources: ds, users: us, sessions: newSessions(),
		playground: pg, appURL: appURL,
	}
	mux := http.NewServeMux()
	if cfg.idForwarding {
		signer, err := newIDSigner(appURL)
		if err != nil {
			logger.Error("id forwarding off", "error", err)
		} else {
			s.idSigner = signer
			mux.HandleFunc("GET /api/signing-keys/keys", signer.serveKeys) // public, as in Grafana
		}
	}
	// Public, as in Grafana: liveness needs no account. The plugin info is dev-host-only and holds no secret; the
	// black-box harness reads the PID from it without knowing any password.
	mux.HandleFunc("GET /api/health", s.serveLiveness)
	mux.HandleFunc("GET /api/devhost/plugin", s.servePluginInfo)

	mux.HandleFunc("GET /api/datasources", s.requireUser(s.serveDataSourceList))
	mux.HandleFunc("GET /api/datasources/{id}", s.requireUser(s.serveDataSourceByID))
	mux.HandleFunc("GET /api/datasources/uid/{uid}", s.requireUser(s.serveDataSourceByUID))
	mux.HandleFunc("PUT /api/datasources/uid/{uid}", s.requireUser(s.serveDataSourceUpdate))
	mux.HandleFunc("GET /api/datasources/uid/{uid}/health", s.requireUser(s.serveHealthCheck))
	mux.HandleFunc("GET /api/plugins/{id}/metrics", s.requireUser(s.servePluginMetrics))
	mux.HandleFunc("POST /api/ds/query", s.requireUser(s.serveQuery))
	mux.HandleFunc("POST /login", s.serveLogin)
	mux.HandleFunc("GET /logout", s.serveLogout)
	s.routePlayground(mux)
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		writeJSONError(w, http.StatusNotFound, "Not found")
	})
	s.mux = mux
	return s
}

// plugin is the running plugin process (a new one after a restart).
func (s *server) plugin() *pluginProcess { return s.plugins.plugin() }

// ServeHTTP routes resource calls itself and everything else through the ServeMux. Resource paths must not go
// through ServeMux: it cleans paths ("..", "//") and redirects, while Grafana's router matches the escaped path
// as sent and hands the plugin whatever it contains. The plugin has to defend against exactly that.
func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	setDefaultResponseHeaders(w.Header())
	if uidEscaped, wildcardEscaped, ok := matchResourceRoute(r.URL.EscapedPath()); ok {
		s.requireUser(func(w http.ResponseWriter, r *http.Request, u *user) {
			s.serveResource(w, r, u, uidEscaped, wildcardEscaped)
		})(w, r)
		return
	}
	s.mux.ServeHTTP(w, r)
}

// listen binds addr, refusing non-loopback addresses unless allowRemote: the dev host hands out data source
// secrets through the plugin and has toy accounts. An empty host (":0") means loopback here, not all interfaces.
func listen(addr string, allowRemote bool) (net.Listener, error) {
	a, err := localserve.LoopbackAddr(addr, allowRemote)
	if err != nil {
		return nil, err
	}
	return net.Listen("tcp", a)
}

// serve runs the HTTP server until ctx ends, then drains in-flight requests briefly before cutting streams off.
func serve(ctx context.Context, h http.Handler, l net.Listener, logger hclog.Logger) error {
	httpServer := &http.Server{
		Handler:           accessLog(h, logger),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		// No write timeout: resource responses stream for as long as the plugin sends.
		ErrorLog: logger.StandardLogger(&hclog.StandardLoggerOptions{InferLevels: true}),
	}
	return localserve.Serve(ctx, httpServer, l, func() { logger.Info("shutting down") })
}

// setDefaultResponseHeaders are the headers Grafana's middleware puts on every API response.
func setDefaultResponseHeaders(h http.Header) {
	h.Set("Cache-Control", "no-store")
	h.Set("X-Frame-Options", "deny")
	h.Set("X-Content-Type-Options", "nosniff")
}

// writeJSON writes v as a JSON response with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		body = []byte(`{"message":"Internal Server Error"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}

// writeJSONError writes Grafana's API error shape, {"message": "..."}.
func writeJSONError(w http.ResponseWriter, status int, message string) {
	writeJSON(w, status, map[string]string{"message": message})
}

// accessLog logs one debug line per request; the status recorder keeps Flush reachable for streaming.
func accessLog(next http.Handler, logger hclog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		logger.Debug("request", "method", r.Method, "path", r.URL.EscapedPath(), "status", rec.status,
			"bytes", rec.bytes, "duration", time.Since(start))
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status      int
	bytes       int64
	wroteHeader bool
}

func (r *statusRecorder) WriteHeader(code int) {
	if !r.wroteHeader {
		r.status, r.wroteHeader = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(p []byte) (int, error) {
	r.wroteHeader = true
	n, err := r.ResponseWriter.Write(p)
	r.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection's Flush.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
