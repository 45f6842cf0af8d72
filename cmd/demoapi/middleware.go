package main

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"
)

// middleware counts the hit (for /api/counter), turns panics into a JSON 500 without internals, and logs one line
// per request. The log line has method, path, status, size and duration only: never the query string or headers,
// which carry api_key, Authorization and cookies.
func (s *server) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		if r.URL.Path != counterPath {
			s.hits.inc(r.URL.Path)
		}
		sw := &statusWriter{ResponseWriter: w}
		defer func() { s.logRequest(r, sw, time.Since(start)) }()
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if err, ok := v.(error); ok && errors.Is(err, http.ErrAbortHandler) {
				panic(v) // net/http's way to abort a response; let it do its job
			}
			s.log.Error("handler panic", "method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(v))
			if sw.status == 0 && !sw.hijacked {
				writeError(sw, http.StatusInternalServerError, "internal", "internal server error")
			}
		}()
		next.ServeHTTP(sw, r)
	})
}

func (s *server) logRequest(r *http.Request, sw *statusWriter, d time.Duration) {
	status := any(sw.status)
	switch {
	case sw.hijacked:
		status = "hijacked"
	case sw.status == 0:
		status = http.StatusOK // nothing written: net/http sends an empty 200
	}
	s.log.Info("request", "method", r.Method, "path", r.URL.Path, "status", status, "bytes", sw.bytes,
		"duration", d.Round(time.Microsecond))
}

// statusWriter records the status and body size for the log. Handlers reach Flush and Hijack through
// http.ResponseController, which finds them via Unwrap; Hijack is implemented here so the log knows.
type statusWriter struct {
	http.ResponseWriter
	status   int
	bytes    int64
	hijacked bool
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 && code >= 200 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(p)
	w.bytes += int64(n)
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *statusWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, rw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err == nil {
		w.hijacked = true
	}
	return conn, rw, err
}

// maxCountedPaths bounds the hit counter: /api/echo/{rest...} accepts any path, so a client could otherwise grow
// the map without limit. Paths beyond the bound are counted under otherPaths.
const (
	maxCountedPaths = 10000
	otherPaths      = "(other)"
)

// hitCounter counts requests per URL path so tests can tell how many calls reached the upstream (cache hits,
// token reuse, retries).
type hitCounter struct {
	mu     sync.Mutex
	max    int
	counts map[string]int64
}

func newHitCounter(limit int) *hitCounter {
	return &hitCounter{max: limit, counts: make(map[string]int64)}
}

func (h *hitCounter) inc(path string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.counts[path]; !ok && len(h.counts) >= h.max {
		path = otherPaths
	}
	h.counts[path]++
}

func (h *hitCounter) get(path string) int64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.counts[path]
}

func (h *hitCounter) snapshot() map[string]int64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make(map[string]int64, len(h.counts))
	for k, v := range h.counts {
		out[k] = v
	}
	return out
}

func (h *hitCounter) reset() {
	h.mu.Lock()
	defer h.mu.Unlock()
	clear(h.counts)
}
