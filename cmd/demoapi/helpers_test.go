package main

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// newTestAPI starts the demo API on a loopback httptest server. opts run before it serves (e.g. to install a clock).
func newTestAPI(t *testing.T, opts ...func(*server)) (*httptest.Server, *server) {
	t.Helper()
	s := newServer(defaultConfig(), discardLogger())
	for _, o := range opts {
		o(s)
	}
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return ts, s
}

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// send performs req with client and returns the response with its body read and closed.
func send(t *testing.T, client *http.Client, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading body: %v", req.Method, req.URL, err)
	}
	return resp, body
}

func newRequest(t *testing.T, method, url string, body io.Reader) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// get fetches url, checks the status (unless wantStatus is 0) and, if into is not nil, decodes the JSON body into it.
func get(t *testing.T, ts *httptest.Server, url string, wantStatus int, into any) (*http.Response, []byte) {
	t.Helper()
	if strings.HasPrefix(url, "/") {
		url = ts.URL + url
	}
	resp, body := send(t, ts.Client(), newRequest(t, http.MethodGet, url, nil))
	if wantStatus != 0 {
		checkStatus(t, resp, body, wantStatus)
	}
	if into != nil {
		decode(t, body, into)
	}
	return resp, body
}

func checkStatus(t *testing.T, resp *http.Response, body []byte, want int) {
	t.Helper()
	if resp.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d; body %s", resp.Request.Method, resp.Request.URL, resp.StatusCode, want, body)
	}
}

func decode(t *testing.T, body []byte, into any) {
	t.Helper()
	if err := json.Unmarshal(body, into); err != nil {
		t.Fatalf("decoding %q: %v", truncate(body), err)
	}
}

// checkAPIError asserts Relay's JSON error shape with the given status.
func checkAPIError(t *testing.T, resp *http.Response, body []byte, status int) apiError {
	t.Helper()
	checkStatus(t, resp, body, status)
	if ct := resp.Header.Get("Content-Type"); ct != contentTypeJSON {
		t.Errorf("error Content-Type %q", ct)
	}
	var e apiError
	decode(t, body, &e)
	if e.Status != status || e.Error == "" || e.Code == "" {
		t.Errorf("error body %s: want status %d and non-empty error and code", body, status)
	}
	return e
}

func truncate(b []byte) string {
	if len(b) > 300 {
		return string(b[:300]) + "..."
	}
	return string(b)
}

// fakeClock is a settable clock shared safely between the test and the handlers.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// noRedirect is a client that returns redirects instead of following them.
func noRedirect(ts *httptest.Server) *http.Client {
	c := *ts.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}

// rawClient does not ask for or undo gzip, so tests see Content-Encoding as sent.
func rawClient() *http.Client {
	return &http.Client{Transport: &http.Transport{DisableCompression: true}, Timeout: 30 * time.Second}
}
