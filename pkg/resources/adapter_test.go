package resources

import (
	"bytes"
	"context"
	"errors"
	"io"
	stdlog "log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
)

// copyingSender keeps a copy of each message's body, as gRPC does by
// marshalling the message before Send returns.
type copyingSender struct {
	msgs []*backend.CallResourceResponse
	fail int // Send fails from this message on (1-based); 0: never
}

var errGone = errors.New("client gone")

func (s *copyingSender) Send(r *backend.CallResourceResponse) error {
	if s.fail > 0 && len(s.msgs)+1 >= s.fail {
		return errGone
	}
	c := *r
	if r.Body != nil {
		c.Body = append([]byte{}, r.Body...)
	}
	s.msgs = append(s.msgs, &c)
	return nil
}

// holdingSender keeps each message as given, Body aliasing the writer's
// buffer: what a sender that breaks the contract would see.
type holdingSender struct {
	msgs []*backend.CallResourceResponse
}

func (s *holdingSender) Send(r *backend.CallResourceResponse) error {
	s.msgs = append(s.msgs, r)
	return nil
}

func callAdapter(t *testing.T, h http.HandlerFunc, method string, s backend.CallResourceResponseSender) {
	t.Helper()
	err := adapter{handler: h}.CallResource(context.Background(), &backend.CallResourceRequest{
		Method: method, Path: "x", URL: "/x"}, s)
	if err != nil {
		t.Fatal(err)
	}
}

func TestResponseWriterMessages(t *testing.T) {
	type msg struct {
		status int
		ctype  string // of the first message
		body   string
	}
	cases := []struct {
		name    string
		method  string
		handler http.HandlerFunc
		want    []msg
	}{
		{"small answer is one message", "GET", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(201)
			_, _ = io.WriteString(w, `{"a":`)
			_, _ = io.WriteString(w, `1}`)
		}, []msg{{201, "application/json", `{"a":1}`}}},
		{"content type sniffed from the first write", "GET", func(w http.ResponseWriter, _ *http.Request) {
			_, _ = io.WriteString(w, "<html><body>hi</body></html>")
		}, []msg{{200, "text/html; charset=utf-8", "<html><body>hi</body></html>"}}},
		{"no sniffing after an explicit status", "GET", func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(200)
			_, _ = io.WriteString(w, "<html></html>")
		}, []msg{{200, "", "<html></html>"}}},
		{"empty body: status and headers only", "GET", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("X-A", "1")
		}, []msg{{200, "", ""}}},
		{"204 drops a body", "DELETE", func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(http.StatusNoContent)
			_, _ = io.WriteString(w, "ignored")
		}, []msg{{204, "", ""}}},
		{"HEAD: headers without the body", "HEAD", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Length", "5")
			_, _ = io.WriteString(w, "hello")
		}, []msg{{200, "text/plain; charset=utf-8", ""}}},
		{"streamed: one message per flush, nothing for an empty flush", "GET", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/octet-stream")
			for _, c := range []string{"one", "", "two", "three"} {
				_, _ = io.WriteString(w, c)
				w.(http.Flusher).Flush()
			}
		}, []msg{{200, "application/octet-stream", "one"}, {0, "", "two"}, {0, "", "three"}}},
		{"flush before any write sends the header message", "GET", func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(202)
			w.(http.Flusher).Flush()
			_, _ = io.WriteString(w, "late")
		}, []msg{{202, "", ""}, {0, "", "late"}}},
		{"informational status ignored", "GET", func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(http.StatusEarlyHints)
			w.WriteHeader(http.StatusTeapot)
			_, _ = io.WriteString(w, "{}")
		}, []msg{{418, "", "{}"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := &copyingSender{}
			callAdapter(t, c.handler, c.method, s)
			if len(s.msgs) != len(c.want) {
				t.Fatalf("%d messages, want %d: %+v", len(s.msgs), len(c.want), s.msgs)
			}
			for i, w := range c.want {
				m := s.msgs[i]
				if m.Status != w.status || string(m.Body) != w.body {
					t.Errorf("message %d: status %d body %q, want %d %q", i, m.Status, m.Body, w.status, w.body)
				}
				if i == 0 {
					if got := http.Header(m.Headers).Get("Content-Type"); got != w.ctype {
						t.Errorf("Content-Type %q, want %q", got, w.ctype)
					}
				} else if m.Headers != nil {
					t.Errorf("message %d carries headers %v", i, m.Headers)
				}
			}
		})
	}
}

// The first message's headers are a copy: a handler changing its header map
// after the first flush (as trailers would) does not change what was sent.
func TestResponseWriterClonesHeaders(t *testing.T) {
	s := &holdingSender{}
	callAdapter(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("X-A", "before")
		_, _ = io.WriteString(w, "a")
		w.(http.Flusher).Flush()
		w.Header().Set("X-A", "after")
		w.Header().Set("X-B", "new")
	}, "GET", s)
	h := http.Header(s.msgs[0].Headers)
	if h.Get("X-A") != "before" || h.Get("X-B") != "" {
		t.Fatalf("sent headers changed after the send: %v", h)
	}
}

// One body buffer serves every flush: each chunk's message body starts at
// the same array. A sender that copies (gRPC) gets every chunk intact; one
// that holds the slice sees later chunks over earlier ones, which is why a
// sender must be done with Body when Send returns.
func TestResponseWriterReusesBuffer(t *testing.T) {
	chunks := []string{"first-chunk", "second", "third-chunk!"}
	stream := func(w http.ResponseWriter, _ *http.Request) {
		for _, c := range chunks {
			_, _ = io.WriteString(w, c)
			w.(http.Flusher).Flush()
		}
	}

	copying := &copyingSender{}
	callAdapter(t, stream, "GET", copying)
	for i, c := range chunks {
		if string(copying.msgs[i].Body) != c {
			t.Errorf("copying sender, message %d: %q, want %q", i, copying.msgs[i].Body, c)
		}
	}

	holding := &holdingSender{}
	callAdapter(t, stream, "GET", holding)
	if len(holding.msgs) != len(chunks) {
		t.Fatalf("%d messages", len(holding.msgs))
	}
	first := holding.msgs[0].Body
	for i, m := range holding.msgs[1:] {
		if &m.Body[0] != &first[0] {
			t.Errorf("message %d has a new buffer: not reused", i+1)
		}
	}
	if got := string(first); got != chunks[2][:len(chunks[0])] {
		t.Errorf("held first body %q: expected it overwritten by the last chunk", got)
	}
}

// Streaming allocates nothing per chunk beyond the message itself once the
// buffer has its size.
func TestResponseWriterStreamAllocations(t *testing.T) {
	w := newResponseWriter(backend.CallResourceResponseSenderFunc(func(*backend.CallResourceResponse) error { return nil }), "GET")
	chunk := bytes.Repeat([]byte("x"), 32<<10)
	_, _ = w.Write(chunk)
	w.Flush()
	allocs := testing.AllocsPerRun(100, func() {
		_, _ = w.Write(chunk)
		w.Flush()
	})
	if allocs > 1 { // the *CallResourceResponse
		t.Fatalf("%.0f allocations per 32 KiB chunk, want ≤ 1", allocs)
	}
}

func TestResponseWriterWriteFailsAfterSendFailed(t *testing.T) {
	s := &copyingSender{fail: 2}
	var errs []error
	callAdapter(t, func(w http.ResponseWriter, _ *http.Request) {
		for i := 0; i < 4; i++ {
			_, err := io.WriteString(w, "chunk")
			errs = append(errs, err)
			w.(http.Flusher).Flush()
		}
	}, "GET", s)
	if len(s.msgs) != 1 || string(s.msgs[0].Body) != "chunk" {
		t.Fatalf("sent %+v, want the first chunk only", s.msgs)
	}
	if errs[0] != nil || errs[1] != nil { // the second write is buffered; its flush fails
		t.Fatalf("writes before the failed send: %v", errs)
	}
	for _, err := range errs[2:] {
		if !errors.Is(err, errGone) {
			t.Fatalf("write after a failed send returned %v, want the send's error", err)
		}
	}
}

// Behind a ReverseProxy (FlushInterval -1, as the gateway's), a failed send
// stops the copy of an endless upstream body: the proxy returns and the
// upstream sees its client go.
func TestResponseWriterStopsReverseProxy(t *testing.T) {
	var written atomic.Int64
	upstreamDone := make(chan struct{})
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		defer close(upstreamDone)
		chunk := bytes.Repeat([]byte("y"), 16<<10)
		deadline := time.Now().Add(20 * time.Second) // bound: the test fails long before
		for time.Now().Before(deadline) {
			n, err := w.Write(chunk)
			written.Add(int64(n))
			if err != nil {
				return
			}
			w.(http.Flusher).Flush()
		}
	}))
	defer up.Close()
	u, _ := url.Parse(up.URL)
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.FlushInterval = -1
	rp.ErrorLog = stdlog.New(io.Discard, "", 0)

	s := &copyingSender{fail: 4}
	done := make(chan struct{})
	go func() {
		defer close(done)
		callAdapter(t, rp.ServeHTTP, "GET", s)
	}()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		t.Fatal("the reverse proxy kept copying after the send failed")
	}
	select {
	case <-upstreamDone:
	case <-time.After(15 * time.Second):
		t.Fatal("the upstream kept writing after the proxy stopped")
	}
	if len(s.msgs) != 3 {
		t.Fatalf("%d messages sent, want 3", len(s.msgs))
	}
	// The proxy stopped reading: the upstream wrote what the socket buffers hold, not 20 s of body.
	if n := written.Load(); n > 64<<20 {
		t.Fatalf("upstream wrote %d bytes after the client went", n)
	}
}

// The request is converted as the SDK's httpadapter converts it.
func TestAdapterRequest(t *testing.T) {
	var got *http.Request
	var body []byte
	pc := backend.PluginContext{OrgID: 3, User: &backend.User{Login: "ann"}}
	err := adapter{handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r
		if r.Body != nil {
			body, _ = io.ReadAll(r.Body)
		}
	})}.CallResource(context.Background(), &backend.CallResourceRequest{
		PluginContext: pc, Method: "POST", Path: "a/b", URL: "/a/b?x=1&y=%2F",
		Headers: map[string][]string{"X-Test": {"v"}}, Body: []byte("payload"),
	}, &copyingSender{})
	if err != nil {
		t.Fatal(err)
	}
	if got.Method != "POST" || got.URL.Path != "/a/b" || got.URL.RawQuery != "x=1&y=%2F" || got.Header.Get("X-Test") != "v" || string(body) != "payload" {
		t.Fatalf("request %s %s %v body %q", got.Method, got.URL, got.Header, body)
	}
	if backend.PluginConfigFromContext(got.Context()).OrgID != 3 || backend.UserFromContext(got.Context()).Login != "ann" {
		t.Fatal("plugin context or user missing from the request's context")
	}

	// No body: a nil Body, as handlers expect (middleware.go).
	_ = adapter{handler: http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { got = r })}.CallResource(
		context.Background(), &backend.CallResourceRequest{Method: "GET", Path: "p", URL: "p"}, &copyingSender{})
	if got.Body != nil || got.URL.Path != "/p" {
		t.Fatalf("body %v path %q", got.Body, got.URL.Path)
	}
	if err := (adapter{handler: http.NotFoundHandler()}).CallResource(context.Background(),
		&backend.CallResourceRequest{Method: "GET", Path: "p", URL: "%zz"}, &copyingSender{}); err == nil || !strings.Contains(err.Error(), "invalid") {
		t.Fatalf("bad URL: %v", err)
	}
}
