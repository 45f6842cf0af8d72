package upstream

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"
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
		if time.Since(start) >= 3*time.Second {
			t.Errorf("time.Since(start) = %v, want < %v", time.Since(start), 3*time.Second)
		}
		if got, want := e.Kind, KindTimeout; !reflect.DeepEqual(got, want) {
			t.Errorf("e.Kind = %v, want %v", got, want)
		}
		if got, want := e.Setting, "jsonData.timeouts.responseHeader"; got != want {
			t.Errorf("e.Setting = %v, want %v", got, want)
		}
		if got, want := e.Kind.HTTPStatus(), http.StatusGatewayTimeout; got != want {
			t.Errorf("e.Kind.HTTPStatus() = %v, want %v", got, want)
		}
	})
	t.Run("whole request timeout before headers", func(t *testing.T) {
		c := newTestClient(t, cfg{url: slowServer(t, 5*time.Second, 0), json: timeoutsJSON(map[string]any{"request": "150ms"})})
		req, _ := c.NewRequest(context.Background(), http.MethodGet, "/", nil, nil)
		e := doErr(t, c, req)
		if got, want := e.Kind, KindTimeout; !reflect.DeepEqual(got, want) {
			t.Errorf("e.Kind = %v, want %v", got, want)
		}
		if got, want := e.Setting, "jsonData.timeouts.request"; got != want {
			t.Errorf("e.Setting = %v, want %v", got, want)
		}
		if !(errors.Is(e, context.DeadlineExceeded)) {
			t.Errorf("errors.Is(e, context.DeadlineExceeded) is false")
		}
	})
	t.Run("whole request timeout while reading the body", func(t *testing.T) {
		c := newTestClient(t, cfg{url: slowServer(t, 0, 5*time.Second), json: timeoutsJSON(map[string]any{"request": "200ms"})})
		req, _ := c.NewRequest(context.Background(), http.MethodGet, "/", nil, nil)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatalf("%v", err)
		}
		defer resp.Body.Close()
		_, err = io.ReadAll(resp.Body)
		if err == nil {
			t.Fatalf("err is nil, want an error")
		}
		e := Classify(err)
		if got, want := e.Kind, KindTimeout; !reflect.DeepEqual(got, want) {
			t.Errorf("e.Kind = %v, want %v", got, want)
		}
		if got, want := e.Setting, "jsonData.timeouts.request"; got != want {
			t.Errorf("e.Setting = %v, want %v", got, want)
		}
	})
	t.Run("shorter caller deadline wins", func(t *testing.T) {
		c := newTestClient(t, cfg{url: slowServer(t, 5*time.Second, 0), json: timeoutsJSON(nil)})
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		req, _ := c.NewRequest(ctx, http.MethodGet, "/", nil, nil)
		e := doErr(t, c, req)
		if got, want := e.Kind, KindTimeout; !reflect.DeepEqual(got, want) {
			t.Errorf("e.Kind = %v, want %v", got, want)
		}
		if !strings.Contains(e.Error(), "caller's deadline") {
			t.Errorf("%q does not contain %q", e.Error(), "caller's deadline")
		}
	})
	t.Run("WithRequestTimeout extends the default", func(t *testing.T) {
		c := newTestClient(t, cfg{url: slowServer(t, 300*time.Millisecond, 0), json: timeoutsJSON(map[string]any{"request": "100ms"})})
		req, _ := c.NewRequest(WithRequestTimeout(context.Background(), 5*time.Second), http.MethodGet, "/", nil, nil)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatalf("%v", err)
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatalf("%v", err)
		}
		if !jsonEqual(string(b), `{"partial":true}`) {
			t.Errorf("JSON %s, want %s", string(b), `{"partial":true}`)
		}
	})
	t.Run("caller cancel", func(t *testing.T) {
		c := newTestClient(t, cfg{url: slowServer(t, 5*time.Second, 0), json: timeoutsJSON(nil)})
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(50*time.Millisecond, cancel)
		req, _ := c.NewRequest(ctx, http.MethodGet, "/", nil, nil)
		e := doErr(t, c, req)
		if got, want := e.Kind, KindCanceled; !reflect.DeepEqual(got, want) {
			t.Errorf("e.Kind = %v, want %v", got, want)
		}
	})
}

func TestUnreachable(t *testing.T) {
	t.Run("connection refused", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatalf("%v", err)
		}
		addr := ln.Addr().String()
		ln.Close()
		c := newTestClient(t, cfg{url: "http://" + addr, json: map[string]any{"network": allowLoopback}})
		req, _ := c.NewRequest(context.Background(), http.MethodGet, "/", nil, nil)
		e := doErr(t, c, req)
		if got, want := e.Kind, KindUnreachable; !reflect.DeepEqual(got, want) {
			t.Errorf("e.Kind = %v, want %v", got, want)
		}
		if !strings.Contains(e.Error(), "refused the connection") {
			t.Errorf("%q does not contain %q", e.Error(), "refused the connection")
		}
		if got, want := e.Kind.HTTPStatus(), http.StatusBadGateway; got != want {
			t.Errorf("e.Kind.HTTPStatus() = %v, want %v", got, want)
		}
	})
	t.Run("connection reset", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatalf("%v", err)
		}
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
		if got, want := e.Kind, KindUnreachable; !reflect.DeepEqual(got, want) {
			t.Errorf("%s", e.Error()+": "+fmt.Sprintf("e.Kind = %v, want %v", got, want))
		}
	})
	t.Run("unknown host", func(t *testing.T) {
		c := newTestClient(t, cfg{url: "http://nxdomain.invalid"}, Options{Resolver: &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return nil, errors.New("no DNS in tests")
		}}})
		req, _ := c.NewRequest(context.Background(), http.MethodGet, "/", nil, nil)
		e := doErr(t, c, req)
		if got, want := e.Kind, KindUnreachable; !reflect.DeepEqual(got, want) {
			t.Errorf("%s", e.Error()+": "+fmt.Sprintf("e.Kind = %v, want %v", got, want))
		}
	})
}

func TestClassify(t *testing.T) {
	if Classify(nil) != nil {
		t.Errorf("Classify(nil) is not nil: %v", Classify(nil))
	}
	if got, want := Classify(context.DeadlineExceeded).Kind, KindTimeout; !reflect.DeepEqual(got, want) {
		t.Errorf("Classify(context.DeadlineExceeded).Kind = %v, want %v", got, want)
	}
	if got, want := Classify(context.Canceled).Kind, KindCanceled; !reflect.DeepEqual(got, want) {
		t.Errorf("Classify(context.Canceled).Kind = %v, want %v", got, want)
	}
	if got, want := Classify(io.ErrUnexpectedEOF).Kind, KindUnreachable; !reflect.DeepEqual(got, want) {
		t.Errorf("Classify(io.ErrUnexpectedEOF).Kind = %v, want %v", got, want)
	}
	if got, want := Classify(errors.New("boom")).Kind, KindUnknown; !reflect.DeepEqual(got, want) {
		t.Errorf("Classify(errors.New(\"boom\")).Kind = %v, want %v", got, want)
	}
	if got, want := Classify(&net.OpError{Op: "dial", Net: "tcp", Err: errors.New("no route")}).Kind, KindUnreachable; !reflect.DeepEqual(got, want) {
		t.Errorf("Classify(&net.OpError{Op: \"dial\", Net: \"tcp\", Err: errors.New(\"no route\")}).Kind = %v, want %v", got, want)
	}
	e := newError(KindBlocked, "x", nil, "m")
	if e != Classify(e) {
		t.Errorf("Classify(e) is not the same pointer")
	}
	if e != Classify(&net.OpError{Op: "dial", Err: e}) {
		t.Errorf("%s", "unwraps to our error"+": "+fmt.Sprintf("Classify(&net.OpError{Op: \"dial\", Err: e}) is not the same pointer"))
	}
	for k := KindUnknown; k <= KindTooLarge; k++ {
		if len(k.String()) == 0 {
			t.Errorf("k.String() is empty")
		}
		if len(k.Code()) == 0 {
			t.Errorf("k.Code() is empty")
		}
		if reflect.ValueOf(k.HTTPStatus()).IsZero() {
			t.Errorf("k.HTTPStatus() is zero")
		}
	}
	if got, want := KindBlocked.Code(), "upstream_blocked"; got != want {
		t.Errorf("KindBlocked.Code() = %v, want %v", got, want)
	}
	if got, want := KindBlocked.HTTPStatus(), http.StatusBadGateway; got != want {
		t.Errorf("KindBlocked.HTTPStatus() = %v, want %v", got, want)
	}
}

func TestCloseStopsNewRequests(t *testing.T) {
	srv := newServer(t, http.HandlerFunc(echoHandler))
	c := newTestClient(t, cfg{url: srv.URL, json: map[string]any{"network": allowLoopback}})
	get(t, c, context.Background(), "/")
	c.Close()
	c.Close() // idempotent
	req, _ := c.NewRequest(context.Background(), http.MethodGet, "/", nil, nil)
	_, err := c.Do(req)
	if err == nil {
		t.Fatalf("err is nil, want an error")
	}
	if !strings.Contains(err.Error(), "closed") {
		t.Errorf("%q does not contain %q", err.Error(), "closed")
	}
}
