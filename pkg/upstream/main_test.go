package upstream

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/log"
	"go.uber.org/goleak"

	"github.com/relay-gateway/relay/pkg/settings"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// allowLoopback is the network setting tests use to reach httptest servers.
var allowLoopback = map[string]any{"allowedCIDRs": []string{"127.0.0.1/32"}}

// cfg is a test's data source configuration.
type cfg struct {
	url    string
	json   map[string]any
	secure map[string]string
}

func parseSettings(t testing.TB, c cfg) *settings.Settings {
	t.Helper()
	jd := c.json
	if jd == nil {
		jd = map[string]any{}
	}
	raw, err := json.Marshal(jd)
	if err != nil {
		t.Fatalf("%v", err)
	}
	s, err := settings.Parse(backend.DataSourceInstanceSettings{
		UID: "ds1", Name: "Test API", URL: c.url, JSONData: raw, DecryptedSecureJSONData: c.secure,
	})
	if err != nil {
		t.Fatalf("%v", err)
	}
	return s
}

func newTestClient(t testing.TB, c cfg, opts ...Options) *Client {
	t.Helper()
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	if o.Logger == nil {
		o.Logger = log.NewNullLogger()
	}
	cl, err := newDefault(parseSettings(t, c), o)
	if err != nil {
		t.Fatalf("%v", err)
	}
	t.Cleanup(cl.Close)
	return cl
}

// withNetwork returns jsonData with network settings merged in.
func withNetwork(jd map[string]any, network map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range jd {
		out[k] = v
	}
	out["network"] = network
	return out
}

// seen is what the echo upstream reports back about a request.
type seen struct {
	Method  string      `json:"method"`
	Path    string      `json:"path"`
	RawPath string      `json:"rawPath"`
	Query   string      `json:"query"`
	Header  http.Header `json:"header"`
	Host    string      `json:"host"`
}

func echoHandler(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(seen{Method: r.Method, Path: r.URL.Path, RawPath: r.URL.EscapedPath(),
		Query: r.URL.RawQuery, Header: r.Header, Host: r.Host})
}

func newServer(t testing.TB, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// get performs a GET through c and decodes the echo response.
func get(t testing.TB, c *Client, ctx context.Context, rel string) seen {
	t.Helper()
	req, err := c.NewRequest(ctx, http.MethodGet, rel, nil, nil)
	if err != nil {
		t.Fatalf("%v", err)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%v", err)
	}
	defer resp.Body.Close()
	if got, want := resp.StatusCode, http.StatusOK; got != want {
		t.Fatalf("resp.StatusCode = %v, want %v", got, want)
	}
	var s seen
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil {
		t.Fatalf("json.NewDecoder(resp.Body).Decode(&s): %v", err)
	}
	return s
}

// doErr performs a request expected to fail and returns the *Error.
func doErr(t testing.TB, c *Client, req *http.Request) *Error {
	t.Helper()
	resp, err := c.Do(req)
	if err == nil {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		t.Fatalf("expected an error, got %d %s", resp.StatusCode, b)
	}
	var e *Error
	if !(errors.As(err, &e)) {
		t.Fatalf("%s", fmt.Sprintf("error %T %v is not *Error", err, err)+": "+fmt.Sprintf("errors.As(err, &e) is false"))
	}
	return e
}

func mustReq(t testing.TB, method, rawURL string) *http.Request {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), method, rawURL, nil)
	if err != nil {
		t.Fatalf("%v", err)
	}
	return req
}

// captureLogger records every log line with its arguments.
type captureLogger struct {
	mu    *sync.Mutex
	lines *[]string
	with  []any
}

func newCaptureLogger() *captureLogger {
	return &captureLogger{mu: &sync.Mutex{}, lines: &[]string{}}
}

func (l *captureLogger) record(level, msg string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	*l.lines = append(*l.lines, fmt.Sprint(level, " ", msg, " ", fmt.Sprint(append(l.with, args...)...)))
}
func (l *captureLogger) Debug(msg string, args ...any) { l.record("debug", msg, args...) }
func (l *captureLogger) Info(msg string, args ...any)  { l.record("info", msg, args...) }
func (l *captureLogger) Warn(msg string, args ...any)  { l.record("warn", msg, args...) }
func (l *captureLogger) Error(msg string, args ...any) { l.record("error", msg, args...) }
func (l *captureLogger) With(args ...any) log.Logger {
	return &captureLogger{mu: l.mu, lines: l.lines, with: append(append([]any(nil), l.with...), args...)}
}
func (l *captureLogger) Level() log.Level                       { return log.Debug }
func (l *captureLogger) FromContext(context.Context) log.Logger { return l }
func (l *captureLogger) all() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(*l.lines, "\n")
}

// jsonEqual says whether two JSON texts hold the same value.
func jsonEqual(a, b string) bool {
	var x, y any
	return json.Unmarshal([]byte(a), &x) == nil && json.Unmarshal([]byte(b), &y) == nil && reflect.DeepEqual(x, y)
}

// newDefault builds the client of s's default upstream.
func newDefault(s *settings.Settings, opts Options) (*Client, error) {
	return New(s.DataSource(), &s.Upstream, opts)
}
