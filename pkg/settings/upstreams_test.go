package settings

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

func TestNamedUpstreamsAreViewsOfTheirOwn(t *testing.T) {
	s, err := Parse(ds("https://main.example", `{
		"auth": {"type": "bearer"},
		"network": {"allowedHosts": ["cdn.main.example"]},
		"proxy": {"rules": [{"path": "/a/", "methods": ["GET"]}]},
		"upstreams": [
			{"name": "billing", "url": "https://billing.example/v2/", "auth": {"type": "basic", "basicUser": "svc"},
			 "headers": [{"name": "X-Tenant", "value": "t1"}, {"name": "X-Key", "secret": true}],
			 "proxy": {"rules": [{"path": "/invoices", "methods": ["GET", "POST"], "minRole": "Editor"}], "maxConcurrent": 3}},
			{"name": "hr", "url": "http://hr.internal", "network": {"maxRedirects": 0}}
		],
		"actions": [{"name": "pay", "method": "POST", "path": "/pay", "upstream": "billing"},
		            {"name": "ping", "method": "GET", "path": "/ping", "upstream": "default"}]
	}`, map[string]string{"bearerToken": "root-token", "upstreams.billing.basicAuthPassword": "billing-pw",
		"upstreams.billing.header.X-Key": "billing-key", "basicAuthPassword": "not-billing"}))
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Upstreams) != 3 || s.Upstreams[0] != &s.Upstream || s.Upstreams[0].Name != "" ||
		s.Lookup("") != &s.Upstream || s.Lookup("default") != &s.Upstream || s.Lookup("_default") != &s.Upstream || s.Lookup("nope") != nil {
		t.Fatalf("upstreams: %d, default=%p want %p", len(s.Upstreams), s.Lookup(""), &s.Upstream)
	}
	b := s.Lookup("billing")
	if b != s.Upstreams[1] || b.Name != "billing" || b.URL.String() != "https://billing.example/v2" || b.Auth.Type != AuthBasic {
		t.Errorf("billing = %s %s %s", b.Name, b.URL, b.Auth.Type)
	}
	if b.Secrets.BasicAuthPassword != "billing-pw" || b.Secrets.BearerToken != "" || b.Secrets.Headers["X-Key"] != "billing-key" {
		t.Error("billing must read only its namespaced secrets")
	}
	if len(b.Network.AllowedHosts) != 0 || b.Network.MaxRedirects != 3 || len(b.Proxy.Rules) != 1 || b.Proxy.MaxConcurrent != 3 {
		t.Errorf("billing inherits nothing of the default upstream: %+v %+v", b.Network, b.Proxy)
	}
	if b.Proxy.MaxRequestBytes != DefaultMaxRequestBytes || b.Timeouts.Request.Duration == 0 || b.HealthPath != "/" {
		t.Error("billing gets the built-in defaults")
	}
	if s.Name != "demo" || s.Upstream.Name != "" || s.DataSource() != (DataSource{UID: "u1", Name: "demo"}) {
		t.Errorf("the data source keeps its name, the default upstream has none: %q %q", s.Name, s.Upstream.Name)
	}
	h := s.Lookup("hr")
	if h.Network.MaxRedirects != 0 || h.Auth.Type != AuthNone || len(h.Proxy.Rules) != 1 || h.Proxy.Rules[0].Path != "/" {
		t.Errorf("hr: explicit 0 redirects kept, default rules applied: %+v %+v", h.Network, h.Proxy.Rules)
	}
	if got := strings.Join(s.UpstreamNames(), ","); got != "default,billing,hr" {
		t.Errorf("names = %s", got)
	}
	for _, v := range b.SecretValues() {
		if v == "root-token" {
			t.Error("billing's scrubber list holds the default upstream's token")
		}
	}
}

func TestUpstreamErrorsNameTheField(t *testing.T) {
	cases := []struct{ json, field string }{
		{`{"upstreams":[{"name":"a","url":"https://a"},{"name":"a","url":"https://b"}]}`, "jsonData.upstreams[1].name"},
		{`{"upstreams":[{"name":"Bad Name","url":"https://a"}]}`, "jsonData.upstreams[0].name"},
		{`{"upstreams":[{"name":"_default","url":"https://a"}]}`, "jsonData.upstreams[0].name"},
		{`{"upstreams":[{"name":"default","url":"https://a"}]}`, "jsonData.upstreams[0].name"},
		{`{"upstreams":[{"name":"a"}]}`, "jsonData.upstreams[0].url"},
		{`{"upstreams":[{"name":"a","url":"ftp://a"}]}`, "jsonData.upstreams[0].url"},
		{`{"upstreams":[{"name":"a","url":"https://a","auth":{"type":"bearer"}}]}`, "secureJsonData.upstreams.a.bearerToken"},
		{`{"upstreams":[{"name":"a","url":"https://a","proxy":{"rules":[{"path":"x","methods":["GET"]}]}}]}`, "jsonData.upstreams[0].proxy.rules[0].path"},
		{`{"upstreams":[{"name":"a","url":"https://a","auth":{"type":"sigv4","sigv4":{"service":"execute-api"}}}]}`, "jsonData.upstreams[0].auth.sigv4.region"},
		{`{"auth":{"type":"sigv4","sigv4":{"region":"eu-west-1"}}}`, "jsonData.auth.sigv4.service"},
		{`{"auth":{"type":"sigv4","sigv4":{"region":"eu-west-1","service":"es"}}}`, "secureJsonData.sigV4SecretKey"},
		{`{"auth":{"type":"digest","basicUser":"u"}}`, "secureJsonData.basicAuthPassword"},
		{`{"auth":{"type":"jwt","jwt":{"tokenUrl":"https://t","email":"e"}}}`, "secureJsonData.jwtPrivateKey"},
		{`{"auth":{"type":"azure","azure":{"mode":"clientSecret","scopes":["s"]}}}`, "jsonData.auth.azure.tenantId"},
		{`{"auth":{"type":"oauth2","oauth2":{"tokenUrl":"https://t","clientId":"c","tokenFormat":"Token"}}}`, "jsonData.auth.oauth2.tokenFormat"},
		{`{"outboundProxy":{"mode":"url","url":"http://u:p@proxy:3128"}}`, "jsonData.outboundProxy.url"},
		{`{"upstreams":[{"name":"a","url":"https://a","outboundProxy":{"mode":"sometimes"}}]}`, "jsonData.upstreams[0].outboundProxy.mode"},
		{`{"actions":[{"name":"x","method":"GET","path":"/","upstream":"ghost"}]}`, "jsonData.actions[0].upstream"},
	}
	for _, c := range cases {
		_, err := Parse(ds("https://main.example", c.json, map[string]string{"oauth2ClientSecret": "s"}))
		es, ok := AsErrors(err)
		if !ok {
			t.Errorf("%s: want an error on %s, got %v", c.json, c.field, err)
			continue
		}
		found := false
		for _, e := range es {
			found = found || e.Field == c.field
		}
		if !found {
			t.Errorf("%s: want field %s, got %v", c.json, c.field, err)
		}
	}
}

func TestTooManyUpstreams(t *testing.T) {
	_, err := Parse(ds("https://main.example", upstreamsJSON(MaxUpstreams+1, 1), nil))
	if err == nil || !strings.Contains(err.Error(), "jsonData.upstreams: at most") {
		t.Fatalf("err = %v", err)
	}
}

// TestExistingProvisioningFilesUnchanged parses every data source of the
// repository's provisioning files: each still loads (or still fails, for the
// deliberately broken one) with no named upstream and the same default one.
func TestExistingProvisioningFilesUnchanged(t *testing.T) {
	env := regexp.MustCompile(`\$\{?([A-Z_]+)\}?`)
	for _, file := range []string{"../../dev/provisioning.yaml", "../../provisioning/datasources/relay.yaml", "../../e2e/provisioning.yaml"} {
		raw, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		raw = env.ReplaceAllFunc(raw, func(m []byte) []byte {
			if strings.Contains(string(m), "URL") {
				return []byte("http://127.0.0.1:9")
			}
			return []byte("secret-value-from-env")
		})
		var doc struct {
			Datasources []struct {
				Name           string            `yaml:"name"`
				URL            string            `yaml:"url"`
				BasicAuth      bool              `yaml:"basicAuth"`
				BasicAuthUser  string            `yaml:"basicAuthUser"`
				JSONData       map[string]any    `yaml:"jsonData"`
				SecureJSONData map[string]string `yaml:"secureJsonData"`
			} `yaml:"datasources"`
		}
		if err := yaml.Unmarshal(raw, &doc); err != nil {
			t.Fatal(err)
		}
		if len(doc.Datasources) == 0 {
			t.Fatalf("%s: no data sources", file)
		}
		for _, d := range doc.Datasources {
			jd, _ := json.Marshal(d.JSONData)
			s, err := Parse(ds(d.URL, string(jd), d.SecureJSONData))
			broken := strings.Contains(strings.ToLower(d.Name), "broken")
			switch {
			case broken && err == nil:
				t.Errorf("%s %q: the broken data source now loads", file, d.Name)
			case !broken && err != nil:
				t.Errorf("%s %q: %v", file, d.Name, err)
			case !broken && d.JSONData["upstreams"] == nil:
				if len(s.Upstreams) != 1 || s.Lookup("") != &s.Upstream || s.Upstream.Name != "" || s.URL == nil {
					t.Errorf("%s %q: the data source must be the only, default upstream", file, d.Name)
				}
			}
		}
	}
}

func upstreamsJSON(n, rules int) string {
	var b strings.Builder
	b.WriteString(`{"upstreams":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"name":"u%d","url":"https://u%d.example/api","auth":{"type":"bearer"},"proxy":{"rules":[`, i, i)
		for j := range rules {
			if j > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"path":"/r%d/","methods":["GET","HEAD"],"minRole":"Viewer"}`, j)
		}
		b.WriteString(`]}}`)
	}
	b.WriteString(`]}`)
	return b.String()
}

func upstreamsSecrets(n int) map[string]string {
	m := map[string]string{}
	for i := range n {
		m[SecretField(fmt.Sprintf("u%d", i), "bearerToken")] = fmt.Sprintf("token-%d", i)
	}
	return m
}

// BenchmarkParse1000Upstreams is the settings-load target: 1,000 upstreams
// × 20 rules in under 100 ms per load.
func BenchmarkParse1000Upstreams(b *testing.B) {
	d := ds("https://main.example", upstreamsJSON(1000, 20), upstreamsSecrets(1000))
	b.ReportAllocs()
	for b.Loop() {
		s, err := Parse(d)
		if err != nil || len(s.Upstreams) != 1001 {
			b.Fatal(err)
		}
	}
	ms := float64(b.Elapsed().Microseconds()) / 1000 / float64(b.N)
	b.ReportMetric(ms, "ms/load")
	if ms >= 100 {
		b.Logf("BELOW TARGET: %.1f ms per load of 1,000 upstreams (target < 100 ms)", ms)
	}
}
