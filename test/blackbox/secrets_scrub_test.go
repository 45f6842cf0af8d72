package blackbox

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/relay-gateway/relay/test/blackbox/harness"
)

// Issue 21 §5: secrets an upstream reflects must not reach a caller or a log
// whatever the upstream did to them (cut, JSON-escaped), and a query-string
// API key must not travel on in Referer.

// longToken is a bearer token longer than the 200 characters an upstream
// message is cut to, with characters JSON encoders escape (<, >, &).
var longToken = "tok<&>" + strings.Repeat("0123456789abcdef", 16)

const queryKey = "bbkey-query-secret-9d2f4e"

func secretsStack(t *testing.T) *harness.Stack {
	return secretsStackWith(t, "localhost")
}

// secretsStackWith allows redirects to allowedHost on the query-key data source.
func secretsStackWith(t *testing.T, allowedHost string) *harness.Stack {
	t.Helper()
	rules := `{"rules":[{"path":"/api/graphql","methods":["POST"],"minRole":"Viewer"},
		{"path":"/status/","methods":["GET"],"minRole":"Viewer"},{"path":"/redirect*","methods":["GET"],"minRole":"Viewer"}]}`
	s := harness.Start(t, harness.Options{Provisioning: `apiVersion: 1
datasources:
  - name: Bearer
    type: relay-gateway-datasource
    uid: ` + uid + `
    url: $DEMO_URL
    jsonData: {auth: {type: bearer}, network: {allowPrivateNetworks: true}, rateLimits: {disabled: true}, proxy: ` + rules + `}
    secureJsonData:
      bearerToken: '` + longToken + `'
  - name: Key in query
    type: relay-gateway-datasource
    uid: bbkey
    url: $DEMO_URL
    jsonData: {auth: {type: apiKey, apiKeyName: api_key, apiKeyIn: query}, network: {allowPrivateNetworks: true, allowedHosts: ['` + allowedHost + `']},
      rateLimits: {disabled: true}, proxy: ` + rules + `}
    secureJsonData:
      apiKeyValue: ` + queryKey + `
`, DemoArgs: []string{"-bearer-token", longToken}})
	t.Cleanup(func() { assertNoPieceOf(t, "the dev host and plugin log", longToken, s.DevHostLog()) })
	return s
}

// assertNoPieceOf fails when any 8 consecutive characters of the secret (or
// of its JSON-escaped spelling) show up.
func assertNoPieceOf(t *testing.T, where, secret string, texts ...string) {
	t.Helper()
	escaped := strings.NewReplacer("<", `\u003c`, ">", `\u003e`, "&", `\u0026`).Replace(secret)
	for _, form := range []string{secret, escaped} {
		for i := 0; i+8 <= len(form); i += 4 {
			for _, s := range texts {
				if strings.Contains(s, form[i:i+8]) {
					t.Fatalf("a piece of the secret (%q) leaked in %s: %.600s", form[i:i+8], where, s)
				}
			}
		}
	}
}

func TestSecretsGraphQLErrorsAreScrubbedBeforeTheyAreCut(t *testing.T) {
	s := secretsStack(t)
	// The demo's GraphQL server fails with "not allowed for Bearer <token>":
	// the message is longer than 200 characters, the token's prefix within them.
	status, out, body := dsQuery(s, "viewer", map[string]any{"refId": "A", "path": "/api/graphql",
		"graphql": map[string]any{"query": "{ items(echoAuth: true) { totalCount } }"}})
	if status != 400 || !strings.Contains(out.Results["A"].Error, "not allowed for Bearer [redacted]") {
		t.Fatalf("GraphQL error: %d %.600s", status, body)
	}
	assertNoPieceOf(t, "the GraphQL error", longToken, string(body))
}

func TestSecretsEscapedReflectionIsScrubbed(t *testing.T) {
	s := secretsStack(t)
	// /status/400?reflect=html repeats the Authorization header in an HTML
	// error page, HTML-escaped (&lt; &amp; &gt;): the plain spelling is not there.
	status, out, body := dsQuery(s, "viewer", map[string]any{"refId": "A", "path": "/status/400", "params": map[string]any{"reflect": "html"}})
	if status != 400 || !strings.Contains(out.Results["A"].Error, "you sent Authorization: Bearer [redacted]") {
		t.Fatalf("upstream error snippet: %d %.600s", status, body)
	}
	htmlEscaped := strings.NewReplacer("<", "&lt;", ">", "&gt;", "&", "&amp;").Replace(longToken)
	assertNoPieceOf(t, "the upstream error snippet", longToken, string(body))
	assertNoPieceOf(t, "the upstream error snippet", htmlEscaped, string(body))
	// The JSON-escaped spelling (\u003c...) of the JSON error page too.
	status, out, body = dsQuery(s, "viewer", map[string]any{"refId": "B", "path": "/status/400", "params": map[string]any{"reflect": "1"}})
	if status != 400 || !strings.Contains(out.Results["B"].Error, "you sent Authorization: Bearer [redacted]") {
		t.Fatalf("upstream error snippet: %d %.600s", status, body)
	}
	assertNoPieceOf(t, "the upstream error snippet", longToken, string(body))
}

func TestSecretsQueryKeyNeverTravelsInReferer(t *testing.T) {
	// The allowed host: records what reached it.
	var mu sync.Mutex
	var seen []http.Header
	landing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Header.Clone())
		mu.Unlock()
		_, _ = w.Write([]byte(`[{"landed":true}]`))
	}))
	defer landing.Close()
	s := secretsStackWith(t, strings.TrimPrefix(landing.URL, "http://"))
	// A same-origin redirect that keeps the query (the key Relay added
	// included), then a redirect to the allowed host.
	resp, body := s.Do("POST", "/api/ds/query", "viewer", map[string]any{"queries": []any{map[string]any{"refId": "A",
		"datasource": map[string]any{"uid": "bbkey"}, "path": "/redirect/keep-query", "params": map[string]any{"to": landing.URL + "/landing"}}}}, nil)
	if resp.StatusCode != 200 || !strings.Contains(string(body), "landed") {
		t.Fatalf("the redirect chain did not land: %d %.600s", resp.StatusCode, body)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 1 {
		t.Fatalf("the allowed host was called %d times", len(seen))
	}
	if ref := seen[0].Get("Referer"); ref != "" || strings.Contains(fmt.Sprint(seen[0]), queryKey) {
		t.Fatalf("the query-string API key reached the allowed host: Referer %q, headers %v", ref, seen[0])
	}
}
