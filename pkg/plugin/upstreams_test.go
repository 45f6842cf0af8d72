package plugin

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"gopkg.in/yaml.v3"

	"github.com/relay-gateway/relay/pkg/resources/resourcetest"
)

// TestUpstreamsDocExamplesLoad builds an instance from each YAML example of
// docs/upstreams.md, so the documented settings are ones Relay accepts.
func TestUpstreamsDocExamplesLoad(t *testing.T) {
	raw, err := os.ReadFile("../../docs/upstreams.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```yaml\n(.*?)```").FindAllStringSubmatch(string(raw), -1)
	if len(blocks) < 2 {
		t.Fatalf("found %d yaml examples", len(blocks))
	}
	k, _ := rsa.GenerateKey(rand.Reader, 2048)
	der, _ := x509.MarshalPKCS8PrivateKey(k)
	sa, _ := json.Marshal(map[string]string{"type": "service_account", "client_email": "a@b.iam.example",
		"private_key": string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))})
	fragmentSecrets := map[string]string{"upstreams.gcp.googleServiceAccountJSON": string(sa), "upstreams.graph.azureClientSecret": "s3cret",
		"upstreams.legacy.basicAuthPassword": "pw", "upstreams.partner.oauth2ClientSecret": "cs"}
	for i, b := range blocks {
		text := b[1]
		secrets := map[string]string{}
		if !strings.HasPrefix(text, "apiVersion") { // a fragment of jsonData
			text = "apiVersion: 1\ndatasources:\n  - name: x\n    url: https://api.example.com\n    jsonData:\n" + text
			secrets = fragmentSecrets
		}
		text = regexp.MustCompile(`\$[A-Z_]+`).ReplaceAllString(text, "value-from-env")
		var doc struct {
			Datasources []struct {
				URL            string            `yaml:"url"`
				JSONData       map[string]any    `yaml:"jsonData"`
				SecureJSONData map[string]string `yaml:"secureJsonData"`
			} `yaml:"datasources"`
		}
		if err := yaml.Unmarshal([]byte(text), &doc); err != nil {
			t.Fatalf("example %d: %v", i, err)
		}
		for _, d := range doc.Datasources {
			jd, _ := json.Marshal(d.JSONData)
			for k, v := range d.SecureJSONData {
				secrets[k] = v
			}
			inst, err := NewDatasource(context.Background(), backend.DataSourceInstanceSettings{UID: "doc", Name: "doc", URL: d.URL,
				JSONData: jd, DecryptedSecureJSONData: secrets})
			if err != nil {
				t.Fatal(err)
			}
			ds := inst.(*Datasource)
			t.Cleanup(ds.Dispose)
			if ds.invalid != nil {
				t.Errorf("example %d does not load: %v", i, ds.invalid)
				continue
			}
			r := resourcetest.Call(ds, resourcetest.Request{Path: "info", Role: "Viewer"})
			ups, _ := r.JSON()["upstreams"].([]any)
			if r.Status != 200 || len(ups) != 1+len(d.JSONData["upstreams"].([]any)) {
				t.Errorf("example %d /info: %d %s", i, r.Status, r.Body)
			}
			// The public OpenAPI document names the upstreams and their paths, not their origins.
			doc := resourcetest.Call(ds, resourcetest.Request{Path: "openapi.json"})
			first := d.JSONData["upstreams"].([]any)[0].(map[string]any)
			host := strings.TrimPrefix(first["url"].(string), "https://")
			if !strings.Contains(string(doc.Body), `"x-relay-upstreams"`) || !strings.Contains(string(doc.Body), "/proxy/"+first["name"].(string)+"/") ||
				strings.Contains(string(doc.Body), host) {
				t.Errorf("example %d openapi: upstreams missing or origin %s shown", i, host)
			}
		}
	}
}
