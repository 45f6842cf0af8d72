package upstream

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
)

func testRSAKey(t *testing.T) string {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatalf("%v", err)
	}
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
		if got, want := s.Header.Get("X-Auth"), "Token tok-123456789"; got != want {
			t.Fatalf("s.Header.Get(\"X-Auth\") = %v, want %v", got, want)
		}
		if len(s.Header.Get("Authorization")) != 0 {
			t.Fatalf("s.Header.Get(\"Authorization\") is not empty: %v", s.Header.Get("Authorization"))
		}
	}
	if got, want := fmt.Sprint(fetches.Load()), fmt.Sprint(1); got != want {
		t.Fatalf("fetches.Load() = %v, want %v", got, want)
	}
	if got, want := tokenAuth.Load(), ""; got != want {
		t.Fatalf("tokenAuth.Load() = %v, want %v", got, want)
	}
}
