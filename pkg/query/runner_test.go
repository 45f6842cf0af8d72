package query_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/relay-gateway/relay/pkg/plugin/plugintest"
)

// runner is a data source instance as Grafana builds it (plugintest): the
// query runner behind the real policy and gated upstream client.
type runner struct{ *plugintest.Instance }

func newRunner(t *testing.T, upstreamURL, jsonData string) runner {
	t.Helper()
	return newRunnerWith(t, plugintest.Config{UID: "q", URL: upstreamURL, JSONData: jsonData})
}

func newRunnerWith(t *testing.T, c plugintest.Config) runner {
	t.Helper()
	return runner{plugintest.New(t, c)}
}

// QueryData is the instance's, without the error it never returns.
func (r runner) QueryData(ctx context.Context, req *backend.QueryDataRequest) *backend.QueryDataResponse {
	resp, err := r.Instance.QueryData(ctx, req)
	if err != nil {
		panic(err)
	}
	return resp
}

func query(refID, js string) backend.DataQuery {
	return backend.DataQuery{RefID: refID, JSON: json.RawMessage(js),
		TimeRange: backend.TimeRange{From: time.UnixMilli(1000), To: time.UnixMilli(2000)}, Interval: time.Second}
}

func TestForwardedOAuthAndMacros(t *testing.T) {
	var gotAuth, gotQuery string
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotAuth, gotQuery = r.Header.Get("Authorization"), r.URL.RawQuery
		_, _ = w.Write([]byte(`[{"v":1}]`))
	}))
	defer up.Close()
	r := newRunner(t, up.URL, `{"auth":{"type":"forwardOAuth"},"network":{"allowPrivateNetworks":true}}`)
	resp := r.QueryData(context.Background(), &backend.QueryDataRequest{
		PluginContext: backend.PluginContext{User: &backend.User{Login: "ada", Role: "Viewer"}},
		Headers:       map[string]string{"http_Authorization": "Bearer user-token", "Cookie": "x=1"},
		Queries:       []backend.DataQuery{query("A", `{"path":"/data","params":{"from":"$__from","to":"${__to:date:seconds}"}}`)},
	})
	if dr := resp.Responses["A"]; dr.Error != nil || len(dr.Frames) != 1 {
		t.Fatalf("%+v", dr)
	}
	if gotAuth != "Bearer user-token" || gotQuery != "from=1000&to=2" {
		t.Fatalf("auth %q query %q", gotAuth, gotQuery)
	}
}

func TestQueryErrorsCarryTheirSource(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/401":
			w.WriteHeader(401)
		case "/next":
			_, _ = w.Write([]byte(`{"items":[1],"next":"http://elsewhere.example/steal"}`))
		default:
			_, _ = w.Write([]byte(`not json`))
		}
	}))
	defer up.Close()
	r := newRunner(t, up.URL, `{"network":{"allowPrivateNetworks":true}}`)
	// An alert evaluation, as Grafana's alerting engine marks it.
	resp := r.QueryData(context.Background(), &backend.QueryDataRequest{Headers: map[string]string{"FromAlert": "true"}, Queries: []backend.DataQuery{
		query("A", `{"path":"/401"}`),
		query("B", `{"path":"/bad"}`),
		query("C", `{"path":"/x","headers":{"Authorization":"Bearer mine"}}`),
		query("D", `{"path":"/next","pagination":{"mode":"link","nextPath":"next"},"pipeline":{"root":"items"}}`),
		query("E", `{not json`),
	}})
	want := map[string]struct {
		source backend.ErrorSource
		text   string
	}{
		"A": {backend.ErrorSourceDownstream, "HTTP 401"},
		"B": {backend.ErrorSourceDownstream, ""},
		"C": {backend.ErrorSourcePlugin, "cannot be set by a query"},
		"D": {backend.ErrorSourceDownstream, "leaves the configured upstream"},
		"E": {backend.ErrorSourcePlugin, "not valid JSON"},
	}
	for ref, w := range want {
		dr := resp.Responses[ref]
		if dr.Error == nil || dr.ErrorSource != w.source || !strings.Contains(dr.Error.Error(), w.text) {
			t.Errorf("%s: err=%v source=%q status=%d", ref, dr.Error, dr.ErrorSource, dr.Status)
		}
		if dr.Status == 401 {
			t.Errorf("%s: a 401 status would read as a lost Grafana session", ref)
		}
	}
}
