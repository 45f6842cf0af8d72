package settings

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
)

func loadAuth(t *testing.T, auth string, secure map[string]string) (*Settings, error) {
	t.Helper()
	return Parse(backend.DataSourceInstanceSettings{URL: "https://api.example.com",
		JSONData: json.RawMessage(`{"auth":` + auth + `}`), DecryptedSecureJSONData: secure})
}

// The registry is the one list: AuthKinds is every registered kind in the
// editor's order, each once.
func TestAuthKindsRegistry(t *testing.T) {
	got := AuthKinds()
	want := []string{AuthNone, AuthBasic, AuthBearer, AuthAPIKey, AuthOAuth2, AuthForwardOAuth, AuthSigV4, AuthDigest, AuthJWT, AuthAzure, AuthLogin}
	if !slices.Equal(got, want) {
		t.Fatalf("AuthKinds = %v, want %v", got, want)
	}
	_, err := loadAuth(t, `{"type":"kerberos"}`, nil)
	if err == nil || !strings.Contains(err.Error(), "unknown auth type \"kerberos\" (want one of "+strings.Join(want, ", ")+")") {
		t.Fatalf("unknown kind: %v", err)
	}
}

// Every kind's secrets are read and scrubbed whichever kind is selected.
func TestEveryKindsSecretsAreScrubbed(t *testing.T) {
	secure := map[string]string{}
	for _, sk := range authSecretKeys() {
		secure[sk.key] = "secret-of-" + sk.key
	}
	secure["googleServiceAccountJSON"] = `{"type":"service_account","client_email":"a@b","private_key":"the-private-key"}`
	s, err := loadAuth(t, `{"type":"none"}`, secure)
	if err != nil {
		t.Fatal(err)
	}
	vals := s.SecretValues()
	for k, v := range secure {
		if k == "googleServiceAccountJSON" {
			v = "the-private-key"
		}
		if !slices.Contains(vals, v) {
			t.Errorf("secureJsonData %s is not among SecretValues", k)
		}
	}
	if n := len(vals); n != len(secure) {
		t.Errorf("SecretValues has %d values for %d secrets (basicAuthPassword is basic's and digest's, read once)", n, len(secure))
	}
}

// Forwarded OAuth identity makes answers per user, as X-Grafana-User does.
func TestAnswersPerUser(t *testing.T) {
	for auth, want := range map[string]bool{`{"type":"forwardOAuth"}`: true, `{"type":"none"}`: false} {
		s, err := loadAuth(t, auth, nil)
		if err != nil {
			t.Fatal(err)
		}
		if s.AnswersPerUser() != want {
			t.Errorf("%s: AnswersPerUser = %v", auth, !want)
		}
		s.SendUserHeader = true
		if !s.AnswersPerUser() {
			t.Errorf("%s with sendUserHeader: not per user", auth)
		}
	}
}

// Basic credentials Relay sends (basic auth, the OAuth2 client's Basic
// auth, the outbound proxy) are listed so their base64 forms are scrubbed.
func TestCredentialPairs(t *testing.T) {
	s, err := loadAuth(t, `{"type":"oauth2","basicUser":"u","oauth2":{"tokenUrl":"https://api.example.com/t","clientId":"id x"}}`,
		map[string]string{"basicAuthPassword": "pw", "oauth2ClientSecret": "s&t"})
	if err != nil {
		t.Fatal(err)
	}
	got := s.CredentialPairs()
	want := map[string]string{"u": "pw", "id x": "s&t", "id+x": "s%26t"}
	if len(got) != len(want) {
		t.Fatalf("CredentialPairs = %d pairs, want %d", len(got), len(want))
	}
	for u, p := range want {
		if got[u] != p {
			t.Errorf("pair for %q wrong", u)
		}
	}
}
