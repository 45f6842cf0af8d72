package upstream

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// slowServer waits `before` before sending headers, then sends part of a
// body and waits `during`; every wait ends early when the client gives up.
func slowServer(t *testing.T, before, during time.Duration) string {
	t.Helper()
	release := make(chan struct{})
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		wait := func(d time.Duration) bool {
			select {
			case <-time.After(d):
				return true
			case <-r.Context().Done():
			case <-release:
			}
			return false
		}
		if !wait(before) {
			return
		}
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(`{"partial":`))
		w.(http.Flusher).Flush()
		if !wait(during) {
			return
		}
		_, _ = w.Write([]byte(`true}`))
	}))
	t.Cleanup(func() { close(release) }) // runs before srv.Close (LIFO)
	return srv.URL
}

func timeoutsJSON(to map[string]any) map[string]any {
	return map[string]any{"network": allowLoopback, "timeouts": to}
}

func TestTimeouts(t *testing.T) {
	t.Run("response header timeout", func(t *testing.T) {
		c := newTestClient(t, cfg{url: slowServer(t, 5*time.Second, 0), json: timeoutsJSON(map[string]any{"responseHeader": "100ms"})})
		req, _ := c.NewRequest(context.Background(), http.MethodGet, "/", nil, nil)
		start := time.Now()
		e := doErr(t, c, req)
		assert.Less(t, time.Since(start), 3*time.Second)
		assert.Equal(t, KindTimeout, e.Kind)
		assert.Equal(t, "jsonData.timeouts.responseHeader", e.Setting)
		assert.Equal(t, http.StatusGatewayTimeout, e.Kind.HTTPStatus())
	})
	t.Run("whole request timeout before headers", func(t *testing.T) {
		c := newTestClient(t, cfg{url: slowServer(t, 5*time.Second, 0), json: timeoutsJSON(map[string]any{"request": "150ms"})})
		req, _ := c.NewRequest(context.Background(), http.MethodGet, "/", nil, nil)
		e := doErr(t, c, req)
		assert.Equal(t, KindTimeout, e.Kind)
		assert.Equal(t, "jsonData.timeouts.request", e.Setting)
		assert.True(t, errors.Is(e, context.DeadlineExceeded))
	})
	t.Run("whole request timeout while reading the body", func(t *testing.T) {
		c := newTestClient(t, cfg{url: slowServer(t, 0, 5*time.Second), json: timeoutsJSON(map[string]any{"request": "200ms"})})
		req, _ := c.NewRequest(context.Background(), http.MethodGet, "/", nil, nil)
		resp, err := c.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		_, err = io.ReadAll(resp.Body)
		require.Error(t, err)
		e := Classify(err)
		assert.Equal(t, KindTimeout, e.Kind)
		assert.Equal(t, "jsonData.timeouts.request", e.Setting)
	})
	t.Run("shorter caller deadline wins", func(t *testing.T) {
		c := newTestClient(t, cfg{url: slowServer(t, 5*time.Second, 0), json: timeoutsJSON(nil)})
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		req, _ := c.NewRequest(ctx, http.MethodGet, "/", nil, nil)
		e := doErr(t, c, req)
		assert.Equal(t, KindTimeout, e.Kind)
		assert.Contains(t, e.Error(), "caller's deadline")
	})
	t.Run("WithRequestTimeout extends the default", func(t *testing.T) {
		c := newTestClient(t, cfg{url: slowServer(t, 300*time.Millisecond, 0), json: timeoutsJSON(map[string]any{"request": "100ms"})})
		req, _ := c.NewRequest(WithRequestTimeout(context.Background(), 5*time.Second), http.MethodGet, "/", nil, nil)
		resp, err := c.Do(req)
		require.NoError(t, err)
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.NoError(t, err)
		assert.JSONEq(t, `{"partial":true}`, string(b))
	})
	t.Run("caller cancel", func(t *testing.T) {
		c := newTestClient(t, cfg{url: slowServer(t, 5*time.Second, 0), json: timeoutsJSON(nil)})
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(50*time.Millisecond, cancel)
		req, _ := c.NewRequest(ctx, http.MethodGet, "/", nil, nil)
		e := doErr(t, c, req)
		assert.Equal(t, KindCanceled, e.Kind)
	})
}

func TestUnreachable(t *testing.T) {
	t.Run("connection refused", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		addr := ln.Addr().String()
		ln.Close()
		c := newTestClient(t, cfg{url: "http://" + addr, json: map[string]any{"network": allowLoopback}})
		req, _ := c.NewRequest(context.Background(), http.MethodGet, "/", nil, nil)
		e := doErr(t, c, req)
		assert.Equal(t, KindUnreachable, e.Kind)
		assert.Contains(t, e.Error(), "refused the connection")
		assert.Equal(t, http.StatusBadGateway, e.Kind.HTTPStatus())
	})
	t.Run("connection reset", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		done := make(chan struct{})
		go func() {
			defer close(done)
			for {
				conn, err := ln.Accept()
				if err != nil {
					return
				}
				// Read the request, then abort with RST (linger 0).
				_, _ = http.ReadRequest(bufio.NewReader(conn))
				_ = conn.(*net.TCPConn).SetLinger(0)
				conn.Close()
			}
		}()
		t.Cleanup(func() { ln.Close(); <-done })
		c := newTestClient(t, cfg{url: "http://" + ln.Addr().String(), json: map[string]any{"network": allowLoopback}})
		req, _ := c.NewRequest(context.Background(), http.MethodGet, "/", nil, nil)
		e := doErr(t, c, req)
		assert.Equal(t, KindUnreachable, e.Kind, e.Error())
	})
	t.Run("unknown host", func(t *testing.T) {
		c := newTestClient(t, cfg{url: "http://nxdomain.invalid"}, Options{Resolver: &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return nil, errors.New("no DNS in tests")
		}}})
		req, _ := c.NewRequest(context.Background(), http.MethodGet, "/", nil, nil)
		e := doErr(t, c, req)
		assert.Equal(t, KindUnreachable, e.Kind, e.Error())
	})
}

func TestClassify(t *testing.T) {
	assert.Nil(t, Classify(nil))
	assert.Equal(t, KindTimeout, Classify(context.DeadlineExceeded).Kind)
	assert.Equal(t, KindCanceled, Classify(context.Canceled).Kind)
	assert.Equal(t, KindUnreachable, Classify(io.ErrUnexpectedEOF).Kind)
	assert.Equal(t, KindUnknown, Classify(errors.New("boom")).Kind)
	assert.Equal(t, KindUnreachable, Classify(&net.OpError{Op: "dial", Net: "tcp", Err: errors.New("no route")}).Kind)
	e := newError(KindBlocked, "x", nil, "m")
	assert.Same(t, e, Classify(e))
	assert.Same(t, e, Classify(&net.OpError{Op: "dial", Err: e}), "unwraps to our error")
	for k := KindUnknown; k <= KindTooLarge; k++ {
		assert.NotEmpty(t, k.String())
		assert.NotEmpty(t, k.Code())
		assert.NotZero(t, k.HTTPStatus())
	}
	assert.Equal(t, "upstream_blocked", KindBlocked.Code())
	assert.Equal(t, http.StatusBadGateway, KindBlocked.HTTPStatus())
}

func TestCloseStopsNewRequests(t *testing.T) {
	srv := newServer(t, http.HandlerFunc(echoHandler))
	c := newTestClient(t, cfg{url: srv.URL, json: map[string]any{"network": allowLoopback}})
	get(t, c, context.Background(), "/")
	c.Close()
	c.Close() // idempotent
	req, _ := c.NewRequest(context.Background(), http.MethodGet, "/", nil, nil)
	_, err := c.Do(req)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "closed")
}
