package main

import (
	"maps"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

type cacheBody struct {
	Version int   `json:"version"`
	Calls   int64 `json:"calls"`
}

func conditionalGet(t *testing.T, ts *httptest.Server, header, value string) (*http.Response, []byte) {
	t.Helper()
	req := newRequest(t, http.MethodGet, ts.URL+"/api/cacheable", nil)
	if header != "" {
		req.Header.Set(header, value)
	}
	return send(t, ts.Client(), req)
}

func counterOf(t *testing.T, ts *httptest.Server, path string) int64 {
	t.Helper()
	var c struct {
		Path  string
		Count int64
	}
	get(t, ts, "/api/counter?path="+path, http.StatusOK, &c)
	return c.Count
}

func TestCacheableETag(t *testing.T) {
	ts, _ := newTestAPI(t)
	resp, body := conditionalGet(t, ts, "", "")
	checkStatus(t, resp, body, http.StatusOK)
	var b cacheBody
	decode(t, body, &b)
	etag := resp.Header.Get("ETag")
	if b.Calls != 1 || b.Version != 1 || etag != `W/"cacheable-v1"` || resp.Header.Get("Cache-Control") != "max-age=60" ||
		resp.Header.Get("Last-Modified") != "Mon, 01 Jan 2024 00:00:00 GMT" {
		t.Fatalf("first response %v %s", resp.Header, body)
	}

	for _, inm := range []string{etag, `"cacheable-v1"`, `"other", W/"cacheable-v1"`, "*"} {
		resp, body = conditionalGet(t, ts, "If-None-Match", inm)
		checkStatus(t, resp, body, http.StatusNotModified)
		if len(body) != 0 || resp.Header.Get("ETag") != etag || resp.Header.Get("Cache-Control") != "max-age=60" {
			t.Errorf("If-None-Match %s: 304 with body %q, headers %v", inm, body, resp.Header)
		}
	}
	resp, body = conditionalGet(t, ts, "If-None-Match", `"cacheable-v0"`)
	checkStatus(t, resp, body, http.StatusOK)
	decode(t, body, &b)
	if b.Calls != 6 { // the 304s reached the upstream too
		t.Errorf("calls %d, want 6", b.Calls)
	}

	resp, body = conditionalGet(t, ts, "If-Modified-Since", "Tue, 02 Jan 2024 00:00:00 GMT")
	checkStatus(t, resp, body, http.StatusNotModified)
	resp, body = conditionalGet(t, ts, "If-Modified-Since", "Sun, 31 Dec 2023 00:00:00 GMT")
	checkStatus(t, resp, body, http.StatusOK)

	// A new version invalidates the old validator.
	resp, body = send(t, ts.Client(), newRequest(t, http.MethodPost, ts.URL+"/api/cacheable", nil))
	checkStatus(t, resp, body, http.StatusOK)
	resp, body = conditionalGet(t, ts, "If-None-Match", etag)
	checkStatus(t, resp, body, http.StatusOK)
	decode(t, body, &b)
	if b.Version != 2 || resp.Header.Get("ETag") != `W/"cacheable-v2"` {
		t.Errorf("after bump: %s, ETag %s", body, resp.Header.Get("ETag"))
	}
	if n := counterOf(t, ts, "/api/cacheable"); n != 10 {
		t.Errorf("counter %d, want 10", n)
	}
}

func TestCacheableDelay(t *testing.T) {
	ts, _ := newTestAPI(t)
	start := time.Now()
	resp, body := send(t, ts.Client(), newRequest(t, http.MethodGet, ts.URL+"/api/cacheable?delay=40ms", nil))
	checkStatus(t, resp, body, http.StatusOK)
	if took := time.Since(start); took < 40*time.Millisecond {
		t.Errorf("answered after %s, want at least the 40ms delay", took)
	}
	resp, body = send(t, ts.Client(), newRequest(t, http.MethodGet, ts.URL+"/api/cacheable?delay=soon", nil))
	checkStatus(t, resp, body, http.StatusBadRequest)
}

func TestCacheControlVariants(t *testing.T) {
	ts, _ := newTestAPI(t)
	for _, tt := range []struct{ path, cc string }{
		{"/api/nostore", "no-store"},
		{"/api/private", "private, max-age=60"},
	} {
		for want := int64(1); want <= 2; want++ {
			var b cacheBody
			resp, _ := get(t, ts, tt.path, http.StatusOK, &b)
			if resp.Header.Get("Cache-Control") != tt.cc || b.Calls != want {
				t.Errorf("%s: Cache-Control %q, calls %d (want %d)", tt.path, resp.Header.Get("Cache-Control"), b.Calls, want)
			}
		}
	}
}

func TestCounter(t *testing.T) {
	ts, _ := newTestAPI(t)
	for range 3 {
		get(t, ts, "/health", http.StatusOK, nil)
	}
	get(t, ts, "/api/items/1", http.StatusOK, nil)
	get(t, ts, "/nowhere", http.StatusNotFound, nil)
	if n := counterOf(t, ts, "/health"); n != 3 {
		t.Errorf("/health counted %d", n)
	}
	var all struct{ Counts map[string]int64 }
	get(t, ts, "/api/counter", http.StatusOK, &all)
	want := map[string]int64{"/health": 3, "/api/items/1": 1, "/nowhere": 1} // /api/counter itself is not counted
	if !maps.Equal(all.Counts, want) {
		t.Errorf("counts %v, want %v", all.Counts, want)
	}
	resp, body := send(t, ts.Client(), newRequest(t, http.MethodDelete, ts.URL+"/api/counter", nil))
	checkStatus(t, resp, body, http.StatusOK)
	if n := counterOf(t, ts, "/health"); n != 0 {
		t.Errorf("after reset /health counted %d", n)
	}
}

func TestHitCounterIsBounded(t *testing.T) {
	h := newHitCounter(3)
	for _, p := range []string{"/a", "/b", "/c", "/d", "/e", "/a"} {
		h.inc(p)
	}
	want := map[string]int64{"/a": 2, "/b": 1, "/c": 1, otherPaths: 2}
	if got := h.snapshot(); !maps.Equal(got, want) {
		t.Errorf("snapshot %v, want %v", got, want)
	}
}
