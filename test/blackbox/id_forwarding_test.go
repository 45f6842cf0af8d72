package blackbox

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/relay-gateway/relay/test/blackbox/harness"
)

// Issue 24 §4: an upstream with forwardGrafanaIdToken gets the caller's signed
// Grafana ID token (the dev host signs one per call with -id-forwarding, as
// Grafana does with idForwarding) on queries, proxy calls and actions; one
// without never does; answers are per user in the caches; the token is in no
// log line and no audit record.

const idForwardingJSON = `{"auth":{"type":"bearer"},"network":{"allowPrivateNetworks":true},"forwardGrafanaIdToken":true,
 "proxy":{"rules":[{"path":"/api/echo*","methods":["GET"],"minRole":"Viewer","cacheTTL":"1m"}]},
 "actions":[{"name":"whoami","method":"POST","path":"/api/echo/action","minRole":"Viewer"}],
 "upstreams":[{"name":"plain","url":"$DEMO_URL","network":{"allowPrivateNetworks":true},
   "proxy":{"rules":[{"path":"/api/echo*","methods":["GET"],"minRole":"Viewer"}]}}]}`

func idForwardingStack(t *testing.T) *harness.Stack {
	t.Helper()
	s := harness.Start(t, harness.Options{Provisioning: provisioning(idForwardingJSON),
		DemoArgs: []string{"-bearer-token", canary}, DevHostArgs: []string{"-id-forwarding"}})
	t.Cleanup(func() { assertNoCanary(t, "the dev host and plugin log", s.DevHostLog()) })
	return s
}

// idClaims verifies tok as an upstream must (docs/security.md): the ES256 signature against the keys Grafana
// serves, the issuer, the audience and the expiry; it returns the claims.
func idClaims(t *testing.T, s *harness.Stack, tok string) map[string]any {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %.40q", tok)
	}
	var header struct{ Alg, Kid string }
	var claims map[string]any
	for i, dst := range []any{&header, &claims} {
		raw, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil || json.Unmarshal(raw, dst) != nil {
			t.Fatalf("JWT part %d does not decode: %v", i, err)
		}
	}
	resp, body := s.Do("GET", "/api/signing-keys/keys", "", nil, nil) // public, as in Grafana
	var jwks struct {
		Keys []struct{ Kid, Crv, X, Y string }
	}
	if err := json.Unmarshal(body, &jwks); err != nil || resp.StatusCode != 200 {
		t.Fatalf("JWKS: %d %.300s", resp.StatusCode, body)
	}
	i := slices.IndexFunc(jwks.Keys, func(k struct{ Kid, Crv, X, Y string }) bool { return k.Kid == header.Kid })
	if header.Alg != "ES256" || i < 0 || jwks.Keys[i].Crv != "P-256" {
		t.Fatalf("token header %+v, keys %s", header, body)
	}
	x, _ := base64.RawURLEncoding.DecodeString(jwks.Keys[i].X)
	y, _ := base64.RawURLEncoding.DecodeString(jwks.Keys[i].Y)
	pub := &ecdsa.PublicKey{Curve: elliptic.P256(), X: new(big.Int).SetBytes(x), Y: new(big.Int).SetBytes(y)}
	sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if len(sig) != 64 || !ecdsa.Verify(pub, digest[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])) {
		t.Fatalf("the forwarded token's signature does not verify against /api/signing-keys/keys")
	}
	if claims["iss"] != s.DevHostURL+"/" {
		t.Errorf("iss = %v, want %s/", claims["iss"], s.DevHostURL)
	}
	if aud, _ := claims["aud"].([]any); !slices.Contains(aud, any("org:1")) {
		t.Errorf("aud = %v, want org:1", claims["aud"])
	}
	if exp, _ := claims["exp"].(float64); time.Unix(int64(exp), 0).Before(time.Now()) {
		t.Errorf("expired token: exp %v", claims["exp"])
	}
	return claims
}

// echoedID is the X-Grafana-Id the demo API's echo endpoint received, "" for none.
func echoedID(t *testing.T, body []byte) string {
	t.Helper()
	var echo struct{ Headers map[string][]string }
	if err := json.Unmarshal(body, &echo); err != nil {
		t.Fatalf("not an echo: %v %.300s", err, body)
	}
	if v := echo.Headers["X-Grafana-Id"]; len(v) > 0 {
		return v[0]
	}
	return ""
}

func TestIDForwardingQueries(t *testing.T) {
	s := idForwardingStack(t)
	query := func(user, upstream string) string {
		t.Helper()
		q := map[string]any{"refId": "A", "path": "/api/echo/query", "cacheTTL": "1m",
			"pipeline": map[string]any{"columns": []any{map[string]any{"name": "id", "selector": "headers.X-Grafana-Id.0"}}}}
		if upstream != "" {
			q["upstream"] = upstream
		}
		status, out, body := dsQuery(s, user, q)
		if status != 200 || len(out.Results["A"].Frames) != 1 {
			t.Fatalf("%s query: %d %.400s", user, status, body)
		}
		v := out.Results["A"].Frames[0].Data.Values
		if len(v) != 1 || len(v[0]) != 1 {
			t.Fatalf("%s query: frame %v", user, v)
		}
		id, _ := v[0][0].(string)
		return id
	}
	// Each user's query carries the user's own token, even with a query cache: an answer the upstream gave
	// one user is not served to another.
	for _, user := range []string{"viewer", "editor", "viewer"} {
		tok := query(user, "")
		if tok == "" {
			t.Fatalf("%s: no X-Grafana-Id reached the opted-in upstream", user)
		}
		if c := idClaims(t, s, tok); c["sub"] != "user:"+user {
			t.Errorf("%s's query carried %v's token", user, c["sub"])
		}
	}
	if tok := query("viewer", "plain"); tok != "" {
		t.Errorf("the upstream without forwardGrafanaIdToken got X-Grafana-Id")
	}
}

func TestIDForwardingProxyAndActions(t *testing.T) {
	s := idForwardingStack(t)
	forged := "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ1c2VyOmFkbWluIn0.Zm9yZ2Vk"
	var seen []string
	for _, user := range []string{"viewer", "editor"} {
		// A client's own X-Grafana-Id never replaces the one Grafana signed.
		resp, body := s.Do("GET", res+"/proxy/api/echo/p", user, nil, map[string]string{"X-Grafana-Id": forged})
		if resp.StatusCode != 200 {
			t.Fatalf("proxy as %s: %d %.300s", user, resp.StatusCode, body)
		}
		tok := echoedID(t, body)
		if c := idClaims(t, s, tok); c["sub"] != "user:"+user {
			t.Errorf("proxy as %s: the upstream got %v's token (cached across users?)", user, c["sub"])
		}
		seen = append(seen, tok)
	}
	resp, body := s.Do("GET", res+"/proxy/plain/api/echo/p", "viewer", nil, map[string]string{"X-Grafana-Id": forged})
	if resp.StatusCode != 200 || echoedID(t, body) != "" {
		t.Errorf("proxy to the upstream without forwardGrafanaIdToken: %d, X-Grafana-Id %q", resp.StatusCode, echoedID(t, body))
	}

	resp, body = s.Do("POST", res+"/actions/whoami", "viewer", map[string]any{}, nil)
	var action struct {
		Status int
		Body   json.RawMessage
	}
	if err := json.Unmarshal(body, &action); err != nil || resp.StatusCode != 200 {
		t.Fatalf("action: %d %.300s", resp.StatusCode, body)
	}
	tok := echoedID(t, action.Body)
	if c := idClaims(t, s, tok); c["sub"] != "user:viewer" {
		t.Errorf("action: the upstream got %v's token", c["sub"])
	}
	seen = append(seen, tok)

	// Never logged or audited.
	_, audit := s.Do("GET", res+"/audit?limit=100", "admin", nil, nil)
	for _, tok := range seen {
		sig := tok[strings.LastIndex(tok, ".")+1:]
		if strings.Contains(s.DevHostLog(), sig) || strings.Contains(string(audit), sig) {
			t.Errorf("an ID token reached the log or the audit")
		}
	}
}
