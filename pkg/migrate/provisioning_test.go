package migrate

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"gopkg.in/yaml.v3"

	"github.com/relay-gateway/relay/pkg/settings"
)

// TestConvertDatasources: the converted provisioning is valid Relay
// settings (parsed as Grafana's instance manager would), secrets are never
// copied, and each secret to enter again is listed.
func TestConvertDatasources(t *testing.T) {
	in, err := os.ReadFile("testdata/corpus/old-ds.yaml")
	if err != nil {
		t.Fatal(err)
	}
	res, err := ConvertDatasources(in)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(res.YAML), "do-not-copy-me") {
		t.Fatalf("a secret was copied:\n%s", res.YAML)
	}
	var f struct {
		Datasources []struct {
			Name, Type, UID, URL string
			JSONData             map[string]any    `yaml:"jsonData"`
			Secure               map[string]string `yaml:"secureJsonData"`
		}
	}
	if err := yaml.Unmarshal(res.YAML, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Datasources) != 2 {
		t.Fatalf("%s", res.YAML)
	}
	for _, d := range f.Datasources {
		if d.Type != PluginRelay {
			t.Errorf("%s: type %s", d.Name, d.Type)
		}
		jd, _ := json.Marshal(d.JSONData)
		secure := map[string]string{}
		for k := range d.Secure {
			secure[k] = "x" // the values the operator enters
		}
		if _, err := settings.Parse(backend.DataSourceInstanceSettings{UID: d.UID, URL: d.URL, JSONData: jd, DecryptedSecureJSONData: secure}); err != nil {
			t.Errorf("%s: Relay refuses the converted settings: %v\n%s", d.Name, err, res.YAML)
		}
	}
	inf, api := f.Datasources[0], f.Datasources[1]
	for _, w := range []string{`"auth":{"type":"bearer"}`, `"upstreams":[{"auth":{"type":"bearer"},"name":"status-example-org","url":"https://status.example.org"}]`, `"timeouts":{"request":"20s"}`} {
		if b, _ := json.Marshal(inf.JSONData); !strings.Contains(string(b), w) {
			t.Errorf("Infinity jsonData lacks %s: %s", w, b)
		}
	}
	if inf.URL != "https://api.example.com" || inf.UID != "infinity-old-relay" {
		t.Errorf("%+v", inf)
	}
	if b, _ := json.Marshal(api.JSONData); !strings.Contains(string(b), `"proxy":{"queryParams":{"tenant":"acme"}}`) || !strings.Contains(string(b), `"auth":{"basicUser":"grafana","type":"basic"}`) {
		t.Errorf("JSON API jsonData: %s", b)
	}
	var keys []string
	for _, s := range res.Secrets {
		keys = append(keys, s.DataSource+":"+s.Key+"<-"+s.From)
	}
	want := "Infinity:bearerToken<-bearerToken Infinity:upstreams.status-example-org.bearerToken<-bearerToken JSON API:basicAuthPassword<-basicAuthPassword JSON API:httpHeaderValue1<-httpHeaderValue1"
	if strings.Join(keys, " ") != want {
		t.Errorf("secrets %v", keys)
	}
}

func TestConvertDatasourceAuthKinds(t *testing.T) {
	for auth, want := range map[string]string{
		`auth_method: apiKey, apiKeyKey: X-Key, apiKeyType: query`:                                                                              `"auth":{"apiKeyIn":"query","apiKeyName":"X-Key","type":"apiKey"}`,
		`auth_method: oauth2, oauth2: {oauth2_type: client_credentials, client_id: c, token_url: "https://api.example.com/token", scopes: [a]}`: `"oauth2":{"clientId":"c","scopes":["a"],"tokenUrl":"https://api.example.com/token"},"type":"oauth2"`,
		`auth_method: aws, aws: {region: eu-west-1, service: es}`:                                                                               `"sigv4":{"region":"eu-west-1","service":"es"},"type":"sigv4"`,
		`auth_method: oauthPassThru`:           `"auth":{"type":"forwardOAuth"}`,
		`auth_method: digestAuth`:              `"type":"digest"`,
		`tlsSkipVerify: true, serverName: api`: `"tls":{"serverName":"api","skipVerify":true}`,
	} {
		in := "datasources:\n  - {name: I, type: yesoreyeram-infinity-datasource, uid: i, url: 'https://api.example.com', jsonData: {" + auth + "}}\n"
		res, err := ConvertDatasources([]byte(in))
		if err != nil {
			t.Fatal(err)
		}
		var f struct {
			Datasources []struct {
				JSONData map[string]any `yaml:"jsonData"`
			}
		}
		_ = yaml.Unmarshal(res.YAML, &f)
		b, _ := json.Marshal(f.Datasources[0].JSONData)
		if !strings.Contains(string(b), want) {
			t.Errorf("%s: %s, want %s", auth, b, want)
		}
	}
	if _, err := ConvertDatasources([]byte("datasources:\n  - {name: P, type: prometheus}\n")); err == nil {
		t.Error("a file without Infinity or JSON API data sources must be refused")
	}
}
