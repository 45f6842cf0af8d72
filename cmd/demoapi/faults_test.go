package main

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestSlow(t *testing.T) {
	ts, _ := newTestAPI(t)
	var got struct {
		SleptMS int64 `json:"slept_ms"`
	}
	get(t, ts, "/slow?delay=20ms", http.StatusOK, &got)
	if got.SleptMS != 20 {
		t.Errorf("slept %d ms", got.SleptMS)
	}
	get(t, ts, "/slow?delay=5", http.StatusOK, &got) // bare milliseconds
	if got.SleptMS != 5 {
		t.Errorf("slept %d ms", got.SleptMS)
	}
	for _, q := range []string{"delay=-1s", "delay=abc", "delay=6m"} {
		resp, body := get(t, ts, "/slow?"+q, 0, nil)
		checkAPIError(t, resp, body, http.StatusBadRequest)
	}
}

// TestSlowHonoursCancellation: a client giving up frees the handler, so closing the server (which waits for
// handlers) finishes long before the 1-minute delay.
func TestSlowHonoursCancellation(t *testing.T) {
	s := newServer(defaultConfig(), discardLogger())
	ts := httptest.NewServer(s)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, ts.URL+"/slow?delay=1m", nil)
	if resp, err := ts.Client().Do(req); err == nil {
		resp.Body.Close()
		t.Fatal("a 1-minute delay answered within 50ms")
	}
	closed := make(chan struct{})
	go func() { ts.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(20 * time.Second):
		t.Fatal("the /slow handler kept running after its client left")
	}
}

func TestSlowBody(t *testing.T) {
	ts, _ := newTestAPI(t)
	resp, body := get(t, ts, "/slow-body?chunks=3&interval=1ms", http.StatusOK, nil)
	if string(body) != `[{"chunk":0},{"chunk":1},{"chunk":2}]`+"\n" || resp.Header.Get("Content-Type") != contentTypeJSON {
		t.Errorf("body %q", body)
	}
	// Headers and the opening bracket arrive before the first interval ends.
	req := newRequest(t, http.MethodGet, ts.URL+"/slow-body?chunks=2&interval=1m", nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	resp, err := ts.Client().Do(req.WithContext(ctx))
	if err != nil {
		t.Fatal(err)
	}
	first := make([]byte, 1)
	if _, err := io.ReadFull(resp.Body, first); err != nil || first[0] != '[' {
		t.Errorf("first byte %q, %v", first, err)
	}
	cancel()
	resp.Body.Close()
	for _, q := range []string{"chunks=-1", "chunks=10001", "interval=2m"} {
		resp, body := get(t, ts, "/slow-body?"+q, 0, nil)
		checkAPIError(t, resp, body, http.StatusBadRequest)
	}
}

func TestStatusReflectsHTMLEscaped(t *testing.T) {
	ts, _ := newTestAPI(t)
	req := newRequest(t, http.MethodGet, ts.URL+"/status/400?reflect=html", nil)
	req.Header.Set("Authorization", `Bearer a<b&"c`)
	resp, body := send(t, ts.Client(), req)
	checkStatus(t, resp, body, 400)
	if !strings.Contains(string(body), "you sent Authorization: Bearer a&lt;b&amp;&#34;c</p>") ||
		!strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Errorf("%s %s", resp.Header.Get("Content-Type"), body)
	}
}

func TestStatus(t *testing.T) {
	ts, _ := newTestAPI(t)
	for _, code := range []int{200, 201, 202, 204, 299, 304, 400, 401, 403, 404, 418, 429, 500, 502, 503, 504, 599} {
		for _, method := range []string{http.MethodGet, http.MethodPost} {
			resp, body := send(t, ts.Client(), newRequest(t, method, ts.URL+"/status/"+strconv.Itoa(code), nil))
			checkStatus(t, resp, body, code)
			// net/http strips Content-Type from 304s (RFC 9110 section 15.4.5).
			if ct := resp.Header.Get("Content-Type"); (ct != contentTypeJSON) != (code == 304) {
				t.Errorf("%d: Content-Type %q", code, ct)
			}
			switch {
			case code == 204 || code == 304:
				if len(body) != 0 {
					t.Errorf("%d with body %q", code, body)
				}
			case code >= 400:
				if e := checkAPIError(t, resp, body, code); e.Code != "status_"+strconv.Itoa(code) {
					t.Errorf("%d: code %q", code, e.Code)
				}
			default:
				var b struct{ Status int }
				decode(t, body, &b)
				if b.Status != code {
					t.Errorf("%d: body %s", code, body)
				}
			}
			if (code == 401) != (resp.Header.Get("WWW-Authenticate") != "") {
				t.Errorf("%d: WWW-Authenticate %q", code, resp.Header.Get("WWW-Authenticate"))
			}
			if (code == 429 || code == 503) != (resp.Header.Get("Retry-After") == "1") {
				t.Errorf("%d: Retry-After %q", code, resp.Header.Get("Retry-After"))
			}
		}
	}
	if resp, _ := get(t, ts, "/status/503?retry_after=7", http.StatusServiceUnavailable, nil); resp.Header.Get("Retry-After") != "7" {
		t.Errorf("Retry-After %q", resp.Header.Get("Retry-After"))
	}
	for _, bad := range []string{"100", "199", "600", "abc", "-1"} {
		resp, body := get(t, ts, "/status/"+bad, 0, nil)
		checkAPIError(t, resp, body, http.StatusBadRequest)
	}
}

// freshClient uses its own connection so a reset cannot be mistaken for a stale keep-alive connection.
func freshClient() *http.Client {
	return &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 30 * time.Second}
}

func TestResetBeforeResponse(t *testing.T) {
	ts, _ := newTestAPI(t)
	c := freshClient()
	resp, err := c.Get(ts.URL + "/reset")
	if err == nil {
		resp.Body.Close()
		t.Fatalf("got a response (%d) from /reset", resp.StatusCode)
	}
	// The server is fine afterwards.
	get(t, ts, "/health", http.StatusOK, nil)
}

func TestResetMidBody(t *testing.T) {
	ts, _ := newTestAPI(t)
	resp, err := freshClient().Get(ts.URL + "/reset-mid-body")
	if err != nil {
		t.Fatalf("headers should arrive before the reset: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.ContentLength != 1<<20 {
		t.Fatalf("status %d, Content-Length %d", resp.StatusCode, resp.ContentLength)
	}
	body, err := io.ReadAll(resp.Body)
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("read error %v, want unexpected EOF", err)
	}
	if !strings.HasPrefix(string(body), `{"items":[`) || len(body) >= 1<<20 {
		t.Errorf("partial body %q", body)
	}
}

func TestRedirectTo(t *testing.T) {
	ts, _ := newTestAPI(t)
	c := noRedirect(ts)
	for _, tt := range []struct {
		query, location string
		code            int
	}{
		{"to=http://169.254.169.254/latest/meta-data/", "http://169.254.169.254/latest/meta-data/", 302},
		{"to=http%3A%2F%2F127.0.0.1%3A1%2Fx%3Fa%3Db&code=307", "http://127.0.0.1:1/x?a=b", 307},
		{"to=/health&code=301", "/health", 301},
		{"to=file:///etc/passwd&code=308", "file:///etc/passwd", 308},
	} {
		resp, body := send(t, c, newRequest(t, http.MethodGet, ts.URL+"/redirect?"+tt.query, nil))
		checkStatus(t, resp, body, tt.code)
		if loc := resp.Header.Get("Location"); loc != tt.location || resp.Header.Get("Content-Type") != contentTypeJSON {
			t.Errorf("%s: Location %q, want %q", tt.query, loc, tt.location)
		}
	}
	for _, q := range []string{"", "to=", "to=/x&code=200", "to=/x&code=304"} {
		resp, body := send(t, c, newRequest(t, http.MethodGet, ts.URL+"/redirect?"+q, nil))
		checkAPIError(t, resp, body, http.StatusBadRequest)
	}
}

func TestRedirectKeepQuery(t *testing.T) {
	ts, _ := newTestAPI(t)
	resp, body := send(t, noRedirect(ts), newRequest(t, http.MethodGet, ts.URL+"/redirect/keep-query?to=%2Fhealth&api_key=k1", nil))
	checkStatus(t, resp, body, http.StatusTemporaryRedirect)
	if loc := resp.Header.Get("Location"); loc != "/redirect?to=%2Fhealth&api_key=k1" {
		t.Errorf("Location %q", loc)
	}
}

func TestRedirectChain(t *testing.T) {
	ts, _ := newTestAPI(t)
	for _, tt := range []struct {
		path string
		hops int
	}{{"/redirect/3", 3}, {"/redirect/1", 1}, {"/redirect/0", 0}, {"/redirect/5?absolute=1", 5}} {
		var via []string
		c := *ts.Client()
		c.CheckRedirect = func(req *http.Request, _ []*http.Request) error {
			via = append(via, req.URL.Path)
			if len(via) > 10 {
				return errors.New("too many redirects")
			}
			return nil
		}
		resp, body := send(t, &c, newRequest(t, http.MethodGet, ts.URL+tt.path, nil))
		checkStatus(t, resp, body, http.StatusOK)
		wantEnd := "/health"
		if tt.hops == 0 {
			wantEnd = tt.path
		}
		if len(via) != tt.hops || resp.Request.URL.Path != wantEnd || strings.TrimSpace(string(body)) != `{"status":"ok"}` {
			t.Errorf("%s: hops %v, ended at %s with %s", tt.path, via, resp.Request.URL, body)
		}
	}
	resp, body := send(t, noRedirect(ts), newRequest(t, http.MethodGet, ts.URL+"/redirect/2?absolute=1", nil))
	checkStatus(t, resp, body, http.StatusFound)
	if loc := resp.Header.Get("Location"); loc != ts.URL+"/redirect/1?absolute=1" {
		t.Errorf("absolute Location %q", loc)
	}
	resp, body = send(t, noRedirect(ts), newRequest(t, http.MethodGet, ts.URL+"/redirect/2", nil))
	if loc := resp.Header.Get("Location"); loc != "/redirect/1" {
		t.Errorf("relative Location %q", loc)
	}
	for _, bad := range []string{"-1", "101", "x"} {
		resp, body = send(t, ts.Client(), newRequest(t, http.MethodGet, ts.URL+"/redirect/"+bad, nil))
		checkAPIError(t, resp, body, http.StatusBadRequest)
	}
}

func TestSetCookie(t *testing.T) {
	ts, _ := newTestAPI(t)
	resp, _ := get(t, ts, "/set-cookie", http.StatusOK, nil)
	var names []string
	for _, c := range resp.Cookies() {
		names = append(names, c.Name)
	}
	if strings.Join(names, ",") != "demo_session,demo_pref" || len(resp.Header.Values("Set-Cookie")) != 2 {
		t.Errorf("cookies %v", resp.Header.Values("Set-Cookie"))
	}
}
