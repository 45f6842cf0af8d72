// Package blackbox tests Relay as Grafana uses it: the plugin binary started
// by the dev host over the real plugin protocol, called over HTTP, with the
// demo API as its upstream.
package blackbox

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/relay-gateway/relay/test/blackbox/harness"
)

const (
	uid = "bb"
	res = "/api/datasources/uid/" + uid + "/resources"
	// canary is the upstream bearer token: it must never appear in anything a
	// caller or a log sees.
	canary = "canary-token-5e1f0c2d"
)

// provisioning builds a data source whose jsonData is extra merged into a
// base that reaches the demo API with the canary token.
func provisioning(jsonData string) string {
	if jsonData == "" {
		jsonData = "{}"
	}
	return `apiVersion: 1
datasources:
  - name: Black box
    type: relay-gateway-datasource
    uid: ` + uid + `
    url: $DEMO_URL
    jsonData: ` + jsonData + `
    secureJsonData:
      bearerToken: ` + canary + `
`
}

// start runs a stack whose demo API accepts the canary as its bearer token.
func start(t *testing.T, jsonData string) *harness.Stack {
	t.Helper()
	return startWithUsers(t, jsonData, "")
}

// startWithUsers is start with the dev host's users YAML ("" the harness's
// default users).
func startWithUsers(t *testing.T, jsonData, users string) *harness.Stack {
	t.Helper()
	base := map[string]any{"auth": map[string]any{"type": "bearer"}, "healthPath": "/health",
		"network": map[string]any{"allowPrivateNetworks": true}}
	if jsonData != "" {
		var extra map[string]any
		if err := json.Unmarshal([]byte(jsonData), &extra); err != nil {
			t.Fatalf("bad test jsonData: %v", err)
		}
		for k, v := range extra {
			base[k] = v
		}
	}
	b, _ := json.Marshal(base)
	s := harness.Start(t, harness.Options{Provisioning: provisioning(string(b)), Users: users, DemoArgs: []string{"-bearer-token", canary}})
	// Registered after Start, so it runs before the stack stops: whatever the
	// test did, the secret must not have reached a log line.
	t.Cleanup(func() { assertNoCanary(t, "the dev host and plugin log", s.DevHostLog()) })
	return s
}

func decode(t *testing.T, body []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("not a JSON object: %v: %.300s", err, body)
	}
	return m
}

// assertNoCanary fails if the secret shows up in what a caller or the logs saw.
func assertNoCanary(t *testing.T, where string, texts ...string) {
	t.Helper()
	for _, s := range texts {
		if strings.Contains(s, canary) {
			t.Fatalf("secret leaked in %s", where)
		}
	}
}
