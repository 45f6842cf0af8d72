package settings

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/relay-gateway/relay/pkg/role"
)

func ds(url, jsonData string, secure map[string]string) backend.DataSourceInstanceSettings {
	return backend.DataSourceInstanceSettings{UID: "u1", Name: "demo", URL: url, JSONData: []byte(jsonData), DecryptedSecureJSONData: secure}
}

func TestDefaults(t *testing.T) {
	s, err := Parse(ds("https://api.example.com/v1/", `{}`, nil))
	if err != nil {
		t.Fatal(err)
	}
	if s.URL.String() != "https://api.example.com/v1" {
		t.Errorf("url = %s", s.URL)
	}
	if s.Auth.Type != AuthNone || s.Timeouts.Request.Duration != 60*time.Second || s.Network.MaxRedirects != 3 {
		t.Errorf("defaults not applied: %+v", s)
	}
	if len(s.Proxy.Rules) != 1 || s.Proxy.Rules[0].MinRole != role.Viewer || strings.Join(s.Proxy.Rules[0].Methods, ",") != "GET,HEAD" {
		t.Errorf("default proxy rules = %+v", s.Proxy.Rules)
	}
	if s.Proxy.MaxRequestBytes != DefaultMaxRequestBytes {
		t.Errorf("max request bytes = %d", s.Proxy.MaxRequestBytes)
	}
}

func TestExplicitEmptyRulesAllowNothing(t *testing.T) {
	s, err := Parse(ds("https://a.example", `{"proxy":{"rules":[]}}`, nil))
	if err != nil || len(s.Proxy.Rules) != 0 {
		t.Fatalf("rules=%v err=%v", s.Proxy.Rules, err)
	}
}

func TestInvalidSettingsNameTheField(t *testing.T) {
	cases := []struct{ url, json, field string }{
		{"", `{}`, "url"},
		{"ftp://x", `{}`, "url"},
		{"http://user:pw@x", `{}`, "url"},
		{"http://x", `{"timeouts":{"dial":"-1s"}}`, "jsonData.timeouts.dial"},
		{"http://x", `{"timeouts":{"dial":"soon"}}`, "jsonData"},
		{"http://x", `{"auth":{"type":"kerberos"}}`, "jsonData.auth.type"},
		{"http://x", `{"auth":{"type":"bearer"}}`, "secureJsonData.bearerToken"},
		{"http://x", `{"auth":{"type":"basic","basicUser":"u"}}`, "secureJsonData.basicAuthPassword"},
		{"http://x", `{"auth":{"type":"oauth2","oauth2":{"tokenUrl":"nope","clientId":"c"}}}`, "jsonData.auth.oauth2.tokenUrl"},
		{"http://x", `{"network":{"allowedCIDRs":["10.0.0.0/33"]}}`, "jsonData.network.allowedCIDRs[0]"},
		{"http://x", `{"proxy":{"rules":[{"path":"api","methods":["GET"]}]}}`, "jsonData.proxy.rules[0].path"},
		{"http://x", `{"proxy":{"rules":[{"path":"/","methods":["get"]}]}}`, "jsonData.proxy.rules[0].methods[0]"},
		{"http://x", `{"proxy":{"rules":[{"path":"/","methods":["GET"],"minRole":"Root"}]}}`, "jsonData"},
		{"http://x", `{"proxy":{"maxRequestBytes":20000000}}`, "jsonData.proxy.maxRequestBytes"},
		{"http://x", `{"proxy":{"rules":[{"path":"/g","methods":["POST"],"graphql":{"operations":["query","delete"]}}]}}`, "jsonData.proxy.rules[0].graphql.operations[1]"},
		{"http://x", `{"proxy":{"rules":[{"path":"/g","methods":["POST"],"graphql":{"maxDepth":-1}}]}}`, "jsonData.proxy.rules[0].graphql.maxDepth"},
		{"http://x", `{"proxy":{"rules":[{"path":"/g","methods":["POST"],"graphql":{"maxDepth":1000}}]}}`, "jsonData.proxy.rules[0].graphql.maxDepth"},
		{"http://x", `{"proxy":{"rules":[{"path":"/g","methods":["POST"],"graphql":{"maxAliases":-2}}]}}`, "jsonData.proxy.rules[0].graphql.maxAliases"},
		{"http://x", `{"headers":[{"name":"Bad Header"}]}`, "jsonData.headers[0].name"},
		{"http://x", `{"headers":[{"name":"Host","value":"evil"}]}`, "jsonData.headers[0].name"},
		{"http://x", `{"apiKeys":[{"name":"ci"}]}`, "secureJsonData.apiKeyHash.ci"},
		{"http://x", `{"actions":[{"name":"a b","method":"POST","path":"/x"}]}`, "jsonData.actions[0].name"},
		{"http://x", `{"actions":[{"name":"a","method":"POST","path":"/x","params":[{"name":"p","type":"date"}]}]}`, "jsonData.actions[0].params[0].type"},
		{"http://x", `{"healthPath":"health"}`, "jsonData.healthPath"},
		{"http://x", `{"rateLimits":{"classes":{"queries":{"perSecond":1}}}}`, "jsonData.rateLimits.classes.queries"},
	}
	for _, c := range cases {
		t.Run(c.field+" "+c.json, func(t *testing.T) {
			_, err := Parse(ds(c.url, c.json, nil))
			if err == nil {
				t.Fatal("want error")
			}
			if !strings.Contains(err.Error(), c.field) {
				t.Fatalf("error %q does not name %q", err, c.field)
			}
		})
	}
}

func TestSecretsNeverPrinted(t *testing.T) {
	canary := "canary-s3cr3t-value"
	s, err := Parse(ds("https://x", `{"auth":{"type":"bearer"},"httpHeaderName1":"X-Tenant"}`,
		map[string]string{"bearerToken": canary, "httpHeaderValue1": canary + "-h"}))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(s)
	for _, out := range []string{string(b), fmt.Sprintf("%v %+v %#v", s, s, s)} {
		if strings.Contains(out, canary) {
			t.Fatalf("secret leaked: %s", out)
		}
	}
	if len(s.Headers) != 1 || s.Secrets.Headers["X-Tenant"] != canary+"-h" || !s.Headers[0].Secret {
		t.Fatalf("grafana header convention not read: %+v", s.Headers)
	}
	if got := s.SecretValues(); len(got) != 2 {
		t.Fatalf("SecretValues = %d values", len(got))
	}
	// An invalid setting's error must not echo a secret either.
	_, err = Parse(ds("https://x", `{"auth":{"type":"apiKey","apiKeyIn":"cookie"}}`, map[string]string{"apiKeyValue": canary}))
	if err == nil || strings.Contains(err.Error(), canary) {
		t.Fatalf("err = %v", err)
	}
}

func TestAPIKeyHashParsed(t *testing.T) {
	salt := strings.Repeat("ab", 16)
	hash := strings.Repeat("cd", 32)
	s, err := Parse(ds("https://x", `{"apiKeys":[{"name":"ci","scopes":["action:deploy"],"expires":"2030-01-01T00:00:00Z"}]}`,
		map[string]string{"apiKeyHash.ci": "sha256:" + salt + ":" + hash}))
	if err != nil {
		t.Fatal(err)
	}
	k := s.APIKeys[0]
	if len(k.Salt) != 16 || len(k.Hash) != 32 || k.Expires == nil || k.Scopes[0] != "action:deploy" {
		t.Fatalf("key = %+v", k)
	}
	if _, err := Parse(ds("https://x", `{"apiKeys":[{"name":"ci"}]}`, map[string]string{"apiKeyHash.ci": "md5$x$y"})); err == nil ||
		!strings.Contains(err.Error(), "not a valid hash") {
		t.Fatalf("bad hash accepted: %v", err)
	}
}

func TestGrafanaBasicAuthFields(t *testing.T) {
	d := ds("https://x", `{}`, map[string]string{"basicAuthPassword": "pw"})
	d.BasicAuthEnabled, d.BasicAuthUser = true, "bob"
	s, err := Parse(d)
	if err != nil || s.Auth.Type != AuthBasic || s.Auth.BasicUser != "bob" {
		t.Fatalf("s=%+v err=%v", s, err)
	}
}

func TestMaxRedirectsZeroMeansNone(t *testing.T) {
	s, err := Parse(ds("https://x", `{"network":{"maxRedirects":0}}`, nil))
	if err != nil || s.Network.MaxRedirects != 0 {
		t.Fatalf("explicit 0: %d %v", s.Network.MaxRedirects, err)
	}
}

func TestDurationForms(t *testing.T) {
	s, err := Parse(ds("https://x", `{"timeouts":{"dial":2.5,"request":"1m"}}`, nil))
	if err != nil || s.Timeouts.Dial.Duration != 2500*time.Millisecond || s.Timeouts.Request.Duration != time.Minute {
		t.Fatalf("%+v %v", s.Timeouts, err)
	}
}

func TestShortSaltIsNamed(t *testing.T) {
	_, err := Parse(backend.DataSourceInstanceSettings{URL: "https://api.example.com",
		JSONData:                []byte(`{"apiKeys":[{"name":"k"}]}`),
		DecryptedSecureJSONData: map[string]string{"apiKeyHash.k": "sha256:0102:" + strings.Repeat("ab", 32)}})
	if err == nil || !strings.Contains(err.Error(), "the salt is 2 bytes; at least 8 are needed") {
		t.Fatalf("%v", err)
	}
}

// Durations follow Grafana's grammar (gtime), the one the pipeline's time
// buckets use too; calendar units and overflowing values are refused.
func TestDurationGrammar(t *testing.T) {
	for _, c := range []struct {
		in   string
		want time.Duration
		bad  bool
	}{
		{in: `"30s"`, want: 30 * time.Second},
		{in: `"1m30s"`, want: 90 * time.Second},
		{in: `"250ms"`, want: 250 * time.Millisecond},
		{in: `"1d"`, want: 24 * time.Hour},
		{in: `"2w"`, want: 14 * 24 * time.Hour},
		{in: `45`, want: 45 * time.Second},
		{in: `""`, want: 0},
		{in: `"1M"`, bad: true},
		{in: `"1y"`, bad: true},
		{in: `"9999999d"`, bad: true},
		{in: `"soon"`, bad: true},
		{in: `true`, bad: true},
	} {
		var d Duration
		err := d.UnmarshalJSON([]byte(c.in))
		if c.bad != (err != nil) || (!c.bad && d.Duration != c.want) {
			t.Errorf("%s: got %v, %v; want %v (bad=%v)", c.in, d.Duration, err, c.want, c.bad)
		}
	}
}

func TestGraphQLRuleDefaults(t *testing.T) {
	s, err := Parse(ds("http://x", `{"proxy":{"rules":[{"path":"/g","methods":["POST"],"graphql":{}},{"path":"/h","methods":["POST"],"graphql":{"operations":["mutation"],"maxDepth":3,"maxAliases":5}}]}}`, nil))
	if err != nil {
		t.Fatal(err)
	}
	d, e := s.Proxy.Rules[0].GraphQL, s.Proxy.Rules[1].GraphQL
	if strings.Join(d.AllowedOperations(), ",") != "query" || d.DepthLimit() != 10 || d.AliasLimit() != 20 || d.Introspection {
		t.Fatalf("defaults: %+v", d)
	}
	if strings.Join(e.AllowedOperations(), ",") != "mutation" || e.DepthLimit() != 3 || e.AliasLimit() != 5 {
		t.Fatalf("explicit: %+v", e)
	}
}
