package upstream

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// An upstream that revokes or rotates a client-credentials token before its
// expiry answers 401; Relay must not keep sending that token until it expires.
func TestOAuth2TokenRefusedByUpstream(t *testing.T) {
	tokens := &tokenServer{expiresIn: 3600}
	var accepted atomic.Value // the one Authorization value the API takes
	accepted.Store("Bearer at-1")
	var calls atomic.Int32
	mux := http.NewServeMux()
	mux.Handle("POST /oauth/token", tokens)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if r.Header.Get("Authorization") != accepted.Load().(string) {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"error":"invalid_token"}`))
			return
		}
		echoHandler(w, r)
	})
	srv := newServer(t, mux)
	c := newTestClient(t, cfg{url: srv.URL,
		json:   map[string]any{"network": allowLoopback, "auth": map[string]any{"type": "oauth2", "oauth2": map[string]any{"tokenUrl": srv.URL + "/oauth/token", "clientId": "relay"}}},
		secure: map[string]string{"oauth2ClientSecret": "client-secret-1"}})
	clock := time.Now()
	var clockMu sync.Mutex
	c.auth.(*oauth2Auth).now = func() time.Time { clockMu.Lock(); defer clockMu.Unlock(); return clock }
	advance := func(d time.Duration) { clockMu.Lock(); clock = clock.Add(d); clockMu.Unlock() }
	call := func(method string) (int, string) {
		t.Helper()
		var body io.Reader
		if method == http.MethodPost {
			body = strings.NewReader(`{}`)
		}
		req, err := c.NewRequest(context.Background(), method, "/data", nil, body)
		if err != nil {
			t.Fatalf("%v", err)
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatalf("%v", err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}

	status, _ := call(http.MethodGet)
	if got, want := status, http.StatusOK; got != want {
		t.Fatalf("status = %v, want %v", got, want)
	}
	if got, want := fmt.Sprint(tokens.fetches.Load()), fmt.Sprint(1); got != want {
		t.Fatalf("tokens.fetches.Load() = %v, want %v", got, want)
	}

	t.Run("a GET with a revoked token gets a new token and is retried once", func(t *testing.T) {
		accepted.Store("Bearer at-2")
		before := calls.Load()
		var wg sync.WaitGroup
		for range 10 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				status, body := call(http.MethodGet)
				if got, want := status, http.StatusOK; got != want {
					t.Errorf("%s", body+": "+fmt.Sprintf("status = %v, want %v", got, want))
				}
				if !strings.Contains(body, "Bearer at-2") {
					t.Errorf("%q does not contain %q", body, "Bearer at-2")
				}
			}()
		}
		wg.Wait()
		if got, want := fmt.Sprint(tokens.fetches.Load()), fmt.Sprint(2); got != want {
			t.Errorf("%s", "concurrent refusals of one token cause one fetch"+": "+fmt.Sprintf("tokens.fetches.Load() = %v, want %v", got, want))
		}
		if calls.Load()-before > int32(20) {
			t.Errorf("%s", "at most one retry per request"+": "+fmt.Sprintf("calls.Load()-before = %v, want <= %v", calls.Load()-before, int32(20)))
		}
	})

	t.Run("a POST gets the 401, and the next request a new token", func(t *testing.T) {
		advance(minDropInterval)
		accepted.Store("Bearer at-3")
		status, _ := call(http.MethodPost)
		if got, want := status, http.StatusUnauthorized; got != want {
			t.Errorf("%s", "a request with a body is not sent twice"+": "+fmt.Sprintf("status = %v, want %v", got, want))
		}
		if got, want := fmt.Sprint(tokens.fetches.Load()), fmt.Sprint(2); got != want {
			t.Errorf("%s", "the new token is fetched when next needed"+": "+fmt.Sprintf("tokens.fetches.Load() = %v, want %v", got, want))
		}
		status, body := call(http.MethodGet)
		if got, want := status, http.StatusOK; got != want {
			t.Errorf("status = %v, want %v", got, want)
		}
		if !strings.Contains(body, "Bearer at-3") {
			t.Errorf("%q does not contain %q", body, "Bearer at-3")
		}
		if got, want := fmt.Sprint(tokens.fetches.Load()), fmt.Sprint(3); got != want {
			t.Errorf("tokens.fetches.Load() = %v, want %v", got, want)
		}
	})

	t.Run("an upstream refusing every token costs at most one fetch per interval", func(t *testing.T) {
		advance(minDropInterval)
		accepted.Store("no token will do")
		for range 5 {
			status, _ := call(http.MethodGet)
			if got, want := status, http.StatusUnauthorized; got != want {
				t.Errorf("status = %v, want %v", got, want)
			}
		}
		if got, want := fmt.Sprint(tokens.fetches.Load()), fmt.Sprint(4); got != want {
			t.Errorf("%s", "one drop, then none within the interval"+": "+fmt.Sprintf("tokens.fetches.Load() = %v, want %v", got, want))
		}
		advance(minDropInterval)
		status, _ := call(http.MethodGet)
		if got, want := status, http.StatusUnauthorized; got != want {
			t.Errorf("status = %v, want %v", got, want)
		}
		if got, want := fmt.Sprint(tokens.fetches.Load()), fmt.Sprint(5); got != want {
			t.Errorf("tokens.fetches.Load() = %v, want %v", got, want)
		}
	})
}

func TestStaticCredentialsAreNotRetriedOn401(t *testing.T) {
	var calls atomic.Int32
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		calls.Add(1)
		w.WriteHeader(http.StatusUnauthorized)
	}))
	c := newTestClient(t, cfg{url: srv.URL, json: map[string]any{"network": allowLoopback, "auth": map[string]any{"type": "bearer"}},
		secure: map[string]string{"bearerToken": "static"}})
	req, err := c.NewRequest(context.Background(), http.MethodGet, "/", nil, nil)
	if err != nil {
		t.Fatalf("%v", err)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%v", err)
	}
	resp.Body.Close()
	if got, want := resp.StatusCode, http.StatusUnauthorized; got != want {
		t.Errorf("resp.StatusCode = %v, want %v", got, want)
	}
	if got, want := fmt.Sprint(calls.Load()), fmt.Sprint(1); got != want {
		t.Errorf("calls.Load() = %v, want %v", got, want)
	}
}
