package blackbox

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// recorder is a fake upstream on loopback that answers JSON naming itself
// and keeps every request's header values, so tests can say which
// credentials reached which origin.
type recorder struct {
	name string
	srv  *httptest.Server
	mu   sync.Mutex
	seen []seenRequest
	// handle, when set, answers instead of the default echo.
	handle func(w http.ResponseWriter, r *http.Request) bool
}

type seenRequest struct {
	Method, Path string
	Header       http.Header
}

func newRecorder(t *testing.T, name string) *recorder {
	t.Helper()
	rec := &recorder{name: name}
	rec.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec.mu.Lock()
		rec.seen = append(rec.seen, seenRequest{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone()})
		rec.mu.Unlock()
		if rec.handle != nil && rec.handle(w, r) {
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"upstream": name, "path": r.URL.Path, "items": []any{map[string]any{"id": 1, "from": name}}})
	}))
	t.Cleanup(rec.srv.Close)
	return rec
}

func (r *recorder) URL() string { return r.srv.URL }

func (r *recorder) requests() []seenRequest {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]seenRequest(nil), r.seen...)
}

// sawAny reports whether any request carried one of values anywhere in its
// headers (raw, or as the base64 of a Basic credential).
func (r *recorder) sawAny(values ...string) string {
	for _, req := range r.requests() {
		for _, vs := range req.Header {
			for _, v := range vs {
				for _, want := range values {
					if strings.Contains(v, want) {
						return req.Method + " " + req.Path + " carried " + want
					}
				}
			}
		}
	}
	return ""
}

func (r *recorder) paths() []string {
	var out []string
	for _, req := range r.requests() {
		out = append(out, req.Method+" "+req.Path)
	}
	return out
}
