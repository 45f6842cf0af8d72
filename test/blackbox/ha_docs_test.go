package blackbox

import (
	"bufio"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/relay-gateway/relay/test/blackbox/harness"
)

// TestHADocExample checks docs/ha.md's grafana.ini and provisioning examples: the ini section is the plugin's, its
// key becomes GF_PLUGIN_REDIS_URL (the variable the plugin reads), the URL is a redis URL, and a replica started
// with both (the URL pointed at a real redis-server) reports the shared state in Save & test without the password.
func TestHADocExample(t *testing.T) {
	raw, err := os.ReadFile("../../docs/ha.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	for _, link := range []string{"../../README.md", "../../docs/security.md"} {
		b, _ := os.ReadFile(link)
		if !strings.Contains(string(b), "ha.md") {
			t.Errorf("%s does not link docs/ha.md", link)
		}
	}
	ini := fencedBlock(t, doc, "ini")
	sections := parseINI(t, ini)
	plugin, ok := sections["plugin.relay-gateway-datasource"]
	if !ok || len(sections) != 1 {
		t.Fatalf("the ini example must be the plugin's section alone: %v", sections)
	}
	url, ok := plugin["redis_url"]
	if !ok {
		t.Fatalf("no redis_url in %v", plugin)
	}
	// Grafana passes each key of [plugin.<id>] as GF_PLUGIN_<KEY>; pkg/shared reads exactly this name.
	if env := "GF_PLUGIN_" + strings.ToUpper("redis_url"); !strings.Contains(doc, env) {
		t.Fatalf("docs/ha.md does not name %s", env)
	}
	src, _ := os.ReadFile("../../pkg/shared/client.go")
	if !strings.Contains(string(src), `EnvURL = "GF_PLUGIN_REDIS_URL"`) {
		t.Fatal("pkg/shared reads another variable than the documented GF_PLUGIN_REDIS_URL")
	}
	m := regexp.MustCompile(`^redis://:([^@]+)@([a-z0-9.-]+):(\d+)/(\d+)$`).FindStringSubmatch(url)
	if m == nil {
		t.Fatalf("redis_url %q is not redis://:password@host:port/db", url)
	}

	prov := fencedBlock(t, doc, "yaml")
	var parsed struct {
		APIVersion  int `yaml:"apiVersion"`
		Datasources []struct {
			Type, UID, URL string
			JSONData       map[string]any `yaml:"jsonData"`
		}
	}
	if err := yaml.Unmarshal([]byte(prov), &parsed); err != nil || parsed.APIVersion != 1 || len(parsed.Datasources) != 1 ||
		parsed.Datasources[0].Type != harness.DefaultPluginID {
		t.Fatalf("provisioning example: %v %+v", err, parsed)
	}
	ds := parsed.Datasources[0]

	// The examples as a replica runs them: the documented password on a real server, the upstream the demo API.
	r := harness.StartRedis(t, harness.RedisOptions{Password: m[1]})
	prov = strings.Replace(prov, "url: "+ds.URL, "url: $DEMO_URL\n    jsonData_network: x", 1)
	prov = strings.Replace(prov, "\n    jsonData_network: x\n    jsonData:\n", "\n    jsonData:\n      network: { allowPrivateNetworks: true }\n", 1)
	localURL := strings.Replace(url, m[2]+":"+m[3], fmt.Sprintf("127.0.0.1:%d", r.Port), 1)
	s := harness.Start(t, harness.Options{Provisioning: prov, Env: map[string]string{"ORDERS_TOKEN": canary},
		DemoArgs: []string{"-bearer-token", canary}, DevHostArgs: []string{"-plugin-config", "redis_url=" + localURL}})
	resp, body := s.Do("GET", "/api/datasources/uid/"+ds.UID+"/health", "admin", nil, nil)
	want := fmt.Sprintf("Shared state: Redis at redis://127.0.0.1:%d/0 ok", r.Port)
	if resp.StatusCode != 200 || !strings.Contains(string(body), want) || strings.Contains(string(body), m[1]) {
		t.Fatalf("health with the documented settings: %d %s", resp.StatusCode, body)
	}
	if strings.Contains(s.DevHostLog(), m[1]) {
		t.Fatal("the Redis password is in the log")
	}
	// The documented action exists with its documented class.
	if resp, body := s.Do("GET", "/api/datasources/uid/"+ds.UID+"/resources/actions", "editor", nil, nil); resp.StatusCode != 200 ||
		!strings.Contains(string(body), `"name":"refund"`) {
		t.Fatalf("actions: %d %s", resp.StatusCode, body)
	}
}

// fencedBlock returns the one code block of lang in doc.
func fencedBlock(t *testing.T, doc, lang string) string {
	t.Helper()
	parts := strings.Split(doc, "```"+lang+"\n")
	if len(parts) != 2 {
		t.Fatalf("want one %s block, found %d", lang, len(parts)-1)
	}
	block, _, ok := strings.Cut(parts[1], "```")
	if !ok {
		t.Fatalf("unterminated %s block", lang)
	}
	return block
}

// parseINI reads grafana.ini's syntax: [section] headers and key = value lines; ; and # start comments.
func parseINI(t *testing.T, text string) map[string]map[string]string {
	t.Helper()
	out := map[string]map[string]string{}
	var cur map[string]string
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, ";") || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]"):
			cur = map[string]string{}
			out[line[1:len(line)-1]] = cur
		default:
			k, v, ok := strings.Cut(line, "=")
			if !ok || cur == nil {
				t.Fatalf("not an ini line: %q", line)
			}
			cur[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	return out
}
