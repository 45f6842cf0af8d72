package blackbox

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/relay-gateway/relay/test/blackbox/harness"
)

// tokenServer is a fake upstream with its own token endpoint at /token: a
// JWT bearer grant (RFC 7523, RS256 checked with the public key) or a client
// credentials grant; the API (everything else) wants the issued token in
// X-Auth as "Token <token>".
type tokenServer struct {
	rec       *recorder
	pub       *rsa.PublicKey
	issued    atomic.Int32
	lastClaim map[string]any
}

const issuedToken = "canary-issued-access-token-61f0"

func newTokenServer(t *testing.T, pub *rsa.PublicKey) *tokenServer {
	ts := &tokenServer{rec: newRecorder(t, "tokens"), pub: pub}
	ts.rec.handle = func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path == "/token" {
			ts.token(w, r)
			return true
		}
		if r.Header.Get("X-Auth") != "Token "+issuedToken || r.Header.Get("Authorization") != "" {
			http.Error(w, "want X-Auth: Token <token>", http.StatusUnauthorized)
			return true
		}
		return false
	}
	return ts
}

func (ts *tokenServer) token(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	switch r.PostForm.Get("grant_type") {
	case "urn:ietf:params:oauth:grant-type:jwt-bearer":
		parts := strings.Split(r.PostForm.Get("assertion"), ".")
		if len(parts) != 3 {
			http.Error(w, `{"error":"invalid_grant"}`, http.StatusBadRequest)
			return
		}
		sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
		sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
		if rsa.VerifyPKCS1v15(ts.pub, crypto.SHA256, sum[:], sig) != nil {
			http.Error(w, `{"error":"invalid_grant"}`, http.StatusBadRequest)
			return
		}
		payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
		var claims map[string]any
		_ = json.Unmarshal(payload, &claims)
		ts.lastClaim = claims
	case "client_credentials":
		if id, secret, ok := r.BasicAuth(); !ok || id != "relay" || secret != clientSecretCanary {
			http.Error(w, `{"error":"invalid_client"}`, http.StatusUnauthorized)
			return
		}
	default:
		http.Error(w, `{"error":"unsupported_grant_type"}`, http.StatusBadRequest)
		return
	}
	ts.issued.Add(1)
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(`{"access_token":"` + issuedToken + `","token_type":"Bearer","expires_in":3600}`))
}

const clientSecretCanary = "canary-client-secret-0c77"

func rsaPEM(t *testing.T) (*rsa.PrivateKey, string) {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKCS8PrivateKey(k)
	return k, string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

func indent(s, pad string) string {
	return pad + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n"+pad)
}

func TestUpstreamTokenGrantsWithCustomHeader(t *testing.T) {
	key, keyPEM := rsaPEM(t)
	ts := newTokenServer(t, &key.PublicKey)
	u := ts.rec.URL()
	sa, _ := json.Marshal(map[string]string{"type": "service_account", "client_email": "relay@project.iam.example",
		"private_key": keyPEM, "private_key_id": "kid-1", "token_uri": u + "/token"})
	prov := `apiVersion: 1
datasources:
  - name: Tokens
    type: relay-gateway-datasource
    uid: ` + uid + `
    url: ` + u + `
    jsonData:
      network: { allowPrivateNetworks: true }
      upstreams:
        - name: jwt
          url: ` + u + `/jwt
          auth: { type: jwt, jwt: { tokenUrl: "` + u + `/token", email: relay@issuer.example, audience: "` + u + `/token", scopes: [read], tokenHeader: X-Auth, tokenFormat: "Token {{token}}" } }
          network: { allowPrivateNetworks: true }
        - name: google
          url: ` + u + `/google
          auth: { type: jwt, jwt: { scopes: [read], tokenHeader: X-Auth, tokenFormat: "Token {{token}}" } }
          network: { allowPrivateNetworks: true }
        - name: cc
          url: ` + u + `/cc
          auth: { type: oauth2, oauth2: { tokenUrl: "` + u + `/token", clientId: relay, tokenHeader: X-Auth, tokenFormat: "Token {{token}}" } }
          network: { allowPrivateNetworks: true }
    secureJsonData:
      upstreams.jwt.jwtPrivateKey: |
` + indent(keyPEM, "        ") + `
      upstreams.google.googleServiceAccountJSON: '` + string(sa) + `'
      upstreams.cc.oauth2ClientSecret: ` + clientSecretCanary + `
`
	s := harness.Start(t, harness.Options{Provisioning: prov, SkipDemo: true})
	for _, name := range []string{"jwt", "google", "cc"} {
		for range 2 {
			resp, body := s.Do("GET", res+"/proxy/"+name+"/items", "viewer", nil, nil)
			if resp.StatusCode != 200 || !strings.Contains(string(body), `"/`+name+`/items"`) {
				t.Fatalf("%s: %d %s", name, resp.StatusCode, body)
			}
		}
		if name == "google" && (ts.lastClaim["iss"] != "relay@project.iam.example" || ts.lastClaim["scope"] != "read") {
			t.Errorf("google assertion claims: %v", ts.lastClaim)
		}
	}
	if n := ts.issued.Load(); n != 3 {
		t.Errorf("%d tokens issued for 3 upstreams × 2 calls: each upstream must reuse its token", n)
	}
	for _, r := range ts.rec.requests() {
		if r.Path == "/token" && (r.Header.Get("X-Auth") != "" || strings.Contains(r.Header.Get("Authorization"), issuedToken)) {
			t.Error("the token endpoint received an upstream credential")
		}
	}
	log := s.DevHostLog()
	if strings.Contains(log, issuedToken) || strings.Contains(log, clientSecretCanary) || strings.Contains(log, "PRIVATE KEY") {
		t.Error("a secret reached the log")
	}
}

func TestUpstreamJWTBadKeyFailsAtLoad(t *testing.T) {
	prov := `apiVersion: 1
datasources:
  - name: Tokens
    type: relay-gateway-datasource
    uid: ` + uid + `
    url: https://api.example.com
    jsonData:
      auth: { type: jwt, jwt: { tokenUrl: "https://api.example.com/token", email: a@b.example } }
    secureJsonData:
      jwtPrivateKey: not-a-key-canary-88
`
	s := harness.Start(t, harness.Options{Provisioning: prov, SkipDemo: true})
	resp, body := s.Do("GET", "/api/datasources/uid/"+uid+"/health", "viewer", nil, nil)
	if resp.StatusCode != 400 || !strings.Contains(string(body), "secureJsonData.jwtPrivateKey: not a PEM RSA private key") ||
		strings.Contains(string(body), "not-a-key-canary-88") {
		t.Errorf("health: %d %s", resp.StatusCode, body)
	}
}
