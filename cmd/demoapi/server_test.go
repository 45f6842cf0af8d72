package main

import (
	"bytes"
	"encoding/base64"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestUnknownRoutesAreJSON(t *testing.T) {
	ts, _ := newTestAPI(t)
	resp, body := get(t, ts, "/nope", http.StatusNotFound, nil)
	checkAPIError(t, resp, body, http.StatusNotFound)

	resp, body = send(t, ts.Client(), newRequest(t, http.MethodPost, ts.URL+"/health", nil))
	checkAPIError(t, resp, body, http.StatusMethodNotAllowed)
	if allow := resp.Header.Get("Allow"); allow != "GET, HEAD" {
		t.Errorf("Allow %q", allow)
	}
	// The mux's clean-path redirect keeps its status and Location, with a JSON body.
	resp, body = send(t, noRedirect(ts), newRequest(t, http.MethodGet, ts.URL+"/api/../health", nil))
	checkStatus(t, resp, body, http.StatusTemporaryRedirect)
	if resp.Header.Get("Location") != "/health" || resp.Header.Get("Content-Type") != contentTypeJSON {
		t.Errorf("clean-path redirect: %v", resp.Header)
	}
	resp, body = send(t, noRedirect(ts), newRequest(t, http.MethodGet, ts.URL+"//api/items/./1?x=%20", nil))
	checkStatus(t, resp, body, http.StatusTemporaryRedirect)
	if resp.Header.Get("Location") != "/api/items/1?x=%20" {
		t.Errorf("clean-path redirect to %q", resp.Header.Get("Location"))
	}
}

// TestEveryResponseHasContentType sweeps the endpoints (except the connection resets, which send no response).
func TestEveryResponseHasContentType(t *testing.T) {
	ts, _ := newTestAPI(t)
	for _, path := range []string{
		"/health", "/api/series", "/api/metrics", "/api/items", "/api/items/1", "/api/items/999", "/api/export.csv",
		"/api/events.ndjson", "/api/items.json.gz", "/headers", "/auth/basic/data", "/auth/bearer/data",
		"/auth/apikey/data", "/auth/oauth/data", "/oauth/stats", "/api/cacheable", "/api/nostore", "/api/private",
		"/api/counter", "/slow?delay=1ms", "/slow-body?chunks=1&interval=1ms", "/large?size=10", "/status/204",
		"/status/500", "/redirect?to=/x", "/redirect/1", "/set-cookie", "/nope", "/api/series?step=0", "/a/../health",
	} {
		resp, _ := send(t, noRedirect(ts), newRequest(t, http.MethodGet, ts.URL+path, nil))
		if resp.Header.Get("Content-Type") == "" {
			t.Errorf("%s: no Content-Type", path)
		}
	}
}

func TestPanicBecomesJSON500(t *testing.T) {
	var logs bytes.Buffer
	s := newServer(defaultConfig(), slog.New(slog.NewTextHandler(&logs, nil)))
	h := s.middleware(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("secret internals") }))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/boom", nil))
	if rec.Code != http.StatusInternalServerError || strings.Contains(rec.Body.String(), "secret") ||
		rec.Header().Get("Content-Type") != contentTypeJSON {
		t.Errorf("panic answered %d %q", rec.Code, rec.Body)
	}
	if !strings.Contains(logs.String(), "handler panic") || !strings.Contains(logs.String(), "status=500") {
		t.Errorf("log %q", logs.String())
	}
}

// syncBuffer lets the server's log writes and the test's read not race.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestRequestLogOmitsCredentials(t *testing.T) {
	var logs syncBuffer
	ts := httptest.NewServer(newServer(defaultConfig(), slog.New(slog.NewTextHandler(&logs, nil))))
	c := ts.Client()
	get(t, ts, "/auth/apikey/data?api_key=demo-key", http.StatusOK, nil)
	req := newRequest(t, http.MethodGet, ts.URL+"/auth/basic/data", nil)
	req.SetBasicAuth("demo", "demo-pass")
	send(t, c, req)
	req = newRequest(t, http.MethodGet, ts.URL+"/auth/bearer/data", nil)
	req.Header.Set("Authorization", "Bearer demo-token")
	req.Header.Set("Cookie", "session=cookie-secret")
	send(t, c, req)
	tok := fetchToken(t, ts, map[string][]string{"grant_type": {"client_credentials"}}, "demo-client", "demo-secret")
	if resp, err := freshClient().Get(ts.URL + "/reset"); err == nil { // hijacked: logged as such
		resp.Body.Close()
	}
	ts.Close() // waits for the handlers, hence for their log lines, except the hijacked one's
	// httptest stops tracking a connection once hijacked, so /reset's handler may still be logging.
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(logs.String(), "status=hijacked") && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}

	out := logs.String()
	for _, want := range []string{
		"method=GET path=/auth/apikey/data status=200", "path=/auth/basic/data status=200", "path=/oauth/token status=200",
		"path=/reset status=hijacked", "duration=",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
	for _, secret := range []string{"demo-key", "api_key", "demo-pass", "demo-token", "cookie-secret", "demo-secret",
		base64.StdEncoding.EncodeToString([]byte("demo:demo-pass")), tok.AccessToken} {
		if strings.Contains(out, secret) {
			t.Errorf("log contains %q:\n%s", secret, out)
		}
	}
}
