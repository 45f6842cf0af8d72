package upstream

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"
)

func testRSAKey(t *testing.T) string {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	der, _ := x509.MarshalPKCS8PrivateKey(k)
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

func TestJWTGrantWithCustomTokenHeader(t *testing.T) {
	var fetches atomic.Int32
	var tokenAuth atomic.Value
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/token" {
			fetches.Add(1)
			_ = r.ParseForm()
			tokenAuth.Store(r.Header.Get("X-Auth") + r.Header.Get("Authorization"))
			if r.PostForm.Get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer" || r.PostForm.Get("assertion") == "" {
				http.Error(w, `{"error":"invalid_grant"}`, http.StatusBadRequest)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"access_token":"tok-123456789","token_type":"Bearer","expires_in":3600}`))
			return
		}
		echoHandler(w, r)
	}))
	c := newTestClient(t, cfg{url: srv.URL, json: map[string]any{"network": allowLoopback, "auth": map[string]any{"type": "jwt",
		"jwt": map[string]any{"tokenUrl": srv.URL + "/token", "email": "iss@example", "tokenHeader": "X-Auth", "tokenFormat": "Token {{token}}"}}},
		secure: map[string]string{"jwtPrivateKey": testRSAKey(t)}})
	for range 3 {
		s := get(t, c, context.Background(), "/x")
		require.Equal(t, "Token tok-123456789", s.Header.Get("X-Auth"))
		require.Empty(t, s.Header.Get("Authorization"))
	}
	require.EqualValues(t, 1, fetches.Load())
	require.Equal(t, "", tokenAuth.Load())
}
