package settings

import (
	"strings"
	"testing"
)

func TestOAuth2GrantSettings(t *testing.T) {
	const base = `{"auth":{"type":"oauth2","oauth2":{"tokenUrl":"https://a.example/token","clientId":"c",`
	for js, field := range map[string]string{
		base + `"grantType":"implicit"}}}`:                       "jsonData.auth.oauth2.grantType",
		base + `"grantType":"password"}}}`:                       "jsonData.auth.oauth2.username",
		base + `"grantType":"password","username":"u"}}}`:        "secureJsonData.oauth2Password",
		base + `"grantType":"refresh_token"}}}`:                  "secureJsonData.oauth2RefreshToken",
		base + `"headers":{"Authorization":"x"}}}}`:              "jsonData.auth.oauth2.headers",
		base + `"grantType":"refresh_token","resource":"api"}}}`: "jsonData.auth.oauth2.resource",
	} {
		_, err := Parse(ds("https://a.example", js, map[string]string{"oauth2ClientSecret": "s"}))
		if err == nil || !strings.Contains(err.Error(), field+":") {
			t.Errorf("%s: want an error naming %s, got %v", js, field, err)
		}
	}
	// Public clients: no client secret for the password and refresh_token grants.
	s, err := Parse(ds("https://a.example", base+`"grantType":"refresh_token","audience":"https://api"}}}`,
		map[string]string{"oauth2RefreshToken": "rt-1234"}))
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, v := range s.SecretValues() {
		found = found || v == "rt-1234"
	}
	if !found {
		t.Error("the refresh token is not among SecretValues")
	}
}
