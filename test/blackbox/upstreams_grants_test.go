package blackbox

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/relay-gateway/relay/test/blackbox/harness"
)

const (
	ownerCanary   = "owner-pass-canary-19f4"
	refreshCanary = "stored-refresh-canary-7a2c"
)

// rotatedRefresh matches the demo API's refresh tokens.
var rotatedRefresh = regexp.MustCompile(`rt-[A-Z2-7]{26}`)

// OAuth2 password and refresh_token grants against the demo API's token endpoint, which rotates refresh tokens.
func TestUpstreamOAuth2Grants(t *testing.T) {
	prov := `apiVersion: 1
datasources:
  - name: Grants
    type: relay-gateway-datasource
    uid: ` + uid + `
    url: $DEMO_URL
    jsonData:
      network: { allowPrivateNetworks: true }
      auth: { type: oauth2, oauth2: { tokenUrl: "$DEMO_URL/oauth/token", clientId: demo-client, grantType: password, username: demo, audience: "https://api.example", headers: { X-Tenant: acme } } }
      upstreams:
        - name: rt
          url: $DEMO_URL
          network: { allowPrivateNetworks: true }
          auth: { type: oauth2, oauth2: { tokenUrl: "$DEMO_URL/oauth/token", clientId: demo-client, grantType: refresh_token } }
    secureJsonData:
      oauth2ClientSecret: demo-secret
      oauth2Password: ` + ownerCanary + `
      upstreams.rt.oauth2ClientSecret: demo-secret
      upstreams.rt.oauth2RefreshToken: ` + refreshCanary + `
`
	s := harness.Start(t, harness.Options{Provisioning: prov, DemoArgs: []string{"-login-password", ownerCanary, "-refresh-token", refreshCanary}})
	t.Cleanup(func() {
		if log := s.DevHostLog(); strings.Contains(log, ownerCanary) || strings.Contains(log, refreshCanary) || rotatedRefresh.MatchString(log) {
			t.Error("a grant secret reached the log")
		}
	})
	stats := func() map[string]any {
		resp, err := http.Get(s.DemoURL + "/oauth/stats")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b := make([]byte, 4096)
		n, _ := resp.Body.Read(b)
		return decode(t, b[:n])
	}
	ok := func(path string) {
		t.Helper()
		resp, body := s.Do("GET", res+"/proxy/"+path, "viewer", nil, nil)
		if resp.StatusCode != 200 || !strings.Contains(string(body), `"auth":"oauth"`) {
			t.Fatalf("%s: %d %.300s", path, resp.StatusCode, body)
		}
		if b := string(body); strings.Contains(b, ownerCanary) || strings.Contains(b, refreshCanary) {
			t.Fatal("a grant secret in an answer")
		}
	}
	for range 3 {
		ok("auth/oauth/data")
	}
	if n := stats()["tokens_issued"]; n != float64(1) {
		t.Errorf("password grant: %v tokens for 3 calls, want 1", n)
	}
	ok("rt/auth/oauth/data") // spends the stored refresh token, keeps the rotated one
	revoke, err := http.Post(s.DemoURL+"/oauth/revoke", "application/x-www-form-urlencoded", nil)
	if err != nil {
		t.Fatal(err)
	}
	revoke.Body.Close()
	ok("rt/auth/oauth/data") // 401 → dropped → refreshed with the rotated refresh token (the stored one is spent)
	if n := stats()["tokens_issued"]; n != float64(3) {
		t.Errorf("%v tokens issued, want 3 (1 password, 2 refresh)", n)
	}
}
