package upstream

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
		require.NoError(t, err)
		resp, err := c.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}

	status, _ := call(http.MethodGet)
	require.Equal(t, http.StatusOK, status)
	require.EqualValues(t, 1, tokens.fetches.Load())

	t.Run("a GET with a revoked token gets a new token and is retried once", func(t *testing.T) {
		accepted.Store("Bearer at-2")
		before := calls.Load()
		var wg sync.WaitGroup
		for range 10 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				status, body := call(http.MethodGet)
				assert.Equal(t, http.StatusOK, status, body)
				assert.Contains(t, body, "Bearer at-2")
			}()
		}
		wg.Wait()
		assert.EqualValues(t, 2, tokens.fetches.Load(), "concurrent refusals of one token cause one fetch")
		assert.LessOrEqual(t, calls.Load()-before, int32(20), "at most one retry per request")
	})

	t.Run("a POST gets the 401, and the next request a new token", func(t *testing.T) {
		advance(minDropInterval)
		accepted.Store("Bearer at-3")
		status, _ := call(http.MethodPost)
		assert.Equal(t, http.StatusUnauthorized, status, "a request with a body is not sent twice")
		assert.EqualValues(t, 2, tokens.fetches.Load(), "the new token is fetched when next needed")
		status, body := call(http.MethodGet)
		assert.Equal(t, http.StatusOK, status)
		assert.Contains(t, body, "Bearer at-3")
		assert.EqualValues(t, 3, tokens.fetches.Load())
	})

	t.Run("an upstream refusing every token costs at most one fetch per interval", func(t *testing.T) {
		advance(minDropInterval)
		accepted.Store("no token will do")
		for range 5 {
			status, _ := call(http.MethodGet)
			assert.Equal(t, http.StatusUnauthorized, status)
		}
		assert.EqualValues(t, 4, tokens.fetches.Load(), "one drop, then none within the interval")
		advance(minDropInterval)
		status, _ := call(http.MethodGet)
		assert.Equal(t, http.StatusUnauthorized, status)
		assert.EqualValues(t, 5, tokens.fetches.Load())
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
	require.NoError(t, err)
	resp, err := c.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	assert.EqualValues(t, 1, calls.Load())
}
