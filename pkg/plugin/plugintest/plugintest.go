// Package plugintest builds a Relay data source instance from settings JSON
// exactly as Grafana's instance manager does (plugin.New: settings, policy,
// gated upstream client, features, router), and calls it the way Grafana
// does. It is the one constructor every package's tests use, so no test
// wires the features by hand with a wiring production does not have.
package plugintest

import (
	"context"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/relay-gateway/relay/pkg/cache"
	"github.com/relay-gateway/relay/pkg/plugin"
	"github.com/relay-gateway/relay/pkg/resources/resourcetest"
)

// Config is one data source as Grafana sends it.
type Config struct {
	// UID defaults to "ds". Metrics are labelled by it: give tests that read
	// them distinct UIDs.
	UID string
	// URL is the data source URL (the upstream base).
	URL string
	// JSONData is jsonData; "" means {}.
	JSONData string
	// Secure is the decrypted secureJsonData.
	Secure map[string]string
	// Now is the instance's clock (policy, cache freshness, idempotency).
	Now func() time.Time
	// Remote is the caches' shared tier (e.g. a cachetest.Remote shared by
	// several instances standing in for replicas).
	Remote cache.Remote
}

// Instance is a running data source instance, disposed when the test ends.
type Instance struct {
	*plugin.Datasource
	uid string
}

// New builds the instance and fails the test when its settings are invalid
// (use NewUnchecked to test invalid settings).
func New(t testing.TB, c Config) *Instance {
	t.Helper()
	i := NewUnchecked(t, c)
	if err := i.SettingsError(); err != nil {
		t.Fatalf("settings: %v", err)
	}
	return i
}

// NewUnchecked builds the instance whatever its settings.
func NewUnchecked(t testing.TB, c Config) *Instance {
	t.Helper()
	if c.UID == "" {
		c.UID = "ds"
	}
	if c.JSONData == "" {
		c.JSONData = "{}"
	}
	d := plugin.New(context.Background(), backend.DataSourceInstanceSettings{UID: c.UID, Name: "test " + c.UID, URL: c.URL,
		JSONData: []byte(c.JSONData), DecryptedSecureJSONData: c.Secure}, plugin.Options{Now: c.Now, Remote: c.Remote})
	t.Cleanup(d.Dispose)
	return &Instance{Datasource: d, uid: c.UID}
}

// Call sends one resource call as Grafana would.
func (i *Instance) Call(r resourcetest.Request) *resourcetest.Response {
	return resourcetest.Call(i.Datasource, r)
}

// Query runs QueryData with one query as the user (a Grafana role name; ""
// means an alert evaluation: no user and Grafana's FromAlert header).
func (i *Instance) Query(roleName string, q backend.DataQuery) backend.DataResponse {
	req := &backend.QueryDataRequest{Queries: []backend.DataQuery{q},
		PluginContext: backend.PluginContext{OrgID: 1}}
	if roleName != "" {
		req.PluginContext.User = &backend.User{Login: "test-" + roleName, Role: roleName}
	} else {
		req.Headers = map[string]string{backend.FromAlertHeaderName: "true"}
	}
	res, err := i.QueryData(context.Background(), req)
	if err != nil {
		return backend.DataResponse{Error: err}
	}
	return res.Responses[q.RefID]
}

// Gauge reads a gauge this instance publishes in the registry Grafana
// scrapes (e.g. "relay_cache_entries"); -1 when it has no such series.
func (i *Instance) Gauge(name string) float64 {
	families, err := prometheus.DefaultGatherer.Gather()
	if err != nil {
		return -1
	}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			if labelled(m, "datasource", i.uid) && m.GetGauge() != nil {
				return m.GetGauge().GetValue()
			}
		}
	}
	return -1
}

func labelled(m *dto.Metric, name, value string) bool {
	for _, l := range m.GetLabel() {
		if l.GetName() == name && l.GetValue() == value {
			return true
		}
	}
	return false
}
