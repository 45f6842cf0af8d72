package blackbox

import (
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/relay-gateway/relay/test/blackbox/harness"
)

// The demo API's login password and a wrong one: neither may show up in an
// answer, a log line or the audit.
const (
	loginCanary = "login-pass-canary-3b9d71"
	wrongCanary = "wrong-pass-canary-84c2e0"
)

// demoLoginToken matches the demo API's tokens (crypto/rand.Text: 26 base32
// characters), so a test can prove none of Relay's leaked.
var demoLoginToken = regexp.MustCompile(`\b[A-Z2-7]{26}\b`)

func loginStack(t *testing.T) *harness.Stack {
	body := func(extra string) string {
		return `{ username: demo, password: "{{secure.password}}"` + extra + ` }`
	}
	named := func(name, auth string) string {
		return `
        - name: ` + name + `
          url: $DEMO_URL
          healthPath: /login/data
          network: { allowPrivateNetworks: true }
          auth: ` + auth
	}
	prov := `apiVersion: 1
datasources:
  - name: Login
    type: relay-gateway-datasource
    uid: ` + uid + `
    url: $DEMO_URL
    jsonData:
      healthPath: /login/data
      network: { allowPrivateNetworks: true }
      auth:
        type: login
        login: { path: /login/json, body: ` + body("") + `, headers: { X-Tenant: acme }, tokenPath: auth.token, expiresInPath: auth.expiresIn }
      upstreams:` +
		named("second", `{ type: login, login: { path: /login/json, body: `+body("")+`, tokenPath: auth.token } }`) +
		named("hdr", `{ type: login, tokenHeader: X-Subject-Token, tokenFormat: "{{token}}", login: { path: /login/header, contentType: form, body: `+body("")+`, tokenHeader: X-Subject-Token, expiresIn: 15m } }`) +
		named("jar", `{ type: login, tokenCookie: session, login: { path: /login/cookie, body: `+body("")+`, tokenCookie: session } }`) +
		named("short", `{ type: login, login: { path: /login/json, body: `+body(", ttl: 2")+`, tokenPath: auth.token, expiresInPath: auth.expiresIn } }`) +
		named("wrong", `{ type: login, login: { path: /login/json, body: `+body("")+`, tokenPath: auth.token } }`) + `
    secureJsonData:
      login.password: ` + loginCanary + `
      upstreams.second.login.password: ` + loginCanary + `
      upstreams.hdr.login.password: ` + loginCanary + `
      upstreams.jar.login.password: ` + loginCanary + `
      upstreams.short.login.password: ` + loginCanary + `
      upstreams.wrong.login.password: ` + wrongCanary + `
`
	s := harness.Start(t, harness.Options{Provisioning: prov, DemoArgs: []string{"-login-password", loginCanary}})
	t.Cleanup(func() {
		log := s.DevHostLog()
		if strings.Contains(log, loginCanary) || strings.Contains(log, wrongCanary) || demoLoginToken.MatchString(log) {
			t.Errorf("a login password or token reached the log: %s", demoLoginToken.FindString(log))
		}
	})
	return s
}

// logins is how many login calls the demo API answered.
func logins(t *testing.T, s *harness.Stack) int {
	t.Helper()
	resp, err := http.Get(s.DemoURL + "/login/stats")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st struct {
		Requests int `json:"token_requests"`
	}
	b, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatal(err)
	}
	return st.Requests
}

func noLoginSecret(t *testing.T, where string, body []byte) {
	t.Helper()
	if b := string(body); strings.Contains(b, loginCanary) || strings.Contains(b, wrongCanary) || demoLoginToken.MatchString(b) {
		t.Errorf("a login secret reached %s: %.300s", where, b)
	}
}

func TestUpstreamLogin(t *testing.T) {
	s := loginStack(t)
	get := func(path string) (*http.Response, []byte) {
		t.Helper()
		resp, body := s.Do("GET", res+"/proxy/"+path, "viewer", nil, nil)
		noLoginSecret(t, "an answer", body)
		return resp, body
	}
	ok := func(path string) {
		t.Helper()
		if resp, body := get(path); resp.StatusCode != 200 || !strings.Contains(string(body), `"auth":"login"`) {
			t.Fatalf("%s: %d %.300s", path, resp.StatusCode, body)
		}
	}

	t.Run("one login for many requests and queries", func(t *testing.T) {
		before := logins(t, s)
		for range 4 {
			ok("login/data")
		}
		q := map[string]any{"refId": "A", "datasource": map[string]any{"uid": uid}, "path": "/login/data",
			"pipeline": map[string]any{"root": "rows"}}
		for range 3 {
			resp, body := s.Do("POST", "/api/ds/query", "viewer", map[string]any{"queries": []any{q}}, nil)
			if resp.StatusCode != 200 || !strings.Contains(string(body), `"gamma"`) {
				t.Fatalf("query: %d %.300s", resp.StatusCode, body)
			}
		}
		if n := logins(t, s) - before; n != 1 {
			t.Errorf("%d logins for 7 requests, want 1", n)
		}
	})

	t.Run("each named upstream logs in on its own", func(t *testing.T) {
		before := logins(t, s)
		for range 3 {
			ok("second/login/data")
			ok("hdr/login/data") // token from a response header, sent in X-Subject-Token
			ok("jar/login/data") // token from Set-Cookie, sent as a cookie
		}
		if n := logins(t, s) - before; n != 3 {
			t.Errorf("%d logins for 3 upstreams × 3 requests, want 3", n)
		}
	})

	t.Run("a refused token is dropped and the login done again", func(t *testing.T) {
		ok("login/data")
		before := logins(t, s)
		resp, err := http.Post(s.DemoURL+"/login/revoke", "application/json", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		ok("login/data") // the 401 is not the caller's: Relay logs in again and retries the GET once
		ok("login/data")
		if n := logins(t, s) - before; n != 1 {
			t.Errorf("%d logins after the upstream refused the token, want 1", n)
		}
	})

	t.Run("refreshed before expiry", func(t *testing.T) {
		before := logins(t, s)
		ok("short/login/data")
		ok("short/login/data")
		if n := logins(t, s) - before; n != 1 {
			t.Fatalf("%d logins within the token's 2s, want 1", n)
		}
		time.Sleep(1700 * time.Millisecond) // a 2s token is replaced after 1.6s
		ok("short/login/data")
		if n := logins(t, s) - before; n != 2 {
			t.Errorf("%d logins after the token's lifetime, want 2", n)
		}
	})

	t.Run("a wrong password is a clear error", func(t *testing.T) {
		resp, body := get("wrong/login/data")
		m := decode(t, body)
		msg, _ := m["error"].(string)
		if resp.StatusCode != http.StatusBadGateway || !strings.Contains(msg, "/login/json failed: the upstream answered 401") {
			t.Errorf("wrong password: %d %s", resp.StatusCode, body)
		}
		q := map[string]any{"refId": "A", "upstream": "wrong", "datasource": map[string]any{"uid": uid}, "path": "/login/data"}
		_, body = s.Do("POST", "/api/ds/query", "viewer", map[string]any{"queries": []any{q}}, nil)
		noLoginSecret(t, "a query error", body)
		if !strings.Contains(string(body), "answered 401") {
			t.Errorf("query with a failed login: %.300s", body)
		}
	})

	t.Run("health logs in and says so", func(t *testing.T) {
		resp, body := s.Do("GET", "/api/datasources/uid/"+uid+"/health", "admin", nil, nil)
		noLoginSecret(t, "the health answer", body)
		text := string(body)
		if !strings.Contains(text, "logged in at http://127.0.0.1") || !strings.Contains(text, "upstream wrong") ||
			!strings.Contains(text, "answered 401") {
			t.Errorf("health: %d %s", resp.StatusCode, body)
		}
	})

	_, audit := s.Do("GET", res+"/audit?limit=200", "admin", nil, nil)
	noLoginSecret(t, "the audit", audit)
}
