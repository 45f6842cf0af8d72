package plugin_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/relay-gateway/relay/pkg/plugin/plugintest"
	"github.com/relay-gateway/relay/pkg/resources/resourcetest"
)

func newInstance(t *testing.T, url, jsonData string) *plugintest.Instance {
	t.Helper()
	return plugintest.NewUnchecked(t, plugintest.Config{UID: "p", URL: url, JSONData: jsonData,
		Secure: map[string]string{"bearerToken": "tok"}})
}

func TestInvalidSettingsAreReportedEverywhere(t *testing.T) {
	d := newInstance(t, "ftp://x", `{"timeouts":{"dial":"-1s"}}`)
	res, _ := d.CheckHealth(context.Background(), &backend.CheckHealthRequest{})
	if res.Status != backend.HealthStatusError || !strings.Contains(res.Message, "url") || !strings.Contains(res.Message, "jsonData.timeouts.dial") {
		t.Fatalf("health: %+v", res)
	}
	r := resourcetest.Call(d, resourcetest.Request{Path: "info", Role: "Admin"})
	if r.Status != 500 || r.JSON()["code"] != "invalid_settings" {
		t.Fatalf("resource call: %d %s", r.Status, r.Body)
	}
	q, _ := d.QueryData(context.Background(), &backend.QueryDataRequest{Queries: []backend.DataQuery{{RefID: "A"}}})
	if q.Responses["A"].Error == nil || q.Responses["A"].ErrorSource != backend.ErrorSourcePlugin {
		t.Fatalf("query: %+v", q.Responses["A"])
	}
}

func TestHealthReachesTheUpstream(t *testing.T) {
	var auth string
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth = r.Header.Get("Authorization")
		if r.URL.Path != "/ok" {
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	defer up.Close()
	base := `{"auth":{"type":"bearer"},"network":{"allowPrivateNetworks":true},"healthPath":`
	res, _ := newInstance(t, up.URL, base+`"/ok"}`).CheckHealth(context.Background(), &backend.CheckHealthRequest{})
	if res.Status != backend.HealthStatusOk || auth != "Bearer tok" || !strings.Contains(res.Message, "plain HTTP") {
		t.Fatalf("ok: %+v auth=%q", res, auth)
	}
	res, _ = newInstance(t, up.URL, base+`"/missing"}`).CheckHealth(context.Background(), &backend.CheckHealthRequest{})
	if res.Status != backend.HealthStatusError || !strings.Contains(res.Message, "jsonData.healthPath") {
		t.Fatalf("404: %+v", res)
	}
	// Without allowPrivateNetworks the loopback upstream is refused, and the message says which setting allows it.
	res, _ = newInstance(t, up.URL, `{"healthPath":"/ok"}`).CheckHealth(context.Background(), &backend.CheckHealthRequest{})
	if res.Status != backend.HealthStatusError || !strings.Contains(res.Message, "allowPrivateNetworks") {
		t.Fatalf("ssrf: %+v", res)
	}
}
