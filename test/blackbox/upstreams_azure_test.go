package blackbox

import (
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/relay-gateway/relay/test/blackbox/harness"
)

const (
	azureSecretCanary = "canary-azure-secret-3c1d"
	azureTokenCanary  = "canary-entra-token-9e02"
)

// TestUpstreamAzureClientSecretAgainstAFakeAuthority runs Entra ID client
// credentials through the dev host: the authority (tenant OpenID
// configuration and v2.0 token endpoint) and the API are one TLS server the
// upstream trusts through its own tlsCACert.
func TestUpstreamAzureClientSecretAgainstAFakeAuthority(t *testing.T) {
	var issued atomic.Int32
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
			if r.PostForm.Get("client_secret") != azureSecretCanary || r.PostForm.Get("client_id") != "app-1" {
				w.WriteHeader(http.StatusUnauthorized)
				_, _ = w.Write([]byte(`{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided."}`))
				return
			}
			issued.Add(1)
			_, _ = w.Write([]byte(`{"token_type":"Bearer","expires_in":3600,"access_token":"` + azureTokenCanary + `"}`))
		case r.Header.Get("Authorization") == "Bearer "+azureTokenCanary:
			_, _ = w.Write([]byte(`{"from":"azure api","path":"` + r.URL.Path + `"}`))
		default:
			w.WriteHeader(http.StatusUnauthorized)
		}
	}))
	t.Cleanup(srv.Close)
	caPEM := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}))
	prov := `apiVersion: 1
datasources:
  - name: Azure
    type: relay-gateway-datasource
    uid: ` + uid + `
    url: https://api.example.com
    jsonData:
      upstreams:
        - name: graph
          url: ` + srv.URL + `/api
          auth: { type: azure, azure: { mode: clientSecret, tenantId: tenant-1, clientId: app-1, scopes: ["api://relay/.default"], authorityHost: "` + srv.URL + `" } }
          healthPath: /me
          network: { allowPrivateNetworks: true }
    secureJsonData:
      upstreams.graph.azureClientSecret: ` + azureSecretCanary + `
      upstreams.graph.tlsCACert: |
` + indent(caPEM, "        ") + `
`
	s := harness.Start(t, harness.Options{Provisioning: prov, SkipDemo: true})
	for range 3 {
		resp, body := s.Do("GET", res+"/proxy/graph/me", "viewer", nil, nil)
		if resp.StatusCode != 200 || !strings.Contains(string(body), `"path":"/api/me"`) {
			t.Fatalf("graph: %d %s", resp.StatusCode, body)
		}
	}
	if n := issued.Load(); n != 1 {
		t.Errorf("%d tokens issued for 3 calls", n)
	}
	log := s.DevHostLog()
	if strings.Contains(log, azureSecretCanary) || strings.Contains(log, azureTokenCanary) {
		t.Error("a secret reached the log")
	}
}
