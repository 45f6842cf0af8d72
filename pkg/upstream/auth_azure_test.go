package upstream

import (
	"context"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
)

// fakeEntra is a Microsoft Entra ID authority on TLS: the tenant's OpenID
// configuration and its v2.0 token endpoint for client credentials. The API
// below /api wants the issued token.
func fakeEntra(t *testing.T, secret string, issued *atomic.Int32) *httptest.Server {
	var srv *httptest.Server
	srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		base := srv.URL + "/tenant-1"
		switch {
		case strings.HasSuffix(r.URL.Path, "/.well-known/openid-configuration"):
			_, _ = w.Write([]byte(`{"token_endpoint":"` + base + `/oauth2/v2.0/token","authorization_endpoint":"` + base +
				`/oauth2/v2.0/authorize","issuer":"` + base + `/v2.0"}`))
		case r.URL.Path == "/tenant-1/oauth2/v2.0/token":
			_ = r.ParseForm()
			if r.PostForm.Get("client_secret") != secret || r.PostForm.Get("client_id") != "app-1" ||
				!strings.HasPrefix(r.PostForm.Get("scope"), "api://relay/.default") || r.PostForm.Get("grant_type") != "client_credentials" {
				w.WriteHeader(http.StatusUnauthorized)
				_, _ = w.Write([]byte(`{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided."}`))
				return
			}
			issued.Add(1)
			_, _ = w.Write([]byte(`{"token_type":"Bearer","expires_in":3600,"access_token":"entra-token-7788"}`))
		case strings.HasPrefix(r.URL.Path, "/api/"):
			if r.Header.Get("Authorization") != "Bearer entra-token-7788" {
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			echoHandler(w, r)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestAzureClientSecretAgainstAFakeAuthority(t *testing.T) {
	var issued atomic.Int32
	srv := fakeEntra(t, "azure-secret-1234", &issued)
	caPEM := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}))
	build := func(secret string) *Client {
		return newTestClient(t, cfg{url: srv.URL + "/api", json: map[string]any{"network": allowLoopback, "auth": map[string]any{"type": "azure",
			"azure": map[string]any{"mode": "clientSecret", "tenantId": "tenant-1", "clientId": "app-1", "scopes": []string{"api://relay/.default"},
				"authorityHost": srv.URL}}},
			secure: map[string]string{"azureClientSecret": secret, "tlsCACert": caPEM}})
	}
	c := build("azure-secret-1234")
	for range 3 {
		s := get(t, c, context.Background(), "/things")
		if got, want := s.Path, "/api/things"; got != want {
			t.Fatalf("s.Path = %v, want %v", got, want)
		}
	}
	if got, want := fmt.Sprint(issued.Load()), fmt.Sprint(1); got != want {
		t.Fatalf("%s", "azidentity caches the token"+": "+fmt.Sprintf("issued.Load() = %v, want %v", got, want))
	}

	bad := build("wrong-secret-5678")
	req, err := bad.NewRequest(context.Background(), http.MethodGet, "/things", nil, nil)
	if err != nil {
		t.Fatalf("%v", err)
	}
	e := doErr(t, bad, req)
	if got, want := e.Kind, KindAuth; !reflect.DeepEqual(got, want) {
		t.Fatalf("e.Kind = %v, want %v", got, want)
	}
	if !strings.Contains(e.Error(), "AADSTS7000215") {
		t.Fatalf("%q does not contain %q", e.Error(), "AADSTS7000215")
	}
	if strings.Contains(e.Error(), "wrong-secret-5678") {
		t.Fatalf("%q contains %q", e.Error(), "wrong-secret-5678")
	}
}

func TestAzureAuthorityMustBeAllowed(t *testing.T) {
	_, err := newDefault(parseSettings(t, cfg{url: "https://api.example", json: map[string]any{"auth": map[string]any{"type": "azure",
		"azure": map[string]any{"mode": "clientSecret", "tenantId": "t", "clientId": "c", "scopes": []string{"s"}}}},
		secure: map[string]string{"azureClientSecret": "x"}}), Options{})
	if err := err; err == nil || !strings.Contains(err.Error(), "login.microsoftonline.com must be listed in allowedHosts") {
		t.Fatalf("error %v, want one containing %q", err, "login.microsoftonline.com must be listed in allowedHosts")
	}
	_, err = newDefault(parseSettings(t, cfg{url: "https://api.example", json: map[string]any{"auth": map[string]any{"type": "azure",
		"azure": map[string]any{"mode": "managedIdentity", "scopes": []string{"s"}}}}}), Options{})
	if err := err; err == nil || !strings.Contains(err.Error(), "managed identity is not enabled in Grafana") {
		t.Fatalf("error %v, want one containing %q", err, "managed identity is not enabled in Grafana")
	}
}
